package fake_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// A Server is an http.Handler: serve it with net/http, or call it directly.
func ExampleNew() {
	srv, err := fake.New() // the embedded default data, seed 1
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	req := httptest.NewRequest("GET", "/api/organizations/", nil)
	req.Header.Set("Authorization", "Token acme-admin-token")
	req.Header.Set("Accept", "application/json; version=2.0")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)

	var teams []fake.Organization
	if err := json.Unmarshal(rec.Body.Bytes(), &teams); err != nil {
		log.Fatal(err)
	}
	fmt.Println(rec.Code, rec.Header().Get("X-Total-Count"))
	for _, team := range teams {
		fmt.Println(team.ID, team.Name, len(team.Members), "members")
	}
	// Output:
	// 200 1
	// 0a000000-0000-4000-8000-000000000001 Acme Corp 32 members
}

// In a test, t is the test's *testing.T: NewTestServer listens on
// 127.0.0.1, and t.Cleanup closes the server when the test ends. (An
// Example has no *testing.T, so this one runs with a stand-in, exampleT.)
func ExampleNewTestServer() {
	t := &exampleT{}
	defer t.cleanup()

	ts := fake.NewTestServer(t) // strict mode on: a response that breaks openapi.yaml is a 500
	req, _ := http.NewRequest("GET", ts.URL+"/api/me/", nil)
	req.Header.Set("Authorization", "Token acme-admin-token")
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatalf("GET /api/me/: %v", err)
	}
	defer resp.Body.Close()
	var me fake.Me
	if err := json.NewDecoder(resp.Body).Decode(&me); err != nil {
		t.Fatalf("decoding: %v", err)
	}
	fmt.Println(resp.StatusCode, me.Email, me.Organization.Name)

	// The server's methods are there too: the journal, faults, state, helpers.
	entries := ts.Journal(fake.JournalFilter{})
	fmt.Println(len(entries), entries[0].OperationID, entries[0].Caller)
	// Output:
	// 200 ada@acme.test Acme Corp
	// 1 retrieveMe ada@acme.test
}

// A fault rule makes matching requests fail on purpose; the function
// InjectFault returns removes it. (One request may also ask for its own
// fault with a header: "X-Fake-Fault: kind=delay; delay=2s".)
func ExampleServer_InjectFault() {
	srv, err := fake.New()
	if err != nil {
		log.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Close() // before ts.Close: ends requests that a fault holds

	remove, err := srv.InjectFault(fake.FaultRule{
		Method: "GET",
		Path:   "/api/organizations/{organization_pk}/memberships/",
		Kind:   fake.FaultStatus,
		Status: http.StatusServiceUnavailable,
		Times:  1, // then the rule expires
	})
	if err != nil {
		log.Fatal(err)
	}
	defer remove()

	get := func() {
		req, _ := http.NewRequest("GET", ts.URL+"/api/organizations/0a000000-0000-4000-8000-000000000001/memberships/", nil)
		req.Header.Set("Authorization", "Token acme-admin-token")
		resp, err := ts.Client().Do(req)
		if err != nil {
			log.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			var e struct{ Detail string }
			_ = json.NewDecoder(resp.Body).Decode(&e)
			fmt.Println(resp.StatusCode, e.Detail)
			return
		}
		var members []fake.Membership
		_ = json.NewDecoder(resp.Body).Decode(&members)
		fmt.Println(resp.StatusCode, len(members), "members")
	}
	get()
	get()
	fmt.Println(len(srv.Faults()), "rules left")
	// Output:
	// 503 Service temporarily unavailable, try again later.
	// 200 32 members
	// 0 rules left
}

// Fixtures give the fake the data a test needs. With a fixed seed and the
// default clock (one second per write from 2026-01-01), everything the fake
// makes up is the same on every run.
func ExampleWithFixtures() {
	srv, err := fake.New(
		fake.WithSeed(42),
		fake.WithFixtures(fake.Fixture{Organizations: []fake.FixtureOrganization{{
			ID:              "0c000000-0000-4000-8000-000000000003",
			Name:            "Initech",
			VerifiedDomains: []string{"initech.test"},
			Members: []fake.FixtureMember{
				{Email: "bill@initech.test", Name: "Bill Lumbergh", Role: fake.RoleAdmin, Token: "bill-token"},
				{Email: "peter@initech.test", Role: fake.RoleMember},
			},
			Groups: []fake.FixtureGroup{{Name: "TPS Reports", Members: []fake.FixtureGroupMember{{Email: "peter@initech.test"}}}},
		}}}),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	// Create a group over the API: created_at comes from the step clock.
	req := httptest.NewRequest("POST", "/api/organizations/0c000000-0000-4000-8000-000000000003/groups/",
		strings.NewReader(`{"name": "Printers"}`))
	req.Header.Set("Authorization", "Token bill-token")
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.String())

	// The typed helpers read the data without HTTP, and add to it.
	groups, _ := srv.Groups("0c000000-0000-4000-8000-000000000003")
	for _, g := range groups {
		fmt.Println(g.Name, g.NumMembers)
	}
	m, err := srv.AddMember("0c000000-0000-4000-8000-000000000003", fake.FixtureMember{Email: "milton@initech.test", Token: "milton-token"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.ID, m.User.Email, m.Role, srv.Tokens()["milton@initech.test"])
	// Output:
	// 201 {"id":"2e1f3fd4-3ed5-4280-b43d-13af0feb770d","name":"Printers","num_members":0,"created_at":"2026-01-01T00:00:01Z"}
	// Printers 0
	// TPS Reports 1
	// 3 milton@initech.test restricted milton-token
}

// exampleT stands in for the *testing.T that ExampleNewTestServer has not
// got: it runs cleanups when the example ends and panics on Fatal. Only the
// methods NewTestServer and the example call are implemented.
type exampleT struct {
	testing.TB
	cleanups []func()
}

func (t *exampleT) Helper()                   {}
func (t *exampleT) Cleanup(f func())          { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Fatalf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }

func (t *exampleT) cleanup() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}
