package fake

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"time"
)

// Option configures a Server.
type Option func(*config)

type config struct {
	seed        int64
	fixture     *Fixture
	fixtureFile string
	fixtureSum  [sha256.Size]byte // of the file New loaded, for WatchFixtureFile
	pageSize    int
	logger      *slog.Logger
	clock       func() time.Time

	faults        []FaultRule
	noFaultHeader bool
	latency       time.Duration
	jitter        time.Duration
	errorRate     float64
	throttle      string
	journalSize   *int
	outboxSize    *int
	controlToken  string
	validate      bool

	stateFile      string
	noControlPlane bool
	corsOrigins    []string // WithCORS, in cors.go

	ctx context.Context // WithContext's, or nil
}

// DefaultSeed is the seed used when WithSeed is not given.
const DefaultSeed int64 = 1

// DefaultPageSize is the page size of version 2.0 lists when a request names
// none. The real default is unpublished; 100 is what clients send.
const DefaultPageSize = 100

// MaxPageSize is the largest page a request may ask for; larger sizes are
// clamped to it, as the real API documents.
const MaxPageSize = 1000

// WithSeed sets the seed that decides every generated name, email, id and
// time. The same seed and fixture give byte-identical data in any process.
func WithSeed(seed int64) Option { return func(c *config) { c.seed = seed } }

// WithFixtureFile seeds the server from a fixture file (YAML or JSON)
// instead of the embedded default.
func WithFixtureFile(path string) Option { return func(c *config) { c.fixtureFile = path } }

// WithFixtures seeds the server from a fixture value instead of the embedded
// default.
func WithFixtures(f Fixture) Option {
	return func(c *config) { c.fixture = &f }
}

// WithPageSize sets the default page size of version 2.0 lists (at most
// MaxPageSize).
func WithPageSize(n int) Option { return func(c *config) { c.pageSize = n } }

// WithLogger logs each request to logger. The default logs nothing.
func WithLogger(logger *slog.Logger) Option { return func(c *config) { c.logger = logger } }

// WithClock sets the clock that stamps writes. By default the clock starts
// at 2026-01-01T00:00:00Z and moves one second per write, so that a run's
// times depend only on the order of its writes.
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithFaults adds fault rules at start, in order. POST /__fake/reset and
// Reset bring them back (with new ids).
func WithFaults(rules ...FaultRule) Option {
	return func(c *config) { c.faults = append(c.faults, rules...) }
}

// WithoutFaultHeader makes the server ignore the X-Fake-Fault request header.
// See FaultTokenHeader for when the header is honoured otherwise.
func WithoutFaultHeader() Option { return func(c *config) { c.noFaultHeader = true } }

// WithLatency delays every API response by latency, give or take a uniform
// draw within jitter (never below zero), drawn from a source seeded by the
// seed. The control plane is not delayed.
func WithLatency(latency, jitter time.Duration) Option {
	return func(c *config) { c.latency, c.jitter = latency, jitter }
}

// WithErrorRate makes that fraction (0 to 1) of the API requests that pass
// the checks of authentication, permissions and throttling fail with a
// random 500, 502 or 503 and DRF's {"detail": ...} body, drawn from a source
// seeded by the seed.
func WithErrorRate(p float64) Option { return func(c *config) { c.errorRate = p } }

// WithThrottle limits each user (each client address, for anonymous
// requests) to a rate in DRF's syntax: "5/min", "100/hour", "10/s", "1000/day".
// Requests over it get DRF's 429 with Retry-After.
func WithThrottle(rate string) Option { return func(c *config) { c.throttle = rate } }

// WithJournalSize sets how many API requests the journal keeps
// (DefaultJournalSize by default; 0 keeps none).
func WithJournalSize(n int) Option { return func(c *config) { c.journalSize = &n } }

// WithOutboxSize sets how many messages the outbox keeps
// (DefaultOutboxSize by default; 0 keeps none, MaxOutboxSize at most: New
// fails past it); older ones drop out first.
func WithOutboxSize(n int) Option { return func(c *config) { c.outboxSize = &n } }

func (c *config) outboxSizeOrDefault() int {
	if c.outboxSize != nil {
		return *c.outboxSize
	}
	return DefaultOutboxSize
}

// WithControlToken requires "Authorization: Bearer <token>" on every control
// plane request (/__fake/…). Use it when the server listens beyond loopback.
// The X-Fake-Fault header then needs the token too (FaultTokenHeader).
func WithControlToken(token string) Option { return func(c *config) { c.controlToken = token } }

// WithResponseValidation turns strict mode on or off (off by default in New,
// on in NewTestServer). In strict mode every API response is checked against
// openapi.yaml before it is sent; one that breaks it (an undeclared status, a
// missing header, a body off its schema) is replaced by a 500 whose
// {"detail": ...} names the violation, which the X-Fake-Validation header and
// the journal's validation_error repeat. Not checked, being outside the
// contract on purpose: the answers of fault injection (the delay fault aside,
// which serves the real answer late) and the 400 for a bad X-Fake-Fault
// header, HEAD answers, paths that are not openapi.yaml's, and the control
// plane.
// Server.SetResponseValidation changes it while requests are in flight.
func WithResponseValidation(on bool) Option { return func(c *config) { c.validate = on } }

// WithStateFile keeps the data in the file at path across restarts and
// crashes. When the file exists, the server starts on the data it holds
// instead of the fixture's (the fixture stays what Reset goes back to);
// otherwise it starts on the fixture and creates the file. Every write that
// succeeds — an API write, LoadState, Reset, a Go helper — is on disk
// (fsynced) before it is answered, so a crash loses no acknowledged write.
// A file that is corrupt or truncated, other than a final write cut short
// by a crash, makes New fail with an error naming the file and the offset.
// Fault rules, the journal and throttling counters are not kept. One server
// at a time may use a file; call CloseStateFile when done with the server.
func WithStateFile(path string) Option { return func(c *config) { c.stateFile = path } }

// WithoutControlPlane turns the control plane off: paths under /__fake/
// answer 404 as any unknown path does, so that no client can reset, replace
// or break the data. The X-Fake-Fault header is ignored too.
func WithoutControlPlane() Option { return func(c *config) { c.noControlPlane = true } }

// WithContext bounds the work New does before it returns: once ctx is done,
// seeding a fixture stops (it looks every 256 generated items) and New
// returns an error that wraps context.Cause(ctx). A command passes the
// context its signal handler cancels, so that SIGTERM stops a large
// fixture. Loading a state file (WithStateFile) is not interrupted.
func WithContext(ctx context.Context) Option { return func(c *config) { c.ctx = ctx } }
