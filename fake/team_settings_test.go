package fake_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// The published schema's team, member and user fields that tests steer from
// fixtures: shown by the API, exported in the state, and loaded back.

const settingsFixture = `
organizations:
  - id: 0c000000-0000-4000-8000-000000000003
    name: Initech
    scope: "@initech"
    is_enterprise: true
    enforce_update_millis: 3600000
    session_idle_timeout_minutes: 30
    trial_end_timestamp: 2026-03-01T12:00:00Z
    enable_invitations: false
    ai_default_chat_copilot: false
    theme:
      show_sidebar_logo: false
      logo: https://cdn.initech.test/logo.svg
      toolbar_icon: https://cdn.initech.test/icon.svg
      fab_logo: https://cdn.initech.test/fab.svg
      whitelabel_theme_name: initech
    control_room:
      id: 0c000000-0000-4000-8000-0000000000cc
      url: https://cr.initech.test
    members:
      - {email: bill@initech.test, role: admin, token: bill-token, is_deployment_manager: true, is_onboarded: false, test_account: true, user_scope: "@bill"}
      - {email: peter@initech.test, role: member, token: peter-token}
users:
  - {email: gone@initech.test, token: gone-token, is_onboarded: false}
`

func TestTeamSettingsFromFixtures(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, fake.WithFixtureFile(writeFixtureFile(t, "settings.yaml", settingsFixture)))
	var org map[string]any
	s.do(t, call{method: "GET", path: "/api/organizations/0c000000-0000-4000-8000-000000000003/", token: "bill-token"}).decode(t, &org)
	var billMe, peterMe, goneMe map[string]any
	s.do(t, call{method: "GET", path: "/api/me/", token: "bill-token"}).decode(t, &billMe)
	s.do(t, call{method: "GET", path: "/api/me/", token: "peter-token"}).decode(t, &peterMe)
	s.do(t, call{method: "GET", path: "/api/me/", token: "gone-token"}).decode(t, &goneMe)

	tests := []struct {
		name string
		got  any
		want string // JSON, compared with its keys sorted
	}{
		{"team/enforce_update_millis", org["enforce_update_millis"], `3600000`},
		{"team/session_idle_timeout_minutes", org["session_idle_timeout_minutes"], `30`},
		{"team/trial_end_timestamp", org["trial_end_timestamp"], `"2026-03-01T12:00:00Z"`},
		{"team/enable_invitations", org["enable_invitations"], `false`},
		{"team/ai_default_chat_copilot", org["ai_default_chat_copilot"], `false`},
		{"me/organization", billMe["organization"], `{"id":"0c000000-0000-4000-8000-000000000003","name":"Initech","scope":"@initech",` +
			`"is_enterprise":true,"control_room":{"id":"0c000000-0000-4000-8000-0000000000cc","url":"https://cr.initech.test"},` +
			`"theme":{"show_sidebar_logo":false,"logo":"https://cdn.initech.test/logo.svg","toolbar_icon":"https://cdn.initech.test/icon.svg",` +
			`"fab_logo":"https://cdn.initech.test/fab.svg","whitelabel_theme_name":"initech"},"ai_default_chat_copilot":false}`},
		{"me/deployment-manager", billMe["organization_memberships"].([]any)[0].(map[string]any)["is_deployment_manager"], `true`},
		{"me/not-deployment-manager", peterMe["organization_memberships"].([]any)[0].(map[string]any)["is_deployment_manager"], `false`},
		{"me/is_onboarded", billMe["is_onboarded"], `false`},
		{"me/test_account", billMe["test_account"], `true`},
		{"me/scope", billMe["scope"], `"@bill"`},
		{"me/no-scope", peterMe["scope"], `null`},
		{"me/enforce_update_millis", billMe["enforce_update_millis"], `3600000`},
		{"me/default-onboarded", peterMe["is_onboarded"], `true`},
		{"me/no-team", []any{goneMe["organization"], goneMe["partner"], goneMe["enforce_update_millis"], goneMe["is_onboarded"]}, `[null,null,null,false]`},
	}
	for _, tt := range tests {
		var want any
		if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
			t.Fatal(err)
		}
		if got := mustJSON(t, tt.got); !bytes.Equal(got, mustJSON(t, want)) {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}

	// GET /__fake/state → PUT → GET gives the same bytes, and the same API.
	state := getState(t, s, "")
	for _, key := range []string{`"is_enterprise":true`, `"session_idle_timeout_minutes":30`, `"is_deployment_manager":true`, `"is_onboarded":false`, `"test_account":true`, `"whitelabel_theme_name":"initech"`, `"user_scope":"@bill"`} {
		if !bytes.Contains(state.Body, []byte(key)) {
			t.Errorf("the state lacks %s", key)
		}
	}
	wantStatus(t, s.plain(t, call{method: "PUT", path: "/__fake/state", body: state.Body}), http.StatusNoContent)
	if again := getState(t, s, ""); !bytes.Equal(again.Body, state.Body) {
		t.Errorf("the state changed over a round trip:\n%s\nwant\n%s", again.Body, state.Body)
	}
	var after map[string]any
	s.do(t, call{method: "GET", path: "/api/me/", token: "bill-token"}).decode(t, &after)
	if a, b := mustJSON(t, after), mustJSON(t, billMe); !bytes.Equal(a, b) {
		t.Errorf("Me after the round trip\n%s\nwant\n%s", a, b)
	}
}

func TestTeamSettingsRefused(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	tests := []struct{ name, team, detail string }{
		{"session-zero", `session_idle_timeout_minutes: 0`, "session_idle_timeout_minutes 0 is not between 1 and 20160"},
		{"session-too-long", `session_idle_timeout_minutes: 20161`, "session_idle_timeout_minutes 20161 is not between 1 and 20160"},
		{"enforce-negative", `enforce_update_millis: -1`, "enforce_update_millis -1 is not between 0 and 2147483647"},
		{"logo-not-http", `theme: {logo: "ftp://x.test/a.png"}`, `theme: logo: "ftp://x.test/a.png" is not an absolute http(s) URL`},
		{"theme-name-too-long", `theme: {whitelabel_theme_name: ` + strings.Repeat("x", 129) + `}`, "whitelabel_theme_name is longer than 128 characters"},
		{"control-room-id", `control_room: {id: nope}`, `control_room: id "nope" is not a UUID`},
		{"control-room-url-long", `control_room: {url: "https://x.test/` + strings.Repeat("a", 190) + `"}`, "is longer than 200 characters"},
		{"unknown-theme-key", `theme: {colour: red}`, `unknown key "colour"`},
		{"user-scope", `members: [{email: a@x.test, user_scope: nope}]`, `user_scope "nope" does not match`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := "organizations: [{name: X, " + tt.team + "}]"
			r := s.plain(t, call{method: "PUT", path: "/__fake/state", body: body})
			wantStatus(t, r, http.StatusBadRequest)
			if detail := r.detail(t); !strings.Contains(detail, tt.detail) {
				t.Errorf("detail %q, want it to hold %q", detail, tt.detail)
			}
		})
	}
}
