package check

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"

	"github.com/pixiebrix-fake/pixiebrix-fake/cmd/pixiebrix-fake/internal/apiclient"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// Read is one read operation on one concrete path.
type Read struct {
	Operation string // the operationId of openapi.yaml
	Template  string // the path template of openapi.yaml
	Path      string // the concrete path
	List      bool   // a list: paged at version 2.0
	// Versions the contract serves the path at; the others must be 406.
	Versions []string
}

// Versions are the API versions the contract names.
var Versions = []string{"1.0", "1.1", "2.0"}

// ReadOperations lists the read operations the token can reach: the
// caller, its teams, and, in the teams it manages, the memberships, groups
// and campaigns with their members. perList bounds how many single objects
// of each list are read (0: all of them).
func ReadOperations(ctx context.Context, c *apiclient.Client, perList int) ([]Read, error) {
	reads := []Read{
		{Operation: "retrieveHealthCheck", Template: "/api/health/", Path: "/api/health/", Versions: []string{"1.0"}},
		{Operation: "retrieveMe", Template: "/api/me/", Path: "/api/me/"},
		{Operation: "listOrganizations", Template: "/api/organizations/", Path: "/api/organizations/", List: true},
		// The caller's own account (issue 11, "teams").
		{Operation: "retrieveAuthToken", Template: "/api/me/token/", Path: "/api/me/token/"},
		{Operation: "listControlRoomPrincipals", Template: "/api/me/partner-principals/", Path: "/api/me/partner-principals/", List: true},
		{Operation: "retrieveUserExtensionSettings", Template: "/api/me/settings/webextension/", Path: "/api/me/settings/webextension/"},
		{Operation: "listMilestones", Template: "/api/me/milestones/", Path: "/api/me/milestones/"},
		// invitations
		{Operation: "listMeInvitations", Template: "/api/invitations/me/", Path: "/api/invitations/me/", List: true},
	}
	var me struct {
		Memberships []struct {
			Organization string      `json:"organization"`
			Role         json.Number `json:"role"`
		} `json:"organization_memberships"`
	}
	if err := c.GetJSON(ctx, "/api/me/", "1.0", &me); err != nil {
		return nil, err
	}
	// A wrong X-Total-Count is the check's to report, not a reason to stop.
	ids := func(path string, fn func(id string)) error {
		n := 0
		var countErr *apiclient.CountError
		err := c.Each(ctx, path, fake.MaxPageSize, func(raw json.RawMessage) error {
			if perList > 0 && n >= perList {
				return nil
			}
			var item struct {
				ID json.RawMessage `json:"id"`
			}
			if err := json.Unmarshal(raw, &item); err != nil {
				return err
			}
			var id string
			if json.Unmarshal(item.ID, &id) != nil {
				id = string(item.ID) // memberships have integer ids
			}
			n++
			fn(url.PathEscape(id))
			return nil
		}, nil)
		if errors.As(err, &countErr) {
			return nil
		}
		return err
	}
	for _, m := range me.Memberships {
		org := "/api/organizations/" + url.PathEscape(m.Organization) + "/"
		reads = append(reads, Read{Operation: "retrieveOrganization", Template: "/api/organizations/{organization_pk}/", Path: org})
		n, _ := m.Role.Int64()
		if role := fake.Role(n); role != fake.RoleAdmin && role != fake.RoleManager {
			continue
		}
		reads = append(reads,
			Read{Operation: "listMemberships", Template: "/api/organizations/{organization_pk}/memberships/", Path: org + "memberships/", List: true},
			Read{Operation: "listGroups", Template: "/api/organizations/{organization_pk}/groups/", Path: org + "groups/", List: true},
			Read{Operation: "listCampaigns", Template: "/api/organizations/{organization_pk}/campaigns/", Path: org + "campaigns/", List: true},
			// invitations
			Read{Operation: "listOrganizationInvitations", Template: "/api/organizations/{organization_pk}/invitations/", Path: org + "invitations/", List: true},
		)
		err := ids(org+"memberships/", func(id string) {
			reads = append(reads, Read{Operation: "retrieveOrganizationMembership", Template: "/api/memberships/{id}/", Path: "/api/memberships/" + id + "/"})
		})
		if err != nil {
			return nil, err
		}
		// A member's detail is addressed by the user's id (issue 11, "teams").
		details := 0
		err = c.Each(ctx, org+"memberships/", fake.MaxPageSize, func(raw json.RawMessage) error {
			if perList > 0 && details >= perList {
				return nil
			}
			var item struct {
				User struct {
					ID string `json:"id"`
				} `json:"user"`
			}
			if err := json.Unmarshal(raw, &item); err != nil {
				return err
			}
			details++
			reads = append(reads, Read{Operation: "retrieveUserDetail", Template: "/api/organizations/{organization_pk}/members/{id}/",
				Path: org + "members/" + url.PathEscape(item.User.ID) + "/"})
			return nil
		}, nil)
		if countErr := (*apiclient.CountError)(nil); err != nil && !errors.As(err, &countErr) {
			return nil, err
		}
		err = ids(org+"groups/", func(id string) {
			reads = append(reads,
				Read{Operation: "retrieveGroup", Template: "/api/groups/{id}/", Path: "/api/groups/" + id + "/"},
				Read{Operation: "listGroupMemberships", Template: "/api/groups/{group_pk}/memberships/", Path: "/api/groups/" + id + "/memberships/", List: true})
		})
		if err != nil {
			return nil, err
		}
		err = ids(org+"campaigns/", func(id string) {
			reads = append(reads,
				Read{Operation: "retrieveCampaign", Template: "/api/organizations/{organization_pk}/campaigns/{id}/", Path: org + "campaigns/" + id + "/"},
				Read{Operation: "listCampaignMembers", Template: "/api/organizations/{organization_pk}/campaigns/{campaign_pk}/members/", Path: org + "campaigns/" + id + "/members/", List: true})
		})
		if err != nil {
			return nil, err
		}
	}
	for i := range reads {
		if reads[i].Versions == nil {
			reads[i].Versions = Versions
		}
	}
	return reads, nil
}
