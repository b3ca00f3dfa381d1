package fake

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/statefile"
)

// store is the fake's whole state behind one lock. It owns the rules
// (eligibility, uniqueness, cascades) and knows nothing of HTTP. Its methods
// take the lock themselves and return copies, never pointers into the state;
// methods named …Locked expect the caller to hold it. Every change to the
// data is a mutation applied by do (mutation.go); only the whole-data
// writes (LoadState, Reset) swap the data instead.
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

	// Invitations and the outbox (store_invitations.go, outbox.go).
	invitations map[string]*invitation // by id
	outbox      []OutboxMessage        // oldest first
	outboxSize  int                    // how many outbox keeps; not data, so kept by swapDataLocked

	// Durability (WithStateFile): the file, and what a write's record needs.
	durable   *statefile.File // nil without a state file
	seed      int64           // the server's seed, for snapshots and the helpers' draws
	pcg       *rand.PCG       // the generator behind ids, to save its position
	step      *stepClock      // the default clock, to save its time; nil with WithClock
	readings  []time.Time     // the clock readings of the write in progress
	replaying bool            // a logged write is being applied again
	replayNow []time.Time     // the clock readings it reads back
	actor     string          // the user id of the write in progress ("" from Go or the control plane)
	// auditPending holds the audit events of the write in progress until
	// it has succeeded (audit.go).
	auditPending []*auditEvent
	// writeTime is the last clock reading of the write in progress, when
	// wroteTime says it read the clock: the time of its audit events.
	writeTime time.Time
	wroteTime bool
	// caps counts what the API may still create (api_caps.go).
	caps apiCaps
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
	folded               string        // lower-cased name, NUL, lower-cased email: what q= searches
	notOnboarded         bool          // Me's is_onboarded, negated so that a new user is onboarded
	testAccount          bool
	scope                *string // Me's scope: the user's own package scope
	// The user's own preferences (me_preferences.go): nil settings are
	// the defaults; milestones in the order first reached.
	extensionSettings *UserExtensionSettings
	milestones        []*milestone
}

type membership struct {
	id           int
	org          *organization
	user         *user
	role         Role
	lastActiveAt *time.Time
	lastLoginAt  *time.Time
	textAt       int // its entry in org.text
	// groups are the team's groups that hold the member, indexed from
	// addGroupMembershipLocked and unindexGroupMembershipLocked, so that the
	// views list a member's groups without a scan of every group of the team.
	groups map[*group]*groupMembership
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
	groups       namedSet[*group]
	campaigns    namedSet[*campaign]
	text         memberText    // what q= searches
	audit        []*auditEvent // oldest first; served newest first
	invitations  []*invitation // pending ones, in the order made: the list index

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
		invitations:      map[string]*invitation{},
		outboxSize:       DefaultOutboxSize,
	}
}

// now reads the clock at the resolution the fake serves: whole seconds, in
// UTC. With a state file, a write's readings go in its record, and a
// replayed write reads them back.
func (s *store) now() time.Time {
	t := s.read()
	s.writeTime, s.wroteTime = t, true
	return t
}

func (s *store) read() time.Time {
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

// found returns the object an index holds under key, or the API's 404.
func found[K comparable, V any](index map[K]V, key K) (V, error) {
	v, ok := index[key]
	if !ok {
		return v, errNotFound()
	}
	return v, nil
}

// readOne renders, under the read lock, the object find returns.
func readOne[V, R any](s *store, find func() (V, error), render func(V) R) (R, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := find()
	if err != nil {
		var zero R
		return zero, err
	}
	return render(v), nil
}

// readList renders, under the read lock, one page of the list that items
// picks from the object find returns.
func readList[V, T, R any](s *store, find func() (V, error), items func(V) []T, p pageRequest, render func(T) R) ([]R, pageResult, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, err := find()
	if err != nil {
		return nil, pageResult{}, err
	}
	return paginate(items(v), nil, p, render)
}

// claimID is the id a new object of an index gets: id when the fixture
// gives one (which must be free), else a new one.
func claimID[V any](s *store, index map[string]V, id, what string) (string, error) {
	if id == "" {
		return s.newIDLocked(), nil
	}
	if _, taken := index[id]; taken {
		return "", fmt.Errorf("%s id %s is used twice", what, id)
	}
	return id, nil
}

// viewAll renders a list of objects.
func viewAll[T, V any](list []T, view func(T) V) []V {
	out := make([]V, 0, len(list))
	for _, item := range list {
		out = append(out, view(item))
	}
	return out
}

// orgLocked finds a team.
func (s *store) orgLocked(id string) func() (*organization, error) {
	return func() (*organization, error) { return found(s.orgs, id) }
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

// groupsOfUserLocked lists, by name (then id, as org.groups does), the
// groups of org that hold u: the cost of u's groups, not of the team's.
func (s *store) groupsOfUserLocked(org *organization, u *user) []GroupRef {
	return appendGroupsOfUser([]GroupRef{}, org, u)
}

// appendGroupsOfUser appends to refs, by name (then id), the groups of org
// that hold u: from u's membership's own index, so at the cost of u's
// groups, not of the team's.
func appendGroupsOfUser(refs []GroupRef, org *organization, u *user) []GroupRef {
	m := org.memberByUser[u.id]
	if m == nil {
		return refs
	}
	start := len(refs)
	for g := range m.groups {
		refs = append(refs, GroupRef{ID: g.id, Name: g.name})
	}
	slices.SortFunc(refs[start:], func(a, b GroupRef) int { return compareByName(a.Name, a.ID, b.Name, b.ID) })
	return refs
}

// indexGroupOfMemberLocked records that gm's group holds its user, a member
// of the group's team.
func indexGroupOfMemberLocked(gm *groupMembership) {
	if gm.user == nil {
		return
	}
	if m := gm.group.org.memberByUser[gm.user.id]; m != nil {
		if m.groups == nil {
			m.groups = map[*group]*groupMembership{}
		}
		m.groups[gm.group] = gm
	}
}

// unindexGroupOfMemberLocked undoes indexGroupOfMemberLocked.
func unindexGroupOfMemberLocked(gm *groupMembership) {
	if gm.user == nil {
		return
	}
	if m := gm.group.org.memberByUser[gm.user.id]; m != nil {
		delete(m.groups, gm.group)
	}
}

func (s *store) membershipViewLocked(m *membership) Membership {
	return newMembershipViews(s, 1).view(m)
}

// membershipViews renders the memberships of a page or a team. The views'
// times and group lists are cut from two slices shared by the whole page
// (a page of 20 took 40 to 60 small allocations of them, a fifth of a list
// request's); the slices are only appended to, so every view keeps its own
// values, and no view shares the store's.
type membershipViews struct {
	s      *store
	times  []time.Time
	groups []GroupRef
}

// newMembershipViews makes room for n memberships.
func newMembershipViews(s *store, n int) *membershipViews {
	return &membershipViews{s: s, times: make([]time.Time, 0, 2*n), groups: make([]GroupRef, 0, n)}
}

func (vs *membershipViews) view(m *membership) Membership {
	start := len(vs.groups)
	vs.groups = appendGroupsOfUser(vs.groups, m.org, m.user)
	return Membership{
		ID:           m.id,
		User:         vs.s.userRefLocked(m.user),
		Role:         m.role,
		Groups:       vs.groups[start:len(vs.groups):len(vs.groups)], // [] when none: never nil
		LastActiveAt: vs.copyTime(m.lastActiveAt),
		LastLoginAt:  vs.copyTime(m.lastLoginAt),
	}
}

// copyTime is a copy of *t, nil for nil.
func (vs *membershipViews) copyTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	vs.times = append(vs.times, *t)
	return &vs.times[len(vs.times)-1]
}

func (s *store) organizationViewLocked(org *organization) Organization {
	views := newMembershipViews(s, len(org.members))
	members := make([]Membership, 0, len(org.members))
	for _, m := range org.members {
		members = append(members, views.view(m))
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
	_, invitation := s.invitations[id]
	return user || org || group || groupMembership || campaign || campaignMember || invitation
}
