package fake_test

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// asAPIServer lets the harness's do drive a TestServer.
func asAPIServer(ts *fake.TestServer) *apiServer {
	client := ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &apiServer{URL: ts.URL, Server: ts.Server, client: client}
}

func memberEmails(list []fake.Membership) []string {
	var out []string
	for _, m := range list {
		out = append(out, m.User.Email)
	}
	return out
}

func helperGroupEmails(list []fake.GroupMembership) []string {
	var out []string
	for _, m := range list {
		out = append(out, m.Email)
	}
	return out
}

func TestHelpersAddTeam(t *testing.T) {
	t.Parallel()
	ts := fake.NewTestServer(t)
	team, err := ts.AddTeam(fake.FixtureOrganization{
		ID:              "0C000000-0000-4000-8000-000000000003",
		Name:            "Initech",
		VerifiedDomains: []string{"initech.test"},
		Members: []fake.FixtureMember{
			{Email: "bill@initech.test", Name: "Bill Lumbergh", Role: fake.RoleAdmin, Token: "bill-token"},
			{Email: "sam@consult.test", Role: fake.RoleMember},
		},
		Groups: []fake.FixtureGroup{{Name: "TPS", Members: []fake.FixtureGroupMember{{Email: "bill@initech.test"}}}},
	})
	if err != nil {
		t.Fatalf("AddTeam: %v", err)
	}
	if team.ID != "0c000000-0000-4000-8000-000000000003" || team.Name != "Initech" || team.DefaultRole != fake.RoleRestricted {
		t.Errorf("AddTeam = %+v", team)
	}
	if got := memberEmails(team.Members); !slices.Equal(got, []string{"bill@initech.test", "sam@consult.test"}) {
		t.Errorf("members = %v", got)
	}
	// Sam is one user in every team: the id he has in Acme.
	acme, err := ts.Memberships(acmeID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range acme {
		if m.User.Email == "sam@consult.test" && m.User.ID != team.Members[1].User.ID {
			t.Errorf("Sam's id in Initech %s, in Acme %s", team.Members[1].User.ID, m.User.ID)
		}
	}
	// The new member's token works over HTTP, and strict mode passes the answer.
	s := asAPIServer(ts)
	r := s.do(t, call{method: "GET", path: "/api/organizations/", token: "bill-token"})
	var orgs []fake.Organization
	r.decode(t, &orgs)
	if r.Status != http.StatusOK || len(orgs) != 1 || orgs[0].ID != team.ID {
		t.Errorf("GET /api/organizations/ as Bill: %d %s", r.Status, r.Body)
	}
	var names []string
	for _, o := range ts.Teams() {
		names = append(names, o.Name)
	}
	if !slices.Equal(names, []string{"Acme Corp", "Globex", "Initech"}) {
		t.Errorf("Teams = %v", names)
	}
	groups, err := ts.Groups(team.ID)
	if err != nil || len(groups) != 1 || groups[0].Name != "TPS" || groups[0].NumMembers != 1 {
		t.Errorf("Groups = %+v, %v", groups, err)
	}
	ts.Reset()
	if got := len(ts.Teams()); got != 2 {
		t.Errorf("after Reset, %d teams; want the 2 of the fixture", got)
	}
}

func TestHelpersAddMember(t *testing.T) {
	t.Parallel()
	ts := fake.NewTestServer(t)
	before, err := ts.Memberships(acmeID)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ts.AddMember(acmeID, fake.FixtureMember{Email: "zoe@acme.test", Name: "Zoe", Role: fake.RoleManager, Token: "zoe-token"})
	if err != nil {
		t.Fatalf("AddMember: %v", err)
	}
	// 32 people in Acme and 2 in Globex hold ids 1 to 34.
	if m.ID != 35 || m.Role != fake.RoleManager || m.User.Email != "zoe@acme.test" || m.User.Name != "Zoe" || len(m.Groups) != 0 {
		t.Errorf("AddMember = %+v", m)
	}
	if ts.Tokens()["zoe@acme.test"] != "zoe-token" {
		t.Errorf("Tokens has no zoe-token: %v", ts.Tokens())
	}
	s := asAPIServer(ts)
	r := s.do(t, call{method: "GET", path: "/api/me/", token: "zoe-token"})
	var me fake.Me
	r.decode(t, &me)
	if r.Status != http.StatusOK || me.Email != "zoe@acme.test" || me.ID != m.User.ID {
		t.Errorf("GET /api/me/ as Zoe: %d %s", r.Status, r.Body)
	}
	after, _ := ts.Memberships(acmeID)
	if len(after) != len(before)+1 || after[len(after)-1].ID != 35 {
		t.Errorf("Acme has %d memberships, last %d; want %d, last 35", len(after), after[len(after)-1].ID, len(before)+1)
	}
	// Hank of Globex joins Acme as the same user.
	hank, err := ts.AddMember(acmeID, fake.FixtureMember{Email: "hank@globex.test", Name: "Hank Admin"})
	if err != nil {
		t.Fatalf("AddMember hank: %v", err)
	}
	globex, _ := ts.Memberships(globexID)
	if hank.Role != fake.RoleRestricted || hank.User.ID != globex[0].User.ID || hank.ID != 36 {
		t.Errorf("hank in Acme = %+v; want role 4, id 36, user %s", hank, globex[0].User.ID)
	}
}

func TestHelpersErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		do   func(*fake.TestServer) error
		want string
	}{
		{"add-member/invalid-email", func(ts *fake.TestServer) error {
			_, err := ts.AddMember(acmeID, fake.FixtureMember{Email: "not an email"})
			return err
		}, `AddMember "not an email": email "not an email" is not a valid address`},
		{"add-member/twice", func(ts *fake.TestServer) error {
			_, err := ts.AddMember(acmeID, fake.FixtureMember{Email: "ada@acme.test"})
			return err
		}, `AddMember "ada@acme.test": ada@acme.test is listed twice in the team`},
		{"add-member/contradicts-name", func(ts *fake.TestServer) error {
			_, err := ts.AddMember(globexID, fake.FixtureMember{Email: "ada@acme.test", Name: "Ada Other"})
			return err
		}, `AddMember "ada@acme.test": name "Ada Other" differs from "Ada Admin", the name this user has in the server's data (the same email is one user)`},
		{"add-member/membership-id-taken", func(ts *fake.TestServer) error {
			_, err := ts.AddMember(acmeID, fake.FixtureMember{Email: "new@acme.test", MembershipID: 1})
			return err
		}, `AddMember "new@acme.test": membership id 1 is used twice`},
		{"add-member/unknown-team", func(ts *fake.TestServer) error {
			_, err := ts.AddMember("0f000000-0000-4000-8000-000000000000", fake.FixtureMember{Email: "x@acme.test"})
			return err
		}, `AddMember "x@acme.test": no team 0f000000-0000-4000-8000-000000000000: not found`},
		{"add-group/ineligible", func(ts *fake.TestServer) error {
			_, err := ts.AddGroup(acmeID, "Outsiders", "ada@acme.test", "eve@evil.test")
			return err
		}, `AddGroup "Outsiders": members[1] (eve@evil.test): eve@evil.test is not a member of the team and its domain is not one of the team's verified_domains`},
		{"add-group/duplicate-name", func(ts *fake.TestServer) error {
			_, err := ts.AddGroup(acmeID, "Sales")
			return err
		}, `AddGroup "Sales": name: A group with this name already exists in this team.`},
		{"add-team/duplicate-name", func(ts *fake.TestServer) error {
			_, err := ts.AddTeam(fake.FixtureOrganization{Name: "Globex"})
			return err
		}, `AddTeam "Globex": another organization is named "Globex"`},
		{"add-team/bad-member", func(ts *fake.TestServer) error {
			_, err := ts.AddTeam(fake.FixtureOrganization{Name: "Initech", Members: []fake.FixtureMember{{Email: "a@initech.test"}, {Email: "@"}}})
			return err
		}, `AddTeam "Initech": members[1] (@): email "@" is not a valid address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := fake.NewTestServer(t)
			before := ts.State()
			err := tt.do(ts)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error = %v; want %s", err, tt.want)

			}
			if !bytes.Equal(mustJSON(t, ts.State()), mustJSON(t, before)) {
				t.Errorf("a refused write changed the data")
			}
		})
	}
}

func TestHelpersGroupsAndCampaigns(t *testing.T) {
	t.Parallel()
	ts := fake.NewTestServer(t)
	g, err := ts.AddGroup(strings.ToUpper(acmeID), "Billing", "mel@acme.test", "pending@acme.test")
	if err != nil {
		t.Fatalf("AddGroup: %v", err)
	}
	if g.Name != "Billing" || g.NumMembers != 2 {
		t.Errorf("AddGroup = %+v", g)
	}
	members, err := ts.GroupMembers(g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := helperGroupEmails(members); !slices.Equal(got, []string{"mel@acme.test", "pending@acme.test"}) {
		t.Errorf("GroupMembers = %v", got)
	}
	if members[0].User == nil || members[0].User.Name != "Mel Member" || members[1].User != nil {
		t.Errorf("GroupMembers users = %+v, %+v; want Mel, then pending (nil)", members[0].User, members[1].User)
	}
	support, err := ts.GroupMembers(supportGroupID)
	if err != nil {
		t.Fatal(err)
	}
	if got := helperGroupEmails(support); !slices.Equal(got, []string{"ada@acme.test", "mel@acme.test", "rae@acme.test", "new.hire@acme.test"}) {
		t.Errorf("Support Agents = %v", got)
	}
	// What a helper returns is a copy.
	support[0].Email = "changed@acme.test"
	again, _ := ts.GroupMembers(supportGroupID)
	if again[0].Email != "ada@acme.test" {
		t.Errorf("changing a returned value changed the data: %s", again[0].Email)
	}
	cm, err := ts.CampaignMembers(acmeID, q1CampaignID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cm) != 2 || cm[0].Email != "mel@acme.test" || cm[0].Data["Location"] != "New York, NY" || cm[1].Account != nil {
		t.Errorf("CampaignMembers = %+v", cm)
	}
	campaigns, err := ts.Campaigns(globexID)
	if err != nil || len(campaigns) != 1 || campaigns[0].ID != pilotCampaignID {
		t.Errorf("Campaigns(Globex) = %+v, %v", campaigns, err)
	}
	for name, err := range map[string]error{
		"group":    second(ts.GroupMembers("0f000000-0000-4000-8000-000000000000")),
		"campaign": second(ts.CampaignMembers(globexID, q1CampaignID)), // Acme's campaign
		"team":     second(ts.Team("nope")),
	} {
		if !errors.Is(err, fake.ErrNotFound) {
			t.Errorf("%s: error %v; want ErrNotFound", name, err)
		}
	}
	// Over HTTP, the group is there with its members.
	s := asAPIServer(ts)
	r := s.do(t, call{method: "GET", path: "/api/groups/" + g.ID + "/memberships/", token: acmeAdmin})
	var listed []fake.GroupMembership
	r.decode(t, &listed)
	if got := helperGroupEmails(listed); !slices.Equal(got, []string{"mel@acme.test", "pending@acme.test"}) {
		t.Errorf("GET memberships of the new group: %d %s", r.Status, r.Body)
	}
}

func second[T any](_ T, err error) error { return err }

// BenchmarkAddMember is the cost of one helper write on the same data each
// time (a Reset, not timed, between writes); BenchmarkHelperWrites compares
// team sizes.
func BenchmarkAddMember(b *testing.B) {
	big := fake.Fixture{Organizations: []fake.FixtureOrganization{{
		ID: "0c000000-0000-4000-8000-000000000003", Name: "Big", VerifiedDomains: []string{"big.test"},
		Generate: &fake.FixtureGenerate{Members: 10_000},
		Members:  []fake.FixtureMember{{Email: "admin@big.test", Role: fake.RoleAdmin}},
	}}}
	for _, c := range []struct {
		name   string
		teamID string
		opts   []fake.Option
	}{
		{"default", acmeID, nil},
		{"members-10000", "0c000000-0000-4000-8000-000000000003", []fake.Option{fake.WithFixtures(big)}},
	} {
		b.Run(c.name, func(b *testing.B) {
			srv, err := fake.New(c.opts...)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := srv.AddMember(c.teamID, fake.FixtureMember{Email: "new@big.test"}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				srv.Reset() // the same data for every write
				b.StartTimer()
			}
		})
	}
}
