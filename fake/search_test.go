package fake_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// TestMembershipSearchFollowsWrites: q= reads text the writes keep, so a
// search sees every member added, removed or named since the start, in id
// order, also after enough removals to rebuild the text.
func TestMembershipSearchFollowsWrites(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	acme := "/api/organizations/" + acmeID + "/memberships/?page_size=1000&q="
	search := func(q string) []int {
		t.Helper()
		var list []fake.Membership
		r := s.do(t, call{method: "GET", path: acme + q, token: acmeAdmin, accept: v2})
		r.decode(t, &list)
		ids := []int{}
		for _, m := range list {
			ids = append(ids, m.ID)
		}
		return ids
	}
	if got := search("RAE"); !slices.Equal(got, []int{5}) {
		t.Fatalf("q=RAE: %v, want [5]", got)
	}
	writeOK(t, s, "DELETE", "/api/memberships/5/", nil)
	if got := search("rae"); len(got) != 0 {
		t.Errorf("q=rae after the member left: %v, want none", got)
	}
	joiner, err := s.Server.AddMember(acmeID, fake.FixtureMember{Email: "zed@acme.test", Name: "Zed Newcomer"})
	if err != nil {
		t.Fatal(err)
	}
	if got := search("newcomer"); !slices.Equal(got, []int{joiner.ID}) {
		t.Errorf("q=newcomer after AddMember: %v, want [%d]", got, joiner.ID)
	}
	// A user of another team who joins is found by name and email.
	hank, err := s.Server.AddMember(acmeID, fake.FixtureMember{Email: "hank@globex.test"})
	if err != nil {
		t.Fatal(err)
	}
	if got := search("hank+admin"); !slices.Equal(got, []int{hank.ID}) {
		t.Errorf("q=hank+admin: %v, want [%d]", got, hank.ID)
	}
	// Remove most of the team: the text is rebuilt, and still agrees.
	all := search("@")
	for _, id := range all[:len(all)-6] {
		if id == 1 { // the caller stays
			continue
		}
		writeOK(t, s, "DELETE", fmt.Sprintf("/api/memberships/%d/", id), nil)
	}
	want := append([]int{1}, all[len(all)-6:]...)
	if got := search("@"); !slices.Equal(got, want) {
		t.Errorf("q=@ after removals: %v, want %v", got, want)
	}
	if got := search("newcomer"); !slices.Equal(got, []int{joiner.ID}) {
		t.Errorf("q=newcomer after removals: %v, want [%d]", got, joiner.ID)
	}
}
