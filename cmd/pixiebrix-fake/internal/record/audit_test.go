package record_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/cmd/pixiebrix-fake/internal/record"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// TestRecordKeepsTheAuditTrail: an admin's recording holds the team's
// trail, which the replay serves byte for byte; an anonymized one leaves it
// out.
func TestRecordKeepsTheAuditTrail(t *testing.T) {
	const acme = "0a000000-0000-4000-8000-000000000001"
	live := fake.NewTestServer(t)
	if _, err := live.CreateServiceAccount(acme, "Made from Go", 0); err != nil { // actor null
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPatch, live.URL+"/api/memberships/4/", strings.NewReader(`{"role": 3}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Token acme-admin-token")
	req.Header.Set("Content-Type", "application/json")
	resp, err := live.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PATCH: %d", resp.StatusCode)
	}

	replay, res, _ := recordAndServe(t, live, "acme-admin-token", record.Options{})
	if res.AuditEvents != 2 {
		t.Errorf("recorded %d events, want 2", res.AuditEvents)
	}
	path := "/api/audit/organizations/" + acme + "/"
	want, got := get(t, live, "acme-admin-token", path, "2.0"), get(t, replay, res.Tokens[0].Token, path, "2.0")
	if got != want || !strings.Contains(want.body, "membership.role_changed") {
		t.Errorf("replayed trail\n%+v\nwant\n%+v", got, want)
	}

	anonymous, res, out := recordAndServe(t, live, "acme-admin-token", record.Options{Anonymize: true, Seed: 7})
	if res.AuditEvents != 0 || strings.Contains(string(out), "audit:") {
		t.Errorf("an anonymized recording holds %d events", res.AuditEvents)
	}
	if a := get(t, anonymous, res.Tokens[0].Token, path, "2.0"); a.body != "[]" {
		t.Errorf("anonymized replay's trail %s", a.body)
	}
}
