package fake_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	pixiebrixfake "github.com/pixiebrix-fake/pixiebrix-fake"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// The control plane is outside openapi.yaml, so the harness's contract check
// does not apply to it: plain checks it against the control plane's own
// document instead, and these tests check its JSON themselves.

// plain sends c like do, without checking the response against openapi.yaml:
// for the control plane, whose responses it checks against
// fake.ControlPlaneOpenAPI, and for API responses a fault makes up.
func (s *apiServer) plain(t testing.TB, c call) *response {
	t.Helper()
	r, req := s.send(t, c)
	if strings.HasPrefix(req.URL.Path, "/__fake/") {
		if err := validateControlResponse(req, r); err != nil {
			t.Errorf("%s %s: response breaks controlplane.yaml: %v\nstatus %d body %s", c.method, c.path, err, r.Status, r.Body)
		}
	}
	return r
}

// wantStatus fails the test unless r has the status.
func wantStatus(t testing.TB, r *response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
}

// wantJSON fails the test unless r's body is the same JSON as want.
func wantJSON(t testing.TB, r *response, want string) {
	t.Helper()
	var got, exp any
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatalf("body %s is not JSON: %v", r.Body, err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("want %s is not JSON: %v", want, err)
	}
	if !reflect.DeepEqual(got, exp) {
		t.Fatalf("body %s\nwant %s", r.Body, want)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
}

// faults lists the server's rules through the control plane.
func (s *apiServer) faults(t testing.TB) []map[string]any {
	t.Helper()
	r := s.plain(t, call{method: "GET", path: "/__fake/faults"})
	wantStatus(t, r, http.StatusOK)
	var rules []map[string]any
	r.decode(t, &rules)
	return rules
}

// addFault posts a rule and returns its id.
func (s *apiServer) addFault(t testing.TB, rule string) int {
	t.Helper()
	r := s.plain(t, call{method: "POST", path: "/__fake/faults", body: rule})
	wantStatus(t, r, http.StatusCreated)
	var added struct{ ID int }
	r.decode(t, &added)
	if added.ID < 1 {
		t.Fatalf("rule without an id: %s", r.Body)
	}
	return added.ID
}

// waitFor polls cond: for the few states a test cannot be told about, such
// as a request that is now hanging inside the server.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestControlPlaneRouting(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	cases := []struct {
		name    string
		call    call
		status  int
		body    string
		allow   string
		noBody  bool
		headers map[string]string
	}{
		{name: "health", call: call{method: "GET", path: "/__fake/health"}, status: 200, body: `{"status": "ready"}`},
		{name: "health/trailing-slash", call: call{method: "GET", path: "/__fake/health/"}, status: 200, body: `{"status": "ready"}`},
		{name: "health/ignores-pixiebrix-token", call: call{method: "GET", path: "/__fake/health", token: "not-a-token"}, status: 200, body: `{"status": "ready"}`},
		{name: "faults/empty", call: call{method: "GET", path: "/__fake/faults"}, status: 200, body: `[]`},
		{name: "requests/empty", call: call{method: "GET", path: "/__fake/requests"}, status: 200, body: `[]`},
		{name: "error/unknown-path", call: call{method: "GET", path: "/__fake/nope"}, status: 404, body: `{"detail": "Not found."}`},
		{name: "error/prefix-alone", call: call{method: "GET", path: "/__fake"}, status: 404, body: `{"detail": "Not found."}`},
		{name: "error/health-post", call: call{method: "POST", path: "/__fake/health"}, status: 405, body: `{"detail": "Method \"POST\" not allowed."}`, allow: "GET"},
		{name: "error/reset-get", call: call{method: "GET", path: "/__fake/reset"}, status: 405, body: `{"detail": "Method \"GET\" not allowed."}`, allow: "POST"},
		{name: "error/faults-put", call: call{method: "PUT", path: "/__fake/faults"}, status: 405, body: `{"detail": "Method \"PUT\" not allowed."}`, allow: "GET, POST, DELETE"},
		{name: "error/state-delete", call: call{method: "DELETE", path: "/__fake/state"}, status: 405, body: `{"detail": "Method \"DELETE\" not allowed."}`, allow: "GET, PUT"},
		{name: "error/fault-id-not-a-number", call: call{method: "DELETE", path: "/__fake/faults/abc"}, status: 404, body: `{"detail": "Not found."}`},
		{name: "error/fault-id-unknown", call: call{method: "GET", path: "/__fake/faults/99"}, status: 404, body: `{"detail": "Not found."}`},
		{name: "error/fault-id-nested", call: call{method: "GET", path: "/__fake/faults/1/x"}, status: 404, body: `{"detail": "Not found."}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := s.plain(t, tc.call)
			wantStatus(t, r, tc.status)
			wantJSON(t, r, tc.body)
			if got := r.Header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow %q, want %q", got, tc.allow)
			}
			if r.Header.Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id")
			}
		})
	}
}

// TestControlPlaneOutsideContract: the control plane is the fake's own and
// must never show up among openapi.yaml's API routes.
func TestControlPlaneOutsideContract(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData(pixiebrixfake.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	for path := range doc.Paths.Map() {
		if strings.Contains(path, "__fake") || !strings.HasPrefix(path, "/api/") {
			t.Errorf("openapi.yaml has path %s outside /api/", path)
		}
	}
	router, err := contract()
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/__fake/health", "/__fake/state", "/__fake/faults", "/__fake/requests"} {
		req, _ := http.NewRequest("GET", "http://127.0.0.1"+path, nil)
		if route, _, err := router.FindRoute(req); err == nil {
			t.Errorf("openapi.yaml routes %s to %s", path, route.Operation.OperationID)
		}
	}
}

func TestControlToken(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, fake.WithControlToken("s3cret"))
	unauthorized := `{"detail": "The control plane needs its token: Authorization: Bearer <token>."}`
	cases := []struct {
		name   string
		auth   string
		status int
		body   string
	}{
		{name: "error/none", status: 401, body: unauthorized},
		{name: "error/pixiebrix-token", auth: "Token " + acmeAdmin, status: 401, body: unauthorized},
		{name: "error/wrong", auth: "Bearer nope", status: 401, body: unauthorized},
		{name: "bearer", auth: "Bearer s3cret", status: 200, body: `{"status": "ready"}`},
		{name: "bearer/case-insensitive", auth: "bearer s3cret", status: 200, body: `{"status": "ready"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			headers := map[string]string{}
			if tc.auth != "" {
				headers["Authorization"] = tc.auth
			}
			r := s.plain(t, call{method: "GET", path: "/__fake/health", headers: headers})
			wantStatus(t, r, tc.status)
			wantJSON(t, r, tc.body)
			if tc.status == 401 && r.Header.Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
			}
		})
	}
	t.Run("api-unaffected", func(t *testing.T) {
		t.Parallel()
		r := s.do(t, call{method: "GET", path: "/api/organizations/" + acmeID + "/", token: acmeAdmin})
		wantStatus(t, r, 200)
	})
}

func TestReset(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	groupsPath := "/api/organizations/" + acmeID + "/groups/"
	before := s.do(t, call{method: "GET", path: groupsPath, token: acmeAdmin})

	var first fake.Group
	created := s.do(t, call{method: "POST", path: groupsPath, token: acmeAdmin, body: map[string]string{"name": "Temp"}})
	wantStatus(t, created, 201)
	created.decode(t, &first)
	s.addFault(t, `{"kind": "status", "status": 500, "path": "/api/me/"}`)
	wantStatus(t, s.do(t, call{method: "GET", path: "/api/me/", token: acmeAdmin}), 500)

	wantStatus(t, s.plain(t, call{method: "POST", path: "/__fake/reset"}), 204)
	wantJSON(t, s.plain(t, call{method: "GET", path: "/__fake/requests"}), `[]`)

	after := s.do(t, call{method: "GET", path: groupsPath, token: acmeAdmin})
	if !bytes.Equal(before.Body, after.Body) {
		t.Errorf("groups after reset\n%s\nwant\n%s", after.Body, before.Body)
	}
	if rules := s.faults(t); len(rules) != 0 {
		t.Errorf("rules after reset: %v", rules)
	}
	wantStatus(t, s.do(t, call{method: "GET", path: "/api/me/", token: acmeAdmin}), 200)

	// Ids and times start over from the seed: the same write makes the same group.
	var again fake.Group
	s.do(t, call{method: "POST", path: groupsPath, token: acmeAdmin, body: map[string]string{"name": "Temp"}}).decode(t, &again)
	if again != first {
		t.Errorf("group after reset %+v, want %+v", again, first)
	}
}

func TestResetRestoresStartFaultsAndThrottle(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t,
		fake.WithFaults(fake.FaultRule{Kind: fake.FaultStatus, Status: 500, Path: "/api/me/", Times: 1}),
		fake.WithThrottle("2/min"))
	me := call{method: "GET", path: "/api/me/", token: acmeAdmin}
	wantStatus(t, s.do(t, me), 500)
	wantStatus(t, s.do(t, me), 200)
	wantStatus(t, s.do(t, me), 429)
	s.Server.Reset()
	wantStatus(t, s.do(t, me), 500)
	wantStatus(t, s.do(t, me), 200)
	wantStatus(t, s.do(t, me), 429)
}

// TestGoAPIWhileServing changes rules, reads the journal and the state, and
// resets while requests are in flight; -race checks the locking.
func TestGoAPIWhileServing(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, fake.WithJournalSize(50))
	done := make(chan struct{})
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				resp, err := s.client.Get(s.URL + "/api/health/")
				if err != nil {
					errs <- err
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	for i := 0; i < 50; i++ {
		remove, err := s.Server.InjectFault(fake.FaultRule{Kind: fake.FaultStatus, Status: 503, Probability: 0.5})
		if err != nil {
			t.Fatal(err)
		}
		_ = s.Server.Faults()
		_ = s.Server.Journal(fake.JournalFilter{Status: 503})
		if i%10 == 0 {
			state := s.Server.State()
			if err := s.Server.LoadState(state); err != nil {
				t.Fatal(err)
			}
			s.Server.Reset()
		}
		remove()
		remove() // a second call does nothing
		s.Server.ClearJournal()
	}
	close(done)
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if rules := s.Server.Faults(); len(rules) != 0 {
		t.Errorf("rules left: %+v", rules)
	}
}

// BenchmarkReset measures POST /__fake/reset on the default fixture.
func BenchmarkReset(b *testing.B) {
	s := newAPIServer(b)
	for b.Loop() {
		if r := s.plain(b, call{method: "POST", path: "/__fake/reset"}); r.Status != http.StatusNoContent {
			b.Fatalf("status %d", r.Status)
		}
	}
}

// BenchmarkStateRoundTrip measures GET then PUT of /__fake/state.
func BenchmarkStateRoundTrip(b *testing.B) {
	s := newAPIServer(b)
	for b.Loop() {
		state := s.plain(b, call{method: "GET", path: "/__fake/state"})
		if r := s.plain(b, call{method: "PUT", path: "/__fake/state", body: state.Body}); r.Status != http.StatusNoContent {
			b.Fatalf("status %d", r.Status)
		}
	}
}

// BenchmarkJournaledRequest measures an API request with the journal on
// (the default) and off.
func BenchmarkJournaledRequest(b *testing.B) {
	for _, size := range []int{fake.DefaultJournalSize, 0} {
		b.Run(fmt.Sprintf("journal-%d", size), func(b *testing.B) {
			s := newAPIServer(b, fake.WithJournalSize(size))
			groups := "/api/organizations/" + acmeID + "/groups/"
			for b.Loop() {
				if r := s.plain(b, call{method: "GET", path: groups, token: acmeAdmin}); r.Status != http.StatusOK {
					b.Fatalf("status %d", r.Status)
				}
			}
		})
	}
}
