package fake_test

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// Invitations, users in no team, campaign e-mail jobs and the outbox.

const acmeInvitations = "/api/organizations/" + acmeID + "/invitations/"

// newUser creates a user in no team through the control plane and returns
// its token.
func newUser(t testing.TB, s *apiServer, email, name string) fake.NewUser {
	t.Helper()
	r := s.plain(t, call{method: "POST", path: "/__fake/users", body: map[string]string{"email": email, "name": name}})
	wantStatus(t, r, http.StatusCreated)
	var u fake.NewUser
	r.decode(t, &u)
	if len(u.Token) != 40 || u.Email != email || u.ID == "" {
		t.Fatalf("POST /__fake/users: %s", r.Body)
	}
	return u
}

// outbox reads the outbox through the control plane.
func outbox(t testing.TB, s *apiServer, query string) []fake.OutboxMessage {
	t.Helper()
	r := s.plain(t, call{method: "GET", path: "/__fake/outbox" + query})
	wantStatus(t, r, http.StatusOK)
	var msgs []fake.OutboxMessage
	r.decode(t, &msgs)
	return msgs
}

func invite(t testing.TB, s *apiServer, token string, body any) fake.PendingInvitation {
	t.Helper()
	r := s.do(t, call{method: "POST", path: acmeInvitations, token: token, accept: v2, body: body})
	wantStatus(t, r, http.StatusCreated)
	var inv fake.PendingInvitation
	r.decode(t, &inv)
	return inv
}

// TestOnboarding is issue 11's end-to-end onboarding: an admin invites a new
// hire, who has no account yet; the hire gets one (the control plane), sees
// the invitation with their own token and accepts it, and is then a member
// with the invited role, in the group that held their e-mail as pending.
func TestOnboarding(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)

	inv := invite(t, s, acmeAdmin, map[string]any{"email": "New.Hire@acme.test", "role": 5})
	if inv.Email != "New.Hire@acme.test" || inv.Role != fake.RoleManager || inv.Inviter.Email != "ada@acme.test" ||
		inv.Organization != (fake.InvitationOrganization{ID: acmeID, Name: "Acme Corp"}) {
		t.Fatalf("invitation %+v", inv)
	}
	mail := outbox(t, s, "?to=new.hire@acme.test&kind=invitation")
	if len(mail) != 1 || mail[0].Invitation != inv.ID || mail[0].Organization != acmeID ||
		mail[0].To != "New.Hire@acme.test" || mail[0].Subject != "Ada Admin invited you to join Acme Corp" {
		t.Fatalf("outbox %+v", mail)
	}

	hire := newUser(t, s, "new.hire@acme.test", "New Hire")
	mine := s.do(t, call{method: "GET", path: "/api/invitations/me/", token: hire.Token, accept: v2})
	wantStatus(t, mine, http.StatusOK)
	var listed []fake.PendingInvitation
	mine.decode(t, &listed)
	if len(listed) != 1 || listed[0] != inv {
		t.Fatalf("GET /api/invitations/me/: %s", mine.Body)
	}
	// Someone else may not answer it: for them it does not exist.
	wantStatus(t, s.do(t, call{method: "POST", path: "/api/invitations/" + inv.ID + "/accept/", token: acmeMember, accept: v2}), http.StatusNotFound)

	accepted := s.do(t, call{method: "POST", path: "/api/invitations/" + inv.ID + "/accept/", token: hire.Token, accept: v2})
	wantStatus(t, accepted, http.StatusCreated)

	members := s.do(t, call{method: "GET", path: "/api/organizations/" + acmeID + "/memberships/?q=new.hire", token: acmeAdmin, accept: v2})
	var ms []fake.Membership
	members.decode(t, &ms)
	if len(ms) != 1 || ms[0].User.ID != hire.ID || ms[0].Role != fake.RoleManager ||
		!slices.Equal(ms[0].Groups, []fake.GroupRef{{ID: supportGroupID, Name: "Support Agents"}}) {
		t.Fatalf("the new member: %s", members.Body)
	}
	var campaignMembers []fake.CampaignMember
	s.do(t, call{method: "GET", path: "/api/organizations/" + acmeID + "/campaigns/" + q1CampaignID + "/members/", token: acmeAdmin, accept: v2}).decode(t, &campaignMembers)
	for _, cm := range campaignMembers {
		if cm.Email == "new.hire@acme.test" && (cm.Account == nil || cm.Account.ID != hire.ID) {
			t.Errorf("the campaign place of new.hire has account %+v, want the new member", cm.Account)
		}
	}
	for _, path := range []string{"/api/invitations/me/", acmeInvitations} {
		token := hire.Token // a manager now: they may list the team's invitations too
		if r := s.do(t, call{method: "GET", path: path, token: token, accept: v2}); string(r.Body) != "[]" {
			t.Errorf("GET %s after accepting: %s", path, r.Body)
		}
	}
	// The audit trail (the listing endpoint is another branch's; see AuditTrailForTest).
	want := []string{
		"invitation.created ada@acme.test New.Hire@acme.test",
		"invitation.accepted new.hire@acme.test new.hire@acme.test",
	}
	if got := fake.AuditTrailForTest(s.Server, acmeID); !slices.Equal(got, want) {
		t.Errorf("audit trail %q, want %q", got, want)
	}
}

func TestInvitationRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		token  string
		path   string
		body   any
		status int
		want   string // the body, when given
	}{
		{"member", acmeAdmin, acmeInvitations, map[string]any{"email": "MEL@acme.test"}, 400, `{"email":["This user is already a member of the team."]}`},
		{"already-invited", acmeAdmin, acmeInvitations, map[string]any{"email": "pending@ACME.test"}, 400, `{"email":["This email has already been invited to the team."]}`},
		{"twice-in-a-list", acmeAdmin, acmeInvitations, []map[string]any{{"email": "a@x.test"}, {"email": "A@x.test"}}, 400, `[{},{"email":["This email has already been invited to the team."]}]`},
		{"list-bad-email", acmeAdmin, acmeInvitations, []map[string]any{{"email": "b@x.test"}, {"email": "nope"}}, 400, `[{},{"email":["Enter a valid email address."]}]`},
		{"bad-email", acmeAdmin, acmeInvitations, map[string]any{"email": "nope@"}, 400, `{"email":["Enter a valid email address."]}`},
		{"no-email", acmeAdmin, acmeInvitations, map[string]any{"role": 1}, 400, `{"email":["This field is required."]}`},
		{"bad-role", acmeAdmin, acmeInvitations, map[string]any{"email": "c@x.test", "role": 9}, 400, `{"role":["\"9\" is not a valid choice."]}`},
		{"float-role", acmeAdmin, acmeInvitations, `{"email": "c@x.test", "role": 2.0}`, 400, `{"role":["\"2.0\" is not a valid choice."]}`},
		{"list-float-role", acmeAdmin, acmeInvitations, `[{"email": "c@x.test"}, {"email": "e@x.test", "role": 2.0}]`, 400, `[{},{"role":["\"2.0\" is not a valid choice."]}]`},
		{"developer", acmeDeveloper, acmeInvitations, map[string]any{"email": "d@x.test"}, 403, ""},
		{"other-team", globexAdmin, acmeInvitations, map[string]any{"email": "d@x.test"}, 404, ""},
		// Globex has enable_invitations off in the default fixture.
		{"invitations-off", samToken, "/api/organizations/" + globexID + "/invitations/", map[string]any{"email": "d@x.test"}, 403, `{"detail":"Invitations are disabled for this team."}`},
		{"list-developer", acmeDeveloper, acmeInvitations, nil, 403, ""},
		{"list-other-team", globexAdmin, acmeInvitations, nil, 404, ""},
		{"revoke-unknown", acmeAdmin, acmeInvitations + "0a000000-0000-4000-8000-0000000000ff/", nil, 404, ""},
		{"accept-unknown", acmeAdmin, "/api/invitations/0a000000-0000-4000-8000-0000000000ff/accept/", nil, 404, ""},
		{"reject-anonymous", "", "/api/invitations/0a000000-0000-4000-8000-0000000000ff/reject/", nil, 401, ""},
		{"me-anonymous", "", "/api/invitations/me/", nil, 401, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			invite(t, s, acmeManager, map[string]any{"email": "pending@acme.test"})
			method := "POST"
			switch {
			case tc.body == nil && strings.HasSuffix(tc.path, "ff/"):
				method = "DELETE"
			case tc.body == nil && !strings.Contains(tc.path, "/accept/") && !strings.Contains(tc.path, "/reject/"):
				method = "GET"
			}
			r := s.do(t, call{method: method, path: tc.path, token: tc.token, accept: v2, body: tc.body})
			wantStatus(t, r, tc.status)
			if tc.want != "" {
				wantJSON(t, r, tc.want)
			}
			if len(outbox(t, s, "")) != 1 {
				t.Errorf("a refused write sent mail: %+v", outbox(t, s, ""))
			}
		})
	}
}

// TestInvitationAnswers: revoking, rejecting and accepting end an
// invitation; each is audited; a list body invites several.
func TestInvitationAnswers(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	r := s.do(t, call{method: "POST", path: acmeInvitations, token: acmeAdmin, accept: v2,
		body: []map[string]any{{"email": "one@x.test", "role": 3}, {"email": "two@x.test"}, {"email": "three@x.test"}}})
	wantStatus(t, r, http.StatusCreated)
	var invs []fake.PendingInvitation
	r.decode(t, &invs)
	if len(invs) != 3 || invs[1].Role != fake.RoleRestricted { // Acme's default role
		t.Fatalf("invited %s", r.Body)
	}
	page := s.do(t, call{method: "GET", path: acmeInvitations + "?page_size=2", token: acmeManager, accept: v2})
	if page.Header.Get("X-Total-Count") != "3" || !strings.Contains(page.Header.Get("Link"), `rel="next"`) {
		t.Errorf("page 1: headers %v", page.Header)
	}

	wantStatus(t, s.do(t, call{method: "DELETE", path: acmeInvitations + invs[0].ID + "/", token: acmeManager}), http.StatusNoContent)
	wantStatus(t, s.do(t, call{method: "DELETE", path: acmeInvitations + invs[0].ID + "/", token: acmeManager}), http.StatusNotFound)
	one := newUser(t, s, "one@x.test", "")
	wantStatus(t, s.do(t, call{method: "POST", path: "/api/invitations/" + invs[0].ID + "/accept/", token: one.Token, accept: v2}), http.StatusNotFound)

	two := newUser(t, s, "TWO@x.test", "Two")
	rejected := s.do(t, call{method: "POST", path: "/api/invitations/" + invs[1].ID + "/reject/", token: two.Token, accept: v2, body: map[string]any{"email": "two@x.test"}})
	wantStatus(t, rejected, http.StatusCreated)
	wantStatus(t, s.do(t, call{method: "POST", path: "/api/invitations/" + invs[1].ID + "/accept/", token: two.Token, accept: v2}), http.StatusNotFound)
	if r := s.do(t, call{method: "GET", path: "/api/me/", token: two.Token}); strings.Contains(string(r.Body), acmeID) {
		t.Errorf("the one who rejected is in the team: %s", r.Body)
	}
	var left []fake.PendingInvitation
	s.do(t, call{method: "GET", path: acmeInvitations, token: acmeAdmin, accept: v2}).decode(t, &left)
	if len(left) != 1 || left[0].ID != invs[2].ID {
		t.Errorf("pending after revoke and reject: %+v", left)
	}
	want := []string{
		"invitation.created ada@acme.test one@x.test",
		"invitation.created ada@acme.test two@x.test",
		"invitation.created ada@acme.test three@x.test",
		"invitation.revoked max@acme.test one@x.test",
		"invitation.rejected TWO@x.test TWO@x.test",
	}
	if got := fake.AuditTrailForTest(s.Server, acmeID); !slices.Equal(got, want) {
		t.Errorf("audit trail %q, want %q", got, want)
	}
}

// TestCampaignEmailJobs: registration invitations go to the campaign's
// e-mails with no account in the team, reminders to its members who never
// were active; every e-mail is in the outbox.
func TestCampaignEmailJobs(t *testing.T) {
	t.Parallel()
	jobs := "/api/campaigns/" + q1CampaignID + "/emails/jobs/"
	cases := []struct {
		name       string
		token      string
		path       string
		body       any
		status     int
		recipients []string
		kind       string
	}{
		// Q1 Rollout holds mel@acme.test (a member) and new.hire@acme.test (no account).
		{"registration", acmeManager, jobs, map[string]string{"type": "registration"}, 201, []string{"new.hire@acme.test"}, fake.OutboxCampaignRegistration},
		{"reminder", acmeAdmin, jobs, map[string]string{"type": "reminder"}, 201, []string{"mel@acme.test"}, fake.OutboxCampaignReminder},
		{"form-body", acmeAdmin, jobs, "type=reminder", 201, []string{"mel@acme.test"}, fake.OutboxCampaignReminder},
		{"no-type", acmeAdmin, jobs, map[string]string{}, 400, nil, ""},
		{"bad-type", acmeAdmin, jobs, map[string]string{"type": "spam"}, 400, nil, ""},
		{"developer", acmeDeveloper, jobs, map[string]string{"type": "reminder"}, 403, nil, ""},
		{"other-team", globexAdmin, jobs, map[string]string{"type": "reminder"}, 404, nil, ""},
		{"unknown-campaign", acmeAdmin, "/api/campaigns/0a000000-0000-4000-8000-0000000000ff/emails/jobs/", map[string]string{"type": "reminder"}, 404, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			c := call{method: "POST", path: tc.path, token: tc.token, body: tc.body}
			if form, ok := tc.body.(string); ok {
				c.body, c.headers = []byte(form), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
			}
			r := s.do(t, c)
			wantStatus(t, r, tc.status)
			mail := outbox(t, s, "")
			if tc.status != http.StatusCreated {
				if len(mail) != 0 {
					t.Errorf("a refused job sent %+v", mail)
				}
				return
			}
			var job fake.CampaignEmailJob
			r.decode(t, &job)
			if job.Campaign != q1CampaignID || !slices.Equal(job.Recipients, tc.recipients) {
				t.Errorf("job %s", r.Body)
			}
			var to []string
			for _, m := range mail {
				if m.Kind != tc.kind || m.Campaign != q1CampaignID || m.Organization != acmeID {
					t.Errorf("message %+v", m)
				}
				to = append(to, m.To)
			}
			if !slices.Equal(to, tc.recipients) {
				t.Errorf("outbox to %v, want %v", to, tc.recipients)
			}
			if got := fake.AuditTrailForTest(s.Server, acmeID); len(got) != 1 || !strings.HasPrefix(got[0], "campaign.email_job_queued ") {
				t.Errorf("audit trail %q", got)
			}
		})
	}
}

// TestOutbox: the outbox filters, clears, keeps its newest messages, and is
// the same through the control plane and Go.
func TestOutbox(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, fake.WithOutboxSize(2))
	for _, email := range []string{"a@x.test", "b@x.test", "c@x.test"} {
		invite(t, s, acmeAdmin, map[string]any{"email": email})
	}
	var to []string
	for _, m := range outbox(t, s, "") {
		to = append(to, m.To)
	}
	if !slices.Equal(to, []string{"b@x.test", "c@x.test"}) {
		t.Errorf("a 2-message outbox holds %v", to)
	}
	if got := s.Server.Outbox(fake.OutboxFilter{To: "C@X.TEST"}); len(got) != 1 || got[0].To != "c@x.test" {
		t.Errorf("Outbox(to C@X.TEST) = %+v", got)
	}
	if got := outbox(t, s, "?kind=campaign_reminder"); len(got) != 0 {
		t.Errorf("no reminders were sent: %+v", got)
	}
	r := s.plain(t, call{method: "GET", path: "/__fake/outbox?kind=spam"})
	wantStatus(t, r, http.StatusBadRequest)
	wantStatus(t, s.plain(t, call{method: "DELETE", path: "/__fake/outbox"}), http.StatusNoContent)
	if got := s.Server.Outbox(fake.OutboxFilter{}); len(got) != 0 {
		t.Errorf("after DELETE: %+v", got)
	}
}

func TestAddUser(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		body   any
		status int
		want   string
	}{
		{"existing", map[string]string{"email": "ADA@acme.test"}, 400, `{"email":["A user with the email ADA@acme.test already exists."]}`},
		{"bad-email", map[string]string{"email": "nope"}, 400, `{"email":["Enter a valid email address."]}`},
		{"no-email", map[string]string{"name": "X"}, 400, `{"email":["This field is required."]}`},
		{"unknown-field", map[string]string{"email": "x@x.test", "role": "admin"}, 400, `{"role":["Unknown field."]}`},
		{"list", []string{}, 400, `{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			r := s.plain(t, call{method: "POST", path: "/__fake/users", body: tc.body})
			wantStatus(t, r, tc.status)
			wantJSON(t, r, tc.want)
		})
	}
	t.Run("go-and-control-plane", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		u, token, err := s.Server.AddUser("solo@x.test", "")
		if err != nil || u.Name == "" || len(token) != 40 {
			t.Fatalf("AddUser: %+v %q %v", u, token, err)
		}
		if _, _, err := s.Server.AddUser("SOLO@x.test", "Again"); err == nil {
			t.Error("AddUser of an existing email succeeded")
		}
		me := s.do(t, call{method: "GET", path: "/api/me/", token: token})
		var body struct {
			ID    string `json:"id"`
			Email string `json:"email"`
		}
		me.decode(t, &body)
		if body.ID != u.ID || body.Email != "solo@x.test" {
			t.Errorf("GET /api/me/ with the new token: %s", me.Body)
		}
		other := newUser(t, s, "other@x.test", "Other")
		if other.Token == token || other.Name != "Other" {
			t.Errorf("second user %+v", other)
		}
		// Both are users in no team in the state.
		var state fake.Fixture
		s.plain(t, call{method: "GET", path: "/__fake/state"}).decode(t, &state)
		var emails []string
		for _, fu := range state.Users {
			emails = append(emails, fu.Email)
		}
		if !slices.Contains(emails, "solo@x.test") || !slices.Contains(emails, "other@x.test") {
			t.Errorf("state users %v", emails)
		}
	})
}

// inviteEverything makes one write of each kind of this file.
func inviteEverything(t testing.TB, s *apiServer) {
	t.Helper()
	var invs []fake.PendingInvitation
	writeOK(t, s, "POST", acmeInvitations, `[{"email": "new.hire@acme.test", "role": 1}, {"email": "x@x.test"}, {"email": "y@y.test"}]`).decode(t, &invs)
	hire := newUser(t, s, "new.hire@acme.test", "New Hire")
	writeOK(t, s, "POST", "/api/campaigns/"+q1CampaignID+"/emails/jobs/", map[string]string{"type": "registration"})
	if r := s.do(t, call{method: "POST", path: "/api/invitations/" + invs[0].ID + "/accept/", token: hire.Token}); r.Status != http.StatusCreated {
		t.Fatalf("accept: %d %s", r.Status, r.Body)
	}
	writeOK(t, s, "DELETE", acmeInvitations+invs[1].ID+"/", nil)
	if _, err := s.Server.Invite(globexID, fake.FixtureInvitation{Email: "z@z.test", Role: fake.RoleDeveloper}); err != nil {
		t.Fatal(err)
	}
}

// TestInvitationsState: invitations, users in no team and the outbox are in
// the state, which PUT /__fake/state and LoadState take back byte for byte,
// and which a state file keeps through a crash.
func TestInvitationsState(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	inviteEverything(t, s)
	first := s.plain(t, call{method: "GET", path: "/__fake/state"})
	var state fake.Fixture
	first.decode(t, &state)
	if len(state.Outbox) != 5 || len(state.Organizations[0].Invitations) != 1 || len(state.Organizations[1].Invitations) != 1 {
		t.Fatalf("state: outbox %d, invitations %d/%d", len(state.Outbox), len(state.Organizations[0].Invitations), len(state.Organizations[1].Invitations))
	}
	wantStatus(t, s.plain(t, call{method: "PUT", path: "/__fake/state", body: first.Body}), http.StatusNoContent)
	if again := s.plain(t, call{method: "GET", path: "/__fake/state"}); string(again.Body) != string(first.Body) {
		t.Errorf("state after PUT:\n%s\nwant:\n%s", again.Body, first.Body)
	}
	// YAML too, the fixture format.
	yamlState := s.plain(t, call{method: "GET", path: "/__fake/state", accept: "application/yaml"})
	f, err := fake.ParseFixture(yamlState.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Server.LoadState(*f); err != nil {
		t.Fatal(err)
	}
	if again := s.plain(t, call{method: "GET", path: "/__fake/state"}); string(again.Body) != string(first.Body) {
		t.Errorf("state after the YAML round trip:\n%s\nwant:\n%s", again.Body, first.Body)
	}
	// Reset goes back to the fixture's (empty) outbox and invitations.
	s.Server.Reset()
	if got := s.Server.Outbox(fake.OutboxFilter{}); len(got) != 0 {
		t.Errorf("outbox after reset: %+v", got)
	}
}

func TestInvitationsStateFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state")
	first := newDurableServer(t, path)
	inviteEverything(t, first)
	if err := first.Server.ClearOutbox(); err != nil {
		t.Fatal(err)
	}
	invite(t, first, acmeAdmin, map[string]any{"email": "after@x.test"})
	want := observe(t, first)
	wantMail, _ := json.Marshal(first.Server.Outbox(fake.OutboxFilter{}))

	second := newDurableServer(t, path) // the first is left as a crash leaves it
	sameObservations(t, observe(t, second), want)
	if got, _ := json.Marshal(second.Server.Outbox(fake.OutboxFilter{})); string(got) != string(wantMail) {
		t.Errorf("outbox after restart %s, want %s", got, wantMail)
	}
	invs, err := second.Server.Invitations(acmeID)
	if err != nil || len(invs) != 2 {
		t.Errorf("Invitations after restart: %+v %v", invs, err)
	}
}

// TestInvitationFixture: a fixture lists invitations (inviter by e-mail,
// the team's first admin when absent) and outbox messages; bad ones are
// refused with their place.
func TestInvitationFixture(t *testing.T) {
	t.Parallel()
	good := `
organizations:
  - name: Acme
    id: 0a000000-0000-4000-8000-000000000001
    members:
      - {email: ada@acme.test, role: admin}
      - {email: max@acme.test, role: manager}
    invitations:
      - {email: new@acme.test, role: developer}
      - {email: other@x.test, inviter: max@acme.test, id: 0a000000-0000-4000-8000-0000000000e1, created_at: 2025-01-02T03:04:05Z}
outbox:
  - {kind: invitation, to: new@acme.test, subject: Hello, organization: 0a000000-0000-4000-8000-000000000001}
`
	f, err := fake.ParseFixture([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	s := newAPIServer(t, fake.WithFixtures(*f))
	invs, err := s.Server.Invitations(acmeID)
	if err != nil || len(invs) != 2 || invs[0].Inviter.Email != "ada@acme.test" || invs[0].Role != fake.RoleDeveloper ||
		invs[1].Inviter.Email != "max@acme.test" || invs[1].ID != "0a000000-0000-4000-8000-0000000000e1" {
		t.Fatalf("invitations %+v %v", invs, err)
	}
	if mail := s.Server.Outbox(fake.OutboxFilter{}); len(mail) != 1 || mail[0].ID == "" || mail[0].Subject != "Hello" {
		t.Errorf("outbox %+v", mail)
	}
	for _, tc := range []struct{ name, fixture, want string }{
		{"member", `{organizations: [{name: A, members: [{email: a@a.test, role: admin}], invitations: [{email: A@a.test}]}]}`, "invitations[0] (A@a.test): A@a.test is a member of the team already"},
		{"twice", `{organizations: [{name: A, members: [{email: a@a.test, role: admin}], invitations: [{email: b@a.test}, {email: B@a.test}]}]}`, "B@a.test is invited twice"},
		{"no-admin", `{organizations: [{name: A, invitations: [{email: b@a.test}]}]}`, "the team has no admin to be the inviter"},
		{"unknown-inviter", `{organizations: [{name: A, invitations: [{email: b@a.test, inviter: who@a.test}]}]}`, "inviter who@a.test is no user"},
		{"outbox-kind", `{organizations: [], outbox: [{kind: spam, to: a@a.test}]}`, `outbox[0]: kind "spam" is not one of`},
	} {
		f, err := fake.ParseFixture([]byte(tc.fixture))
		if err == nil {
			_, err = fake.New(fake.WithFixtures(*f))
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to hold %q", tc.name, err, tc.want)
		}
	}
}
