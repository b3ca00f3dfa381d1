package fake_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// TestAuditEveryWrite makes each kind of audited write through the API and
// reads the trail: one event per change, newest first, with the caller as
// the actor and the objects as they were.
func TestAuditEveryWrite(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	everyAPIWrite(t, s)
	events := auditTrail(t, s, acmeAudit+"?page_size=1000")
	slices.Reverse(events) // oldest first, the order of the writes
	want := []struct {
		action, target, object string
	}{
		{"membership.role_changed", "user", "membership"},     // PATCH /api/memberships/4/
		{"group.created", "group", "group"},                   // Durable
		{"group.renamed", "group", "group"},                   // Durable Ops
		{"group.member_added", "group", "group_membership"},   // max
		{"group.member_added", "group", "group_membership"},   // zed (pending)
		{"group.member_removed", "group", "group_membership"}, // PUT Support [dev]: ada,
		{"group.member_removed", "group", "group_membership"}, // mel,
		{"group.member_removed", "group", "group_membership"}, // rae,
		{"group.member_removed", "group", "group_membership"}, // new.hire go
		{"group.member_added", "group", "group_membership"},   // and dev comes
		{"group.member_removed", "group", "group_membership"}, // DELETE max
		{"campaign.created", "campaign", "campaign"},
		{"campaign.renamed", "campaign", "campaign"},
		{"campaign.member_upserted", "campaign", "campaign_member"}, // ada
		{"campaign.member_removed", "campaign", "campaign_member"},  // PUT Q1 [mel]: new.hire goes
		{"campaign.member_upserted", "campaign", "campaign_member"}, // mel's data changes
		{"campaign.deleted", "campaign", "campaign"},
		{"group.deleted", "group", "group"},
		{"membership.removed", "user", "membership"},
		{"service_account.created", "service_account", "membership"},
		{"service_account.created", "service_account", "membership"},
		{"service_account.deleted", "service_account", "membership"},
		{"deployment_key.created", "deployment_key", "membership"},
		{"deployment_key.created", "deployment_key", "membership"},
		{"deployment_key.deleted", "deployment_key", "membership"},
	}
	if len(events) != len(want) {
		t.Fatalf("%d events %v, want %d", len(events), actionTypes(events), len(want))
	}
	ada := userIDOf(t, s, acmeAdmin)
	for i, w := range want {
		ev := events[i]
		if ev.ActionType != w.action || ev.Target["content_type"] != w.target || ev.Object["content_type"] != w.object {
			t.Errorf("event %d: %s %v %v, want %s on %s/%s", i, ev.ActionType, ev.Target, ev.Object, w.action, w.target, w.object)
		}
		if ev.Actor == nil || ev.Actor.ID != ada || ev.Actor.Email != "ada@acme.test" {
			t.Errorf("event %d (%s): actor %+v, want Ada", i, ev.ActionType, ev.Actor)
		}
		if i > 0 && ev.Timestamp < events[i-1].Timestamp {
			t.Errorf("event %d at %s, before the one before it (%s)", i, ev.Timestamp, events[i-1].Timestamp)
		}
	}
	// The data of the role change, the rename and a pending member.
	checks := []struct {
		i    int
		key  string
		want any
	}{
		{0, "old_role", 1.0}, {0, "new_role", 4.0},
		{2, "old_name", "Durable"}, {2, "new_name", "Durable Ops"},
		{4, "email", "zed@acme.test"}, {4, "user_id", nil},
		{5, "email", "ada@acme.test"},
		{13, "created", true}, {15, "created", false},
		{18, "role", 4.0},
		{19, "role", 5.0},
	}
	for _, c := range checks {
		if got, ok := events[c.i].Data[c.key]; !ok || got != c.want {
			t.Errorf("event %d (%s) data %v: %s is %v, want %v", c.i, events[c.i].ActionType, events[c.i].Data, c.key, got, c.want)
		}
	}
	if events[18].Target["label"] != "rae@acme.test" || events[18].Object["id"] != "5" {
		t.Errorf("membership.removed names %v %v", events[18].Target, events[18].Object)
	}
	// The group's trail: the events whose target is the group.
	support := auditTrail(t, s, "/api/audit/groups/"+supportGroupID+"/")
	if got := actionTypes(support); !slices.Equal(got, []string{"group.member_added", "group.member_removed", "group.member_removed", "group.member_removed", "group.member_removed"}) {
		t.Errorf("Support's trail %v", got)
	}
	for _, ev := range support {
		if ev.Target["id"] != supportGroupID || ev.Target["label"] != "Support Agents" {
			t.Errorf("Support's trail holds %v", ev.Target)
		}
	}
	// Globex saw none of it.
	if trail, err := s.Server.AuditEvents(globexID); err != nil || len(trail) != 0 {
		t.Errorf("Globex's trail %+v %v", trail, err)
	}
}

// TestAuditRecordsNothingRefused: a write that fails, whatever stage
// refuses it, leaves the trail as it was; so does a write that changes
// nothing.
func TestAuditRecordsNothingRefused(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	refused := []call{
		{method: "POST", path: acmeGroups, token: acmeAdmin, body: map[string]string{"name": "Support Agents"}},                              // taken
		{method: "POST", path: "/api/groups/" + supportGroupID + "/memberships/", token: acmeAdmin, body: `[{"email": "a@elsewhere.test"}]`}, // not eligible
		{method: "PUT", path: "/api/groups/" + supportGroupID + "/memberships/", token: acmeAdmin, body: `[{"email": "dev@acme.test"}, {"user_id": "nope"}]`},
		{method: "DELETE", path: "/api/groups/" + salesGroupID + "/", token: acmeManager},       // forbidden
		{method: "PATCH", path: "/api/memberships/999/", token: acmeAdmin, body: `{"role": 2}`}, // not found
		{method: "POST", path: acmeServiceAccounts, token: acmeAdmin, body: `{"name": " "}`},    // blank
		{method: "POST", path: acmeCampaigns, token: acmeAdmin, body: `{"name": "Q1 Rollout"}`}, // taken
	}
	unchanged := []call{
		{method: "PATCH", path: "/api/memberships/4/", token: acmeAdmin, body: `{"role": 1}`},                                             // Mel is a member already
		{method: "PATCH", path: "/api/groups/" + salesGroupID + "/", token: acmeAdmin, body: `{"name": "Sales"}`},                         // same name
		{method: "POST", path: "/api/groups/" + supportGroupID + "/memberships/", token: acmeAdmin, body: `[{"email": "ada@acme.test"}]`}, // in it already
	}
	for _, c := range refused {
		if r := s.do(t, c); r.Status < 400 {
			t.Errorf("%s %s: %d %s, want it refused", c.method, c.path, r.Status, r.Body)
		}
	}
	for _, c := range unchanged {
		if r := s.do(t, c); r.Status >= 300 {
			t.Errorf("%s %s: %d %s", c.method, c.path, r.Status, r.Body)
		}
	}
	if events := auditTrail(t, s, acmeAudit); len(events) != 0 {
		t.Errorf("trail %v, want none", actionTypes(events))
	}
}

func TestAuditPagination(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	for i := range 5 {
		writeOK(t, s, "POST", acmeGroups, map[string]string{"name": fmt.Sprintf("Paged %d", i)})
	}
	r := s.do(t, call{method: "GET", path: acmeAudit + "?page_size=2&page=2", token: acmeAdmin, accept: v2})
	var page []auditEvent
	r.decode(t, &page)
	if len(page) != 2 || page[0].Data["name"] != "Paged 2" || page[1].Data["name"] != "Paged 1" {
		t.Errorf("page 2: %s", r.Body)
	}
	if r.Header.Get("X-Total-Count") != "5" || r.Header.Get("Link") == "" {
		t.Errorf("headers %v", r.Header)
	}
	assertAPI(t, s.do(t, call{method: "GET", path: acmeAudit + "?page=4&page_size=2", token: acmeAdmin, accept: v2}),
		apiWant{status: 404, body: `{"detail":"Invalid page."}`})
}

// TestAuditActorNull: a change made from Go has no actor; a service
// account's change names the service account.
func TestAuditActors(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	sa, err := s.Server.CreateServiceAccount(acmeID, "Go bot", fake.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	r := s.do(t, call{method: "POST", path: acmeGroups, token: sa.Token, body: map[string]string{"name": "By a bot"}})
	if r.Status != 201 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	events := auditTrail(t, s, acmeAudit)
	if len(events) != 2 || events[1].Actor != nil || events[1].ActionType != "service_account.created" {
		t.Fatalf("events %+v", events)
	}
	if a := events[0].Actor; a == nil || a.ID != sa.ID || !a.ServiceAccount {
		t.Errorf("actor of the bot's write %+v", a)
	}
	// The actor is copied: the trail outlives the account.
	if err := s.Server.DeleteServiceAccount(acmeID, sa.ID); err != nil {
		t.Fatal(err)
	}
	events = auditTrail(t, s, acmeAudit)
	if len(events) != 3 || events[1].Actor == nil || events[1].Actor.ID != sa.ID {
		t.Errorf("after the account went: %+v", events)
	}
}

// TestAuditStateRoundTrip: the trail is in the state and comes back byte
// for byte, through PUT /__fake/state and through a state file's replay.
func TestAuditStateRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state")
	s := newDurableServer(t, path)
	everyAPIWrite(t, s)
	if _, err := s.Server.CreateServiceAccount(acmeID, "Go bot", 0); err != nil {
		t.Fatal(err)
	}
	state, _ := s.send(t, call{method: "GET", path: "/__fake/state"})
	var parsed fake.Fixture
	state.decode(t, &parsed)
	var acme fake.FixtureOrganization
	for _, org := range parsed.Organizations {
		if org.ID == acmeID {
			acme = org
		}
	}
	if len(acme.Audit) != 26 || acme.Audit[25].Actor != nil || acme.Audit[0].Actor == nil {
		t.Fatalf("state's trail: %d events", len(acme.Audit))
	}
	other := newAPIServer(t)
	if r, _ := other.send(t, call{method: "PUT", path: "/__fake/state", body: string(state.Body)}); r.Status != 204 {
		t.Fatalf("PUT /__fake/state: %d %s", r.Status, r.Body)
	}
	// The trails' bytes. (Not the whole state's: a campaign member's 1.50
	// comes back as 1.5, which is not this test's concern.)
	again, _ := other.send(t, call{method: "GET", path: "/__fake/state"})
	if got, want := rawTrails(t, again.Body), rawTrails(t, state.Body); got != want {
		t.Errorf("trails after PUT differ:\n%s\nwant\n%s", got, want)
	}
	want := string(s.do(t, call{method: "GET", path: acmeAudit, token: acmeAdmin}).Body)
	for name, srv := range map[string]*apiServer{"put-state": other, "replay": newDurableServer(t, path)} {
		if got := string(srv.do(t, call{method: "GET", path: acmeAudit, token: acmeAdmin}).Body); got != want {
			t.Errorf("%s: trail\n%s\nwant\n%s", name, got, want)
		}
	}
}

// TestAuditFixture: a fixture may write a trail by hand; absent fields are
// drawn, bad ones refused.
func TestAuditFixture(t *testing.T) {
	t.Parallel()
	team := fake.FixtureOrganization{
		Name:    "Audited",
		Members: []fake.FixtureMember{{Email: "boss@audited.test", Role: fake.RoleAdmin, Token: "boss-token"}},
		Audit: []fake.FixtureAuditEvent{
			{ActionType: "group.created", TargetObject: fake.FixtureAuditObject{ID: "g1", ContentType: "group", Label: "Old"}, ActionObject: fake.FixtureAuditObject{ID: "g1"}},
			{ActionType: "custom.imported", TargetObject: fake.FixtureAuditObject{ID: "x"}, ActionObject: fake.FixtureAuditObject{ID: "y"}, Data: map[string]any{"n": 1}},
		},
	}
	ts := fake.NewTestServer(t, fake.WithFixtures(fake.Fixture{Organizations: []fake.FixtureOrganization{team}}))
	id := ts.Teams()[0].ID
	events, err := ts.AuditEvents(id)
	if err != nil || len(events) != 2 || events[0].ActionType != "custom.imported" || events[1].TargetObject.Label != "Old" || events[0].ID == "" || events[0].Actor != nil {
		t.Errorf("events %+v %v", events, err)
	}
	for name, bad := range map[string]fake.FixtureAuditEvent{
		"no-action":    {TargetObject: fake.FixtureAuditObject{ID: "x"}, ActionObject: fake.FixtureAuditObject{ID: "y"}},
		"no-target-id": {ActionType: "a.b", ActionObject: fake.FixtureAuditObject{ID: "y"}},
		"bad-id":       {ID: "nope", ActionType: "a.b", TargetObject: fake.FixtureAuditObject{ID: "x"}, ActionObject: fake.FixtureAuditObject{ID: "y"}},
		"bad-actor":    {ActionType: "a.b", TargetObject: fake.FixtureAuditObject{ID: "x"}, ActionObject: fake.FixtureAuditObject{ID: "y"}, Actor: &fake.FixtureAuditActor{ID: "nope", Email: "a@b.test"}},
	} {
		srv, err := fake.New(fake.WithFixtures(fake.Fixture{Organizations: []fake.FixtureOrganization{{Name: "Bad", Audit: []fake.FixtureAuditEvent{bad}}}}))
		if err == nil {
			srv.Close()
			t.Errorf("%s: fixture accepted", name)
		}
	}
}

// rawTrails is the bytes of every team's "audit" in a state.
func rawTrails(t testing.TB, state []byte) string {
	t.Helper()
	var parsed struct {
		Organizations []struct {
			Audit json.RawMessage `json:"audit"`
		} `json:"organizations"`
	}
	if err := json.Unmarshal(state, &parsed); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, org := range parsed.Organizations {
		out = append(out, string(org.Audit))
	}
	return strings.Join(out, "\n")
}

// TestAuditBound: a team keeps its newest 10,000 events; a fixture with
// more keeps the newest, and a write then drops the oldest.
func TestAuditBound(t *testing.T) {
	t.Parallel()
	events := make([]fake.FixtureAuditEvent, 10_001)
	for i := range events {
		events[i] = fake.FixtureAuditEvent{
			ActionType:   "custom.imported",
			TargetObject: fake.FixtureAuditObject{ID: fmt.Sprint(i)},
			ActionObject: fake.FixtureAuditObject{ID: fmt.Sprint(i)},
		}
	}
	ts := fake.NewTestServer(t, fake.WithFixtures(fake.Fixture{Organizations: []fake.FixtureOrganization{{
		Name: "Busy", Members: []fake.FixtureMember{{Email: "boss@busy.test", Role: fake.RoleAdmin}}, Audit: events,
	}}}))
	id := ts.Teams()[0].ID
	trail, err := ts.AuditEvents(id)
	if err != nil || len(trail) != 10_000 || trail[0].TargetObject.ID != "10000" || trail[9_999].TargetObject.ID != "1" {
		t.Fatalf("%d events, newest %v, oldest %v, %v", len(trail), trail[0].TargetObject, trail[len(trail)-1].TargetObject, err)
	}
	if _, err := ts.CreateDeploymentKey(id, "One more"); err != nil {
		t.Fatal(err)
	}
	trail, _ = ts.AuditEvents(id)
	if len(trail) != 10_000 || trail[0].ActionType != "deployment_key.created" || trail[9_999].TargetObject.ID != "2" {
		t.Errorf("after a write: %d events, newest %s, oldest %v", len(trail), trail[0].ActionType, trail[len(trail)-1].TargetObject)
	}
}
