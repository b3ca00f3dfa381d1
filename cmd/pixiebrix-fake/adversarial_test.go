package main

import (
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
