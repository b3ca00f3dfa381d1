package fake

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
)

const maxCampaignEmailLength = 128

func (org *organization) campaignNamed(name string) *campaign {
	for _, c := range org.campaigns {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (s *store) campaignViewLocked(c *campaign) Campaign {
	return Campaign{ID: c.id, Name: c.name, CreatedAt: c.createdAt, UpdatedAt: c.updatedAt}
}

// FindCampaigns lists a team's campaigns by name.
func (s *store) FindCampaigns(orgID string, p pageRequest) ([]Campaign, pageResult, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	org, ok := s.orgs[orgID]
	if !ok {
		return nil, pageResult{}, errNotFound()
	}
	return paginate(org.campaigns, nil, p, s.campaignViewLocked)
}

// CreateCampaign adds a campaign with no members to a team.
func (s *store) CreateCampaign(orgID, name string) (Campaign, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start, err := s.beginWriteLocked()
	if err != nil {
		return Campaign{}, err
	}
	org, ok := s.orgs[orgID]
	if !ok {
		return Campaign{}, errNotFound()
	}
	now := s.now()
	c, err := s.addCampaignLocked(org, "", name, now, now)
	if err != nil {
		return Campaign{}, err
	}
	if err := s.commitLocked(start, opCampaignCreate, objectArgs{Org: orgID, Name: &name}); err != nil {
		return Campaign{}, err
	}
	return s.campaignViewLocked(c), nil
}

func (s *store) addCampaignLocked(org *organization, id, name string, createdAt, updatedAt time.Time) (*campaign, error) {
	name, err := validateName(name, func(n string) bool { return org.campaignNamed(n) != nil }, "campaign")
	if err != nil {
		return nil, err
	}
	if id == "" {
		id = s.newIDLocked()
	} else if _, taken := s.campaigns[id]; taken {
		return nil, fmt.Errorf("campaign id %s is used twice", id)
	}
	c := &campaign{id: id, org: org, name: name, createdAt: createdAt, updatedAt: updatedAt, byEmail: map[string]*campaignMember{}}
	org.campaigns = insertCampaignSorted(org.campaigns, c)
	s.campaigns[id] = c
	return c, nil
}

// campaignInOrgLocked finds a campaign through its team's path: a campaign
// of another team is not found.
func (s *store) campaignInOrgLocked(orgID, id string) (*campaign, error) {
	c, ok := s.campaigns[id]
	if !ok || c.org.id != orgID {
		return nil, errNotFound()
	}
	return c, nil
}

// FindCampaign returns one campaign of a team.
func (s *store) FindCampaign(orgID, id string) (Campaign, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, err := s.campaignInOrgLocked(orgID, id)
	if err != nil {
		return Campaign{}, err
	}
	return s.campaignViewLocked(c), nil
}

// campaignUpdate holds the fields a PATCH sets; nil leaves one alone.
type campaignUpdate struct {
	name *string
}

// UpdateCampaign renames a campaign.
func (s *store) UpdateCampaign(orgID, id string, upd campaignUpdate) (Campaign, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start, err := s.beginWriteLocked()
	if err != nil {
		return Campaign{}, err
	}
	c, err := s.campaignInOrgLocked(orgID, id)
	if err != nil {
		return Campaign{}, err
	}
	if upd.name != nil {
		name, err := validateName(*upd.name, func(n string) bool {
			other := c.org.campaignNamed(n)
			return other != nil && other != c
		}, "campaign")
		if err != nil {
			return Campaign{}, err
		}
		c.org.campaigns = removeItem(c.org.campaigns, c)
		c.name = name
		c.org.campaigns = insertCampaignSorted(c.org.campaigns, c)
	}
	c.updatedAt = s.now()
	if err := s.commitLocked(start, opCampaignUpdate, objectArgs{Org: orgID, ID: id, Name: upd.name}); err != nil {
		return Campaign{}, err
	}
	return s.campaignViewLocked(c), nil
}

// DeleteCampaign deletes a campaign and its members.
func (s *store) DeleteCampaign(orgID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	start, err := s.beginWriteLocked()
	if err != nil {
		return err
	}
	c, err := s.campaignInOrgLocked(orgID, id)
	if err != nil {
		return err
	}
	for _, cm := range c.members {
		delete(s.campaignMembers, cm.id)
	}
	c.org.campaigns = removeItem(c.org.campaigns, c)
	delete(s.campaigns, id)
	return s.commitLocked(start, opCampaignDelete, objectArgs{Org: orgID, ID: id})
}

// --- campaign members ---

func (s *store) campaignMemberViewLocked(cm *campaignMember) CampaignMember {
	org := cm.campaign.org
	view := CampaignMember{
		ID:                  cm.id,
		Email:               cm.email,
		Data:                copyJSONObject(cm.data),
		Groups:              []string{},
		AssignedDeployments: []DeploymentRef{},
		CreatedAt:           cm.createdAt,
		UpdatedAt:           cm.updatedAt,
		LastActiveAt:        copyTime(cm.lastActiveAt),
	}
	if u := org.memberByEmailLocked(s, cm.email); u != nil {
		ref := s.userRefLocked(u)
		view.Account = &ref
	}
	key := emailKey(cm.email)
	for _, g := range org.groups {
		if _, ok := g.byEmail[key]; ok {
			view.Groups = append(view.Groups, g.id)
		}
	}
	return view
}

// FindCampaignMembers lists a campaign's members in creation order.
func (s *store) FindCampaignMembers(orgID, campaignID string, p pageRequest) ([]CampaignMember, pageResult, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, err := s.campaignInOrgLocked(orgID, campaignID)
	if err != nil {
		return nil, pageResult{}, err
	}
	return paginate(c.members, nil, p, s.campaignMemberViewLocked)
}

// campaignMemberItem is one item of a campaign-member write.
type campaignMemberItem struct {
	email string
	data  map[string]any
	// schemaFailed marks an item that failed openapi.yaml's schema (see
	// memberItem).
	schemaFailed bool
}

func (s *store) checkCampaignItemsLocked(org *organization, items []campaignMemberItem) []fieldErrors {
	errs := make([]fieldErrors, len(items))
	failed := false
	for i, item := range items {
		errs[i] = fieldErrors{}
		switch {
		case item.schemaFailed:
			failed = true
		case !validEmail(strings.TrimSpace(item.email)):
			errs[i].add("email", messageInvalidEmail)
		case org.memberByEmailLocked(s, item.email) == nil && !org.verifiedDomain(item.email):
			errs[i].add("email", messageNotEligible)
		}
		failed = failed || len(errs[i]) > 0
	}
	if failed {
		return errs
	}
	return nil
}

// upsertCampaignMemberLocked sets the data of the member with item's email,
// adding the member when there is none.
func (s *store) upsertCampaignMemberLocked(c *campaign, item campaignMemberItem, now time.Time) (*campaignMember, error) {
	key := emailKey(item.email)
	if cm, ok := c.byEmail[key]; ok {
		if !sameJSON(cm.data, item.data) {
			cm.data = copyJSONObject(item.data)
			cm.updatedAt = now
		}
		return cm, nil
	}
	return s.addCampaignMemberLocked(c, "", strings.TrimSpace(item.email), item.data, now, now, nil)
}

func (s *store) addCampaignMemberLocked(c *campaign, id, email string, data map[string]any, createdAt, updatedAt time.Time, lastActive *time.Time) (*campaignMember, error) {
	if id == "" {
		id = s.newIDLocked()
	} else if _, taken := s.campaignMembers[id]; taken {
		return nil, fmt.Errorf("campaign member id %s is used twice", id)
	}
	cm := &campaignMember{
		id: id, campaign: c, email: email, data: copyJSONObject(data),
		createdAt: createdAt, updatedAt: updatedAt, lastActiveAt: lastActive,
	}
	c.members = append(c.members, cm)
	c.byEmail[emailKey(email)] = cm
	s.campaignMembers[id] = cm
	return cm, nil
}

// UpsertCampaignMembers adds or updates members by email (their data is
// replaced). It answers one member per item, in item order; when any item is
// bad it writes nothing and returns the per-item errors.
func (s *store) UpsertCampaignMembers(orgID, campaignID string, items []campaignMemberItem) ([]CampaignMember, []fieldErrors, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start, err := s.beginWriteLocked()
	if err != nil {
		return nil, nil, err
	}
	c, err := s.campaignInOrgLocked(orgID, campaignID)
	if err != nil {
		return nil, nil, err
	}
	if errs := s.checkCampaignItemsLocked(c.org, items); errs != nil {
		return nil, errs, nil
	}
	now := s.now()
	for _, item := range lastItemPerEmail(items) {
		if _, err := s.upsertCampaignMemberLocked(c, item, now); err != nil {
			return nil, nil, err
		}
	}
	out := make([]CampaignMember, 0, len(items))
	for _, item := range items {
		out = append(out, s.campaignMemberViewLocked(c.byEmail[emailKey(item.email)]))
	}
	args := campaignMembersArgs{Org: orgID, Campaign: campaignID, Items: campaignItemsArgs(items)}
	if err := s.commitLocked(start, opCampaignMembersUpsert, args); err != nil {
		return nil, nil, err
	}
	return out, nil, nil
}

// lastItemPerEmail folds the items of one payload that name the same email
// (in any case) into one, at the place of the first, with the data of the
// last: the payload is applied as a whole, so a member's updated_at moves
// only when the request leaves its data different from before.
func lastItemPerEmail(items []campaignMemberItem) []campaignMemberItem {
	index := make(map[string]int, len(items))
	out := make([]campaignMemberItem, 0, len(items))
	for _, item := range items {
		key := emailKey(item.email)
		if i, seen := index[key]; seen {
			out[i].data = item.data
			continue
		}
		index[key] = len(out)
		out = append(out, item)
	}
	return out
}

// ReplaceCampaignMembers makes the campaign hold exactly the listed emails,
// with the listed data; members kept keep their id.
func (s *store) ReplaceCampaignMembers(orgID, campaignID string, items []campaignMemberItem) ([]CampaignMember, []fieldErrors, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start, err := s.beginWriteLocked()
	if err != nil {
		return nil, nil, err
	}
	c, err := s.campaignInOrgLocked(orgID, campaignID)
	if err != nil {
		return nil, nil, err
	}
	if errs := s.checkCampaignItemsLocked(c.org, items); errs != nil {
		return nil, errs, nil
	}
	wanted := make(map[string]bool, len(items))
	for _, item := range items {
		wanted[emailKey(item.email)] = true
	}
	kept := make([]*campaignMember, 0, len(c.members))
	for _, cm := range c.members {
		if wanted[emailKey(cm.email)] {
			kept = append(kept, cm)
		} else {
			delete(c.byEmail, emailKey(cm.email))
			delete(s.campaignMembers, cm.id)
		}
	}
	c.members = kept
	now := s.now()
	for _, item := range lastItemPerEmail(items) {
		if _, err := s.upsertCampaignMemberLocked(c, item, now); err != nil {
			return nil, nil, err
		}
	}
	out := make([]CampaignMember, 0, len(c.members))
	for _, cm := range c.members {
		out = append(out, s.campaignMemberViewLocked(cm))
	}
	args := campaignMembersArgs{Org: orgID, Campaign: campaignID, Items: campaignItemsArgs(items)}
	if err := s.commitLocked(start, opCampaignMembersReplace, args); err != nil {
		return nil, nil, err
	}
	return out, nil, nil
}

// sameJSON reports whether two JSON objects hold the same value as JSON
// sees it: 3, 3.0 and a fixture's int 3 are one number, as they are to the
// real server's Python comparison, so writing back the same data does not
// count as a change.
func sameJSON(a, b map[string]any) bool {
	return reflect.DeepEqual(normalJSON(a), normalJSON(b))
}

// normalJSON round-trips v through encoding/json, which turns every number,
// whatever its Go type or spelling, into a float64.
func normalJSON(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		return v
	}
	return out
}

// copyJSONObject deep-copies a decoded JSON object so that no caller shares
// the store's maps and slices.
func copyJSONObject(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = copyJSONValue(v)
	}
	return out
}

func copyJSONValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return copyJSONObject(v)
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = copyJSONValue(item)
		}
		return out
	default:
		return v
	}
}
