package fake_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// Black-box tests of the core API: request basics and the order of checks
// (SPEC §1), roles (§2), the resources (§3, §4) and the team-membership
// cascade (§6).

// apiWant is what a response must be. Zero fields are not checked.
type apiWant struct {
	status int
	body   string // JSON, compared by value
	// detailPrefix checks the start of {"detail": ...} when the rest of the
	// text is not the fake's to decide (e.g. the JSON parser's reason).
	detailPrefix string
	headers      map[string]string // exact values; "" means the header must be absent
}

// assertAPI checks r against w.
func assertAPI(t testing.TB, r *response, w apiWant) {
	t.Helper()
	if w.status != 0 && r.Status != w.status {
		t.Errorf("status %d, want %d (body %s)", r.Status, w.status, r.Body)
	}
	if w.body != "" && !sameJSON(t, r.Body, []byte(w.body)) {
		t.Errorf("body\n  %s\nwant\n  %s", r.Body, w.body)
	}
	if w.detailPrefix != "" {
		if d := r.detail(t); !strings.HasPrefix(d, w.detailPrefix) {
			t.Errorf("detail %q, want it to start with %q", d, w.detailPrefix)
		}
	}
	for name, value := range w.headers {
		got, present := r.Header[http.CanonicalHeaderKey(name)]
		switch {
		case value == "" && present:
			t.Errorf("header %s: %q, want none", name, got)
		case value != "" && (len(got) != 1 || got[0] != value):
			t.Errorf("header %s: %q, want %q", name, got, value)
		}
	}
}

// sameJSON reports whether two JSON documents hold the same value.
func sameJSON(t testing.TB, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Errorf("not JSON: %s: %v", a, err)
		return false
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("bad expected JSON %s: %v", b, err)
	}
	return reflect.DeepEqual(va, vb)
}

// The DRF texts clients match on.
const (
	notFound         = `{"detail":"Not found."}`
	invalidPage      = `{"detail":"Invalid page."}`
	forbidden        = `{"detail":"You do not have permission to perform this action."}`
	notAuthenticated = `{"detail":"Authentication credentials were not provided."}`
	invalidToken     = `{"detail":"Invalid token."}`
	invalidVersion   = `{"detail":"Invalid version in \"Accept\" header."}`
)

// Paths of the default fixture.
const (
	acmePath         = "/api/organizations/" + acmeID + "/"
	acmeMemberships  = acmePath + "memberships/"
	acmeGroups       = acmePath + "groups/"
	acmeCampaigns    = acmePath + "campaigns/"
	supportPath      = "/api/groups/" + supportGroupID + "/"
	salesPath        = "/api/groups/" + salesGroupID + "/"
	q1Path           = acmeCampaigns + q1CampaignID + "/"
	onboardingPath   = acmeCampaigns + onboardingID + "/"
	pilotViaAcmePath = acmeCampaigns + pilotCampaignID + "/"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestRequestBasics(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	bigBody := `{"name":"` + strings.Repeat("x", 2_621_440) + `"}`
	tests := []struct {
		name string
		call call
		want apiWant
	}{
		{"slash/get-keeps-query", call{method: "GET", path: "/api/me?x=1&y=2"},
			apiWant{status: 301, headers: map[string]string{"Location": "/api/me/?x=1&y=2"}}},
		{"slash/get-no-query", call{method: "GET", path: "/api/organizations/" + acmeID},
			apiWant{status: 301, headers: map[string]string{"Location": acmePath}}},
		{"slash/post-loses-body", call{method: "POST", path: strings.TrimSuffix(acmeGroups, "/") + "?x=1", token: acmeAdmin, body: map[string]string{"name": "Lost"}},
			apiWant{status: 301, headers: map[string]string{"Location": acmeGroups + "?x=1"}}},
		{"slash/unknown-path-no-redirect", call{method: "GET", path: "/api/nope"},
			apiWant{status: 404, body: notFound, headers: map[string]string{"Location": ""}}},
		{"unknown/path", call{method: "GET", path: "/api/nope/", token: acmeAdmin},
			apiWant{status: 404, body: notFound, headers: map[string]string{"Content-Type": "application/json"}}},
		{"unknown/root", call{method: "GET", path: "/"}, apiWant{status: 404, body: notFound}},
		{"unknown/api-root", call{method: "GET", path: "/api/"}, apiWant{status: 404, body: notFound}},

		{"version/none-is-1.0", call{method: "GET", path: "/api/health/"},
			apiWant{status: 200, body: `{"status":"ok"}`}},
		{"version/1.0", call{method: "GET", path: "/api/me/", accept: "application/json; version=1.0"},
			apiWant{status: 200, body: `{"flags":[]}`}},
		{"version/1.1", call{method: "GET", path: "/api/me/", accept: "application/json; version=1.1"},
			apiWant{status: 200, body: `{"flags":[]}`}},
		{"version/2.0", call{method: "GET", path: "/api/me/", accept: v2},
			apiWant{status: 200, body: `{"flags":[]}`}},
		{"version/3.0", call{method: "GET", path: "/api/me/", accept: "application/json; version=3.0"},
			apiWant{status: 406, body: invalidVersion}},
		{"version/health-2.0", call{method: "GET", path: "/api/health/", accept: v2},
			apiWant{status: 406, body: invalidVersion}},
		{"version/health-1.0", call{method: "GET", path: "/api/health/", accept: "application/json; version=1.0"},
			apiWant{status: 200, body: `{"status":"ok"}`}},
		{"accept/html-only", call{method: "GET", path: "/api/me/", accept: "text/html"},
			apiWant{status: 406, body: `{"detail":"Could not satisfy the request Accept header."}`}},
		{"accept/html-or-anything", call{method: "GET", path: "/api/health/", accept: "text/html, */*;q=0.8"},
			apiWant{status: 200, body: `{"status":"ok"}`}},

		{"auth/none", call{method: "GET", path: "/api/organizations/"},
			apiWant{status: 401, body: notAuthenticated, headers: map[string]string{"WWW-Authenticate": "Token"}}},
		{"auth/keyword-alone", call{method: "GET", path: "/api/organizations/", headers: map[string]string{"Authorization": "Token"}},
			apiWant{status: 401, body: `{"detail":"Invalid token header. No credentials provided."}`, headers: map[string]string{"WWW-Authenticate": "Token"}}},
		{"auth/key-with-spaces", call{method: "GET", path: "/api/organizations/", headers: map[string]string{"Authorization": "Token acme admin"}},
			apiWant{status: 401, body: `{"detail":"Invalid token header. Token string should not contain spaces."}`, headers: map[string]string{"WWW-Authenticate": "Token"}}},
		{"auth/unknown-key", call{method: "GET", path: "/api/organizations/", token: "no-such-token"},
			apiWant{status: 401, body: invalidToken, headers: map[string]string{"WWW-Authenticate": "Token"}}},
		{"auth/lower-case-keyword", call{method: "GET", path: "/api/me/", headers: map[string]string{"Authorization": "token " + acmeMember}},
			apiWant{status: 200}},
		{"auth/bearer-is-anonymous", call{method: "GET", path: "/api/organizations/", headers: map[string]string{"Authorization": "Bearer x"}},
			apiWant{status: 401, body: notAuthenticated, headers: map[string]string{"WWW-Authenticate": "Token"}}},
		{"auth/health-ignores-bad-token", call{method: "GET", path: "/api/health/", token: "no-such-token"},
			apiWant{status: 200, body: `{"status":"ok"}`}},
		{"me/anonymous", call{method: "GET", path: "/api/me/"},
			apiWant{status: 200, body: `{"flags":[]}`}},
		{"me/bearer-is-anonymous", call{method: "GET", path: "/api/me/", headers: map[string]string{"Authorization": "Bearer x"}},
			apiWant{status: 200, body: `{"flags":[]}`}},
		{"me/bad-token", call{method: "GET", path: "/api/me/", token: "no-such-token"},
			apiWant{status: 401, body: invalidToken, headers: map[string]string{"WWW-Authenticate": "Token"}}},

		{"body/text-plain", call{method: "POST", path: acmeGroups, token: acmeAdmin, body: "name=x", headers: map[string]string{"Content-Type": "text/plain"}},
			apiWant{status: 415, body: `{"detail":"Unsupported media type \"text/plain\" in request."}`}},
		{"body/form-where-a-list-is-expected", call{method: "POST", path: "/api/groups/" + supportGroupID + "/memberships/", token: acmeAdmin,
			body: "email=mel%40acme.test", headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
			apiWant{status: 400, body: `{"non_field_errors":["Expected a list of items but got type \"dict\"."]}`}},
		{"body/json-with-version", call{method: "POST", path: acmeGroups, token: acmeAdmin, body: `{"name":"Versioned"}`, headers: map[string]string{"Content-Type": "application/json; version=2.0"}},
			apiWant{status: 201}},
		{"body/malformed-json", call{method: "POST", path: acmeGroups, token: acmeAdmin, body: `{"name":`},
			apiWant{status: 400, detailPrefix: "JSON parse error - "}},
		{"body/trailing-data", call{method: "POST", path: acmeGroups, token: acmeAdmin, body: `{"name":"a"} {}`},
			apiWant{status: 400, detailPrefix: "JSON parse error - "}},
		{"body/too-large", call{method: "POST", path: acmeGroups, token: acmeAdmin, body: bigBody},
			apiWant{status: 413, body: `{"detail":"Request body exceeds the limit of 2.5 MiB."}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := s.do(t, tc.call)
			assertAPI(t, r, tc.want)
			if id := r.Header.Get("X-Request-Id"); !uuidRE.MatchString(id) {
				t.Errorf("X-Request-Id %q is not a UUID", id)
			}
		})
	}
}

// TestRequestBasicsRedirectedPostWritesNothing proves the 301 trap: the body
// of a POST without its slash is lost, nothing is created.
func TestRequestBasicsRedirectedPostWritesNothing(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	r := s.do(t, call{method: "POST", path: strings.TrimSuffix(acmeGroups, "/"), token: acmeAdmin, body: map[string]string{"name": "Lost"}})
	assertAPI(t, r, apiWant{status: 301, headers: map[string]string{"Location": acmeGroups}})
	if len(r.Body) != 0 {
		t.Errorf("301 body %q, want none", r.Body)
	}
	var groups []fake.Group
	s.do(t, call{method: "GET", path: acmeGroups, token: acmeAdmin}).decode(t, &groups)
	if names := groupNames(groups); !slices.Equal(names, []string{"Sales", "Support Agents"}) {
		t.Errorf("groups %v after a redirected POST, want the two of the fixture", names)
	}
}

func TestRequestIDsDiffer(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	seen := map[string]bool{}
	for range 5 {
		id := s.do(t, call{method: "GET", path: "/api/health/"}).Header.Get("X-Request-Id")
		if seen[id] {
			t.Fatalf("X-Request-Id %s served twice", id)
		}
		seen[id] = true
	}
}

func TestOrderOfChecks(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	tests := []struct {
		name string
		call call
		want apiWant
	}{
		{"route-before-version/unknown-path", call{method: "GET", path: "/api/nope/", accept: "application/json; version=9"},
			apiWant{status: 404, body: notFound}},
		{"route-before-version/redirect", call{method: "GET", path: "/api/me", accept: "application/json; version=9"},
			apiWant{status: 301, headers: map[string]string{"Location": "/api/me/"}}},
		{"version-before-auth", call{method: "GET", path: "/api/organizations/", token: "no-such-token", accept: "application/json; version=3.0"},
			apiWant{status: 406, body: invalidVersion}},
		{"auth-before-method/get-only-path", call{method: "PUT", path: "/api/organizations/", body: map[string]string{}},
			apiWant{status: 401, body: notAuthenticated, headers: map[string]string{"WWW-Authenticate": "Token"}}},
		{"auth-before-visibility", call{method: "GET", path: "/api/groups/" + engineeringID + "/", token: "no-such-token"},
			apiWant{status: 401, body: invalidToken}},
		{"auth-before-body", call{method: "POST", path: acmeGroups, body: `{"name":`},
			apiWant{status: 401, body: notAuthenticated}},
		{"visibility-before-role/outsider-on-group", call{method: "GET", path: supportPath, token: globexAdmin},
			apiWant{status: 404, body: notFound}},
		{"visibility-before-role/outsider-deletes-group", call{method: "DELETE", path: supportPath, token: globexAdmin},
			apiWant{status: 404, body: notFound}},
		{"visibility-before-method/outsider-puts-campaign", call{method: "PUT", path: q1Path, token: globexAdmin, body: map[string]string{"name": "x"}},
			apiWant{status: 404, body: notFound}},
		{"visibility/missing-group", call{method: "GET", path: "/api/groups/0a000000-0000-4000-8000-00000000ffff/", token: acmeAdmin},
			apiWant{status: 404, body: notFound}},
		{"visibility/missing-group-memberships", call{method: "GET", path: "/api/groups/0a000000-0000-4000-8000-00000000ffff/memberships/", token: acmeAdmin},
			apiWant{status: 404, body: notFound}},
		{"visibility/malformed-group-id", call{method: "GET", path: "/api/groups/abc/", token: acmeAdmin},
			apiWant{status: 404, body: notFound}},
		{"visibility/malformed-campaign-id", call{method: "GET", path: acmeCampaigns + "abc/", token: acmeAdmin},
			apiWant{status: 404, body: notFound}},
		{"visibility/malformed-membership-id", call{method: "GET", path: "/api/memberships/abc/", token: acmeAdmin},
			apiWant{status: 404, body: notFound}},
		{"visibility/zero-membership-id", call{method: "GET", path: "/api/memberships/0/", token: acmeAdmin},
			apiWant{status: 404, body: notFound}},
		{"visibility/missing-membership", call{method: "GET", path: "/api/memberships/9999/", token: acmeAdmin},
			apiWant{status: 404, body: notFound}},
		{"visibility/malformed-org-id", call{method: "GET", path: "/api/organizations/acme/", token: acmeAdmin},
			apiWant{status: 404, body: notFound}},
		{"role-before-method/developer-puts-campaign", call{method: "PUT", path: q1Path, token: acmeDeveloper, body: map[string]string{"name": "x"}},
			apiWant{status: 403, body: forbidden}},
		{"role-before-body/member-posts-bad-json", call{method: "POST", path: acmeGroups, token: acmeMember, body: `{"name":`},
			apiWant{status: 403, body: forbidden}},
		{"method/admin-puts-campaign", call{method: "PUT", path: q1Path, token: acmeAdmin, body: map[string]string{"name": "x"}},
			apiWant{status: 405, body: `{"detail":"Method \"PUT\" not allowed."}`, headers: map[string]string{"Allow": "GET, PATCH, DELETE, HEAD"}}},
		{"method-before-body/bad-json", call{method: "PUT", path: q1Path, token: acmeAdmin, body: `{"name":`},
			apiWant{status: 405, headers: map[string]string{"Allow": "GET, PATCH, DELETE, HEAD"}}},
		{"media-type-before-json", call{method: "POST", path: acmeGroups, token: acmeAdmin, body: `{"name":`, headers: map[string]string{"Content-Type": "text/plain"}},
			apiWant{status: 415, body: `{"detail":"Unsupported media type \"text/plain\" in request."}`}},
		{"json-before-schema", call{method: "POST", path: acmeGroups, token: acmeAdmin, body: `{"nam`},
			apiWant{status: 400, detailPrefix: "JSON parse error - "}},
		{"schema-before-operation", call{method: "POST", path: acmeGroups, token: acmeAdmin, body: map[string]string{"name": "Sales", "x": "y"}},
			apiWant{status: 400, body: `{"name":["A group with this name already exists in this team."]}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assertAPI(t, s.do(t, tc.call), tc.want)
		})
	}
}

// --- roles ---

// roleTokens are the callers of the roles table, in the order of its
// columns: Acme's admin, manager, developer, member and restricted users,
// its service account (an admin) and an outsider (Globex's admin).
var roleTokens = []struct{ name, token string }{
	{"admin", acmeAdmin},
	{"manager", acmeManager},
	{"developer", acmeDeveloper},
	{"member", acmeMember},
	{"restricted", acmeRestricted},
	{"service-account", acmeService},
	{"outsider", globexAdmin},
}

func TestRoles(t *testing.T) {
	t.Parallel()
	const (
		// supportMel is a placeholder for the id of Mel's membership of
		// Support Agents, looked up per server.
		supportMel = "{support-mel}"
	)
	tests := []struct {
		method string
		path   string
		body   any
		want   [7]int // admin, manager, developer, member, restricted, service, outsider
	}{
		{"GET", "/api/health/", nil, [7]int{200, 200, 200, 200, 200, 200, 200}},
		{"GET", "/api/me/", nil, [7]int{200, 200, 200, 200, 200, 200, 200}},
		{"GET", "/api/organizations/", nil, [7]int{200, 200, 200, 200, 200, 200, 200}},
		{"GET", acmePath, nil, [7]int{200, 200, 200, 200, 200, 200, 404}},
		{"GET", acmeMemberships, nil, [7]int{200, 200, 403, 403, 403, 200, 404}},
		{"GET", "/api/memberships/4/", nil, [7]int{200, 200, 403, 403, 403, 200, 404}},
		{"PUT", "/api/memberships/4/", map[string]int{"role": 4}, [7]int{200, 403, 403, 403, 403, 200, 404}},
		{"PATCH", "/api/memberships/4/", map[string]int{"role": 4}, [7]int{200, 403, 403, 403, 403, 200, 404}},
		{"DELETE", "/api/memberships/4/", nil, [7]int{204, 403, 403, 403, 403, 204, 404}},
		{"GET", acmeGroups, nil, [7]int{200, 200, 403, 403, 403, 200, 404}},
		{"POST", acmeGroups, map[string]string{"name": "New"}, [7]int{201, 201, 403, 403, 403, 201, 404}},
		{"GET", supportPath, nil, [7]int{200, 200, 403, 403, 403, 200, 404}},
		{"PUT", supportPath, map[string]string{"name": "Renamed"}, [7]int{200, 200, 403, 403, 403, 200, 404}},
		{"PATCH", supportPath, map[string]string{"name": "Renamed"}, [7]int{200, 200, 403, 403, 403, 200, 404}},
		{"DELETE", supportPath, nil, [7]int{204, 403, 403, 403, 403, 204, 404}},
		{"GET", supportPath + "memberships/", nil, [7]int{200, 200, 403, 403, 403, 200, 404}},
		{"POST", supportPath + "memberships/", []map[string]string{{"email": "dev@acme.test"}}, [7]int{201, 201, 403, 403, 403, 201, 404}},
		{"PUT", supportPath + "memberships/", []map[string]string{{"email": "dev@acme.test"}}, [7]int{200, 200, 403, 403, 403, 200, 404}},
		{"DELETE", supportPath + "memberships/" + supportMel + "/", nil, [7]int{204, 204, 403, 403, 403, 204, 404}},
		{"GET", acmeCampaigns, nil, [7]int{200, 200, 403, 403, 403, 200, 404}},
		{"POST", acmeCampaigns, map[string]string{"name": "New"}, [7]int{201, 201, 403, 403, 403, 201, 404}},
		{"GET", q1Path, nil, [7]int{200, 200, 403, 403, 403, 200, 404}},
		{"PATCH", q1Path, map[string]string{"name": "Renamed"}, [7]int{200, 200, 403, 403, 403, 200, 404}},
		{"PUT", q1Path, map[string]string{"name": "Renamed"}, [7]int{405, 405, 403, 403, 403, 405, 404}},
		{"DELETE", q1Path, nil, [7]int{204, 403, 403, 403, 403, 204, 404}},
		{"GET", q1Path + "members/", nil, [7]int{200, 200, 403, 403, 403, 200, 404}},
		{"POST", q1Path + "members/", []map[string]any{{"email": "dev@acme.test", "data": map[string]any{}}}, [7]int{201, 201, 403, 403, 403, 201, 404}},
		{"PUT", q1Path + "members/", []map[string]any{{"email": "dev@acme.test", "data": map[string]any{}}}, [7]int{200, 200, 403, 403, 403, 200, 404}},
		{"DELETE", q1Path + "members/", nil, [7]int{405, 405, 403, 403, 403, 405, 404}},
	}
	for _, tc := range tests {
		for i, who := range roleTokens {
			name := fmt.Sprintf("%s%s/%s", tc.method, strings.NewReplacer(acmeID, "{acme}", supportGroupID, "{support}", q1CampaignID, "{q1}").Replace(tc.path), who.name)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				s := newAPIServer(t) // writes must not see each other
				path := tc.path
				if before, after, found := strings.Cut(path, supportMel); found {
					path = before + groupMembershipID(t, s, supportGroupID, "mel@acme.test") + after
				}
				r := s.do(t, call{method: tc.method, path: path, token: who.token, body: tc.body})
				if r.Status != tc.want[i] {
					t.Fatalf("status %d, want %d (body %s)", r.Status, tc.want[i], r.Body)
				}
				switch r.Status {
				case 403:
					assertAPI(t, r, apiWant{body: forbidden})
				case 404:
					assertAPI(t, r, apiWant{body: notFound})
				case 405:
					assertAPI(t, r, apiWant{body: fmt.Sprintf(`{"detail":"Method \"%s\" not allowed."}`, tc.method)})
				}
			})
		}
	}
}

// TestRolesPerTeam: a caller's rights come from its role in the team of the
// object, not from its best role anywhere. Sam is a member of Acme and a
// manager of Globex.
func TestRolesPerTeam(t *testing.T) {
	t.Parallel()
	globexGroups := "/api/organizations/" + globexID + "/groups/"
	engineering := "/api/groups/" + engineeringID + "/"
	tests := []struct {
		name string
		call call
		want apiWant
	}{
		{"acme/groups", call{method: "GET", path: acmeGroups}, apiWant{status: 403, body: forbidden}},
		{"acme/memberships", call{method: "GET", path: acmeMemberships}, apiWant{status: 403, body: forbidden}},
		{"acme/organization", call{method: "GET", path: acmePath}, apiWant{status: 200}},
		{"globex/groups", call{method: "GET", path: globexGroups}, apiWant{status: 200}},
		{"globex/memberships", call{method: "GET", path: "/api/organizations/" + globexID + "/memberships/"}, apiWant{status: 200}},
		{"globex/rename-group", call{method: "PATCH", path: engineering, body: map[string]string{"name": "Platform"}}, apiWant{status: 200}},
		{"globex/delete-group", call{method: "DELETE", path: engineering}, apiWant{status: 403, body: forbidden}},
		{"globex/campaign", call{method: "GET", path: "/api/organizations/" + globexID + "/campaigns/" + pilotCampaignID + "/"}, apiWant{status: 200}},
		{"globex/membership-role", call{method: "PATCH", path: "/api/memberships/33/", body: map[string]int{"role": 1}}, apiWant{status: 403, body: forbidden}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			tc.call.token = samToken
			assertAPI(t, s.do(t, tc.call), tc.want)
		})
	}
}

// groupMembershipID looks up, as Acme's admin, the id of email's membership
// of a group.
func groupMembershipID(t testing.TB, s *apiServer, groupID, email string) string {
	t.Helper()
	var members []fake.GroupMembership
	s.do(t, call{method: "GET", path: "/api/groups/" + groupID + "/memberships/", token: acmeAdmin}).decode(t, &members)
	for _, m := range members {
		if m.Email == email {
			return m.ID
		}
	}
	t.Fatalf("%s is not in group %s", email, groupID)
	return ""
}

// --- me and organizations ---

func TestMe(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	tests := []struct {
		name        string
		token       string
		email       string
		primary     string // the primary team's name, "" for none
		teams       []string
		roles       []fake.Role
		groups      []string
		service     bool
		deploymentK bool
	}{
		{"admin", acmeAdmin, "ada@acme.test", "Acme Corp", []string{"Acme Corp"}, []fake.Role{fake.RoleAdmin}, []string{"Support Agents"}, false, false},
		{"manager", acmeManager, "max@acme.test", "Acme Corp", []string{"Acme Corp"}, []fake.Role{fake.RoleManager}, []string{"Sales"}, false, false},
		{"service-account", acmeService, "sync-bot@acme.test", "Acme Corp", []string{"Acme Corp"}, []fake.Role{fake.RoleAdmin}, []string{}, true, false},
		{"deployment-key", acmeDeploymentKey, "deploy-key@acme.test", "Acme Corp", []string{"Acme Corp"}, []fake.Role{fake.RoleRestricted}, []string{}, false, true},
		{"two-teams", samToken, "sam@consult.test", "Acme Corp", []string{"Acme Corp", "Globex"}, []fake.Role{fake.RoleMember, fake.RoleManager}, []string{"Engineering"}, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := s.do(t, call{method: "GET", path: "/api/me/", token: tc.token})
			assertAPI(t, r, apiWant{status: 200})
			var me fake.Me
			r.decode(t, &me)
			if me.Email != tc.email || me.ServiceAccount != tc.service || me.DeploymentKeyAccount != tc.deploymentK {
				t.Errorf("me = %s, want %s service=%v deployment-key=%v", r.Body, tc.email, tc.service, tc.deploymentK)
			}
			if !uuidRE.MatchString(me.ID) {
				t.Errorf("id %q is not a UUID", me.ID)
			}
			if me.Organization == nil || me.Organization.Name != tc.primary {
				t.Errorf("organization %+v, want %s", me.Organization, tc.primary)
			}
			var teams []string
			var roles []fake.Role
			for _, m := range me.OrganizationMemberships {
				teams = append(teams, m.OrganizationName)
				roles = append(roles, m.Role)
			}
			if !slices.Equal(teams, tc.teams) || !slices.Equal(roles, tc.roles) {
				t.Errorf("organization_memberships %v %v, want %v %v", teams, roles, tc.teams, tc.roles)
			}
			groups := []string{}
			for _, g := range me.GroupMemberships {
				groups = append(groups, g.Name)
			}
			if !slices.Equal(groups, tc.groups) {
				t.Errorf("group_memberships %v, want %v", groups, tc.groups)
			}
			if me.Flags == nil || len(me.Flags) != 0 {
				t.Errorf("flags %v, want []", me.Flags)
			}
		})
	}
}

func TestOrganizations(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	t.Run("list/own-teams-by-name", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			token string
			want  []string
		}{
			{acmeAdmin, []string{acmeID}},
			{globexAdmin, []string{globexID}},
			{samToken, []string{acmeID, globexID}},
		} {
			var orgs []fake.Organization
			r := s.do(t, call{method: "GET", path: "/api/organizations/", token: tc.token})
			assertAPI(t, r, apiWant{status: 200, headers: map[string]string{"X-Total-Count": "", "Link": ""}})
			r.decode(t, &orgs)
			var ids []string
			for _, o := range orgs {
				ids = append(ids, o.ID)
			}
			if !slices.Equal(ids, tc.want) {
				t.Errorf("%s sees %v, want %v", tc.token, ids, tc.want)
			}
		}
	})
	t.Run("detail/acme", func(t *testing.T) {
		t.Parallel()
		var org fake.Organization
		r := s.do(t, call{method: "GET", path: acmePath, token: acmeMember})
		assertAPI(t, r, apiWant{status: 200})
		r.decode(t, &org)
		if org.ID != acmeID || org.Name != "Acme Corp" || org.Scope == nil || *org.Scope != "@acme" || org.DefaultRole != fake.RoleRestricted {
			t.Errorf("organization %s", r.Body)
		}
		if len(org.Members) != 32 {
			t.Fatalf("%d members, want 32 (8 listed + 24 generated)", len(org.Members))
		}
		wantListed := []struct {
			email string
			role  fake.Role
		}{
			{"ada@acme.test", fake.RoleAdmin}, {"max@acme.test", fake.RoleManager}, {"dev@acme.test", fake.RoleDeveloper},
			{"mel@acme.test", fake.RoleMember}, {"rae@acme.test", fake.RoleRestricted}, {"sync-bot@acme.test", fake.RoleAdmin},
			{"deploy-key@acme.test", fake.RoleRestricted}, {"sam@consult.test", fake.RoleMember},
		}
		for i, w := range wantListed {
			m := org.Members[i]
			if m.ID != i+1 || m.User.Email != w.email || m.Role != w.role {
				t.Errorf("members[%d] = id %d %s role %d, want id %d %s role %d", i, m.ID, m.User.Email, m.Role, i+1, w.email, w.role)
			}
		}
		for i, m := range org.Members {
			if m.ID != i+1 {
				t.Errorf("members[%d].id = %d, want %d (ordered by id)", i, m.ID, i+1)
			}
		}
		if g := org.Members[0].Groups; len(g) != 1 || g[0].ID != supportGroupID || g[0].Name != "Support Agents" {
			t.Errorf("ada's groups %+v, want Support Agents", g)
		}
	})
	t.Run("detail/globex-for-sam", func(t *testing.T) {
		t.Parallel()
		var org fake.Organization
		s.do(t, call{method: "GET", path: "/api/organizations/" + globexID + "/", token: samToken}).decode(t, &org)
		var emails []string
		for _, m := range org.Members {
			emails = append(emails, fmt.Sprintf("%s:%d", m.User.Email, m.Role))
		}
		if want := []string{"hank@globex.test:2", "sam@consult.test:5"}; !slices.Equal(emails, want) {
			t.Errorf("members %v, want %v", emails, want)
		}
	})
	t.Run("detail/other-team", func(t *testing.T) {
		t.Parallel()
		assertAPI(t, s.do(t, call{method: "GET", path: "/api/organizations/" + globexID + "/", token: acmeAdmin}),
			apiWant{status: 404, body: notFound})
	})
	t.Run("detail/no-such-team", func(t *testing.T) {
		t.Parallel()
		assertAPI(t, s.do(t, call{method: "GET", path: "/api/organizations/0c000000-0000-4000-8000-000000000003/", token: acmeAdmin}),
			apiWant{status: 404, body: notFound})
	})
}

// --- team memberships ---

// membershipIDs returns the ids of a list of memberships.
func membershipIDs(ms []fake.Membership) []int {
	ids := []int{}
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return ids
}

func TestMembershipFilters(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	var all []fake.Membership
	s.do(t, call{method: "GET", path: acmeMemberships, token: acmeAdmin}).decode(t, &all)
	if len(all) != 32 {
		t.Fatalf("%d memberships, want 32", len(all))
	}
	var melID string
	for _, m := range all {
		if m.User.Email == "mel@acme.test" {
			melID = m.User.ID
		}
	}
	// where lists the ids of all that match: the oracle for the generated
	// members, whose names and roles come from the seed.
	where := func(keep func(fake.Membership) bool) []int {
		ids := []int{}
		for _, m := range all {
			if keep(m) {
				ids = append(ids, m.ID)
			}
		}
		return ids
	}
	hasRole := func(roles ...fake.Role) func(fake.Membership) bool {
		return func(m fake.Membership) bool { return slices.Contains(roles, m.Role) }
	}
	contains := func(q string) func(fake.Membership) bool {
		return func(m fake.Membership) bool {
			return strings.Contains(strings.ToLower(m.User.Name), q) || strings.Contains(strings.ToLower(m.User.Email), q)
		}
	}
	everyone := where(func(fake.Membership) bool { return true })
	tests := []struct {
		name     string
		query    string
		want     []int
		mustHave []int // fixture members the result must hold
	}{
		{"service-account/true", "user__service_account=true", []int{6}, nil},
		{"service-account/True", "user__service_account=True", []int{6}, nil},
		{"service-account/1", "user__service_account=1", []int{6}, nil},
		{"service-account/false", "user__service_account=false", where(func(m fake.Membership) bool { return m.ID != 6 }), []int{1, 7}},
		{"service-account/ignored", "user__service_account=yes", everyone, nil},
		{"service-account/empty", "user__service_account=", everyone, nil},
		{"deployment-key/true", "user__deployment_key_account=true", []int{7}, nil},
		{"deployment-key/false", "user__deployment_key_account=false", where(func(m fake.Membership) bool { return m.ID != 7 }), []int{1, 6}},
		{"deployment-key/ignored", "user__deployment_key_account=maybe", everyone, nil},
		{"humans", "user__service_account=false&user__deployment_key_account=false", where(func(m fake.Membership) bool { return m.ID != 6 && m.ID != 7 }), []int{1, 8}},
		{"role/admin", "role=2", where(hasRole(fake.RoleAdmin)), []int{1, 6}},
		{"role/member", "role=1", where(hasRole(fake.RoleMember)), []int{4, 8}},
		{"role__in/admin-manager", "role__in=2,5", where(hasRole(fake.RoleAdmin, fake.RoleManager)), []int{1, 2, 6}},
		{"role__in/developer", "role__in=3", where(hasRole(fake.RoleDeveloper)), []int{3}},
		{"user__id", "user__id=" + melID, []int{4}, nil},
		{"user__id/upper-case", "user__id=" + strings.ToUpper(melID), []int{4}, nil},
		{"user__id/and-role", "user__id=" + melID + "&role=2", []int{}, nil},
		{"user__id/unknown", "user__id=0c000000-0000-4000-8000-000000000003", []int{}, nil},
		{"groups/support", "groups=" + supportGroupID, []int{1, 4, 5}, nil},
		{"groups/support-or-sales", "groups=" + supportGroupID + "," + salesGroupID, []int{1, 2, 3, 4, 5}, nil},
		{"groups/upper-case", "groups=" + strings.ToUpper(salesGroupID), []int{2, 3}, nil},
		{"groups/and-role", "groups=" + supportGroupID + "," + salesGroupID + "&role__in=1,4", []int{4, 5}, nil},
		{"groups/missing", "groups=0a000000-0000-4000-8000-00000000ffff", []int{}, nil},
		{"groups/other-team", "groups=" + engineeringID, []int{}, nil},
		{"q/name", "q=mel", where(contains("mel")), []int{4}},
		{"q/case-insensitive", "q=MEL+MEMBER", []int{4}, nil},
		{"q/email", "q=consult", []int{8}, nil},
		{"q/email-upper", "q=SYNC-BOT@ACME", []int{6}, nil},
		{"q/no-match", "q=zzzzzz", []int{}, nil},
		{"repeated/last-wins", "role=9&role=2", where(hasRole(fake.RoleAdmin)), []int{1, 6}},
		{"q/and-role", "q=acme.test&role=2", []int{1, 6}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []fake.Membership
			r := s.do(t, call{method: "GET", path: acmeMemberships + "?" + tc.query, token: acmeManager})
			assertAPI(t, r, apiWant{status: 200})
			r.decode(t, &got)
			ids := membershipIDs(got)
			if !slices.Equal(ids, tc.want) {
				t.Errorf("ids %v, want %v", ids, tc.want)
			}
			for _, id := range tc.mustHave {
				if !slices.Contains(ids, id) {
					t.Errorf("ids %v, want %d among them", ids, id)
				}
			}
		})
	}

	errorTests := []struct {
		name, query, body string
	}{
		{"error/bad-role", "role=9", `{"role":["Select a valid choice. 9 is not one of the available choices."]}`},
		{"error/role-not-a-number", "role=admin", `{"role":["Select a valid choice. admin is not one of the available choices."]}`},
		{"error/bad-role__in", "role__in=2,7", `{"role__in":["Select a valid choice. 7 is not one of the available choices."]}`},
		{"error/bad-user__id", "user__id=42", `{"user__id":["Enter a valid UUID."]}`},
		{"error/repeated-last-wins", "role=2&role=9", `{"role":["Select a valid choice. 9 is not one of the available choices."]}`},
		{"error/bad-groups", "groups=sales", `{"groups":["Enter a valid UUID."]}`},
	}
	for _, tc := range errorTests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assertAPI(t, s.do(t, call{method: "GET", path: acmeMemberships + "?" + tc.query, token: acmeAdmin}),
				apiWant{status: 400, body: tc.body})
		})
	}
}

func TestMembershipDetail(t *testing.T) {
	t.Parallel()
	t.Run("get", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		var m fake.Membership
		r := s.do(t, call{method: "GET", path: "/api/memberships/2/", token: acmeManager})
		assertAPI(t, r, apiWant{status: 200})
		r.decode(t, &m)
		if m.ID != 2 || m.User.Email != "max@acme.test" || m.User.Name != "Max Manager" || m.Role != fake.RoleManager ||
			len(m.Groups) != 1 || m.Groups[0].ID != salesGroupID {
			t.Errorf("membership %s", r.Body)
		}
	})
	t.Run("get/other-team", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		var globex fake.Organization
		s.do(t, call{method: "GET", path: "/api/organizations/" + globexID + "/", token: globexAdmin}).decode(t, &globex)
		hank := globex.Members[0].ID
		assertAPI(t, s.do(t, call{method: "GET", path: fmt.Sprintf("/api/memberships/%d/", hank), token: acmeAdmin}),
			apiWant{status: 404, body: notFound})
		assertAPI(t, s.do(t, call{method: "GET", path: fmt.Sprintf("/api/memberships/%d/", hank), token: samToken}),
			apiWant{status: 200})
	})

	tests := []struct {
		name   string
		method string
		body   any
		want   apiWant
		role   fake.Role // mel's role afterwards
	}{
		{"put/role", "PUT", map[string]int{"role": 5}, apiWant{status: 200}, fake.RoleManager},
		{"patch/role", "PATCH", map[string]int{"role": 3}, apiWant{status: 200}, fake.RoleDeveloper},
		{"patch/empty", "PATCH", map[string]int{}, apiWant{status: 200}, fake.RoleMember},
		{"patch/read-only-fields-ignored", "PATCH", map[string]any{"id": 99, "user": map[string]any{"email": "x@y.test"}, "role": 2}, apiWant{status: 200}, fake.RoleAdmin},
		{"patch/role-as-text", "PATCH", map[string]string{"role": "5"}, apiWant{status: 200}, fake.RoleManager},
		{"error/put-without-role", "PUT", map[string]int{}, apiWant{status: 400, body: `{"role":["This field is required."]}`}, fake.RoleMember},
		{"error/put-no-body", "PUT", nil, apiWant{status: 400, body: `{"role":["This field is required."]}`}, fake.RoleMember},
		{"error/role-9", "PUT", map[string]int{"role": 9}, apiWant{status: 400, body: `{"role":["\"9\" is not a valid choice."]}`}, fake.RoleMember},
		{"error/patch-role-0", "PATCH", map[string]int{"role": 0}, apiWant{status: 400, body: `{"role":["\"0\" is not a valid choice."]}`}, fake.RoleMember},
		{"error/role-null", "PATCH", map[string]any{"role": nil}, apiWant{status: 400, body: `{"role":["This field may not be null."]}`}, fake.RoleMember},
		{"error/role-true", "PATCH", map[string]any{"role": true}, apiWant{status: 400, body: `{"role":["\"True\" is not a valid choice."]}`}, fake.RoleMember},
		{"error/role-float", "PATCH", `{"role": 2.0}`, apiWant{status: 400, body: `{"role":["\"2.0\" is not a valid choice."]}`}, fake.RoleMember},
		{"error/role-fraction", "PATCH", `{"role": 2.5}`, apiWant{status: 400, body: `{"role":["\"2.5\" is not a valid choice."]}`}, fake.RoleMember},
		{"error/role-text-9", "PATCH", map[string]string{"role": "9"}, apiWant{status: 400, body: `{"role":["\"9\" is not a valid choice."]}`}, fake.RoleMember},
		{"error/role-name", "PATCH", map[string]string{"role": "admin"}, apiWant{status: 400, body: `{"role":["\"admin\" is not a valid choice."]}`}, fake.RoleMember},
		{"error/list-body", "PATCH", []int{1}, apiWant{status: 400, body: `{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}`}, fake.RoleMember},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			r := s.do(t, call{method: tc.method, path: "/api/memberships/4/", token: acmeAdmin, body: tc.body})
			assertAPI(t, r, tc.want)
			var m fake.Membership
			s.do(t, call{method: "GET", path: "/api/memberships/4/", token: acmeAdmin}).decode(t, &m)
			if m.Role != tc.role || m.User.Email != "mel@acme.test" || m.ID != 4 {
				t.Errorf("afterwards: id %d %s role %d, want 4 mel@acme.test role %d", m.ID, m.User.Email, m.Role, tc.role)
			}
			if tc.want.status == 200 && !sameJSON(t, r.Body, mustJSON(t, m)) {
				t.Errorf("answer %s, want what GET shows: %s", r.Body, mustJSON(t, m))
			}
		})
	}

	t.Run("put/role-gains-rights", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		assertAPI(t, s.do(t, call{method: "GET", path: acmeGroups, token: acmeMember}), apiWant{status: 403, body: forbidden})
		assertAPI(t, s.do(t, call{method: "PATCH", path: "/api/memberships/4/", token: acmeAdmin, body: map[string]int{"role": 5}}), apiWant{status: 200})
		assertAPI(t, s.do(t, call{method: "GET", path: acmeGroups, token: acmeMember}), apiWant{status: 200})
	})
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestMembershipDeleteCascade: the user leaves the team and all its groups;
// campaign members stay, with account null.
func TestMembershipDeleteCascade(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	const mel = "/api/memberships/4/"

	var before []fake.CampaignMember
	s.do(t, call{method: "GET", path: q1Path + "members/", token: acmeAdmin}).decode(t, &before)
	if len(before) != 2 || before[0].Email != "mel@acme.test" || before[0].Account == nil ||
		!slices.Equal(before[0].Groups, []string{supportGroupID}) {
		t.Fatalf("Q1 Rollout before: %+v", before)
	}

	r := s.do(t, call{method: "DELETE", path: mel, token: acmeAdmin})
	assertAPI(t, r, apiWant{status: 204})
	if len(r.Body) != 0 {
		t.Errorf("204 with body %q", r.Body)
	}

	t.Run("membership-gone", func(t *testing.T) {
		assertAPI(t, s.do(t, call{method: "GET", path: mel, token: acmeAdmin}), apiWant{status: 404, body: notFound})
		assertAPI(t, s.do(t, call{method: "DELETE", path: mel, token: acmeAdmin}), apiWant{status: 404, body: notFound})
		var all []fake.Membership
		s.do(t, call{method: "GET", path: acmeMemberships, token: acmeAdmin}).decode(t, &all)
		if ids := membershipIDs(all); len(ids) != 31 || slices.Contains(ids, 4) {
			t.Errorf("memberships %v, want 31 without 4", ids)
		}
	})
	t.Run("groups-left", func(t *testing.T) {
		var groups []fake.Group
		s.do(t, call{method: "GET", path: acmeGroups, token: acmeAdmin}).decode(t, &groups)
		counts := map[string]int{}
		for _, g := range groups {
			counts[g.Name] = g.NumMembers
		}
		if counts["Support Agents"] != 3 || counts["Sales"] != 2 {
			t.Errorf("num_members %v, want Support Agents 3, Sales 2", counts)
		}
		var members []fake.GroupMembership
		s.do(t, call{method: "GET", path: supportPath + "memberships/", token: acmeAdmin}).decode(t, &members)
		if emails := groupMemberEmails(members); !slices.Equal(emails, []string{"ada@acme.test", "rae@acme.test", "new.hire@acme.test"}) {
			t.Errorf("Support Agents holds %v", emails)
		}
	})
	t.Run("campaign-members-stay", func(t *testing.T) {
		var after []fake.CampaignMember
		s.do(t, call{method: "GET", path: q1Path + "members/", token: acmeAdmin}).decode(t, &after)
		if len(after) != 2 {
			t.Fatalf("Q1 Rollout after: %+v", after)
		}
		m := after[0]
		if m.ID != before[0].ID || m.Email != "mel@acme.test" || m.Account != nil || len(m.Groups) != 0 ||
			!reflect.DeepEqual(m.Data, map[string]any{"Location": "New York, NY"}) {
			t.Errorf("mel's campaign member after: %+v", m)
		}
	})
	t.Run("user-has-no-team", func(t *testing.T) {
		var me fake.Me
		s.do(t, call{method: "GET", path: "/api/me/", token: acmeMember}).decode(t, &me)
		if me.Email != "mel@acme.test" || me.Organization != nil || len(me.OrganizationMemberships) != 0 || len(me.GroupMemberships) != 0 {
			t.Errorf("mel's me after: %+v", me)
		}
		assertAPI(t, s.do(t, call{method: "GET", path: acmePath, token: acmeMember}), apiWant{status: 404, body: notFound})
		var orgs []fake.Organization
		s.do(t, call{method: "GET", path: "/api/organizations/", token: acmeMember}).decode(t, &orgs)
		if len(orgs) != 0 {
			t.Errorf("mel still sees %d teams", len(orgs))
		}
	})
}

// TestMembershipDeleteKeepsOtherTeams: a user in two teams who leaves one
// keeps the other and its groups.
func TestMembershipDeleteKeepsOtherTeams(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	assertAPI(t, s.do(t, call{method: "DELETE", path: "/api/memberships/8/", token: acmeAdmin}), apiWant{status: 204})
	var me fake.Me
	s.do(t, call{method: "GET", path: "/api/me/", token: samToken}).decode(t, &me)
	if me.Organization == nil || me.Organization.ID != globexID || len(me.OrganizationMemberships) != 1 ||
		len(me.GroupMemberships) != 1 || me.GroupMemberships[0].ID != engineeringID {
		t.Errorf("sam after leaving Acme: %+v", me)
	}
}

// --- groups ---

func groupNames(groups []fake.Group) []string {
	names := []string{}
	for _, g := range groups {
		names = append(names, g.Name)
	}
	return names
}

func groupMemberEmails(members []fake.GroupMembership) []string {
	emails := []string{}
	for _, m := range members {
		emails = append(emails, m.Email)
	}
	return emails
}

func TestGroupsList(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	var groups []fake.Group
	r := s.do(t, call{method: "GET", path: acmeGroups, token: acmeManager})
	assertAPI(t, r, apiWant{status: 200})
	r.decode(t, &groups)
	if len(groups) != 2 {
		t.Fatalf("groups %s", r.Body)
	}
	if g := groups[0]; g.ID != salesGroupID || g.Name != "Sales" || g.NumMembers != 2 {
		t.Errorf("groups[0] = %+v, want Sales with 2", g)
	}
	if g := groups[1]; g.ID != supportGroupID || g.Name != "Support Agents" || g.NumMembers != 4 {
		t.Errorf("groups[1] = %+v, want Support Agents with 4 (one pending)", g)
	}
	var globex []fake.Group
	s.do(t, call{method: "GET", path: "/api/organizations/" + globexID + "/groups/", token: samToken}).decode(t, &globex)
	if names := groupNames(globex); !slices.Equal(names, []string{"Engineering"}) {
		t.Errorf("Globex groups %v", names)
	}
}

func TestGroupsCreate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		body  any
		want  apiWant
		names []string // the list afterwards
	}{
		{"created", map[string]string{"name": "Admins"}, apiWant{status: 201}, []string{"Admins", "Sales", "Support Agents"}},
		{"created/trimmed", map[string]string{"name": "  Zed Team "}, apiWant{status: 201}, []string{"Sales", "Support Agents", "Zed Team"}},
		{"created/256-chars", map[string]string{"name": strings.Repeat("é", 256)}, apiWant{status: 201}, []string{"Sales", "Support Agents", strings.Repeat("é", 256)}},
		{"created/read-only-ignored", map[string]any{"name": "Ops", "id": "0a000000-0000-4000-8000-00000000dead", "num_members": 9}, apiWant{status: 201}, []string{"Ops", "Sales", "Support Agents"}},
		{"created/same-name-as-other-team", map[string]string{"name": "Engineering"}, apiWant{status: 201}, []string{"Engineering", "Sales", "Support Agents"}},
		{"error/duplicate-name", map[string]string{"name": "Sales"}, apiWant{status: 400, body: `{"name":["A group with this name already exists in this team."]}`}, []string{"Sales", "Support Agents"}},
		{"error/duplicate-after-trim", map[string]string{"name": " Sales "}, apiWant{status: 400, body: `{"name":["A group with this name already exists in this team."]}`}, []string{"Sales", "Support Agents"}},
		{"error/blank-name", map[string]string{"name": ""}, apiWant{status: 400, body: `{"name":["This field may not be blank."]}`}, []string{"Sales", "Support Agents"}},
		{"error/whitespace-name", map[string]string{"name": "   "}, apiWant{status: 400, body: `{"name":["This field may not be blank."]}`}, []string{"Sales", "Support Agents"}},
		{"error/257-chars", map[string]string{"name": strings.Repeat("x", 257)}, apiWant{status: 400, body: `{"name":["Ensure this field has no more than 256 characters."]}`}, []string{"Sales", "Support Agents"}},
		{"error/no-name", map[string]string{}, apiWant{status: 400, body: `{"name":["This field is required."]}`}, []string{"Sales", "Support Agents"}},
		{"error/null-name", map[string]any{"name": nil}, apiWant{status: 400, body: `{"name":["This field may not be null."]}`}, []string{"Sales", "Support Agents"}},
		{"error/number-name", map[string]any{"name": 7}, apiWant{status: 400, body: `{"name":["Not a valid string."]}`}, []string{"Sales", "Support Agents"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			r := s.do(t, call{method: "POST", path: acmeGroups, token: acmeManager, body: tc.body})
			assertAPI(t, r, tc.want)
			var groups []fake.Group
			s.do(t, call{method: "GET", path: acmeGroups, token: acmeAdmin}).decode(t, &groups)
			if names := groupNames(groups); !slices.Equal(names, tc.names) {
				t.Errorf("groups afterwards %v, want %v", names, tc.names)
			}
			if r.Status != 201 {
				return
			}
			var g fake.Group
			r.decode(t, &g)
			if !uuidRE.MatchString(g.ID) || g.NumMembers != 0 || g.CreatedAt.IsZero() {
				t.Errorf("created %s", r.Body)
			}
			var detail fake.GroupDetail
			s.do(t, call{method: "GET", path: "/api/groups/" + g.ID + "/", token: acmeAdmin}).decode(t, &detail)
			if detail.Name != g.Name || !detail.CreatedAt.Equal(g.CreatedAt) {
				t.Errorf("detail %+v, created %+v", detail, g)
			}
		})
	}
}

func TestGroupsDetail(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	var list []fake.Group
	s.do(t, call{method: "GET", path: acmeGroups, token: acmeAdmin}).decode(t, &list)
	r := s.do(t, call{method: "GET", path: supportPath, token: acmeManager})
	assertAPI(t, r, apiWant{status: 200, body: fmt.Sprintf(`{"id":%q,"name":"Support Agents","created_at":%q,"deployments":[]}`,
		supportGroupID, list[1].CreatedAt.Format(time.RFC3339))})
	t.Run("upper-case-id", func(t *testing.T) {
		assertAPI(t, s.do(t, call{method: "GET", path: "/api/groups/" + strings.ToUpper(supportGroupID) + "/", token: acmeManager}),
			apiWant{status: 200, body: string(r.Body)})
	})
}

func TestGroupsUpdate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method string
		path   string
		body   any
		want   apiWant
		names  []string // the list afterwards
	}{
		{"put/rename-resorts", "PUT", salesPath, map[string]string{"name": "Zeta"}, apiWant{status: 200}, []string{"Support Agents", "Zeta"}},
		{"patch/rename-resorts", "PATCH", supportPath, map[string]string{"name": "Agents"}, apiWant{status: 200}, []string{"Agents", "Sales"}},
		{"patch/same-name", "PATCH", salesPath, map[string]string{"name": "Sales"}, apiWant{status: 200}, []string{"Sales", "Support Agents"}},
		{"patch/empty", "PATCH", salesPath, map[string]string{}, apiWant{status: 200}, []string{"Sales", "Support Agents"}},
		{"error/put-without-name", "PUT", salesPath, map[string]string{}, apiWant{status: 400, body: `{"name":["This field is required."]}`}, []string{"Sales", "Support Agents"}},
		{"error/rename-to-taken", "PATCH", salesPath, map[string]string{"name": "Support Agents"}, apiWant{status: 400, body: `{"name":["A group with this name already exists in this team."]}`}, []string{"Sales", "Support Agents"}},
		{"error/blank", "PUT", salesPath, map[string]string{"name": " "}, apiWant{status: 400, body: `{"name":["This field may not be blank."]}`}, []string{"Sales", "Support Agents"}},
		{"error/257-chars", "PATCH", salesPath, map[string]string{"name": strings.Repeat("x", 257)}, apiWant{status: 400, body: `{"name":["Ensure this field has no more than 256 characters."]}`}, []string{"Sales", "Support Agents"}},
		{"error/missing-group", "PATCH", "/api/groups/0a000000-0000-4000-8000-00000000ffff/", map[string]string{"name": "x"}, apiWant{status: 404, body: notFound}, []string{"Sales", "Support Agents"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			r := s.do(t, call{method: tc.method, path: tc.path, token: acmeManager, body: tc.body})
			assertAPI(t, r, tc.want)
			var groups []fake.Group
			s.do(t, call{method: "GET", path: acmeGroups, token: acmeAdmin}).decode(t, &groups)
			if names := groupNames(groups); !slices.Equal(names, tc.names) {
				t.Errorf("groups afterwards %v, want %v", names, tc.names)
			}
			if r.Status == 200 {
				var g fake.GroupDetail
				r.decode(t, &g)
				if g.Deployments == nil || len(g.Deployments) != 0 || !slices.Contains(tc.names, g.Name) {
					t.Errorf("answer %s", r.Body)
				}
			}
		})
	}
}

func TestGroupsDelete(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	salesMax := groupMembershipID(t, s, salesGroupID, "max@acme.test")
	r := s.do(t, call{method: "DELETE", path: salesPath, token: acmeAdmin})
	assertAPI(t, r, apiWant{status: 204})
	if len(r.Body) != 0 {
		t.Errorf("204 with body %q", r.Body)
	}
	tests := []struct {
		name string
		call call
		want apiWant
	}{
		{"detail-gone", call{method: "GET", path: salesPath, token: acmeAdmin}, apiWant{status: 404, body: notFound}},
		{"memberships-gone", call{method: "GET", path: salesPath + "memberships/", token: acmeAdmin}, apiWant{status: 404, body: notFound}},
		{"membership-gone", call{method: "DELETE", path: salesPath + "memberships/" + salesMax + "/", token: acmeAdmin}, apiWant{status: 404, body: notFound}},
		{"delete-again", call{method: "DELETE", path: salesPath, token: acmeAdmin}, apiWant{status: 404, body: notFound}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { assertAPI(t, s.do(t, tc.call), tc.want) })
	}
	t.Run("list", func(t *testing.T) {
		var groups []fake.Group
		s.do(t, call{method: "GET", path: acmeGroups, token: acmeAdmin}).decode(t, &groups)
		if names := groupNames(groups); !slices.Equal(names, []string{"Support Agents"}) {
			t.Errorf("groups %v", names)
		}
	})
	t.Run("members-lose-the-group", func(t *testing.T) {
		var m fake.Membership
		s.do(t, call{method: "GET", path: "/api/memberships/2/", token: acmeAdmin}).decode(t, &m)
		if len(m.Groups) != 0 {
			t.Errorf("max's groups %+v, want none", m.Groups)
		}
		var me fake.Me
		s.do(t, call{method: "GET", path: "/api/me/", token: acmeDeveloper}).decode(t, &me)
		if len(me.GroupMemberships) != 0 {
			t.Errorf("dev's group_memberships %+v, want none", me.GroupMemberships)
		}
	})
	t.Run("name-free-again", func(t *testing.T) {
		assertAPI(t, s.do(t, call{method: "POST", path: acmeGroups, token: acmeAdmin, body: map[string]string{"name": "Sales"}}),
			apiWant{status: 201})
	})
}

// --- campaigns ---

func campaignNames(campaigns []fake.Campaign) []string {
	names := []string{}
	for _, c := range campaigns {
		names = append(names, c.Name)
	}
	return names
}

func TestCampaigns(t *testing.T) {
	t.Parallel()
	t.Run("list/by-name", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		var campaigns []fake.Campaign
		r := s.do(t, call{method: "GET", path: acmeCampaigns, token: acmeManager})
		assertAPI(t, r, apiWant{status: 200})
		r.decode(t, &campaigns)
		if len(campaigns) != 2 || campaigns[0].ID != onboardingID || campaigns[0].Name != "Onboarding" ||
			campaigns[1].ID != q1CampaignID || campaigns[1].Name != "Q1 Rollout" {
			t.Errorf("campaigns %s", r.Body)
		}
	})
	t.Run("create", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		r := s.do(t, call{method: "POST", path: acmeCampaigns, token: acmeManager, body: map[string]string{"name": "Beta"}})
		assertAPI(t, r, apiWant{status: 201})
		var c fake.Campaign
		r.decode(t, &c)
		if !uuidRE.MatchString(c.ID) || c.Name != "Beta" || !c.CreatedAt.Equal(c.UpdatedAt) {
			t.Errorf("created %s", r.Body)
		}
		assertAPI(t, s.do(t, call{method: "GET", path: acmeCampaigns + c.ID + "/", token: acmeAdmin}), apiWant{status: 200, body: string(r.Body)})
		var campaigns []fake.Campaign
		s.do(t, call{method: "GET", path: acmeCampaigns, token: acmeAdmin}).decode(t, &campaigns)
		if names := campaignNames(campaigns); !slices.Equal(names, []string{"Beta", "Onboarding", "Q1 Rollout"}) {
			t.Errorf("campaigns %v", names)
		}
		var members []fake.CampaignMember
		s.do(t, call{method: "GET", path: acmeCampaigns + c.ID + "/members/", token: acmeAdmin}).decode(t, &members)
		if members == nil || len(members) != 0 {
			t.Errorf("a new campaign has members %+v", members)
		}
	})
	t.Run("detail", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		var list []fake.Campaign
		s.do(t, call{method: "GET", path: acmeCampaigns, token: acmeAdmin}).decode(t, &list)
		assertAPI(t, s.do(t, call{method: "GET", path: q1Path, token: acmeManager}), apiWant{status: 200, body: string(mustJSON(t, list[1]))})
	})
	t.Run("patch/updated_at-moves", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		var before fake.Campaign
		s.do(t, call{method: "GET", path: q1Path, token: acmeAdmin}).decode(t, &before)
		r := s.do(t, call{method: "PATCH", path: q1Path, token: acmeManager, body: map[string]string{"name": "Zulu Rollout"}})
		assertAPI(t, r, apiWant{status: 200})
		var after fake.Campaign
		r.decode(t, &after)
		if after.ID != q1CampaignID || after.Name != "Zulu Rollout" || !after.CreatedAt.Equal(before.CreatedAt) || !after.UpdatedAt.After(before.UpdatedAt) {
			t.Errorf("before %+v, after %+v", before, after)
		}
		var campaigns []fake.Campaign
		s.do(t, call{method: "GET", path: acmeCampaigns, token: acmeAdmin}).decode(t, &campaigns)
		if names := campaignNames(campaigns); !slices.Equal(names, []string{"Onboarding", "Zulu Rollout"}) {
			t.Errorf("campaigns %v", names)
		}
	})
	t.Run("put/405", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		assertAPI(t, s.do(t, call{method: "PUT", path: q1Path, token: acmeAdmin, body: map[string]string{"name": "x"}}),
			apiWant{status: 405, body: `{"detail":"Method \"PUT\" not allowed."}`, headers: map[string]string{"Allow": "GET, PATCH, DELETE, HEAD"}})
	})
	t.Run("delete", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		r := s.do(t, call{method: "DELETE", path: q1Path, token: acmeAdmin})
		assertAPI(t, r, apiWant{status: 204})
		assertAPI(t, s.do(t, call{method: "GET", path: q1Path, token: acmeAdmin}), apiWant{status: 404, body: notFound})
		assertAPI(t, s.do(t, call{method: "GET", path: q1Path + "members/", token: acmeAdmin}), apiWant{status: 404, body: notFound})
		var campaigns []fake.Campaign
		s.do(t, call{method: "GET", path: acmeCampaigns, token: acmeAdmin}).decode(t, &campaigns)
		if names := campaignNames(campaigns); !slices.Equal(names, []string{"Onboarding"}) {
			t.Errorf("campaigns %v", names)
		}
		// Group memberships no longer name the campaign.
		var members []fake.GroupMembership
		s.do(t, call{method: "GET", path: supportPath + "memberships/", token: acmeAdmin}).decode(t, &members)
		for _, m := range members {
			if len(m.Campaigns) != 0 && m.Email != "rae@acme.test" {
				t.Errorf("%s still in campaigns %+v", m.Email, m.Campaigns)
			}
		}
	})

	errorTests := []struct {
		name string
		call call
		want apiWant
	}{
		{"error/duplicate-name", call{method: "POST", path: acmeCampaigns, body: map[string]string{"name": "Onboarding"}},
			apiWant{status: 400, body: `{"name":["A campaign with this name already exists in this team."]}`}},
		{"error/rename-to-taken", call{method: "PATCH", path: q1Path, body: map[string]string{"name": "Onboarding"}},
			apiWant{status: 400, body: `{"name":["A campaign with this name already exists in this team."]}`}},
		{"error/blank-name", call{method: "POST", path: acmeCampaigns, body: map[string]string{"name": " "}},
			apiWant{status: 400, body: `{"name":["This field may not be blank."]}`}},
		{"error/no-name", call{method: "POST", path: acmeCampaigns, body: map[string]string{}},
			apiWant{status: 400, body: `{"name":["This field is required."]}`}},
		{"error/257-chars", call{method: "PATCH", path: q1Path, body: map[string]string{"name": strings.Repeat("x", 257)}},
			apiWant{status: 400, body: `{"name":["Ensure this field has no more than 256 characters."]}`}},
		{"error/other-team-campaign", call{method: "GET", path: pilotViaAcmePath},
			apiWant{status: 404, body: notFound}},
		{"error/other-team-campaign-patch", call{method: "PATCH", path: pilotViaAcmePath, body: map[string]string{"name": "Mine"}},
			apiWant{status: 404, body: notFound}},
		{"error/other-team-campaign-delete", call{method: "DELETE", path: pilotViaAcmePath},
			apiWant{status: 404, body: notFound}},
		{"error/other-team-campaign-members", call{method: "GET", path: pilotViaAcmePath + "members/"},
			apiWant{status: 404, body: notFound}},
		{"error/missing-campaign", call{method: "GET", path: acmeCampaigns + "0a000000-0000-4000-8000-00000000cfff/"},
			apiWant{status: 404, body: notFound}},
		{"error/single-member-route", call{method: "GET", path: q1Path + "members/0a000000-0000-4000-8000-00000000cfff/"},
			apiWant{status: 404, body: notFound}},
		{"error/single-member-route-delete", call{method: "DELETE", path: q1Path + "members/mel@acme.test/"},
			apiWant{status: 404, body: notFound}},
		{"error/delete-members-collection", call{method: "DELETE", path: q1Path + "members/"},
			apiWant{status: 405, body: `{"detail":"Method \"DELETE\" not allowed."}`, headers: map[string]string{"Allow": "GET, POST, PUT, HEAD"}}},
	}
	for _, tc := range errorTests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			tc.call.token = acmeAdmin
			assertAPI(t, s.do(t, tc.call), tc.want)
			var campaigns []fake.Campaign
			s.do(t, call{method: "GET", path: acmeCampaigns, token: acmeAdmin}).decode(t, &campaigns)
			if names := campaignNames(campaigns); !slices.Equal(names, []string{"Onboarding", "Q1 Rollout"}) {
				t.Errorf("campaigns afterwards %v", names)
			}
			var pilot fake.Campaign
			s.do(t, call{method: "GET", path: "/api/organizations/" + globexID + "/campaigns/" + pilotCampaignID + "/", token: globexAdmin}).decode(t, &pilot)
			if pilot.Name != "Pilot" {
				t.Errorf("Globex's campaign is now %+v", pilot)
			}
		})
	}
}

// TestGroupAndCampaignMemberLists covers the nested lists this suite's
// cascade checks rely on: the fixture's members, in creation order.
func TestGroupAndCampaignMemberLists(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	t.Run("group-memberships", func(t *testing.T) {
		t.Parallel()
		var members []fake.GroupMembership
		r := s.do(t, call{method: "GET", path: supportPath + "memberships/", token: acmeManager})
		assertAPI(t, r, apiWant{status: 200})
		r.decode(t, &members)
		if emails := groupMemberEmails(members); !slices.Equal(emails, []string{"ada@acme.test", "mel@acme.test", "rae@acme.test", "new.hire@acme.test"}) {
			t.Fatalf("Support Agents holds %v", emails)
		}
		if members[3].User != nil {
			t.Errorf("new.hire has an account: %+v", members[3].User)
		}
		if members[0].User == nil || members[0].User.Email != "ada@acme.test" {
			t.Errorf("ada's user %+v", members[0].User)
		}
		campaigns := func(m fake.GroupMembership) []string {
			names := []string{}
			for _, c := range m.Campaigns {
				names = append(names, c.Name)
			}
			return names
		}
		for i, want := range [][]string{{}, {"Q1 Rollout"}, {"Onboarding"}, {"Q1 Rollout"}} {
			if got := campaigns(members[i]); !slices.Equal(got, want) {
				t.Errorf("%s's campaigns %v, want %v", members[i].Email, got, want)
			}
		}
	})
	t.Run("campaign-members", func(t *testing.T) {
		t.Parallel()
		var members []fake.CampaignMember
		r := s.do(t, call{method: "GET", path: q1Path + "members/", token: acmeManager})
		assertAPI(t, r, apiWant{status: 200})
		r.decode(t, &members)
		if len(members) != 2 || members[0].Email != "mel@acme.test" || members[1].Email != "new.hire@acme.test" {
			t.Fatalf("Q1 Rollout members %s", r.Body)
		}
		if members[0].Account == nil || members[0].Account.Email != "mel@acme.test" || members[1].Account != nil {
			t.Errorf("accounts %+v %+v", members[0].Account, members[1].Account)
		}
		if !slices.Equal(members[1].Groups, []string{supportGroupID}) || !reflect.DeepEqual(members[1].Data, map[string]any{"Location": "Austin, TX"}) {
			t.Errorf("new.hire %+v", members[1])
		}
		if members[0].LatestClient != nil || members[0].AssignedDeployments == nil || len(members[0].AssignedDeployments) != 0 {
			t.Errorf("mel %s", r.Body)
		}
	})
}
