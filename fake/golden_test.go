package fake_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Golden files hold representative responses byte for byte (bodies
// indented), so that a change of any field, order or message shows up in a
// diff. They are stable because the seed and the step clock are fixed.
// Refresh them with:
//
//	go test ./fake -run Golden -update
var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenHeaders are the headers a golden file keeps; X-Request-Id and Date
// differ on every run.
var goldenHeaders = []string{"Allow", "Content-Type", "Link", "Location", "Www-Authenticate", "X-Total-Count"}

func TestGolden(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	tests := []struct {
		name string
		call call
	}{
		{"me", call{method: "GET", path: "/api/me/", token: samToken}},
		{"me-anonymous", call{method: "GET", path: "/api/me/"}},
		{"health", call{method: "GET", path: "/api/health/"}},
		{"organizations", call{method: "GET", path: "/api/organizations/", token: samToken, accept: v2}},
		{"organization-detail", call{method: "GET", path: "/api/organizations/" + globexID + "/", token: globexAdmin}},
		{"memberships-page", call{method: "GET", path: acmeMemberships + "?page=2&page_size=5", token: acmeAdmin, accept: v2}},
		{"memberships-filtered", call{method: "GET", path: acmeMemberships + "?groups=" + supportGroupID + "," + salesGroupID, token: acmeManager}},
		{"membership-detail", call{method: "GET", path: "/api/memberships/4/", token: acmeAdmin}},
		{"group-list", call{method: "GET", path: acmeGroups, token: acmeAdmin, accept: v2}},
		{"group-detail", call{method: "GET", path: supportPath, token: acmeAdmin}},
		{"group-membership-list", call{method: "GET", path: supportPath + "memberships/", token: acmeAdmin, accept: v2}},
		{"campaign-list", call{method: "GET", path: acmeCampaigns, token: acmeAdmin}},
		{"campaign-detail", call{method: "GET", path: q1Path, token: acmeAdmin}},
		{"campaign-member-list", call{method: "GET", path: q1Path + "members/", token: acmeAdmin, accept: v2}},

		{"error-301-slash", call{method: "GET", path: "/api/organizations?page=2"}},
		{"error-400-json", call{method: "POST", path: acmeGroups, token: acmeAdmin, body: `{"name": }`}},
		{"error-400-field", call{method: "POST", path: acmeGroups, token: acmeAdmin, body: map[string]any{"name": 5}}},
		{"error-400-required", call{method: "PUT", path: "/api/memberships/4/", token: acmeAdmin, body: map[string]any{}}},
		{"error-400-duplicate", call{method: "POST", path: acmeCampaigns, token: acmeAdmin, body: map[string]string{"name": "Q1 Rollout"}}},
		{"error-400-items", call{method: "POST", path: supportPath + "memberships/", token: acmeAdmin,
			body: []map[string]string{{"email": "dev@acme.test"}, {"email": "someone@elsewhere.test"}}}},
		{"error-400-items-schema", call{method: "POST", path: q1Path + "members/", token: acmeAdmin,
			body: []map[string]any{{"email": "dev@acme.test", "data": map[string]any{}}, {"email": "not-an-email"}}}},
		{"error-400-filter", call{method: "GET", path: acmeMemberships + "?role=6", token: acmeAdmin}},
		{"error-401-missing", call{method: "GET", path: acmeGroups}},
		{"error-401-invalid", call{method: "GET", path: acmeGroups, token: "no-such-token"}},
		{"error-401-header", call{method: "GET", path: acmeGroups, headers: map[string]string{"Authorization": "Token"}}},
		{"error-403", call{method: "DELETE", path: supportPath, token: acmeManager}},
		{"error-404", call{method: "GET", path: supportPath, token: globexAdmin}},
		{"error-404-page", call{method: "GET", path: acmeGroups + "?page=9", token: acmeAdmin, accept: v2}},
		{"error-405", call{method: "PUT", path: q1Path, token: acmeAdmin, body: map[string]string{"name": "x"}}},
		{"error-406-version", call{method: "GET", path: "/api/health/", accept: v2}},
		{"error-406-accept", call{method: "GET", path: "/api/me/", accept: "text/html"}},
		{"error-413", call{method: "POST", path: acmeGroups, token: acmeAdmin, body: `{"name":"` + strings.Repeat("x", 2_621_440) + `"}`}},
		{"error-415", call{method: "POST", path: acmeGroups, token: acmeAdmin, body: "name=x", headers: map[string]string{"Content-Type": "text/plain"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := goldenText(t, s, s.do(t, tc.call))
			path := filepath.Join("testdata", "golden", tc.name+".golden")
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./fake -run Golden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (refresh with -update if the change is meant):\n--- got\n%s\n--- want\n%s", tc.call.path, path, got, want)
			}
		})
	}
}

// goldenText renders a response as the status, the kept headers (with the
// server's address as {{URL}}) and the body indented.
func goldenText(t testing.TB, s *apiServer, r *response) []byte {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP %d\n", r.Status)
	for _, name := range goldenHeaders {
		for _, v := range r.Header.Values(name) {
			fmt.Fprintf(&b, "%s: %s\n", name, strings.ReplaceAll(v, s.URL, "{{URL}}"))
		}
	}
	b.WriteString("\n")
	if len(r.Body) > 0 {
		if err := json.Indent(&b, r.Body, "", "  "); err != nil {
			t.Fatalf("body is not JSON: %v: %s", err, r.Body)
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}
