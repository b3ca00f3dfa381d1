package fake

import (
	"fmt"
	"math"
)

// What a client can grow through the API or the control plane is bounded
// over all teams, as fixtures are: past a cap a create is a 400 that names
// it, and deleting makes room again. Data a fixture or state brings is not
// refused by these caps (its own are checked when it loads); only writes
// that would pass them are. A write of a list counts all its new items at
// once: it is refused whole, never cut short.
const (
	MaxGroups           = 1_000_000
	MaxCampaigns        = 1_000_000
	MaxGroupMemberships = 1_000_000
	// MaxTeams bounds teams made with createOrganization (POST
	// /api/organizations/).
	MaxTeams = 10_000
	// MaxCampaignMembers bounds campaign members, pending ones too.
	MaxCampaignMembers = 1_000_000
	// MaxInvitations bounds pending invitations (the API's and Invite's).
	MaxInvitations = 1_000_000
	// MaxKeys bounds service accounts and deployment keys together.
	MaxKeys = 100_000
	// MaxUsers bounds the users AddUser and POST /__fake/users may add to;
	// every account counts, those of teams and keys too.
	MaxUsers = 1_000_000
	// MaxMilestonesPerUser bounds the distinct milestone keys one user
	// records; recording a key again replaces its metadata and is never
	// refused. The API has no way to delete one.
	MaxMilestonesPerUser = 1_000
	// MaxMemberships bounds team memberships over all teams when an
	// invitation is accepted, the one way the API adds a member that no
	// other cap bounds (a team's creator is bounded by MaxTeams, a key by
	// MaxKeys). A fixture may bring 1,000,000; this leaves room beside it.
	MaxMemberships = 2_000_000
)

// apiCaps are the caps a store enforces; zero fields mean the constants.
// Tests lower them (export_journal_test.go).
type apiCaps struct {
	groups, campaigns, groupMemberships int
	teams, campaignMembers, invitations int
	keys, users, milestonesPerUser      int
	memberships                         int
}

// limitLocked is a cap: v when a test lowered it, else def. A replayed
// write of a state file's log has no cap: it was accepted when it was made
// (perhaps by a version without the cap), and refusing it now would lose
// it and every write after it.
func (s *store) limitLocked(v, def int) int {
	switch {
	case s.replaying:
		return math.MaxInt
	case v > 0:
		return v
	}
	return def
}

// checkCap refuses adding n items of a kind that already holds have. A
// write that adds none, or takes away more than it adds, is never refused,
// so that a store past a cap (a fixture's data) can still shrink.
func checkCap(have, n, limit int, what string) error {
	if n <= 0 || have+n <= limit {
		return nil
	}
	return &apiError{code: codeInvalid, detail: fmt.Sprintf(
		"The fake holds at most %d %s over all teams, and holds %d; delete some first.", limit, what, have)}
}

func (s *store) checkGroupCapLocked() error {
	return checkCap(len(s.groups), 1, s.limitLocked(s.caps.groups, MaxGroups), "groups")
}

func (s *store) checkCampaignCapLocked() error {
	return checkCap(len(s.campaigns), 1, s.limitLocked(s.caps.campaigns, MaxCampaigns), "campaigns")
}

func (s *store) checkGroupMembershipCapLocked(n int) error {
	return checkCap(len(s.groupMemberships), n, s.limitLocked(s.caps.groupMemberships, MaxGroupMemberships), "group memberships")
}

func (s *store) checkTeamCapLocked() error {
	return checkCap(len(s.orgs), 1, s.limitLocked(s.caps.teams, MaxTeams), "teams")
}

func (s *store) checkCampaignMemberCapLocked(n int) error {
	return checkCap(len(s.campaignMembers), n, s.limitLocked(s.caps.campaignMembers, MaxCampaignMembers), "campaign members")
}

func (s *store) checkInvitationCapLocked(n int) error {
	return checkCap(len(s.invitations), n, s.limitLocked(s.caps.invitations, MaxInvitations), "pending invitations")
}

// checkKeyCapLocked counts the key accounts, service accounts and
// deployment keys, by a look at every user: a key's create is rare next to
// the reads that a count kept up to date by every user write would tax.
func (s *store) checkKeyCapLocked() error {
	if s.replaying {
		return nil // no cap (limitLocked), so no count
	}
	keys := 0
	for _, u := range s.users {
		if u.serviceAccount || u.deploymentKeyAccount {
			keys++
		}
	}
	return checkCap(keys, 1, s.limitLocked(s.caps.keys, MaxKeys), "service accounts and deployment keys")
}

func (s *store) checkMembershipCapLocked() error {
	return checkCap(len(s.memberships), 1, s.limitLocked(s.caps.memberships, MaxMemberships), "team memberships")
}

func (s *store) checkUserCapLocked() error {
	return checkCap(len(s.users), 1, s.limitLocked(s.caps.users, MaxUsers), "users")
}

// checkMilestoneCapLocked refuses a new milestone key of a user who holds
// the most; there is no delete to make room, so the detail says so.
func (s *store) checkMilestoneCapLocked(u *user) error {
	limit := s.limitLocked(s.caps.milestonesPerUser, MaxMilestonesPerUser)
	if len(u.milestones) < limit {
		return nil
	}
	return &apiError{code: codeInvalid, detail: fmt.Sprintf(
		"The fake records at most %d milestones per user, and this user has %d; record one of them again instead.", limit, len(u.milestones))}
}
