package fake_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

const (
	acmeServiceAccounts = acmePath + "serviceaccounts/"
	acmeDeploymentKeys  = acmePath + "deployment-keys/"
	acmeAudit           = "/api/audit/organizations/" + acmeID + "/"
)

// userIDOf is the user id of a token's holder, from GET /api/me/.
func userIDOf(t testing.TB, s *apiServer, token string) string {
	t.Helper()
	r := s.do(t, call{method: "GET", path: "/api/me/", token: token})
	var me struct {
		ID string `json:"id"`
	}
	r.decode(t, &me)
	if me.ID == "" {
		t.Fatalf("GET /api/me/ with %s: %d %s", token, r.Status, r.Body)
	}
	return me.ID
}

// serviceAccount is a service account as the API answers it.
type serviceAccount struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	Role         int     `json:"role"`
	CreatedAt    string  `json:"created_at"`
	LastActiveAt *string `json:"last_active_at"`
	Token        *string `json:"token"`
}

// auditEvent is an audit event as the API answers it.
type auditEvent struct {
	ID    string `json:"id"`
	Actor *struct {
		ID             string `json:"id"`
		Email          string `json:"email"`
		ServiceAccount bool   `json:"service_account"`
	} `json:"actor"`
	Target     map[string]string `json:"target_object"`
	Object     map[string]string `json:"action_object"`
	ActionType string            `json:"action_type"`
	Data       map[string]any    `json:"data"`
	Timestamp  string            `json:"timestamp"`
}

// createServiceAccount makes a service account as Acme's admin.
func createServiceAccount(t testing.TB, s *apiServer, body any) serviceAccount {
	t.Helper()
	var sa serviceAccount
	writeOK(t, s, "POST", acmeServiceAccounts, body).decode(t, &sa)
	return sa
}

// auditTrail is a team's whole trail, newest first.
func auditTrail(t testing.TB, s *apiServer, path string) []auditEvent {
	t.Helper()
	var events []auditEvent
	r := s.do(t, call{method: "GET", path: path, token: acmeAdmin})
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	r.decode(t, &events)
	return events
}

func actionTypes(events []auditEvent) []string {
	out := make([]string, 0, len(events))
	for _, ev := range events {
		out = append(out, ev.ActionType)
	}
	return out
}

func TestKeysRoles(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	saPath := acmeServiceAccounts + userIDOf(t, s, acmeService) + "/"
	keyPath := acmeDeploymentKeys + userIDOf(t, s, acmeDeploymentKey) + "/"
	reads := []string{acmeServiceAccounts, saPath, acmeDeploymentKeys, keyPath, acmeAudit, "/api/audit/groups/" + supportGroupID + "/"}
	tests := []struct {
		token  string
		status int
		body   string
	}{
		{acmeAdmin, 200, ""},
		{acmeService, 200, ""}, // Sync Bot is an admin
		{acmeManager, 403, forbidden},
		{acmeDeveloper, 403, forbidden},
		{acmeMember, 403, forbidden},
		{acmeRestricted, 403, forbidden},
		{acmeDeploymentKey, 403, forbidden},
		{globexAdmin, 404, notFound},
		{"", 401, `{"detail":"Authentication credentials were not provided."}`},
	}
	for _, tc := range tests {
		for _, path := range reads {
			t.Run(tc.token+path, func(t *testing.T) {
				assertAPI(t, s.do(t, call{method: "GET", path: path, token: tc.token}), apiWant{status: tc.status, body: tc.body})
			})
		}
		for _, path := range []string{acmeServiceAccounts, acmeDeploymentKeys} {
			if tc.status == 200 {
				continue // the writes of admins are tested below
			}
			t.Run(tc.token+"POST"+path, func(t *testing.T) {
				assertAPI(t, s.do(t, call{method: "POST", path: path, token: tc.token, body: map[string]string{"name": "Refused"}}),
					apiWant{status: tc.status, body: tc.body})
			})
		}
	}
	if sa, _ := s.Server.ServiceAccounts(acmeID); len(sa) != 1 {
		t.Errorf("refused writes made service accounts: %+v", sa)
	}
}

func TestServiceAccountLifecycle(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	sa := createServiceAccount(t, s, map[string]string{"name": "  Nightly sync  "})
	if sa.Name != "Nightly sync" || sa.Role != 4 || sa.Token == nil || len(*sa.Token) != 40 || sa.LastActiveAt != nil {
		t.Fatalf("created %+v", sa)
	}
	token := *sa.Token

	// The token authenticates at once, as a service account of the team.
	var me struct {
		ID             string `json:"id"`
		ServiceAccount bool   `json:"service_account"`
		Memberships    []struct {
			Organization string `json:"organization"`
			Role         int    `json:"role"`
		} `json:"organization_memberships"`
	}
	s.do(t, call{method: "GET", path: "/api/me/", token: token}).decode(t, &me)
	if me.ID != sa.ID || !me.ServiceAccount || len(me.Memberships) != 1 || me.Memberships[0].Organization != acmeID || me.Memberships[0].Role != 4 {
		t.Errorf("me %+v", me)
	}
	// It is a member: listed, filtered, and may join groups.
	var members []fake.Membership
	s.do(t, call{method: "GET", path: acmeMemberships + "?user__service_account=true", token: acmeAdmin}).decode(t, &members)
	if got := memberEmails(members); len(got) != 2 || got[0] != "sync-bot@acme.test" || members[1].User.ID != sa.ID || members[1].User.Name != "Nightly sync" {
		t.Errorf("service-account members %v", got)
	}
	writeOK(t, s, "POST", "/api/groups/"+supportGroupID+"/memberships/", map[string]string{"user_id": sa.ID})

	// The token is shown once: no later read has it.
	for _, path := range []string{acmeServiceAccounts, acmeServiceAccounts + sa.ID + "/"} {
		r := s.do(t, call{method: "GET", path: path, token: acmeAdmin})
		if r.Status != 200 || strings.Contains(string(r.Body), "token") || strings.Contains(string(r.Body), token) {
			t.Errorf("GET %s: %d %s", path, r.Status, r.Body)
		}
	}
	var one serviceAccount
	s.do(t, call{method: "GET", path: acmeServiceAccounts + strings.ToUpper(sa.ID) + "/", token: acmeAdmin}).decode(t, &one)
	if one.ID != sa.ID || one.Name != sa.Name || one.Role != 4 || one.CreatedAt != sa.CreatedAt {
		t.Errorf("retrieved %+v, created %+v", one, sa)
	}

	// Offboarding: deleted, its token is refused, its places are gone.
	writeOK(t, s, "DELETE", acmeServiceAccounts+sa.ID+"/", nil)
	assertAPI(t, s.do(t, call{method: "GET", path: "/api/me/", token: token}), apiWant{status: 401, body: invalidToken})
	assertAPI(t, s.do(t, call{method: "GET", path: acmeServiceAccounts + sa.ID + "/", token: acmeAdmin}), apiWant{status: 404, body: notFound})
	assertAPI(t, s.do(t, call{method: "DELETE", path: acmeServiceAccounts + sa.ID + "/", token: acmeAdmin}), apiWant{status: 404, body: notFound})
	s.do(t, call{method: "GET", path: acmeMemberships + "?user__id=" + sa.ID, token: acmeAdmin}).decode(t, &members)
	if len(members) != 0 {
		t.Errorf("membership left: %+v", members)
	}
	group, err := s.Server.GroupMembers(supportGroupID)
	if err != nil {
		t.Fatal(err)
	}
	for _, gm := range group {
		if gm.User != nil && gm.User.ID == sa.ID {
			t.Errorf("group place left: %+v", gm)
		}
	}
}

func TestServiceAccountRoles(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	tests := []struct {
		name string
		call call
		role int
	}{
		{"json/admin", call{body: map[string]any{"name": "Admin bot", "role": 2}}, 2},
		{"form/manager", formCall("POST", acmeServiceAccounts, "name=Manager+bot&role=5"), 5},
		{"multipart/default", multipartCall(t, "POST", acmeServiceAccounts, formPart{name: "name", value: "Default bot"}), 4},
	}
	for _, tc := range tests {
		c := tc.call
		c.method, c.path, c.token = "POST", acmeServiceAccounts, acmeAdmin
		var sa serviceAccount
		r := s.do(t, c)
		r.decode(t, &sa)
		if r.Status != 201 || sa.Role != tc.role || sa.Token == nil {
			t.Errorf("%s: %d %s", tc.name, r.Status, r.Body)
			continue
		}
		var m []fake.Membership
		s.do(t, call{method: "GET", path: acmeMemberships + "?user__id=" + sa.ID, token: acmeAdmin}).decode(t, &m)
		if len(m) != 1 || int(m[0].Role) != tc.role || !m[0].User.ServiceAccount {
			t.Errorf("%s: membership %+v", tc.name, m)
		}
	}
	// The default fixture's Sync Bot and the three above.
	list, err := s.Server.ServiceAccounts(acmeID)
	if err != nil || len(list) != 4 {
		t.Fatalf("%d service accounts, %v", len(list), err)
	}
}

func TestKeysValidation(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	long := strings.Repeat("x", 257)
	tests := []struct {
		name string
		path string
		body any
		want string
	}{
		{"sa/no-name", acmeServiceAccounts, map[string]any{"role": 2}, `{"name":["This field is required."]}`},
		{"sa/blank", acmeServiceAccounts, map[string]any{"name": "   "}, `{"name":["This field may not be blank."]}`},
		{"sa/null-char", acmeServiceAccounts, map[string]any{"name": "a\u0000b"}, `{"name":["Null characters are not allowed."]}`},
		{"sa/role", acmeServiceAccounts, map[string]any{"name": "Bot", "role": 9}, ""},
		{"sa/long", acmeServiceAccounts, map[string]any{"name": long}, `{"name":["Ensure this field has no more than 256 characters."]}`},
		{"key/no-name", acmeDeploymentKeys, map[string]any{}, `{"name":["This field is required."]}`},
		{"key/blank", acmeDeploymentKeys, map[string]any{"name": ""}, `{"name":["This field may not be blank."]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(t, call{method: "POST", path: tc.path, token: acmeAdmin, body: tc.body})
			assertAPI(t, r, apiWant{status: 400, body: tc.want})
		})
	}
	if events := auditTrail(t, s, acmeAudit); len(events) != 0 {
		t.Errorf("refused writes were audited: %v", actionTypes(events))
	}
}

func TestKeysNotFoundAcrossTeams(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	acmeSA, acmeKey, mel := userIDOf(t, s, acmeService), userIDOf(t, s, acmeDeploymentKey), userIDOf(t, s, acmeMember)
	globex := "/api/organizations/" + globexID + "/"
	tests := []struct {
		name, token, method, path string
	}{
		{"sa-of-another-team", globexAdmin, "GET", globex + "serviceaccounts/" + acmeSA + "/"},
		{"sa-delete-of-another-team", globexAdmin, "DELETE", globex + "serviceaccounts/" + acmeSA + "/"},
		{"key-of-another-team", globexAdmin, "GET", globex + "deployment-keys/" + acmeKey + "/"},
		{"key-delete-of-another-team", globexAdmin, "DELETE", globex + "deployment-keys/" + acmeKey + "/"},
		{"a-person-is-no-sa", acmeAdmin, "GET", acmeServiceAccounts + mel + "/"},
		{"a-key-is-no-sa", acmeAdmin, "GET", acmeServiceAccounts + acmeKey + "/"},
		{"a-sa-is-no-key", acmeAdmin, "DELETE", acmeDeploymentKeys + acmeSA + "/"},
		{"not-a-uuid", acmeAdmin, "GET", acmeServiceAccounts + "sync-bot/"},
		{"audit-of-another-team", globexAdmin, "GET", acmeAudit},
		{"audit-of-another-teams-group", globexAdmin, "GET", "/api/audit/groups/" + supportGroupID + "/"},
		{"audit-of-no-group", acmeAdmin, "GET", "/api/audit/groups/0a000000-0000-4000-8000-00000000afff/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertAPI(t, s.do(t, call{method: tc.method, path: tc.path, token: tc.token}), apiWant{status: 404, body: notFound})
		})
	}
	if r := s.do(t, call{method: "GET", path: "/api/me/", token: acmeService}); r.Status != 200 {
		t.Errorf("a refused delete revoked the token: %d", r.Status)
	}
}

func TestDeploymentKeyLifecycle(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	var key fake.DeploymentKey
	writeOK(t, s, "POST", acmeDeploymentKeys, map[string]string{"name": "Release pipeline"}).decode(t, &key)
	if key.Name != "Release pipeline" || len(key.Token) != 40 || key.ID == "" {
		t.Fatalf("created %+v", key)
	}
	// The token is read-only and shown on every read.
	var listed []fake.DeploymentKey
	s.do(t, call{method: "GET", path: acmeDeploymentKeys, token: acmeAdmin}).decode(t, &listed)
	if len(listed) != 2 || listed[0].Token != acmeDeploymentKey || listed[1] != key {
		t.Errorf("listed %+v", listed)
	}
	var one fake.DeploymentKey
	s.do(t, call{method: "GET", path: acmeDeploymentKeys + key.ID + "/", token: acmeAdmin}).decode(t, &one)
	if one != key {
		t.Errorf("retrieved %+v, created %+v", one, key)
	}
	var me struct {
		DeploymentKeyAccount bool `json:"deployment_key_account"`
		Memberships          []struct {
			Role int `json:"role"`
		} `json:"organization_memberships"`
	}
	s.do(t, call{method: "GET", path: "/api/me/", token: key.Token}).decode(t, &me)
	if !me.DeploymentKeyAccount || len(me.Memberships) != 1 || me.Memberships[0].Role != 4 {
		t.Errorf("me %+v", me)
	}
	var members []fake.Membership
	s.do(t, call{method: "GET", path: acmeMemberships + "?user__deployment_key_account=true", token: acmeAdmin}).decode(t, &members)
	if len(members) != 2 || members[1].User.ID != key.ID {
		t.Errorf("deployment-key members %+v", members)
	}
	// A restricted member: no team-wide reads.
	assertAPI(t, s.do(t, call{method: "GET", path: acmeMemberships, token: key.Token}), apiWant{status: 403, body: forbidden})

	// Revoked.
	writeOK(t, s, "DELETE", acmeDeploymentKeys+key.ID+"/", nil)
	assertAPI(t, s.do(t, call{method: "GET", path: "/api/me/", token: key.Token}), apiWant{status: 401, body: invalidToken})
	if keys, _ := s.Server.DeploymentKeys(acmeID); len(keys) != 1 {
		t.Errorf("keys after delete %+v", keys)
	}
}

func TestKeysPagination(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	for _, name := range []string{"Bot 2", "Bot 3"} {
		createServiceAccount(t, s, map[string]string{"name": name})
	}
	r := s.do(t, call{method: "GET", path: acmeServiceAccounts + "?page_size=2&page=2", token: acmeAdmin, accept: v2})
	var page []serviceAccount
	r.decode(t, &page)
	if len(page) != 1 || page[0].Name != "Bot 3" || r.Header.Get("X-Total-Count") != "3" {
		t.Errorf("page 2: %s %v", r.Body, r.Header)
	}
	// At 1.0 every item, unpaginated.
	s.do(t, call{method: "GET", path: acmeServiceAccounts + "?page_size=2", token: acmeAdmin}).decode(t, &page)
	if len(page) != 3 {
		t.Errorf("at 1.0: %d items", len(page))
	}
}

// TestKeysGoHelpers: the Go API's writes follow the API's rules and return
// copies; unknown teams and ids are ErrNotFound.
func TestKeysGoHelpers(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	key, err := s.Server.CreateDeploymentKey(acmeID, "From Go")
	if err != nil || key.Token == "" {
		t.Fatalf("%+v %v", key, err)
	}
	if r := s.do(t, call{method: "GET", path: "/api/me/", token: key.Token}); r.Status != 200 {
		t.Errorf("the key's token: %d", r.Status)
	}
	keys, err := s.Server.DeploymentKeys(acmeID)
	if err != nil || len(keys) != 2 || keys[1] != key {
		t.Errorf("keys %+v %v", keys, err)
	}
	keys[1].Name = "changed"
	if again, _ := s.Server.DeploymentKeys(acmeID); again[1].Name != "From Go" {
		t.Errorf("a returned list shares the fake's data")
	}
	if err := s.Server.DeleteDeploymentKey(acmeID, key.ID); err != nil {
		t.Fatal(err)
	}
	if r := s.do(t, call{method: "GET", path: "/api/me/", token: key.Token}); r.Status != 401 {
		t.Errorf("the deleted key's token: %d", r.Status)
	}
	for name, err := range map[string]error{
		"delete-again":     s.Server.DeleteDeploymentKey(acmeID, key.ID),
		"sa-unknown-team":  second(s.Server.CreateServiceAccount("0c000000-0000-4000-8000-000000000003", "Bot", 0)),
		"key-unknown-team": second(s.Server.CreateDeploymentKey("0c000000-0000-4000-8000-000000000003", "Key")),
		"list-unknown":     second(s.Server.ServiceAccounts("0c000000-0000-4000-8000-000000000003")),
		"audit-unknown":    second(s.Server.AuditEvents("0c000000-0000-4000-8000-000000000003")),
		"sa-is-no-key":     s.Server.DeleteDeploymentKey(acmeID, userIDOf(t, s, acmeService)),
	} {
		if !errors.Is(err, fake.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
	if _, err := s.Server.CreateServiceAccount(acmeID, " ", 0); err == nil {
		t.Error("a blank name was accepted")
	}
	if _, err := s.Server.CreateServiceAccount(acmeID, "Bot", 9); err == nil {
		t.Error("role 9 was accepted")
	}
}

// TestServiceAccountRoleIsFixed: PixieBrix fixes a service account's role
// when the account is made; writing the same role back is no change.
func TestServiceAccountRoleIsFixed(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	syncBot := "/api/memberships/6/" // Sync Bot, an admin service account
	assertAPI(t, s.do(t, call{method: "PATCH", path: syncBot, token: acmeAdmin, body: map[string]int{"role": 1}}),
		apiWant{status: 400, body: `{"role":["The role of a service account cannot be changed."]}`})
	assertAPI(t, s.do(t, call{method: "PUT", path: syncBot, token: acmeAdmin, body: map[string]int{"role": 2}}), apiWant{status: 200})
	// A deployment key's membership is a member's like any other.
	writeOK(t, s, "PATCH", "/api/memberships/7/", map[string]int{"role": 1})
	if events := auditTrail(t, s, acmeAudit); len(events) != 1 || events[0].Target["label"] != "deploy-key@acme.test" {
		t.Errorf("trail %v", actionTypes(events))
	}
}
