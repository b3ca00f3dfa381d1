package fake

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"
)

// store is the fake's whole state behind one lock. It owns the rules
// (eligibility, uniqueness, cascades) and knows nothing of HTTP. Its methods
// take the lock themselves and return copies, never pointers into the state;
// methods named …Locked expect the caller to hold it.
type store struct {
	mu    sync.RWMutex
	ids   *idSource
	clock func() time.Time

	users        map[string]*user // by id
	usersByEmail map[string]*user // by lower-cased email
	usersByToken map[string]*user

	orgs             map[string]*organization
	memberships      map[int]*membership
	groups           map[string]*group
	groupMemberships map[string]*groupMembership
	campaigns        map[string]*campaign
	campaignMembers  map[string]*campaignMember
	nextMembershipID int

	// Durability (WithStateFile): the file, and what a write's record needs.
	durable   *stateFile  // nil without a state file
	seed      int64       // the server's seed, for snapshots
	pcg       *rand.PCG   // the generator behind ids, to save its position
	step      *stepClock  // the default clock, to save its time; nil with WithClock
	readings  []time.Time // the clock readings of the write in progress
	replaying bool        // a logged write is being applied again
	replayNow []time.Time // the clock readings it reads back
}

type user struct {
	id                   string
	name                 string
	email                string
	token                string
	serviceAccount       bool
	deploymentKeyAccount bool
	dateJoined           time.Time
	memberships          []*membership // the user's teams, in the order joined
	notOnboarded         bool          // Me's is_onboarded, negated so that a new user is onboarded
	testAccount          bool
	scope                *string // Me's scope: the user's own package scope
}

type membership struct {
	id           int
	org          *organization
	user         *user
	role         Role
	lastActiveAt *time.Time
	lastLoginAt  *time.Time
	// isDeploymentManager is Me's organization_memberships[].is_deployment_manager.
	isDeploymentManager bool
}

type organization struct {
	id              string
	name            string
	scope           *string
	defaultRole     Role
	verifiedDomains []string // lower-cased

	members      []*membership // ordered by id: the list index
	memberByUser map[string]*membership
	groups       []*group    // ordered by name, then id
	campaigns    []*campaign // ordered by name, then id

	settings teamSettings // the published schema's other team fields (team_settings.go)
}

type group struct {
	id        string
	org       *organization
	name      string
	createdAt time.Time

	members []*groupMembership // in creation order: the list index
	byUser  map[string]*groupMembership
	byEmail map[string]*groupMembership // lower-cased email, pending ones too
}

type groupMembership struct {
	id           string
	group        *group
	user         *user // nil while the email has no account in the team
	email        string
	createdAt    time.Time
	lastActiveAt *time.Time
}

type campaign struct {
	id        string
	org       *organization
	name      string
	createdAt time.Time
	updatedAt time.Time

	members []*campaignMember // in creation order: the list index
	byEmail map[string]*campaignMember
}

type campaignMember struct {
	id           string
	campaign     *campaign
	email        string
	data         map[string]any
	createdAt    time.Time
	updatedAt    time.Time
	lastActiveAt *time.Time
}

func newStore(ids *idSource, clock func() time.Time) *store {
	return &store{
		ids:              ids,
		clock:            clock,
		users:            map[string]*user{},
		usersByEmail:     map[string]*user{},
		usersByToken:     map[string]*user{},
		orgs:             map[string]*organization{},
		memberships:      map[int]*membership{},
		groups:           map[string]*group{},
		groupMemberships: map[string]*groupMembership{},
		campaigns:        map[string]*campaign{},
		campaignMembers:  map[string]*campaignMember{},
		nextMembershipID: 1,
	}
}

// now reads the clock at the resolution the fake serves: whole seconds, in
// UTC. With a state file, a write's readings go in its record, and a
// replayed write reads them back.
func (s *store) now() time.Time {
	if s.replaying && len(s.replayNow) > 0 {
		t := s.replayNow[0]
		s.replayNow = s.replayNow[1:]
		return t
	}
	t := s.clock().UTC().Truncate(time.Second)
	if s.durable != nil && !s.replaying {
		s.readings = append(s.readings, t)
	}
	return t
}

func emailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func emailDomain(email string) string {
	_, domain, _ := strings.Cut(emailKey(email), "@")
	return domain
}

func compareByName(aName, aID, bName, bID string) int {
	if c := cmp.Compare(aName, bName); c != 0 {
		return c
	}
	return cmp.Compare(aID, bID)
}

func insertGroupSorted(groups []*group, g *group) []*group {
	i, _ := slices.BinarySearchFunc(groups, g, func(a, b *group) int { return compareByName(a.name, a.id, b.name, b.id) })
	return slices.Insert(groups, i, g)
}

func insertCampaignSorted(campaigns []*campaign, c *campaign) []*campaign {
	i, _ := slices.BinarySearchFunc(campaigns, c, func(a, b *campaign) int { return compareByName(a.name, a.id, b.name, b.id) })
	return slices.Insert(campaigns, i, c)
}

func removeItem[T comparable](items []T, item T) []T {
	if i := slices.Index(items, item); i >= 0 {
		return slices.Delete(items, i, i+1)
	}
	return items
}

// --- callers and visibility ---

// caller is who sent a request, resolved from its token.
type caller struct {
	userID string
}

// authenticate finds the user a token belongs to.
func (s *store) authenticate(token string) (caller, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.usersByToken[token]
	if !ok {
		return caller{}, false
	}
	return caller{userID: u.id}, true
}

// roleIn reports the caller's role in a team, and whether the caller is in it.
func (s *store) roleIn(orgID string, c caller) (Role, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	org, ok := s.orgs[orgID]
	if !ok {
		return 0, false
	}
	m, ok := org.memberByUser[c.userID]
	if !ok {
		return 0, false
	}
	return m.role, true
}

// orgOfMembership and orgOfGroup name the team an object belongs to, for
// the visibility check. Campaigns need none: their paths name the team.
func (s *store) orgOfMembership(id int) (string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.memberships[id]
	if !ok {
		return "", false
	}
	return m.org.id, true
}

func (s *store) orgOfGroup(id string) (string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, ok := s.groups[id]
	if !ok {
		return "", false
	}
	return g.org.id, true
}

// --- views: state to resources, under the lock ---

func (s *store) userRefLocked(u *user) UserRef {
	return UserRef{
		ID:                   u.id,
		Name:                 u.name,
		Email:                u.email,
		ServiceAccount:       u.serviceAccount,
		DeploymentKeyAccount: u.deploymentKeyAccount,
		DateJoined:           u.dateJoined,
	}
}

// groupsOfUserLocked lists, by name, the groups of org that hold u.
func (s *store) groupsOfUserLocked(org *organization, u *user) []GroupRef {
	refs := []GroupRef{}
	for _, g := range org.groups {
		if _, ok := g.byUser[u.id]; ok {
			refs = append(refs, GroupRef{ID: g.id, Name: g.name})
		}
	}
	return refs
}

func (s *store) membershipViewLocked(m *membership) Membership {
	return Membership{
		ID:           m.id,
		User:         s.userRefLocked(m.user),
		Role:         m.role,
		Groups:       s.groupsOfUserLocked(m.org, m.user),
		LastActiveAt: copyTime(m.lastActiveAt),
		LastLoginAt:  copyTime(m.lastLoginAt),
	}
}

func (s *store) organizationViewLocked(org *organization) Organization {
	members := make([]Membership, 0, len(org.members))
	for _, m := range org.members {
		members = append(members, s.membershipViewLocked(m))
	}
	view := Organization{
		ID:          org.id,
		Name:        org.name,
		Scope:       copyString(org.scope),
		DefaultRole: org.defaultRole,
		Members:     members,
	}
	org.settings.view(&view)
	return view
}

func copyTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

func copyString(s *string) *string {
	if s == nil {
		return nil
	}
	c := *s
	return &c
}

// --- pagination ---

// pageRequest asks for one page of a list; size 0 asks for the whole list
// (API versions before 2.0). Page 0 stands for "last".
type pageRequest struct {
	number int
	size   int
}

// pageResult says which page was served, for the Link and X-Total-Count headers.
type pageResult struct {
	total  int
	number int
	last   int
	size   int
}

func (p pageRequest) bounds(total int) (lo, hi int, res pageResult, err error) {
	if p.size <= 0 {
		return 0, total, pageResult{total: total, number: 1, last: 1}, nil
	}
	last := max(1, (total+p.size-1)/p.size) // an empty list still has page 1
	number := p.number
	if number == 0 {
		number = last
	}
	if number < 1 || number > last {
		return 0, 0, pageResult{}, errInvalidPage()
	}
	lo = (number - 1) * p.size
	hi = min(lo+p.size, total)
	return lo, hi, pageResult{total: total, number: number, last: last, size: p.size}, nil
}

// paginate renders one page of an ordered index. With keep, only the items it
// keeps count; without, the page costs the page, not the index.
func paginate[T, V any](items []T, keep func(T) bool, p pageRequest, view func(T) V) ([]V, pageResult, error) {
	if keep != nil {
		var kept []T // as long as the matches, not the index
		for _, item := range items {
			if keep(item) {
				kept = append(kept, item)
			}
		}
		items = kept
	}
	lo, hi, res, err := p.bounds(len(items))
	if err != nil {
		return nil, pageResult{}, err
	}
	out := make([]V, 0, hi-lo)
	for _, item := range items[lo:hi] {
		out = append(out, view(item))
	}
	return out, res, nil
}

// newIDLocked draws a UUID that no object holds yet. A store loaded from an
// exported state holds ids that the same seed would draw again, so a draw
// that collides is skipped rather than trusted.
func (s *store) newIDLocked() string {
	for {
		id := s.ids.uuid()
		if !s.idTakenLocked(id) {
			return id
		}
	}
}

func (s *store) idTakenLocked(id string) bool {
	_, user := s.users[id]
	_, org := s.orgs[id]
	_, group := s.groups[id]
	_, groupMembership := s.groupMemberships[id]
	_, campaign := s.campaigns[id]
	_, campaignMember := s.campaignMembers[id]
	return user || org || group || groupMembership || campaign || campaignMember
}
