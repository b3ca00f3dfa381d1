package fake

import (
	"errors"
	"fmt"
	"strings"
)

// Users in no team: people who have an account (and a token) but belong to
// no team yet — the invitees of tests that onboard someone. AddUser, the
// control plane's POST /__fake/users and the fixture's users key make them.

// ErrUserExists is AddUser's error for an e-mail that is already a user's.
var ErrUserExists = errors.New("a user with this email already exists")

// AddUser creates an account for email (name "" is made from the e-mail),
// in no team, joined now by the server's clock, and returns it with its
// new token, drawn from the seed. An invalid e-mail, or one that is
// already a user's (ErrUserExists), is an error and changes nothing.
func (s *Server) AddUser(email, name string) (UserRef, string, error) {
	m := &addUser{Email: email, Name: name}
	out, err := helperDo(s, m, &m.out, "AddUser", email)
	return out, m.token, err
}

// addUser is AddUser's mutation.
type addUser struct {
	Email  string `json:"email"`
	Name   string `json:"name,omitempty"`
	out    UserRef
	token  string
	emails emailChecks
}

func (m *addUser) prepare() error {
	m.emails = checkEmails(m.Email)
	return nil
}

func (m *addUser) apply(s *store) error {
	if _, taken := s.usersByEmail[emailKey(m.Email)]; taken {
		return ErrUserExists
	}
	if err := s.checkUserCapLocked(); err != nil {
		return err
	}
	return s.seedWriteLocked(m.emails, func(sd *seeder) error {
		joined := s.now()
		fu := FixtureUser{Email: strings.TrimSpace(m.Email), Name: m.Name, Token: s.newTokenLocked(), DateJoined: &joined}
		if err := sd.user(&fu, "AddUser"); err != nil {
			return err
		}
		u := s.usersByEmail[emailKey(fu.Email)]
		m.out, m.token = s.userRefLocked(u), u.token
		return nil
	})
}

// newTokenLocked draws a token no user holds, 40 hex digits as DRF's are,
// from the id source so that a replay draws the same.
func (s *store) newTokenLocked() string {
	for {
		token := strings.ReplaceAll(s.ids.uuid()+s.ids.uuid(), "-", "")[:40]
		if _, taken := s.usersByToken[token]; !taken {
			return token
		}
	}
}

// errUserExists is the control plane's answer to a second account for one
// e-mail.
func errUserExists(email string) error {
	return errInvalidField("email", fmt.Sprintf("A user with the email %s already exists.", email))
}
