package fake

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

const maxNameLength = 256

// validateName applies DRF's CharField rules (trimmed, no NUL character, not
// blank, at most maxNameLength characters) and the fake's per-team
// uniqueness, for the API and fixtures alike.
func validateName(name string, taken func(string) bool, what string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case strings.ContainsRune(name, 0): // DRF's ProhibitNullCharactersValidator
		return "", errInvalidField("name", "Null characters are not allowed.")
	case name == "":
		return "", errInvalidField("name", "This field may not be blank.")
	case len([]rune(name)) > maxNameLength:
		return "", errInvalidField("name", fmt.Sprintf("Ensure this field has no more than %d characters.", maxNameLength))
	case taken(name):
		return "", errInvalidField("name", fmt.Sprintf("A %s with this name already exists in this team.", what))
	}
	return name, nil
}

func (org *organization) groupNamed(name string) *group {
	for _, g := range org.groups {
		if g.name == name {
			return g
		}
	}
	return nil
}

func (s *store) groupViewLocked(g *group) Group {
	return Group{ID: g.id, Name: g.name, NumMembers: len(g.members), CreatedAt: g.createdAt}
}

func (s *store) groupDetailViewLocked(g *group) GroupDetail {
	return GroupDetail{ID: g.id, Name: g.name, CreatedAt: g.createdAt, Deployments: []DeploymentRef{}}
}

// FindGroups lists a team's groups by name.
func (s *store) FindGroups(orgID string, p pageRequest) ([]Group, pageResult, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	org, ok := s.orgs[orgID]
	if !ok {
		return nil, pageResult{}, errNotFound()
	}
	return paginate(org.groups, nil, p, s.groupViewLocked)
}

// CreateGroup adds an empty group to a team.
func (s *store) CreateGroup(orgID, name string) (Group, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start, err := s.beginWriteLocked()
	if err != nil {
		return Group{}, err
	}
	org, ok := s.orgs[orgID]
	if !ok {
		return Group{}, errNotFound()
	}
	g, err := s.addGroupLocked(org, "", name, s.now())
	if err != nil {
		return Group{}, err
	}
	if err := s.commitLocked(start, opGroupCreate, objectArgs{Org: orgID, Name: &name}); err != nil {
		return Group{}, err
	}
	return s.groupViewLocked(g), nil
}

func (s *store) addGroupLocked(org *organization, id, name string, createdAt time.Time) (*group, error) {
	name, err := validateName(name, func(n string) bool { return org.groupNamed(n) != nil }, "group")
	if err != nil {
		return nil, err
	}
	if id == "" {
		id = s.newIDLocked()
	} else if _, taken := s.groups[id]; taken {
		return nil, fmt.Errorf("group id %s is used twice", id)
	}
	g := &group{
		id:        id,
		org:       org,
		name:      name,
		createdAt: createdAt,
		byUser:    map[string]*groupMembership{},
		byEmail:   map[string]*groupMembership{},
	}
	org.groups = insertGroupSorted(org.groups, g)
	s.groups[id] = g
	return g, nil
}

// FindGroup returns one group.
func (s *store) FindGroup(id string) (GroupDetail, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, ok := s.groups[id]
	if !ok {
		return GroupDetail{}, errNotFound()
	}
	return s.groupDetailViewLocked(g), nil
}

// groupUpdate holds the fields a PUT or PATCH sets; nil leaves one alone.
type groupUpdate struct {
	name *string
}

// UpdateGroup renames a group.
func (s *store) UpdateGroup(id string, upd groupUpdate) (GroupDetail, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start, err := s.beginWriteLocked()
	if err != nil {
		return GroupDetail{}, err
	}
	g, ok := s.groups[id]
	if !ok {
		return GroupDetail{}, errNotFound()
	}
	if upd.name != nil {
		name, err := validateName(*upd.name, func(n string) bool {
			other := g.org.groupNamed(n)
			return other != nil && other != g
		}, "group")
		if err != nil {
			return GroupDetail{}, err
		}
		g.org.groups = removeItem(g.org.groups, g)
		g.name = name
		g.org.groups = insertGroupSorted(g.org.groups, g)
	}
	if err := s.commitLocked(start, opGroupUpdate, objectArgs{ID: id, Name: upd.name}); err != nil {
		return GroupDetail{}, err
	}
	return s.groupDetailViewLocked(g), nil
}

// DeleteGroup deletes a group and its memberships.
func (s *store) DeleteGroup(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	start, err := s.beginWriteLocked()
	if err != nil {
		return err
	}
	g, ok := s.groups[id]
	if !ok {
		return errNotFound()
	}
	for _, gm := range g.members {
		delete(s.groupMemberships, gm.id)
	}
	g.org.groups = removeItem(g.org.groups, g)
	delete(s.groups, id)
	return s.commitLocked(start, opGroupDelete, objectArgs{ID: id})
}

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
	for _, c := range gm.group.org.campaigns {
		if _, ok := c.byEmail[key]; ok {
			view.Campaigns = append(view.Campaigns, CampaignRef{ID: c.id, Name: c.name, CreatedAt: c.createdAt, UpdatedAt: c.updatedAt})
		}
	}
	return view
}

// FindGroupMemberships lists a group's memberships in creation order.
func (s *store) FindGroupMemberships(groupID string, p pageRequest) ([]GroupMembership, pageResult, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, ok := s.groups[groupID]
	if !ok {
		return nil, pageResult{}, errNotFound()
	}
	return paginate(g.members, nil, p, s.groupMembershipViewLocked)
}

// memberItem is one item of a group-membership write: exactly one of
// userID and email is set.
type memberItem struct {
	userID string
	email  string
	// schemaFailed marks an item that failed openapi.yaml's schema: it has
	// its errors already, and its presence alone makes the write fail.
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
	// messageInvalidEmail is Django's EmailValidator message: the schema's
	// email format lets through addresses Django refuses ("a b@x.test").
	messageInvalidEmail = "Enter a valid email address."
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

// resolveItemsLocked resolves every item, or reports one error object per
// item ({} for good ones) so that nothing is written.
func (s *store) resolveItemsLocked(org *organization, items []memberItem) ([]memberTarget, []fieldErrors) {
	targets := make([]memberTarget, len(items))
	errs := make([]fieldErrors, len(items))
	failed := false
	for i, item := range items {
		errs[i] = fieldErrors{}
		switch {
		case item.schemaFailed:
			failed = true
		case (item.userID == "") == (item.email == ""):
			errs[i].add("non_field_errors", messageExactlyOne)
		case item.userID != "":
			u, ok := s.users[strings.ToLower(item.userID)]
			if !ok || org.memberByUser[u.id] == nil {
				errs[i].add("user_id", fmt.Sprintf("Invalid pk %q - object does not exist.", item.userID))
				break
			}
			targets[i] = memberTarget{user: u, email: u.email}
		case !validEmail(strings.TrimSpace(item.email)):
			errs[i].add("email", messageInvalidEmail)
		default:
			if u := org.memberByEmailLocked(s, item.email); u != nil {
				targets[i] = memberTarget{user: u, email: u.email}
			} else if org.verifiedDomain(item.email) {
				targets[i] = memberTarget{email: strings.TrimSpace(item.email)}
			} else {
				errs[i].add("email", messageNotEligible)
			}
		}
		failed = failed || len(errs[i]) > 0
	}
	if failed {
		return nil, errs
	}
	return targets, nil
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
	if id == "" {
		id = s.newIDLocked()
	} else if _, taken := s.groupMemberships[id]; taken {
		return nil, fmt.Errorf("group membership id %s is used twice", id)
	}
	gm := &groupMembership{id: id, group: g, user: t.user, email: t.email, createdAt: createdAt, lastActiveAt: lastActive}
	g.members = append(g.members, gm)
	g.byEmail[emailKey(gm.email)] = gm
	if gm.user != nil {
		g.byUser[gm.user.id] = gm
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
	}
	delete(s.groupMemberships, gm.id)
}

// AddGroupMembers adds people to a group; someone already in it keeps the
// membership they have. It answers one membership per item, in item order.
// When any item is bad it writes nothing and returns the per-item errors.
func (s *store) AddGroupMembers(groupID string, items []memberItem) ([]GroupMembership, []fieldErrors, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start, err := s.beginWriteLocked()
	if err != nil {
		return nil, nil, err
	}
	g, ok := s.groups[groupID]
	if !ok {
		return nil, nil, errNotFound()
	}
	targets, itemErrs := s.resolveItemsLocked(g.org, items)
	if itemErrs != nil {
		return nil, itemErrs, nil
	}
	now := s.now()
	out := make([]GroupMembership, 0, len(targets))
	for _, t := range targets {
		gm := g.find(t)
		if gm == nil {
			var err error
			if gm, err = s.addGroupMembershipLocked(g, t, "", now, nil); err != nil {
				return nil, nil, err
			}
		}
		out = append(out, s.groupMembershipViewLocked(gm))
	}
	if err := s.commitLocked(start, opGroupMembersAdd, groupMembersArgs{Group: groupID, Items: groupItemArgs(items)}); err != nil {
		return nil, nil, err
	}
	return out, nil, nil
}

// ReplaceGroupMembers makes the group hold exactly the listed people. Those
// already in it keep their membership; the others go. With requireCampaign,
// items whose email is in none of the team's campaigns are skipped.
func (s *store) ReplaceGroupMembers(groupID string, items []memberItem, requireCampaign bool) ([]GroupMembership, []fieldErrors, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start, err := s.beginWriteLocked()
	if err != nil {
		return nil, nil, err
	}
	g, ok := s.groups[groupID]
	if !ok {
		return nil, nil, errNotFound()
	}
	targets, itemErrs := s.resolveItemsLocked(g.org, items)
	if itemErrs != nil {
		return nil, itemErrs, nil
	}
	wanted := make(map[string]bool, len(targets))
	var adds []memberTarget
	for _, t := range targets {
		if requireCampaign && !g.org.inAnyCampaign(t.email) {
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
	kept := make([]*groupMembership, 0, len(g.members))
	for _, gm := range g.members {
		if wanted[memberTarget{user: gm.user, email: gm.email}.key()] {
			kept = append(kept, gm)
		} else {
			s.unindexGroupMembershipLocked(gm)
		}
	}
	g.members = kept
	now := s.now()
	for _, t := range adds {
		if _, err := s.addGroupMembershipLocked(g, t, "", now, nil); err != nil {
			return nil, nil, err
		}
	}
	out := make([]GroupMembership, 0, len(g.members))
	for _, gm := range g.members {
		out = append(out, s.groupMembershipViewLocked(gm))
	}
	args := groupMembersArgs{Group: groupID, Items: groupItemArgs(items), RequireCampaign: requireCampaign}
	if err := s.commitLocked(start, opGroupMembersReplace, args); err != nil {
		return nil, nil, err
	}
	return out, nil, nil
}

func (org *organization) inAnyCampaign(email string) bool {
	key := emailKey(email)
	return slices.ContainsFunc(org.campaigns, func(c *campaign) bool {
		_, ok := c.byEmail[key]
		return ok
	})
}

// DeleteGroupMembership removes one membership; an id of another group is
// not found.
func (s *store) DeleteGroupMembership(groupID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	start, err := s.beginWriteLocked()
	if err != nil {
		return err
	}
	gm, ok := s.groupMemberships[strings.ToLower(id)]
	if !ok || gm.group.id != groupID {
		return errNotFound()
	}
	s.removeGroupMembershipLocked(gm)
	return s.commitLocked(start, opGroupMembershipDelete, objectArgs{Org: groupID, ID: id})
}
