package fake_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// TestAPICaps: creating groups, campaigns and group memberships through the
// API stops at its cap with a 400 that names it; deleting makes room again.
func TestAPICaps(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	st := s.Server.State()
	groups, campaigns, gms := 0, 0, 0
	for _, o := range st.Organizations {
		groups += len(o.Groups)
		campaigns += len(o.Campaigns)
		for _, g := range o.Groups {
			gms += len(g.Members)
		}
	}
	fake.SetAPICapsForTest(s.Server, groups+1, campaigns+1, gms+1)
	orgGroups := "/api/organizations/" + acmeID + "/groups/"
	orgCampaigns := "/api/organizations/" + acmeID + "/campaigns/"
	var g fake.Group
	s.do(t, call{method: "POST", path: orgGroups, token: acmeAdmin, body: `{"name": "One more"}`}).decode(t, &g)
	wantStatus(t, s.do(t, call{method: "POST", path: orgCampaigns, token: acmeAdmin, body: `{"name": "One more"}`}), 201)
	members := "/api/groups/" + g.ID + "/memberships/"
	wantStatus(t, s.do(t, call{method: "POST", path: members, token: acmeAdmin, accept: v2, body: `{"email": "max@acme.test"}`}), 201)
	full := func(n int, what string) string {
		return fmt.Sprintf(`{"detail": "The fake holds at most %d %s over all teams, and holds %d; delete some first."}`, n, what, n)
	}
	tests := []struct {
		name string
		call call
		want string
	}{
		{"group", call{method: "POST", path: orgGroups, token: acmeAdmin, body: `{"name": "Too many"}`}, full(groups+1, "groups")},
		{"campaign", call{method: "POST", path: orgCampaigns, token: acmeAdmin, body: `{"name": "Too many"}`}, full(campaigns+1, "campaigns")},
		{"group membership", call{method: "POST", path: members, token: acmeAdmin, accept: v2, body: `{"email": "dev@acme.test"}`}, full(gms+1, "group memberships")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do(t, tt.call)
			wantStatus(t, r, 400)
			wantJSON(t, r, tt.want)
		})
	}
	wantStatus(t, s.do(t, call{method: "DELETE", path: "/api/groups/" + g.ID + "/", token: acmeAdmin}), 204)
	wantStatus(t, s.do(t, call{method: "POST", path: orgGroups, token: acmeAdmin, body: `{"name": "Room again"}`}), 201)
}

// capStep is one request of a cap's story, and the status it must answer.
type capStep struct {
	call   call
	status int
}

// TestMoreAPICaps: teams, campaign members, invitations, service accounts
// and deployment keys, users and a user's milestones stop at their caps
// with a 400 that names the cap; the refused write changes nothing (a list
// is refused whole); where there is a delete, deleting makes room again.
func TestMoreAPICaps(t *testing.T) {
	t.Parallel()
	full := func(n int, what string) string {
		return fmt.Sprintf(`{"detail": "The fake holds at most %d %s over all teams, and holds %d; delete some first."}`, n, what, n)
	}
	created := func(c call) capStep { return capStep{c, 201} }
	tests := []struct {
		name string
		caps func(have fake.MoreAPICaps) fake.MoreAPICaps
		// setup reaches the cap; refused goes past it; room makes room
		// (nil: nothing to delete) and again must then succeed.
		setup   func(s *apiServer) []capStep
		refused func(s *apiServer) []call
		want    func(have fake.MoreAPICaps) string
		room    func(s *apiServer) []capStep
	}{
		{
			name: "teams",
			caps: func(h fake.MoreAPICaps) fake.MoreAPICaps { return fake.MoreAPICaps{Teams: h.Teams + 1} },
			setup: func(*apiServer) []capStep {
				return []capStep{created(call{method: "POST", path: "/api/organizations/", token: acmeAdmin, body: `{"name": "One more"}`})}
			},
			refused: func(*apiServer) []call {
				return []call{{method: "POST", path: "/api/organizations/", token: samToken, body: `{"name": "Too many"}`}}
			},
			want: func(h fake.MoreAPICaps) string { return full(h.Teams+1, "teams") },
			room: func(s *apiServer) []capStep {
				return []capStep{
					{call{method: "DELETE", path: "/api/organizations/" + lastTeamID(t, s) + "/", token: acmeAdmin}, 204},
					created(call{method: "POST", path: "/api/organizations/", token: samToken, body: `{"name": "Room again"}`}),
				}
			},
		},
		{
			// Two of the three addresses are new: the list is refused whole,
			// by a POST and by a PUT; a PUT that swaps one member for
			// another does not grow, and passes.
			name: "campaign members",
			caps: func(h fake.MoreAPICaps) fake.MoreAPICaps {
				return fake.MoreAPICaps{CampaignMembers: h.CampaignMembers + 1}
			},
			setup: func(*apiServer) []capStep {
				return []capStep{{call{method: "POST", path: q1Path + "members/", token: acmeAdmin, accept: v2, body: `[{"email": "one@acme.test", "data": {}}]`}, 201}}
			},
			refused: func(*apiServer) []call {
				two := `[{"email": "one@acme.test", "data": {"n": 1}}, {"email": "two@acme.test", "data": {}}, {"email": "TWO@acme.test", "data": {}}]`
				return []call{
					{method: "POST", path: q1Path + "members/", token: acmeAdmin, accept: v2, body: two},
					{method: "PUT", path: q1Path + "members/", token: acmeAdmin, accept: v2, body: `[{"email": "mel@acme.test", "data": {}}, {"email": "new.hire@acme.test", "data": {}}, {"email": "one@acme.test", "data": {}}, {"email": "two@acme.test", "data": {}}]`},
				}
			},
			want: func(h fake.MoreAPICaps) string { return full(h.CampaignMembers+1, "campaign members") },
			room: func(*apiServer) []capStep {
				return []capStep{{call{method: "PUT", path: q1Path + "members/", token: acmeAdmin, accept: v2, body: `[{"email": "mel@acme.test", "data": {}}, {"email": "new.hire@acme.test", "data": {}}, {"email": "two@acme.test", "data": {}}]`}, 200}}
			},
		},
		{
			name: "invitations",
			caps: func(h fake.MoreAPICaps) fake.MoreAPICaps { return fake.MoreAPICaps{Invitations: h.Invitations + 1} },
			setup: func(*apiServer) []capStep {
				return []capStep{created(call{method: "POST", path: acmeInvitations, token: acmeAdmin, accept: v2, body: `{"email": "one@x.test"}`})}
			},
			refused: func(*apiServer) []call {
				return []call{
					{method: "POST", path: acmeInvitations, token: acmeAdmin, accept: v2, body: `{"email": "two@x.test"}`},
					{method: "POST", path: acmeInvitations, token: acmeAdmin, accept: v2, body: `[{"email": "two@x.test"}, {"email": "three@x.test"}]`},
				}
			},
			want: func(h fake.MoreAPICaps) string { return full(h.Invitations+1, "pending invitations") },
			room: func(s *apiServer) []capStep {
				var invs []fake.PendingInvitation
				s.do(t, call{method: "GET", path: acmeInvitations, token: acmeAdmin}).decode(t, &invs)
				return []capStep{
					{call{method: "DELETE", path: acmeInvitations + invs[len(invs)-1].ID + "/", token: acmeAdmin}, 204},
					created(call{method: "POST", path: acmeInvitations, token: acmeAdmin, accept: v2, body: `{"email": "two@x.test"}`}),
				}
			},
		},
		{
			name: "service accounts and deployment keys",
			caps: func(h fake.MoreAPICaps) fake.MoreAPICaps { return fake.MoreAPICaps{Keys: h.Keys + 1} },
			setup: func(*apiServer) []capStep {
				return []capStep{created(call{method: "POST", path: acmeServiceAccounts, token: acmeAdmin, body: `{"name": "One more"}`})}
			},
			refused: func(*apiServer) []call {
				return []call{
					{method: "POST", path: acmeServiceAccounts, token: acmeAdmin, body: `{"name": "Too many"}`},
					{method: "POST", path: acmeDeploymentKeys, token: acmeAdmin, body: `{"name": "Too many"}`},
				}
			},
			want: func(h fake.MoreAPICaps) string { return full(h.Keys+1, "service accounts and deployment keys") },
			room: func(s *apiServer) []capStep {
				var accounts []fake.ServiceAccount
				s.do(t, call{method: "GET", path: acmeServiceAccounts, token: acmeAdmin}).decode(t, &accounts)
				id := ""
				for _, a := range accounts {
					if a.Name == "One more" {
						id = a.ID
					}
				}
				return []capStep{
					{call{method: "DELETE", path: acmeServiceAccounts + id + "/", token: acmeAdmin}, 204},
					created(call{method: "POST", path: acmeDeploymentKeys, token: acmeAdmin, body: `{"name": "Room again"}`}),
				}
			},
		},
		{
			name: "users",
			caps: func(h fake.MoreAPICaps) fake.MoreAPICaps { return fake.MoreAPICaps{Users: h.Users + 1} },
			setup: func(*apiServer) []capStep {
				return []capStep{created(call{method: "POST", path: "/__fake/users", body: `{"email": "one@x.test"}`})}
			},
			refused: func(*apiServer) []call {
				return []call{{method: "POST", path: "/__fake/users", body: `{"email": "two@x.test"}`}}
			},
			want: func(h fake.MoreAPICaps) string { return full(h.Users+1, "users") },
			room: func(s *apiServer) []capStep {
				return []capStep{
					{call{method: "DELETE", path: "/api/me/", token: acmeRestricted}, 204},
					created(call{method: "POST", path: "/__fake/users", body: `{"email": "two@x.test"}`}),
				}
			},
		},
		{
			// No delete: recording a key again is what stays possible.
			name: "milestones",
			caps: func(fake.MoreAPICaps) fake.MoreAPICaps { return fake.MoreAPICaps{MilestonesPerUser: 2} },
			setup: func(*apiServer) []capStep {
				return []capStep{
					created(call{method: "POST", path: "/api/me/milestones/", token: acmeRestricted, body: `{"key": "first"}`}),
					created(call{method: "POST", path: "/api/me/milestones/", token: acmeRestricted, body: `{"key": "second"}`}),
				}
			},
			refused: func(*apiServer) []call {
				return []call{{method: "POST", path: "/api/me/milestones/", token: acmeRestricted, body: `{"key": "third"}`}}
			},
			want: func(fake.MoreAPICaps) string {
				return `{"detail": "The fake records at most 2 milestones per user, and this user has 2; record one of them again instead."}`
			},
			room: func(*apiServer) []capStep {
				return []capStep{
					created(call{method: "POST", path: "/api/me/milestones/", token: acmeRestricted, body: `{"key": "first", "metadata": {"again": true}}`}),
					created(call{method: "POST", path: "/api/me/milestones/", token: samToken, body: `{"key": "third"}`}),
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			have := fake.APICountsForTest(s.Server)
			fake.SetMoreAPICapsForTest(s.Server, tt.caps(have))
			runCapSteps(t, s, tt.setup(s))
			before := stateJSON(t, s)
			for _, c := range tt.refused(s) {
				r := capCall(t, s, c)
				wantStatus(t, r, 400)
				wantJSON(t, r, tt.want(have))
			}
			if after := stateJSON(t, s); after != before {
				t.Errorf("a refused write changed the state:\nbefore %s\nafter  %s", before, after)
			}
			runCapSteps(t, s, tt.room(s))
		})
	}
}

// TestGroupMembershipCapReplace: a PUT of a group's members counts what it
// adds beyond what the group holds; one that does not grow passes at the cap.
func TestGroupMembershipCapReplace(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	gms := 0
	for _, o := range s.Server.State().Organizations {
		for _, g := range o.Groups {
			gms += len(g.Members)
		}
	}
	fake.SetAPICapsForTest(s.Server, 0, 0, gms+1)
	var g fake.Group
	s.do(t, call{method: "POST", path: acmeGroups, token: acmeAdmin, body: `{"name": "Capped"}`}).decode(t, &g)
	put := func(body string) call {
		return call{method: "PUT", path: gmPath(g.ID), token: acmeAdmin, accept: v2, body: body}
	}
	wantStatus(t, s.do(t, put(`[{"email": "one@acme.test"}]`)), 200)
	before := stateJSON(t, s)
	r := s.do(t, put(`[{"email": "one@acme.test"}, {"email": "two@acme.test"}]`))
	wantStatus(t, r, 400)
	wantJSON(t, r, fmt.Sprintf(`{"detail": "The fake holds at most %d group memberships over all teams, and holds %d; delete some first."}`, gms+1, gms+1))
	if after := stateJSON(t, s); after != before {
		t.Errorf("a refused write changed the state:\nbefore %s\nafter  %s", before, after)
	}
	wantStatus(t, s.do(t, put(`[{"email": "two@acme.test"}]`)), 200)
}

// TestAddUserCap: the Go AddUser stops at the users' cap too.
func TestAddUserCap(t *testing.T) {
	t.Parallel()
	srv, err := fake.New()
	if err != nil {
		t.Fatal(err)
	}
	have := fake.APICountsForTest(srv)
	fake.SetMoreAPICapsForTest(srv, fake.MoreAPICaps{Users: have.Users + 1})
	if _, _, err := srv.AddUser("one@x.test", "One"); err != nil {
		t.Fatalf("AddUser under the cap: %v", err)
	}
	_, _, err = srv.AddUser("two@x.test", "Two")
	if want := fmt.Sprintf("at most %d users", have.Users+1); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("AddUser past the cap: %v, want %q", err, want)
	}
	if got := fake.APICountsForTest(srv).Users; got != have.Users+1 {
		t.Errorf("%d users, want %d", got, have.Users+1)
	}
}

// TestOutboxSizeCap: WithOutboxSize past MaxOutboxSize is an error at
// start, naming the bound.
func TestOutboxSizeCap(t *testing.T) {
	t.Parallel()
	_, err := fake.New(fake.WithFixtures(fake.Fixture{}), fake.WithOutboxSize(fake.MaxOutboxSize+1))
	if err == nil || !strings.Contains(err.Error(), "100000") {
		t.Errorf("New: %v, want the bound named", err)
	}
	if _, err := fake.New(fake.WithFixtures(fake.Fixture{}), fake.WithOutboxSize(fake.MaxOutboxSize)); err != nil {
		t.Errorf("New at the bound: %v", err)
	}
}

func runCapSteps(t *testing.T, s *apiServer, steps []capStep) {
	t.Helper()
	for _, step := range steps {
		r := capCall(t, s, step.call)
		if r.Status != step.status {
			t.Fatalf("%s %s: %d %s, want %d", step.call.method, step.call.path, r.Status, r.Body, step.status)
		}
	}
}

// stateJSON is the whole state, to tell that a write changed nothing.
func stateJSON(t *testing.T, s *apiServer) string {
	t.Helper()
	data, err := json.Marshal(s.Server.State())
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// lastTeamID is the id of the team made last (by name "One more").
func lastTeamID(t *testing.T, s *apiServer) string {
	t.Helper()
	for _, o := range s.Server.State().Organizations {
		if o.Name == "One more" {
			return o.ID
		}
	}
	t.Fatal("no team One more")
	return ""
}

// capCall sends c, checked against the API's contract or the control
// plane's, by its path.
func capCall(t *testing.T, s *apiServer, c call) *response {
	t.Helper()
	if strings.HasPrefix(c.path, "/__fake/") {
		return s.plain(t, c)
	}
	return s.do(t, c)
}

// TestMembershipCapOnAccept: accepting an invitation stops at the team
// memberships' cap with a 400 naming it; the invitation stays pending, and
// removing a member makes room.
func TestMembershipCapOnAccept(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	var invs []fake.PendingInvitation
	s.do(t, call{method: "POST", path: acmeInvitations, token: acmeAdmin, accept: v2,
		body: `[{"email": "one@x.test"}, {"email": "two@x.test"}]`}).decode(t, &invs)
	one, two := newUser(t, s, "one@x.test", "One"), newUser(t, s, "two@x.test", "Two")
	have := fake.APICountsForTest(s.Server)
	fake.SetMoreAPICapsForTest(s.Server, fake.MoreAPICaps{Memberships: have.Memberships + 1})
	accept := func(inv fake.PendingInvitation, token string) call {
		return call{method: "POST", path: "/api/invitations/" + inv.ID + "/accept/", token: token, accept: v2}
	}
	wantStatus(t, s.do(t, accept(invs[0], one.Token)), 201)
	var joined []fake.Membership
	s.do(t, call{method: "GET", path: acmeMemberships + "?q=one@x.test", token: acmeAdmin}).decode(t, &joined)
	if len(joined) != 1 {
		t.Fatalf("members found by one@x.test: %+v", joined)
	}
	before := stateJSON(t, s)
	r := s.do(t, accept(invs[1], two.Token))
	wantStatus(t, r, 400)
	wantJSON(t, r, fmt.Sprintf(`{"detail": "The fake holds at most %d team memberships over all teams, and holds %d; delete some first."}`, have.Memberships+1, have.Memberships+1))
	if after := stateJSON(t, s); after != before {
		t.Errorf("a refused accept changed the state:\nbefore %s\nafter  %s", before, after)
	}
	wantStatus(t, s.do(t, call{method: "DELETE", path: fmt.Sprintf("/api/memberships/%d/", joined[0].ID), token: acmeAdmin}), 204)
	wantStatus(t, s.do(t, accept(invs[1], two.Token)), 201)
}
