package fake

import (
	"fmt"
	"net/http"
	"slices"
)

// access is who may call an operation, checked after visibility.
type access int

const (
	accessAnyone   access = iota + 1 // no token needed
	accessOptional                   // a token is used when given
	accessUser                       // any authenticated user
	accessTeam                       // any member of the team in scope
	accessManage                     // the team's admins and managers
	accessAdmin                      // the team's admins
)

// scopeKind says which path parameter names the team an object belongs to,
// for the visibility check.
type scopeKind int

const (
	scopeNone scopeKind = iota
	scopeOrg
	scopeMembership
	scopeGroup
	scopeCampaign // a campaign by id, for the paths that name no team
)

type pathScope struct {
	kind  scopeKind
	param string
	// versions the path serves; nil means all of drf.Versions.
	versions []string
}

// handler serves one operation once every check of the pipeline passed.
type handler func(s *Server, w http.ResponseWriter, req *apiRequest) error

type operation struct {
	access access
	handle handler
	list   bool // a list: paginated at version 2.0
}

// pathScopes is the visibility rule of every path of openapi.yaml.
var pathScopes = map[string]pathScope{
	"/api/health/":                          {kind: scopeNone, versions: []string{"1.0"}},
	"/api/me/":                              {kind: scopeNone},
	"/api/organizations/":                   {kind: scopeNone},
	"/api/organizations/{organization_pk}/": {kind: scopeOrg, param: "organization_pk"},
	"/api/organizations/{organization_pk}/memberships/":                     {kind: scopeOrg, param: "organization_pk"},
	"/api/memberships/{id}/":                                                {kind: scopeMembership, param: "id"},
	"/api/organizations/{organization_pk}/groups/":                          {kind: scopeOrg, param: "organization_pk"},
	"/api/groups/{id}/":                                                     {kind: scopeGroup, param: "id"},
	"/api/groups/{group_pk}/memberships/":                                   {kind: scopeGroup, param: "group_pk"},
	"/api/groups/{group_pk}/memberships/{id}/":                              {kind: scopeGroup, param: "group_pk"},
	"/api/organizations/{organization_pk}/campaigns/":                       {kind: scopeOrg, param: "organization_pk"},
	"/api/organizations/{organization_pk}/campaigns/{id}/":                  {kind: scopeOrg, param: "organization_pk"},
	"/api/organizations/{organization_pk}/campaigns/{campaign_pk}/members/": {kind: scopeOrg, param: "organization_pk"},
	// Teams' lifecycle, member detail and the caller's own account (issue 11, "teams").
	"/api/organizations/{organization_pk}/members/{id}/":       {kind: scopeOrg, param: "organization_pk"},
	"/api/organizations/{organization_pk}/members/{id}/cache/": {kind: scopeOrg, param: "organization_pk"},
	"/api/me/token/":                 {kind: scopeNone},
	"/api/me/partner-principals/":    {kind: scopeNone},
	"/api/me/settings/webextension/": {kind: scopeNone},
	"/api/me/milestones/":            {kind: scopeNone},
	// invitations and campaign e-mail jobs
	"/api/organizations/{organization_pk}/invitations/":      {kind: scopeOrg, param: "organization_pk"},
	"/api/organizations/{organization_pk}/invitations/{id}/": {kind: scopeOrg, param: "organization_pk"},
	"/api/invitations/me/":                                   {kind: scopeNone},
	"/api/invitations/{id}/accept/":                          {kind: scopeNone},
	"/api/invitations/{id}/reject/":                          {kind: scopeNone},
	"/api/campaigns/{campaign_pk}/emails/jobs/":              {kind: scopeCampaign, param: "campaign_pk"},
}

// operations is the one route table: every operationId of openapi.yaml and
// what serves it. New refuses to start when the two disagree.
var operations = map[string]operation{
	"retrieveHealthCheck":                 {access: accessAnyone, handle: (*Server).retrieveHealth},
	"retrieveMe":                          {access: accessOptional, handle: (*Server).retrieveMe},
	"listOrganizations":                   {access: accessUser, handle: (*Server).listOrganizations, list: true},
	"retrieveOrganization":                {access: accessTeam, handle: (*Server).retrieveOrganization},
	"listMemberships":                     {access: accessManage, handle: (*Server).listMemberships, list: true},
	"retrieveOrganizationMembership":      {access: accessManage, handle: (*Server).retrieveMembership},
	"updateOrganizationMembership":        {access: accessAdmin, handle: (*Server).updateMembership},
	"partialUpdateOrganizationMembership": {access: accessAdmin, handle: (*Server).updateMembership},
	"destroyOrganizationMembership":       {access: accessAdmin, handle: (*Server).destroyMembership},
	"listGroups":                          {access: accessManage, handle: (*Server).listGroups, list: true},
	"createGroup":                         {access: accessManage, handle: (*Server).createGroup},
	"retrieveGroup":                       {access: accessManage, handle: (*Server).retrieveGroup},
	"updateGroup":                         {access: accessManage, handle: (*Server).updateGroup},
	"partialUpdateGroup":                  {access: accessManage, handle: (*Server).updateGroup},
	"destroyGroup":                        {access: accessAdmin, handle: (*Server).destroyGroup},
	"listGroupMemberships":                {access: accessManage, handle: (*Server).listGroupMemberships, list: true},
	"createGroupMembership":               {access: accessManage, handle: (*Server).createGroupMemberships},
	"updateGroupMembership":               {access: accessManage, handle: (*Server).replaceGroupMemberships},
	"destroyGroupMembership":              {access: accessManage, handle: (*Server).destroyGroupMembership},
	"listCampaigns":                       {access: accessManage, handle: (*Server).listCampaigns, list: true},
	"createCampaign":                      {access: accessManage, handle: (*Server).createCampaign},
	"retrieveCampaign":                    {access: accessManage, handle: (*Server).retrieveCampaign},
	"partialUpdateCampaign":               {access: accessManage, handle: (*Server).updateCampaign},
	"destroyCampaign":                     {access: accessAdmin, handle: (*Server).destroyCampaign},
	"listCampaignMembers":                 {access: accessManage, handle: (*Server).listCampaignMembers, list: true},
	"createCampaignMember":                {access: accessManage, handle: (*Server).upsertCampaignMembers},
	"updateCampaignMember":                {access: accessManage, handle: (*Server).replaceCampaignMembers},
	// Teams' lifecycle, member detail and the caller's own account (issue 11, "teams").
	"createOrganization":                 {access: accessUser, handle: (*Server).createOrganization},
	"partialUpdateOrganization":          {access: accessAdmin, handle: (*Server).partialUpdateOrganization},
	"destroyOrganization":                {access: accessAdmin, handle: (*Server).destroyOrganization},
	"retrieveUserDetail":                 {access: accessManage, handle: (*Server).retrieveUserDetail},
	"destroyOrganizationMemberCache":     {access: accessAdmin, handle: (*Server).destroyOrganizationMemberCache},
	"destroyMe":                          {access: accessUser, handle: (*Server).destroyMe},
	"retrieveAuthToken":                  {access: accessUser, handle: (*Server).retrieveAuthToken},
	"listControlRoomPrincipals":          {access: accessUser, handle: (*Server).listControlRoomPrincipals, list: true},
	"retrieveUserExtensionSettings":      {access: accessUser, handle: (*Server).retrieveUserExtensionSettings},
	"partialUpdateUserExtensionSettings": {access: accessUser, handle: (*Server).partialUpdateUserExtensionSettings},
	"listMilestones":                     {access: accessUser, handle: (*Server).listMilestones},
	"createMilestone":                    {access: accessUser, handle: (*Server).createMilestone},
	// invitations and campaign e-mail jobs
	"listOrganizationInvitations":   {access: accessManage, handle: (*Server).listOrganizationInvitations, list: true},
	"createOrganizationInvitation":  {access: accessManage, handle: (*Server).createOrganizationInvitation},
	"destroyOrganizationInvitation": {access: accessManage, handle: (*Server).destroyOrganizationInvitation},
	"listMeInvitations":             {access: accessUser, handle: (*Server).listMeInvitations, list: true},
	"acceptMeInvitation":            {access: accessUser, handle: (*Server).acceptMeInvitation},
	"rejectMeInvitation":            {access: accessUser, handle: (*Server).rejectMeInvitation},
	"createCampaignEmailJob":        {access: accessManage, handle: (*Server).createCampaignEmailJob},
}

// checkRouteTable makes sure the spec and the route table name the same
// operations and paths, so that no API route exists outside openapi.yaml.
func checkRouteTable(spec *apiSpec) error {
	specOps := spec.operations()
	var problems []string
	for id, where := range specOps {
		if _, ok := operations[id]; !ok {
			problems = append(problems, fmt.Sprintf("operation %s (%s) has no handler", id, where))
		}
	}
	for id := range operations {
		if _, ok := specOps[id]; !ok {
			problems = append(problems, fmt.Sprintf("handler %s is not an operation of openapi.yaml", id))
		}
	}
	for path := range spec.paths {
		if _, ok := pathScopes[path]; !ok {
			problems = append(problems, fmt.Sprintf("path %s has no visibility rule", path))
		}
	}
	for path := range pathScopes {
		if _, ok := spec.paths[path]; !ok {
			problems = append(problems, fmt.Sprintf("visibility rule for %s, which is not a path of openapi.yaml", path))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return fmt.Errorf("route table and openapi.yaml disagree: %v", problems)
	}
	return nil
}
