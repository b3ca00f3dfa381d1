package main

import (
	"context"
	"strings"
	"testing"
)

// TestFaultHeaderGuardedByAdminToken: with --admin-token, an anonymous
// X-Fake-Fault (kind=hang on the health check, which needs no API token) is
// refused at once instead of holding the connection; with the token in
// X-Fake-Admin-Token it acts.
func TestFaultHeaderGuardedByAdminToken(t *testing.T) {
	t.Parallel()
	in := start(t, []string{"--addr", "127.0.0.1:0", "--admin-token", "s3cret"}, nil)
	status, _, body := in.send("GET", "/api/health/", map[string]string{"X-Fake-Fault": "kind=hang"})
	if status != 403 || !strings.Contains(body, "X-Fake-Admin-Token") {
		t.Errorf("anonymous hang: %d %s, want 403 naming X-Fake-Admin-Token", status, body)
	}
	status, _, _ = in.send("GET", "/api/health/", map[string]string{"X-Fake-Fault": "kind=status; status=503", "X-Fake-Admin-Token": "s3cret"})
	if status != 503 {
		t.Errorf("with the admin token: %d, want the fault's 503", status)
	}
}

// TestRequestLogRedactsPaths: the request log on stderr shows a path with a
// token in it (plain or percent-escaped) redacted, as the journal does.
func TestRequestLogRedactsPaths(t *testing.T) {
	t.Parallel()
	in := start(t, []string{"--addr", "127.0.0.1:0"}, nil)
	for _, path := range []string{"/api/groups/acme-admin-token/", "/api/groups/globex%2Dadmin%2Dtoken/", "/__fake/sam-token"} {
		if status, _, _ := in.get("GET", path, acmeAdmin, "", ""); status != 404 {
			t.Errorf("GET %s: %d, want 404", path, status)
		}
	}
	if !in.stderr.waitFor(`path=/__fake/[REDACTED]`) {
		t.Fatalf("no redacted control-plane path in the log:\n%s", in.stderr)
	}
	log := in.stderr.String()
	for _, token := range []string{"acme-admin-token", "globex-admin-token", "globex%2Dadmin", "sam-token"} {
		if strings.Contains(log, token) {
			t.Errorf("the log shows %q:\n%s", token, log)
		}
	}
	if n := strings.Count(log, "path=/api/groups/[REDACTED]/"); n != 2 {
		t.Errorf("%d redacted API paths in the log, want 2:\n%s", n, log)
	}
}

// TestCapFlagsRefused: a flag that asks for more than a cap is a start-up
// error naming the flag and the cap.
func TestCapFlagsRefused(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--journal-size", "2000000"}, "pixiebrix-fake: --journal-size 2000000: use at most 1000000 (the journal also drops its oldest entries past 64 MiB)\n"},
		{[]string{"--outbox-size", "100001"}, "pixiebrix-fake: --outbox-size 100001: use at most 100000\n"},
		{[]string{"--throttle", "2000000/day"}, `pixiebrix-fake: --throttle: throttle rate "2000000/day": at most 1048576 requests per period` + "\n"},
	} {
		var stdout, stderr strings.Builder
		code := run(context.Background(), append([]string{"--addr", "127.0.0.1:0"}, tt.args...), envFunc(nil), &stdout, &stderr)
		if code != 2 || stderr.String() != tt.want || stdout.Len() != 0 {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want 2 and %q", tt.args, code, stderr.String(), stdout.String(), tt.want)
		}
	}
}
