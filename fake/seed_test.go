package fake_test

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// generatedFixture is a team with fixed ids and a known admin, plus
// generated people, groups and campaigns.
const generatedFixture = `organizations:
  - id: 0f000000-0000-4000-8000-000000000001
    name: Gen Corp
    verified_domains: [gen.test]
    generate: {members: 250, groups: 7, campaigns: 3}
    members:
      - {email: boss@gen.test, name: Gen Boss, role: admin, token: gen-admin}
    groups:
      - {id: 0f000000-0000-4000-8000-00000000a001, name: Fixed Group, members: [boss@gen.test]}
    campaigns:
      - {id: 0f000000-0000-4000-8000-00000000c001, name: Fixed Campaign, members: [{email: boss@gen.test}]}
  - id: 0f000000-0000-4000-8000-000000000002
    name: No Domain Inc
    generate: {members: 5}
    members:
      - {email: owner@nodomain.test, role: admin, token: nodomain-admin}
`

const (
	genID             = "0f000000-0000-4000-8000-000000000001"
	genFixedGroupID   = "0f000000-0000-4000-8000-00000000a001"
	genFixedCampaign  = "0f000000-0000-4000-8000-00000000c001"
	noDomainID        = "0f000000-0000-4000-8000-000000000002"
	genAdmin          = "gen-admin"
	noDomainAdmin     = "nodomain-admin"
	generatedMembers  = 250
	generatedGroups   = 7
	generatedCampaign = 3
)

func TestGenerate(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, fake.WithFixtureFile(writeFixtureFile(t, "gen.yaml", generatedFixture)), fake.WithSeed(3))

	t.Run("members/count", func(t *testing.T) {
		t.Parallel()
		r := s.do(t, call{method: "GET", path: "/api/organizations/" + genID + "/memberships/?page_size=10", token: genAdmin, accept: v2})
		if got := r.Header.Get("X-Total-Count"); got != strconv.Itoa(generatedMembers+1) {
			t.Errorf("X-Total-Count %q, want %d", got, generatedMembers+1)
		}
	})
	t.Run("members/people", func(t *testing.T) {
		t.Parallel()
		var ms []fake.Membership
		s.do(t, call{method: "GET", path: "/api/organizations/" + genID + "/memberships/", token: genAdmin}).decode(t, &ms)
		emails := map[string]bool{}
		for i, m := range ms {
			if m.ID != i+1 {
				t.Errorf("membership %d has id %d", i, m.ID)
			}
			if !strings.HasSuffix(m.User.Email, "@gen.test") || m.User.Name == "" {
				t.Errorf("generated person %+v: want an email at the team's verified domain and a name", m.User)
			}
			if emails[strings.ToLower(m.User.Email)] {
				t.Errorf("email %s twice", m.User.Email)
			}
			emails[strings.ToLower(m.User.Email)] = true
		}
		var noDomain []fake.Membership
		s.do(t, call{method: "GET", path: "/api/organizations/" + noDomainID + "/memberships/", token: noDomainAdmin}).decode(t, &noDomain)
		if len(noDomain) != 6 {
			t.Fatalf("%d members, want 6", len(noDomain))
		}
		for _, m := range noDomain[1:] {
			if !strings.HasSuffix(m.User.Email, "@nodomaininc.test") {
				t.Errorf("generated %s: want an email at nodomaininc.test, made of the team's name", m.User.Email)
			}
		}
	})
	t.Run("groups", func(t *testing.T) {
		t.Parallel()
		var groups []fake.Group
		r := s.do(t, call{method: "GET", path: "/api/organizations/" + genID + "/groups/", token: genAdmin})
		r.decode(t, &groups)
		if len(groups) != generatedGroups+1 {
			t.Fatalf("%d groups, want %d: %s", len(groups), generatedGroups+1, r)
		}
		names := map[string]bool{}
		for _, g := range groups {
			names[g.Name] = true
			if g.ID == genFixedGroupID {
				if g.NumMembers != 1 {
					t.Errorf("fixed group has %d members", g.NumMembers)
				}
				continue
			}
			if g.NumMembers < 1 || g.NumMembers > 25 {
				t.Errorf("generated group %q has %d members, want 1 to 25", g.Name, g.NumMembers)
			}
		}
		if len(names) != len(groups) {
			t.Errorf("group names repeat: %v", names)
		}
	})
	t.Run("campaigns", func(t *testing.T) {
		t.Parallel()
		var campaigns []fake.Campaign
		s.do(t, call{method: "GET", path: "/api/organizations/" + genID + "/campaigns/", token: genAdmin}).decode(t, &campaigns)
		if len(campaigns) != generatedCampaign+1 {
			t.Fatalf("%d campaigns, want %d", len(campaigns), generatedCampaign+1)
		}
		if !slices.IsSortedFunc(campaigns, func(a, b fake.Campaign) int { return strings.Compare(a.Name, b.Name) }) {
			t.Errorf("campaigns not by name: %v", campaigns)
		}
		for _, c := range campaigns {
			var members []fake.CampaignMember
			s.do(t, call{method: "GET", path: "/api/organizations/" + genID + "/campaigns/" + c.ID + "/members/", token: genAdmin}).decode(t, &members)
			if len(members) < 1 || len(members) > 25 {
				t.Errorf("campaign %q has %d members", c.Name, len(members))
			}
			for _, m := range members {
				if m.Account == nil || m.Account.Email != m.Email {
					t.Errorf("campaign %q member %s has account %+v", c.Name, m.Email, m.Account)
				}
				if c.ID != genFixedCampaign && m.Data["Location"] == nil {
					t.Errorf("generated campaign member %s has no Location: %v", m.Email, m.Data)
				}
			}
		}
	})
}

// seedCalls is a sequence of reads and writes that covers every resource.
func seedCalls() []call {
	org := "/api/organizations/" + genID
	return []call{
		{method: "GET", path: "/api/me/", token: genAdmin},
		{method: "GET", path: "/api/organizations/", token: genAdmin},
		{method: "GET", path: org + "/memberships/?page=2&page_size=20", token: genAdmin, accept: v2},
		{method: "GET", path: org + "/groups/", token: genAdmin, accept: v2},
		{method: "GET", path: org + "/campaigns/", token: genAdmin, accept: v2},
		{method: "GET", path: "/api/groups/" + genFixedGroupID + "/memberships/", token: genAdmin},
		{method: "POST", path: org + "/groups/", token: genAdmin, body: map[string]any{"name": "New Group"}},
		{method: "PUT", path: "/api/groups/" + genFixedGroupID + "/memberships/", token: genAdmin,
			body: []map[string]any{{"email": "boss@gen.test"}, {"email": "later@gen.test"}}},
		{method: "POST", path: org + "/campaigns/" + genFixedCampaign + "/members/", token: genAdmin,
			body: []map[string]any{{"email": "later@gen.test", "data": map[string]any{"Location": "Oslo"}}}},
		{method: "GET", path: org + "/campaigns/" + genFixedCampaign + "/members/", token: genAdmin},
		{method: "GET", path: "/api/nowhere/", token: genAdmin},
		{method: "GET", path: org + "/memberships/", token: "wrong-token"},
	}
}

// seedResponses sends seedCalls to a new server. Absolute URLs in Link
// headers lose the server's address, which differs between servers.
func seedResponses(t *testing.T, opts ...fake.Option) []*response {
	t.Helper()
	s := newAPIServer(t, opts...)
	var out []*response
	for _, c := range seedCalls() {
		r := s.do(t, c)
		if link := r.Header.Get("Link"); link != "" {
			r.Header.Set("Link", strings.ReplaceAll(link, s.URL, "http://fake"))
		}
		out = append(out, r)
	}
	return out
}

func TestSeedDeterminism(t *testing.T) {
	t.Parallel()
	file := writeFixtureFile(t, "gen.yaml", generatedFixture)
	first := seedResponses(t, fake.WithFixtureFile(file), fake.WithSeed(42))
	second := seedResponses(t, fake.WithFixtureFile(file), fake.WithSeed(42))
	other := seedResponses(t, fake.WithFixtureFile(file), fake.WithSeed(43))

	t.Run("same-seed/bodies-and-headers", func(t *testing.T) {
		for i, c := range seedCalls() {
			a, b := first[i], second[i]
			if a.Status != b.Status || string(a.Body) != string(b.Body) {
				t.Errorf("%s %s: %d %s\nvs %d %s", c.method, c.path, a.Status, a.Body, b.Status, b.Body)
			}
			for _, h := range []string{"X-Request-Id", "X-Total-Count", "Link", "Content-Type"} {
				if a.Header.Get(h) != b.Header.Get(h) {
					t.Errorf("%s %s: %s %q vs %q", c.method, c.path, h, a.Header.Get(h), b.Header.Get(h))
				}
			}
		}
		if first[0].Header.Get("X-Request-Id") == first[1].Header.Get("X-Request-Id") {
			t.Errorf("two requests share X-Request-Id %s", first[0].Header.Get("X-Request-Id"))
		}
	})
	t.Run("other-seed/other-people", func(t *testing.T) {
		emailsOf := func(r *response) []string {
			var ms []fake.Membership
			r.decode(t, &ms)
			var emails []string
			for _, m := range ms {
				emails = append(emails, m.User.Email)
			}
			return emails
		}
		a, b := emailsOf(first[2]), emailsOf(other[2])
		if len(a) != 20 || len(b) != 20 {
			t.Fatalf("pages of %d and %d", len(a), len(b))
		}
		same := 0
		for i := range a {
			if a[i] == b[i] {
				same++
			}
		}
		if same > 2 {
			t.Errorf("seeds 42 and 43 generated %d of 20 same people: %v", same, a)
		}
		if first[0].String() == other[0].String() {
			t.Errorf("seed changed nothing in /api/me/ (the user id is generated)")
		}
		if first[0].Header.Get("X-Request-Id") == other[0].Header.Get("X-Request-Id") {
			t.Errorf("seeds 42 and 43 gave the same X-Request-Id")
		}
	})
	t.Run("other-seed/fixed-ids-stay", func(t *testing.T) {
		for _, i := range []int{3, 4, 5} { // groups, campaigns, group memberships
			for _, id := range []string{genFixedGroupID, genFixedCampaign} {
				if strings.Contains(first[i].String(), id) != strings.Contains(other[i].String(), id) {
					t.Errorf("%s: fixed id %s seen with one seed only", seedCalls()[i].path, id)
				}
			}
		}
		var orgs []fake.Organization
		other[1].decode(t, &orgs)
		if len(orgs) != 1 || orgs[0].ID != genID || orgs[0].Name != "Gen Corp" {
			t.Errorf("organizations with seed 43: %+v", orgs)
		}
		var group struct {
			ID, Name string
		}
		other[6].decode(t, &group)
		if other[6].Status != 201 || group.Name != "New Group" {
			t.Errorf("write with seed 43: %d %s", other[6].Status, other[6])
		}
	})
}

// The default fixture is what examples and golden files name: its fixed
// ids and tokens hold whatever the seed.
func TestSeedDefaultFixture(t *testing.T) {
	t.Parallel()
	for _, seed := range []int64{fake.DefaultSeed, 0, -7, 1 << 40} {
		t.Run(fmt.Sprint("seed/", seed), func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t, fake.WithSeed(seed))
			var orgs []fake.Organization
			s.do(t, call{method: "GET", path: "/api/organizations/", token: samToken}).decode(t, &orgs)
			var ids []string
			for _, o := range orgs {
				ids = append(ids, o.ID)
			}
			if want := []string{acmeID, globexID}; !reflect.DeepEqual(ids, want) {
				t.Errorf("teams %v, want %v", ids, want)
			}
			if len(orgs) == 2 && len(orgs[0].Members) != 32 {
				t.Errorf("Acme has %d members, want 8 listed and 24 generated", len(orgs[0].Members))
			}
			tokens := s.Server.Tokens()
			if len(tokens) != 9 || tokens["ada@acme.test"] != acmeAdmin || tokens["sam@consult.test"] != samToken {
				t.Errorf("tokens %v", tokens)
			}
		})
	}
}

func BenchmarkNew(b *testing.B) {
	type benchCase struct {
		name string
		opts []fake.Option
	}
	cases := []benchCase{{name: "default"}}
	for _, n := range []int{10_000, 100_000} {
		f := fake.Fixture{Organizations: []fake.FixtureOrganization{{
			Name: "Big", VerifiedDomains: []string{"big.test"},
			Generate: &fake.FixtureGenerate{Members: n, Groups: 20, Campaigns: 10},
			Members:  []fake.FixtureMember{{Email: "admin@big.test", Role: fake.RoleAdmin, Token: "big-admin"}},
		}}}
		cases = append(cases, benchCase{name: fmt.Sprintf("members-%d", n), opts: []fake.Option{fake.WithFixtures(f)}})
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			if _, err := fake.New(c.opts...); err != nil { // also loads openapi.yaml, once per process
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := fake.New(c.opts...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
