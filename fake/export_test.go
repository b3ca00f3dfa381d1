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
