package fake

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	pixiebrixfake "github.com/pixiebrix-fake/pixiebrix-fake"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/statefile"
)

// Server is the fake API as an http.Handler. It has no listener of its own;
// serve it with net/http or use NewTestServer.
type Server struct {
	spec     *apiSpec
	store    *store
	logger   *slog.Logger
	pageSize int
	seed     int64
	// fixture is the start data, for Reset; ReplaceFixture changes it.
	fixtureMu   sync.Mutex
	fixture     *Fixture
	fixtureFile string            // WithFixtureFile's, for WatchFixtureFile
	fixtureSum  [sha256.Size]byte // of the file's content New loaded
	clock       func() time.Time  // the WithClock option's, or nil

	faults       *faultSet
	startFaults  []FaultRule // WithFaults, checked
	faultHeader  bool
	toggles      *toggles
	throttle     *throttle // nil when off
	journal      *journal
	controlToken string
	noControl    bool        // WithoutControlPlane: /__fake/ is an unknown path
	validate     atomic.Bool // strict mode: WithResponseValidation
	cors         *corsPolicy // WithCORS; nil when off

	requestIDMu sync.Mutex
	requestIDs  *rand.Rand

	closed    chan struct{} // closed by Close: waits and hangs end
	closeOnce sync.Once
	drain     *drain // Drain: waits that end in time go on
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
	if err := cfg.checkToggles(); err != nil {
		return nil, err
	}
	spec, err := embeddedSpec()
	if err != nil {
		return nil, err
	}
	fixture, err := cfg.loadFixture()
	if err != nil {
		return nil, err
	}
	logger := cfg.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler) // formats nothing, unlike a handler on io.Discard
	}
	ctx := cfg.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	clock := cfg.clock
	var step *stepClock
	if clock == nil {
		step = &stepClock{now: epoch}
		clock = step.read
	}
	var st *store
	var sf *statefile.File // the state file, once it is known to be one
	if cfg.stateFile != "" {
		if sf, err = resolveStateFile(cfg.stateFile); err != nil {
			return nil, err
		}
		if st, err = openStateFile(sf, clock, step, logger, cfg.outboxSizeOrDefault()); err != nil {
			return nil, err
		}
		if st != nil {
			// The fixture is what Reset goes back to: a bad one is still an
			// error at start, not at the first reset.
			if err := checkFixture(ctx, fixture, cfg.seed); err != nil {
				if cfg.fixtureFile != "" {
					return nil, fmt.Errorf("fixture %s: %w", cfg.fixtureFile, err)
				}
				return nil, err
			}
			logger.Info("state file loaded; the fixture is only what a reset goes back to", "file", cfg.stateFile)
		}
	}
	if st == nil {
		ids, pcg := newTrackedIDSource(cfg.seed)
		st = newStore(ids, clock)
		st.pcg, st.step = pcg, step
		st.outboxSize = cfg.outboxSizeOrDefault()
		if err := seedStoreContext(ctx, st, fixture, cfg.seed); err != nil {
			if cfg.fixtureFile != "" {
				return nil, fmt.Errorf("fixture %s: %w", cfg.fixtureFile, err)
			}
			return nil, err
		}
	}
	st.seed = cfg.seed
	s := &Server{
		spec:         spec,
		store:        st,
		logger:       logger,
		pageSize:     cfg.pageSize,
		seed:         cfg.seed,
		fixture:      fixture,
		fixtureFile:  cfg.fixtureFile,
		fixtureSum:   cfg.fixtureSum,
		clock:        cfg.clock,
		faults:       newFaultSet(cfg.seed),
		faultHeader:  !cfg.noFaultHeader && !cfg.noControlPlane, // see FaultTokenHeader
		toggles:      newToggles(cfg.seed, cfg.latency, cfg.jitter, cfg.errorRate),
		journal:      newJournal(DefaultJournalSize),
		controlToken: cfg.controlToken,
		noControl:    cfg.noControlPlane,
		requestIDs:   newRand(cfg.seed, streamRequestIDs),
		closed:       make(chan struct{}),
		drain:        newDrain(),
	}
	s.validate.Store(cfg.validate)
	st.trimOutboxLocked() // a fixture's outbox longer than the size keeps its newest
	if cfg.journalSize != nil {
		s.journal = newJournal(*cfg.journalSize)
	}
	if s.cors, err = newCORSPolicy(cfg.corsOrigins); err != nil {
		return nil, err
	}
	if cfg.throttle != "" {
		if s.throttle, err = newThrottle(cfg.throttle); err != nil {
			return nil, err
		}
	}
	for i, rule := range cfg.faults {
		checked, errs := checkFaultRule(rule, s.apiPaths())
		if errs != nil {
			return nil, fmt.Errorf("WithFaults: rule %d: %s", i+1, describeFieldErrors(errs))
		}
		s.startFaults = append(s.startFaults, checked)
		if _, err := s.faults.add(checked); err != nil {
			return nil, fmt.Errorf("WithFaults: rule %d: %v", i+1, err)
		}
	}
	if cfg.stateFile != "" {
		// Last, so that no other error leaves the file open. A fresh snapshot
		// leaves nothing to replay at the next start, and no torn write.
		st.durable = sf
		st.mu.Lock()
		err := st.writeSnapshotLocked(st)
		st.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
	s.warnIfNoTokens()
	return s, nil
}

// CloseStateFile writes the state file (WithStateFile) as one snapshot, so
// that the next start has no writes to replay, and closes it. Call it once
// no request is in flight (after http.Server.Shutdown); a write after it
// fails with a 500. Without a state file it does nothing.
func (s *Server) CloseStateFile() error {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	return s.store.closeStateLocked()
}

// checkToggles refuses global failure settings that make no sense.
func (c *config) checkToggles() error {
	switch {
	case c.latency < 0 || c.jitter < 0:
		return fmt.Errorf("latency %s and jitter %s may not be negative", c.latency, c.jitter)
	case c.errorRate < 0 || c.errorRate > 1 || c.errorRate != c.errorRate:
		return fmt.Errorf("error rate %v is outside 0 to 1", c.errorRate)
	case c.journalSize != nil && *c.journalSize < 0:
		return fmt.Errorf("journal size %d may not be negative", *c.journalSize)
	case c.journalSize != nil && *c.journalSize > MaxJournalSize:
		return fmt.Errorf("journal size %d is over the most the journal keeps, %d", *c.journalSize, MaxJournalSize)
	case c.outboxSize != nil && *c.outboxSize < 0:
		return fmt.Errorf("outbox size %d may not be negative", *c.outboxSize)
	case c.outboxSize != nil && *c.outboxSize > MaxOutboxSize:
		return fmt.Errorf("outbox size %d is over the most the outbox keeps, %d", *c.outboxSize, MaxOutboxSize)
	}
	return nil
}

// Close ends the requests that are delayed or hanging on a fault or on
// latency, at once and without an answer, and makes later ones fail at
// once. Call it before shutting down the http.Server that serves s; other
// requests are served as before. For a stop that lets short delays finish,
// call Drain before Shutdown instead, and Close after it.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
}

// SetResponseValidation turns strict mode (WithResponseValidation) on or
// off. Safe while requests are in flight: a request is checked or not as the
// mode was when its checks began.
func (s *Server) SetResponseValidation(on bool) { s.validate.Store(on) }

// ResponseValidation reports whether strict mode is on.
func (s *Server) ResponseValidation() bool { return s.validate.Load() }

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
		f, err := parseFixtureFile(c.fixtureFile, data)
		if err != nil {
			return nil, fmt.Errorf("fixture %s: %w", c.fixtureFile, err)
		}
		c.fixtureSum = sha256.Sum256(data)
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

// warnIfNoTokens logs a warning when no user has an API token: every API
// request but the health check would answer 401, which a fixture rarely
// means.
func (s *Server) warnIfNoTokens() {
	if len(s.Tokens()) == 0 {
		s.logger.Warn("no user has an API token, so every API request but GET /api/health/ answers 401; give members a token: in the fixture")
	}
}

// nextRequestID draws the X-Request-Id of a response from its own seeded
// stream, so that request ids never shift the ids of data.
func (s *Server) nextRequestID() string {
	s.requestIDMu.Lock()
	defer s.requestIDMu.Unlock()
	return uuidFrom(s.requestIDs)
}

// parseFixtureFile reads a fixture file's bytes as its name says: a .json
// file is strict JSON (a trailing comma is an error, not YAML), any other
// file YAML or JSON. Start-up and --watch read files alike through it.
func parseFixtureFile(name string, data []byte) (*Fixture, error) {
	if strings.EqualFold(filepath.Ext(name), ".json") {
		return ParseFixtureJSON(data)
	}
	return ParseFixture(data)
}
