package fake_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// TestFaultHeaderNeedsControlToken: with a control-plane token, X-Fake-Fault
// acts only beside that token in X-Fake-Admin-Token; without it the request
// is refused at once (no anonymous client can hold a connection with a
// hang). Without a control plane the header is ignored.
func TestFaultHeaderNeedsControlToken(t *testing.T) {
	t.Parallel()
	const refused = `{"detail": "X-Fake-Fault needs the control plane's token: send X-Fake-Admin-Token: <token> with it."}`
	guarded := newAPIServer(t, fake.WithControlToken("s3cret"))
	open := newAPIServer(t)
	noControl := newAPIServer(t, fake.WithoutControlPlane())
	orgPath := "/api/organizations/" + acmeID + "/"
	tests := []struct {
		name    string
		server  *apiServer
		path    string
		token   string
		headers map[string]string
		status  int
		body    string
	}{
		{"hang on health, no admin token", guarded, healthPath, "", map[string]string{"X-Fake-Fault": "kind=hang"}, 403, refused},
		{"hang with the API token only", guarded, orgPath, acmeAdmin, map[string]string{"X-Fake-Fault": "kind=hang"}, 403, refused},
		{"wrong admin token", guarded, healthPath, "", map[string]string{"X-Fake-Fault": "kind=hang", "X-Fake-Admin-Token": "guess"}, 403, refused},
		{"admin token as Bearer is not enough", guarded, healthPath, "", map[string]string{"X-Fake-Fault": "kind=hang", "Authorization": "Bearer s3cret"}, 403, refused},
		{"bad header, no admin token: still refused first", guarded, healthPath, "", map[string]string{"X-Fake-Fault": "kind=explode"}, 403, refused},
		{"with the admin token", guarded, healthPath, "", map[string]string{"X-Fake-Fault": "kind=status; status=503", "X-Fake-Admin-Token": "s3cret"}, 503,
			`{"detail": "Service temporarily unavailable, try again later."}`},
		{"no token configured: open", open, healthPath, "", map[string]string{"X-Fake-Fault": "kind=status; status=503"}, 503, ""},
		{"no control plane: ignored", noControl, healthPath, "", map[string]string{"X-Fake-Fault": "kind=hang"}, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := tt.server.plain(t, call{method: "GET", path: tt.path, token: tt.token, headers: tt.headers})
			wantStatus(t, r, tt.status)
			if tt.body != "" {
				wantJSON(t, r, tt.body)
			}
		})
	}
	t.Run("journal names the refusal", func(t *testing.T) {
		s := newAPIServer(t, fake.WithControlToken("s3cret"))
		wantStatus(t, s.plain(t, call{method: "GET", path: healthPath, headers: map[string]string{"X-Fake-Fault": "kind=hang"}}), http.StatusForbidden)
		entries := s.Server.Journal(fake.JournalFilter{})
		if len(entries) != 1 || entries[0].Fault != nil || entries[0].Status != 403 {
			t.Errorf("journal %+v", entries)
		}
	})
}

// TestFaultRuleBodylessStatusAndServerHeaders: a fault that damages a body
// may not ask for a status that has none (malformed with 304 used to answer
// 200), and no fault may set the server's own headers (a fault's headers
// used to replace X-Request-Id). Both through the control plane and the
// X-Fake-Fault header.
func TestFaultRuleBodylessStatusAndServerHeaders(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	rules := []struct {
		name, rule, want string
	}{
		{"malformed 304", `{"kind": "malformed", "status": 304}`,
			`{"status": ["Status 304 has no body, which kind \"malformed\" damages; use a status that has one."]}`},
		{"truncate 204", `{"kind": "truncate", "status": 204}`,
			`{"status": ["Status 204 has no body, which kind \"truncate\" damages; use a status that has one."]}`},
		{"status 304 with a body", `{"kind": "status", "status": 304, "body": "{}"}`, `{"body": ["Status 304 has no body."]}`},
		{"X-Request-Id", `{"kind": "status", "status": 503, "headers": {"x-request-id": "mine"}}`,
			`{"headers": ["\"x-request-id\" is the server's own header; a fault may not set it."]}`},
		{"Content-Length", `{"kind": "malformed", "headers": {"Content-Length": "1"}}`,
			`{"headers": ["\"Content-Length\" is the server's own header; a fault may not set it."]}`},
	}
	for _, tt := range rules {
		t.Run("rule/"+tt.name, func(t *testing.T) {
			r := s.plain(t, call{method: "POST", path: "/__fake/faults", body: tt.rule})
			wantStatus(t, r, 400)
			wantJSON(t, r, tt.want)
		})
	}
	headers := []struct {
		name, header, want string
	}{
		{"malformed 304", "kind=malformed; status=304",
			`{"detail": "X-Fake-Fault: status: Status 304 has no body, which kind \"malformed\" damages; use a status that has one."}`},
		{"X-Request-Id", "kind=status; status=503; headers=X-Request-Id: mine",
			`{"detail": "X-Fake-Fault: headers: \"X-Request-Id\" is the server's own header; a fault may not set it."}`},
	}
	for _, tt := range headers {
		t.Run("header/"+tt.name, func(t *testing.T) {
			r := s.plain(t, call{method: "GET", path: healthPath, headers: map[string]string{"X-Fake-Fault": tt.header}})
			wantStatus(t, r, 400)
			wantJSON(t, r, tt.want)
			if id := r.Header.Get("X-Request-Id"); id == "" || id == "mine" {
				t.Errorf("X-Request-Id %q", id)
			}
		})
	}
	t.Run("nothing added", func(t *testing.T) {
		if rules := s.faults(t); len(rules) != 0 {
			t.Errorf("rules %v", rules)
		}
	})
}

// TestFaultRulesCap: the server holds at most MaxFaultRules rules, and their
// bodies and headers take at most MaxFaultRuleBytes; past either a rule is a
// 400 that says so, and deleting rules makes room again.
func TestFaultRulesCap(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	for i := 0; i < fake.MaxFaultRules; i++ {
		if _, err := s.Server.InjectFault(fake.FaultRule{Kind: fake.FaultClose, Path: "/api/me/", After: i}); err != nil {
			t.Fatalf("rule %d: %v", i+1, err)
		}
	}
	r := s.plain(t, call{method: "POST", path: "/__fake/faults", body: `{"kind": "close"}`})
	wantStatus(t, r, 400)
	wantJSON(t, r, `{"detail": "The fake holds at most 1000 fault rules, whose bodies and headers take at most 16 MiB together; it holds 1000 (8000 bytes). Delete some first (DELETE /__fake/faults/{id} or /__fake/faults)."}`)
	if _, err := s.Server.InjectFault(fake.FaultRule{Kind: fake.FaultClose}); err == nil {
		t.Error("InjectFault past the cap: no error")
	}
	wantStatus(t, s.plain(t, call{method: "DELETE", path: "/__fake/faults/1"}), 204)
	wantStatus(t, s.plain(t, call{method: "POST", path: "/__fake/faults", body: `{"kind": "close"}`}), 201)

	t.Run("bytes", func(t *testing.T) {
		s := newAPIServer(t)
		body := strings.Repeat("x", 1<<20-64) // each rule under the 1 MiB body limit
		rule := fmt.Sprintf(`{"kind": "status", "status": 503, "body": %q}`, body)
		for i := 0; i < fake.MaxFaultRuleBytes/len(body); i++ {
			wantStatus(t, s.plain(t, call{method: "POST", path: "/__fake/faults", body: rule}), 201)
		}
		r := s.plain(t, call{method: "POST", path: "/__fake/faults", body: rule})
		wantStatus(t, r, 400)
		if !strings.Contains(r.detail(t), "at most 16 MiB together") {
			t.Errorf("detail %q", r.detail(t))
		}
		wantStatus(t, s.plain(t, call{method: "DELETE", path: "/__fake/faults"}), 204)
		wantStatus(t, s.plain(t, call{method: "POST", path: "/__fake/faults", body: rule}), 201)
	})
	t.Run("WithFaults", func(t *testing.T) {
		rules := make([]fake.FaultRule, fake.MaxFaultRules+1)
		for i := range rules {
			rules[i] = fake.FaultRule{Kind: fake.FaultClose}
		}
		if _, err := fake.New(fake.WithFixtures(fake.Fixture{}), fake.WithFaults(rules...)); err == nil || !strings.Contains(err.Error(), "rule 1001: The fake holds at most 1000 fault rules") {
			t.Errorf("New with %d rules: %v", len(rules), err)
		}
	})
}

// TestEmailNonASCIILocalPartInAPI: Django's EmailValidator refuses a local
// part outside ASCII and accepts a quoted one; through the API as in
// email_test.go's table (issue 15's "mél@acme.test" was accepted once).
func TestEmailNonASCIILocalPartInAPI(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	path := "/api/groups/" + supportGroupID + "/memberships/"
	for _, tt := range []struct {
		email  string
		status int
		body   string
	}{
		{"mél@acme.test", http.StatusBadRequest, `{"email":["Enter a valid email address."]}`},
		{`"quoted"@acme.test`, http.StatusCreated, `"email":"\"quoted\"@acme.test"`},
	} {
		r := s.do(t, call{method: "POST", path: path, token: acmeAdmin, accept: v2, body: map[string]string{"email": tt.email}})
		if r.Status != tt.status || !strings.Contains(string(r.Body), tt.body) {
			t.Errorf("POST %q: %d %s; want %d with %s", tt.email, r.Status, r.Body, tt.status, tt.body)
		}
	}
}
