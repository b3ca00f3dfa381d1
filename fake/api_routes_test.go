package fake_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	pixiebrixfake "github.com/pixiebrix-fake/pixiebrix-fake"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// The route table and openapi.yaml name the same operations: every
// operation of the spec is served, and nothing outside it is.

// specPathValue fills a path parameter of a spec template with an object of
// the default fixture that the admin token can reach.
func specPathValue(t testing.TB, s *apiServer, template, param string) string {
	t.Helper()
	switch {
	case param == "organization_pk":
		return acmeID
	case param == "group_pk":
		return supportGroupID
	case param == "campaign_pk":
		return q1CampaignID
	case template == "/api/memberships/{id}/":
		return "4"
	case template == "/api/groups/{id}/":
		return salesGroupID
	case template == "/api/groups/{group_pk}/memberships/{id}/":
		return groupMembershipID(t, s, supportGroupID, "mel@acme.test")
	case strings.HasPrefix(template, "/api/organizations/{organization_pk}/campaigns/{id}/"):
		return q1CampaignID
	case strings.HasPrefix(template, "/api/organizations/{organization_pk}/members/{id}/"):
		return memberUserID(t, s, acmeID, "mel@acme.test")
	case template == "/api/organizations/{organization_pk}/invitations/{id}/":
		inv, err := s.Server.Invite(acmeID, fake.FixtureInvitation{Email: "routed@acme.test"})
		if err != nil {
			t.Fatal(err)
		}
		return inv.ID
	case strings.HasPrefix(template, "/api/invitations/{id}/"):
		// The admin is invited to a team they are not in: only the invitee may answer.
		inv, err := s.Server.Invite(globexID, fake.FixtureInvitation{Email: "ada@acme.test"})
		if err != nil {
			t.Fatal(err)
		}
		return inv.ID
	}
	t.Fatalf("no value for {%s} of %s: a new path needs a row here", param, template)
	return ""
}

// specBodies are valid bodies of the operations that take one, so that each
// operation succeeds, not merely routes.
var specBodies = map[string]any{
	"updateOrganizationMembership":        map[string]int{"role": 3},
	"partialUpdateOrganizationMembership": map[string]int{"role": 3},
	"createGroup":                         map[string]string{"name": "Routed"},
	"updateGroup":                         map[string]string{"name": "Routed"},
	"partialUpdateGroup":                  map[string]string{"name": "Routed"},
	"createGroupMembership":               []map[string]string{{"email": "dev@acme.test"}},
	"updateGroupMembership":               []map[string]string{{"email": "dev@acme.test"}},
	"createCampaign":                      map[string]string{"name": "Routed"},
	"partialUpdateCampaign":               map[string]string{"name": "Routed"},
	"createCampaignMember":                []map[string]any{{"email": "dev@acme.test", "data": map[string]any{}}},
	"createOrganization":                  map[string]string{"name": "Routed"},
	"partialUpdateOrganization":           map[string]string{"name": "Routed"},
	"partialUpdateUserExtensionSettings":  map[string]bool{"is_floating_action_button_enabled": false},
	"createMilestone":                     map[string]string{"key": "routed"},
	"updateCampaignMember":                []map[string]any{{"email": "dev@acme.test", "data": map[string]any{}}},
	"createOrganizationInvitation":        map[string]any{"email": "routed@acme.test", "role": 1},
	"createCampaignEmailJob":              map[string]string{"type": "registration"},
}

// specSuccess is the status each operation answers the admin with.
var specSuccess = map[string]int{
	"retrieveHealthCheck": 200, "retrieveMe": 200, "listOrganizations": 200, "retrieveOrganization": 200,
	"listMemberships": 200, "retrieveOrganizationMembership": 200, "updateOrganizationMembership": 200,
	"partialUpdateOrganizationMembership": 200, "destroyOrganizationMembership": 204,
	"listGroups": 200, "createGroup": 201, "retrieveGroup": 200, "updateGroup": 200, "partialUpdateGroup": 200,
	"destroyGroup": 204, "listGroupMemberships": 200, "createGroupMembership": 201, "updateGroupMembership": 200,
	"destroyGroupMembership": 204, "listCampaigns": 200, "createCampaign": 201, "retrieveCampaign": 200,
	"partialUpdateCampaign": 200, "destroyCampaign": 204, "listCampaignMembers": 200,
	"createCampaignMember": 201, "updateCampaignMember": 200,
	"createOrganization": 201, "partialUpdateOrganization": 200,
	"destroyOrganization": 403, // Acme is an enterprise team: routed, and refused
	"retrieveUserDetail":  200, "destroyOrganizationMemberCache": 204, "destroyMe": 204, "retrieveAuthToken": 200,
	"listControlRoomPrincipals": 200, "retrieveUserExtensionSettings": 200, "partialUpdateUserExtensionSettings": 200,
	"listMilestones": 200, "createMilestone": 201,
	"listOrganizationInvitations": 200, "createOrganizationInvitation": 201, "destroyOrganizationInvitation": 204,
	"listMeInvitations": 200, "acceptMeInvitation": 201, "rejectMeInvitation": 201, "createCampaignEmailJob": 201,
}

func TestRoutesServeEveryOperation(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData(pixiebrixfake.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for template, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			seen = append(seen, op.OperationID)
			t.Run(op.OperationID, func(t *testing.T) {
				t.Parallel()
				s := newAPIServer(t)
				path := template
				for strings.Contains(path, "{") {
					start, end := strings.Index(path, "{"), strings.Index(path, "}")
					param := path[start+1 : end]
					path = path[:start] + specPathValue(t, s, template, param) + path[end+1:]
				}
				r := s.do(t, call{method: method, path: path, token: acmeAdmin, body: specBodies[op.OperationID]})
				if r.Status == http.StatusNotFound || r.Status == http.StatusMethodNotAllowed {
					t.Fatalf("%s %s (%s) answers %d %s: not routed", method, path, template, r.Status, r.Body)
				}
				want, ok := specSuccess[op.OperationID]
				if !ok {
					t.Fatalf("operation %s is new: give it a success status here", op.OperationID)
				}
				if r.Status != want {
					t.Errorf("%s %s: status %d, want %d (body %s)", method, path, r.Status, want, r.Body)
				}
			})
		}
	}
	slices.Sort(seen)
	var want []string
	for id := range specSuccess {
		want = append(want, id)
	}
	slices.Sort(want)
	if !slices.Equal(seen, want) {
		t.Errorf("openapi.yaml's operations %v\nthis test's %v", seen, want)
	}
}

func TestRoutesNothingOutsideTheSpec(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	router, err := contract()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		method string
		path   string
		status int
		allow  string
	}{
		{"path/serviceaccounts", "GET", acmePath + "serviceaccounts/", 404, ""},
		{"path/org-members", "GET", acmePath + "members/", 404, ""},
		{"path/org-deployments", "GET", acmePath + "deployments/", 404, ""},
		{"path/org-membership-detail", "GET", acmeMemberships + "4/", 404, ""},
		{"path/org-group-detail", "GET", acmeGroups + supportGroupID + "/", 404, ""},
		{"path/campaign-member-detail", "GET", q1Path + "members/0a000000-0000-4000-8000-00000000cfff/", 404, ""},
		{"path/campaign-member-detail-delete", "DELETE", q1Path + "members/0a000000-0000-4000-8000-00000000cfff/", 404, ""},
		{"path/all-groups", "GET", "/api/groups/", 404, ""},
		{"path/all-memberships", "GET", "/api/memberships/", 404, ""},
		{"path/top-level-campaign", "GET", "/api/campaigns/" + q1CampaignID + "/", 404, ""},
		{"path/users", "GET", "/api/users/", 404, ""},
		{"path/versioned-prefix", "GET", "/api/v2/me/", 404, ""},
		{"path/no-api-prefix", "GET", "/organizations/", 404, ""},
		{"method/put-organizations", "PUT", "/api/organizations/", 405, "GET, POST, HEAD"},
		{"method/put-organization", "PUT", acmePath, 405, "GET, PATCH, DELETE, HEAD"},
		{"method/post-organization", "POST", acmePath, 405, "GET, PATCH, DELETE, HEAD"},
		{"method/get-member-cache", "GET", acmePath + "members/" + acmeID + "/cache/", 405, "DELETE"},
		{"method/delete-member", "DELETE", acmePath + "members/" + acmeID + "/", 405, "GET, HEAD"},
		{"method/put-milestones", "PUT", "/api/me/milestones/", 405, "GET, POST, HEAD"},
		{"method/put-webextension-settings", "PUT", "/api/me/settings/webextension/", 405, "GET, PATCH, HEAD"},
		{"method/post-token", "POST", "/api/me/token/", 405, "GET, HEAD"},
		{"method/post-memberships", "POST", acmeMemberships, 405, "GET, HEAD"},
		{"method/post-membership", "POST", "/api/memberships/4/", 405, "GET, PUT, PATCH, DELETE, HEAD"},
		{"method/post-group", "POST", supportPath, 405, "GET, PUT, PATCH, DELETE, HEAD"},
		{"method/patch-group-memberships", "PATCH", supportPath + "memberships/", 405, "GET, POST, PUT, HEAD"},
		{"method/delete-group-memberships", "DELETE", supportPath + "memberships/", 405, "GET, POST, PUT, HEAD"},
		{"method/get-group-membership", "GET", supportPath + "memberships/0a000000-0000-4000-8000-00000000cfff/", 405, "DELETE"},
		{"method/put-groups", "PUT", acmeGroups, 405, "GET, POST, HEAD"},
		{"method/delete-campaigns", "DELETE", acmeCampaigns, 405, "GET, POST, HEAD"},
		{"method/put-campaign", "PUT", q1Path, 405, "GET, PATCH, DELETE, HEAD"},
		{"method/post-campaign", "POST", q1Path, 405, "GET, PATCH, DELETE, HEAD"},
		{"method/patch-campaign-members", "PATCH", q1Path + "members/", 405, "GET, POST, PUT, HEAD"},
		{"method/delete-campaign-members", "DELETE", q1Path + "members/", 405, "GET, POST, PUT, HEAD"},
		{"method/post-me", "POST", "/api/me/", 405, "GET, DELETE, HEAD"},
		{"method/delete-health", "DELETE", "/api/health/", 405, "GET, HEAD"},
		{"method/options", "OPTIONS", acmeGroups, 405, "GET, POST, HEAD"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tc.method, "http://fake.test"+tc.path, nil)
			if _, _, err := router.FindRoute(req); err == nil {
				t.Fatalf("%s %s is in openapi.yaml: this row is wrong", tc.method, tc.path)
			}
			r := s.do(t, call{method: tc.method, path: tc.path, token: acmeAdmin})
			want := apiWant{status: tc.status, body: notFound, headers: map[string]string{"Allow": ""}}
			if tc.status == 405 {
				want.body = `{"detail":"Method \"` + tc.method + `\" not allowed."}`
				want.headers["Allow"] = tc.allow
			}
			assertAPI(t, r, want)
		})
	}
}
