package fake_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// TestJournalRedactsDecodedTokens: a token hidden behind an encoding the
// server decodes — a JSON escape, a percent-escape in a query or a form —
// is redacted as a plain one is, and so are tokens in a fault's body and
// in the validator's echo of a bad value; a field named as a secret is
// redacted whatever its value.
func TestJournalRedactsDecodedTokens(t *testing.T) {
	t.Parallel()
	groups := "/api/organizations/" + acmeID + "/groups/"
	escaped := `acme\u002dadmin\u002dtoken` // acmeAdmin in JSON escapes
	tests := []struct {
		name      string
		call      call
		query     string // the journal's, "" for none
		body      string // the journal's request_body
		fault     string // the journal's fault body, if any
		validated bool   // a validation error is journaled (and redacted)
	}{
		{name: "JSON escapes",
			call: call{method: "POST", path: groups, token: acmeAdmin, body: `{"name": "Token ` + escaped + `"}`},
			body: `{"name":"Token [REDACTED]"}`},
		{name: "JSON escapes in a key",
			call: call{method: "POST", path: groups, token: acmeAdmin, body: `{"name": "n", "` + escaped + `!": 1}`},
			body: `{"name":"n","[REDACTED]!":1}`},
		{name: "JSON escapes of another user's token",
			call: call{method: "POST", path: groups, token: acmeManager, body: `{"name": "` + `globex\u002Dadmin-token` + `"}`},
			body: `{"name":"[REDACTED]"}`},
		{name: "percent-escapes in the query",
			call:  call{method: "GET", path: "/api/me/?q=acme%2Dadmin%2Dtoken&page=1", token: acmeMember},
			query: "q=[REDACTED]&page=1", body: "null"},
		{name: "plus and percent in a name",
			call:  call{method: "GET", path: "/api/me/?acme%2Dadmin%2Dtoken=1", token: acmeMember},
			query: "[REDACTED]=[REDACTED]", body: "null"}, // the name ends in "token"
		{name: "secret field names, any value",
			call:  call{method: "POST", path: groups + "?api_key=k1&Access_Token=k2&x=y", token: acmeAdmin, body: `{"name": "Kept", "password": "hunter2", "nested": {"client_token": 12345}}`},
			query: "api_key=[REDACTED]&Access_Token=[REDACTED]&x=y", body: `{"name":"Kept","password":"[REDACTED]","nested":{"client_token":"[REDACTED]"}}`},
		{name: "form body",
			call: call{method: "POST", path: groups, token: acmeAdmin, body: "name=acme%2Dadmin%2Dtoken", headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
			body: `"name=[REDACTED]"`},
		{name: "fault header body",
			call: call{method: "GET", path: healthPath, headers: map[string]string{"X-Fake-Fault": `kind=status; status=503; body={"detail": "` + escaped + ` and acme-manager-token"}; headers=X-Leak: acme-member-token`}},
			body: "null", fault: `{"detail":"[REDACTED] and [REDACTED]"}`},
		{name: "validator's echo",
			call: call{method: "GET", path: healthPath, headers: map[string]string{"X-Fake-Fault": "kind=delay; delay=acme-admin-token"}},
			body: "null", validated: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			s.send(t, tt.call)
			r := s.plain(t, call{method: "GET", path: "/__fake/requests"})
			for email, token := range s.Server.Tokens() {
				if bytes.Contains(r.Body, []byte(token)) {
					t.Errorf("the journal shows the token of %s: %s", email, r.Body)
				}
			}
			for _, secret := range []string{"hunter2", "k1", "k2", "12345", `\u002d`, `\u002D`, "%2D"} {
				if bytes.Contains(r.Body, []byte(secret)) {
					t.Errorf("the journal shows %q: %s", secret, r.Body)
				}
			}
			entries := s.Server.Journal(fake.JournalFilter{})
			if len(entries) != 1 {
				t.Fatalf("entries %+v", entries)
			}
			e := entries[0]
			if e.Query != tt.query || string(e.RequestBody) != tt.body && !(tt.body == "null" && e.RequestBody == nil) {
				t.Errorf("query %q body %s; want %q %s", e.Query, e.RequestBody, tt.query, tt.body)
			}
			if tt.fault != "" && (e.Fault == nil || e.Fault.Body != tt.fault || e.Fault.Headers["X-Leak"] != "[REDACTED]") {
				t.Errorf("fault %+v, want body %s", e.Fault, tt.fault)
			}
			if tt.validated != (e.ValidationError != "") {
				t.Errorf("validation error %q", e.ValidationError)
			}
			if tt.validated && !strings.Contains(e.ValidationError, "[REDACTED]") {
				t.Errorf("validation error %q does not show where the token was", e.ValidationError)
			}
			var list []json.RawMessage
			r.decode(t, &list)
		})
	}
}
