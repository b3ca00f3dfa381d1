package fake

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// State returns the current data as a fixture that New (WithFixtures) and
// LoadState take back without loss: every id, time, token, role, pending
// group membership and campaign member's data is spelled out, so that none
// is generated again, and users who are in no team are listed in Users.
func (s *Server) State() Fixture {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	return s.store.fixtureLocked()
}

// LoadState replaces all data with a fixture's, seeded as at start. An
// invalid fixture changes nothing. Fault rules, the journal and throttling
// are kept; ids and times of later writes continue from where they were.
// With a state file, the new data is on disk before LoadState returns.
func (s *Server) LoadState(f Fixture) error {
	// A trial run on a scratch store finds any problem before anything changes.
	if err := checkFixture(context.Background(), &f, s.seed); err != nil {
		return err
	}
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, err := st.beginWriteLocked(); err != nil {
		return stateFileError(err)
	}
	fresh := newStore(st.ids, st.clock)
	if err := seedStore(fresh, &f, s.seed); err != nil {
		return err
	}
	if err := st.replaceDataDurablyLocked(fresh); err != nil {
		return stateFileError(err)
	}
	return nil
}

// Reset puts the server back to its state at start: the data seeded again
// from the same fixture and seed (so ids and times match), the start fault
// rules (WithFaults) and nothing else, an empty journal, throttling counters
// and random draws from the start. With a state file, the data it started
// from is the fixture's, not the file's, and it is on disk before Reset
// returns; a failure to write it is logged, and Reset then changes nothing.
func (s *Server) Reset() {
	if err := s.reset(); err != nil {
		s.logger.Error("reset failed", "error", err)
	}
}

// reset is Reset, saying whether the data could be written to the state file.
func (s *Server) reset() error {
	s.fixtureMu.Lock()
	fixture := s.fixture
	s.fixtureMu.Unlock()
	if err := s.reseed(fixture); err != nil {
		return err
	}
	s.faults.reset(s.seed, s.startFaults)
	s.journal.clear()
	if s.throttle != nil {
		s.throttle.reset()
	}
	s.toggles.reseed(s.seed)
	return nil
}

// ReplaceFixture makes f the fixture the server started from: the data is
// seeded from it as at start (ids and times as a fresh start with f would
// give them), and Reset goes back to it from now on. An invalid fixture
// changes nothing and is an error. Fault rules, the journal and throttling
// counters are kept. WatchFixtureFile calls it when the file changes.
func (s *Server) ReplaceFixture(f Fixture) error {
	// A trial run on a scratch store finds any problem before anything changes.
	if err := checkFixture(context.Background(), &f, s.seed); err != nil {
		return err
	}
	s.fixtureMu.Lock()
	defer s.fixtureMu.Unlock()
	if err := s.reseed(&f); err != nil {
		return stateFileError(err)
	}
	s.fixture = &f
	return nil
}

// reseed replaces the data with the fixture's, seeded as at start.
func (s *Server) reseed(fixture *Fixture) error {
	clock, step := s.newClock()
	ids, pcg := newTrackedIDSource(s.seed)
	fresh := newStore(ids, clock)
	if err := seedStore(fresh, fixture, s.seed); err != nil {
		// The fixture was seeded with this seed before (by New, or by
		// ReplaceFixture's trial run): this cannot fail.
		return fmt.Errorf("seeding again: %w", err)
	}
	st := s.store
	st.mu.Lock()
	if _, err := st.beginWriteLocked(); err != nil {
		st.mu.Unlock()
		return err
	}
	oldIDs, oldClock, oldPCG, oldStep := st.ids, st.clock, st.pcg, st.step
	st.ids, st.clock, st.pcg, st.step = ids, clock, pcg, step
	if err := st.replaceDataDurablyLocked(fresh); err != nil {
		st.ids, st.clock, st.pcg, st.step = oldIDs, oldClock, oldPCG, oldStep
		st.mu.Unlock()
		return err
	}
	st.mu.Unlock()
	return nil
}

// newClock is a clock as New makes one: the WithClock option's, or a new
// stepping clock from epoch (returned too, so that its time can be saved).
func (s *Server) newClock() (func() time.Time, *stepClock) {
	if s.clock != nil {
		return s.clock, nil
	}
	step := &stepClock{now: epoch}
	return step.read, step
}

// replaceDataDurablyLocked takes over the data of n (swapDataLocked) once a
// state file, if any, holds it: on an error nothing changes.
// The snapshot saves the store's id source and clock with n's data.
func (s *store) replaceDataDurablyLocked(n *store) error {
	if s.durable != nil {
		if err := s.writeSnapshotLocked(n); err != nil {
			return err
		}
	}
	s.swapDataLocked(n)
	return nil
}

// stateFileError reports a failure to write the state file: the server's
// fault, a 500, never the client's.
func stateFileError(err error) error {
	return &apiError{code: codeInternal, detail: "The state file could not be written: " + err.Error()}
}

// swapDataLocked takes over the data of n. Keep it in step with the fields
// of store.
func (s *store) swapDataLocked(n *store) {
	s.users, s.usersByEmail, s.usersByToken = n.users, n.usersByEmail, n.usersByToken
	s.orgs = n.orgs
	s.memberships = n.memberships
	s.groups, s.groupMemberships = n.groups, n.groupMemberships
	s.campaigns, s.campaignMembers = n.campaigns, n.campaignMembers
	s.nextMembershipID = n.nextMembershipID
	s.invitations, s.outbox = n.invitations, n.outbox
	s.trimOutboxLocked()
}

// fixtureLocked writes the store as a fixture.
func (s *store) fixtureLocked() Fixture {
	f := Fixture{Organizations: []FixtureOrganization{}}
	for _, org := range s.orgsInJoinOrderLocked() {
		fo := FixtureOrganization{
			ID:              org.id,
			Name:            org.name,
			Scope:           copyString(org.scope),
			DefaultRole:     org.defaultRole,
			VerifiedDomains: slices.Clone(org.verifiedDomains),
		}
		org.settings.export(&fo)
		for _, m := range org.members {
			u := m.user
			joined := u.dateJoined
			fo.Members = append(fo.Members, FixtureMember{
				Email:                u.email,
				Name:                 u.name,
				Role:                 m.role,
				Token:                u.token,
				ServiceAccount:       u.serviceAccount,
				DeploymentKeyAccount: u.deploymentKeyAccount,
				UserID:               u.id,
				MembershipID:         m.id,
				DateJoined:           &joined,
				LastActiveAt:         copyTime(m.lastActiveAt),
				LastLoginAt:          copyTime(m.lastLoginAt),
				IsOnboarded:          onboardedFlag(u),
				TestAccount:          u.testAccount,
				IsDeploymentManager:  m.isDeploymentManager,
				UserScope:            copyString(u.scope),
			})
			if u.memberships[0] == m { // a user's preferences go with its primary team
				last := &fo.Members[len(fo.Members)-1]
				last.ExtensionSettings, last.Milestones = preferencesOf(u)
			}
		}
		for _, g := range org.groups.sorted {
			created := g.createdAt
			fg := FixtureGroup{ID: g.id, Name: g.name, CreatedAt: &created}
			for _, gm := range g.members {
				at := gm.createdAt
				fg.Members = append(fg.Members, FixtureGroupMember{
					Email: gm.email, ID: gm.id, CreatedAt: &at, LastActiveAt: copyTime(gm.lastActiveAt),
				})
			}
			fo.Groups = append(fo.Groups, fg)
		}
		for _, c := range org.campaigns.sorted {
			created, updated := c.createdAt, c.updatedAt
			fc := FixtureCampaign{ID: c.id, Name: c.name, CreatedAt: &created, UpdatedAt: &updated}
			for _, cm := range c.members {
				at, upd := cm.createdAt, cm.updatedAt
				fc.Members = append(fc.Members, FixtureCampaignMember{
					Email: cm.email, Data: copyJSONObject(cm.data), ID: cm.id,
					CreatedAt: &at, UpdatedAt: &upd, LastActiveAt: copyTime(cm.lastActiveAt),
				})
			}
			fo.Campaigns = append(fo.Campaigns, fc)
		}
		// invitations
		for _, inv := range org.invitations {
			at := inv.createdAt
			fo.Invitations = append(fo.Invitations, FixtureInvitation{
				Email: inv.email, Role: inv.role, Inviter: inv.inviter.Email, ID: inv.id, CreatedAt: &at,
			})
		}
		f.Organizations = append(f.Organizations, fo)
	}
	f.Users = s.teamlessUsersLocked()
	f.Outbox = slices.Clone(s.outbox) // outbox
	return f
}

// teamlessUsersLocked lists the users who are in no team (the last of their
// memberships was deleted), by email (unique in the store): they keep their account and
// token, and the teams' member lists do not hold them.
func (s *store) teamlessUsersLocked() []FixtureUser {
	var out []FixtureUser
	for _, u := range s.users {
		if len(u.memberships) > 0 {
			continue
		}
		joined := u.dateJoined
		out = append(out, FixtureUser{
			Email:                u.email,
			Name:                 u.name,
			Token:                u.token,
			UserID:               u.id,
			DateJoined:           &joined,
			ServiceAccount:       u.serviceAccount,
			DeploymentKeyAccount: u.deploymentKeyAccount,
			IsOnboarded:          onboardedFlag(u),
			TestAccount:          u.testAccount,
			UserScope:            copyString(u.scope),
		})
		last := &out[len(out)-1]
		last.ExtensionSettings, last.Milestones = preferencesOf(u)
	}
	slices.SortFunc(out, func(a, b FixtureUser) int { return strings.Compare(emailKey(a.Email), emailKey(b.Email)) })
	return out
}

// orgsInJoinOrderLocked orders the teams so that seeding them in that order
// gives every user its teams in the order it has them now (the first is its
// primary team): a topological order of the users' team lists, ties by name.
func (s *store) orgsInJoinOrderLocked() []*organization {
	orgs := make([]*organization, 0, len(s.orgs))
	for _, org := range s.orgs {
		orgs = append(orgs, org)
	}
	slices.SortFunc(orgs, func(a, b *organization) int { return compareByName(a.name, a.id, b.name, b.id) })
	after := map[*organization][]*organization{}
	before := map[*organization]int{}
	seen := map[[2]*organization]bool{}
	for _, u := range s.users {
		for i := 1; i < len(u.memberships); i++ {
			edge := [2]*organization{u.memberships[i-1].org, u.memberships[i].org}
			if !seen[edge] {
				seen[edge] = true
				after[edge[0]] = append(after[edge[0]], edge[1])
				before[edge[1]]++
			}
		}
	}
	out := make([]*organization, 0, len(orgs))
	placed := map[*organization]bool{}
	for len(out) < len(orgs) {
		progress := false
		for _, org := range orgs {
			if placed[org] || before[org] > 0 {
				continue
			}
			placed[org], progress = true, true
			out = append(out, org)
			for _, next := range after[org] {
				before[next]--
			}
			break // start again from the first name, to keep ties by name
		}
		if !progress { // cannot happen: the lists come from one order
			for _, org := range orgs {
				if !placed[org] {
					out = append(out, org)
					placed[org] = true
				}
			}
		}
	}
	return out
}
