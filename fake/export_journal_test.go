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
	s.store.caps = apiCaps{groups: groups, campaigns: campaigns, groupMemberships: groupMemberships}
}

// SetThrottleClockForTest makes the throttle read now instead of the wall
// clock, so that a test can move past a window without waiting.
func SetThrottleClockForTest(s *Server, now func() time.Time) {
	s.throttle.mu.Lock()
	defer s.throttle.mu.Unlock()
	s.throttle.now = now
}
