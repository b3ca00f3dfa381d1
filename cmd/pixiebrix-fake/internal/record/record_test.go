package record_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/pixiebrix-fake/pixiebrix-fake/cmd/pixiebrix-fake/internal/apiclient"
	"github.com/pixiebrix-fake/pixiebrix-fake/cmd/pixiebrix-fake/internal/check"
	"github.com/pixiebrix-fake/pixiebrix-fake/cmd/pixiebrix-fake/internal/record"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func client(t testing.TB, ts *fake.TestServer, token string) *apiclient.Client {
	t.Helper()
	c, err := apiclient.New(ts.URL, token, ts.Client())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// recordAndServe records live with token and serves the recording.
func recordAndServe(t testing.TB, live *fake.TestServer, token string, opts record.Options, serverOpts ...fake.Option) (*fake.TestServer, record.Result, []byte) {
	t.Helper()
	var out bytes.Buffer
	res, err := record.Record(context.Background(), client(t, live, token), &out, opts)
	if err != nil {
		t.Fatalf("Record: %v", err)
	}
	f, err := fake.ParseFixture(out.Bytes())
	if err != nil {
		t.Fatalf("the recording does not parse: %v\n%.3000s", err, out.String())
	}
	replay := fake.NewTestServer(t, append([]fake.Option{fake.WithFixtures(*f)}, serverOpts...)...)
	return replay, res, out.Bytes()
}

type answer struct {
	status                        int
	contentType, totalCount, link string
	body                          string
}

func get(t testing.TB, ts *fake.TestServer, token, path, version string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Token "+token)
	req.Header.Set("Accept", "application/json; version="+version)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{
		status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"),
		totalCount: resp.Header.Get("X-Total-Count"),
		link:       strings.ReplaceAll(resp.Header.Get("Link"), ts.URL, "BASE"),
		body:       string(body),
	}
}

// sameReads asserts that every read operation the live token reaches
// answers the same bytes on the replay, at every version, and page by page
// at 2.0.
func sameReads(t *testing.T, live, replay *fake.TestServer, liveToken, replayToken string, perList int) int {
	t.Helper()
	reads, err := check.ReadOperations(context.Background(), client(t, live, liveToken), perList)
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, r := range reads {
		paths := []string{r.Path}
		if r.List {
			paths = append(paths, r.Path+"?page_size=7", r.Path+"?page_size=7&page=2", r.Path+"?page=last&page_size=7")
		}
		for _, v := range check.Versions {
			for _, p := range paths {
				want, got := get(t, live, liveToken, p, v), get(t, replay, replayToken, p, v)
				if r.Operation == "retrieveAuthToken" { // the recording's token is a new one, by design
					want.body = strings.ReplaceAll(want.body, liveToken, replayToken)
				}
				compared++
				if want != got {
					t.Errorf("%s %s @%s differs after the round trip:\n live:   %d %s %s %s\n%.1500s\n replay: %d %s %s %s\n%.1500s",
						r.Operation, p, v, want.status, want.contentType, want.totalCount, want.link, want.body,
						got.status, got.contentType, got.totalCount, got.link, got.body)
					return compared
				}
			}
		}
	}
	return compared
}

func TestRecordReplaysTheDefaultDataByteForByte(t *testing.T) {
	live := fake.NewTestServer(t)
	// sam is in two teams: a member of Acme (his primary team), a manager
	// of Globex.
	for _, token := range []string{"acme-admin-token", "globex-admin-token", "acme-member-token", "sam-token"} {
		t.Run(token, func(t *testing.T) {
			replay, res, _ := recordAndServe(t, live, token, record.Options{})
			if len(res.Tokens) == 0 {
				t.Fatal("no tokens")
			}
			n := sameReads(t, live, replay, token, res.Tokens[0].Token, 0)
			if n < 20 {
				t.Errorf("compared %d answers only", n)
			}
			// Every generated token works on the replay, for its own account.
			for _, tok := range res.Tokens {
				a := get(t, replay, tok.Token, "/api/me/", "1.0")
				if a.status != 200 || !strings.Contains(a.body, `"email":"`+tok.Email+`"`) {
					t.Errorf("token of %s: %d %s", tok.Email, a.status, a.body)
				}
			}
		})
	}
}

// settingsFixture sets every team setting and every user and member flag
// away from its default, for a caller in two teams: admin of Initech (its
// primary team), member of Umbrella.
const settingsFixture = `
organizations:
  - id: 0c000000-0000-4000-8000-000000000003
    name: Initech
    scope: "@initech"
    verified_domains: [initech.test]
    is_enterprise: true
    enforce_update_millis: 3600000
    session_idle_timeout_minutes: 30
    trial_end_timestamp: 2027-03-04T05:06:07Z
    enable_invitations: false
    ai_default_chat_copilot: false
    theme: {show_sidebar_logo: false, logo: "https://cdn.initech.test/logo.svg", fab_logo: "https://cdn.initech.test/fab.svg", whitelabel_theme_name: initech-dark}
    control_room: {id: 0c000000-0000-4000-8000-0000000000cc, url: "https://cr.initech.test"}
    members:
      - {email: bill@initech.test, name: Bill Lumbergh, role: admin, token: bill-token, is_deployment_manager: true, is_onboarded: false, test_account: true, user_scope: "@lumbergh-scope"}
      - {email: milton@initech.test, name: Milton, role: member, is_deployment_manager: true, test_account: true, user_scope: "@milton"}
    groups:
      - {name: Staplers, members: [milton@initech.test, later@initech.test]}
  - id: 0d000000-0000-4000-8000-000000000004
    name: Umbrella
    is_enterprise: true
    theme: {toolbar_icon: "https://cdn.umbrella.test/icon.svg"}
    control_room: {url: "https://cr.umbrella.test"}
    session_idle_timeout_minutes: 60
    members:
      - {email: alice@umbrella.test, role: admin, token: alice-token}
      - {email: bill@initech.test, role: member}
`

// A recording holds every setting and flag the caller's token can see:
// the teams' settings from the teams, the primary team's is_enterprise and
// theme and every team's control_room from Me, and the caller's own flags
// and per-team is_deployment_manager from Me; what the caller sees of the
// replay is the same, byte for byte.
func TestRecordReplaysTheSettingsAndFlagsTheCallerSees(t *testing.T) {
	f, err := fake.ParseFixture([]byte(settingsFixture))
	if err != nil {
		t.Fatal(err)
	}
	live := fake.NewTestServer(t, fake.WithFixtures(*f))
	for _, anonymize := range []bool{false, true} {
		t.Run(fmt.Sprintf("anonymize=%v", anonymize), func(t *testing.T) {
			replay, res, out := recordAndServe(t, live, "bill-token", record.Options{Anonymize: anonymize, Seed: 3})
			me := get(t, replay, res.Tokens[0].Token, "/api/me/", "1.1").body
			for _, want := range []string{`"is_enterprise":true`, `"whitelabel_theme_name":"initech-dark"`, `"url":"https://cr.umbrella.test"`,
				`"is_deployment_manager":true`, `"is_onboarded":false`, `"test_account":true`, `"enforce_update_millis":3600000`} {
				if !strings.Contains(me, want) {
					t.Errorf("the replay's Me lacks %s: %s", want, me)
				}
			}
			if anonymize {
				if strings.Contains(string(out), "lumbergh") {
					t.Errorf("the anonymized recording holds the caller's scope:\n%s", out)
				}
				if !strings.Contains(me, `"scope":"@`) {
					t.Errorf("the anonymized caller lost its scope: %s", me)
				}
				return
			}
			if n := sameReads(t, live, replay, "bill-token", res.Tokens[0].Token, 0); n < 20 {
				t.Errorf("compared %d answers only", n)
			}
		})
	}
}

func TestRecordReplaysAGeneratedTeamOf10000(t *testing.T) {
	if testing.Short() {
		t.Skip("a 10,000-member team")
	}
	live := fake.NewTestServer(t, fake.WithFixtures(fake.Fixture{Organizations: []fake.FixtureOrganization{{
		Name: "Initech", VerifiedDomains: []string{"initech.test"},
		Generate: &fake.FixtureGenerate{Members: 10_000, Groups: 6, Campaigns: 6},
		Members:  []fake.FixtureMember{{Email: "bill@initech.test", Name: "Bill", Role: fake.RoleAdmin, Token: "bill-token"}},
		Groups:   []fake.FixtureGroup{{Name: "Waiting", Members: []fake.FixtureGroupMember{{Email: "later@initech.test"}, {Email: "bill@initech.test"}}}},
	}}}), fake.WithResponseValidation(false))
	// Strict mode off on both sides: validating every 10,000-member body
	// is the harness's job elsewhere, and slow under -race.
	replay, res, _ := recordAndServe(t, live, "bill-token", record.Options{}, fake.WithResponseValidation(false))
	if res.Members != 10_001 || res.Users != 10_001 || len(res.Tokens) != 10_001 {
		t.Errorf("recorded %d members, %d accounts, %d tokens; want 10001 each", res.Members, res.Users, len(res.Tokens))
	}
	sameReads(t, live, replay, "bill-token", res.Tokens[0].Token, 10)
}

func TestRecordAnonymizedKeepsNoOriginalNameOrEmail(t *testing.T) {
	live := fake.NewTestServer(t)
	replay, res, out := recordAndServe(t, live, "acme-admin-token", record.Options{Anonymize: true, Seed: 7})
	text := strings.ToLower(string(out))
	var originals []string
	ms, err := live.Memberships("0a000000-0000-4000-8000-000000000001")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		originals = append(originals, m.User.Email, m.User.Name)
	}
	originals = append(originals, "new.hire@acme.test")
	for _, o := range originals {
		if strings.Contains(text, strings.ToLower(o)) {
			t.Errorf("the anonymized recording holds %q", o)
		}
	}
	// Same structure, and the same person is one fake person everywhere.
	var again bytes.Buffer
	if _, err := record.Record(context.Background(), client(t, live, "acme-admin-token"), &again, record.Options{Anonymize: true, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	if stripTokens(again.String()) != stripTokens(string(out)) {
		t.Error("two anonymized recordings with one seed differ")
	}
	got, err := replay.Memberships("0a000000-0000-4000-8000-000000000001")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ms) {
		t.Errorf("replay has %d members, live %d", len(got), len(ms))
	}
	for i := range got {
		if got[i].ID != ms[i].ID || got[i].Role != ms[i].Role || got[i].User.ID != ms[i].User.ID {
			t.Errorf("member %d: %+v, live %+v", i, got[i], ms[i])
		}
	}
	groups, _ := replay.Groups("0a000000-0000-4000-8000-000000000001")
	members, _ := replay.GroupMembers(groups[1].ID) // Support Agents
	if len(members) != 4 || members[3].User != nil || !strings.HasSuffix(members[3].Email, "@acme.test") {
		t.Errorf("the pending member did not survive: %+v", members)
	}
	if a := get(t, replay, res.Tokens[0].Token, "/api/me/", "1.0"); a.status != 200 {
		t.Errorf("caller's token: %d", a.status)
	}
}

func stripTokens(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, `token: "`); i >= 0 {
			line = line[:i]
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

func TestRecordErrors(t *testing.T) {
	live := fake.NewTestServer(t)
	for name, tc := range map[string]struct {
		url, token, want string
	}{
		"bad token": {live.URL, "nope", "401 (the server refused the token"},
		"wrong URL": {live.URL + "/v9", "acme-admin-token", "404 (not found: is --url the API's base URL?)"},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := apiclient.New(tc.url, tc.token, live.Client())
			if err != nil {
				t.Fatal(err)
			}
			_, err = record.Record(context.Background(), c, io.Discard, record.Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), tc.token) && tc.token != "acme-admin-token" || strings.Contains(err.Error(), "acme-admin-token") {
				t.Errorf("the error holds the token: %v", err)
			}
		})
	}
}

// A field the fixture format cannot hold is named on the progress writer
// and left out, and the recording still loads.
func TestRecordNamesFieldsAFixtureCannotHold(t *testing.T) {
	live := fake.NewTestServer(t, fake.WithResponseValidation(false))
	if _, err := live.InjectFault(fake.FaultRule{Method: "GET", Path: "/api/organizations/{organization_pk}/groups/", Kind: fake.FaultStatus, Status: 200,
		Body: `[{"id":"0a000000-0000-4000-8000-00000000a002","name":"Sales","num_members":2,"created_at":"2025-01-01T00:00:00Z","colour":"blue"}]`}); err != nil {
		t.Fatal(err)
	}
	var out, progress bytes.Buffer
	if _, err := record.Record(context.Background(), client(t, live, "acme-admin-token"), &out, record.Options{Progress: &progress}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(progress.String(), `record: a group's "colour" is not something a fixture holds; not recorded`) {
		t.Errorf("progress:\n%s", progress.String())
	}
	if strings.Contains(out.String(), "colour") {
		t.Error("the unknown field is in the fixture")
	}
	if _, err := fake.ParseFixture(out.Bytes()); err != nil {
		t.Error(err)
	}
}

// TestRecordKeepsTheCallersPreferences: the caller's milestones and
// extension settings are recorded on its user entry and served back.
func TestRecordKeepsTheCallersPreferences(t *testing.T) {
	live := fake.NewTestServer(t, fake.WithFixtures(fake.Fixture{Organizations: []fake.FixtureOrganization{{
		Name: "Prefs",
		Members: []fake.FixtureMember{{Email: "pat@prefs.test", Role: fake.RoleAdmin, Token: "pat-token",
			ExtensionSettings: &fake.ExtensionSettingsChange{TextSelectionMenuSiteDenylist: &[]string{"a.test"}},
			Milestones:        []fake.Milestone{{Key: "welcome", Metadata: map[string]any{"n": 1.5}}, {Key: "tour"}}}},
	}}}))
	replay, res, _ := recordAndServe(t, live, "pat-token", record.Options{})
	if n := sameReads(t, live, replay, "pat-token", res.Tokens[0].Token, 0); n < 20 {
		t.Errorf("compared %d answers only", n)
	}
	a := get(t, replay, res.Tokens[0].Token, "/api/me/milestones/", "1.0")
	if a.body != `[{"key":"welcome","metadata":{"n":1.5}},{"key":"tour","metadata":null}]` {
		t.Errorf("replayed milestones %s", a.body)
	}
}

// TestRecordKeepsInvitations: a team's pending invitations are recorded
// (with their inviter, whose account the recording holds) and served again.
func TestRecordKeepsInvitations(t *testing.T) {
	t.Parallel()
	live := fake.NewTestServer(t)
	inv, err := live.Invite("0a000000-0000-4000-8000-000000000001", fake.FixtureInvitation{Email: "hire@else.test", Role: fake.RoleDeveloper, Inviter: "max@acme.test"})
	if err != nil {
		t.Fatal(err)
	}
	replay, _, out := recordAndServe(t, live, "acme-admin-token", record.Options{})
	if !bytes.Contains(out, []byte("    invitations:\n")) {
		t.Fatalf("no invitations in the recording:\n%.3000s", out)
	}
	got, err := replay.Invitations("0a000000-0000-4000-8000-000000000001")
	if err != nil || len(got) != 1 || got[0].ID != inv.ID || got[0].Role != fake.RoleDeveloper || got[0].Inviter.Email != "max@acme.test" {
		t.Errorf("invitations served from the recording: %+v %v", got, err)
	}
}
