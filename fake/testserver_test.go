package fake_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// longEmail is a valid address longer than the 254 characters openapi.yaml
// allows a user's email: fixtures accept it, so a response carrying it
// breaks the contract (see the report: the seeder should refuse it).
var longEmail = strings.Repeat("a", 64) + "@" + strings.Repeat(strings.Repeat("b", 60)+".", 4) + "test"

// offContractEmail is the member of offContract whose email breakContract
// makes longEmail, which the fixture loader would refuse.
const offContractEmail = "long@off.test"

// breakContract makes offContract's member list break openapi.yaml.
func breakContract(s *apiServer) *apiServer {
	fake.SetUserEmailForTest(s.Server, offContractEmail, longEmail)
	return s
}

// offContract is a team whose member list breakContract makes break
// openapi.yaml.
func offContract() fake.Fixture {
	return fake.Fixture{Organizations: []fake.FixtureOrganization{{
		ID:   "0c000000-0000-4000-8000-000000000003",
		Name: "Off Contract",
		Members: []fake.FixtureMember{
			{Email: "admin@off.test", Role: fake.RoleAdmin, Token: "off-admin"},
			{Email: offContractEmail, Role: fake.RoleMember},
		},
	}}}
}

const offMembers = "/api/organizations/0c000000-0000-4000-8000-000000000003/memberships/"

// wantViolation is what strict mode says of offMembers.
const wantViolation = "Response breaks openapi.yaml: response body doesn't match schema: /1/user/email: maximum string length is 254"

func TestResponseValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		newServer  func(t *testing.T) *apiServer
		path       string
		fault      string // X-Fake-Fault header
		wantStatus int
		wantDetail string // the detail, X-Fake-Validation and journal's validation_error; "" for none
	}{
		{"new/off-by-default", func(t *testing.T) *apiServer {
			return newAPIServer(t, fake.WithFixtures(offContract()))
		}, offMembers, "", http.StatusOK, ""},
		{"new/with-option", func(t *testing.T) *apiServer {
			return newAPIServer(t, fake.WithFixtures(offContract()), fake.WithResponseValidation(true))
		}, offMembers, "", http.StatusInternalServerError, wantViolation},
		{"test-server/on-by-default", func(t *testing.T) *apiServer {
			return asAPIServer(fake.NewTestServer(t, fake.WithFixtures(offContract())))
		}, offMembers, "", http.StatusInternalServerError, wantViolation},
		{"test-server/turned-off", func(t *testing.T) *apiServer {
			return asAPIServer(fake.NewTestServer(t, fake.WithFixtures(offContract()), fake.WithResponseValidation(false)))
		}, offMembers, "", http.StatusOK, ""},
		{"test-server/valid-response", func(t *testing.T) *apiServer {
			return asAPIServer(fake.NewTestServer(t, fake.WithFixtures(offContract())))
		}, "/api/me/", "", http.StatusOK, ""},
		{"test-server/error-response", func(t *testing.T) *apiServer {
			return asAPIServer(fake.NewTestServer(t, fake.WithFixtures(offContract())))
		}, "/api/groups/0f000000-0000-4000-8000-000000000000/", "", http.StatusNotFound, ""},
		// A fault's answer is off the contract on purpose: strict mode lets
		// it through, even with a status the operation does not declare.
		{"fault/status-undeclared", func(t *testing.T) *apiServer {
			return asAPIServer(fake.NewTestServer(t, fake.WithFixtures(offContract())))
		}, "/api/me/", "kind=status; status=418", http.StatusTeapot, ""},
		{"fault/malformed", func(t *testing.T) *apiServer {
			return asAPIServer(fake.NewTestServer(t, fake.WithFixtures(offContract())))
		}, offMembers, "kind=malformed", http.StatusOK, ""},
		// The fake's own complaint about a fault header is not the API's either.
		{"fault/bad-header", func(t *testing.T) *apiServer {
			return asAPIServer(fake.NewTestServer(t, fake.WithFixtures(offContract())))
		}, "/api/me/", "kind=explode", http.StatusBadRequest,
			`X-Fake-Fault: kind: "explode" is not a valid choice (one of status, delay, reset, close, truncate, malformed, hang).`},
		// A delay fault serves the real answer late, and it is checked.
		{"fault/delay-checked", func(t *testing.T) *apiServer {
			return asAPIServer(fake.NewTestServer(t, fake.WithFixtures(offContract())))
		}, offMembers, "kind=delay; delay=1ms", http.StatusInternalServerError, wantViolation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := breakContract(tt.newServer(t))
			c := call{method: "GET", path: tt.path, token: "off-admin"}
			if tt.fault != "" {
				c.headers = map[string]string{fake.FaultHeader: tt.fault}
			}
			r, _ := s.send(t, c)
			if r.Status != tt.wantStatus {
				t.Fatalf("status %d; want %d (body %s)", r.Status, tt.wantStatus, r.Body)
			}
			journal := s.Server.Journal(fake.JournalFilter{})
			if len(journal) != 1 {
				t.Fatalf("journal has %d entries; want 1", len(journal))
			}
			entry := journal[0]
			if entry.Status != tt.wantStatus || entry.RequestID != r.Header.Get("X-Request-Id") {
				t.Errorf("journal entry: status %d, request id %q; want %d, %q", entry.Status, entry.RequestID, tt.wantStatus, r.Header.Get("X-Request-Id"))
			}
			if tt.wantDetail == "" {
				if h := r.Header.Get(fake.ValidationHeader); h != "" || entry.ValidationError != "" {
					t.Errorf("header %q, journal validation_error %q; want none", h, entry.ValidationError)
				}
				return
			}
			if got := r.detail(t); got != tt.wantDetail {
				t.Errorf("detail %q; want %q", got, tt.wantDetail)
			}
			if got := r.Header.Get(fake.ValidationHeader); got != tt.wantDetail {
				t.Errorf("%s %q; want %q", fake.ValidationHeader, got, tt.wantDetail)
			}
			if entry.ValidationError != tt.wantDetail {
				t.Errorf("journal validation_error %q; want %q", entry.ValidationError, tt.wantDetail)
			}
			if got := r.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type %q", got)
			}
		})
	}
}

// The 500 of strict mode is itself within the contract (do checks it), and
// keeps none of the headers of the answer it replaces.
func TestResponseValidationAnswerKeepsContract(t *testing.T) {
	t.Parallel()
	s := breakContract(asAPIServer(fake.NewTestServer(t, fake.WithFixtures(offContract()))))
	r := s.do(t, call{method: "GET", path: offMembers + "?page_size=5", token: "off-admin", accept: v2})
	if r.Status != http.StatusInternalServerError || r.detail(t) != wantViolation {
		t.Errorf("%d %s", r.Status, r.Body)
	}
	if r.Header.Get("Link") != "" || r.Header.Get("X-Total-Count") != "" {
		t.Errorf("the 500 kept the pagination headers of the replaced answer: %v", r.Header)
	}
}

func TestNewTestServer(t *testing.T) {
	t.Parallel()
	ts := fake.NewTestServer(t)
	if strings.HasSuffix(ts.URL, "/") || !strings.HasPrefix(ts.URL, "http://127.0.0.1:") {
		t.Errorf("URL %q; want http://127.0.0.1:port without a trailing slash", ts.URL)
	}
	if !ts.ResponseValidation() {
		t.Error("strict mode is off in NewTestServer")
	}
	req, err := http.NewRequest("GET", ts.URL+"/api/me/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Token "+acmeAdmin)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var me fake.Me
	if err := json.NewDecoder(resp.Body).Decode(&me); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || me.Email != "ada@acme.test" {
		t.Errorf("GET /api/me/: %d %+v", resp.StatusCode, me)
	}
	// The server's methods are reachable from the test server.
	if got := len(ts.Journal(fake.JournalFilter{})); got != 1 {
		t.Errorf("journal has %d entries; want 1", got)
	}
}

// fatalRecorder is a testing.TB whose Fatalf records the message and
// unwinds with errFatal instead of failing the test, to see what
// NewTestServer does with a bad option.
type fatalRecorder struct {
	testing.TB
	fatal string
}

var errFatal = errors.New("Fatalf")

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.fatal = fmt.Sprintf(format, args...)
	panic(errFatal)
}
func (f *fatalRecorder) Helper() {}

func TestNewTestServerBadOption(t *testing.T) {
	t.Parallel()
	rec := &fatalRecorder{TB: t}
	func() {
		defer func() {
			if v := recover(); v != errFatal {
				panic(v)
			}
		}()
		fake.NewTestServer(rec, fake.WithPageSize(0))
		t.Error("NewTestServer went on after Fatalf")
	}()
	if want := "fake.NewTestServer: page size 0 is outside 1 to 1000"; rec.fatal != want {
		t.Errorf("Fatal %q; want %q", rec.fatal, want)
	}
}

// Closing ends hanging requests at once: the test's cleanup does not wait
// for the five-minute bound of a hang, and goleak (TestMain) sees no
// goroutine left.
func TestNewTestServerCleanupEndsHangs(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	t.Run("hang", func(t *testing.T) {
		ts := fake.NewTestServer(t)
		if _, err := ts.InjectFault(fake.FaultRule{Kind: fake.FaultHang, Path: "/api/me/"}); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("GET", ts.URL+"/api/me/", nil)
			req.Header.Set("Authorization", "Token "+acmeAdmin)
			resp, err := ts.Client().Do(req)
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				t.Errorf("a hanging request got an answer: %d", resp.StatusCode)
			}
		}()
		// The rule has fired: the request is hanging when the subtest ends.
		waitFor(t, "the hang", func() bool { f := ts.Faults(); return len(f) == 1 && f[0].Fired == 1 })
	})
	wg.Wait()
}

// Many fakes in parallel, each with its own data, while strict mode, fault
// rules and data change under requests in flight: -race proves the server
// safe, and goleak (TestMain) that nothing outlives the servers.
func TestNewTestServerInParallel(t *testing.T) {
	t.Parallel()
	for i := range 8 {
		t.Run(fmt.Sprintf("server-%d", i), func(t *testing.T) {
			t.Parallel()
			teamID := fmt.Sprintf("0d000000-0000-4000-8000-%012d", i)
			token := fmt.Sprintf("owner-%d-token", i)
			ts := fake.NewTestServer(t, fake.WithSeed(int64(i)), fake.WithFixtures(fake.Fixture{
				Organizations: []fake.FixtureOrganization{{
					ID: teamID, Name: fmt.Sprintf("Team %d", i), VerifiedDomains: []string{"team.test"},
					Members: []fake.FixtureMember{{Email: "owner@team.test", Role: fake.RoleAdmin, Token: token}},
				}},
			}))
			const workers, requests, added = 4, 25, 10
			var wg sync.WaitGroup
			statuses := make(chan int, workers*requests)
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range requests {
						req, _ := http.NewRequest("GET", ts.URL+"/api/organizations/"+teamID+"/memberships/", nil)
						req.Header.Set("Authorization", "Token "+token)
						resp, err := ts.Client().Do(req)
						if err != nil {
							t.Errorf("GET memberships: %v", err)
							return
						}
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						statuses <- resp.StatusCode
					}
				}()
			}
			// Meanwhile: members added, strict mode flipped, faults come and go.
			for k := range added {
				if _, err := ts.AddMember(teamID, fake.FixtureMember{Email: fmt.Sprintf("m%d@team.test", k)}); err != nil {
					t.Errorf("AddMember: %v", err)
				}
				ts.SetResponseValidation(k%2 == 0)
				remove, err := ts.InjectFault(fake.FaultRule{Kind: fake.FaultStatus, Status: http.StatusServiceUnavailable, Probability: 0.5})
				if err != nil {
					t.Fatal(err)
				}
				_ = ts.Faults()
				_ = ts.Journal(fake.JournalFilter{})
				remove()
			}
			wg.Wait()
			close(statuses)
			for status := range statuses {
				if status != http.StatusOK && status != http.StatusServiceUnavailable {
					t.Errorf("status %d; want 200, or 503 from the fault", status)
				}
			}
			// Each server has its own data, and only its own.
			teams := ts.Teams()
			if len(teams) != 1 || teams[0].ID != teamID || len(teams[0].Members) != 1+added {
				t.Errorf("Teams = %d teams, first %s with %d members; want only %s with %d", len(teams), teams[0].ID, len(teams[0].Members), teamID, 1+added)
			}
			if got := len(ts.Journal(fake.JournalFilter{})); got != workers*requests {
				t.Errorf("journal has %d entries; want %d", got, workers*requests)
			}
		})
	}
}

// BenchmarkResponseValidation is the cost of strict mode on a page of 20
// memberships and on the whole default team (32) in version 1.0.
func BenchmarkResponseValidation(b *testing.B) {
	for _, page := range []struct{ name, query, accept string }{
		{"page-20", "?page_size=20", v2},
		{"whole-team", "", ""},
	} {
		for _, strict := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/strict=%v", page.name, strict), func(b *testing.B) {
				srv, err := fake.New(fake.WithResponseValidation(strict))
				if err != nil {
					b.Fatal(err)
				}
				req := httptest.NewRequest(http.MethodGet, "/api/organizations/"+acmeID+"/memberships/"+page.query, nil)
				req.Header.Set("Authorization", "Token "+acmeAdmin)
				if page.accept != "" {
					req.Header.Set("Accept", page.accept)
				}
				b.ReportAllocs()
				for b.Loop() {
					rec := httptest.NewRecorder()
					srv.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("status %d: %s", rec.Code, rec.Body)
					}
				}
			})
		}
	}
}
