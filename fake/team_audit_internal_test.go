package fake

import (
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// The audit events teams' writes record (the trail's listing is the audit
// operations'; this holds what each write appends, and who is named).
func TestTeamWritesAudit(t *testing.T) {
	t.Parallel()
	srv, err := New()
	if err != nil {
		t.Fatal(err)
	}
	send := func(method, path, token, body string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Token "+token)
		req.Header.Set("Accept", "application/json; version=2.0")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if w.Code/100 != 2 {
			t.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
		}
		return w
	}
	type seen struct {
		actor, action, target string
		data                  map[string]any
	}
	trail := func(orgID string) []seen {
		t.Helper()
		srv.store.mu.RLock()
		defer srv.store.mu.RUnlock()
		var out []seen
		for _, ev := range srv.store.orgs[orgID].audit {
			actor := ""
			if ev.actor != nil {
				actor = ev.actor.email
			}
			out = append(out, seen{actor, ev.actionType, ev.target.contentType + ":" + ev.target.label, ev.data})
		}
		return out
	}
	w := send("POST", "/api/organizations/", "sam-token", `{"name": "Audited", "scope": "@audited"}`)
	id := w.Body.String()[len(`{"id":"`):][:36]
	send("PATCH", "/api/organizations/"+id+"/", "sam-token", `{"name": "Audited 2", "scope": "@audited", "session_idle_timeout_minutes": 60}`)
	send("PATCH", "/api/organizations/"+id+"/", "sam-token", `{"name": "Audited 2"}`) // changes nothing: no event
	want := []seen{
		{"sam@consult.test", "organization.created", "organization:Audited", map[string]any{"name": "Audited", "scope": "@audited"}},
		{"sam@consult.test", "organization.updated", "organization:Audited 2", map[string]any{"name": "Audited 2", "session_idle_timeout_minutes": 60}},
	}
	if got := trail(id); !reflect.DeepEqual(got, want) {
		t.Errorf("trail of the new team\n%+v\nwant\n%+v", got, want)
	}
	// Sam deletes his account: each of his teams records it, naming him.
	before := len(trail("0b000000-0000-4000-8000-000000000002"))
	send("DELETE", "/api/me/", "sam-token", "")
	for _, org := range []string{"0a000000-0000-4000-8000-000000000001", "0b000000-0000-4000-8000-000000000002", id} {
		events := trail(org)
		last := events[len(events)-1]
		if last.actor != "sam@consult.test" || last.action != "user.deleted" || last.target != "user:sam@consult.test" {
			t.Errorf("last event of %s: %+v", org, last)
		}
	}
	if n := len(trail("0b000000-0000-4000-8000-000000000002")); n != before+1 {
		t.Errorf("Globex recorded %d events for one account deletion", n-before)
	}
	// The extension settings and milestones are the user's own: no team
	// records them.
	send("POST", "/api/me/milestones/", "acme-member-token", `{"key": "k"}`)
	if events := trail("0a000000-0000-4000-8000-000000000001"); events[len(events)-1].action != "user.deleted" {
		t.Errorf("a milestone recorded a team event: %+v", events[len(events)-1])
	}
}
