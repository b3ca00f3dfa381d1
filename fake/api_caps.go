package fake

import "fmt"

// What a client can grow through the API is bounded over all teams, as
// fixtures are: past a cap a create is a 400 that names it, and deleting
// makes room again. Data a fixture or state brings is not refused by these
// caps (its own are checked when it loads); only API writes that would pass
// them are.
const (
	MaxGroups           = 1_000_000
	MaxCampaigns        = 1_000_000
	MaxGroupMemberships = 1_000_000
)

// apiCaps are the caps a store enforces; zero fields mean the constants.
// Tests lower them (export_journal_test.go).
type apiCaps struct {
	groups, campaigns, groupMemberships int
}

func capOr(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// checkCap refuses adding n items of a kind that already holds have.
func checkCap(have, n, limit int, what string) error {
	if have+n <= limit {
		return nil
	}
	return &apiError{code: codeInvalid, detail: fmt.Sprintf(
		"The fake holds at most %d %s over all teams, and holds %d; delete some first.", limit, what, have)}
}

func (s *store) checkGroupCapLocked() error {
	return checkCap(len(s.groups), 1, capOr(s.caps.groups, MaxGroups), "groups")
}

func (s *store) checkCampaignCapLocked() error {
	return checkCap(len(s.campaigns), 1, capOr(s.caps.campaigns, MaxCampaigns), "campaigns")
}

func (s *store) checkGroupMembershipCapLocked(n int) error {
	return checkCap(len(s.groupMemberships), n, capOr(s.caps.groupMemberships, MaxGroupMemberships), "group memberships")
}
