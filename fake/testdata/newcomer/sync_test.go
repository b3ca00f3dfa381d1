package newcomer

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

const acmeID = "0a000000-0000-4000-8000-000000000001" // the default data's first team

// fake.New is an http.Handler: serve it however you like.
func TestMemberEmailsHandler(t *testing.T) {
	srv, err := fake.New()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	t.Cleanup(srv.Close) // runs first: ends requests a fault holds

	emails, err := MemberEmails(ts.Client(), ts.URL, "acme-admin-token", acmeID)
	if err != nil {
		t.Fatal(err)
	}
	if len(emails) != 32 || emails[0] != "ada@acme.test" {
		t.Errorf("got %d emails, first %q; want 32, first ada@acme.test", len(emails), emails[0])
	}
}

// fake.NewTestServer gives each parallel subtest a server of its own.
func TestMemberEmails(t *testing.T) {
	team := func(emails ...string) fake.Fixture {
		org := fake.FixtureOrganization{ID: "0c000000-0000-4000-8000-000000000003", Name: "Initech"}
		for i, email := range emails {
			m := fake.FixtureMember{Email: email, Role: fake.RoleMember}
			if i == 0 {
				m.Role, m.Token = fake.RoleAdmin, "admin-token"
			}
			org.Members = append(org.Members, m)
		}
		return fake.Fixture{Organizations: []fake.FixtureOrganization{org}}
	}
	tests := []struct {
		name    string
		fixture fake.Fixture
		add     []string // added with the AddMember helper
		want    []string
	}{
		{"one-member", team("bill@initech.test"), nil, []string{"bill@initech.test"}},
		{"two-members", team("bill@initech.test", "peter@initech.test"), nil, []string{"bill@initech.test", "peter@initech.test"}},
		{"added-by-helper", team("bill@initech.test"), []string{"milton@initech.test"}, []string{"bill@initech.test", "milton@initech.test"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := fake.NewTestServer(t, fake.WithFixtures(tt.fixture))
			for _, email := range tt.add {
				if _, err := ts.AddMember("0c000000-0000-4000-8000-000000000003", fake.FixtureMember{Email: email}); err != nil {
					t.Fatal(err)
				}
			}
			got, err := MemberEmails(ts.Client(), ts.URL, "admin-token", "0c000000-0000-4000-8000-000000000003")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v; want %v", got, tt.want)
			}
		})
	}
	t.Run("server-error", func(t *testing.T) {
		t.Parallel()
		ts := fake.NewTestServer(t)
		if _, err := ts.InjectFault(fake.FaultRule{Kind: fake.FaultStatus, Status: http.StatusServiceUnavailable}); err != nil {
			t.Fatal(err)
		}
		_, err := MemberEmails(ts.Client(), ts.URL, "acme-admin-token", acmeID)
		if err == nil || err.Error() != "listing members: 503 Service Unavailable" {
			t.Errorf("error %v; want the 503", err)
		}
	})
}
