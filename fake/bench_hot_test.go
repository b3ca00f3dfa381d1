package fake_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// The benchmarks of the request paths that load tests hit hardest. Each one
// serves requests straight through Server.ServeHTTP (no sockets), repeats a
// request whose effect is the same every time (so the data does not grow
// with b.N), and sets up in milliseconds: .ci/run runs them with
// -benchtime=1x.

const (
	hotID       = "0d000000-0000-4000-8000-000000000004"
	hotGroupID  = "0d000000-0000-4000-8000-00000000a001"
	hotCampID   = "0d000000-0000-4000-8000-00000000c001"
	hotAdmin    = "hot-admin-token"
	hotGroupsMs = "/api/groups/" + hotGroupID + "/memberships/"
	hotCampMs   = "/api/organizations/" + hotID + "/campaigns/" + hotCampID + "/members/"
)

// hotEmail is the email of the i-th listed member of the hot team.
func hotEmail(i int) string { return fmt.Sprintf("member%04d@hot.test", i) }

// newHotServer is a server with the default teams and a team of 1,001
// listed members (the admin and member0000 to member0999), one empty group
// and one empty campaign.
func newHotServer(b *testing.B, opts ...fake.Option) *fake.Server {
	b.Helper()
	def, err := fake.ParseFixture(defaultFixture(b))
	if err != nil {
		b.Fatal(err)
	}
	members := []fake.FixtureMember{{Email: "admin@hot.test", Role: fake.RoleAdmin, Token: hotAdmin}}
	for i := range 1000 {
		members = append(members, fake.FixtureMember{Email: hotEmail(i), Name: fmt.Sprintf("Member %d", i), Role: fake.RoleMember})
	}
	def.Organizations = append(def.Organizations, fake.FixtureOrganization{
		ID: hotID, Name: "Hot Co", VerifiedDomains: []string{"hot.test"}, Members: members,
		Groups:    []fake.FixtureGroup{{ID: hotGroupID, Name: "Hot Group"}},
		Campaigns: []fake.FixtureCampaign{{ID: hotCampID, Name: "Hot Campaign"}},
	})
	srv, err := fake.New(append([]fake.Option{fake.WithFixtures(*def)}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	return srv
}

// defaultFixture is the embedded default fixture's text.
func defaultFixture(b *testing.B) []byte {
	b.Helper()
	srv, err := fake.New()
	if err != nil {
		b.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/__fake/state", nil))
	if rec.Code != http.StatusOK {
		b.Fatalf("GET /__fake/state: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// hotRequest is one request of a benchmark, served again on every loop.
type hotRequest struct {
	method, path, token, accept, body string
	headers                           map[string]string
	want                              int
}

// serve runs r against srv b.N times, checking the status each time.
func (r hotRequest) serve(b *testing.B, srv *fake.Server) {
	b.Helper()
	b.ReportAllocs()
	if r.body != "" {
		b.SetBytes(int64(len(r.body)))
	}
	for b.Loop() {
		rec := r.do(srv)
		if rec.Code != r.want {
			b.Fatalf("%s %s: status %d, want %d: %.300s", r.method, r.path, rec.Code, r.want, rec.Body)
		}
	}
}

func (r hotRequest) do(srv *fake.Server) *httptest.ResponseRecorder {
	var req *http.Request
	if r.body != "" {
		req = httptest.NewRequest(r.method, r.path, strings.NewReader(r.body))
		req.Header.Set("Content-Type", "application/json")
	} else {
		req = httptest.NewRequest(r.method, r.path, nil)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Token "+r.token)
	}
	if r.accept != "" {
		req.Header.Set("Accept", r.accept)
	}
	for name, value := range r.headers {
		req.Header.Set(name, value)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

// listPage is the load command's list: page 1 of a team's memberships at
// version 2.0, 20 to a page.
func listPage(orgID, token string) hotRequest {
	return hotRequest{method: "GET", path: "/api/organizations/" + orgID + "/memberships/?page_size=20", token: token, accept: v2, want: http.StatusOK}
}

// BenchmarkListPage serves a page of memberships of the default team (30
// members) and of the 1,001-member team, plain and in strict mode.
func BenchmarkListPage(b *testing.B) {
	for _, strict := range []bool{false, true} {
		srv := newHotServer(b, fake.WithResponseValidation(strict))
		for _, tc := range []struct {
			name string
			req  hotRequest
		}{
			{"acme-30", listPage(acmeID, acmeAdmin)},
			{"hot-1001", listPage(hotID, hotAdmin)},
			{"hot-1001/page=last", hotRequest{method: "GET", path: "/api/organizations/" + hotID + "/memberships/?page_size=20&page=last", token: hotAdmin, accept: v2, want: http.StatusOK}},
			{"acme-30/v1-whole-list", hotRequest{method: "GET", path: acmeMemberships, token: acmeAdmin, want: http.StatusOK}},
		} {
			b.Run(fmt.Sprintf("strict=%t/%s", strict, tc.name), func(b *testing.B) { tc.req.serve(b, srv) })
		}
	}
}

// emailItems is a list body of n group-membership items of the hot team.
func emailItems(n int) string {
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf(`{"email":%q}`, hotEmail(i))
	}
	return "[" + strings.Join(items, ",") + "]"
}

// campaignItems is a list body of n campaign members of the hot team.
func campaignItems(n int) string {
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf(`{"email":%q,"data":{"Location":"Desk %d","Team":"Hot"}}`, hotEmail(i), i)
	}
	return "[" + strings.Join(items, ",") + "]"
}

// BenchmarkGroupMembershipsWrite POSTs and PUTs 5 and 1,000 group members.
// The same members every time: after the first request a POST adds nothing
// and a PUT removes nothing, so the group stays the size of the body.
func BenchmarkGroupMembershipsWrite(b *testing.B) {
	benchmarkListWrites(b, hotGroupsMs, emailItems)
}

// BenchmarkCampaignMembersUpsert POSTs (upserts) and PUTs 5 and 1,000
// campaign members, the same ones every time.
func BenchmarkCampaignMembersUpsert(b *testing.B) {
	benchmarkListWrites(b, hotCampMs, campaignItems)
}

// benchmarkListWrites POSTs and PUTs list bodies of 5 and 1,000 items to path.
func benchmarkListWrites(b *testing.B, path string, items func(n int) string) {
	for _, method := range []string{"POST", "PUT"} {
		for _, n := range []int{5, 1000} {
			b.Run(fmt.Sprintf("%s/items-%d", method, n), func(b *testing.B) {
				srv := newHotServer(b)
				want := http.StatusCreated
				if method == "PUT" {
					want = http.StatusOK
				}
				hotRequest{method: method, path: path, token: hotAdmin, body: items(n), want: want}.serve(b, srv)
			})
		}
	}
}

// BenchmarkRequestValidation measures the body checks: a valid object, a
// team rule's refusal, a list with one bad item among five, a body that is
// not JSON and one of the wrong types.
func BenchmarkRequestValidation(b *testing.B) {
	srv := newHotServer(b)
	bad := strings.Replace(emailItems(5), hotEmail(2), "not-an-email", 1)
	for _, tc := range []struct {
		name string
		req  hotRequest
	}{
		{"valid/patch-group-same-name", hotRequest{method: "PATCH", path: salesPath, token: acmeAdmin, body: `{"name":"Sales"}`, want: http.StatusOK}},
		{"invalid/create-group-name-taken", hotRequest{method: "POST", path: acmeGroups, token: acmeAdmin, body: `{"name":"Sales"}`, want: http.StatusBadRequest}},
		{"invalid/one-bad-item-of-5", hotRequest{method: "POST", path: hotGroupsMs, token: hotAdmin, body: bad, want: http.StatusBadRequest}},
		{"invalid/not-json", hotRequest{method: "POST", path: hotGroupsMs, token: hotAdmin, body: `[{"email":`, want: http.StatusBadRequest}},
		{"invalid/wrong-types", hotRequest{method: "POST", path: hotCampMs, token: hotAdmin, body: `[{"email":5,"data":[]}]`, want: http.StatusBadRequest}},
	} {
		b.Run(tc.name, func(b *testing.B) { tc.req.serve(b, srv) })
	}
}

// BenchmarkFaultMatching serves the list page with no fault rule and with
// rules that never match it (by path, by method).
func BenchmarkFaultMatching(b *testing.B) {
	other := fake.FaultRule{Kind: fake.FaultStatus, Status: 503, Path: "/api/groups/{id}/"}
	for _, tc := range []struct {
		name  string
		rules []fake.FaultRule
	}{
		{name: "no-rules"},
		{name: "rules-1-other-path", rules: []fake.FaultRule{other}},
		{name: "rules-10-other-path", rules: repeatRule(other, 10)},
		{name: "rules-1-other-method", rules: []fake.FaultRule{{Kind: fake.FaultStatus, Status: 503, Method: "POST", Path: "/api/organizations/{organization_pk}/memberships/"}}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv := newHotServer(b, fake.WithFaults(tc.rules...))
			listPage(acmeID, acmeAdmin).serve(b, srv)
		})
	}
}

func repeatRule(r fake.FaultRule, n int) []fake.FaultRule {
	rules := make([]fake.FaultRule, n)
	for i := range rules {
		rules[i] = r
	}
	return rules
}

// BenchmarkJournalAndFaults measures what the journal and the fault check
// cost on the list page and on a POST of 5 group members: each on (the
// default journal; one rule that never matches) and off (journal size 0; no
// rules).
func BenchmarkJournalAndFaults(b *testing.B) {
	notThis := fake.FaultRule{Kind: fake.FaultStatus, Status: 503, Method: "DELETE", Path: "/api/groups/{id}/"}
	for _, req := range []struct {
		name string
		req  hotRequest
	}{
		{"list", listPage(acmeID, acmeAdmin)},
		{"post-5", hotRequest{method: "POST", path: hotGroupsMs, token: hotAdmin, body: emailItems(5), want: http.StatusCreated}},
	} {
		for _, tc := range []struct {
			name string
			opts []fake.Option
		}{
			{"journal=off/faults=off", []fake.Option{fake.WithJournalSize(0)}},
			{"journal=on/faults=off", nil},
			{"journal=off/faults=on", []fake.Option{fake.WithJournalSize(0), fake.WithFaults(notThis)}},
			{"journal=on/faults=on", []fake.Option{fake.WithFaults(notThis)}},
		} {
			b.Run(req.name+"/"+tc.name, func(b *testing.B) {
				srv := newHotServer(b, tc.opts...)
				req.req.serve(b, srv)
			})
		}
	}
}
