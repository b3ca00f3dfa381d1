package fake

import (
	"log/slog"
	"time"
)

// Option configures a Server.
type Option func(*config)

type config struct {
	seed        int64
	fixture     *Fixture
	fixtureFile string
	pageSize    int
	logger      *slog.Logger
	clock       func() time.Time
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
