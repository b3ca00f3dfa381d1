package fake_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// A team's life through the API: created by any user, changed and deleted
// by its admins, and gone with everything in it.

const globexPath = "/api/organizations/" + globexID + "/"

// roleCase is one caller of an operation on one path, and its answer
// (body "" when only the status is checked).
type roleCase struct {
	name   string
	token  string
	path   string
	status int
	body   string
}

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

// fieldKeys are the fields a 400's body names.
func fieldKeys(t testing.TB, r *response) []string {
	t.Helper()
	var fields map[string]any
	r.decode(t, &fields)
	return slices.Sorted(func(yield func(string) bool) {
		for k := range fields {
			if !yield(k) {
				return
			}
		}
	})
}

func TestCreateOrganization(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		call call
		want string // the new team, but for its id and its one member
	}{
		{"json/defaults", call{method: "POST", path: "/api/organizations/", token: acmeMember, body: map[string]any{"name": "  New Team  "}},
			`{"name":"New Team","scope":null,"default_role":4,"enforce_update_millis":null,"session_idle_timeout_minutes":1440,
			  "trial_end_timestamp":null,"enable_invitations":true,"ai_default_chat_copilot":true}`},
		{"json/every-field", call{method: "POST", path: "/api/organizations/", token: acmeMember, body: map[string]any{
			"name": "Full Team", "scope": "@full", "default_role": 1, "partner": "automation-anywhere", "enforce_update_millis": 0,
			"session_idle_timeout_minutes": 60, "trial_end_timestamp": "2026-06-30T12:00:00+02:00", "ai_default_chat_copilot": false}},
			`{"name":"Full Team","scope":"@full","default_role":1,"enforce_update_millis":0,"session_idle_timeout_minutes":60,
			  "trial_end_timestamp":"2026-06-30T10:00:00Z","enable_invitations":true,"ai_default_chat_copilot":false}`},
		{"form", formCall("POST", "/api/organizations/", "name=Form+Team&default_role=5&session_idle_timeout_minutes=30"),
			// An unchecked checkbox sends nothing: DRF reads the boolean as false.
			`{"name":"Form Team","scope":null,"default_role":5,"enforce_update_millis":null,"session_idle_timeout_minutes":30,
			  "trial_end_timestamp":null,"enable_invitations":true,"ai_default_chat_copilot":false}`},
		{"multipart", multipartCall(t, "POST", "/api/organizations/", formPart{name: "name", value: "Multipart Team"}, formPart{name: "scope", value: "@multi"},
			formPart{name: "ai_default_chat_copilot", value: "true"}),
			`{"name":"Multipart Team","scope":"@multi","default_role":4,"enforce_update_millis":null,"session_idle_timeout_minutes":1440,
			  "trial_end_timestamp":null,"enable_invitations":true,"ai_default_chat_copilot":true}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			tc.call.accept = v2
			r := s.do(t, tc.call)
			if r.Status != http.StatusCreated {
				t.Fatalf("status %d %s", r.Status, r.Body)
			}
			var got fake.Organization
			r.decode(t, &got)
			creator := "mel@acme.test"
			if tc.call.token == acmeAdmin {
				creator = "ada@acme.test"
			}
			if !uuidRE.MatchString(got.ID) || len(got.Members) != 1 || got.Members[0].User.Email != creator || got.Members[0].Role != fake.RoleAdmin {
				t.Errorf("new team %s: want a UUID and %s as its only member, an admin", r.Body, creator)
			}
			var rest map[string]any
			r.decode(t, &rest)
			delete(rest, "id")
			delete(rest, "members")
			restJSON, _ := json.Marshal(rest)
			if !sameJSON(t, restJSON, []byte(tc.want)) {
				t.Errorf("new team\n  %s\nwant\n  %s", restJSON, tc.want)
			}
			// The creator sees it at once, with its own token; it is in the
			// creator's teams and in Me.
			assertAPI(t, s.do(t, call{method: "GET", path: "/api/organizations/" + got.ID + "/", token: tc.call.token}), apiWant{status: 200, body: string(r.Body)})
			var me fake.Me
			s.do(t, call{method: "GET", path: "/api/me/", token: tc.call.token}).decode(t, &me)
			if !slices.ContainsFunc(me.OrganizationMemberships, func(m fake.MeOrganizationMembership) bool {
				return m.Organization == got.ID && m.Role == fake.RoleAdmin
			}) {
				t.Errorf("Me %+v does not list the new team as admin", me.OrganizationMemberships)
			}
			// Another team's admin does not see it.
			assertAPI(t, s.do(t, call{method: "GET", path: "/api/organizations/" + got.ID + "/", token: globexAdmin}), apiWant{status: 404, body: notFound})
		})
	}
}

func TestCreateOrganizationRefused(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	tests := []struct {
		name   string
		call   call
		status int
		body   string   // exact, when the words are the fake's
		fields []string // the fields named, when the schema's validator words them
	}{
		{"anonymous", call{body: map[string]string{"name": "X"}}, 401, notAuthenticated, nil},
		{"bad-token", call{token: "nope", body: map[string]string{"name": "X"}}, 401, invalidToken, nil},
		{"name/missing", call{token: acmeMember, body: map[string]any{}}, 400, `{"name":["This field is required."]}`, nil},
		{"name/blank", call{token: acmeMember, body: map[string]string{"name": "   "}}, 400, `{"name":["This field may not be blank."]}`, nil},
		{"name/taken", call{token: acmeMember, body: map[string]string{"name": "Globex"}}, 400, `{"name":["organization with this name already exists."]}`, nil},
		{"name/too-long", call{token: acmeMember, body: map[string]string{"name": strings.Repeat("n", 129)}}, 400, "", []string{"name"}},
		{"scope/taken", call{token: acmeMember, body: map[string]string{"name": "X", "scope": "@acme"}}, 400, `{"scope":["organization with this scope already exists."]}`, nil},
		{"scope/pattern", call{token: acmeMember, body: map[string]string{"name": "X", "scope": "acme"}}, 400, "", []string{"scope"}},
		{"default-role/not-a-role", call{token: acmeMember, body: map[string]any{"name": "X", "default_role": 9}}, 400, "", []string{"default_role"}},
		{"session-idle/zero", call{token: acmeMember, body: map[string]any{"name": "X", "session_idle_timeout_minutes": 0}}, 400, "", []string{"session_idle_timeout_minutes"}},
		{"enforce-update/negative", call{token: acmeMember, body: map[string]any{"name": "X", "enforce_update_millis": -1}}, 400, "", []string{"enforce_update_millis"}},
		{"trial-end/not-a-time", call{token: acmeMember, body: map[string]any{"name": "X", "trial_end_timestamp": "tomorrow"}}, 400, "", []string{"trial_end_timestamp"}},
		{"partner/unknown", call{token: acmeMember, body: map[string]any{"name": "X", "partner": "acme-partner"}}, 400, `{"partner":["Object with theme=acme-partner does not exist."]}`, nil},
		{"several-fields", call{token: acmeMember, body: map[string]any{"name": "Globex", "scope": "@globex"}}, 400,
			`{"name":["organization with this name already exists."],"scope":["organization with this scope already exists."]}`, nil},
	}
	before := s.Server.Teams()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.call.method, tc.call.path = "POST", "/api/organizations/"
			r := s.do(t, tc.call)
			assertAPI(t, r, apiWant{status: tc.status, body: tc.body})
			if tc.fields != nil {
				if got := fieldKeys(t, r); !slices.Equal(got, tc.fields) {
					t.Errorf("fields %v, want %v (%s)", got, tc.fields, r.Body)
				}
			}
		})
	}
	if after := s.Server.Teams(); !reflect.DeepEqual(after, before) {
		t.Errorf("refused creates changed the teams: %d teams, %d before", len(after), len(before))
	}
}

func TestPartialUpdateOrganization(t *testing.T) {
	t.Parallel()
	roles := []struct {
		name   string
		token  string
		path   string
		status int
	}{
		{"admin", globexAdmin, globexPath, 200},
		{"manager", samToken, globexPath, 403},
		{"member", samToken, acmePath, 403},
		{"developer", acmeDeveloper, acmePath, 403},
		{"outsider", acmeAdmin, globexPath, 404},
		{"anonymous", "", globexPath, 401},
		{"unknown-team", globexAdmin, "/api/organizations/0c000000-0000-4000-8000-000000000003/", 404},
	}
	for _, tc := range roles {
		t.Run("role/"+tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			r := s.do(t, call{method: "PATCH", path: tc.path, token: tc.token, accept: v2, body: map[string]string{"name": "Renamed"}})
			assertAPI(t, r, apiWant{status: tc.status})
			team, _ := s.Server.Team(globexID)
			if renamed := team.Name == "Renamed"; renamed != (tc.status == 200) {
				t.Errorf("team named %q after a %d", team.Name, r.Status)
			}
		})
	}

	t.Run("fields", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		steps := []struct {
			name string
			call call
			want map[string]any // fields of the answer, also read back by GET
		}{
			{"every-field", call{body: map[string]any{"name": "Globex Corp", "scope": "@globex-corp", "default_role": 3,
				"enforce_update_millis": 3600000, "session_idle_timeout_minutes": 90, "trial_end_timestamp": "2027-01-01T00:00:00.250Z",
				"ai_default_chat_copilot": false, "partner": "automation-anywhere"}},
				map[string]any{"name": "Globex Corp", "scope": "@globex-corp", "default_role": 3.0, "enforce_update_millis": 3600000.0,
					"session_idle_timeout_minutes": 90.0, "trial_end_timestamp": "2027-01-01T00:00:00.25Z", "ai_default_chat_copilot": false,
					"enable_invitations": false}},
			{"nulls", call{body: map[string]any{"scope": nil, "enforce_update_millis": nil, "trial_end_timestamp": nil}},
				map[string]any{"name": "Globex Corp", "scope": nil, "enforce_update_millis": nil, "trial_end_timestamp": nil}},
			{"own-name-kept", call{body: map[string]any{"name": "Globex Corp"}}, map[string]any{"name": "Globex Corp"}},
			{"empty-body", call{body: map[string]any{}}, map[string]any{"name": "Globex Corp", "default_role": 3.0}},
			{"form", formCall("PATCH", globexPath, "session_idle_timeout_minutes=45&ai_default_chat_copilot=on&enforce_update_millis="),
				map[string]any{"session_idle_timeout_minutes": 45.0, "ai_default_chat_copilot": true, "enforce_update_millis": nil}},
			{"multipart", multipartCall(t, "PATCH", globexPath, formPart{name: "default_role", value: "5"}),
				map[string]any{"default_role": 5.0, "ai_default_chat_copilot": true}},
		}
		for _, step := range steps {
			step.call.method, step.call.path, step.call.token, step.call.accept = "PATCH", globexPath, globexAdmin, v2
			r := s.do(t, step.call)
			if r.Status != 200 {
				t.Fatalf("%s: %d %s", step.name, r.Status, r.Body)
			}
			get := s.do(t, call{method: "GET", path: globexPath, token: globexAdmin, accept: v2})
			if string(get.Body) != string(r.Body) {
				t.Errorf("%s: GET after PATCH\n  %s\nPATCH answered\n  %s", step.name, get.Body, r.Body)
			}
			var got map[string]any
			r.decode(t, &got)
			for k, v := range step.want {
				if !reflect.DeepEqual(got[k], v) {
					t.Errorf("%s: %s = %#v, want %#v", step.name, k, got[k], v)
				}
			}
		}
		// Me shows the team's new name and scope to its members.
		var me fake.Me
		s.do(t, call{method: "GET", path: "/api/me/", token: globexAdmin}).decode(t, &me)
		if me.Organization == nil || me.Organization.Name != "Globex Corp" || me.Organization.Scope != nil {
			t.Errorf("Me's team %+v, want Globex Corp with no scope", me.Organization)
		}
	})

	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		tests := []struct {
			name   string
			body   any
			want   string
			fields []string
		}{
			{"name/taken", map[string]string{"name": "Acme Corp"}, `{"name":["organization with this name already exists."]}`, nil},
			{"name/blank", map[string]string{"name": ""}, `{"name":["This field may not be blank."]}`, nil},
			{"name/null", map[string]any{"name": nil}, "", []string{"name"}},
			{"scope/taken", map[string]string{"scope": "@acme"}, `{"scope":["organization with this scope already exists."]}`, nil},
			{"session-idle/too-long", map[string]int{"session_idle_timeout_minutes": 20161}, "", []string{"session_idle_timeout_minutes"}},
			{"session-idle/null", map[string]any{"session_idle_timeout_minutes": nil}, "", []string{"session_idle_timeout_minutes"}},
			{"copilot/not-boolean", map[string]any{"ai_default_chat_copilot": "maybe"}, "", []string{"ai_default_chat_copilot"}},
		}
		before, _ := s.Server.Team(globexID)
		for _, tc := range tests {
			r := s.do(t, call{method: "PATCH", path: globexPath, token: globexAdmin, accept: v2, body: tc.body})
			assertAPI(t, r, apiWant{status: 400, body: tc.want})
			if tc.fields != nil {
				if got := fieldKeys(t, r); !slices.Equal(got, tc.fields) {
					t.Errorf("%s: fields %v, want %v (%s)", tc.name, got, tc.fields, r.Body)
				}
			}
		}
		if after, _ := s.Server.Team(globexID); !reflect.DeepEqual(after, before) {
			t.Errorf("refused updates changed the team:\n%+v\nwas\n%+v", after, before)
		}
	})
}

func TestDestroyOrganization(t *testing.T) {
	t.Parallel()
	t.Run("roles", func(t *testing.T) {
		t.Parallel()
		tests := []roleCase{
			{"admin", globexAdmin, globexPath, 204, ""},
			{"manager", samToken, globexPath, 403, forbidden},
			{"member", samToken, acmePath, 403, forbidden},
			{"outsider", acmeAdmin, globexPath, 404, notFound},
			{"anonymous", "", globexPath, 401, notAuthenticated},
			{"enterprise", acmeAdmin, acmePath, 403, `{"detail":"Enterprise teams cannot be deleted."}`},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				s := newAPIServer(t)
				before := s.Server.State()
				assertAPI(t, s.do(t, call{method: "DELETE", path: tc.path, token: tc.token}), apiWant{status: tc.status, body: tc.body})
				if tc.status != 204 && !reflect.DeepEqual(s.Server.State(), before) {
					t.Errorf("a refused delete changed the data")
				}
			})
		}
	})

	t.Run("cascade", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		memberships, err := s.Server.Memberships(globexID)
		if err != nil {
			t.Fatal(err)
		}
		engineering, err := s.Server.GroupMembers(engineeringID)
		if err != nil {
			t.Fatal(err)
		}
		assertAPI(t, s.do(t, call{method: "DELETE", path: globexPath, token: globexAdmin}), apiWant{status: 204})

		gone := []call{
			{method: "GET", path: globexPath, token: globexAdmin},
			{method: "DELETE", path: globexPath, token: globexAdmin},
			{method: "GET", path: globexPath + "memberships/", token: globexAdmin},
			{method: "GET", path: globexPath + "groups/", token: globexAdmin},
			{method: "GET", path: globexPath + "campaigns/", token: globexAdmin},
			{method: "GET", path: "/api/groups/" + engineeringID + "/", token: globexAdmin},
			{method: "GET", path: "/api/groups/" + engineeringID + "/memberships/", token: samToken},
			{method: "DELETE", path: "/api/groups/" + engineeringID + "/memberships/" + engineering[0].ID + "/", token: globexAdmin},
			{method: "GET", path: globexPath + "campaigns/" + pilotCampaignID + "/", token: globexAdmin},
			{method: "GET", path: globexPath + "campaigns/" + pilotCampaignID + "/members/", token: globexAdmin},
		}
		for _, m := range memberships {
			gone = append(gone, call{method: "GET", path: fmt.Sprintf("/api/memberships/%d/", m.ID), token: globexAdmin})
		}
		for _, c := range gone {
			assertAPI(t, s.do(t, c), apiWant{status: 404, body: notFound})
		}
		// Its people keep their accounts: Hank is in no team now, Sam in
		// Acme only.
		var hank, sam fake.Me
		s.do(t, call{method: "GET", path: "/api/me/", token: globexAdmin}).decode(t, &hank)
		if hank.Organization != nil || len(hank.OrganizationMemberships) != 0 || len(hank.GroupMemberships) != 0 {
			t.Errorf("Hank's Me after the delete: %+v", hank)
		}
		s.do(t, call{method: "GET", path: "/api/me/", token: samToken}).decode(t, &sam)
		if len(sam.OrganizationMemberships) != 1 || sam.OrganizationMemberships[0].Organization != acmeID {
			t.Errorf("Sam's teams after the delete: %+v", sam.OrganizationMemberships)
		}
		var teams []fake.Organization
		s.do(t, call{method: "GET", path: "/api/organizations/", token: samToken}).decode(t, &teams)
		if len(teams) != 1 || teams[0].ID != acmeID {
			t.Errorf("Sam's teams: %d", len(teams))
		}
		state := s.Server.State()
		if len(state.Organizations) != 1 || !slices.ContainsFunc(state.Users, func(u fake.FixtureUser) bool { return u.Email == "hank@globex.test" }) {
			t.Errorf("state: %d teams, users %+v; want Acme alone and Hank among the users in no team", len(state.Organizations), state.Users)
		}
		if _, err := s.Server.Team(globexID); err == nil {
			t.Errorf("Team(%s) still answers", globexID)
		}
	})
}

// TestTeamLifecycle: a team created, filled, changed and deleted through the
// API, with everything in it gone and the state holding nothing of it.
func TestTeamLifecycle(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	before := s.Server.State()
	var team fake.Organization
	s.do(t, call{method: "POST", path: "/api/organizations/", token: samToken, accept: v2, body: map[string]string{"name": "Short Lived", "scope": "@short"}}).decode(t, &team)
	teamPath := "/api/organizations/" + team.ID + "/"
	if _, err := s.Server.AddMember(team.ID, fake.FixtureMember{Email: "mel@acme.test", Role: fake.RoleManager}); err != nil {
		t.Fatal(err)
	}
	writeAs := func(token, method, path string, body any) *response {
		t.Helper()
		r := s.do(t, call{method: method, path: path, token: token, accept: v2, body: body})
		if r.Status/100 != 2 {
			t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Body)
		}
		return r
	}
	var group fake.Group
	writeAs(acmeMember, "POST", teamPath+"groups/", map[string]string{"name": "Crew"}).decode(t, &group) // Mel manages it
	writeAs(acmeMember, "POST", "/api/groups/"+group.ID+"/memberships/", []map[string]string{{"email": "sam@consult.test"}, {"email": "mel@acme.test"}})
	var campaign fake.Campaign
	writeAs(samToken, "POST", teamPath+"campaigns/", map[string]string{"name": "Drive"}).decode(t, &campaign)
	writeAs(samToken, "POST", teamPath+"campaigns/"+campaign.ID+"/members/", []map[string]any{{"email": "mel@acme.test", "data": map[string]any{}}})
	writeAs(samToken, "PATCH", teamPath, map[string]any{"name": "Shorter Lived", "default_role": 1})

	var detail fake.UserDetail
	s.do(t, call{method: "GET", path: teamPath + "members/" + memberUserID(t, s, team.ID, "mel@acme.test") + "/", token: samToken}).decode(t, &detail)
	if detail.Membership.Role != fake.RoleManager || len(detail.Groups) != 1 || detail.Groups[0].GroupName != "Crew" {
		t.Errorf("Mel's detail in the new team: %+v", detail)
	}
	// Mel manages; only an admin deletes.
	assertAPI(t, s.do(t, call{method: "DELETE", path: teamPath, token: acmeMember}), apiWant{status: 403, body: forbidden})
	writeAs(samToken, "DELETE", teamPath, nil)

	for _, path := range []string{teamPath, teamPath + "groups/", "/api/groups/" + group.ID + "/", teamPath + "campaigns/" + campaign.ID + "/"} {
		assertAPI(t, s.do(t, call{method: "GET", path: path, token: samToken}), apiWant{status: 404, body: notFound})
	}
	for _, token := range []string{samToken, acmeMember} {
		var me fake.Me
		s.do(t, call{method: "GET", path: "/api/me/", token: token}).decode(t, &me)
		for _, m := range me.OrganizationMemberships {
			if m.Organization == team.ID {
				t.Errorf("%s's Me still lists the deleted team", token)
			}
		}
	}
	after := s.Server.State()
	afterJSON, _ := json.Marshal(after)
	beforeJSON, _ := json.Marshal(before)
	if string(afterJSON) != string(beforeJSON) {
		t.Errorf("the state after the team's life differs from before it:\n%s\nbefore:\n%s", afterJSON, beforeJSON)
	}
}
