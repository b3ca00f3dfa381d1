// Command pixiebrix-fake serves an in-memory fake of PixieBrix's Team
// Management REST API on a local address. Once it serves, it prints one JSON
// line on stdout with its URL and the API tokens of the seeded users; it logs
// each request on stderr.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

func main() {
	// Like signal.NotifyContext, but the cause names the signal, so that an
	// interrupted start can exit as a shell expects (130, 143).
	ctx, cancel := context.WithCancelCause(context.Background())
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() { cancel(signalReceived{<-signals}) }()
	for _, warning := range unknownEnvWarnings(os.Environ()) {
		fmt.Fprintln(os.Stderr, "pixiebrix-fake:", warning)
	}
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// signalReceived is the cause of the context main cancels on a signal.
type signalReceived struct{ sig os.Signal }

func (s signalReceived) Error() string { return s.sig.String() + " signal received" }

// interruptedExit is the exit status of a start a signal interrupted:
// 128 plus the signal's number, as shells report it; 1 without a signal.
func interruptedExit(ctx context.Context) int {
	var received signalReceived
	if errors.As(context.Cause(ctx), &received) {
		if sig, ok := received.sig.(syscall.Signal); ok {
			return 128 + int(sig)
		}
	}
	return 1
}

const usage = `pixiebrix-fake serves an in-memory, stateful fake of PixieBrix's Team
Management REST API (teams, memberships, groups, campaigns) for development
and tests. It starts on the embedded default data unless given a fixture.

Usage:
  pixiebrix-fake [serve] [flags]
  pixiebrix-fake record --help   a fixture of a real team, read through its API
  pixiebrix-fake check --help    where a server differs from the contract and the fake

Once it serves, it prints one JSON line on stdout:
  {"ready":true,"url":"http://127.0.0.1:PORT","tokens":{"<email>":"<token>",...}}
and logs each request on stderr (log/slog text: method, path, status).
SIGINT or SIGTERM shut it down gracefully (exit 0); while it is still
seeding, they stop it without a ready line (exit 130 or 143). Exit status 2
means a bad flag or environment variable, 1 a bad fixture or state file or
an address in use.

The control plane under /__fake/ (health, reset, state, faults, requests,
described by GET /__fake/openapi.yaml) lets anyone who reaches it reset or replace the data. On a loopback address
it is open; to listen beyond loopback, give it a token with --admin-token
or turn it off with --no-control-plane (without either, such an address is
refused with exit status 2).

With --state-file the data survives restarts and crashes: every write is
on disk before it is answered. SIGINT or SIGTERM stop accepting connections,
let the requests in flight finish (up to --shutdown-timeout, 10 s; one held
by a delay fault or --latency is answered if its wait ends 1 s before that,
a hang fault is cut), close the state file and exit 0 (1 if the state file
failed or requests were cut).

Every flag may also be set by the environment variable named beside it; a
flag given on the command line wins. A PIXIEBRIX_FAKE_* variable that no
flag reads is warned about.

Flags:
`

// options are the command's flags, each also read from an environment variable.
type options struct {
	addr     string
	fixtures string
	seed     int64
	pageSize int
	logLevel string
	clock    string

	noFaultHeader bool
	latency       time.Duration
	latencyJitter time.Duration
	errorRate     float64
	throttle      string
	journalSize   int
	outboxSize    int
	adminToken    string
	noControl     bool
	stateFile     string
	watch         bool
	cors          string
	version       bool // --version: print it and exit; no variable sets it
	shutdownWait  time.Duration

	fromEnv map[string]string // flag name → variable, for flags the environment set
}

// envVar names the environment variable of a flag: --page-size is
// PIXIEBRIX_FAKE_PAGE_SIZE.
func envVar(flagName string) string {
	return "PIXIEBRIX_FAKE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func newFlagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("pixiebrix-fake", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // run reports errors itself, on one line
	fs.Usage = func() {}
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on; port 0 picks a free port [PIXIEBRIX_FAKE_ADDR]")
	fs.StringVar(&o.fixtures, "fixtures", "", "fixture file (YAML or JSON) to seed from instead of the embedded default [PIXIEBRIX_FAKE_FIXTURES]")
	fs.Int64Var(&o.seed, "seed", fake.DefaultSeed, "seed of all generated names, emails, ids and times [PIXIEBRIX_FAKE_SEED]")
	fs.IntVar(&o.pageSize, "page-size", fake.DefaultPageSize, fmt.Sprintf("default page size of version 2.0 lists, 1 to %d [PIXIEBRIX_FAKE_PAGE_SIZE]", fake.MaxPageSize))
	fs.StringVar(&o.logLevel, "log-level", "info", "log level on stderr: debug, info, warn or error [PIXIEBRIX_FAKE_LOG_LEVEL]")
	fs.StringVar(&o.clock, "clock", "step", `clock that stamps writes: "step" (from 2026-01-01T00:00:00Z, one second per write: deterministic), "wall" (real time) or an RFC 3339 time to freeze at [PIXIEBRIX_FAKE_CLOCK]`)
	fs.BoolVar(&o.noFaultHeader, "no-fault-header", false, "ignore the X-Fake-Fault request header, with which a client may ask for a one-off fault (with --admin-token, only beside X-Fake-Admin-Token: <token>; with --no-control-plane it is ignored anyway) [PIXIEBRIX_FAKE_NO_FAULT_HEADER]")
	fs.Var((*durationValue)(&o.latency), "latency", "delay every API response by this `duration` (250ms, 1.5s); the control plane is not delayed [PIXIEBRIX_FAKE_LATENCY]")
	fs.Var((*durationValue)(&o.latencyJitter), "latency-jitter", "vary --latency by up to this `duration` either way, uniformly, drawn from the seed (never below zero) [PIXIEBRIX_FAKE_LATENCY_JITTER]")
	fs.Float64Var(&o.errorRate, "error-rate", 0, "fraction, 0 to 1, of the API requests that pass authentication, permissions and throttling to fail with a 500, 502 or 503, drawn from the seed [PIXIEBRIX_FAKE_ERROR_RATE]")
	fs.StringVar(&o.throttle, "throttle", "", "limit each user (each client address when anonymous) to a rate in DRF's syntax, such as 5/min or 100/hour, at most 1048576 per period; requests over it get 429 with Retry-After [PIXIEBRIX_FAKE_THROTTLE]")
	fs.IntVar(&o.journalSize, "journal-size", fake.DefaultJournalSize, "how many API requests the journal (GET /__fake/requests) keeps, at most 1000000; older ones drop out, and past 64 MiB of entries too; 0 keeps none [PIXIEBRIX_FAKE_JOURNAL_SIZE]")
	fs.IntVar(&o.outboxSize, "outbox-size", fake.DefaultOutboxSize, "how many e-mails the outbox (GET /__fake/outbox) keeps, at most 100000; older ones drop out; 0 keeps none [PIXIEBRIX_FAKE_OUTBOX_SIZE]")
	fs.StringVar(&o.adminToken, "admin-token", "", "token the control plane (/__fake/...) then requires as \"Authorization: Bearer <token>\"; needed to listen beyond loopback, unless --no-control-plane [PIXIEBRIX_FAKE_ADMIN_TOKEN]")
	fs.BoolVar(&o.noControl, "no-control-plane", false, "turn the control plane off: /__fake/... answers 404 like any unknown path [PIXIEBRIX_FAKE_NO_CONTROL_PLANE]")
	fs.Var((*durationValue)(&o.shutdownWait), "shutdown-timeout", "how long a shutdown lets the requests in flight finish before it closes their connections [PIXIEBRIX_FAKE_SHUTDOWN_TIMEOUT]")
	fs.StringVar(&o.stateFile, "state-file", "", "keep the data in this `file` across restarts and crashes: loaded at start when it exists (instead of the fixture, which stays what a reset goes back to), and every write is fsynced to it before it is answered [PIXIEBRIX_FAKE_STATE_FILE]")
	fs.BoolVar(&o.watch, "watch", false, "reload the --fixtures file when it changes: the data is seeded from it again, as at start; an edit that does not load keeps the data and is logged [PIXIEBRIX_FAKE_WATCH]")
	fs.StringVar(&o.cors, "cors", "", "let web pages on these origins call the fake from a browser (CORS): comma-separated scheme://host[:port], or * for any origin; off when empty [PIXIEBRIX_FAKE_CORS]")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	return fs
}

// watchInterval is how often --watch looks at the fixture file.
const watchInterval = 200 * time.Millisecond

// durationValue is a flag.Value like the flag package's duration, with an
// error that says what a duration looks like.
type durationValue time.Duration

func (d *durationValue) String() string { return time.Duration(*d).String() }

func (d *durationValue) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("use a Go duration such as 250ms or 1.5s")
	}
	*d = durationValue(v)
	return nil
}

func parseFlags(args []string, getenv func(string) string) (options, error) {
	o := options{fromEnv: map[string]string{}, shutdownWait: defaultShutdownWait}
	fs := newFlagSet(&o)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, fmt.Errorf("%v (see --help)", err)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	if o.version { // nothing else matters, not even the environment
		return o, nil
	}
	// The environment fills in the flags the command line left out: a flag
	// given wins, even over a variable that would not parse.
	onCommandLine := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { onCommandLine[f.Name] = true })
	var envErrs []string
	fs.VisitAll(func(f *flag.Flag) {
		name := envVar(f.Name)
		value := getenv(name)
		if value == "" || onCommandLine[f.Name] || f.Name == "version" {
			return
		}
		if err := f.Value.Set(value); err != nil {
			envErrs = append(envErrs, fmt.Sprintf("invalid value %q for %s: %s", value, name, acceptedValues(f, err)))
		}
		o.fromEnv[f.Name] = name
	})
	if len(envErrs) > 0 {
		return o, errors.New(strings.Join(envErrs, "; "))
	}
	return o, o.check()
}

// check refuses values the command cannot serve with, naming the flag or
// variable that gave each.
func (o options) check() error {
	switch {
	case o.pageSize < 1 || o.pageSize > fake.MaxPageSize:
		return fmt.Errorf("%s %d: use 1 to %d", o.source("page-size"), o.pageSize, fake.MaxPageSize)
	case o.latency < 0:
		return fmt.Errorf("%s %s: a delay may not be negative", o.source("latency"), o.latency)
	case o.latencyJitter < 0:
		return fmt.Errorf("%s %s: a jitter may not be negative", o.source("latency-jitter"), o.latencyJitter)
	case !(o.errorRate >= 0 && o.errorRate <= 1): // NaN too
		return fmt.Errorf("%s %v: use a fraction from 0 to 1, such as 0.05", o.source("error-rate"), o.errorRate)
	case o.journalSize < 0:
		return fmt.Errorf("%s %d: use 0 (keep none) or more", o.source("journal-size"), o.journalSize)
	case o.journalSize > fake.MaxJournalSize:
		return fmt.Errorf("%s %d: use at most %d (the journal also drops its oldest entries past %d MiB)", o.source("journal-size"), o.journalSize, fake.MaxJournalSize, fake.MaxJournalBytes>>20)
	case o.outboxSize < 0:
		return fmt.Errorf("%s %d: use 0 (keep none) or more", o.source("outbox-size"), o.outboxSize)
	case o.outboxSize > fake.MaxOutboxSize:
		return fmt.Errorf("%s %d: use at most %d", o.source("outbox-size"), o.outboxSize, fake.MaxOutboxSize)
	case o.watch && o.fixtures == "":
		return fmt.Errorf("%s: there is no fixture file to watch; give --fixtures (or %s)", o.source("watch"), envVar("fixtures"))
	case o.shutdownWait <= 0:
		return fmt.Errorf("%s %s: use a positive duration such as 10s", o.source("shutdown-timeout"), o.shutdownWait)
	}
	if o.throttle != "" {
		// The fake is the one judge of a rate; a server with no data asks it.
		if _, err := fake.New(fake.WithFixtures(fake.Fixture{}), fake.WithThrottle(o.throttle)); err != nil {
			return fmt.Errorf("%s: %v", o.source("throttle"), err)
		}
	}
	if o.cors != "" {
		if _, err := fake.New(fake.WithFixtures(fake.Fixture{}), o.corsOption()); err != nil {
			return fmt.Errorf("%s: %v", o.source("cors"), err)
		}
	}
	if o.adminToken != "" && strings.TrimSpace(o.adminToken) != o.adminToken {
		// The control plane trims what a client sends, so such a token could
		// never be matched; a blank one would guard nothing a script meant.
		return fmt.Errorf("%s: the token is blank or has spaces at either end; give a token of visible characters", o.source("admin-token"))
	}
	return o.checkAddr()
}

// checkAddr refuses an address the control plane would be open on beyond
// this machine. It decides before listening, from the address as written:
// anything it cannot prove is loopback (an empty or unsplittable address, a
// host name other than localhost, an IPv6 zone) counts as every interface.
func (o options) checkAddr() error {
	host, _, err := net.SplitHostPort(o.addr)
	if err != nil {
		// net.Listen("tcp", "") listens on every interface: a variable that
		// is unset in a script must not open the fake to the network.
		what := "is not HOST:PORT"
		if strings.TrimSpace(o.addr) == "" {
			what = "is empty"
		}
		return fmt.Errorf("%s %q %s: give an address such as 127.0.0.1:8080 (port 0 picks a free port)", o.source("addr"), o.addr, what)
	}
	if o.adminToken != "" || o.noControl || isLoopback(host) {
		return nil
	}
	where := "is not a loopback address"
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		where = "listens on every interface, not only loopback"
	}
	return fmt.Errorf("%s %q %s: anyone who reaches it could reset or replace the data through /__fake/; "+
		"guard the control plane with --admin-token (or %s), turn it off with --no-control-plane (or %s), or listen on 127.0.0.1",
		o.source("addr"), o.addr, where, envVar("admin-token"), envVar("no-control-plane"))
}

// listenerIsLoopback reports whether a listener serves only this machine,
// checked after listening as well, in case "localhost" resolved elsewhere.
func listenerIsLoopback(l net.Listener) bool {
	addr, ok := l.Addr().(*net.TCPAddr)
	return ok && addr.IP.IsLoopback()
}

// isLoopback reports whether a listening host only serves this machine:
// localhost, 127.0.0.0/8 or ::1. An empty host listens on every interface.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// source names where a flag's value came from, for error messages.
func (o options) source(flagName string) string {
	if name, ok := o.fromEnv[flagName]; ok {
		return name
	}
	return "--" + flagName
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, usage)
	var o options
	fs := newFlagSet(&o)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

func (o options) logger(log *bufferedLog) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return nil, fmt.Errorf("%s %q: use debug, info, warn or error", o.source("log-level"), o.logLevel)
	}
	return slog.New(flushingHandler{slog.NewTextHandler(log, &slog.HandlerOptions{Level: level}), log}), nil
}

func (o options) clockOption() (fake.Option, error) {
	switch o.clock {
	case "step":
		return nil, nil
	case "wall":
		return fake.WithClock(time.Now), nil
	}
	frozen, err := time.Parse(time.RFC3339, o.clock)
	if err != nil {
		return nil, fmt.Errorf(`%s %q: use "step", "wall" or an RFC 3339 time such as 2026-01-01T00:00:00Z`, o.source("clock"), o.clock)
	}
	return fake.WithClock(func() time.Time { return frozen }), nil
}

func (o options) corsOption() fake.Option {
	return fake.WithCORS(strings.Split(o.cors, ",")...)
}

// fakeOptions turns the command's options into the fake's.
func (o options) fakeOptions(logger *slog.Logger) ([]fake.Option, error) {
	opts := []fake.Option{fake.WithSeed(o.seed), fake.WithPageSize(o.pageSize), fake.WithLogger(logger)}
	if o.fixtures != "" {
		opts = append(opts, fake.WithFixtureFile(o.fixtures))
	}
	clock, err := o.clockOption()
	if err != nil {
		return nil, err
	}
	if clock != nil {
		opts = append(opts, clock)
	}
	if o.noFaultHeader {
		opts = append(opts, fake.WithoutFaultHeader())
	}
	if o.latency != 0 || o.latencyJitter != 0 {
		opts = append(opts, fake.WithLatency(o.latency, o.latencyJitter))
	}
	if o.errorRate != 0 {
		opts = append(opts, fake.WithErrorRate(o.errorRate))
	}
	if o.throttle != "" {
		opts = append(opts, fake.WithThrottle(o.throttle))
	}
	opts = append(opts, fake.WithJournalSize(o.journalSize))
	opts = append(opts, fake.WithOutboxSize(o.outboxSize))
	if o.adminToken != "" {
		opts = append(opts, fake.WithControlToken(o.adminToken))
	}
	if o.noControl {
		opts = append(opts, fake.WithoutControlPlane())
	}
	if o.stateFile != "" {
		opts = append(opts, fake.WithStateFile(o.stateFile))
	}
	if o.cors != "" {
		opts = append(opts, o.corsOption())
	}
	return opts, nil
}

// readyLine is the one line the command prints on stdout once it serves;
// a struct, so that its keys keep this order.
type readyLine struct {
	Ready  bool              `json:"ready"`
	URL    string            `json:"url"`
	Tokens map[string]string `json:"tokens"`
}

// defaultShutdownWait bounds how long a shutdown waits for requests in
// flight, unless --shutdown-timeout says otherwise.
const defaultShutdownWait = 10 * time.Second

// busyConns tracks the connections a shutdown would wait for: new or with a
// request in flight. Shutdown itself says only that its deadline passed.
type busyConns struct {
	mu    sync.Mutex
	state map[net.Conn]http.ConnState
}

func (b *busyConns) track(c net.Conn, state http.ConnState) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if state == http.StateClosed || state == http.StateHijacked {
		delete(b.state, c)
		return
	}
	b.state[c] = state
}

func (b *busyConns) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, state := range b.state {
		if state == http.StateNew || state == http.StateActive {
			n++
		}
	}
	return n
}

// drainMargin is what a request whose delay ends in the drain window has
// left to be served before --shutdown-timeout runs out: a delay or latency
// that ends within that timeout less drainMargin of the signal is answered.
const drainMargin = time.Second

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	sub, args := subcommand(args)
	if sub != nil {
		return sub(ctx, args, getenv, stdout, stderr)
	}
	o, err := parseFlags(args, getenv)
	if errors.Is(err, flag.ErrHelp) { // asked for: on stdout, and a success
		printUsage(stdout)
		return 0
	}
	if err == nil && o.version {
		fmt.Fprintln(stdout, versionLine())
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "pixiebrix-fake:", err)
		return 2
	}
	log := newBufferedLog(stderr, logFlushEvery)
	defer log.Close()
	stderr = log // the command's own messages keep their place among the log's
	logger, err := o.logger(log)
	if err != nil {
		fmt.Fprintln(stderr, "pixiebrix-fake:", err)
		return 2
	}
	opts, err := o.fakeOptions(logger)
	if err != nil {
		fmt.Fprintln(stderr, "pixiebrix-fake:", err)
		return 2
	}
	logger.Debug("seeding", "fixture", o.fixtures, "state_file", o.stateFile)
	srv, err := fake.New(append(opts, fake.WithContext(ctx))...)
	if err != nil && errors.Is(err, context.Cause(ctx)) {
		fmt.Fprintf(stderr, "pixiebrix-fake: interrupted while seeding (%v); not serving\n", context.Cause(ctx))
		return interruptedExit(ctx)
	}
	if err != nil {
		fmt.Fprintln(stderr, "pixiebrix-fake:", err)
		return 1
	}
	tuneGC(getenv)
	listener, err := net.Listen("tcp", o.addr)
	if err != nil {
		fmt.Fprintf(stderr, "pixiebrix-fake: %s %q: %v\n", o.source("addr"), o.addr, err)
		_ = srv.CloseStateFile()
		return 1
	}
	if o.adminToken == "" && !o.noControl && !listenerIsLoopback(listener) {
		fmt.Fprintf(stderr, "pixiebrix-fake: %s %q listens on %s, not loopback: the control plane would be open to anyone who reaches it; give --admin-token or --no-control-plane, or listen on 127.0.0.1\n",
			o.source("addr"), o.addr, listener.Addr())
		listener.Close()
		_ = srv.CloseStateFile()
		return 2
	}
	busy := &busyConns{state: map[net.Conn]http.ConnState{}}
	httpServer := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		// A client that declares a body and then sends it slowly, or never,
		// would otherwise hold a connection and a goroutine for as long as
		// it likes; a minute is ample for 2.5 MiB on loopback.
		ReadTimeout:    time.Minute,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 1 << 20,
		ErrorLog:       slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		ConnState:      busy.track,
	}
	httpServer.RegisterOnShutdown(func() {
		// Shutdown calls this once its listeners are closed.
		logger.Info("stopped accepting connections; requests in flight may finish", "within", o.shutdownWait)
	})
	served := make(chan error, 1)
	go func() { served <- httpServer.Serve(jsonErrorsListener{listener}) }()

	ready, err := json.Marshal(readyLine{Ready: true, URL: "http://" + listener.Addr().String(), Tokens: srv.Tokens()})
	if err == nil {
		_, err = fmt.Fprintln(stdout, string(ready))
	}
	if err != nil {
		fmt.Fprintln(stderr, "pixiebrix-fake: writing the ready line:", err)
		httpServer.Close()
		_ = srv.CloseStateFile()
		return 1
	}
	logger.Info("serving", "url", "http://"+listener.Addr().String())
	if o.watch {
		watchCtx, stopWatching := context.WithCancel(ctx)
		watched := make(chan struct{})
		go func() { defer close(watched); _ = srv.WatchFixtureFile(watchCtx, watchInterval) }()
		defer func() { stopWatching(); <-watched }()
	}

	select {
	case err := <-served:
		fmt.Fprintln(stderr, "pixiebrix-fake:", err)
		_ = srv.CloseStateFile()
		return 1
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	// Requests held by a delay fault or latency that ends within the drain
	// window are answered; a hang, or a longer delay, ends at once, since
	// Shutdown would otherwise wait for it. Other requests in flight finish
	// within o.shutdownWait, before the state file is closed.
	deadline := time.Now().Add(o.shutdownWait)
	srv.Drain(deadline.Add(-drainMargin))
	shutdownCtx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	code := 0
	if err := httpServer.Shutdown(shutdownCtx); errors.Is(err, context.DeadlineExceeded) {
		// Shutdown leaves them open: close them, and say what was cut.
		fmt.Fprintf(stderr, "pixiebrix-fake: shutdown: %d connection(s) still busy (a request in flight or arriving) after %s (%s); closed without an answer\n",
			busy.count(), o.shutdownWait, o.source("shutdown-timeout"))
		httpServer.Close()
		code = 1
	} else if err != nil {
		fmt.Fprintln(stderr, "pixiebrix-fake: shutdown:", err)
		code = 1
		httpServer.Close() // the requests still in flight end here, before the state file closes
	}
	srv.Close()
	if err := srv.CloseStateFile(); err != nil {
		fmt.Fprintln(stderr, "pixiebrix-fake: closing the state file:", err)
		code = 1
	}
	return code
}
