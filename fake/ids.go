package fake

import (
	"fmt"
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
	hi, lo := rng.Uint64(), rng.Uint64()
	hi = hi&^0xf000 | 0x4000           // version 4
	lo = lo&^(0xc000<<48) | 0x8000<<48 // RFC 4122 variant
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x",
		hi>>32, (hi>>16)&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
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
