package fake_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// snapshot is every API answer a set of GETs gives: body and paging headers,
// keyed by request. A state round trip must leave it byte for byte the same.
func snapshot(t testing.TB, s *apiServer, extraPaths ...string) map[string]string {
	t.Helper()
	tokens := []string{acmeAdmin, acmeManager, acmeRestricted, acmeService, acmeDeploymentKey, samToken, globexAdmin}
	paths := []string{
		"/api/organizations/" + acmeID + "/",
		"/api/organizations/" + globexID + "/",
		"/api/organizations/" + acmeID + "/memberships/",
		"/api/organizations/" + acmeID + "/memberships/?page=2&page_size=7",
		"/api/organizations/" + acmeID + "/memberships/?q=a&role__in=1,4",
		"/api/organizations/" + globexID + "/memberships/",
		"/api/organizations/" + acmeID + "/groups/",
		"/api/organizations/" + globexID + "/groups/",
		"/api/groups/" + supportGroupID + "/",
		"/api/groups/" + supportGroupID + "/memberships/",
		"/api/groups/" + salesGroupID + "/memberships/",
		"/api/groups/" + engineeringID + "/memberships/",
		"/api/organizations/" + acmeID + "/campaigns/",
		"/api/organizations/" + globexID + "/campaigns/",
		"/api/organizations/" + acmeID + "/campaigns/" + q1CampaignID + "/members/",
		"/api/organizations/" + acmeID + "/campaigns/" + onboardingID + "/members/",
		"/api/organizations/" + globexID + "/campaigns/" + pilotCampaignID + "/members/",
	}
	paths = append(paths, extraPaths...)
	out := map[string]string{}
	record := func(c call) {
		r := s.do(t, c)
		// Links name the server's address; another server has another one.
		link := strings.ReplaceAll(r.Header.Get("Link"), s.URL, "")
		out[fmt.Sprintf("%s %s %s", c.token, c.accept, c.path)] = fmt.Sprintf("%d %s %s\n%s",
			r.Status, r.Header.Get("X-Total-Count"), link, r.Body)
	}
	for _, token := range tokens {
		record(call{method: "GET", path: "/api/me/", token: token})
		record(call{method: "GET", path: "/api/organizations/", token: token, accept: v2})
	}
	for _, path := range paths {
		for _, token := range []string{acmeAdmin, globexAdmin, samToken} {
			record(call{method: "GET", path: path, token: token})
			record(call{method: "GET", path: path, token: token, accept: v2})
		}
	}
	return out
}

// diffSnapshots fails the test on every answer that differs.
func diffSnapshots(t testing.TB, what string, got, want map[string]string) {
	t.Helper()
	for key, w := range want {
		if g := got[key]; g != w {
			t.Errorf("%s: %s\n got %s\nwant %s", what, key, g, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d answers, want %d", what, len(got), len(want))
	}
}

// mutate writes through the API so that the state holds what seeding alone
// never makes: API-made ids and times, a pending member, nested data, JSON
// numbers, a changed role, a renamed campaign, a deleted group. It returns
// the paths of the new objects.
func mutate(t testing.TB, s *apiServer) []string {
	t.Helper()
	groups := "/api/organizations/" + acmeID + "/groups/"
	var g fake.Group
	r := s.do(t, call{method: "POST", path: groups, token: acmeAdmin, body: map[string]string{"name": "Round Trip"}})
	wantStatus(t, r, 201)
	r.decode(t, &g)
	wantStatus(t, s.do(t, call{method: "POST", path: "/api/groups/" + g.ID + "/memberships/", token: acmeAdmin,
		body: `[{"email": "future.hire@acme.test"}, {"email": "mel@acme.test"}]`}), 201)
	campaigns := "/api/organizations/" + acmeID + "/campaigns/"
	var c fake.Campaign
	r = s.do(t, call{method: "POST", path: campaigns, token: acmeAdmin, body: map[string]string{"name": "RT Campaign"}})
	wantStatus(t, r, 201)
	r.decode(t, &c)
	wantStatus(t, s.do(t, call{method: "POST", path: campaigns + c.ID + "/members/", token: acmeAdmin,
		body: `[{"email": "dev@acme.test", "data": {"Location": "Paris", "n": 1.5, "big": 12345678901234, "when": "2026-01-01", "yes": "true", "nested": {"a": [1, "x", null, true]}}},
			{"email": "future.hire@acme.test", "data": {}}]`}), 201)
	wantStatus(t, s.do(t, call{method: "PATCH", path: campaigns + q1CampaignID + "/", token: acmeAdmin, body: map[string]string{"name": "Q1 Rollout (renamed)"}}), 200)
	wantStatus(t, s.do(t, call{method: "DELETE", path: "/api/groups/" + salesGroupID + "/", token: acmeAdmin}), 204)

	var members []fake.Membership
	s.do(t, call{method: "GET", path: "/api/organizations/" + acmeID + "/memberships/?q=dev@acme.test", token: acmeAdmin}).decode(t, &members)
	if len(members) != 1 {
		t.Fatalf("members %+v", members)
	}
	wantStatus(t, s.do(t, call{method: "PATCH", path: fmt.Sprintf("/api/memberships/%d/", members[0].ID), token: acmeAdmin, body: map[string]int{"role": 5}}), 200)
	return []string{
		"/api/groups/" + g.ID + "/",
		"/api/groups/" + g.ID + "/memberships/",
		campaigns + c.ID + "/",
		campaigns + c.ID + "/members/",
	}
}

// getState reads the state through the control plane.
func getState(t testing.TB, s *apiServer, accept string) *response {
	t.Helper()
	r := s.plain(t, call{method: "GET", path: "/__fake/state", accept: accept})
	wantStatus(t, r, http.StatusOK)
	return r
}

func TestStateExport(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	r := getState(t, s, "")
	if r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
	}
	f, err := fake.ParseFixture(r.Body)
	if err != nil {
		t.Fatalf("the state is not a fixture: %v", err)
	}
	if len(f.Organizations) != 2 || f.Organizations[0].ID != acmeID || f.Organizations[1].ID != globexID {
		t.Fatalf("organizations %+v", f.Organizations)
	}
	acme := f.Organizations[0]
	if len(acme.Members) != 32 || acme.Generate != nil || *acme.Scope != "@acme" || !slices.Equal(acme.VerifiedDomains, []string{"acme.test"}) {
		t.Errorf("acme: %d members, generate %v, scope %v, domains %v", len(acme.Members), acme.Generate, acme.Scope, acme.VerifiedDomains)
	}
	tokens := map[string]string{}
	for i, m := range acme.Members {
		if m.UserID == "" || m.MembershipID != i+1 || m.DateJoined == nil || m.Role == 0 || m.Name == "" {
			t.Errorf("member %d not spelled out: %+v", i, m)
		}
		if m.Token != "" {
			tokens[m.Email] = m.Token
		}
	}
	if tokens["ada@acme.test"] != acmeAdmin || tokens["sync-bot@acme.test"] != acmeService || len(tokens) != 8 {
		t.Errorf("tokens %v", tokens)
	}
	support := acme.Groups[slices.IndexFunc(acme.Groups, func(g fake.FixtureGroup) bool { return g.ID == supportGroupID })]
	var emails []string
	for _, m := range support.Members {
		if m.ID == "" || m.CreatedAt == nil {
			t.Errorf("group member not spelled out: %+v", m)
		}
		emails = append(emails, m.Email)
	}
	if !slices.Equal(emails, []string{"ada@acme.test", "mel@acme.test", "rae@acme.test", "new.hire@acme.test"}) {
		t.Errorf("support agents %v (the pending new.hire must stay)", emails)
	}
	q1 := acme.Campaigns[slices.IndexFunc(acme.Campaigns, func(c fake.FixtureCampaign) bool { return c.ID == q1CampaignID })]
	if len(q1.Members) != 2 || q1.Members[0].Data["Location"] != "New York, NY" || q1.Members[1].Email != "new.hire@acme.test" {
		t.Errorf("q1 members %+v", q1.Members)
	}
	if globex := f.Organizations[1]; globex.Members[1].Email != "sam@consult.test" || globex.Members[1].Role != fake.RoleManager || globex.Members[1].Token != samToken {
		t.Errorf("sam in globex %+v", globex.Members[1])
	}

	t.Run("yaml", func(t *testing.T) {
		t.Parallel()
		for _, accept := range []string{"application/yaml", "text/yaml", "application/json;q=0.5, application/x-yaml"} {
			r := getState(t, s, accept)
			if r.Header.Get("Content-Type") != "application/yaml" || json.Valid(r.Body) {
				t.Errorf("Accept %q: Content-Type %q", accept, r.Header.Get("Content-Type"))
			}
			fy, err := fake.ParseFixture(r.Body)
			if err != nil {
				t.Fatalf("YAML state: %v", err)
			}
			if !bytes.Contains(r.Body, []byte("role: admin")) {
				t.Errorf("roles are not written by name:\n%.400s", r.Body)
			}
			a, _ := json.Marshal(fy)
			b, _ := json.Marshal(f)
			if !bytes.Equal(a, b) {
				t.Errorf("the YAML and JSON states differ")
			}
		}
	})
	t.Run("go-api", func(t *testing.T) {
		t.Parallel()
		a, _ := json.Marshal(s.Server.State())
		b, _ := json.Marshal(f)
		if !bytes.Equal(a, b) {
			t.Errorf("State() and GET /__fake/state differ")
		}
	})
}

func TestStateRoundTrip(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	extra := mutate(t, s)
	want := snapshot(t, s, extra...)

	t.Run("json", func(t *testing.T) {
		state := getState(t, s, "")
		wantStatus(t, s.plain(t, call{method: "PUT", path: "/__fake/state", body: state.Body}), 204)
		diffSnapshots(t, "after PUT of the JSON state", snapshot(t, s, extra...), want)
		if again := getState(t, s, ""); !bytes.Equal(again.Body, state.Body) {
			t.Errorf("the state changed over a round trip:\n%s\nwant\n%s", again.Body, state.Body)
		}
	})
	t.Run("yaml", func(t *testing.T) {
		state := getState(t, s, "application/yaml")
		wantStatus(t, s.plain(t, call{method: "PUT", path: "/__fake/state", body: state.Body, headers: map[string]string{"Content-Type": "application/yaml"}}), 204)
		diffSnapshots(t, "after PUT of the YAML state", snapshot(t, s, extra...), want)
	})
	t.Run("new-server", func(t *testing.T) {
		f, err := fake.ParseFixture(getState(t, s, "application/yaml").Body)
		if err != nil {
			t.Fatal(err)
		}
		fresh := newAPIServer(t, fake.WithFixtures(*f))
		diffSnapshots(t, "a server started on the state", snapshot(t, fresh, extra...), want)
	})
	t.Run("go-api", func(t *testing.T) {
		if err := s.Server.LoadState(s.Server.State()); err != nil {
			t.Fatal(err)
		}
		diffSnapshots(t, "after LoadState(State())", snapshot(t, s, extra...), want)
	})
}

// TestStateRoundTripKeepsLaterWrites: ids and times of writes after a round
// trip are those the server would have made without it.
func TestStateRoundTripKeepsLaterWrites(t *testing.T) {
	t.Parallel()
	a, b := newAPIServer(t), newAPIServer(t)
	mutate(t, a)
	mutate(t, b)
	wantStatus(t, b.plain(t, call{method: "PUT", path: "/__fake/state", body: getState(t, b, "").Body}), 204)
	groups := "/api/organizations/" + acmeID + "/groups/"
	ra := a.do(t, call{method: "POST", path: groups, token: acmeAdmin, body: map[string]string{"name": "After"}})
	rb := b.do(t, call{method: "POST", path: groups, token: acmeAdmin, body: map[string]string{"name": "After"}})
	if !bytes.Equal(ra.Body, rb.Body) {
		t.Errorf("write after a round trip %s, without %s", rb.Body, ra.Body)
	}
}

func TestStateLoad(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	fixture := `
organizations:
  - id: 0c000000-0000-4000-8000-000000000003
    name: Initech
    verified_domains: [initech.test]
    members:
      - {email: bill@initech.test, role: admin, token: bill-token}
    groups:
      - {name: TPS, members: [bill@initech.test, milton@initech.test]}
`
	wantStatus(t, s.plain(t, call{method: "PUT", path: "/__fake/state", body: fixture, headers: map[string]string{"Content-Type": "application/yaml"}}), 204)
	var orgs []fake.Organization
	s.do(t, call{method: "GET", path: "/api/organizations/", token: "bill-token"}).decode(t, &orgs)
	if len(orgs) != 1 || orgs[0].Name != "Initech" || orgs[0].Members[0].User.Name != "Bill" {
		t.Errorf("organizations %+v", orgs)
	}
	wantStatus(t, s.do(t, call{method: "GET", path: "/api/me/", token: acmeAdmin}), 401)
	var groups []fake.Group
	s.do(t, call{method: "GET", path: "/api/organizations/0c000000-0000-4000-8000-000000000003/groups/", token: "bill-token"}).decode(t, &groups)
	if len(groups) != 1 || groups[0].NumMembers != 2 {
		t.Errorf("groups %+v", groups)
	}
	wantStatus(t, s.plain(t, call{method: "PUT", path: "/__fake/state", body: `{"organizations": []}`}), 204)
	wantStatus(t, s.do(t, call{method: "GET", path: "/api/me/", token: "bill-token"}), 401)
	s.Server.Reset()
	wantStatus(t, s.do(t, call{method: "GET", path: "/api/me/", token: acmeAdmin}), 200)
}

func TestStateLoadInvalid(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	mutate(t, s)
	before := getState(t, s, "")
	cases := []struct {
		name   string
		body   string
		detail string // a part of the detail that names the problem
	}{
		{"error/empty", "", "the fixture is empty"},
		{"error/not-yaml", "organizations: [", "line 1"},
		{"error/unknown-field", `{"organizations": [{"name": "X", "colour": "red"}]}`, `"colour"`},
		{"error/unknown-role", "organizations: [{name: X, members: [{email: a@x.test, role: boss}]}]", `unknown role "boss"`},
		{"error/no-name", `{"organizations": [{"id": "0c000000-0000-4000-8000-000000000003"}]}`, "organizations[0]: name is required"},
		{"error/duplicate-group", "organizations: [{name: X, groups: [{name: G}, {name: G}]}]", "groups[1] (G)"},
		{"error/ineligible-member", "organizations: [{name: X, groups: [{name: G, members: [a@elsewhere.test]}]}]", "a@elsewhere.test is not a member of the team"},
		{"error/duplicate-token", "organizations: [{name: X, members: [{email: a@x.test, token: t}, {email: b@x.test, token: t}]}]", `token "t" is already the token of a@x.test`},
		{"error/user-twice", `{"users": [{"email": "a@x.test"}, {"email": "A@x.test"}]}`, "users[1] (A@x.test): A@x.test is listed twice in users"},
		{"error/user-unknown-field", `{"organizations": [], "users": [{"email": "a@x.test", "role": 2}]}`, `users[0] (a@x.test): unknown key "role"`},
		{"error/second-is-bad", `{"organizations": [{"name": "Fine"}, {"name": "Fine"}]}`, `another organization is named "Fine"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := s.plain(t, call{method: "PUT", path: "/__fake/state", body: tc.body})
			wantStatus(t, r, 400)
			detail := r.detail(t)
			if !strings.HasPrefix(detail, "Invalid state: ") || !strings.Contains(detail, tc.detail) {
				t.Errorf("detail %q, want it to name %q", detail, tc.detail)
			}
			if after := getState(t, s, ""); !bytes.Equal(after.Body, before.Body) {
				t.Error("a refused state changed the data")
			}
		})
	}
	t.Run("go-api", func(t *testing.T) {
		err := s.Server.LoadState(fake.Fixture{Organizations: []fake.FixtureOrganization{{Name: ""}}})
		if err == nil || err.Error() != "organizations[0]: name is required" {
			t.Errorf("LoadState: %v", err)
		}
		if after := getState(t, s, ""); !bytes.Equal(after.Body, before.Body) {
			t.Error("a refused state changed the data")
		}
	})
}

// TestStateYAMLNumbers: numbers that came in JSON bodies are YAML numbers in
// the YAML state, not strings.
func TestStateYAMLNumbers(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	mutate(t, s)
	var doc struct {
		Organizations []struct {
			Campaigns []struct {
				Name    string
				Members []struct {
					Email string
					Data  map[string]any
				}
			}
		}
	}
	if err := yaml.Unmarshal(getState(t, s, "application/yaml").Body, &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range doc.Organizations[0].Campaigns {
		if c.Name != "RT Campaign" {
			continue
		}
		data := c.Members[0].Data
		if data["n"] != 1.5 || data["big"] != 12345678901234 || data["yes"] != "true" || data["when"] != "2026-01-01" {
			t.Errorf("data %#v", data)
		}
		return
	}
	t.Error("no RT Campaign in the state")
}

// TestStateRoundTripEdges are round trips of states that seeding alone
// never makes: a user in no team, a campaign member who left the team, and
// new ids after a server starts on a state.
func TestStateRoundTripEdges(t *testing.T) {
	t.Parallel()
	t.Run("user-without-team", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		deleteMembership(t, s, acmeID, "rae@acme.test")
		before := s.do(t, call{method: "GET", path: "/api/me/", token: acmeRestricted})
		wantStatus(t, before, 200)
		state := getState(t, s, "")
		f, err := fake.ParseFixture(state.Body)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Users) != 1 || f.Users[0].Email != "rae@acme.test" || f.Users[0].Token != acmeRestricted || f.Users[0].UserID == "" || f.Users[0].DateJoined == nil {
			t.Fatalf("users %+v, want rae alone, spelled out", f.Users)
		}
		for _, m := range f.Organizations[0].Members {
			if m.Email == "rae@acme.test" {
				t.Errorf("rae is still listed in %s", f.Organizations[0].Name)
			}
		}
		check := func(t *testing.T, s *apiServer, what string) {
			t.Helper()
			after := s.do(t, call{method: "GET", path: "/api/me/", token: acmeRestricted})
			if after.Status != before.Status || !bytes.Equal(after.Body, before.Body) {
				t.Errorf("%s: GET /api/me/ of a team-less user: %d %s, before the round trip %d %s", what, after.Status, after.Body, before.Status, before.Body)
			}
		}
		for _, accept := range []string{"", "application/yaml"} {
			body := getState(t, s, accept).Body
			wantStatus(t, s.plain(t, call{method: "PUT", path: "/__fake/state", body: body, headers: map[string]string{"Content-Type": contentType(accept)}}), 204)
			check(t, s, "PUT "+contentType(accept))
			if again := getState(t, s, ""); !bytes.Equal(again.Body, state.Body) {
				t.Errorf("PUT %s: the state changed over a round trip:\n%s\nwant\n%s", contentType(accept), again.Body, state.Body)
			}
		}
		check(t, newAPIServer(t, fake.WithFixtures(*f)), "WithFixtures")
		check(t, newAPIServer(t, fake.WithFixtureFile(writeFixtureFile(t, "state.json", string(state.Body)))), "WithFixtureFile")
	})
	t.Run("campaign-member-no-longer-eligible", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		cm := "/api/organizations/" + acmeID + "/campaigns/" + q1CampaignID + "/members/"
		wantStatus(t, s.do(t, call{method: "POST", path: cm, token: acmeAdmin, body: `[{"email": "sam@consult.test", "data": {"Location": "Remote"}}]`}), 201)
		deleteMembership(t, s, acmeID, "sam@consult.test")
		before := s.do(t, call{method: "GET", path: cm, token: acmeAdmin})
		wantStatus(t, before, 200)
		if !bytes.Contains(before.Body, []byte(`"email":"sam@consult.test"`)) || !bytes.Contains(before.Body, []byte(`"account":null`)) {
			t.Fatalf("the API dropped sam or kept an account: %s", before.Body)
		}
		state := getState(t, s, "")
		wantStatus(t, s.plain(t, call{method: "PUT", path: "/__fake/state", body: state.Body}), 204)
		if after := s.do(t, call{method: "GET", path: cm, token: acmeAdmin}); !bytes.Equal(after.Body, before.Body) {
			t.Errorf("campaign members after the round trip\n%s\nwant\n%s", after.Body, before.Body)
		}
		f, err := fake.ParseFixture(state.Body)
		if err != nil {
			t.Fatal(err)
		}
		fresh := newAPIServer(t, fake.WithFixtures(*f))
		if after := fresh.do(t, call{method: "GET", path: cm, token: acmeAdmin}); !bytes.Equal(after.Body, before.Body) {
			t.Errorf("campaign members on a server started on the state\n%s\nwant\n%s", after.Body, before.Body)
		}
	})
	t.Run("new-server-ids-unique", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		state := s.Server.State()
		fresh := newAPIServer(t, fake.WithFixtures(state))
		var g fake.Group
		r := fresh.do(t, call{method: "POST", path: "/api/organizations/" + acmeID + "/groups/", token: acmeAdmin, body: map[string]string{"name": "New"}})
		wantStatus(t, r, 201)
		r.decode(t, &g)
		stateJSON, _ := json.Marshal(state)
		if g.ID == "" || bytes.Contains(stateJSON, []byte(g.ID)) {
			t.Errorf("new group id %q is already an id of the state", g.ID)
		}
	})
}

// deleteMembership removes a person from a team through the API.
func deleteMembership(t testing.TB, s *apiServer, orgID, email string) {
	t.Helper()
	var members []fake.Membership
	s.do(t, call{method: "GET", path: "/api/organizations/" + orgID + "/memberships/?q=" + email, token: acmeAdmin}).decode(t, &members)
	if len(members) != 1 || members[0].User.Email != email {
		t.Fatalf("memberships of %s: %+v", email, members)
	}
	wantStatus(t, s.do(t, call{method: "DELETE", path: fmt.Sprintf("/api/memberships/%d/", members[0].ID), token: acmeAdmin}), 204)
}

// contentType is the request Content-Type for a state read with accept.
func contentType(accept string) string {
	if accept == "" {
		return "application/json"
	}
	return accept
}
