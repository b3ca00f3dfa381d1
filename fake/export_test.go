package fake

// SetUserEmailForTest gives the user with email an email that need not keep
// openapi.yaml. The fixture loader refuses such emails; the tests of strict
// response validation need a response that breaks the contract without a
// bug in the fake, and this is how they get one.
func SetUserEmailForTest(s *Server, email, replacement string) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if u, ok := s.store.usersByEmail[emailKey(email)]; ok {
		u.email = replacement
	}
}

// CheckEmailForTest is the fake's one e-mail rule (Django's EmailValidator).
var CheckEmailForTest = checkEmail

// AuditTrailForTest lists a team's audit events, oldest first, as
// "action_type actor-email target-label": the audit listing endpoint is
// another branch's (issue 11, "keys"), so until it lands the invitation
// tests read the trail here.
func AuditTrailForTest(s *Server, orgID string) []string {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	org, ok := s.store.orgs[orgID]
	if !ok {
		return nil
	}
	var out []string
	for _, ev := range org.audit {
		actor := "-"
		if ev.actor != nil {
			actor = ev.actor.email
		}
		out = append(out, ev.actionType+" "+actor+" "+ev.target.label)
	}
	return out
}
