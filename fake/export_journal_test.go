package fake

import "time"

// SetJournalMaxBytesForTest lowers the journal's memory bound
// (MaxJournalBytes), so that a test reaches it with a few requests.
func SetJournalMaxBytesForTest(s *Server, n int) {
	s.journal.mu.Lock()
	defer s.journal.mu.Unlock()
	s.journal.maxBytes = n
}

// SetThrottleMaxRecordsForTest lowers the throttle's bound
// (MaxThrottleRecords), so that a test reaches it with a few requests.
func SetThrottleMaxRecordsForTest(s *Server, n int) {
	s.throttle.mu.Lock()
	defer s.throttle.mu.Unlock()
	s.throttle.maxRecords = n
}

// SetAPICapsForTest lowers the caps of API writes (MaxGroups, MaxCampaigns,
// MaxGroupMemberships); 0 keeps a cap.
func SetAPICapsForTest(s *Server, groups, campaigns, groupMemberships int) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	s.store.caps.groups, s.store.caps.campaigns, s.store.caps.groupMemberships = groups, campaigns, groupMemberships
}

// SetThrottleClockForTest makes the throttle read now instead of the wall
// clock, so that a test can move past a window without waiting.
func SetThrottleClockForTest(s *Server, now func() time.Time) {
	s.throttle.mu.Lock()
	defer s.throttle.mu.Unlock()
	s.throttle.now = now
}

// MoreAPICaps are the API caps SetMoreAPICapsForTest lowers; 0 keeps a cap.
type MoreAPICaps struct {
	Teams, CampaignMembers, Invitations, Keys, Users, MilestonesPerUser int
	Memberships                                                         int
}

// SetMoreAPICapsForTest lowers the caps of MaxTeams, MaxCampaignMembers,
// MaxInvitations, MaxKeys, MaxUsers, MaxMilestonesPerUser and
// MaxMemberships.
func SetMoreAPICapsForTest(s *Server, c MoreAPICaps) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	s.store.caps.teams, s.store.caps.campaignMembers, s.store.caps.invitations = c.Teams, c.CampaignMembers, c.Invitations
	s.store.caps.keys, s.store.caps.users, s.store.caps.milestonesPerUser = c.Keys, c.Users, c.MilestonesPerUser
	s.store.caps.memberships = c.Memberships
}

// APICountsForTest is what the store holds of each kind MoreAPICaps caps
// (MilestonesPerUser: 0), for a test to set a cap just above it.
func APICountsForTest(s *Server) MoreAPICaps {
	st := s.store
	st.mu.RLock()
	defer st.mu.RUnlock()
	keys := 0
	for _, u := range st.users {
		if u.serviceAccount || u.deploymentKeyAccount {
			keys++
		}
	}
	return MoreAPICaps{Teams: len(st.orgs), CampaignMembers: len(st.campaignMembers), Invitations: len(st.invitations), Keys: keys, Users: len(st.users), Memberships: len(st.memberships)}
}
