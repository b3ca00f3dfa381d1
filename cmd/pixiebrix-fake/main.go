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
	"syscall"
	"time"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

const usage = `pixiebrix-fake serves an in-memory, stateful fake of PixieBrix's Team
Management REST API (teams, memberships, groups, campaigns) for development
and tests. It starts on the embedded default data unless given a fixture.

Usage:
  pixiebrix-fake [flags]

Once it serves, it prints one JSON line on stdout:
  {"ready": true, "url": "http://127.0.0.1:PORT", "tokens": {"<email>": "<token>", ...}}
and logs each request on stderr. SIGINT or SIGTERM shut it down gracefully.

Every flag may also be set by the environment variable named beside it; a
flag given on the command line wins.

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
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("pixiebrix-fake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on; port 0 picks a free port [PIXIEBRIX_FAKE_ADDR]")
	fs.StringVar(&o.fixtures, "fixtures", "", "fixture file (YAML or JSON) to seed from instead of the embedded default [PIXIEBRIX_FAKE_FIXTURES]")
	fs.Int64Var(&o.seed, "seed", fake.DefaultSeed, "seed of all generated names, emails, ids and times [PIXIEBRIX_FAKE_SEED]")
	fs.IntVar(&o.pageSize, "page-size", fake.DefaultPageSize, fmt.Sprintf("default page size of version 2.0 lists, 1 to %d [PIXIEBRIX_FAKE_PAGE_SIZE]", fake.MaxPageSize))
	fs.StringVar(&o.logLevel, "log-level", "info", "log level on stderr: debug, info, warn or error [PIXIEBRIX_FAKE_LOG_LEVEL]")
	fs.StringVar(&o.clock, "clock", "step", `clock that stamps writes: "step" (from 2026-01-01T00:00:00Z, one second per write: deterministic), "wall" (real time) or an RFC 3339 time to freeze at [PIXIEBRIX_FAKE_CLOCK]`)

	// Environment first, so that flags given on the command line override it.
	var envErrs []string
	fs.VisitAll(func(f *flag.Flag) {
		name := "PIXIEBRIX_FAKE_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if value := getenv(name); value != "" {
			if err := f.Value.Set(value); err != nil {
				envErrs = append(envErrs, fmt.Sprintf("%s=%q: %v", name, value, err))
			}
		}
	})
	if len(envErrs) > 0 {
		return o, errors.New(strings.Join(envErrs, "; "))
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	return o, nil
}

func (o options) logger(stderr io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", o.logLevel)
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})), nil
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
		return nil, fmt.Errorf(`--clock %q: use "step", "wall" or an RFC 3339 time such as 2026-01-01T00:00:00Z`, o.clock)
	}
	return fake.WithClock(func() time.Time { return frozen }), nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "pixiebrix-fake:", err)
		return 2
	}
	logger, err := o.logger(stderr)
	if err != nil {
		fmt.Fprintln(stderr, "pixiebrix-fake:", err)
		return 2
	}
	opts := []fake.Option{fake.WithSeed(o.seed), fake.WithPageSize(o.pageSize), fake.WithLogger(logger)}
	if o.fixtures != "" {
		opts = append(opts, fake.WithFixtureFile(o.fixtures))
	}
	clock, err := o.clockOption()
	if err != nil {
		fmt.Fprintln(stderr, "pixiebrix-fake:", err)
		return 2
	}
	if clock != nil {
		opts = append(opts, clock)
	}
	srv, err := fake.New(opts...)
	if err != nil {
		fmt.Fprintln(stderr, "pixiebrix-fake:", err)
		return 1
	}
	listener, err := net.Listen("tcp", o.addr)
	if err != nil {
		fmt.Fprintln(stderr, "pixiebrix-fake:", err)
		return 1
	}
	httpServer := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- httpServer.Serve(listener) }()

	ready, _ := json.Marshal(map[string]any{
		"ready":  true,
		"url":    "http://" + listener.Addr().String(),
		"tokens": srv.Tokens(),
	})
	fmt.Fprintln(stdout, string(ready))

	select {
	case err := <-served:
		fmt.Fprintln(stderr, "pixiebrix-fake:", err)
		return 1
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintln(stderr, "pixiebrix-fake: shutdown:", err)
		return 1
	}
	return 0
}
