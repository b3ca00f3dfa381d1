package fake

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"

	pixiebrixfake "github.com/pixiebrix-fake/pixiebrix-fake"
)

// Server is the fake API as an http.Handler. It has no listener of its own;
// serve it with net/http or use NewTestServer.
type Server struct {
	spec     *apiSpec
	store    *store
	logger   *slog.Logger
	pageSize int
	seed     int64

	requestIDMu sync.Mutex
	requestIDs  *rand.Rand
}

// New returns a Server seeded from the options: the embedded default fixture
// unless WithFixtureFile or WithFixtures names another.
func New(opts ...Option) (*Server, error) {
	cfg := config{seed: DefaultSeed, pageSize: DefaultPageSize}
	for _, opt := range opts {
		opt(&cfg)
	}
	if cfg.pageSize < 1 || cfg.pageSize > MaxPageSize {
		return nil, fmt.Errorf("page size %d is outside 1 to %d", cfg.pageSize, MaxPageSize)
	}
	spec, err := embeddedSpec()
	if err != nil {
		return nil, err
	}
	fixture, err := cfg.loadFixture()
	if err != nil {
		return nil, err
	}
	clock := cfg.clock
	if clock == nil {
		clock = (&stepClock{now: epoch}).read
	}
	st := newStore(newIDSource(cfg.seed), clock)
	if err := seedStore(st, fixture, cfg.seed); err != nil {
		return nil, err
	}
	logger := cfg.logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Server{
		spec:       spec,
		store:      st,
		logger:     logger,
		pageSize:   cfg.pageSize,
		seed:       cfg.seed,
		requestIDs: newRand(cfg.seed, streamRequestIDs),
	}, nil
}

func (c *config) loadFixture() (*Fixture, error) {
	switch {
	case c.fixture != nil && c.fixtureFile != "":
		return nil, fmt.Errorf("give WithFixtures or WithFixtureFile, not both")
	case c.fixture != nil:
		return c.fixture, nil
	case c.fixtureFile != "":
		data, err := os.ReadFile(c.fixtureFile)
		if err != nil {
			return nil, fmt.Errorf("fixture: %w", err)
		}
		f, err := ParseFixture(data)
		if err != nil {
			return nil, fmt.Errorf("fixture %s: %w", c.fixtureFile, err)
		}
		return f, nil
	default:
		f, err := ParseFixture(pixiebrixfake.DefaultFixture)
		if err != nil {
			return nil, fmt.Errorf("embedded default fixture: %w", err)
		}
		return f, nil
	}
}

// Tokens maps the email of every user that has an API token to the token.
func (s *Server) Tokens() map[string]string {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	tokens := map[string]string{}
	for token, u := range s.store.usersByToken {
		tokens[u.email] = token
	}
	return tokens
}

// nextRequestID draws the X-Request-Id of a response from its own seeded
// stream, so that request ids never shift the ids of data.
func (s *Server) nextRequestID() string {
	s.requestIDMu.Lock()
	defer s.requestIDMu.Unlock()
	return uuidFrom(s.requestIDs)
}
