package fake_test

import (
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// memberUserID is the user id of a member of a team, by e-mail.
func memberUserID(t testing.TB, s *apiServer, teamID, email string) string {
	t.Helper()
	members, err := s.Server.Memberships(teamID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if m.User.Email == email {
			return m.User.ID
		}
	}
	t.Fatalf("%s is not in team %s", email, teamID)
	return ""
}

var _ = fake.RoleAdmin
