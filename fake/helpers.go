package fake

import (
	"errors"
	"fmt"
	"slices"
	"strings"
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
	m := &addTeam{Team: team}
	return helperDo(s, m, &m.out, "AddTeam", team.Name)
}

// addTeam is AddTeam's mutation.
type addTeam struct {
	Team   FixtureOrganization `json:"team"`
	out    Organization
	emails emailChecks
}

func (m *addTeam) prepare() error {
	var emails []string
	for _, member := range m.Team.Members {
		emails = append(emails, member.Email)
	}
	for _, g := range m.Team.Groups {
		for _, member := range g.Members {
			emails = append(emails, member.Email)
		}
	}
	for _, c := range m.Team.Campaigns {
		for _, member := range c.Members {
			emails = append(emails, member.Email)
		}
	}
	m.emails = checkEmails(emails...)
	return nil
}

func (m *addTeam) apply(s *store) error {
	team := m.Team // the seeder fills in what it draws; the log keeps the call
	return s.seedWriteLocked(m.emails, func(sd *seeder) error {
		org, err := sd.organization(&team)
		if err == nil {
			m.out = s.organizationViewLocked(org)
		}
		return err
	})
}

// AddMember adds a member to the team teamID as a fixture's members entry
// would: give Token to let the member call the API. An email that is
// already a user's (in another team) adds that user.
func (s *Server) AddMember(teamID string, member FixtureMember) (Membership, error) {
	m := &addMember{Team: teamID, Member: member}
	return helperDo(s, m, &m.out, "AddMember", member.Email)
}

// addMember is AddMember's mutation.
type addMember struct {
	Team   string        `json:"team"`
	Member FixtureMember `json:"member"`
	out    Membership
	emails emailChecks
}

func (m *addMember) prepare() error {
	m.emails = checkEmails(m.Member.Email)
	return nil
}

func (m *addMember) apply(s *store) error {
	return s.seedWriteLocked(m.emails, func(sd *seeder) error {
		org, err := sd.team(m.Team)
		if err != nil {
			return err
		}
		member := m.Member
		ms, err := sd.member(org, &member)
		if err == nil {
			m.out = s.membershipViewLocked(ms)
		}
		return err
	})
}

// AddGroup adds a group to the team teamID, created now (by the server's
// clock), with the people of memberEmails in order: members of the team, or
// emails of its verified domains (pending until they join).
func (s *Server) AddGroup(teamID, name string, memberEmails ...string) (Group, error) {
	m := &addGroup{Team: teamID, Name: name, Emails: memberEmails}
	return helperDo(s, m, &m.out, "AddGroup", name)
}

// addGroup is AddGroup's mutation.
type addGroup struct {
	Team   string   `json:"team"`
	Name   string   `json:"name"`
	Emails []string `json:"emails,omitempty"`
	out    Group
	emails emailChecks
}

func (m *addGroup) prepare() error {
	m.emails = checkEmails(m.Emails...)
	return nil
}

func (m *addGroup) apply(s *store) error {
	return s.seedWriteLocked(m.emails, func(sd *seeder) error {
		org, err := sd.team(m.Team)
		if err != nil {
			return err
		}
		created := s.now()
		fg := FixtureGroup{Name: m.Name, CreatedAt: &created}
		for _, email := range m.Emails {
			fg.Members = append(fg.Members, FixtureGroupMember{Email: email})
		}
		g, err := sd.group(org, &fg)
		if err == nil {
			m.out = s.groupViewLocked(g)
		}
		return err
	})
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

// helperDo applies a helper's mutation and returns what it made (out), or
// an error that names the helper and its argument. A failure of the state
// file is the server's fault, worded as the API words it.
func helperDo[R any](s *Server, m mutation, out *R, helper, arg string) (R, error) {
	err := s.store.do(m)
	if sf := s.store.durable; err != nil && sf != nil && sf.Err != nil && errors.Is(err, sf.Err) {
		err = stateFileError(err)
	}
	if err != nil {
		var zero R
		return zero, fmt.Errorf("%s %q: %w", helper, arg, err)
	}
	return *out, nil
}

// seedWriteLocked runs a helper's write with the fixture's seeder, on the
// store itself: the write costs what it adds, not the data. The seeder's
// random draws start from the seed at every write (so a replayed write
// draws the same), every user already in the store counts as listed with
// its id, name and date_joined (so a write may not contradict them), and a
// write that fails half-way is taken back.
func (s *store) seedWriteLocked(emails emailChecks, write func(sd *seeder) error) error {
	sd := newSeeder(s, s.seed)
	sd.existing, sd.undo, sd.emails = "the server's data", []func(){}, emails
	nextMembershipID := s.nextMembershipID
	if err := write(sd); err != nil {
		sd.rollback()
		s.nextMembershipID = nextMembershipID
		return err
	}
	return nil
}

// team finds a team of the store being written.
func (sd *seeder) team(teamID string) (*organization, error) {
	org, ok := sd.st.orgs[strings.ToLower(teamID)]
	if !ok {
		return nil, fmt.Errorf("no team %s: %w", teamID, ErrNotFound)
	}
	return org, nil
}
