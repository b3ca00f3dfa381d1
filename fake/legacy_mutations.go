package fake

import (
	"encoding/json"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/statefile"
)

// legacyMutations decodes the records of state files written before writes
// were mutation values: each old operation name, with its old arguments,
// becomes the mutation that makes the same change. Never extend it: new
// kinds go in mutationTypes.
var legacyMutations = map[string]func(args json.RawMessage) (mutation, error){
	"membership.role":   legacy(func(a v1MembershipArgs) mutation { return &updateMembershipRole{ID: a.ID, Role: a.Role} }),
	"membership.delete": legacy(func(a v1MembershipArgs) mutation { return &deleteMembership{ID: a.ID} }),
	"group.create":      legacy(func(a v1ObjectArgs) mutation { return &createGroup{Org: a.Org, Name: a.name()} }),
	"group.update":      legacy(func(a v1ObjectArgs) mutation { return &updateGroup{ID: a.ID, Name: a.Name} }),
	"group.delete":      legacy(func(a v1ObjectArgs) mutation { return &deleteGroup{ID: a.ID} }),
	// Org held the group's id.
	"group.membership.delete": legacy(func(a v1ObjectArgs) mutation { return &deleteGroupMembership{Group: a.Org, ID: a.ID} }),
	"campaign.create":         legacy(func(a v1ObjectArgs) mutation { return &createCampaign{Org: a.Org, Name: a.name()} }),
	"campaign.update":         legacy(func(a v1ObjectArgs) mutation { return &updateCampaign{Org: a.Org, ID: a.ID, Name: a.Name} }),
	"campaign.delete":         legacy(func(a v1ObjectArgs) mutation { return &deleteCampaign{Org: a.Org, ID: a.ID} }),
	"group.members.add": legacy(func(a v1GroupMembersArgs) mutation {
		return &addGroupMembers{Group: a.Group, memberItems: memberItems{Items: a.Items}}
	}),
	"group.members.replace": legacy(func(a v1GroupMembersArgs) mutation {
		return &replaceGroupMembers{Group: a.Group, memberItems: memberItems{Items: a.Items}, RequireCampaign: a.RequireCampaign}
	}),
	"campaign.members.upsert": legacy(func(a v1CampaignMembersArgs) mutation {
		return &upsertCampaignMembers{Org: a.Org, Campaign: a.Campaign, campaignItems: campaignItems{Items: a.Items}}
	}),
	"campaign.members.replace": legacy(func(a v1CampaignMembersArgs) mutation {
		return &replaceCampaignMembers{Org: a.Org, Campaign: a.Campaign, campaignItems: campaignItems{Items: a.Items}}
	}),
}

// legacy decodes old arguments of type A strictly and converts them.
func legacy[A any](convert func(A) mutation) func(json.RawMessage) (mutation, error) {
	return func(raw json.RawMessage) (mutation, error) {
		var a A
		if err := statefile.StrictJSON(raw, &a); err != nil {
			return nil, err
		}
		return convert(a), nil
	}
}

// The old arguments, as they were written.

type v1MembershipArgs struct {
	ID   int   `json:"id"`
	Role *Role `json:"role,omitempty"`
}

type v1ObjectArgs struct {
	Org  string  `json:"org,omitempty"`
	ID   string  `json:"id,omitempty"`
	Name *string `json:"name,omitempty"`
}

func (a v1ObjectArgs) name() string {
	if a.Name == nil {
		return ""
	}
	return *a.Name
}

type v1GroupMembersArgs struct {
	Group           string       `json:"group"`
	Items           []memberItem `json:"items"` // {user_id, email}, as memberItem encodes them
	RequireCampaign bool         `json:"require_campaign,omitempty"`
}

type v1CampaignMembersArgs struct {
	Org      string               `json:"org"`
	Campaign string               `json:"campaign"`
	Items    []campaignMemberItem `json:"items"` // {email, data}, as campaignMemberItem encodes them
}
