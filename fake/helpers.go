package fake

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/brianvoe/gofakeit/v6"
)

// Typed helpers: seed and inspect a server's data from Go, without HTTP.
//
// A write takes what a fixture entry would have given and follows the
// fixture's rules (a member needs a valid email; a group member must be in
// the team or have an email of one of its verified domains; the same email
// is one user everywhere, so a listing may not contradict the user's id,
// name or date_joined). What it leaves out is drawn as a fixture's is. A
// write that breaks a rule is an error that names it and changes nothing.
// Reset forgets what the helpers added, as it forgets API writes.
//
// Every helper is safe while requests are in flight: it holds the data's
// lock as an API write does, and what it returns is a copy.

// AddTeam adds a team as a fixture's organizations entry would: its members,
// groups, campaigns and generated data with it.
func (s *Server) AddTeam(team FixtureOrganization) (Organization, error) {
	var out Organization
	err := s.edit(func(sd *seeder) error {
		if err := sd.organization(&team); err != nil {
			return err
		}
		for _, org := range sd.st.orgs {
			if org.name == team.Name {
				out = sd.st.organizationViewLocked(org)
			}
		}
		return nil
	})
	if err != nil {
		return Organization{}, fmt.Errorf("AddTeam %q: %w", team.Name, err)
	}
	return out, nil
}

// AddMember adds a member to the team teamID as a fixture's members entry
// would: give Token to let the member call the API. An email that is
// already a user's (in another team) adds that user.
func (s *Server) AddMember(teamID string, member FixtureMember) (Membership, error) {
	var out Membership
	err := s.edit(func(sd *seeder) error {
		org, err := sd.team(teamID)
		if err != nil {
			return err
		}
		if err := sd.member(org, &member); err != nil {
			return err
		}
		u := sd.st.usersByEmail[emailKey(member.Email)]
		out = sd.st.membershipViewLocked(org.memberByUser[u.id])
		return nil
	})
	if err != nil {
		return Membership{}, fmt.Errorf("AddMember %q: %w", member.Email, err)
	}
	return out, nil
}

// AddGroup adds a group to the team teamID, created now (by the server's
// clock), with the people of memberEmails in order: members of the team, or
// emails of its verified domains (pending until they join).
func (s *Server) AddGroup(teamID, name string, memberEmails ...string) (Group, error) {
	var out Group
	err := s.edit(func(sd *seeder) error {
		org, err := sd.team(teamID)
		if err != nil {
			return err
		}
		created := sd.st.now()
		fg := FixtureGroup{Name: name, CreatedAt: &created}
		for _, email := range memberEmails {
			fg.Members = append(fg.Members, FixtureGroupMember{Email: email})
		}
		if err := sd.group(org, &fg); err != nil {
			return err
		}
		out = sd.st.groupViewLocked(org.groupNamed(name))
		return nil
	})
	if err != nil {
		return Group{}, fmt.Errorf("AddGroup %q: %w", name, err)
	}
	return out, nil
}

// Teams returns every team, ordered by name as the API orders them.
func (s *Server) Teams() []Organization {
	st := s.store
	st.mu.RLock()
	defer st.mu.RUnlock()
	orgs := make([]*organization, 0, len(st.orgs))
	for _, org := range st.orgs {
		orgs = append(orgs, org)
	}
	slices.SortFunc(orgs, func(a, b *organization) int { return compareByName(a.name, a.id, b.name, b.id) })
	out := make([]Organization, 0, len(orgs))
	for _, org := range orgs {
		out = append(out, st.organizationViewLocked(org))
	}
	return out
}

// Team returns the team teamID.
func (s *Server) Team(teamID string) (Organization, error) {
	org, err := s.store.FindOrganization(strings.ToLower(teamID))
	return org, notFound(err, "team", teamID)
}

// Memberships returns the memberships of the team teamID by id.
func (s *Server) Memberships(teamID string) ([]Membership, error) {
	list, _, err := s.store.FindMemberships(strings.ToLower(teamID), membershipFilter{}, pageRequest{})
	return list, notFound(err, "team", teamID)
}

// Groups returns the groups of the team teamID by name.
func (s *Server) Groups(teamID string) ([]Group, error) {
	list, _, err := s.store.FindGroups(strings.ToLower(teamID), pageRequest{})
	return list, notFound(err, "team", teamID)
}

// GroupMembers returns the memberships of the group groupID in the order
// they were made; pending ones have a nil User.
func (s *Server) GroupMembers(groupID string) ([]GroupMembership, error) {
	list, _, err := s.store.FindGroupMemberships(strings.ToLower(groupID), pageRequest{})
	return list, notFound(err, "group", groupID)
}

// Campaigns returns the campaigns of the team teamID by name.
func (s *Server) Campaigns(teamID string) ([]Campaign, error) {
	list, _, err := s.store.FindCampaigns(strings.ToLower(teamID), pageRequest{})
	return list, notFound(err, "team", teamID)
}

// CampaignMembers returns the members of the campaign campaignID of the
// team teamID in the order they were enrolled.
func (s *Server) CampaignMembers(teamID, campaignID string) ([]CampaignMember, error) {
	list, _, err := s.store.FindCampaignMembers(strings.ToLower(teamID), strings.ToLower(campaignID), pageRequest{})
	return list, notFound(err, "campaign", teamID+"/"+campaignID)
}

// ErrNotFound is the error of a helper asked for a team, group or campaign
// that does not exist.
var ErrNotFound = errors.New("not found")

// notFound words a store's 404 for a helper's caller.
func notFound(err error, what, id string) error {
	if err == nil {
		return nil
	}
	if asAPIError(err).code == codeNotFound {
		return fmt.Errorf("no %s %s: %w", what, id, ErrNotFound)
	}
	return err
}

// edit applies a helper's write. It rebuilds the data from the current
// state on a scratch store (State and LoadState lose nothing), applies the
// write there with the fixture's seeder, and takes the result only if the
// write passed: a refused write changes nothing. The data's lock is held
// throughout, so in-flight requests see the data before or after, never
// half of it. Ids and times continue from where they were.
func (s *Server) edit(write func(sd *seeder) error) error {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, err := st.beginWriteLocked(); err != nil {
		return stateFileError(err) // the state file failed before: writes are refused
	}
	state := st.fixtureLocked()
	fresh := newStore(st.ids, st.clock)
	if err := seedStore(fresh, &state, s.seed); err != nil {
		return fmt.Errorf("rebuilding the data: %w", err) // a bug: State and LoadState round trip
	}
	fresh.mu.Lock()
	defer fresh.mu.Unlock()
	// A deleted membership's id is never handed out again.
	fresh.nextMembershipID = max(fresh.nextMembershipID, st.nextMembershipID)
	if err := write(s.helperSeeder(fresh)); err != nil {
		return err
	}
	if err := st.replaceDataDurablyLocked(fresh); err != nil {
		return stateFileError(err)
	}
	return nil
}

// helperSeeder is a seeder for one helper's write on a rebuilt store. Every
// user there counts as listed with its id, name and date_joined, so that a
// write may not contradict them.
func (s *Server) helperSeeder(st *store) *seeder {
	rng := newRand(s.seed, streamFaker)
	fakerSeed := int64(rng.Uint64()>>1) | 1 // gofakeit reads 0 as "seed from crypto/rand"
	const where = "the server's data"
	given := make(map[*user]userGiven, len(st.users))
	for _, u := range st.users {
		given[u] = userGiven{listed: where, name: where, dateJoined: where}
	}
	return &seeder{st: st, faker: gofakeit.NewUnlocked(fakerSeed), rng: rng, reserved: map[int]bool{}, given: given}
}

// team finds a team of the store being written.
func (sd *seeder) team(teamID string) (*organization, error) {
	org, ok := sd.st.orgs[strings.ToLower(teamID)]
	if !ok {
		return nil, fmt.Errorf("no team %s: %w", teamID, ErrNotFound)
	}
	return org, nil
}
