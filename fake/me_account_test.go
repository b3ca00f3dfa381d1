package fake_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// Member detail and the caller's own account: token, principals,
// extension settings, milestones, and deleting it.

func TestRetrieveUserDetail(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	melID := memberUserID(t, s, acmeID, "mel@acme.test")
	hankID := memberUserID(t, s, globexID, "hank@globex.test")
	support, err := s.Server.GroupMembers(supportGroupID)
	if err != nil {
		t.Fatal(err)
	}
	var melInSupport fake.GroupMembership
	for _, gm := range support {
		if gm.Email == "mel@acme.test" {
			melInSupport = gm
		}
	}
	members, _ := s.Server.Memberships(acmeID)
	var mel fake.Membership
	for _, m := range members {
		if m.User.ID == melID {
			mel = m
		}
	}
	want := fmt.Sprintf(`{"id":%q,"name":"Mel Member","email":"mel@acme.test",
		"groups":[{"id":%q,"group_id":%q,"group_name":"Support Agents","created_at":%q}],
		"last_used_mod_at":null,"last_login":null,"date_joined":%q,"membership":{"id":%d,"role":1}}`,
		melID, melInSupport.ID, supportGroupID, melInSupport.CreatedAt.Format(time.RFC3339), mel.User.DateJoined.Format(time.RFC3339), mel.ID)
	melPath := acmePath + "members/" + melID + "/"
	tests := []roleCase{
		{"admin", acmeAdmin, melPath, 200, want},
		{"manager", acmeManager, melPath, 200, want},
		{"upper-case-id", acmeAdmin, acmePath + "members/" + strings.ToUpper(melID) + "/", 200, want},
		{"member", acmeMember, melPath, 403, forbidden},
		{"developer", acmeDeveloper, melPath, 403, forbidden},
		{"outsider", globexAdmin, melPath, 404, notFound},
		{"anonymous", "", melPath, 401, notAuthenticated},
		{"user-of-another-team", acmeAdmin, acmePath + "members/" + hankID + "/", 404, notFound},
		{"unknown-user", acmeAdmin, acmePath + "members/0c000000-0000-4000-8000-0000000000ff/", 404, notFound},
		{"not-a-uuid", acmeAdmin, acmePath + "members/4/", 404, notFound},
		{"unknown-team", acmeAdmin, "/api/organizations/0c000000-0000-4000-8000-000000000003/members/" + melID + "/", 404, notFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assertAPI(t, s.do(t, call{method: "GET", path: tc.path, token: tc.token}), apiWant{status: tc.status, body: tc.body})
		})
	}
	t.Run("go", func(t *testing.T) {
		t.Parallel()
		d, err := s.Server.UserDetail(acmeID, melID)
		if err != nil || d.Membership.ID != mel.ID || len(d.Groups) != 1 {
			t.Errorf("UserDetail: %+v %v", d, err)
		}
	})
}

func TestDestroyOrganizationMemberCache(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	melID := memberUserID(t, s, acmeID, "mel@acme.test")
	cachePath := acmePath + "members/" + melID + "/cache/"
	before := s.Server.State()
	tests := []roleCase{
		{"admin", acmeAdmin, cachePath, 204, ""},
		{"admin-on-self", acmeAdmin, acmePath + "members/" + memberUserID(t, s, acmeID, "ada@acme.test") + "/cache/", 204, ""},
		{"manager", acmeManager, cachePath, 403, forbidden},
		{"member", acmeMember, cachePath, 403, forbidden},
		{"outsider", globexAdmin, cachePath, 404, notFound},
		{"anonymous", "", cachePath, 401, notAuthenticated},
		{"not-in-team", acmeAdmin, acmePath + "members/" + memberUserID(t, s, globexID, "hank@globex.test") + "/cache/", 404, notFound},
		{"not-a-uuid", acmeAdmin, acmePath + "members/x/cache/", 404, notFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertAPI(t, s.do(t, call{method: "DELETE", path: tc.path, token: tc.token}), apiWant{status: tc.status, body: tc.body})
		})
	}
	if !reflect.DeepEqual(s.Server.State(), before) {
		t.Errorf("clearing a member's cache changed the data")
	}
}

func TestDestroyMe(t *testing.T) {
	t.Parallel()
	t.Run("inviter", func(t *testing.T) {
		// The invitations an account sent go with it; the state, which names
		// every inviter, still loads.
		t.Parallel()
		s := newAPIServer(t)
		invitations := acmePath + "invitations/"
		wantStatus(t, s.do(t, call{method: "POST", path: invitations, token: acmeManager, body: map[string]any{"email": "hire@acme.test"}}), 201)
		wantStatus(t, s.do(t, call{method: "POST", path: invitations, token: acmeAdmin, body: map[string]any{"email": "other@acme.test"}}), 201)
		assertAPI(t, s.do(t, call{method: "DELETE", path: "/api/me/", token: acmeManager}), apiWant{status: 204})
		var left []map[string]any
		s.do(t, call{method: "GET", path: invitations, token: acmeAdmin}).decode(t, &left)
		if len(left) != 1 || left[0]["email"] != "other@acme.test" {
			t.Errorf("invitations after the inviter's account went: %v", left)
		}
		state := getState(t, s, "").Body
		wantStatus(t, s.plain(t, call{method: "PUT", path: "/__fake/state", body: state}), 204)
	})
	t.Run("member-of-one-team", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		melID := memberUserID(t, s, acmeID, "mel@acme.test")
		assertAPI(t, s.do(t, call{method: "DELETE", path: "/api/me/", token: acmeMember}), apiWant{status: 204})
		// The token is dead at once, for every operation.
		for _, c := range []call{
			{method: "GET", path: "/api/me/"},
			{method: "GET", path: "/api/me/token/"},
			{method: "DELETE", path: "/api/me/"},
			{method: "GET", path: "/api/organizations/"},
		} {
			c.token = acmeMember
			assertAPI(t, s.do(t, c), apiWant{status: 401, body: invalidToken, headers: map[string]string{"WWW-Authenticate": "Token"}})
		}
		for _, path := range []string{"/api/memberships/4/", acmePath + "members/" + melID + "/"} {
			assertAPI(t, s.do(t, call{method: "GET", path: path, token: acmeAdmin}), apiWant{status: 404, body: notFound})
		}
		// Out of the team's groups; still enrolled in the campaign (kept
		// by e-mail), without an account.
		support, _ := s.Server.GroupMembers(supportGroupID)
		for _, gm := range support {
			if gm.Email == "mel@acme.test" {
				t.Errorf("Mel is still in Support Agents: %+v", gm)
			}
		}
		var q1 []map[string]any
		s.do(t, call{method: "GET", path: q1Path + "members/", token: acmeAdmin}).decode(t, &q1)
		found := false
		for _, m := range q1 {
			if m["email"] == "mel@acme.test" {
				found = m["account"] == nil
			}
		}
		if !found {
			t.Errorf("Q1 Rollout's members %v: want Mel kept, with a null account", q1)
		}
		state := s.Server.State()
		stateJSON, _ := json.Marshal(state)
		if strings.Contains(string(stateJSON), melID) || strings.Contains(string(stateJSON), "acme-member-token") {
			t.Errorf("the state still holds Mel's account")
		}
		if _, err := s.Server.Milestones("mel@acme.test"); err == nil {
			t.Errorf("Milestones of a deleted account answer")
		}
	})
	t.Run("member-of-two-teams", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		assertAPI(t, s.do(t, call{method: "DELETE", path: "/api/me/", token: samToken}), apiWant{status: 204})
		for _, team := range []string{acmeID, globexID} {
			members, _ := s.Server.Memberships(team)
			for _, m := range members {
				if m.User.Email == "sam@consult.test" {
					t.Errorf("Sam is still in %s", team)
				}
			}
		}
		engineering, _ := s.Server.GroupMembers(engineeringID)
		if len(engineering) != 1 || engineering[0].Email != "hank@globex.test" {
			t.Errorf("Engineering after Sam left: %+v", engineering)
		}
		assertAPI(t, s.do(t, call{method: "GET", path: "/api/me/", token: samToken}), apiWant{status: 401, body: invalidToken})
	})
	t.Run("only-admin", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		// Globex's one admin leaves: the team stays, without an admin.
		assertAPI(t, s.do(t, call{method: "DELETE", path: "/api/me/", token: globexAdmin}), apiWant{status: 204})
		team, err := s.Server.Team(globexID)
		if err != nil || len(team.Members) != 1 || team.Members[0].Role != fake.RoleManager {
			t.Errorf("Globex after its admin left: %+v %v", team.Members, err)
		}
	})
	t.Run("anonymous", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		assertAPI(t, s.do(t, call{method: "DELETE", path: "/api/me/"}), apiWant{status: 401, body: notAuthenticated})
	})
}

func TestRetrieveAuthToken(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	for _, token := range []string{acmeAdmin, acmeMember, acmeService, acmeDeploymentKey, samToken, globexAdmin} {
		assertAPI(t, s.do(t, call{method: "GET", path: "/api/me/token/", token: token}), apiWant{status: 200, body: `{"token":"` + token + `"}`})
	}
	assertAPI(t, s.do(t, call{method: "GET", path: "/api/me/token/"}), apiWant{status: 401, body: notAuthenticated})
}

func TestListControlRoomPrincipals(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	const (
		acmeRoom   = "https://acmecorp.my.automationanywhere.digital"
		globexRoom = "https://globex.my.automationanywhere.digital"
	)
	principals := func(token, query, accept string) ([]fake.ControlRoomPrincipal, *response) {
		t.Helper()
		r := s.do(t, call{method: "GET", path: "/api/me/partner-principals/" + query, token: token, accept: accept})
		if r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		var list []fake.ControlRoomPrincipal
		r.decode(t, &list)
		return list, r
	}
	sam, _ := principals(samToken, "", v2)
	if len(sam) != 2 || sam[0].ControlRoomURL != acmeRoom || sam[1].ControlRoomURL != globexRoom || sam[0].ControlRoomUserID == sam[1].ControlRoomUserID {
		t.Errorf("Sam's principals %+v: want Acme's Control Room then Globex's, with two user ids", sam)
	}
	for _, p := range sam {
		if p.ControlRoomUserID < 1 {
			t.Errorf("user id %d", p.ControlRoomUserID)
		}
	}
	again, _ := principals(samToken, "", "")
	if !reflect.DeepEqual(again, sam) {
		t.Errorf("principals at 1.0 %+v, at 2.0 %+v", again, sam)
	}
	page, r := principals(samToken, "?page=2&page_size=1", v2)
	if !reflect.DeepEqual(page, sam[1:]) || r.Header.Get("X-Total-Count") != "2" || !strings.Contains(r.Header.Get("Link"), `rel="prev"`) {
		t.Errorf("page 2 of 1: %+v, headers %v", page, r.Header)
	}
	ada, _ := principals(acmeAdmin, "", v2)
	if len(ada) != 1 || ada[0].ControlRoomURL != acmeRoom || ada[0].ControlRoomUserID == sam[0].ControlRoomUserID {
		t.Errorf("Ada's principals %+v", ada)
	}
	// A user in no team has none.
	assertAPI(t, s.do(t, call{method: "DELETE", path: "/api/memberships/5/", token: acmeAdmin}), apiWant{status: 204})
	if rae, _ := principals(acmeRestricted, "", v2); len(rae) != 0 {
		t.Errorf("principals of a user in no team: %+v", rae)
	}
	assertAPI(t, s.do(t, call{method: "GET", path: "/api/me/partner-principals/?page=3&page_size=1", token: samToken, accept: v2}), apiWant{status: 404, body: invalidPage})
	assertAPI(t, s.do(t, call{method: "GET", path: "/api/me/partner-principals/"}), apiWant{status: 401, body: notAuthenticated})
}

func TestUserExtensionSettings(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	const defaults = `{"is_text_selection_menu_enabled":true,"is_floating_action_button_enabled":true,"text_selection_menu_orientation":"horizontal",
		"text_selection_menu_site_denylist":[],"floating_action_button_site_denylist":[]}`
	const path = "/api/me/settings/webextension/"
	assertAPI(t, s.do(t, call{method: "GET", path: path, token: acmeMember}), apiWant{status: 200, body: defaults})
	steps := []struct {
		name string
		call call
		want string
	}{
		{"json", call{body: map[string]any{"text_selection_menu_orientation": "vertical", "floating_action_button_site_denylist": []string{"https://a.test/*", "b.test"}}},
			`{"is_text_selection_menu_enabled":true,"is_floating_action_button_enabled":true,"text_selection_menu_orientation":"vertical",
			  "text_selection_menu_site_denylist":[],"floating_action_button_site_denylist":["https://a.test/*","b.test"]}`},
		{"json/other-fields-kept", call{body: map[string]any{"is_text_selection_menu_enabled": false}},
			`{"is_text_selection_menu_enabled":false,"is_floating_action_button_enabled":true,"text_selection_menu_orientation":"vertical",
			  "text_selection_menu_site_denylist":[],"floating_action_button_site_denylist":["https://a.test/*","b.test"]}`},
		{"form", call{body: "text_selection_menu_site_denylist=x.test&text_selection_menu_site_denylist=y.test&is_floating_action_button_enabled=off",
			headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
			`{"is_text_selection_menu_enabled":false,"is_floating_action_button_enabled":false,"text_selection_menu_orientation":"vertical",
			  "text_selection_menu_site_denylist":["x.test","y.test"],"floating_action_button_site_denylist":["https://a.test/*","b.test"]}`},
		{"empty-list", call{body: map[string]any{"floating_action_button_site_denylist": []string{}}},
			`{"is_text_selection_menu_enabled":false,"is_floating_action_button_enabled":false,"text_selection_menu_orientation":"vertical",
			  "text_selection_menu_site_denylist":["x.test","y.test"],"floating_action_button_site_denylist":[]}`},
	}
	for _, step := range steps {
		step.call.method, step.call.path, step.call.token = "PATCH", path, acmeMember
		assertAPI(t, s.do(t, step.call), apiWant{status: 200, body: step.want})
		assertAPI(t, s.do(t, call{method: "GET", path: path, token: acmeMember}), apiWant{status: 200, body: step.want})
	}
	refused := []struct {
		name  string
		body  any
		field string
	}{
		{"orientation", map[string]string{"text_selection_menu_orientation": "diagonal"}, "text_selection_menu_orientation"},
		{"boolean", map[string]any{"is_text_selection_menu_enabled": "sometimes"}, "is_text_selection_menu_enabled"},
		{"list", map[string]any{"text_selection_menu_site_denylist": "x.test"}, "text_selection_menu_site_denylist"},
		{"list-item", map[string]any{"text_selection_menu_site_denylist": []any{1}}, "text_selection_menu_site_denylist"},
	}
	for _, tc := range refused {
		r := s.do(t, call{method: "PATCH", path: path, token: acmeMember, body: tc.body})
		if r.Status != 400 || !reflect.DeepEqual(fieldKeys(t, r), []string{tc.field}) {
			t.Errorf("%s: %d %s, want a 400 on %s", tc.name, r.Status, r.Body, tc.field)
		}
	}
	// Settings are the caller's own.
	assertAPI(t, s.do(t, call{method: "GET", path: path, token: acmeAdmin}), apiWant{status: 200, body: defaults})
	assertAPI(t, s.do(t, call{method: "GET", path: path}), apiWant{status: 401, body: notAuthenticated})
	got, err := s.Server.ExtensionSettings("MEL@acme.test")
	if err != nil || got.TextSelectionMenuOrientation != "vertical" || len(got.TextSelectionMenuSiteDenylist) != 2 {
		t.Errorf("ExtensionSettings: %+v %v", got, err)
	}
	got.TextSelectionMenuSiteDenylist[0] = "changed"
	if again, _ := s.Server.ExtensionSettings("mel@acme.test"); again.TextSelectionMenuSiteDenylist[0] != "x.test" {
		t.Errorf("ExtensionSettings returned the state's own list")
	}
}

func TestMilestones(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	const path = "/api/me/milestones/"
	assertAPI(t, s.do(t, call{method: "GET", path: path, token: acmeMember}), apiWant{status: 200, body: `[]`})
	posts := []struct {
		name string
		call call
		want string
	}{
		{"with-metadata", call{body: map[string]any{"key": "first_run", "metadata": map[string]any{"step": 1, "ok": true}}}, `{"key":"first_run","metadata":{"step":1,"ok":true}}`},
		{"without-metadata", call{body: map[string]any{"key": "second"}}, `{"key":"second","metadata":null}`},
		{"null-metadata", call{body: map[string]any{"key": "third", "metadata": nil}}, `{"key":"third","metadata":null}`},
		{"replaces", call{body: map[string]any{"key": "first_run", "metadata": map[string]any{"step": 2}}}, `{"key":"first_run","metadata":{"step":2}}`},
		{"form", call{body: "key=from_form", headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, `{"key":"from_form","metadata":null}`},
		// Django's RegexValidator searches: a key holding one lower-case
		// letter or digit passes, as the published pattern reads.
		{"unanchored-pattern", call{body: map[string]any{"key": "Has Spaces 9"}}, `{"key":"Has Spaces 9","metadata":null}`},
	}
	for _, p := range posts {
		p.call.method, p.call.path, p.call.token = "POST", path, acmeMember
		assertAPI(t, s.do(t, p.call), apiWant{status: 201, body: p.want})
	}
	want := `[{"key":"first_run","metadata":{"step":2}},{"key":"second","metadata":null},{"key":"third","metadata":null},
		{"key":"from_form","metadata":null},{"key":"Has Spaces 9","metadata":null}]`
	assertAPI(t, s.do(t, call{method: "GET", path: path, token: acmeMember}), apiWant{status: 200, body: want})
	refused := []struct {
		name string
		body any
		want string
	}{
		{"no-key", map[string]any{"metadata": map[string]any{}}, `{"key":["This field is required."]}`},
		{"empty-key", map[string]any{"key": ""}, ""},
		{"no-lower-case", map[string]any{"key": "NOPE"}, ""},
		{"long-key", map[string]any{"key": strings.Repeat("k", 129)}, ""},
		{"metadata-not-object", map[string]any{"key": "k", "metadata": []int{1}}, ""},
	}
	for _, tc := range refused {
		r := s.do(t, call{method: "POST", path: path, token: acmeMember, body: tc.body})
		assertAPI(t, r, apiWant{status: 400, body: tc.want})
		if r.Status == 400 && tc.want == "" && len(fieldKeys(t, r)) != 1 {
			t.Errorf("%s: %s, want one field's errors", tc.name, r.Body)
		}
	}
	// Milestones are the caller's own.
	assertAPI(t, s.do(t, call{method: "GET", path: path, token: acmeAdmin}), apiWant{status: 200, body: `[]`})
	assertAPI(t, s.do(t, call{method: "POST", path: path, body: map[string]string{"key": "k"}}), apiWant{status: 401, body: notAuthenticated})
	got, err := s.Server.Milestones("mel@acme.test")
	if err != nil || len(got) != 5 || got[0].Key != "first_run" || fmt.Sprint(got[0].Metadata["step"]) != "2" {
		t.Errorf("Milestones: %+v %v", got, err)
	}
	if _, err := s.Server.Milestones("nobody@acme.test"); err == nil {
		t.Errorf("Milestones of an unknown e-mail answer")
	}
}

// TestPreferencesInState: milestones and extension settings written
// through the API come back from GET /__fake/state and load back by PUT
// byte for byte, in JSON and YAML. (A number's trailing zeros, 1.50, are
// not kept through a load, as in campaign members' data.)
func TestPreferencesInState(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	for _, c := range []call{
		{method: "POST", path: "/api/me/milestones/", token: samToken, body: `{"key": "sam_run", "metadata": {"n": 1.5, "big": 12345678901234567890, "nested": [1, {"x": null}]}}`},
		{method: "PATCH", path: "/api/me/settings/webextension/", token: samToken, body: map[string]any{"text_selection_menu_orientation": "vertical"}},
		{method: "POST", path: "/api/me/milestones/", token: globexAdmin, body: map[string]string{"key": "hank_run"}},
		{method: "POST", path: "/api/organizations/", token: globexAdmin, body: map[string]string{"name": "Hank's Own", "scope": "@hank"}},
		{method: "DELETE", path: "/api/memberships/5/", token: acmeAdmin},
		{method: "POST", path: "/api/me/milestones/", token: acmeRestricted, body: map[string]string{"key": "teamless"}},
	} {
		if r := s.do(t, c); r.Status/100 != 2 {
			t.Fatalf("%s %s: %d %s", c.method, c.path, r.Status, r.Body)
		}
	}
	state, _ := s.send(t, call{method: "GET", path: "/__fake/state"})
	for _, want := range []string{`"milestones":[{"key":"sam_run","metadata":{"big":12345678901234567890,"n":1.5,"nested":[1,{"x":null}]}}]`,
		`"extension_settings":{"is_text_selection_menu_enabled":true,"is_floating_action_button_enabled":true,"text_selection_menu_orientation":"vertical","text_selection_menu_site_denylist":[],"floating_action_button_site_denylist":[]}`,
		`"milestones":[{"key":"hank_run","metadata":null}]`, `"name":"Hank's Own"`, `"milestones":[{"key":"teamless","metadata":null}]`} {
		if !strings.Contains(string(state.Body), want) {
			t.Errorf("the state lacks %s:\n%s", want, state.Body)
		}
	}
	// Sam's preferences are written once, on the entry of his primary team.
	if n := strings.Count(string(state.Body), `"sam_run"`); n != 1 {
		t.Errorf("Sam's milestone is written %d times", n)
	}
	for _, accept := range []string{"application/json", "application/yaml"} {
		s2 := newAPIServer(t)
		body := state.Body
		if accept == "application/yaml" {
			yamlState, _ := s.send(t, call{method: "GET", path: "/__fake/state", headers: map[string]string{"Accept": accept}})
			body = yamlState.Body
		}
		r, _ := s2.send(t, call{method: "PUT", path: "/__fake/state", body: body, headers: map[string]string{"Content-Type": accept}})
		if r.Status != http.StatusNoContent {
			t.Fatalf("PUT /__fake/state (%s): %d %s", accept, r.Status, r.Body)
		}
		again, _ := s2.send(t, call{method: "GET", path: "/__fake/state"})
		if string(again.Body) != string(state.Body) {
			t.Errorf("state after PUT (%s):\n%s\nwant\n%s", accept, again.Body, state.Body)
		}
		assertAPI(t, s2.do(t, call{method: "GET", path: "/api/me/milestones/", token: samToken}),
			apiWant{status: 200, body: `[{"key":"sam_run","metadata":{"big":12345678901234567890,"n":1.5,"nested":[1,{"x":null}]}}]`})
	}
}

func TestPreferencesInFixtures(t *testing.T) {
	t.Parallel()
	const fixture = `
organizations:
  - name: Prefs
    members:
      - email: pat@prefs.test
        token: pat-token
        extension_settings: {text_selection_menu_orientation: vertical, floating_action_button_site_denylist: [a.test]}
        milestones:
          - {key: welcome, metadata: {seen: 2024-01-02}}
          - {key: tour}
users:
  - email: solo@prefs.test
    token: solo-token
    milestones: [{key: solo_run, metadata: {n: 1}}]
`
	f, err := fake.ParseFixture([]byte(fixture))
	if err != nil {
		t.Fatal(err)
	}
	s := newAPIServer(t, fake.WithFixtures(*f))
	assertAPI(t, s.do(t, call{method: "GET", path: "/api/me/milestones/", token: "pat-token"}),
		apiWant{status: 200, body: `[{"key":"welcome","metadata":{"seen":"2024-01-02"}},{"key":"tour","metadata":null}]`})
	assertAPI(t, s.do(t, call{method: "GET", path: "/api/me/settings/webextension/", token: "pat-token"}),
		apiWant{status: 200, body: `{"is_text_selection_menu_enabled":true,"is_floating_action_button_enabled":true,"text_selection_menu_orientation":"vertical",
			"text_selection_menu_site_denylist":[],"floating_action_button_site_denylist":["a.test"]}`})
	assertAPI(t, s.do(t, call{method: "GET", path: "/api/me/milestones/", token: "solo-token"}),
		apiWant{status: 200, body: `[{"key":"solo_run","metadata":{"n":1}}]`})

	refused := []struct{ name, fixture, want string }{
		{"orientation", "organizations: []\nusers: [{email: a@b.test, extension_settings: {text_selection_menu_orientation: up}}]", `text_selection_menu_orientation "up"`},
		{"key-pattern", "organizations: []\nusers: [{email: a@b.test, milestones: [{key: NOPE}]}]", `milestones[0]: milestone key "NOPE"`},
		{"key-twice", "organizations: []\nusers: [{email: a@b.test, milestones: [{key: a}, {key: a}]}]", `key "a" is listed twice`},
		{"given-twice", "organizations: [{name: T, members: [{email: a@b.test, milestones: [{key: b}]}]}]\nusers: [{email: a@b.test, milestones: [{key: a}]}]", "milestones of a@b.test are given twice"},
		{"unknown-setting", "organizations: []\nusers: [{email: a@b.test, extension_settings: {dark_mode: true}}]", `unknown key "dark_mode"`},
	}
	for _, tc := range refused {
		f, err := fake.ParseFixture([]byte(tc.fixture))
		if err == nil {
			_, err = fake.New(fake.WithFixtures(*f))
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error holding %q", tc.name, err, tc.want)
		}
	}
}
