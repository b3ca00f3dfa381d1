package fake

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Me describes the caller's own account.
func (s *store) Me(c caller) (Me, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.users[c.userID]
	if !ok {
		return Me{}, errNotFound()
	}
	me := Me{
		ID:                      u.id,
		Email:                   u.email,
		Name:                    u.name,
		ServiceAccount:          u.serviceAccount,
		DeploymentKeyAccount:    u.deploymentKeyAccount,
		OrganizationMemberships: []MeOrganizationMembership{},
		GroupMemberships:        []GroupRef{},
		Flags:                   []string{},
	}
	for i, m := range u.memberships {
		if i == 0 { // the team joined first is the primary one
			me.Organization = &MeOrganization{ID: m.org.id, Name: m.org.name, Scope: copyString(m.org.scope)}
		}
		me.OrganizationMemberships = append(me.OrganizationMemberships, MeOrganizationMembership{
			Organization:     m.org.id,
			OrganizationName: m.org.name,
			Role:             m.role,
			Scope:            copyString(m.org.scope),
		})
		me.GroupMemberships = append(me.GroupMemberships, s.groupsOfUserLocked(m.org, u)...)
	}
	s.completeMeLocked(u, &me)
	return me, nil
}

// FindOrganizations lists the caller's teams by name.
func (s *store) FindOrganizations(c caller, p pageRequest) ([]Organization, pageResult, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.users[c.userID]
	if !ok {
		return nil, pageResult{}, errNotFound()
	}
	orgs := make([]*organization, 0, len(u.memberships))
	for _, m := range u.memberships {
		orgs = append(orgs, m.org)
	}
	slices.SortFunc(orgs, func(a, b *organization) int { return compareByName(a.name, a.id, b.name, b.id) })
	return paginate(orgs, nil, p, s.organizationViewLocked)
}

// FindOrganization returns one team.
func (s *store) FindOrganization(id string) (Organization, error) {
	return readOne(s, s.orgLocked(id), s.organizationViewLocked)
}

// MembershipFilter narrows the team membership list; nil and empty fields
// match everything.
type membershipFilter struct {
	role                 *Role
	roleIn               []Role
	userID               string
	groupIDs             []string
	query                string // lower-cased
	serviceAccount       *bool
	deploymentKeyAccount *bool
}

func (f membershipFilter) empty() bool {
	return f.role == nil && f.roleIn == nil && f.userID == "" && f.groupIDs == nil &&
		f.query == "" && f.serviceAccount == nil && f.deploymentKeyAccount == nil
}

func (f membershipFilter) keep(m *membership) bool {
	u := m.user
	switch {
	case f.role != nil && m.role != *f.role,
		f.roleIn != nil && !slices.Contains(f.roleIn, m.role),
		f.userID != "" && !strings.EqualFold(u.id, f.userID),
		f.serviceAccount != nil && u.serviceAccount != *f.serviceAccount,
		f.deploymentKeyAccount != nil && u.deploymentKeyAccount != *f.deploymentKeyAccount,
		f.query != "" && !u.matches(f.query):
		return false
	}
	if f.groupIDs != nil {
		for g := range m.groups {
			if slices.Contains(f.groupIDs, g.id) {
				return true
			}
		}
		return false
	}
	return true
}

// FindMemberships lists a team's memberships by id.
func (s *store) FindMemberships(orgID string, f membershipFilter, p pageRequest) ([]Membership, pageResult, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	org, ok := s.orgs[orgID]
	if !ok {
		return nil, pageResult{}, errNotFound()
	}
	var keep func(*membership) bool
	if !f.empty() {
		keep = f.keep
	}
	candidates := s.membershipCandidatesLocked(org, f)
	n := len(candidates) // the page's size, when no filter leaves fewer
	if p.size > 0 {
		n = min(n, p.size)
	}
	if keep != nil {
		n = 0 // unknown: the views' slices grow as they need
	}
	return paginate(candidates, keep, p, newMembershipViews(s, n).view)
}

// membershipCandidatesLocked narrows a team's ordered index with the filters
// that have an index of their own, user__id, q (the team's search text) and
// groups, so that such a list costs the matches, not the team. The rest of the filter still applies.
func (s *store) membershipCandidatesLocked(org *organization, f membershipFilter) []*membership {
	switch {
	case f.userID != "":
		if m, ok := org.memberByUser[strings.ToLower(f.userID)]; ok {
			return []*membership{m}
		}
		return nil
	case f.query != "" && strings.IndexByte(f.query, 0) < 0:
		return org.text.search(f.query)
	case f.groupIDs != nil:
		var found []*membership
		seen := map[int]bool{}
		for _, id := range f.groupIDs {
			g, ok := s.groups[id]
			if !ok || g.org != org {
				continue
			}
			for userID := range g.byUser {
				if m, ok := org.memberByUser[userID]; ok && !seen[m.id] {
					seen[m.id] = true
					found = append(found, m)
				}
			}
		}
		slices.SortFunc(found, func(a, b *membership) int { return a.id - b.id })
		return found
	}
	return org.members
}

// FindMembership returns one team membership.
func (s *store) FindMembership(id int) (Membership, error) {
	return readOne(s, func() (*membership, error) { return found(s.memberships, id) }, s.membershipViewLocked)
}

// updateMembershipRole changes a member's role, the one writable field.
type updateMembershipRole struct {
	ID   int   `json:"id"`
	Role *Role `json:"role,omitempty"`
	// KeepServiceAccountRole refuses to change a service account's role,
	// which PixieBrix fixes when the account is made. A flag, not a rule of
	// the kind, so that state files written before the rule replay as
	// they were written.
	KeepServiceAccountRole bool `json:"keep_service_account_role,omitempty"`
	out                    Membership
}

// messageServiceAccountRole is the fake's wording: PixieBrix documents the
// rule, not its error.
const messageServiceAccountRole = "The role of a service account cannot be changed."

func (m *updateMembershipRole) apply(s *store) error {
	ms, err := found(s.memberships, m.ID)
	if err != nil {
		return err
	}
	if m.KeepServiceAccountRole && ms.user.serviceAccount && m.Role != nil && *m.Role != ms.role {
		return errInvalidField("role", messageServiceAccountRole)
	}
	if m.Role != nil && *m.Role != ms.role {
		s.auditLocked(ms.org, "membership.role_changed", userRef(ms.user), membershipRef(ms),
			map[string]any{"old_role": int(ms.role), "new_role": int(*m.Role)})
		ms.role = *m.Role
	}
	m.out = s.membershipViewLocked(ms)
	return nil
}

// UpdateMembershipRole changes a member's role (updateMembershipRole).
func (s *store) UpdateMembershipRole(actor string, id int, role *Role) (Membership, error) {
	m := &updateMembershipRole{ID: id, Role: role, KeepServiceAccountRole: true}
	return m.out, s.doAs(actor, m)
}

// deleteMembership removes a user from a team and from all of the team's
// groups. Campaign members stay: they are keyed by email, and their account
// turns null because it is derived from team membership.
type deleteMembership struct {
	ID int `json:"id"`
}

func (m *deleteMembership) apply(s *store) error {
	ms, err := found(s.memberships, m.ID)
	if err == nil {
		s.auditLocked(ms.org, "membership.removed", userRef(ms.user), membershipRef(ms), map[string]any{"role": int(ms.role)})
		s.removeMembershipLocked(ms)
	}
	return err
}

// DeleteMembership removes a user from a team (deleteMembership).
func (s *store) DeleteMembership(actor string, id int) error {
	return s.doAs(actor, &deleteMembership{ID: id})
}

func (s *store) removeMembershipLocked(m *membership) {
	org, u := m.org, m.user
	for _, gm := range m.groups {
		s.removeGroupMembershipLocked(gm)
	}
	i, found := slices.BinarySearchFunc(org.members, m.id, func(a *membership, id int) int { return a.id - id })
	if found {
		org.members = slices.Delete(org.members, i, i+1)
	}
	delete(org.memberByUser, u.id)
	delete(s.memberships, m.id)
	org.text.remove(m)
	u.memberships = removeItem(u.memberships, m)
}

// --- writes used by seeding and the Go helpers ---

// putUserLocked returns the user with spec's email, creating it from spec
// if needed (an empty id draws one): the same email in two teams is one user.
func (s *store) putUserLocked(spec user) (*user, error) {
	key := emailKey(spec.email)
	tokenTaken := func() error {
		if other, taken := s.usersByToken[spec.token]; taken && spec.token != "" {
			return fmt.Errorf("token %q is already the token of %s", spec.token, other.email)
		}
		return nil
	}
	if u, ok := s.usersByEmail[key]; ok {
		if spec.token != "" && u.token != "" && spec.token != u.token {
			return nil, fmt.Errorf("user %s already has token %q", spec.email, u.token)
		}
		if spec.token != "" && u.token == "" {
			if err := tokenTaken(); err != nil {
				return nil, err
			}
			u.token = spec.token
			s.usersByToken[spec.token] = u
		}
		return u, nil
	}
	if err := tokenTaken(); err != nil {
		return nil, err
	}
	var err error
	if spec.id, err = claimID(s, s.users, spec.id, "user"); err != nil {
		return nil, err
	}
	u := &spec
	u.memberships = nil
	u.setName(spec.name)
	s.users[u.id] = u
	s.usersByEmail[key] = u
	if u.token != "" {
		s.usersByToken[u.token] = u
	}
	return u, nil
}

// addOrganizationLocked creates an empty team.
func (s *store) addOrganizationLocked(id, name string, scope *string, defaultRole Role, domains []string) (*organization, error) {
	id, err := claimID(s, s.orgs, id, "organization")
	if err != nil {
		return nil, err
	}
	org := &organization{
		id:           id,
		name:         name,
		scope:        scope,
		defaultRole:  defaultRole,
		memberByUser: map[string]*membership{},
	}
	for _, d := range domains {
		org.verifiedDomains = append(org.verifiedDomains, strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@")))
	}
	s.orgs[id] = org
	return org, nil
}

// addMemberLocked adds u to org. id 0 takes the next free membership id.
// Pending group memberships of u's email are linked to the account.
func (s *store) addMemberLocked(org *organization, u *user, role Role, id int, lastActive, lastLogin *time.Time) (*membership, error) {
	if _, ok := org.memberByUser[u.id]; ok {
		return nil, fmt.Errorf("%s is listed twice in the team", u.email)
	}
	if id == 0 {
		id = s.nextMembershipID
	} else if _, taken := s.memberships[id]; taken {
		return nil, fmt.Errorf("membership id %d is used twice", id)
	}
	s.nextMembershipID = max(s.nextMembershipID, id+1)
	m := &membership{id: id, org: org, user: u, role: role, lastActiveAt: lastActive, lastLoginAt: lastLogin}
	i, _ := slices.BinarySearchFunc(org.members, id, func(a *membership, id int) int { return a.id - id })
	org.members = slices.Insert(org.members, i, m)
	org.memberByUser[u.id] = m
	s.memberships[id] = m
	u.memberships = append(u.memberships, m)
	org.text.add(m)
	key := emailKey(u.email)
	for _, g := range org.groups.sorted {
		if gm, ok := g.byEmail[key]; ok && gm.user == nil {
			gm.user = u
			g.byUser[u.id] = gm
			indexGroupOfMemberLocked(gm)
		}
	}
	return m, nil
}

// removeUserLocked forgets a user who is in no team, for a write taken back.
func (s *store) removeUserLocked(u *user) {
	delete(s.users, u.id)
	delete(s.usersByEmail, emailKey(u.email))
	if u.token != "" && s.usersByToken[u.token] == u {
		delete(s.usersByToken, u.token)
	}
}

// removeOrganizationLocked deletes a team and everything in it: the one
// cascade of a team's deletion (destroyOrganization) and of a helper's
// write taken back. Its users stay, in no team if it was their only one.
// Each collection a team holds is removed by one line below; a new kind of
// team-owned object adds its removal here.
func (s *store) removeOrganizationLocked(org *organization) {
	for _, g := range slices.Clone(org.groups.sorted) {
		s.removeGroupLocked(g)
	}
	for _, c := range slices.Clone(org.campaigns.sorted) {
		s.removeCampaignLocked(c)
	}
	s.removeInvitationsOfOrgLocked(org)
	s.removeKeysOfOrgLocked(org)
	for _, m := range org.members {
		delete(s.memberships, m.id)
		m.user.memberships = removeItem(m.user.memberships, m)
	}
	delete(s.orgs, org.id)
}
