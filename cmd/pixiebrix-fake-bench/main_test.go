package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestMain lets the test binary stand in for the command when the benchmark
// execs itself as the bare server.
func TestMain(m *testing.M) {
	if code, served := serveChild(); served {
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// rowRE reads a table row: the scenario and target, then the req/s figures
// and latencies (each "…ms"), then the errors column.
var rowRE = regexp.MustCompile(`^((?:list|post-5|put-5|team-size|overhead) [^0-9]*?(?:[0-9]+ members, [a-z0-9 ]+|journal o[nf]+, [a-z0-9 ]+)?) [0-9]+ [0-9 ]+ (?:[0-9.]+ms ){4,}([0-9]+) `)

// TestRunBriefly runs every scenario once, very briefly, so that the command
// keeps working. It asserts what the table says, never how fast.
func TestRunBriefly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and execs the fake")
	}
	var stdout, stderr bytes.Buffer
	args := []string{"-duration", "200ms", "-rounds", "1", "-concurrency", "2", "-big", "2000"}
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	// Rows, each with its spaces squeezed, by scenario and target.
	rows := map[string]string{}
	var squeezed strings.Builder
	for _, line := range strings.Split(stdout.String(), "\n") {
		line = strings.Join(strings.Fields(line), " ")
		squeezed.WriteString(line + "\n")
		if m := rowRE.FindStringSubmatch(line); m != nil {
			rows[m[1]] = m[2]
		}
	}
	for _, name := range []string{
		"list fake", "list bare net/http", "post-5 fake", "post-5 bare net/http", "put-5 fake", "put-5 bare net/http",
		"team-size fake, 30 members, page 1", "team-size fake, 2000 members, page 1", "team-size fake, 2000 members, last page",
		"overhead fake.New, journal off, no fault rule", "overhead fake.New, journal on, 1 fault rule",
	} {
		errs, ok := rows[name]
		switch {
		case !ok:
			t.Errorf("no row %q:\n%s", name, stdout.String())
		case errs != "0":
			t.Errorf("row %q: %s errors", name, errs)
		}
	}
	if len(rows) != 11 {
		t.Errorf("%d rows, want 11:\n%s", len(rows), stdout.String())
	}
	for _, want := range []string{
		"startup fake, default data - - ready ",
		"startup fake, 2000 members - - ready ",
		"list at >= 0.7x bare: ",
		"POST of 5 at >= 0.6x bare: ",
		"PUT of 5 at >= 0.5x bare: ",
		"fake, 2000 members, last page within 1.5x of the 30-member page: ",
		"fake, default data: ready line within 100ms: ",
		"fake, 2000 members: RSS under 400 MB: ",
		"journal and fault check cost under 10%: ",
	} {
		if !strings.Contains(squeezed.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	if want := "wrk -t2 -c2 -d200ms -H 'Authorization: Token acme-admin-token' -H 'Accept: application/json; version=2.0' 'http://127.0.0.1:"; !strings.Contains(stdout.String(), want) {
		t.Errorf("no wrk command %q:\n%s", want, stdout.String())
	}
}

func TestFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"error/duration-zero", []string{"-duration", "0s"}, "-duration 0s is outside (0, 10m]"},
		{"error/rounds", []string{"-rounds", "0"}, "-rounds 0 is outside 1 to 100"},
		{"error/concurrency", []string{"-concurrency", "5000"}, "-concurrency 5000 is outside 1 to 1024"},
		{"error/big", []string{"-big", "-1"}, "-big -1 may not be negative"},
		{"error/argument", []string{"extra"}, `unexpected arguments ["extra"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tc.args, &stdout, &stderr); code != 2 {
				t.Fatalf("exit %d, want 2", code)
			}
			if got := stderr.String(); got != "pixiebrix-fake-bench: "+tc.want+"\n" {
				t.Errorf("stderr %q", got)
			}
		})
	}
}
