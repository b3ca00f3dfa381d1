package fake_test

import (
	"fmt"
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
