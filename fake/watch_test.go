package fake_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// TestReplaceFixture: the new fixture's data replaces the old, as at start,
// and is what a reset goes back to; an invalid one changes nothing; fault
// rules and the journal stay. (The file watching itself is tested through
// the binary: cmd/pixiebrix-fake's TestWatch.)
func TestReplaceFixture(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	s.addFault(t, `{"kind": "status", "status": 503, "path": "/api/groups/{id}/"}`)
	s.do(t, call{method: "GET", path: "/api/me/", token: acmeAdmin})
	replacement := fake.Fixture{Organizations: []fake.FixtureOrganization{{
		Name: "Replaced", Members: []fake.FixtureMember{{Email: "rita@replaced.test", Role: fake.RoleAdmin, Token: "rita-token"}},
	}}}
	bad := fake.Fixture{Organizations: []fake.FixtureOrganization{{
		Name: "Bad", Members: []fake.FixtureMember{{Email: "not-an-email", Role: fake.RoleAdmin}},
	}}}
	if err := s.Server.ReplaceFixture(bad); err == nil {
		t.Fatal("an invalid fixture was taken")
	}
	wantStatus(t, s.do(t, call{method: "GET", path: "/api/me/", token: acmeAdmin}), http.StatusOK)
	if err := s.Server.ReplaceFixture(replacement); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, s.do(t, call{method: "GET", path: "/api/me/", token: acmeAdmin}), http.StatusUnauthorized)
	me := s.do(t, call{method: "GET", path: "/api/me/", token: "rita-token"})
	wantStatus(t, me, http.StatusOK)
	if n, err := s.Server.RequestCount(fake.JournalFilter{OperationID: "retrieveMe"}); err != nil || n != 4 {
		t.Errorf("the journal after the replacement holds %d /api/me/ requests (%v), want 4", n, err)
	}
	if len(s.faults(t)) != 1 {
		t.Error("the fault rule did not stay")
	}
	s.Server.Reset()
	wantStatus(t, s.do(t, call{method: "GET", path: "/api/me/", token: "rita-token"}), http.StatusOK)
	if tokens := s.Server.Tokens(); len(tokens) != 1 || tokens["rita@replaced.test"] != "rita-token" {
		t.Errorf("after a reset, tokens %v", tokens)
	}
}

func TestWatchFixtureFileRefused(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	err := s.Server.WatchFixtureFile(context.Background(), 0)
	if err == nil || !strings.Contains(err.Error(), "no fixture file") {
		t.Errorf("error %v", err)
	}
}
