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

// Concurrent writers on one group, through real HTTP: the store's writes are
// all-or-nothing, so whatever interleaving the scheduler picks, the group
// ends in a state some serial order of the requests explains. Iteration
// counts are bounded; nothing sleeps; -race checks the locking.

const (
	stressOrgID   = "0e000000-0000-4000-8000-000000000001"
	stressGroupID = "0e000000-0000-4000-8000-00000000a001"
	stressOther   = "0e000000-0000-4000-8000-00000000a002"
	stressQ1      = "0e000000-0000-4000-8000-00000000c001"
	stressAdmin   = "stress-admin-token"
	stressManager = "stress-manager-token"
	stressDomain  = "stress.test"
)

// stressFixture is one team of n members (two of them outside the verified
// domain), two groups and a campaign.
func stressFixture(n int) fake.Fixture {
	members := []fake.FixtureMember{
		{Email: "admin@" + stressDomain, Role: fake.RoleAdmin, Token: stressAdmin},
		{Email: "manager@" + stressDomain, Role: fake.RoleManager, Token: stressManager},
		{Email: "guest1@outside.test", Role: fake.RoleMember},
		{Email: "guest2@outside.test", Role: fake.RoleRestricted},
	}
	for i := len(members); i < n; i++ {
		members = append(members, fake.FixtureMember{Email: fmt.Sprintf("user%02d@%s", i, stressDomain), Role: fake.RoleRestricted})
	}
	return fake.Fixture{Organizations: []fake.FixtureOrganization{{
		ID:              stressOrgID,
		Name:            "Stress Test Inc",
		VerifiedDomains: []string{stressDomain},
		Members:         members,
		Groups: []fake.FixtureGroup{
			{ID: stressGroupID, Name: "Hot", Members: []fake.FixtureGroupMember{{Email: "admin@" + stressDomain}, {Email: "guest1@outside.test"}}},
			{ID: stressOther, Name: "Cold", Members: []fake.FixtureGroupMember{{Email: "guest2@outside.test"}}},
		},
		Campaigns: []fake.FixtureCampaign{{ID: stressQ1, Name: "Q1", Members: []fake.FixtureCampaignMember{{Email: "user05@" + stressDomain}}}},
	}}}
}

// stressPeople returns the team's people by lower-cased email.
func stressPeople(t testing.TB, s *apiServer) map[string]gmPerson {
	t.Helper()
	return gmTeam(t, s, stressOrgID, stressAdmin)
}

// stressKey names a membership's person: its account, else its email.
func stressKey(gm fake.GroupMembership) string {
	if gm.User != nil {
		return "user:" + gm.User.ID
	}
	return "email:" + strings.ToLower(gm.Email)
}

// TestStressConcurrentReplace has many clients PUT distinct full sets on one
// group at once: afterwards the group is exactly one of those sets, never a
// mix, and every PUT answered exactly its own set.
func TestStressConcurrentReplace(t *testing.T) {
	t.Parallel()
	const (
		writers = 16
		rounds  = 5
		setSize = 6
	)
	s := newAPIServer(t, fake.WithFixtures(stressFixture(40)))
	people := stressPeople(t, s)
	emails := make([]string, 0, len(people))
	for email := range people {
		emails = append(emails, email)
	}
	slices.Sort(emails)
	for round := range rounds {
		// Writer w's set: setSize people from a window of its own, half by
		// user id and half by email, plus a pending address only it uses.
		sets := make([][]string, writers)
		bodies := make([][]map[string]string, writers)
		for w := range writers {
			for k := range setSize - 1 {
				email := emails[(w*3+k+round)%len(emails)]
				sets[w] = append(sets[w], email)
				if k%2 == 0 {
					bodies[w] = append(bodies[w], map[string]string{"user_id": people[email].user.ID})
				} else {
					bodies[w] = append(bodies[w], map[string]string{"email": strings.ToUpper(email)})
				}
			}
			pending := fmt.Sprintf("pending-r%d-w%02d@%s", round, w, stressDomain)
			sets[w] = append(sets[w], pending)
			bodies[w] = append(bodies[w], map[string]string{"email": pending})
			slices.Sort(sets[w])
		}
		var wg sync.WaitGroup
		answers := make([][]string, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				token := stressAdmin
				if w%2 == 1 {
					token = stressManager
				}
				r := s.do(t, call{method: http.MethodPut, path: gmPath(stressGroupID), token: token, body: bodies[w]})
				if r.Status != http.StatusOK {
					t.Errorf("round %d writer %d: status %d body %s", round, w, r.Status, r.Body)
					return
				}
				var got []fake.GroupMembership
				r.decode(t, &got)
				answers[w] = stressEmails(got)
			}()
		}
		wg.Wait()
		for w := range writers {
			if answers[w] != nil && !slices.Equal(answers[w], sets[w]) {
				t.Errorf("round %d writer %d: PUT answered %v, want its own set %v", round, w, answers[w], sets[w])
			}
		}
		list, _ := gmGetAs(t, s, stressAdmin, stressGroupID)
		got := stressEmails(list)
		if !slices.ContainsFunc(sets, func(set []string) bool { return slices.Equal(set, got) }) {
			t.Fatalf("round %d: the group holds %v, which no writer wrote", round, got)
		}
		stressInvariants(t, s)
	}
}

// stressEmails lists a group's lower-cased emails, sorted.
func stressEmails(list []fake.GroupMembership) []string {
	out := make([]string, len(list))
	for i, gm := range list {
		out[i] = strings.ToLower(gm.Email)
	}
	slices.Sort(out)
	return out
}

// TestStressMixedWrites has clients mix POST, PUT and DELETE on one group,
// while an admin removes people from the team and others read; afterwards
// the group and everything derived from it must be consistent.
func TestStressMixedWrites(t *testing.T) {
	t.Parallel()
	const (
		clients    = 8
		operations = 30
		leavers    = 6 // team members removed while the clients write
	)
	s := newAPIServer(t, fake.WithFixtures(stressFixture(30)))
	people := stressPeople(t, s)
	var emails []string
	for email := range people {
		emails = append(emails, email)
	}
	slices.Sort(emails)
	// Candidates for items: team members (by id or email), pending
	// verified-domain addresses, and outsiders that must always be refused.
	pick := func(rng *rand.Rand) map[string]string {
		switch n := rng.IntN(10); {
		case n < 4:
			return map[string]string{"user_id": people[emails[rng.IntN(len(emails))]].user.ID}
		case n < 7:
			return map[string]string{"email": emails[rng.IntN(len(emails))]}
		case n < 9:
			return map[string]string{"email": fmt.Sprintf("pending%d@%s", rng.IntN(5), strings.ToUpper(stressDomain))}
		default:
			return map[string]string{"email": fmt.Sprintf("stranger%d@elsewhere.test", rng.IntN(3))}
		}
	}
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 42)) // each client its own seeded stream
			token := stressAdmin
			if c%2 == 1 {
				token = stressManager
			}
			for op := range operations {
				var items []map[string]string
				for range rng.IntN(5) {
					items = append(items, pick(rng))
				}
				outsider := slices.ContainsFunc(items, func(item map[string]string) bool {
					return strings.HasSuffix(item["email"], "@elsewhere.test")
				})
				switch kind := rng.IntN(4); kind {
				case 0, 1:
					method := http.MethodPost
					path := gmPath(stressGroupID)
					if kind == 1 {
						method = http.MethodPut
						if rng.IntN(3) == 0 {
							path += "?require_campaign=true"
						}
					}
					r := s.do(t, call{method: method, path: path, token: token, body: items})
					// A removed member's user id may be refused too; an
					// outsider's email always is.
					switch {
					case outsider && r.Status != http.StatusBadRequest:
						t.Errorf("client %d op %d: %s with an outsider answered %d %s", c, op, method, r.Status, r.Body)
					case r.Status != http.StatusBadRequest && r.Status/100 != 2:
						t.Errorf("client %d op %d: %s answered %d %s", c, op, method, r.Status, r.Body)
					}
				case 2:
					r := s.do(t, call{method: http.MethodGet, path: gmPath(stressGroupID), token: token})
					var list []fake.GroupMembership
					r.decode(t, &list)
					if len(list) == 0 {
						continue
					}
					id := list[rng.IntN(len(list))].ID
					r = s.do(t, call{method: http.MethodDelete, path: gmPath(stressGroupID) + id + "/", token: token})
					if r.Status != http.StatusNoContent && r.Status != http.StatusNotFound {
						t.Errorf("client %d op %d: DELETE answered %d %s", c, op, r.Status, r.Body)
					}
				case 3:
					r := s.do(t, call{method: http.MethodGet, path: gmPath(stressGroupID), token: token})
					if r.Status != http.StatusOK {
						t.Errorf("client %d op %d: GET answered %d %s", c, op, r.Status, r.Body)
					}
				}
			}
		}()
	}
	// Meanwhile the admin removes some members from the team: a guest
	// outside the verified domain, and verified-domain users.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i, email := range append([]string{"guest1@outside.test"}, emails[len(emails)-leavers+1:]...) {
			if email == "admin@"+stressDomain || email == "manager@"+stressDomain {
				continue
			}
			r := s.do(t, call{method: http.MethodDelete, path: fmt.Sprintf("/api/memberships/%d/", people[email].membershipID), token: stressAdmin})
			if r.Status != http.StatusNoContent {
				t.Errorf("leaver %d (%s): DELETE answered %d %s", i, email, r.Status, r.Body)
			}
		}
	}()
	wg.Wait()
	stressInvariants(t, s)
}

// stressInvariants checks the stress team's group against everything derived
// from it.
func stressInvariants(t *testing.T, s *apiServer) {
	t.Helper()
	people := stressPeople(t, s)
	byUserID := map[string]gmPerson{}
	for _, p := range people {
		byUserID[p.user.ID] = p
	}
	r := s.do(t, call{method: http.MethodGet, path: gmPath(stressGroupID), token: stressAdmin})
	gmStatus(t, r, http.StatusOK)
	var list []fake.GroupMembership
	r.decode(t, &list)

	if n := gmNumMembers(t, s, stressAdmin, stressOrgID, stressGroupID); n != len(list) {
		t.Errorf("num_members %d, but the list holds %d", n, len(list))
	}
	ids, persons := map[string]bool{}, map[string]bool{}
	for i, gm := range list {
		if ids[gm.ID] {
			t.Errorf("membership id %s twice", gm.ID)
		}
		ids[gm.ID] = true
		key := stressKey(gm)
		if persons[key] || persons["email:"+strings.ToLower(gm.Email)] {
			t.Errorf("%s (%s) is in the group twice", gm.Email, key)
		}
		persons[key], persons["email:"+strings.ToLower(gm.Email)] = true, true
		if i > 0 && gm.CreatedAt.Before(list[i-1].CreatedAt) {
			t.Errorf("%s created %s is listed after one created %s", gm.Email, gm.CreatedAt, list[i-1].CreatedAt)
		}
		domain := strings.ToLower(gm.Email[strings.LastIndex(gm.Email, "@")+1:])
		switch {
		case gm.User != nil:
			p, member := byUserID[gm.User.ID]
			if !member {
				t.Errorf("membership %s holds %s, who is no longer in the team", gm.ID, gm.User.Email)
			} else if *gm.User != p.user || !strings.EqualFold(gm.Email, p.user.Email) {
				t.Errorf("membership %s: user %+v email %s, want %+v", gm.ID, *gm.User, gm.Email, p.user)
			}
		case domain != stressDomain:
			t.Errorf("pending membership %s for %s, outside the verified domain", gm.ID, gm.Email)
		default:
			if p, member := people[strings.ToLower(gm.Email)]; member {
				t.Errorf("pending membership %s for %s, who is the team member %s", gm.ID, gm.Email, p.user.ID)
			}
		}
	}
	// Each member's team membership lists the group exactly when the group
	// holds them.
	for email, p := range people {
		r := s.do(t, call{method: http.MethodGet, path: fmt.Sprintf("/api/memberships/%d/", p.membershipID), token: stressAdmin})
		gmStatus(t, r, http.StatusOK)
		var m fake.Membership
		r.decode(t, &m)
		inList := persons["user:"+p.user.ID]
		inGroups := slices.ContainsFunc(m.Groups, func(g fake.GroupRef) bool { return g.ID == stressGroupID })
		if inList != inGroups {
			t.Errorf("%s: in the group's list %t, in the membership's groups %t", email, inList, inGroups)
		}
	}
	// The campaign member's groups agree with the group's list.
	for _, cm := range cmGet(t, s, stressOrgID, stressQ1, stressAdmin) {
		if in := slices.Contains(cm.Groups, stressGroupID); in != persons["email:"+strings.ToLower(cm.Email)] {
			t.Errorf("campaign member %s: groups %v, but in the group's list %t", cm.Email, cm.Groups, !in)
		}
	}
}
