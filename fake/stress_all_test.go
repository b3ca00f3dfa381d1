package fake_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// TestStressAllWrites has many clients mix every write of the API on two
// teams that share people, for a bounded number of iterations, and then
// checks, through the API and through State, the invariants no interleaving
// may break: ids unique across everything, num_members equal to the group's
// list, no group membership or campaign member linked to the account of
// someone no longer in the team, a journal no longer than its size.
func TestStressAllWrites(t *testing.T) {
	t.Parallel()
	const (
		clients     = 12
		iterations  = 40
		journalSize = 64
		bOrgID      = "0e000000-0000-4000-8000-000000000002"
		bAdmin      = "stress-b-admin-token"
		bGroupID    = "0e000000-0000-4000-8000-00000000b001"
		bCampaignID = "0e000000-0000-4000-8000-00000000d001"
	)
	fixture := stressFixture(40)
	// Team B shares user10 to user19 with team A: leaving A must not unlink
	// them in B.
	b := fake.FixtureOrganization{
		ID: bOrgID, Name: "Stress B", VerifiedDomains: []string{"b.test"},
		Members: []fake.FixtureMember{{Email: "admin@b.test", Role: fake.RoleAdmin, Token: bAdmin}},
		Groups: []fake.FixtureGroup{{ID: bGroupID, Name: "Shared", Members: []fake.FixtureGroupMember{
			{Email: "user10@" + stressDomain}, {Email: "user11@" + stressDomain}, {Email: "pending@b.test"},
		}}},
		Campaigns: []fake.FixtureCampaign{{ID: bCampaignID, Name: "B1", Members: []fake.FixtureCampaignMember{
			{Email: "user12@" + stressDomain},
		}}},
	}
	for i := 10; i < 20; i++ {
		b.Members = append(b.Members, fake.FixtureMember{Email: fmt.Sprintf("user%02d@%s", i, stressDomain), Role: fake.RoleMember})
	}
	fixture.Organizations = append(fixture.Organizations, b)
	s := newAPIServer(t, fake.WithFixtures(fixture), fake.WithJournalSize(journalSize))

	type team struct {
		id, token string
		emails    []string       // every member at start
		people    map[string]int // email → membership id, at start
		protected string         // the admin whose token the clients use
	}
	teams := []*team{{id: stressOrgID, token: stressAdmin, protected: "admin@" + stressDomain}, {id: bOrgID, token: bAdmin, protected: "admin@b.test"}}
	for _, tm := range teams {
		tm.people = map[string]int{}
		for email, p := range gmTeam(t, s, tm.id, tm.token) {
			tm.people[email] = p.membershipID
			tm.emails = append(tm.emails, email)
		}
		slices.Sort(tm.emails)
	}
	// The groups and campaigns of each team that clients may write to:
	// those at start and those created since (some deleted meanwhile).
	var mu sync.Mutex
	groups := map[string][]string{stressOrgID: {stressGroupID, stressOther}, bOrgID: {bGroupID}}
	campaigns := map[string][]string{stressOrgID: {stressQ1}, bOrgID: {bCampaignID}}
	pick := func(rng *rand.Rand, m map[string][]string, orgID string) string {
		mu.Lock()
		defer mu.Unlock()
		ids := m[orgID]
		return ids[rng.IntN(len(ids))]
	}
	remember := func(m map[string][]string, orgID, id string) {
		mu.Lock()
		defer mu.Unlock()
		m[orgID] = append(m[orgID], id)
	}

	// Each write may meet what others did first: the statuses it may answer.
	type write struct {
		name    string
		weight  int
		allowed []int
		send    func(rng *rand.Rand, tm *team, client, i int) call
	}
	member := func(rng *rand.Rand, tm *team) (string, int) {
		for {
			email := tm.emails[rng.IntN(len(tm.emails))]
			if email != tm.protected && !strings.HasPrefix(email, "manager@") {
				return email, tm.people[email]
			}
		}
	}
	people := func(rng *rand.Rand, tm *team, n int) []map[string]any {
		var items []map[string]any
		for range n {
			email, _ := member(rng, tm)
			if rng.IntN(3) == 0 {
				email = fmt.Sprintf("pending%d@%s", rng.IntN(5), stressDomain)
			}
			items = append(items, map[string]any{"email": email})
		}
		return items
	}
	writes := []write{
		{"membership/role", 4, []int{200, 400, 404}, func(rng *rand.Rand, tm *team, _, _ int) call {
			_, id := member(rng, tm)
			roles := []fake.Role{fake.RoleMember, fake.RoleDeveloper, fake.RoleRestricted, fake.RoleManager}
			return call{method: http.MethodPatch, path: fmt.Sprintf("/api/memberships/%d/", id), body: map[string]any{"role": roles[rng.IntN(len(roles))]}}
		}},
		{"membership/delete", 1, []int{204, 404}, func(rng *rand.Rand, tm *team, _, _ int) call {
			_, id := member(rng, tm)
			return call{method: http.MethodDelete, path: fmt.Sprintf("/api/memberships/%d/", id)}
		}},
		{"group/create", 2, []int{201}, func(_ *rand.Rand, tm *team, client, i int) call {
			return call{method: http.MethodPost, path: "/api/organizations/" + tm.id + "/groups/", body: map[string]string{"name": fmt.Sprintf("G c%d i%d", client, i)}}
		}},
		{"group/rename", 2, []int{200, 400, 404}, func(rng *rand.Rand, tm *team, client, i int) call {
			method := []string{http.MethodPut, http.MethodPatch}[rng.IntN(2)]
			return call{method: method, path: "/api/groups/" + pick(rng, groups, tm.id) + "/", body: map[string]string{"name": fmt.Sprintf("R c%d i%d", client, i%3)}}
		}},
		{"group/delete", 1, []int{204, 404}, func(rng *rand.Rand, tm *team, _, _ int) call {
			return call{method: http.MethodDelete, path: "/api/groups/" + pick(rng, groups, tm.id) + "/"}
		}},
		{"group-membership/post", 4, []int{201, 400, 404}, func(rng *rand.Rand, tm *team, _, _ int) call {
			return call{method: http.MethodPost, path: gmPath(pick(rng, groups, tm.id)), body: people(rng, tm, 1+rng.IntN(3))}
		}},
		{"group-membership/put", 3, []int{200, 400, 404}, func(rng *rand.Rand, tm *team, _, _ int) call {
			return call{method: http.MethodPut, path: gmPath(pick(rng, groups, tm.id)), body: people(rng, tm, rng.IntN(4))}
		}},
		{"group-membership/delete", 3, []int{204, 404}, func(rng *rand.Rand, tm *team, _, _ int) call {
			// The id of a membership in the group, or of none.
			groupID := pick(rng, groups, tm.id)
			id := "0e000000-0000-4000-8000-0000000fffff"
			var list []fake.GroupMembership
			if r := s.do(t, call{method: http.MethodGet, path: gmPath(groupID), token: tm.token}); r.Status == http.StatusOK {
				r.decode(t, &list)
			}
			if len(list) > 0 {
				id = list[rng.IntN(len(list))].ID
			}
			return call{method: http.MethodDelete, path: gmPath(groupID) + id + "/"}
		}},
		{"campaign/create", 2, []int{201}, func(_ *rand.Rand, tm *team, client, i int) call {
			return call{method: http.MethodPost, path: "/api/organizations/" + tm.id + "/campaigns/", body: map[string]string{"name": fmt.Sprintf("C c%d i%d", client, i)}}
		}},
		{"campaign/patch", 2, []int{200, 400, 404}, func(rng *rand.Rand, tm *team, client, i int) call {
			return call{method: http.MethodPatch, path: "/api/organizations/" + tm.id + "/campaigns/" + pick(rng, campaigns, tm.id) + "/", body: map[string]string{"name": fmt.Sprintf("P c%d i%d", client, i%3)}}
		}},
		{"campaign/delete", 1, []int{204, 404}, func(rng *rand.Rand, tm *team, _, _ int) call {
			return call{method: http.MethodDelete, path: "/api/organizations/" + tm.id + "/campaigns/" + pick(rng, campaigns, tm.id) + "/"}
		}},
		{"campaign-member/post", 4, []int{201, 400, 404}, func(rng *rand.Rand, tm *team, client, i int) call {
			items := people(rng, tm, 1+rng.IntN(3))
			for _, item := range items {
				item["data"] = map[string]any{"client": client, "i": i}
			}
			return call{method: http.MethodPost, path: cmPath(tm.id, pick(rng, campaigns, tm.id)), body: items}
		}},
		{"campaign-member/put", 3, []int{200, 400, 404}, func(rng *rand.Rand, tm *team, _, _ int) call {
			items := people(rng, tm, rng.IntN(4))
			for _, item := range items {
				item["data"] = map[string]any{}
			}
			return call{method: http.MethodPut, path: cmPath(tm.id, pick(rng, campaigns, tm.id)), body: items}
		}},
	}
	var deck []int // write indexes, each as often as its weight
	for i, w := range writes {
		for range w.weight {
			deck = append(deck, i)
		}
	}

	var wg sync.WaitGroup
	succeeded := make([]int, len(writes)) // 2xx answers per write, under mu
	for client := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(7, uint64(client)))
			for i := range iterations {
				tm := teams[rng.IntN(len(teams))]
				k := deck[rng.IntN(len(deck))]
				w := writes[k]
				c := w.send(rng, tm, client, i)
				c.token = tm.token
				r := s.do(t, c)
				if !slices.Contains(w.allowed, r.Status) {
					t.Errorf("client %d iteration %d: %s %s %s: status %d, want one of %v: %s", client, i, w.name, c.method, c.path, r.Status, w.allowed, r.Body)
					return
				}
				if r.Status < 300 {
					mu.Lock()
					succeeded[k]++
					mu.Unlock()
				}
				if r.Status == http.StatusCreated && (w.name == "group/create" || w.name == "campaign/create") {
					var created struct{ ID string }
					r.decode(t, &created)
					if w.name == "group/create" {
						remember(groups, tm.id, created.ID)
					} else {
						remember(campaigns, tm.id, created.ID)
					}
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for k, w := range writes {
		if succeeded[k] == 0 {
			t.Errorf("%s never succeeded: the mix does not exercise it", w.name)
		}
	}
	t.Logf("successes per write: %v", succeeded)
	stressAllInvariantsAPI(t, s, teams[0].id, teams[0].token, teams[1].id, teams[1].token)
	stressAllInvariantsState(t, s)
	if n := len(s.Server.Journal(fake.JournalFilter{})); n != journalSize {
		t.Errorf("the journal holds %d entries after more than %d requests, want its size %d", n, clients*iterations, journalSize)
	}
}

// idSet fails the test when an id shows up twice.
type idSet map[string]string

func (ids idSet) add(t *testing.T, id, what string) {
	t.Helper()
	if id == "" {
		t.Errorf("%s has no id", what)
		return
	}
	if first, seen := ids[id]; seen {
		t.Errorf("id %s is both %s and %s", id, first, what)
	}
	ids[id] = what
}

// stressAllInvariantsAPI checks the teams through the API.
func stressAllInvariantsAPI(t *testing.T, s *apiServer, orgsAndTokens ...string) {
	t.Helper()
	ids := idSet{}
	for i := 0; i < len(orgsAndTokens); i += 2 {
		orgID, token := orgsAndTokens[i], orgsAndTokens[i+1]
		ids.add(t, orgID, "team "+orgID)
		members := map[string]bool{} // user ids
		for email, p := range gmTeam(t, s, orgID, token) {
			members[p.user.ID] = true
			ids.add(t, fmt.Sprintf("membership %d", p.membershipID), "membership of "+email)
		}
		r := s.do(t, call{method: http.MethodGet, path: "/api/organizations/" + orgID + "/groups/", token: token})
		gmStatus(t, r, http.StatusOK)
		var groups []fake.Group
		r.decode(t, &groups)
		for _, g := range groups {
			ids.add(t, g.ID, "group "+g.Name)
			list, _ := gmGetAs(t, s, token, g.ID)
			if g.NumMembers != len(list) {
				t.Errorf("group %s: num_members %d, but its list holds %d", g.Name, g.NumMembers, len(list))
			}
			for _, gm := range list {
				ids.add(t, gm.ID, "group membership of "+gm.Email)
				if gm.User != nil && !members[gm.User.ID] {
					t.Errorf("group %s: membership %s links %s, who is not in the team", g.Name, gm.ID, gm.User.Email)
				}
			}
		}
		r = s.do(t, call{method: http.MethodGet, path: "/api/organizations/" + orgID + "/campaigns/", token: token})
		gmStatus(t, r, http.StatusOK)
		var campaigns []fake.Campaign
		r.decode(t, &campaigns)
		for _, c := range campaigns {
			ids.add(t, c.ID, "campaign "+c.Name)
			for _, cm := range cmGet(t, s, orgID, c.ID, token) {
				ids.add(t, cm.ID, "campaign member "+cm.Email)
				if cm.Account != nil && !members[cm.Account.ID] {
					t.Errorf("campaign %s: member %s links the account of %s, who is not in the team", c.Name, cm.ID, cm.Account.Email)
				}
			}
		}
	}
}

// stressAllInvariantsState checks the same through State, which also seeds
// a server of its own.
func stressAllInvariantsState(t *testing.T, s *apiServer) {
	t.Helper()
	state := s.Server.State()
	ids := idSet{}
	memberships := map[int]string{}
	for _, o := range state.Organizations {
		ids.add(t, o.ID, "team "+o.Name)
		emails := map[string]bool{}
		for _, m := range o.Members {
			emails[strings.ToLower(m.Email)] = true
			if first, seen := memberships[m.MembershipID]; seen {
				t.Errorf("membership id %d is both %s's and %s's", m.MembershipID, first, m.Email)
			}
			memberships[m.MembershipID] = m.Email
		}
		for _, g := range o.Groups {
			ids.add(t, g.ID, "group "+g.Name)
			for _, gm := range g.Members {
				ids.add(t, gm.ID, "group membership of "+gm.Email)
			}
		}
		for _, c := range o.Campaigns {
			ids.add(t, c.ID, "campaign "+c.Name)
			for _, cm := range c.Members {
				ids.add(t, cm.ID, "campaign member "+cm.Email)
			}
		}
	}
	if _, err := fake.New(fake.WithFixtures(state)); err != nil {
		t.Errorf("the state does not seed a server: %v", err)
	}
}
