package fake

// accessView is what the pipeline's checks need of the store for one
// request: who the token belongs to, and that caller's place in the team of
// the object the path names. It is read under one read lock, so the checks
// agree with each other even while writes go on.
type accessView struct {
	caller        caller // the zero caller unless authenticated
	authenticated bool
	email         string // the caller's, for the journal
	orgID         string // the team of the path's object; "" when there is none
	member        bool   // the caller is in that team
	role          Role   // the caller's role in it, when a member
}

// objectRef names the object a path is about, for the visibility check: a
// team by id, a membership by number or a group by id. The zero objectRef
// names nothing. A campaign is named by id, as a group is.
type objectRef struct {
	kind scopeKind
	id   string // a team's or a group's id, lower-cased
	num  int    // a membership's id
}

// access reads the caller of token and, when obj names an object, the team
// it belongs to and the caller's role there.
func (s *store) access(token string, obj objectRef) accessView {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.usersByToken[token]
	if !ok {
		return accessView{}
	}
	v := accessView{caller: caller{userID: u.id}, authenticated: true, email: u.email}
	var org *organization
	switch obj.kind {
	case scopeOrg:
		org = s.orgs[obj.id]
	case scopeMembership:
		if m, ok := s.memberships[obj.num]; ok {
			org = m.org
		}
	case scopeGroup:
		if g, ok := s.groups[obj.id]; ok {
			org = g.org
		}
	case scopeCampaign:
		if c, ok := s.campaigns[obj.id]; ok {
			org = c.org
		}
	}
	if org == nil {
		return v
	}
	v.orgID = org.id
	if m, ok := org.memberByUser[u.id]; ok {
		v.member, v.role = true, m.role
	}
	return v
}
