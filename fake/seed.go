package fake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v6"
)

var scopePattern = regexp.MustCompile(`^@[a-z0-9][a-z0-9._-]*$`)

// maxGenerate bounds each generate count, so that a slip of the keyboard
// is an error rather than a fake that never starts; it bounds the sum of
// each kind over all teams too, so that many teams cannot multiply it.
const maxGenerate = 1_000_000

// maxFixtureMembers bounds the memberships of a fixture or state over all
// teams, listed and generated: a 3 KB document may not ask for a hundred
// teams of a million.
const maxFixtureMembers = 1_000_000

// seedCheckEvery is how many generated items seeding makes between looks at
// its context, so that a signal stops a large fixture within moments.
const seedCheckEvery = 256

// seeder fills a store from a fixture. Its faker and random source are its
// own, seeded from the server's seed, so generated data depends on the seed
// and the fixture alone.
type seeder struct {
	st    *store
	faker *gofakeit.Faker // made when first needed (fake): seeding one costs more than most writes
	// fakerSeed seeds faker; drawn first from rng, so the draws after it
	// do not depend on whether faker is ever made.
	fakerSeed int64
	rng       *rand.Rand

	// reserved holds the membership ids the fixture names, so that ids
	// given to members listed earlier never take them.
	reserved map[int]bool
	// given records what the fixture said of a user, so that a second
	// listing of the same email (in users or another team) may fill in what
	// the first left out but may not contradict it.
	given map[*user]userGiven
	// existing, when set, names where the users the seeder did not create
	// come from ("the server's data", for the Go helpers): each counts as
	// listed there with its id, name and date_joined.
	existing string
	// undo, when not nil, collects how to take back each change, so that a
	// helper's write that fails half-way changes nothing (rollback).
	undo []func()
	// emails holds the verdicts of the e-mail rule that a helper's
	// mutation reached before the lock (emailChecks); others are checked
	// when met.
	emails emailChecks

	ctx       context.Context // seeding stops once it is done
	generated int             // items generated so far, for interrupted
}

// onUndo records how to take back a change, when the seeder keeps an undo
// list.
func (sd *seeder) onUndo(f func()) {
	if sd.undo != nil {
		sd.undo = append(sd.undo, f)
	}
}

// rollback takes back every recorded change, the last first.
func (sd *seeder) rollback() {
	for i := len(sd.undo) - 1; i >= 0; i-- {
		sd.undo[i]()
	}
	sd.undo = sd.undo[:0]
}

// givenOf is what the listings so far said of u.
func (sd *seeder) givenOf(u *user) userGiven {
	if g, ok := sd.given[u]; ok || sd.existing == "" {
		return g
	}
	return userGiven{listed: sd.existing, name: sd.existing, dateJoined: sd.existing}
}

// putUserLocked is store.putUserLocked, undone by rollback.
func (sd *seeder) putUserLocked(spec user) (*user, error) {
	existing, found := sd.st.usersByEmail[emailKey(spec.email)]
	if found {
		old := *existing
		sd.onUndo(func() {
			if existing.token != old.token {
				delete(sd.st.usersByToken, existing.token)
			}
			*existing = old
			existing.setName(old.name) // its search text too
		})
	}
	u, err := sd.st.putUserLocked(spec)
	if err == nil && !found {
		sd.onUndo(func() { sd.st.removeUserLocked(u) })
	}
	return u, err
}

// userGiven says where the fixture first listed a user (which fixed its id)
// and first gave its name and date_joined: "users[2]" or "an earlier team",
// or "" while not given.
type userGiven struct {
	listed, name, dateJoined string
}

// newSeeder is a seeder of st whose draws depend on the seed alone.
func newSeeder(st *store, seed int64) *seeder {
	rng := newRand(seed, streamFaker)
	// gofakeit treats seed 0 as "seed from crypto/rand": never hand it 0.
	fakerSeed := int64(rng.Uint64()>>1) | 1
	return &seeder{st: st, fakerSeed: fakerSeed, rng: rng, reserved: map[int]bool{}, given: map[*user]userGiven{}, ctx: context.Background()}
}

// fake is the seeder's faker, made on first use.
func (sd *seeder) fake() *gofakeit.Faker {
	if sd.faker == nil {
		sd.faker = gofakeit.NewUnlocked(sd.fakerSeed)
	}
	return sd.faker
}

// seedStore loads a fixture into an empty store, or names the first place in
// the fixture that breaks a rule.
func seedStore(st *store, f *Fixture, seed int64) error {
	return seedStoreContext(context.Background(), st, f, seed)
}

// seedStoreContext is seedStore, stopping with an error that wraps
// context.Cause(ctx) once ctx is done.
func seedStoreContext(ctx context.Context, st *store, f *Fixture, seed int64) error {
	if err := checkFixtureTotals(f); err != nil {
		return err
	}
	sd := newSeeder(st, seed)
	sd.ctx = ctx
	st.mu.Lock()
	defer st.mu.Unlock()
	sd.prepare(f)
	for i := range f.Users {
		fu := &f.Users[i]
		if err := sd.user(fu, fmt.Sprintf("users[%d]", i)); err != nil {
			return fmt.Errorf("users[%d]%s: %w", i, label(fu.Email), err)
		}
	}
	for i := range f.Organizations {
		o := &f.Organizations[i]
		if _, err := sd.organization(o); err != nil {
			return fmt.Errorf("organizations[%d]%s: %w", i, label(o.Name), err)
		}
	}
	// Invitations come once every user is in: an inviter may be listed in
	// a later team, or in none.
	for i := range f.Organizations {
		o := &f.Organizations[i]
		org := st.orgs[strings.ToLower(o.ID)]
		if o.ID == "" {
			org = sd.orgByName(o.Name)
		}
		for j := range o.Invitations {
			if err := sd.invitation(org, &o.Invitations[j]); err != nil {
				return fmt.Errorf("organizations[%d]%s: invitations[%d]%s: %w", i, label(o.Name), j, label(o.Invitations[j].Email), err)
			}
		}
	}
	for i := range f.Outbox {
		if err := sd.outboxMessage(f.Outbox[i]); err != nil {
			return fmt.Errorf("outbox[%d]: %w", i, err)
		}
	}
	return nil
}

// checkFixture finds what seedStore would refuse in a fixture, changing
// nothing: it seeds a throwaway store, stopping once ctx is done.
func checkFixture(ctx context.Context, f *Fixture, seed int64) error {
	return seedStoreContext(ctx, newStore(newIDSource(seed), func() time.Time { return epoch }), f, seed)
}

// checkFixtureTotals refuses, before anything is seeded, a fixture whose
// teams together ask for more than the caps: maxFixtureMembers memberships,
// listed and generated, and maxGenerate generated groups or campaigns. A
// single count past maxGenerate is left to its team, which names it.
func checkFixtureTotals(f *Fixture) error {
	var members, groups, campaigns int
	for _, o := range f.Organizations {
		members += len(o.Members)
		if g := o.Generate; g != nil {
			members += min(max(g.Members, 0), maxGenerate)
			groups += min(max(g.Groups, 0), maxGenerate)
			campaigns += min(max(g.Campaigns, 0), maxGenerate)
		}
	}
	switch {
	case members > maxFixtureMembers:
		return fmt.Errorf("the teams have %d members in total, listed and generated; at most %d", members, maxFixtureMembers)
	case groups > maxGenerate:
		return fmt.Errorf("generate: the teams ask for %d groups in total; at most %d", groups, maxGenerate)
	case campaigns > maxGenerate:
		return fmt.Errorf("generate: the teams ask for %d campaigns in total; at most %d", campaigns, maxGenerate)
	}
	return nil
}

// interrupted says, every seedCheckEvery generated items, whether seeding
// should stop: its context is done.
func (sd *seeder) interrupted() error {
	sd.generated++
	if sd.generated%seedCheckEvery != 0 || sd.ctx.Err() == nil {
		return nil
	}
	return fmt.Errorf("seeding stopped: %w", context.Cause(sd.ctx))
}

// prepare reserves the fixture's membership ids and sizes the store's
// indexes for the people to come: growing maps one by one is most of the
// cost of a large generated team.
func (sd *seeder) prepare(f *Fixture) {
	people := len(f.Users)
	for _, o := range f.Organizations {
		people += len(o.Members)
		if o.Generate != nil {
			people += min(max(o.Generate.Members, 0), maxGenerate)
		}
		for _, m := range o.Members {
			if m.MembershipID > 0 {
				sd.reserved[m.MembershipID] = true
			}
		}
	}
	people = min(people, 4*maxGenerate)
	st := sd.st
	if len(st.users) == 0 && len(st.memberships) == 0 {
		st.users = make(map[string]*user, people)
		st.usersByEmail = make(map[string]*user, people)
		st.memberships = make(map[int]*membership, people)
	}
}

// membershipID is the fixture's id for a membership, else the next one that
// no member of the fixture names.
func (sd *seeder) membershipID(given int) int {
	if given != 0 {
		return given
	}
	id := sd.st.nextMembershipID
	for sd.reserved[id] {
		id++
	}
	return id
}

// placed prefixes an error with where in the fixture it was found.
func placed(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

func (sd *seeder) organization(o *FixtureOrganization) (*organization, error) {
	switch {
	case strings.TrimSpace(o.Name) == "":
		return nil, fmt.Errorf("name is required")
	case len([]rune(o.Name)) > 128:
		return nil, fmt.Errorf("name is longer than 128 characters")
	case o.Scope != nil && len(*o.Scope) > 128:
		return nil, fmt.Errorf("scope is longer than 128 characters")
	case o.Scope != nil && !scopePattern.MatchString(*o.Scope):
		return nil, fmt.Errorf("scope %q does not match %s", *o.Scope, scopePattern)
	case o.ID != "" && !isUUID(o.ID):
		return nil, fmt.Errorf("id %q is not a UUID", o.ID)
	case o.DefaultRole != 0 && !o.DefaultRole.valid():
		return nil, fmt.Errorf("default_role %d is not a role (1 to 5)", o.DefaultRole)
	}
	for _, other := range sd.st.orgs {
		if other.name == o.Name {
			return nil, fmt.Errorf("another organization is named %q", o.Name)
		}
	}
	defaultRole := o.DefaultRole
	if defaultRole == 0 {
		defaultRole = RoleRestricted // the real default role
	}
	for i, d := range o.VerifiedDomains {
		if d = strings.TrimSpace(d); d == "" || strings.ContainsAny(d, "@ ") {
			return nil, fmt.Errorf("verified_domains[%d]: %q is not a domain", i, d)
		}
	}
	gen := FixtureGenerate{}
	if o.Generate != nil {
		gen = *o.Generate
	}
	for _, count := range []struct {
		key string
		n   int
	}{{"members", gen.Members}, {"groups", gen.Groups}, {"campaigns", gen.Campaigns}} {
		switch {
		case count.n < 0:
			return nil, fmt.Errorf("generate: %s: %d is negative", count.key, count.n)
		case count.n > maxGenerate:
			return nil, fmt.Errorf("generate: %s: %d is more than %d", count.key, count.n, maxGenerate)
		}
	}
	org, err := sd.st.addOrganizationLocked(strings.ToLower(o.ID), o.Name, o.Scope, defaultRole, o.VerifiedDomains)
	if err != nil {
		return nil, err
	}
	sd.onUndo(func() { sd.st.removeOrganizationLocked(org) })
	if org.settings, err = settingsFromFixture(org, o); err != nil {
		return nil, err
	}
	org.members = make([]*membership, 0, len(o.Members)+gen.Members)
	org.memberByUser = make(map[string]*membership, len(o.Members)+gen.Members)
	for i := range o.Members {
		m := &o.Members[i]
		if _, err := sd.member(org, m); err != nil {
			return nil, placed(err, "members[%d]%s", i, label(m.Email))
		}
	}
	if err := sd.generateMembers(org, gen.Members); err != nil {
		return nil, placed(err, "generate: members")
	}
	for i := range o.Groups {
		if _, err := sd.group(org, &o.Groups[i]); err != nil {
			return nil, placed(err, "groups[%d]%s", i, label(o.Groups[i].Name))
		}
	}
	if err := sd.generateGroups(org, gen.Groups); err != nil {
		return nil, placed(err, "generate: groups")
	}
	for i := range o.Campaigns {
		if err := sd.campaign(org, &o.Campaigns[i]); err != nil {
			return nil, placed(err, "campaigns[%d]%s", i, label(o.Campaigns[i].Name))
		}
	}
	if err := sd.generateCampaigns(org, gen.Campaigns); err != nil {
		return nil, placed(err, "generate: campaigns")
	}
	return org, nil
}

// user seeds one entry of the users list; where names it ("users[2]") for
// later listings of the same email that contradict it.
func (sd *seeder) user(fu *FixtureUser, where string) error {
	if _, ok := sd.st.usersByEmail[emailKey(fu.Email)]; ok {
		return fmt.Errorf("%s is listed twice in users", fu.Email)
	}
	_, err := sd.putUser(*fu, where)
	return err
}

func (sd *seeder) member(org *organization, m *FixtureMember) (*membership, error) {
	switch {
	case m.MembershipID < 0:
		return nil, fmt.Errorf("membership_id must be positive")
	case m.Role != 0 && !m.Role.valid():
		return nil, fmt.Errorf("role %d is not a role (1 to 5)", m.Role)
	}
	if u, ok := sd.st.usersByEmail[emailKey(m.Email)]; ok && org.memberByUser[u.id] != nil {
		return nil, fmt.Errorf("%s is listed twice in the team", m.Email)
	}
	u, err := sd.putUser(FixtureUser{
		Email: m.Email, Name: m.Name, Token: m.Token, UserID: m.UserID, DateJoined: m.DateJoined,
		ServiceAccount: m.ServiceAccount, DeploymentKeyAccount: m.DeploymentKeyAccount,
		IsOnboarded: m.IsOnboarded, TestAccount: m.TestAccount, UserScope: m.UserScope,
		ExtensionSettings: m.ExtensionSettings, Milestones: m.Milestones,
	}, "an earlier team")
	if err != nil {
		return nil, err
	}
	role := m.Role
	if role == 0 {
		role = org.defaultRole
	}
	added, err := sd.st.addMemberLocked(org, u, role, sd.membershipID(m.MembershipID), utcTime(m.LastActiveAt), utcTime(m.LastLoginAt))
	if err != nil {
		return nil, err
	}
	added.isDeploymentManager = m.IsDeploymentManager
	return added, nil
}

// putUser checks a listing of a user (in users, or as a team member) and
// returns its user, created or found by email: the same email is one user
// wherever it is listed. A later listing fills in what earlier ones left
// out. where names this listing for the messages of later ones.
func (sd *seeder) putUser(fu FixtureUser, where string) (*user, error) {
	switch {
	case fu.Email == "":
		return nil, fmt.Errorf("email is required")
	case sd.emails.check(fu.Email) != nil:
		return nil, fmt.Errorf("email %q is not a valid address", fu.Email)
	case len([]rune(fu.Email)) > maxEmailLength:
		return nil, fmt.Errorf("email is longer than %d characters", maxEmailLength)
	case fu.UserID != "" && !isUUID(fu.UserID):
		return nil, fmt.Errorf("user_id %q is not a UUID", fu.UserID)
	case strings.ContainsAny(fu.Token, " \t\r\n"):
		return nil, fmt.Errorf("token may not contain white space")
	}
	if u, ok := sd.st.usersByEmail[emailKey(fu.Email)]; ok {
		if err := sd.sameUser(u, fu); err != nil {
			return nil, err
		}
	}
	name := fu.Name
	if name == "" {
		name = nameFromEmail(fu.Email)
	}
	joined := sd.pastTime(730)
	if fu.DateJoined != nil {
		joined = fu.DateJoined.UTC()
	}
	u, err := sd.putUserLocked(user{
		id: strings.ToLower(fu.UserID), name: name, email: fu.Email, token: fu.Token,
		serviceAccount: fu.ServiceAccount, deploymentKeyAccount: fu.DeploymentKeyAccount, dateJoined: joined,
	})
	if err != nil {
		return nil, err
	}
	given := sd.givenOf(u)
	if given.listed == "" {
		given.listed = where
	}
	if fu.Name != "" && given.name == "" {
		u.setName(fu.Name)
		given.name = where
	}
	if fu.DateJoined != nil && given.dateJoined == "" {
		u.dateJoined, given.dateJoined = joined, where
	}
	sd.given[u] = given
	u.serviceAccount = u.serviceAccount || fu.ServiceAccount
	u.deploymentKeyAccount = u.deploymentKeyAccount || fu.DeploymentKeyAccount
	u.testAccount = u.testAccount || fu.TestAccount
	if fu.UserScope != nil {
		if err := checkUserScope(*fu.UserScope); err != nil {
			return nil, err
		}
		if u.scope != nil && *u.scope != *fu.UserScope {
			return nil, fmt.Errorf("user_scope %q contradicts %q given in %s", *fu.UserScope, *u.scope, sd.given[u].listed)
		}
		u.scope = copyString(fu.UserScope)
	}
	u.notOnboarded = u.notOnboarded || (fu.IsOnboarded != nil && !*fu.IsOnboarded)
	if err := sd.preferences(u, fu); err != nil {
		return nil, err
	}
	return u, nil
}

// preferences seeds a user's extension settings and milestones
// (me_preferences.go). They are given on one listing of the user: a second
// listing may not give them again.
func (sd *seeder) preferences(u *user, fu FixtureUser) error {
	if c := fu.ExtensionSettings; c != nil {
		if err := c.check(); err != nil {
			return fmt.Errorf("extension_settings: %w", err)
		}
		if u.extensionSettings != nil {
			return fmt.Errorf("extension_settings of %s are given twice (once in %s)", fu.Email, sd.given[u].listed)
		}
		settings := c.applyTo(defaultExtensionSettings())
		u.extensionSettings = &settings
	}
	if len(fu.Milestones) > 0 && len(u.milestones) > 0 {
		return fmt.Errorf("milestones of %s are given twice (once in %s)", fu.Email, sd.given[u].listed)
	}
	for i, ms := range fu.Milestones {
		if err := checkMilestone(ms); err != nil {
			return fmt.Errorf("milestones[%d]: %w", i, err)
		}
		if slices.ContainsFunc(u.milestones, func(m *milestone) bool { return m.key == ms.Key }) {
			return fmt.Errorf("milestones[%d]: key %q is listed twice", i, ms.Key)
		}
		if ms.Metadata != nil {
			metadata, err := jsonObject(ms.Metadata)
			if err != nil {
				return fmt.Errorf("milestones[%d]: metadata: %w", i, err)
			}
			ms.Metadata = metadata
		}
		setMilestoneLocked(u, ms)
	}
	return nil
}

// sameUser refuses a listing of an existing user that contradicts what an
// earlier listing said: the same email in users and in teams is one user.
func (sd *seeder) sameUser(u *user, fu FixtureUser) error {
	given := sd.givenOf(u)
	if given.listed == "" { // a generated member
		given.listed = "an earlier team"
	}
	switch {
	case fu.UserID != "" && !strings.EqualFold(fu.UserID, u.id):
		return fmt.Errorf("user_id %s differs from %s, the id this user has in %s (the same email is one user)", fu.UserID, u.id, given.listed)
	case fu.Name != "" && given.name != "" && fu.Name != u.name:
		return fmt.Errorf("name %q differs from %q, the name this user has in %s (the same email is one user)", fu.Name, u.name, given.name)
	case fu.DateJoined != nil && given.dateJoined != "" && !fu.DateJoined.Equal(u.dateJoined):
		return fmt.Errorf("date_joined %s differs from %s, this user's date in %s (the same email is one user)",
			fu.DateJoined.UTC().Format(time.RFC3339), u.dateJoined.Format(time.RFC3339), given.dateJoined)
	}
	return nil
}

func utcTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// nameFromEmail makes "Ada Lovelace" of "ada.lovelace@…".
func nameFromEmail(email string) string {
	local, _, _ := strings.Cut(email, "@")
	words := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' || r == '+' })
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

func (sd *seeder) group(org *organization, fg *FixtureGroup) (*group, error) {
	if strings.TrimSpace(fg.Name) == "" {
		return nil, fmt.Errorf("name is required")
	}
	if fg.ID != "" && !isUUID(fg.ID) {
		return nil, fmt.Errorf("id %q is not a UUID", fg.ID)
	}
	createdAt := sd.pastTime(365)
	if fg.CreatedAt != nil {
		createdAt = fg.CreatedAt.UTC()
	}
	g, err := sd.st.addGroupLocked(org, strings.ToLower(fg.ID), fg.Name, createdAt)
	if err != nil {
		return nil, fixtureError(err)
	}
	sd.onUndo(func() { sd.st.removeGroupLocked(g) })
	times := sd.creationTimes(g.createdAt, len(fg.Members))
	for i, fm := range fg.Members {
		if err := sd.groupMember(org, g, fm, times[i]); err != nil {
			return nil, placed(err, "members[%d]%s", i, label(fm.Email))
		}
	}
	return g, nil
}

// fixtureError words the store's API errors for a fixture's reader.
func fixtureError(err error) error {
	apiErr, ok := err.(*apiError)
	if !ok {
		return err
	}
	for field, messages := range apiErr.fields {
		return fmt.Errorf("%s: %s", field, strings.Join(messages, " "))
	}
	return err
}

// groupMember adds one listed person to a group, created at drawn unless the
// fixture says when.
func (sd *seeder) groupMember(org *organization, g *group, fm FixtureGroupMember, drawn time.Time) error {
	if fm.ID != "" && !isUUID(fm.ID) {
		return fmt.Errorf("id %q is not a UUID", fm.ID)
	}
	target, err := sd.eligible(org, fm.Email)
	if err != nil {
		return err
	}
	if g.find(target) != nil {
		return fmt.Errorf("%s is listed twice in the group", fm.Email)
	}
	createdAt := drawn
	if n := len(g.members); n > 0 {
		createdAt = maxTime(createdAt, g.members[n-1].createdAt) // after a listed time
	}
	if fm.CreatedAt != nil {
		createdAt = fm.CreatedAt.UTC()
	}
	_, err = sd.st.addGroupMembershipLocked(g, target, strings.ToLower(fm.ID), createdAt, utcTime(fm.LastActiveAt))
	return err
}

// eligible applies the API's rule to a fixture: a member of the team, or an
// email of one of its verified domains.
func (sd *seeder) eligible(org *organization, email string) (memberTarget, error) {
	if email == "" {
		return memberTarget{}, fmt.Errorf("email is required")
	}
	if sd.emails.check(email) != nil {
		return memberTarget{}, fmt.Errorf("email %q is not a valid address", email)
	}
	if len([]rune(email)) > maxEmailLength {
		return memberTarget{}, fmt.Errorf("email is longer than %d characters", maxEmailLength)
	}
	if u := org.memberByEmailLocked(sd.st, email); u != nil {
		return memberTarget{user: u, email: u.email}, nil
	}
	if org.verifiedDomain(email) {
		return memberTarget{email: email}, nil
	}
	return memberTarget{}, fmt.Errorf("%s is not a member of the team and its domain is not one of the team's verified_domains", email)
}

func (sd *seeder) campaign(org *organization, fc *FixtureCampaign) error {
	if strings.TrimSpace(fc.Name) == "" {
		return fmt.Errorf("name is required")
	}
	if fc.ID != "" && !isUUID(fc.ID) {
		return fmt.Errorf("id %q is not a UUID", fc.ID)
	}
	createdAt := sd.pastTime(365)
	if fc.CreatedAt != nil {
		createdAt = fc.CreatedAt.UTC()
	}
	updatedAt := createdAt
	if fc.UpdatedAt != nil {
		updatedAt = fc.UpdatedAt.UTC()
	}
	c, err := sd.st.addCampaignLocked(org, strings.ToLower(fc.ID), fc.Name, createdAt, updatedAt)
	if err != nil {
		return fixtureError(err)
	}
	times := sd.creationTimes(c.createdAt, len(fc.Members))
	for i, fm := range fc.Members {
		if err := sd.campaignMember(c, fm, times[i]); err != nil {
			return placed(err, "members[%d]%s", i, label(fm.Email))
		}
	}
	return nil
}

// campaignMember enrolls one listed email in a campaign, created at drawn
// unless the fixture says when. Unlike a group member, a campaign member
// need not be eligible: the API keeps campaign members (account null) when
// their person leaves the team, so a state may hold such emails.
func (sd *seeder) campaignMember(c *campaign, fm FixtureCampaignMember, drawn time.Time) error {
	switch {
	case fm.ID != "" && !isUUID(fm.ID):
		return fmt.Errorf("id %q is not a UUID", fm.ID)
	case fm.Email == "":
		return fmt.Errorf("email is required")
	case len([]rune(fm.Email)) > maxCampaignEmailLength:
		return fmt.Errorf("email is longer than %d characters", maxCampaignEmailLength)
	case sd.emails.check(fm.Email) != nil:
		return fmt.Errorf("email %q is not a valid address", fm.Email)
	}
	if _, dup := c.byEmail[emailKey(fm.Email)]; dup {
		return fmt.Errorf("%s is listed twice in the campaign", fm.Email)
	}
	data, err := jsonObject(fm.Data)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	createdAt := drawn
	if n := len(c.members); n > 0 {
		createdAt = maxTime(createdAt, c.members[n-1].createdAt) // after a listed time
	}
	if fm.CreatedAt != nil {
		createdAt = fm.CreatedAt.UTC()
	}
	updatedAt := createdAt
	if fm.UpdatedAt != nil {
		updatedAt = fm.UpdatedAt.UTC()
	}
	_, err = sd.st.addCampaignMemberLocked(c, strings.ToLower(fm.ID), fm.Email, data, createdAt, updatedAt, utcTime(fm.LastActiveAt))
	return err
}

// jsonObject turns free-form fixture data into what a request body would
// have made of it (json.Number for numbers), or says why JSON cannot hold it.
func jsonObject(data map[string]any) (map[string]any, error) {
	if len(data) == 0 {
		return map[string]any{}, nil
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out map[string]any
	err = dec.Decode(&out)
	return out, err
}

// --- generated data ---

// pastTime is a whole second within the given number of days before epoch.
func (sd *seeder) pastTime(days int) time.Time {
	return epoch.Add(-time.Duration(sd.rng.Int64N(int64(days)*86400)+1) * time.Second)
}

// creationTimes draws n whole-second times after from and up to epoch, in
// order: lists are in creation order, so their times must not go back.
func (sd *seeder) creationTimes(from time.Time, n int) []time.Time {
	times := make([]time.Time, n)
	span := int64(epoch.Sub(from) / time.Second)
	for i := range times {
		times[i] = from
		if span > 0 {
			times[i] = from.Add(time.Duration(sd.rng.Int64N(span)+1) * time.Second)
		}
	}
	slices.SortFunc(times, time.Time.Compare)
	return times
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// generatedRoles weights the roles of generated people toward the ones real
// teams have most of.
var generatedRoles = []Role{
	RoleRestricted, RoleRestricted, RoleRestricted, RoleRestricted, RoleRestricted, RoleRestricted,
	RoleMember, RoleMember, RoleDeveloper, RoleManager,
}

// generatedDomain is where generated people's emails live: the team's first
// verified domain, else one made of its name.
func generatedDomain(org *organization) string {
	if len(org.verifiedDomains) > 0 {
		return org.verifiedDomains[0]
	}
	slug := emailWord(org.name)
	if slug == "" {
		slug = "team"
	}
	return slug + ".test"
}

func (sd *seeder) generateMembers(org *organization, n int) error {
	domain := "@" + generatedDomain(org)
	for i := 0; i < n; i++ {
		if err := sd.interrupted(); err != nil {
			return err
		}
		first, last := sd.fake().FirstName(), sd.fake().LastName()
		local := emailWord(first) + "." + emailWord(last)
		if local == "." {
			local = "user"
		}
		email := local + domain
		for k := i + 1; sd.emailTaken(email); k++ {
			email = local + "." + strconv.Itoa(k) + domain
		}
		joined := sd.pastTime(730)
		u, err := sd.putUserLocked(user{name: first + " " + last, email: email, dateJoined: joined})
		if err != nil {
			return err
		}
		var lastLogin, lastActive *time.Time
		if sd.rng.IntN(10) < 7 { // most people have logged in; some never did
			login := maxTime(joined, sd.pastTime(60))
			active := maxTime(login, sd.pastTime(30))
			lastLogin, lastActive = &login, &active
		}
		role := generatedRoles[sd.rng.IntN(len(generatedRoles))]
		if _, err := sd.st.addMemberLocked(org, u, role, sd.membershipID(0), lastActive, lastLogin); err != nil {
			return err
		}
	}
	return nil
}

func (sd *seeder) emailTaken(email string) bool {
	_, taken := sd.st.usersByEmail[emailKey(email)]
	return taken
}

// emailWord keeps the lower-cased ASCII letters and digits of s.
func emailWord(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return -1
	}, s)
}

// sampleMembers picks up to n distinct members of org at random, in team order.
func (sd *seeder) sampleMembers(org *organization, n int) []*membership {
	total := len(org.members)
	n = min(n, total)
	picked := make(map[int]bool, n)
	indexes := make([]int, 0, n)
	for len(indexes) < n {
		if i := sd.rng.IntN(total); !picked[i] {
			picked[i] = true
			indexes = append(indexes, i)
		}
	}
	slices.Sort(indexes)
	out := make([]*membership, 0, n)
	for _, i := range indexes {
		out = append(out, org.members[i])
	}
	return out
}

func (sd *seeder) generateGroups(org *organization, n int) error {
	next := map[string]int{}
	for i := 0; i < n; i++ {
		if err := sd.interrupted(); err != nil {
			return err
		}
		base := sd.fake().JobDescriptor() + " " + sd.fake().JobLevel()
		name := org.groups.uniqueName(base, next)
		g, err := sd.st.addGroupLocked(org, "", name, sd.pastTime(365))
		if err != nil {
			return err
		}
		members := sd.sampleMembers(org, sd.rng.IntN(25)+1)
		times := sd.creationTimes(g.createdAt, len(members))
		for i, m := range members {
			t := memberTarget{user: m.user, email: m.user.email}
			if _, err := sd.st.addGroupMembershipLocked(g, t, "", times[i], nil); err != nil {
				return err
			}
		}
	}
	return nil
}

func (sd *seeder) generateCampaigns(org *organization, n int) error {
	next := map[string]int{}
	for i := 0; i < n; i++ {
		if err := sd.interrupted(); err != nil {
			return err
		}
		base := fmt.Sprintf("%s Q%d Rollout", sd.fake().BuzzWord(), sd.rng.IntN(4)+1)
		name := org.campaigns.uniqueName(strings.ToUpper(base[:1])+base[1:], next)
		created := sd.pastTime(365)
		c, err := sd.st.addCampaignLocked(org, "", name, created, created)
		if err != nil {
			return err
		}
		members := sd.sampleMembers(org, sd.rng.IntN(25)+1)
		times := sd.creationTimes(created, len(members))
		for i, m := range members {
			data := map[string]any{"Location": sd.fake().City() + ", " + sd.fake().StateAbr()}
			at := times[i]
			if _, err := sd.st.addCampaignMemberLocked(c, "", m.user.email, data, at, at, nil); err != nil {
				return err
			}
		}
	}
	return nil
}
