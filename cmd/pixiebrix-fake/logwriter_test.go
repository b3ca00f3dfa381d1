package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// TestRequestLogKeptAtShutdown sends requests and stops the command at
// once: every request's line reaches stderr, though the log is buffered.
func TestRequestLogKeptAtShutdown(t *testing.T) {
	in := start(t, []string{"--addr", "127.0.0.1:0"}, nil)
	const requests = 200
	for i := range requests {
		if status, _, _ := in.get("GET", fmt.Sprintf("/api/health/?n=%d", i), "", "", ""); status != 200 {
			t.Fatalf("health: %d", status)
		}
	}
	if code, _ := in.stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	logged := in.stderr.String()
	if got := strings.Count(logged, "msg=request method=GET path=/api/health/ status=200"); got != requests {
		t.Errorf("%d request lines, want %d:\n%s", got, requests, logged)
	}
	if !strings.Contains(logged, `msg="shutting down"`) {
		t.Errorf("no shutdown line:\n%s", logged)
	}
}

func TestBufferedLog(t *testing.T) {
	var out bytes.Buffer // read only once the writer is closed
	log := newBufferedLog(&out, time.Hour)
	fmt.Fprintln(log, "one")
	fmt.Fprintln(log, "two")
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	if out.String() != "one\ntwo\n" {
		t.Errorf("after Close: %q", out.String())
	}
	fmt.Fprintln(log, "late") // after Close: straight through
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	if out.String() != "one\ntwo\nlate\n" {
		t.Errorf("a write after Close: %q", out.String())
	}
}

func TestGCTuning(t *testing.T) {
	const live = 10 << 20
	for _, tc := range []struct {
		name    string
		env     map[string]string
		percent int
		limit   int64
		ok      bool
	}{
		{"unset", nil, 400, 2*live + 64<<20, true},
		{"GOGC", map[string]string{"GOGC": "50"}, 0, 0, false},
		{"GOGC-off", map[string]string{"GOGC": "off"}, 0, 0, false},
		{"GOMEMLIMIT", map[string]string{"GOMEMLIMIT": "1GiB"}, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			percent, limit, ok := gcTuning(envFunc(tc.env), live)
			if percent != tc.percent || limit != tc.limit || ok != tc.ok {
				t.Errorf("gcTuning = %d, %d, %v; want %d, %d, %v", percent, limit, ok, tc.percent, tc.limit, tc.ok)
			}
		})
	}
}

// TestTuneGCLeavesUserSettings: with GOGC or GOMEMLIMIT set, the runtime's
// settings stay what they were; without them, the fake's apply.
func TestTuneGCLeavesUserSettings(t *testing.T) {
	percent0 := debug.SetGCPercent(123)
	limit0 := debug.SetMemoryLimit(1 << 40)
	t.Cleanup(func() {
		debug.SetGCPercent(percent0)
		debug.SetMemoryLimit(limit0)
	})
	for _, env := range []map[string]string{{"GOGC": "123"}, {"GOMEMLIMIT": "1TiB"}} {
		tuneGC(envFunc(env))
		if got := debug.SetGCPercent(123); got != 123 {
			t.Errorf("%v: GC percent %d, want 123 left alone", env, got)
		}
		if got := debug.SetMemoryLimit(-1); got != 1<<40 {
			t.Errorf("%v: memory limit %d, want 1 TiB left alone", env, got)
		}
	}
	tuneGC(envFunc(nil))
	if got := debug.SetGCPercent(123); got != gcPercent {
		t.Errorf("unset: GC percent %d, want %d", got, gcPercent)
	}
	if got := debug.SetMemoryLimit(-1); got >= 1<<40 || got < gcLimitHeadroom {
		t.Errorf("unset: memory limit %d, want twice the live heap plus %d", got, gcLimitHeadroom)
	}
}

// TestWarningsFlushedAtOnce: an info line waits for the timer, a warning
// takes it out with itself.
func TestWarningsFlushedAtOnce(t *testing.T) {
	var out bytes.Buffer // the timer never fires within the test: no concurrent write
	log := newBufferedLog(&out, time.Hour)
	defer log.Close()
	logger := slog.New(flushingHandler{slog.NewTextHandler(log, nil), log}).With("component", "test")
	logger.Info("request")
	if out.Len() != 0 {
		t.Errorf("an info line went out before the timer: %q", out.String())
	}
	logger.Warn("torn final write")
	if got := out.String(); !strings.Contains(got, "msg=request component=test") || !strings.Contains(got, `msg="torn final write" component=test`) {
		t.Errorf("after a warning: %q", got)
	}
}
