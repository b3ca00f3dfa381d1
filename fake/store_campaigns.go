package fake

import (
	"strings"
	"time"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/jsonvalue"
)

const maxCampaignEmailLength = 128

func (s *store) campaignViewLocked(c *campaign) Campaign {
	return Campaign{ID: c.id, Name: c.name, CreatedAt: c.createdAt, UpdatedAt: c.updatedAt}
}

// FindCampaigns lists a team's campaigns by name.
func (s *store) FindCampaigns(orgID string, p pageRequest) ([]Campaign, pageResult, error) {
	return readList(s, s.orgLocked(orgID), func(org *organization) []*campaign { return org.campaigns.sorted }, p, s.campaignViewLocked)
}

// createCampaign adds a campaign with no members to a team.
type createCampaign struct {
	newNamed
	out Campaign
}

func (m *createCampaign) apply(s *store) error {
	org, err := found(s.orgs, m.Org)
	if err != nil {
		return err
	}
	if err := s.checkCampaignCapLocked(); err != nil {
		return err
	}
	now := s.now()
	c, err := s.addCampaignLocked(org, "", m.Name, now, now)
	if err != nil {
		return err
	}
	s.auditLocked(org, "campaign.created", campaignRef(c), campaignRef(c), map[string]any{"name": c.name})
	m.out = s.campaignViewLocked(c)
	return nil
}

// CreateCampaign adds a campaign with no members to a team.
func (s *store) CreateCampaign(actor, orgID, name string) (Campaign, error) {
	m := &createCampaign{newNamed: newNamed{Org: orgID, Name: name}}
	return m.out, s.doAs(actor, m)
}

func (s *store) addCampaignLocked(org *organization, id, name string, createdAt, updatedAt time.Time) (*campaign, error) {
	return addNamedLocked(s, &org.campaigns, s.campaigns, "campaign", id, name, func(id, name string) *campaign {
		return &campaign{id: id, org: org, name: name, createdAt: createdAt, updatedAt: updatedAt, byEmail: map[string]*campaignMember{}}
	})
}

// removeCampaignLocked deletes a campaign and its members.
func (s *store) removeCampaignLocked(c *campaign) {
	for _, cm := range c.members {
		delete(s.campaignMembers, cm.id)
	}
	removeNamedLocked(&c.org.campaigns, s.campaigns, c)
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

// campaignLocked is campaignInOrgLocked, for readOne and readList.
func (s *store) campaignLocked(orgID, id string) func() (*campaign, error) {
	return func() (*campaign, error) { return s.campaignInOrgLocked(orgID, id) }
}

// FindCampaign returns one campaign of a team.
func (s *store) FindCampaign(orgID, id string) (Campaign, error) {
	return readOne(s, s.campaignLocked(orgID, id), s.campaignViewLocked)
}

// campaignUpdate holds the fields a PATCH sets; nil leaves one alone.
type campaignUpdate struct {
	name *string
}

// updateCampaign renames a campaign; its updated_at moves either way.
type updateCampaign struct {
	Org  string  `json:"org"`
	ID   string  `json:"id"`
	Name *string `json:"name,omitempty"`
	out  Campaign
}

func (m *updateCampaign) apply(s *store) error {
	c, err := s.campaignInOrgLocked(m.Org, m.ID)
	if err != nil {
		return err
	}
	old := c.name
	if err := c.org.campaigns.rename(c, m.Name, "campaign", func(name string) { c.name = name }); err != nil {
		return err
	}
	if c.name != old {
		s.auditLocked(c.org, "campaign.renamed", campaignRef(c), campaignRef(c), map[string]any{"old_name": old, "new_name": c.name})
	}
	c.updatedAt = s.now()
	m.out = s.campaignViewLocked(c)
	return nil
}

// UpdateCampaign renames a campaign (updateCampaign).
func (s *store) UpdateCampaign(actor, orgID, id string, upd campaignUpdate) (Campaign, error) {
	m := &updateCampaign{Org: orgID, ID: id, Name: upd.name}
	return m.out, s.doAs(actor, m)
}

// deleteCampaign deletes a campaign and its members.
type deleteCampaign struct {
	Org string `json:"org"`
	ID  string `json:"id"`
}

func (m *deleteCampaign) apply(s *store) error {
	c, err := s.campaignInOrgLocked(m.Org, m.ID)
	if err == nil {
		s.auditLocked(c.org, "campaign.deleted", campaignRef(c), campaignRef(c), map[string]any{"name": c.name, "members": len(c.members)})
		s.removeCampaignLocked(c)
	}
	return err
}

// DeleteCampaign deletes a campaign and its members.
func (s *store) DeleteCampaign(actor, orgID, id string) error {
	return s.doAs(actor, &deleteCampaign{Org: orgID, ID: id})
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
	for _, g := range org.groups.sorted {
		if _, ok := g.byEmail[key]; ok {
			view.Groups = append(view.Groups, g.id)
		}
	}
	return view
}

// FindCampaignMembers lists a campaign's members in creation order.
func (s *store) FindCampaignMembers(orgID, campaignID string, p pageRequest) ([]CampaignMember, pageResult, error) {
	return readList(s, s.campaignLocked(orgID, campaignID), func(c *campaign) []*campaignMember { return c.members }, p, s.campaignMemberViewLocked)
}

// campaignMemberItem is one item of a campaign-member write.
type campaignMemberItem struct {
	Email string         `json:"email"`
	Data  map[string]any `json:"data"`
	// schemaFailed marks an item that failed openapi.yaml's schema (see
	// memberItem).
	schemaFailed bool
}

func (item campaignMemberItem) failedSchema() bool { return item.schemaFailed }

func (item campaignMemberItem) checkSyntax(errs fieldErrors) {
	if checkEmail(strings.TrimSpace(item.Email)) != nil {
		errs.add("email", messageInvalidEmail)
	}
}

// campaignItems is the item list of a campaign-member write.
type campaignItems struct {
	itemList[campaignMemberItem]
}

// checkLocked finds the campaign, and refuses the write, one error object
// per item, when an item failed its checks or names an email that may not
// join.
func (l *campaignItems) checkLocked(s *store, orgID, campaignID string) (*campaign, error) {
	c, err := s.campaignInOrgLocked(orgID, campaignID)
	if err != nil {
		return nil, err
	}
	err = l.itemList.checkLocked(func(_ int, item campaignMemberItem, errs fieldErrors) {
		if c.org.memberByEmailLocked(s, item.Email) == nil && !c.org.verifiedDomain(item.Email) {
			errs.add("email", messageNotEligible)
		}
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// upsertCampaignMemberLocked sets the data of the member with item's email,
// adding the member when there is none.
func (s *store) upsertCampaignMemberLocked(c *campaign, item campaignMemberItem, now time.Time) (*campaignMember, error) {
	key := emailKey(item.Email)
	if cm, ok := c.byEmail[key]; ok {
		// The same data as the real server's Python sees it (3, 3.0 and a
		// fixture's 3 are one number) is no change: no new time, no event.
		// jsonvalue.Equal compares in place, under the write lock.
		if !jsonvalue.Equal(cm.data, item.Data) {
			cm.data = copyJSONObject(item.Data)
			cm.updatedAt = now
			s.auditCampaignMemberLocked("campaign.member_upserted", cm, false)
		}
		return cm, nil
	}
	cm, err := s.addCampaignMemberLocked(c, "", strings.TrimSpace(item.Email), item.Data, now, now, nil)
	if err == nil {
		s.auditCampaignMemberLocked("campaign.member_upserted", cm, true)
	}
	return cm, err
}

// auditCampaignMemberLocked records an enrolment made, changed or ended: the
// campaign is the target, the member the object; data has the e-mail and,
// for an upsert, whether it enrolled them. Not the member's data: a trail of
// bodies of up to 2.5 MiB each would hold the memory the bound is there to
// save.
func (s *store) auditCampaignMemberLocked(actionType string, cm *campaignMember, created bool) {
	data := map[string]any{"email": cm.email}
	if actionType == "campaign.member_upserted" {
		data["created"] = created
	}
	s.auditLocked(cm.campaign.org, actionType, campaignRef(cm.campaign), campaignMemberRef(cm), data)
}

func (s *store) addCampaignMemberLocked(c *campaign, id, email string, data map[string]any, createdAt, updatedAt time.Time, lastActive *time.Time) (*campaignMember, error) {
	id, err := claimID(s, s.campaignMembers, id, "campaign member")
	if err != nil {
		return nil, err
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

// upsertItemsLocked applies the items, one member per email (lastItemPerEmail).
func (l *campaignItems) upsertLocked(s *store, c *campaign) error {
	now := s.now()
	for _, item := range lastItemPerEmail(l.Items) {
		if _, err := s.upsertCampaignMemberLocked(c, item, now); err != nil {
			return err
		}
	}
	return nil
}

// newMembersLocked counts the emails of the items that c does not hold yet,
// each once: the members an upsert would add.
func (l *campaignItems) newMembersLocked(c *campaign) int {
	added := make(map[string]bool)
	for _, item := range l.Items {
		if key := emailKey(item.Email); c.byEmail[key] == nil {
			added[key] = true
		}
	}
	return len(added)
}

// upsertCampaignMembers adds or updates members by email (their data is
// replaced). It answers one member per item, in item order.
type upsertCampaignMembers struct {
	Org      string `json:"org"`
	Campaign string `json:"campaign"`
	campaignItems
	out []CampaignMember
}

func (m *upsertCampaignMembers) apply(s *store) error {
	c, err := m.checkLocked(s, m.Org, m.Campaign)
	if err != nil {
		return err
	}
	if err := s.checkCampaignMemberCapLocked(m.newMembersLocked(c)); err != nil {
		return err
	}
	if err := m.upsertLocked(s, c); err != nil {
		return err
	}
	answered := make([]*campaignMember, 0, len(m.Items))
	for _, item := range m.Items {
		answered = append(answered, c.byEmail[emailKey(item.Email)])
	}
	m.out = viewAll(answered, s.campaignMemberViewLocked)
	return nil
}

// UpsertCampaignMembers adds or updates members by email
// (upsertCampaignMembers); when any item is bad it writes nothing and
// returns the per-item errors.
func (s *store) UpsertCampaignMembers(actor, orgID, campaignID string, items []campaignMemberItem) ([]CampaignMember, []fieldErrors, error) {
	m := &upsertCampaignMembers{Org: orgID, Campaign: campaignID, campaignItems: campaignItems{itemList[campaignMemberItem]{Items: items}}}
	return listWriteResult(m.out, s.doAs(actor, m))
}

// lastItemPerEmail folds the items of one payload that name the same email
// (in any case) into one, at the place of the first, with the data of the
// last: the payload is applied as a whole, so a member's updated_at moves
// only when the request leaves its data different from before.
func lastItemPerEmail(items []campaignMemberItem) []campaignMemberItem {
	index := make(map[string]int, len(items))
	out := make([]campaignMemberItem, 0, len(items))
	for _, item := range items {
		key := emailKey(item.Email)
		if i, seen := index[key]; seen {
			out[i].Data = item.Data
			continue
		}
		index[key] = len(out)
		out = append(out, item)
	}
	return out
}

// replaceCampaignMembers makes the campaign hold exactly the listed
// emails, with the listed data; members kept keep their id.
type replaceCampaignMembers struct {
	Org      string `json:"org"`
	Campaign string `json:"campaign"`
	campaignItems
	out []CampaignMember
}

func (m *replaceCampaignMembers) apply(s *store) error {
	c, err := m.checkLocked(s, m.Org, m.Campaign)
	if err != nil {
		return err
	}
	wanted := make(map[string]bool, len(m.Items))
	for _, item := range m.Items {
		wanted[emailKey(item.Email)] = true
	}
	if err := s.checkCampaignMemberCapLocked(len(wanted) - len(c.members)); err != nil {
		return err
	}
	kept := make([]*campaignMember, 0, len(c.members))
	for _, cm := range c.members {
		if wanted[emailKey(cm.email)] {
			kept = append(kept, cm)
		} else {
			s.auditCampaignMemberLocked("campaign.member_removed", cm, false)
			delete(c.byEmail, emailKey(cm.email))
			delete(s.campaignMembers, cm.id)
		}
	}
	c.members = kept
	if err := m.upsertLocked(s, c); err != nil {
		return err
	}
	m.out = viewAll(c.members, s.campaignMemberViewLocked)
	return nil
}

// ReplaceCampaignMembers makes the campaign hold exactly the listed emails
// (replaceCampaignMembers).
func (s *store) ReplaceCampaignMembers(actor, orgID, campaignID string, items []campaignMemberItem) ([]CampaignMember, []fieldErrors, error) {
	m := &replaceCampaignMembers{Org: orgID, Campaign: campaignID, campaignItems: campaignItems{itemList[campaignMemberItem]{Items: items}}}
	return listWriteResult(m.out, s.doAs(actor, m))
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
