package fake

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

func (s *store) groupViewLocked(g *group) Group {
	return Group{ID: g.id, Name: g.name, NumMembers: len(g.members), CreatedAt: g.createdAt}
}

func (s *store) groupDetailViewLocked(g *group) GroupDetail {
	return GroupDetail{ID: g.id, Name: g.name, CreatedAt: g.createdAt, Deployments: []DeploymentRef{}}
}

// FindGroups lists a team's groups by name.
func (s *store) FindGroups(orgID string, p pageRequest) ([]Group, pageResult, error) {
	return readList(s, s.orgLocked(orgID), func(org *organization) []*group { return org.groups.sorted }, p, s.groupViewLocked)
}

// createGroup adds an empty group to a team.
type createGroup struct {
	newNamed
	out Group
}

func (m *createGroup) apply(s *store) error {
	org, err := found(s.orgs, m.Org)
	if err == nil {
		err = s.checkGroupCapLocked()
	}
	if err == nil {
		var g *group
		if g, err = s.addGroupLocked(org, "", m.Name, s.now()); err == nil {
			s.auditLocked(org, "group.created", groupRef(g), groupRef(g), map[string]any{"name": g.name})
			m.out = s.groupViewLocked(g)
		}
	}
	return err
}

// CreateGroup adds an empty group to a team.
func (s *store) CreateGroup(actor, orgID, name string) (Group, error) {
	m := &createGroup{newNamed: newNamed{Org: orgID, Name: name}}
	return m.out, s.doAs(actor, m)
}

func (s *store) addGroupLocked(org *organization, id, name string, createdAt time.Time) (*group, error) {
	return addNamedLocked(s, &org.groups, s.groups, "group", id, name, func(id, name string) *group {
		return &group{
			id:        id,
			org:       org,
			name:      name,
			createdAt: createdAt,
			byUser:    map[string]*groupMembership{},
			byEmail:   map[string]*groupMembership{},
		}
	})
}

// removeGroupLocked deletes a group and its memberships.
func (s *store) removeGroupLocked(g *group) {
	for _, gm := range g.members {
		delete(s.groupMemberships, gm.id)
		unindexGroupOfMemberLocked(gm)
	}
	removeNamedLocked(&g.org.groups, s.groups, g)
}

// FindGroup returns one group.
func (s *store) FindGroup(id string) (GroupDetail, error) {
	return readOne(s, s.groupLocked(id), s.groupDetailViewLocked)
}

// groupLocked finds a group.
func (s *store) groupLocked(id string) func() (*group, error) {
	return func() (*group, error) { return found(s.groups, id) }
}

// groupUpdate holds the fields a PUT or PATCH sets; nil leaves one alone.
type groupUpdate struct {
	name *string
}

// updateGroup renames a group.
type updateGroup struct {
	ID   string  `json:"id"`
	Name *string `json:"name,omitempty"`
	out  GroupDetail
}

func (m *updateGroup) apply(s *store) error {
	g, err := found(s.groups, m.ID)
	if err != nil {
		return err
	}
	old := g.name
	if err := g.org.groups.rename(g, m.Name, "group", func(name string) { g.name = name }); err != nil {
		return err
	}
	if g.name != old {
		s.auditLocked(g.org, "group.renamed", groupRef(g), groupRef(g), map[string]any{"old_name": old, "new_name": g.name})
	}
	m.out = s.groupDetailViewLocked(g)
	return nil
}

// UpdateGroup renames a group.
func (s *store) UpdateGroup(actor, id string, upd groupUpdate) (GroupDetail, error) {
	m := &updateGroup{ID: id, Name: upd.name}
	return m.out, s.doAs(actor, m)
}

// deleteGroup deletes a group and its memberships.
type deleteGroup struct {
	ID string `json:"id"`
}

func (m *deleteGroup) apply(s *store) error {
	g, err := found(s.groups, m.ID)
	if err == nil {
		s.auditLocked(g.org, "group.deleted", groupRef(g), groupRef(g), map[string]any{"name": g.name, "members": len(g.members)})
		s.removeGroupLocked(g)
	}
	return err
}

// DeleteGroup deletes a group and its memberships.
func (s *store) DeleteGroup(actor, id string) error { return s.doAs(actor, &deleteGroup{ID: id}) }

// --- group memberships ---

func (s *store) groupMembershipViewLocked(gm *groupMembership) GroupMembership {
	view := GroupMembership{
		ID:           gm.id,
		Email:        gm.email,
		CreatedAt:    gm.createdAt,
		Campaigns:    []CampaignRef{},
		LastActiveAt: copyTime(gm.lastActiveAt),
	}
	if gm.user != nil {
		ref := s.userRefLocked(gm.user)
		view.User = &ref
	}
	key := emailKey(gm.email)
	for _, c := range gm.group.org.campaigns.sorted {
		if _, ok := c.byEmail[key]; ok {
			view.Campaigns = append(view.Campaigns, CampaignRef{ID: c.id, Name: c.name, CreatedAt: c.createdAt, UpdatedAt: c.updatedAt})
		}
	}
	return view
}

// FindGroupMemberships lists a group's memberships in creation order.
func (s *store) FindGroupMemberships(groupID string, p pageRequest) ([]GroupMembership, pageResult, error) {
	return readList(s, s.groupLocked(groupID), func(g *group) []*groupMembership { return g.members }, p, s.groupMembershipViewLocked)
}

// memberItem is one item of a group-membership write: exactly one of
// UserID and Email is set.
type memberItem struct {
	UserID string `json:"user_id,omitempty"`
	Email  string `json:"email,omitempty"`
	// schemaFailed marks an item that failed openapi.yaml's schema: it has
	// its errors already, and its presence alone makes the write fail (so
	// it is never logged).
	schemaFailed bool
}

// memberTarget is whom an item names once resolved: a member of the team,
// or an email of a verified domain that has no account in the team yet.
type memberTarget struct {
	user  *user
	email string
}

func (t memberTarget) key() string {
	if t.user != nil {
		return "user:" + t.user.id
	}
	return "email:" + emailKey(t.email)
}

const (
	messageExactlyOne  = "Provide exactly one of user_id or email."
	messageNotEligible = "This email is neither a member of the team nor in one of the team's verified domains."
)

// memberByEmailLocked returns the member of org with that email, if any.
func (org *organization) memberByEmailLocked(s *store, email string) *user {
	if u, ok := s.usersByEmail[emailKey(email)]; ok {
		if _, in := org.memberByUser[u.id]; in {
			return u
		}
	}
	return nil
}

// verifiedDomain reports whether email's domain is one of org's verified
// domains: such an email may join groups and campaigns before its account.
func (org *organization) verifiedDomain(email string) bool {
	return slices.Contains(org.verifiedDomains, emailDomain(email))
}

func (item memberItem) failedSchema() bool { return item.schemaFailed }

func (item memberItem) checkSyntax(errs fieldErrors) {
	switch {
	case (item.UserID == "") == (item.Email == ""):
		errs.add("non_field_errors", messageExactlyOne)
	case item.UserID == "" && checkEmail(strings.TrimSpace(item.Email)) != nil:
		errs.add("email", messageInvalidEmail)
	}
}

// memberItems is the item list of a group-membership write.
type memberItems struct {
	itemList[memberItem]
}

// resolveLocked finds the group and resolves every item to whom it names,
// or refuses the write with one error object per item.
func (l *memberItems) resolveLocked(s *store, groupID string) (*group, []memberTarget, error) {
	g, err := found(s.groups, groupID)
	if err != nil {
		return nil, nil, err
	}
	org := g.org
	targets := make([]memberTarget, len(l.Items))
	err = l.checkLocked(func(i int, item memberItem, errs fieldErrors) {
		switch {
		case item.UserID != "":
			u, ok := s.users[strings.ToLower(item.UserID)]
			if !ok || org.memberByUser[u.id] == nil {
				errs.add("user_id", fmt.Sprintf("Invalid pk %q - object does not exist.", item.UserID))
				return
			}
			targets[i] = memberTarget{user: u, email: u.email}
		default:
			if u := org.memberByEmailLocked(s, item.Email); u != nil {
				targets[i] = memberTarget{user: u, email: u.email}
			} else if org.verifiedDomain(item.Email) {
				targets[i] = memberTarget{email: strings.TrimSpace(item.Email)}
			} else {
				errs.add("email", messageNotEligible)
			}
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return g, targets, nil
}

func (g *group) find(t memberTarget) *groupMembership {
	if t.user != nil {
		if gm, ok := g.byUser[t.user.id]; ok {
			return gm
		}
	}
	return g.byEmail[emailKey(t.email)]
}

func (s *store) addGroupMembershipLocked(g *group, t memberTarget, id string, createdAt time.Time, lastActive *time.Time) (*groupMembership, error) {
	id, err := claimID(s, s.groupMemberships, id, "group membership")
	if err != nil {
		return nil, err
	}
	gm := &groupMembership{id: id, group: g, user: t.user, email: t.email, createdAt: createdAt, lastActiveAt: lastActive}
	g.members = append(g.members, gm)
	g.byEmail[emailKey(gm.email)] = gm
	if gm.user != nil {
		g.byUser[gm.user.id] = gm
		indexGroupOfMemberLocked(gm)
	}
	s.groupMemberships[id] = gm
	return gm, nil
}

func (s *store) removeGroupMembershipLocked(gm *groupMembership) {
	gm.group.members = removeItem(gm.group.members, gm)
	s.unindexGroupMembershipLocked(gm)
}

// unindexGroupMembershipLocked drops gm from every index but its group's
// ordered list, for callers that rebuild that list in one pass.
func (s *store) unindexGroupMembershipLocked(gm *groupMembership) {
	g := gm.group
	delete(g.byEmail, emailKey(gm.email))
	if gm.user != nil {
		delete(g.byUser, gm.user.id)
		unindexGroupOfMemberLocked(gm)
	}
	delete(s.groupMemberships, gm.id)
}

// addGroupMembers adds people to a group; someone already in it keeps the
// membership they have. It answers one membership per item, in item order.
type addGroupMembers struct {
	Group string `json:"group"`
	memberItems
	out []GroupMembership
}

func (m *addGroupMembers) apply(s *store) error {
	g, targets, err := m.resolveLocked(s, m.Group)
	if err != nil {
		return err
	}
	added := 0
	for _, t := range targets {
		if g.find(t) == nil {
			added++
		}
	}
	if err := s.checkGroupMembershipCapLocked(added); err != nil {
		return err
	}
	now := s.now()
	answered := make([]*groupMembership, 0, len(targets))
	for _, t := range targets {
		gm := g.find(t)
		if gm == nil {
			var err error
			if gm, err = s.addGroupMembershipLocked(g, t, "", now, nil); err != nil {
				return err
			}
			s.auditGroupMemberLocked("group.member_added", gm)
		}
		answered = append(answered, gm)
	}
	m.out = viewAll(answered, s.groupMembershipViewLocked)
	return nil
}

// AddGroupMembers adds people to a group (addGroupMembers). When any item
// is bad it writes nothing and returns the per-item errors.
func (s *store) AddGroupMembers(actor, groupID string, items []memberItem) ([]GroupMembership, []fieldErrors, error) {
	m := &addGroupMembers{Group: groupID, memberItems: memberItems{itemList[memberItem]{Items: items}}}
	return listWriteResult(m.out, s.doAs(actor, m))
}

// listWriteResult splits a list write's error into the per-item errors
// that refused it and any other error.
func listWriteResult[T any](out []T, err error) ([]T, []fieldErrors, error) {
	if items, ok := err.(itemErrors); ok {
		return nil, items, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return out, nil, nil
}

// replaceGroupMembers makes the group hold exactly the listed people. Those
// already in it keep their membership; the others go. With RequireCampaign,
// items whose email is in none of the team's campaigns are skipped.
type replaceGroupMembers struct {
	Group string `json:"group"`
	memberItems
	RequireCampaign bool `json:"require_campaign,omitempty"`
	out             []GroupMembership
}

func (m *replaceGroupMembers) apply(s *store) error {
	g, targets, err := m.resolveLocked(s, m.Group)
	if err != nil {
		return err
	}
	wanted := make(map[string]bool, len(targets))
	var adds []memberTarget
	for _, t := range targets {
		if m.RequireCampaign && !g.org.inAnyCampaign(t.email) {
			continue
		}
		if wanted[t.key()] {
			continue
		}
		wanted[t.key()] = true
		if g.find(t) == nil {
			adds = append(adds, t)
		}
	}
	// The group ends with the wanted people: it grows by what that adds
	// beyond what it holds.
	if err := s.checkGroupMembershipCapLocked(len(wanted) - len(g.members)); err != nil {
		return err
	}
	kept := make([]*groupMembership, 0, len(g.members))
	for _, gm := range g.members {
		if wanted[memberTarget{user: gm.user, email: gm.email}.key()] {
			kept = append(kept, gm)
		} else {
			s.auditGroupMemberLocked("group.member_removed", gm)
			s.unindexGroupMembershipLocked(gm)
		}
	}
	g.members = kept
	now := s.now()
	for _, t := range adds {
		gm, err := s.addGroupMembershipLocked(g, t, "", now, nil)
		if err != nil {
			return err
		}
		s.auditGroupMemberLocked("group.member_added", gm)
	}
	m.out = viewAll(g.members, s.groupMembershipViewLocked)
	return nil
}

// ReplaceGroupMembers makes the group hold exactly the listed people
// (replaceGroupMembers).
func (s *store) ReplaceGroupMembers(actor, groupID string, items []memberItem, requireCampaign bool) ([]GroupMembership, []fieldErrors, error) {
	m := &replaceGroupMembers{Group: groupID, memberItems: memberItems{itemList[memberItem]{Items: items}}, RequireCampaign: requireCampaign}
	return listWriteResult(m.out, s.doAs(actor, m))
}

func (org *organization) inAnyCampaign(email string) bool {
	key := emailKey(email)
	return slices.ContainsFunc(org.campaigns.sorted, func(c *campaign) bool {
		_, ok := c.byEmail[key]
		return ok
	})
}

// deleteGroupMembership removes one membership; an id of another group is
// not found.
type deleteGroupMembership struct {
	Group string `json:"group"`
	ID    string `json:"id"`
}

func (m *deleteGroupMembership) apply(s *store) error {
	gm, ok := s.groupMemberships[strings.ToLower(m.ID)]
	if !ok || gm.group.id != m.Group {
		return errNotFound()
	}
	s.auditGroupMemberLocked("group.member_removed", gm)
	s.removeGroupMembershipLocked(gm)
	return nil
}

// DeleteGroupMembership removes one membership (deleteGroupMembership).
func (s *store) DeleteGroupMembership(actor, groupID, id string) error {
	return s.doAs(actor, &deleteGroupMembership{Group: groupID, ID: id})
}

// auditGroupMemberLocked records a person joining or leaving a group: the
// group is the target (so the group's trail lists it), the group membership
// the object; data names the person, and their account while they have one.
func (s *store) auditGroupMemberLocked(actionType string, gm *groupMembership) {
	data := map[string]any{"email": gm.email, "user_id": nil}
	if gm.user != nil {
		data["user_id"] = gm.user.id
	}
	s.auditLocked(gm.group.org, actionType, groupRef(gm.group), groupMembershipRef(gm), data)
}
