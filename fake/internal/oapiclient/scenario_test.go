package oapiclient_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	openapi_types "github.com/oapi-codegen/runtime/types"

	pixiebrixfake "github.com/pixiebrix-fake/pixiebrix-fake"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/oapiclient"
)

// The scenario drives every operation of openapi.yaml through the client that
// oapi-codegen generated from it, against the default fixture. A recorder in
// front of the fake names the operation of each request it sees, so the test
// proves that every operationId reached the server, not only that it was
// written down here.

const (
	acmeAdmin      = "acme-admin-token"
	v2             = "application/json; version=2.0"
	adaEmail       = "ada@acme.test"
	melMembership  = 4 // membership ids of the default fixture, in order
	samMembership  = 8
	acmeMembers    = 32 // 8 named people and 24 generated ones
	notFound       = "Not found."
	notEligible    = "This email is neither a member of the team nor in one of the team's verified domains."
	duplicateName  = "A campaign with this name already exists in this team."
	invalidVersion = `Invalid version in "Accept" header.`
)

var (
	acmeID         = uuid("0a000000-0000-4000-8000-000000000001")
	globexID       = uuid("0b000000-0000-4000-8000-000000000002")
	supportGroupID = uuid("0a000000-0000-4000-8000-00000000a001")
	q1CampaignID   = uuid("0a000000-0000-4000-8000-00000000c001")
)

func uuid(s string) openapi_types.UUID {
	var id openapi_types.UUID
	if err := id.UnmarshalText([]byte(s)); err != nil {
		panic(err)
	}
	return id
}

func ptr[T any](v T) *T { return &v }

// operations returns every operationId of openapi.yaml and a function that
// names the operation of a request.
func operations(t *testing.T) ([]string, func(*http.Request) string) {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(pixiebrixfake.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			ids = append(ids, op.OperationID)
		}
	}
	slices.Sort(ids)
	name := func(r *http.Request) string {
		route, _, err := router.FindRoute(r)
		if err != nil {
			return r.Method + " " + r.URL.Path + " (no operation)"
		}
		return route.Operation.OperationID
	}
	return ids, name
}

// client is the generated client for one fake, authenticated as Acme's admin
// at version 2.0, with the set of operations the fake has seen.
type client struct {
	*oapiclient.ClientWithResponses
	srv  *fake.Server // for the Go API's steps (a user in no team)
	mu   sync.Mutex
	seen map[string]bool
}

func newClient(t *testing.T) (*client, []string) {
	t.Helper()
	srv, err := fake.New()
	if err != nil {
		t.Fatalf("fake.New: %v", err)
	}
	ops, name := operations(t)
	c := &client{seen: map[string]bool{}, srv: srv}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.seen[name(r)] = true
		c.mu.Unlock()
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	c.ClientWithResponses, err = oapiclient.NewClientWithResponses(ts.URL,
		oapiclient.WithHTTPClient(ts.Client()),
		oapiclient.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Token "+acmeAdmin)
			r.Header.Set("Accept", v2)
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	return c, ops
}

// accept overrides the client's Accept header for one call.
func accept(value string) oapiclient.RequestEditorFn {
	return func(_ context.Context, r *http.Request) error {
		r.Header.Set("Accept", value)
		return nil
	}
}

// status fails the test unless the response has the wanted status.
func status(t *testing.T, got interface {
	StatusCode() int
	GetBody() []byte
}, err error, want int) {
	t.Helper()
	if err != nil {
		t.Fatalf("request failed: %v", err)
	}
	if got.StatusCode() != want {
		t.Fatalf("status %d, want %d; body %s", got.StatusCode(), want, got.GetBody())
	}
}

var linkPart = regexp.MustCompile(`^<([^>]+)>; rel="([a-z]+)"$`)

// links maps each rel of a Link header to the query of its URL.
func links(t *testing.T, header *string) map[string]string {
	t.Helper()
	out := map[string]string{}
	if header == nil {
		return out
	}
	for _, part := range strings.Split(*header, ", ") {
		m := linkPart.FindStringSubmatch(part)
		if m == nil {
			t.Fatalf("Link part %q is not <url>; rel=\"…\"", part)
		}
		_, query, _ := strings.Cut(m[1], "?")
		out[m[2]] = query
	}
	return out
}

func equalJSON(t *testing.T, what string, got any, want string) {
	t.Helper()
	gotJSON, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(gotJSON, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	gn, _ := json.Marshal(g)
	wn, _ := json.Marshal(w)
	if string(gn) != string(wn) {
		t.Errorf("%s: %s, want %s", what, gn, wn)
	}
}

func TestScenarioEveryOperation(t *testing.T) {
	t.Parallel()
	c, ops := newClient(t)
	ctx := context.Background()
	if len(ops) != 46 {
		t.Errorf("openapi.yaml has %d operations, the scenario was written for 46: %v", len(ops), ops)
	}

	// State carried from step to step.
	var (
		adaUserID          openapi_types.UUID
		groupID            openapi_types.UUID
		adaGroupMembership openapi_types.UUID
		maxGroupMembership openapi_types.UUID
		campaignID         openapi_types.UUID
		adaCampaignMember  openapi_types.UUID
		newTeamID          openapi_types.UUID
		hireInvitation     openapi_types.UUID
	)

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"health", func(t *testing.T) {
			r, err := c.RetrieveHealthCheckWithResponse(ctx, accept("application/json"))
			status(t, r, err, http.StatusOK)
			if r.JSON200.Status != "ok" {
				t.Errorf("status %q, want ok", r.JSON200.Status)
			}
			if r.Headers200 == nil || r.Headers200.XRequestId == nil {
				t.Errorf("no X-Request-Id header")
			}
			r, err = c.RetrieveHealthCheckWithResponse(ctx)
			status(t, r, err, http.StatusNotAcceptable)
			if r.JSON406.Detail != invalidVersion {
				t.Errorf("406 detail %q", r.JSON406.Detail)
			}
		}},
		{"me", func(t *testing.T) {
			r, err := c.RetrieveMeWithResponse(ctx)
			status(t, r, err, http.StatusOK)
			me := r.JSON200
			if *me.Email != adaEmail || *me.Name != "Ada Admin" || *me.ServiceAccount {
				t.Errorf("me %s", r.Body)
			}
			if me.Organization == nil || *me.Organization.Id != acmeID || me.Organization.Name != "Acme Corp" {
				t.Errorf("primary team %+v", me.Organization)
			}
			// The published schema's team settings, as the default fixture sets them.
			if o := me.Organization; !*o.IsEnterprise || o.ControlRoom.Url != "https://acmecorp.my.automationanywhere.digital" ||
				o.Theme.WhitelabelThemeName != "default" || !o.AiDefaultChatCopilot {
				t.Errorf("primary team settings %+v", o)
			}
			if me.EnforceUpdateMillis == nil || *me.EnforceUpdateMillis != 86400000 || me.Partner == nil || me.Partner.Name != "Automation Anywhere" || !*me.IsOnboarded {
				t.Errorf("me settings %s", r.Body)
			}
			if ms := *me.OrganizationMemberships; len(ms) != 1 || ms[0].Role != 2 || *ms[0].Scope != "@acme" {
				t.Errorf("team memberships %+v", ms)
			}
			if gs := *me.GroupMemberships; len(gs) != 1 || gs[0].Id != supportGroupID || gs[0].Name != "Support Agents" {
				t.Errorf("group memberships %+v", gs)
			}
			adaUserID = *me.Id
		}},
		{"organizations/list", func(t *testing.T) {
			r, err := c.ListOrganizationsWithResponse(ctx, nil)
			status(t, r, err, http.StatusOK)
			orgs := *r.JSON200
			if len(orgs) != 1 || *orgs[0].Id != acmeID || orgs[0].Name != "Acme Corp" || len(*orgs[0].Members) != acmeMembers {
				t.Errorf("teams %s", r.Body)
			}
			if n := r.Headers200.XTotalCount; n == nil || *n != 1 {
				t.Errorf("X-Total-Count %v, want 1", n)
			}
		}},
		{"organizations/retrieve", func(t *testing.T) {
			r, err := c.RetrieveOrganizationWithResponse(ctx, acmeID)
			status(t, r, err, http.StatusOK)
			org := r.JSON200
			if org.Name != "Acme Corp" || *org.Scope != "@acme" || len(*org.Members) != acmeMembers {
				t.Errorf("team %s", r.Body)
			}
			if first := (*org.Members)[0]; *first.Id != 1 || first.User.Email != adaEmail || *first.Role != 2 {
				t.Errorf("first member %+v", first)
			}
			// A team Ada does not belong to is hidden.
			r, err = c.RetrieveOrganizationWithResponse(ctx, globexID)
			status(t, r, err, http.StatusNotFound)
			if r.JSON404.Detail != notFound {
				t.Errorf("404 detail %q", r.JSON404.Detail)
			}
		}},
		{"memberships/list", func(t *testing.T) {
			r, err := c.ListMembershipsWithResponse(ctx, acmeID, &oapiclient.ListMembershipsParams{Page: ptr(2), PageSize: ptr(5)})
			status(t, r, err, http.StatusOK)
			var ids []int
			for _, m := range *r.JSON200 {
				ids = append(ids, *m.Id)
			}
			if !slices.Equal(ids, []int{6, 7, 8, 9, 10}) {
				t.Errorf("page 2 ids %v, want 6..10", ids)
			}
			if n := r.Headers200.XTotalCount; n == nil || *n != acmeMembers {
				t.Errorf("X-Total-Count %v, want %d", n, acmeMembers)
			}
			want := map[string]string{"first": "page_size=5", "prev": "page_size=5", "next": "page=3&page_size=5", "last": "page=7&page_size=5"}
			if got := links(t, r.Headers200.Link); !maps.Equal(got, want) {
				t.Errorf("Link %v, want %v", got, want)
			}
			// Filters.
			r, err = c.ListMembershipsWithResponse(ctx, acmeID, &oapiclient.ListMembershipsParams{Q: ptr("ADA@")})
			status(t, r, err, http.StatusOK)
			if ms := *r.JSON200; len(ms) != 1 || ms[0].User.Email != adaEmail || ms[0].Role != 2 {
				t.Errorf("q=ADA@: %s", r.Body)
			}
			r, err = c.ListMembershipsWithResponse(ctx, acmeID, &oapiclient.ListMembershipsParams{UserServiceAccount: ptr("true")})
			status(t, r, err, http.StatusOK)
			if ms := *r.JSON200; len(ms) != 1 || ms[0].User.Email != "sync-bot@acme.test" || !*ms[0].User.ServiceAccount {
				t.Errorf("service accounts: %s", r.Body)
			}
		}},
		{"memberships/retrieve", func(t *testing.T) {
			r, err := c.RetrieveOrganizationMembershipWithResponse(ctx, melMembership)
			status(t, r, err, http.StatusOK)
			if m := r.JSON200; *m.Id != melMembership || m.User.Email != "mel@acme.test" || m.Role != 1 {
				t.Errorf("membership %s", r.Body)
			}
		}},
		{"memberships/partial-update", func(t *testing.T) {
			r, err := c.PartialUpdateOrganizationMembershipWithResponse(ctx, melMembership, oapiclient.PatchedMembershipRequest{Role: ptr(oapiclient.Role(3))})
			status(t, r, err, http.StatusOK)
			if r.JSON200.Role != 3 || r.JSON200.User.Email != "mel@acme.test" {
				t.Errorf("after PATCH %s", r.Body)
			}
		}},
		{"memberships/update", func(t *testing.T) {
			r, err := c.UpdateOrganizationMembershipWithResponse(ctx, melMembership, oapiclient.MembershipRequest{Role: 5})
			status(t, r, err, http.StatusOK)
			if r.JSON200.Role != 5 {
				t.Errorf("after PUT %s", r.Body)
			}
			got, err := c.RetrieveOrganizationMembershipWithResponse(ctx, melMembership)
			status(t, got, err, http.StatusOK)
			if got.JSON200.Role != 5 {
				t.Errorf("role read back %d, want 5", got.JSON200.Role)
			}
		}},
		{"memberships/form-bodies", func(t *testing.T) {
			// The generated form-encoded variants, as requests.patch(data=...) sends.
			r, err := c.PartialUpdateOrganizationMembershipWithFormdataBodyWithResponse(ctx, melMembership, oapiclient.PatchedMembershipRequest{Role: ptr(oapiclient.Role(4))})
			status(t, r, err, http.StatusOK)
			if r.JSON200.Role != 4 {
				t.Errorf("after a form PATCH %s", r.Body)
			}
			put, err := c.UpdateOrganizationMembershipWithFormdataBodyWithResponse(ctx, melMembership, oapiclient.MembershipRequest{Role: 5})
			status(t, put, err, http.StatusOK)
			if put.JSON200.Role != 5 {
				t.Errorf("after a form PUT %s", put.Body)
			}
		}},
		{"memberships/destroy", func(t *testing.T) {
			r, err := c.DestroyOrganizationMembershipWithResponse(ctx, samMembership)
			status(t, r, err, http.StatusNoContent)
			got, err := c.RetrieveOrganizationMembershipWithResponse(ctx, samMembership)
			status(t, got, err, http.StatusNotFound)
			list, err := c.ListMembershipsWithResponse(ctx, acmeID, nil)
			status(t, list, err, http.StatusOK)
			if n := *list.Headers200.XTotalCount; n != acmeMembers-1 || len(*list.JSON200) != acmeMembers-1 {
				t.Errorf("after DELETE: %d members (X-Total-Count %d), want %d", len(*list.JSON200), n, acmeMembers-1)
			}
		}},
		{"groups/list", func(t *testing.T) {
			r, err := c.ListGroupsWithResponse(ctx, acmeID, nil)
			status(t, r, err, http.StatusOK)
			var names []string
			for _, g := range *r.JSON200 {
				names = append(names, g.Name)
			}
			if !slices.Equal(names, []string{"Sales", "Support Agents"}) {
				t.Errorf("groups %v", names)
			}
			if support := (*r.JSON200)[1]; *support.Id != supportGroupID || *support.NumMembers != 4 {
				t.Errorf("Support Agents %s", r.Body)
			}
			if n := *r.Headers200.XTotalCount; n != 2 {
				t.Errorf("X-Total-Count %d, want 2", n)
			}
		}},
		{"groups/create", func(t *testing.T) {
			r, err := c.CreateGroupWithResponse(ctx, acmeID, oapiclient.GroupRequest{Name: "Client Team"})
			status(t, r, err, http.StatusCreated)
			if g := r.JSON201; g.Name != "Client Team" || *g.NumMembers != 0 || g.Id == nil {
				t.Fatalf("new group %s", r.Body)
			}
			groupID = *r.JSON201.Id
		}},
		{"groups/retrieve", func(t *testing.T) {
			r, err := c.RetrieveGroupWithResponse(ctx, groupID)
			status(t, r, err, http.StatusOK)
			if g := r.JSON200; *g.Id != groupID || g.Name != "Client Team" || len(*g.Deployments) != 0 {
				t.Errorf("group %s", r.Body)
			}
		}},
		{"groups/update", func(t *testing.T) {
			r, err := c.UpdateGroupWithResponse(ctx, groupID, oapiclient.GroupRequest{Name: "Client Crew"})
			status(t, r, err, http.StatusOK)
			if r.JSON200.Name != "Client Crew" {
				t.Errorf("after PUT %s", r.Body)
			}
		}},
		{"groups/partial-update", func(t *testing.T) {
			r, err := c.PartialUpdateGroupWithResponse(ctx, groupID, oapiclient.PatchedGroupRequest{Name: ptr("Client Squad")})
			status(t, r, err, http.StatusOK)
			if r.JSON200.Name != "Client Squad" || *r.JSON200.Id != groupID {
				t.Errorf("after PATCH %s", r.Body)
			}
		}},
		{"group-memberships/create", func(t *testing.T) {
			var body oapiclient.GroupMembershipWriteBody
			if err := body.FromGroupMembershipWriteBody1([]oapiclient.GroupMembershipWrite{
				{UserId: &adaUserID},
				{Email: ptr(openapi_types.Email("max@acme.test"))},
				{Email: ptr(openapi_types.Email("new.person@acme.test"))},
			}); err != nil {
				t.Fatal(err)
			}
			r, err := c.CreateGroupMembershipWithResponse(ctx, groupID, body)
			status(t, r, err, http.StatusCreated)
			created, err := r.JSON201.AsGroupMembershipResult1()
			if err != nil {
				t.Fatalf("a list body is answered with a list: %v (%s)", err, r.Body)
			}
			if len(created) != 3 || created[0].Email != adaEmail || created[0].User == nil || *created[0].User.Id != adaUserID ||
				created[1].Email != "max@acme.test" || created[2].Email != "new.person@acme.test" || created[2].User != nil {
				t.Fatalf("created %s", r.Body)
			}
			adaGroupMembership, maxGroupMembership = *created[0].Id, *created[1].Id

			// A single object is answered with a single object.
			var one oapiclient.GroupMembershipWriteBody
			if err := one.FromGroupMembershipWrite(oapiclient.GroupMembershipWrite{Email: ptr(openapi_types.Email("mel@acme.test"))}); err != nil {
				t.Fatal(err)
			}
			r, err = c.CreateGroupMembershipWithResponse(ctx, groupID, one)
			status(t, r, err, http.StatusCreated)
			single, err := r.JSON201.AsGroupMembership()
			if err != nil || single.Email != "mel@acme.test" || single.User == nil || *single.User.Name != "Mel Member" {
				t.Errorf("single object: %v %s", err, r.Body)
			}
		}},
		{"group-memberships/list", func(t *testing.T) {
			r, err := c.ListGroupMembershipsWithResponse(ctx, groupID, &oapiclient.ListGroupMembershipsParams{PageSize: ptr(2)})
			status(t, r, err, http.StatusOK)
			if n := *r.Headers200.XTotalCount; n != 4 || len(*r.JSON200) != 2 {
				t.Errorf("page of %d, X-Total-Count %d; want 2 of 4", len(*r.JSON200), n)
			}
			want := map[string]string{"next": "page=2&page_size=2", "last": "page=2&page_size=2"}
			if got := links(t, r.Headers200.Link); !maps.Equal(got, want) {
				t.Errorf("Link %v, want %v", got, want)
			}
		}},
		{"group-memberships/update", func(t *testing.T) {
			var body oapiclient.GroupMembershipWriteBody
			if err := body.FromGroupMembershipWriteBody1([]oapiclient.GroupMembershipWrite{
				{Email: ptr(openapi_types.Email(adaEmail))},
				{Email: ptr(openapi_types.Email("max@acme.test"))},
			}); err != nil {
				t.Fatal(err)
			}
			r, err := c.UpdateGroupMembershipWithResponse(ctx, groupID, nil, body)
			status(t, r, err, http.StatusOK)
			got := *r.JSON200
			if len(got) != 2 || *got[0].Id != adaGroupMembership || *got[1].Id != maxGroupMembership {
				t.Errorf("after PUT (ada %s, max %s kept): %s", adaGroupMembership, maxGroupMembership, r.Body)
			}
		}},
		{"group-memberships/destroy", func(t *testing.T) {
			r, err := c.DestroyGroupMembershipWithResponse(ctx, groupID, maxGroupMembership)
			status(t, r, err, http.StatusNoContent)
			list, err := c.ListGroupMembershipsWithResponse(ctx, groupID, nil)
			status(t, list, err, http.StatusOK)
			if got := *list.JSON200; len(got) != 1 || got[0].Email != adaEmail {
				t.Errorf("after DELETE: %s", list.Body)
			}
			r, err = c.DestroyGroupMembershipWithResponse(ctx, groupID, maxGroupMembership)
			status(t, r, err, http.StatusNotFound)
		}},
		{"group-memberships/error/per-item", func(t *testing.T) {
			var body oapiclient.GroupMembershipWriteBody
			if err := body.FromGroupMembershipWriteBody1([]oapiclient.GroupMembershipWrite{
				{Email: ptr(openapi_types.Email("mel@acme.test"))},
				{Email: ptr(openapi_types.Email("someone@elsewhere.test"))},
			}); err != nil {
				t.Fatal(err)
			}
			r, err := c.CreateGroupMembershipWithResponse(ctx, groupID, body)
			status(t, r, err, http.StatusBadRequest)
			items, err := r.JSON400.AsValidationErrorList()
			if err != nil {
				t.Fatalf("a list body's errors are a list: %v (%s)", err, r.Body)
			}
			equalJSON(t, "per-item errors", items, `[{}, {"email": ["`+notEligible+`"]}]`)
			list, err := c.ListGroupMembershipsWithResponse(ctx, groupID, nil)
			status(t, list, err, http.StatusOK)
			if n := len(*list.JSON200); n != 1 {
				t.Errorf("a refused list wrote %d memberships", n-1)
			}
		}},
		{"groups/destroy", func(t *testing.T) {
			r, err := c.DestroyGroupWithResponse(ctx, groupID)
			status(t, r, err, http.StatusNoContent)
			got, err := c.RetrieveGroupWithResponse(ctx, groupID)
			status(t, got, err, http.StatusNotFound)
			if got.JSON404.Detail != notFound {
				t.Errorf("404 detail %q", got.JSON404.Detail)
			}
		}},
		{"campaigns/list", func(t *testing.T) {
			r, err := c.ListCampaignsWithResponse(ctx, acmeID, nil)
			status(t, r, err, http.StatusOK)
			var names []string
			for _, cp := range *r.JSON200 {
				names = append(names, cp.Name)
			}
			if !slices.Equal(names, []string{"Onboarding", "Q1 Rollout"}) || *(*r.JSON200)[1].Id != q1CampaignID {
				t.Errorf("campaigns %s", r.Body)
			}
			if n := *r.Headers200.XTotalCount; n != 2 {
				t.Errorf("X-Total-Count %d, want 2", n)
			}
		}},
		{"campaigns/create", func(t *testing.T) {
			r, err := c.CreateCampaignWithResponse(ctx, acmeID, oapiclient.CampaignRequest{Name: "Beta"})
			status(t, r, err, http.StatusCreated)
			if r.JSON201.Name != "Beta" || r.JSON201.Id == nil {
				t.Fatalf("new campaign %s", r.Body)
			}
			campaignID = *r.JSON201.Id
			r, err = c.CreateCampaignWithResponse(ctx, acmeID, oapiclient.CampaignRequest{Name: "Beta"})
			status(t, r, err, http.StatusBadRequest)
			fields, err := r.JSON400.AsValidationErrors()
			if err != nil {
				t.Fatal(err)
			}
			equalJSON(t, "duplicate name", fields, `{"name": ["`+duplicateName+`"]}`)
		}},
		{"campaigns/retrieve", func(t *testing.T) {
			r, err := c.RetrieveCampaignWithResponse(ctx, acmeID, campaignID)
			status(t, r, err, http.StatusOK)
			if *r.JSON200.Id != campaignID || r.JSON200.Name != "Beta" {
				t.Errorf("campaign %s", r.Body)
			}
		}},
		{"campaigns/partial-update", func(t *testing.T) {
			r, err := c.PartialUpdateCampaignWithResponse(ctx, acmeID, campaignID, oapiclient.PatchedCampaignRequest{Name: ptr("Beta Launch")})
			status(t, r, err, http.StatusOK)
			if r.JSON200.Name != "Beta Launch" || r.JSON200.UpdatedAt.Before(*r.JSON200.CreatedAt) {
				t.Errorf("after PATCH %s", r.Body)
			}
		}},
		{"campaign-members/create", func(t *testing.T) {
			var body oapiclient.CampaignMemberWriteBody
			if err := body.FromCampaignMemberWriteBody1([]oapiclient.CampaignMemberWrite{
				{Email: adaEmail, Data: map[string]any{"Location": "Berlin"}},
				{Email: "new.hire@acme.test", Data: map[string]any{}},
			}); err != nil {
				t.Fatal(err)
			}
			r, err := c.CreateCampaignMemberWithResponse(ctx, acmeID, campaignID, body)
			status(t, r, err, http.StatusCreated)
			created, err := r.JSON201.AsCampaignMemberResult1()
			if err != nil {
				t.Fatalf("a list body is answered with a list: %v (%s)", err, r.Body)
			}
			if len(created) != 2 || created[0].Email != adaEmail || created[0].Account == nil || *created[0].Account.Id != adaUserID ||
				created[0].Data["Location"] != "Berlin" || created[1].Account != nil {
				t.Fatalf("created %s", r.Body)
			}
			adaCampaignMember = *created[0].Id

			// Posting an email again updates it in place.
			var again oapiclient.CampaignMemberWriteBody
			if err := again.FromCampaignMemberWrite(oapiclient.CampaignMemberWrite{Email: adaEmail, Data: map[string]any{"Location": "Paris"}}); err != nil {
				t.Fatal(err)
			}
			r, err = c.CreateCampaignMemberWithResponse(ctx, acmeID, campaignID, again)
			status(t, r, err, http.StatusCreated)
			single, err := r.JSON201.AsCampaignMember()
			if err != nil || *single.Id != adaCampaignMember || single.Data["Location"] != "Paris" {
				t.Errorf("upsert: %v %s", err, r.Body)
			}
		}},
		{"campaign-members/list", func(t *testing.T) {
			r, err := c.ListCampaignMembersWithResponse(ctx, acmeID, campaignID, nil)
			status(t, r, err, http.StatusOK)
			got := *r.JSON200
			if len(got) != 2 || *got[0].Id != adaCampaignMember || got[0].Data["Location"] != "Paris" || got[1].Email != "new.hire@acme.test" {
				t.Errorf("members %s", r.Body)
			}
			if n := *r.Headers200.XTotalCount; n != 2 {
				t.Errorf("X-Total-Count %d, want 2", n)
			}
		}},
		{"campaign-members/update", func(t *testing.T) {
			var body oapiclient.CampaignMemberWriteBody
			if err := body.FromCampaignMemberWriteBody1([]oapiclient.CampaignMemberWrite{
				{Email: "mel@acme.test", Data: map[string]any{"Team": "Support"}},
			}); err != nil {
				t.Fatal(err)
			}
			r, err := c.UpdateCampaignMemberWithResponse(ctx, acmeID, campaignID, body)
			status(t, r, err, http.StatusOK)
			got := *r.JSON200
			if len(got) != 1 || got[0].Email != "mel@acme.test" || got[0].Data["Team"] != "Support" || got[0].Account == nil {
				t.Errorf("after PUT %s", r.Body)
			}
		}},
		{"campaigns/destroy", func(t *testing.T) {
			r, err := c.DestroyCampaignWithResponse(ctx, acmeID, campaignID)
			status(t, r, err, http.StatusNoContent)
			got, err := c.RetrieveCampaignWithResponse(ctx, acmeID, campaignID)
			status(t, got, err, http.StatusNotFound)
			if got.JSON404.Detail != notFound {
				t.Errorf("404 detail %q", got.JSON404.Detail)
			}
		}},
		// Teams' lifecycle, member detail and the caller's own account (issue 11, "teams").
		{"organizations/create", func(t *testing.T) {
			r, err := c.CreateOrganizationWithResponse(ctx, oapiclient.OrganizationRequest{Name: "Client Team", Scope: ptr("@client"), DefaultRole: ptr(oapiclient.Role(1))})
			status(t, r, err, http.StatusCreated)
			team := r.JSON201
			if team.Name != "Client Team" || *team.Scope != "@client" || team.DefaultRole != 1 || len(*team.Members) != 1 || *(*team.Members)[0].Role != 2 {
				t.Errorf("new team %s", r.Body)
			}
			newTeamID = *team.Id
		}},
		{"organizations/partial-update", func(t *testing.T) {
			r, err := c.PartialUpdateOrganizationWithResponse(ctx, newTeamID, oapiclient.PatchedOrganizationRequest{Name: ptr("Client Team 2"), SessionIdleTimeoutMinutes: ptr(30)})
			status(t, r, err, http.StatusOK)
			if r.JSON200.Name != "Client Team 2" || r.JSON200.SessionIdleTimeoutMinutes != 30 {
				t.Errorf("updated team %s", r.Body)
			}
			form, err := c.PartialUpdateOrganizationWithFormdataBodyWithResponse(ctx, newTeamID, oapiclient.PatchedOrganizationRequest{AiDefaultChatCopilot: ptr(false)})
			status(t, form, err, http.StatusOK)
			if form.JSON200.AiDefaultChatCopilot {
				t.Errorf("form update %s", form.Body)
			}
		}},
		{"organizations/destroy", func(t *testing.T) {
			r, err := c.DestroyOrganizationWithResponse(ctx, newTeamID)
			status(t, r, err, http.StatusNoContent)
			got, err := c.RetrieveOrganizationWithResponse(ctx, newTeamID)
			status(t, got, err, http.StatusNotFound)
			enterprise, err := c.DestroyOrganizationWithResponse(ctx, acmeID)
			status(t, enterprise, err, http.StatusForbidden)
			if enterprise.JSON403.Detail != "Enterprise teams cannot be deleted." {
				t.Errorf("403 detail %q", enterprise.JSON403.Detail)
			}
		}},
		{"members/detail", func(t *testing.T) {
			r, err := c.RetrieveUserDetailWithResponse(ctx, acmeID, adaUserID.String())
			status(t, r, err, http.StatusOK)
			d := r.JSON200
			if *d.Id != adaUserID || d.Email != adaEmail || d.Membership == nil || d.Membership.Role != 2 || len(d.Groups) != 1 || d.Groups[0].GroupName != "Support Agents" {
				t.Errorf("detail %s", r.Body)
			}
			cache, err := c.DestroyOrganizationMemberCacheWithResponse(ctx, acmeID, adaUserID.String())
			status(t, cache, err, http.StatusNoContent)
		}},
		{"me/token", func(t *testing.T) {
			r, err := c.RetrieveAuthTokenWithResponse(ctx)
			status(t, r, err, http.StatusOK)
			if *r.JSON200.Token != acmeAdmin {
				t.Errorf("token %s", r.Body)
			}
		}},
		{"me/partner-principals", func(t *testing.T) {
			r, err := c.ListControlRoomPrincipalsWithResponse(ctx, &oapiclient.ListControlRoomPrincipalsParams{PageSize: ptr(10)})
			status(t, r, err, http.StatusOK)
			if got := *r.JSON200; len(got) != 1 || *got[0].ControlRoomUrl != "https://acmecorp.my.automationanywhere.digital" || got[0].ControlRoomUserId < 1 {
				t.Errorf("principals %s", r.Body)
			}
		}},
		{"me/extension-settings", func(t *testing.T) {
			r, err := c.RetrieveUserExtensionSettingsWithResponse(ctx)
			status(t, r, err, http.StatusOK)
			if !r.JSON200.IsTextSelectionMenuEnabled || r.JSON200.TextSelectionMenuOrientation != oapiclient.UserExtensionSettingsTextSelectionMenuOrientationHorizontal {
				t.Errorf("defaults %s", r.Body)
			}
			vertical := oapiclient.PatchedUserExtensionSettingsRequestTextSelectionMenuOrientationVertical
			u, err := c.PartialUpdateUserExtensionSettingsWithResponse(ctx, oapiclient.PatchedUserExtensionSettingsRequest{
				TextSelectionMenuOrientation: &vertical, FloatingActionButtonSiteDenylist: &[]string{"a.test"}})
			status(t, u, err, http.StatusOK)
			if u.JSON200.TextSelectionMenuOrientation != "vertical" || !slices.Equal(u.JSON200.FloatingActionButtonSiteDenylist, []string{"a.test"}) {
				t.Errorf("updated %s", u.Body)
			}
		}},
		{"me/milestones", func(t *testing.T) {
			r, err := c.CreateMilestoneWithResponse(ctx, oapiclient.MilestoneRequest{Key: "client_run", Metadata: &map[string]any{"n": 1}})
			status(t, r, err, http.StatusCreated)
			form, err := c.CreateMilestoneWithFormdataBodyWithResponse(ctx, oapiclient.MilestoneRequest{Key: "client_form"})
			status(t, form, err, http.StatusCreated)
			list, err := c.ListMilestonesWithResponse(ctx)
			status(t, list, err, http.StatusOK)
			if got := *list.JSON200; len(got) != 2 || got[0].Key != "client_run" || got[1].Key != "client_form" || got[1].Metadata != nil {
				t.Errorf("milestones %s", list.Body)
			}
		}},
		// invitations and campaign e-mail jobs
		{"invitations/create-list-revoke", func(t *testing.T) {
			var body oapiclient.CreateOrganizationInvitationJSONRequestBody
			manager := oapiclient.Role(5)
			if err := body.FromPendingInvitationWriteBody1([]oapiclient.PendingInvitationRequest{
				{Email: "hire@acme.test", Role: &manager}, {Email: "gone@elsewhere.test"},
			}); err != nil {
				t.Fatal(err)
			}
			r, err := c.CreateOrganizationInvitationWithResponse(ctx, acmeID, body)
			status(t, r, err, http.StatusCreated)
			made, err := r.JSON201.AsPendingInvitationResult1()
			if err != nil || len(made) != 2 || made[0].Role != 5 || made[1].Role != 4 || made[0].Inviter.Email != adaEmail {
				t.Fatalf("invited %s (%v)", r.Body, err)
			}
			list, err := c.ListOrganizationInvitationsWithResponse(ctx, acmeID, &oapiclient.ListOrganizationInvitationsParams{})
			status(t, list, err, http.StatusOK)
			if len(*list.JSON200) != 2 {
				t.Errorf("invitations %s", list.Body)
			}
			gone, err := c.DestroyOrganizationInvitationWithResponse(ctx, acmeID, *made[1].Id)
			status(t, gone, err, http.StatusNoContent)
			hireInvitation = *made[0].Id
		}},
		{"invitations/me-accept-reject", func(t *testing.T) {
			_, token, err := c.srv.AddUser("hire@acme.test", "Hire")
			if err != nil {
				t.Fatal(err)
			}
			asHire := func(_ context.Context, r *http.Request) error {
				r.Header.Set("Authorization", "Token "+token)
				return nil
			}
			mine, err := c.ListMeInvitationsWithResponse(ctx, &oapiclient.ListMeInvitationsParams{}, asHire)
			status(t, mine, err, http.StatusOK)
			if len(*mine.JSON200) != 1 || *(*mine.JSON200)[0].Id != hireInvitation {
				t.Fatalf("my invitations %s", mine.Body)
			}
			// Rejecting as someone else: the invitation does not exist for them.
			no, err := c.RejectMeInvitationWithBodyWithResponse(ctx, hireInvitation, "application/json", nil)
			status(t, no, err, http.StatusNotFound)
			yes, err := c.AcceptMeInvitationWithBodyWithResponse(ctx, hireInvitation, "application/json", nil, asHire)
			status(t, yes, err, http.StatusCreated)
			if yes.JSON201.Email != "hire@acme.test" || yes.JSON201.Role != 5 {
				t.Errorf("accepted %s", yes.Body)
			}
			hire := "hire@acme.test"
			members, err := c.ListMembershipsWithResponse(ctx, acmeID, &oapiclient.ListMembershipsParams{Q: &hire})
			status(t, members, err, http.StatusOK)
			if len(*members.JSON200) != 1 || (*members.JSON200)[0].Role != 5 {
				t.Errorf("the new member %s", members.Body)
			}
		}},
		{"campaigns/email-job", func(t *testing.T) {
			kind := oapiclient.CampaignEmailJobRequestTypeRegistration
			r, err := c.CreateCampaignEmailJobWithResponse(ctx, q1CampaignID, oapiclient.CampaignEmailJobRequest{Type: &kind})
			status(t, r, err, http.StatusCreated)
			if r.JSON201.Campaign != q1CampaignID || !slices.Equal(r.JSON201.Recipients, []string{"new.hire@acme.test"}) {
				t.Errorf("job %s", r.Body)
			}
			if mail := c.srv.Outbox(fake.OutboxFilter{Kind: fake.OutboxCampaignRegistration}); len(mail) != 1 || mail[0].To != "new.hire@acme.test" {
				t.Errorf("outbox %+v", mail)
			}
		}},
		{"me/destroy", func(t *testing.T) { // last: the client's own account goes
			r, err := c.DestroyMeWithResponse(ctx)
			status(t, r, err, http.StatusNoContent)
			me, err := c.RetrieveMeWithResponse(ctx)
			status(t, me, err, http.StatusUnauthorized)
			if me.JSON401.Detail != "Invalid token." {
				t.Errorf("401 detail %q", me.JSON401.Detail)
			}
		}},
	}
	for _, step := range steps {
		if !t.Run(step.name, step.run) {
			t.Fatalf("step %s failed; the later steps depend on it", step.name)
		}
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	var missing []string
	for _, op := range ops {
		if !c.seen[op] {
			missing = append(missing, op)
		}
	}
	if len(missing) > 0 {
		t.Errorf("operations the scenario never called: %v", missing)
	}
	for op := range c.seen {
		if !slices.Contains(ops, op) {
			t.Errorf("a request matched no operation: %s", op)
		}
	}
}
