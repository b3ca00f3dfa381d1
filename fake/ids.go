package fake

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"regexp"
	"time"
)

// epoch is the fake's "now" when the seed decides time: generated dates lie
// before it and the stepping clock starts at it.
var epoch = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// idSource draws UUIDs from a seeded generator so that one seed gives the
// same ids in every process. It is not safe for concurrent use; the store
// calls it under its lock.
type idSource struct {
	rng *rand.Rand
}

// Each use of randomness gets its own stream from the seed, so that, for
// example, the number of requests served never shifts the ids of data.
const (
	streamIDs uint64 = iota + 1
	streamFaker
	streamRequestIDs
)

func newRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream))
}

func newIDSource(seed int64) *idSource {
	return &idSource{rng: newRand(seed, streamIDs)}
}

// uuid returns a random (version 4) UUID in canonical form.
func (s *idSource) uuid() string { return uuidFrom(s.rng) }

func uuidFrom(rng *rand.Rand) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], rng.Uint64())
	binary.BigEndian.PutUint64(b[8:], rng.Uint64())
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	// Hand-encoded: seeding a large team makes one per person, and
	// fmt.Sprintf was a sixth of its cost.
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// stepClock is the default clock: it starts at epoch and moves one second
// on every reading, so that the times a run writes depend only on the order
// of its writes. Safe for concurrent use through the store's lock only.
type stepClock struct {
	now time.Time
}

func (c *stepClock) read() time.Time {
	c.now = c.now.Add(time.Second)
	return c.now
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// isUUID reports whether s is a UUID in canonical form, of any version.
func isUUID(s string) bool { return uuidPattern.MatchString(s) }
