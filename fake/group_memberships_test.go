package fake_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// The rules of SPEC §6 for group memberships, black-box: every case starts
// from its own server on the default fixture, whose ids do not depend on the
// order tests run in.

const (
	messageExactlyOne   = "Provide exactly one of user_id or email."
	messageNotEligible  = "This email is neither a member of the team nor in one of the team's verified domains."
	messageInvalidEmail = "Enter a valid email address."
)

// gmPerson is one member of a team as its memberships list shows them.
type gmPerson struct {
	user         fake.UserRef
	membershipID int
}

// gmTeam maps the lower-cased emails of a team's members to them.
func gmTeam(t testing.TB, s *apiServer, orgID, token string) map[string]gmPerson {
	t.Helper()
	r := s.do(t, call{method: http.MethodGet, path: "/api/organizations/" + orgID + "/memberships/", token: token})
	gmStatus(t, r, http.StatusOK)
	var members []fake.Membership
	r.decode(t, &members)
	people := make(map[string]gmPerson, len(members))
	for _, m := range members {
		people[strings.ToLower(m.User.Email)] = gmPerson{user: m.User, membershipID: m.ID}
	}
	return people
}

// gmStatus fails the test unless r has the status.
func gmStatus(t testing.TB, r *response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
}

// gmJSONEq fails the test unless got and want are the same JSON value.
func gmJSONEq(t testing.TB, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %s: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}
}

func gmPath(groupID string) string { return "/api/groups/" + groupID + "/memberships/" }

// gmGet lists a group's memberships as the admin sees them, with the raw body.
func gmGet(t testing.TB, s *apiServer, groupID string) ([]fake.GroupMembership, []byte) {
	t.Helper()
	return gmGetAs(t, s, acmeAdmin, groupID)
}

// gmGetAs lists a group's memberships as the holder of token sees them.
func gmGetAs(t testing.TB, s *apiServer, token, groupID string) ([]fake.GroupMembership, []byte) {
	t.Helper()
	r := s.do(t, call{method: http.MethodGet, path: gmPath(groupID), token: token})
	gmStatus(t, r, http.StatusOK)
	var list []fake.GroupMembership
	r.decode(t, &list)
	return list, r.Body
}

func gmEmails(list []fake.GroupMembership) []string {
	emails := make([]string, len(list))
	for i, gm := range list {
		emails[i] = gm.Email
	}
	return emails
}

func gmByEmail(list []fake.GroupMembership) map[string]fake.GroupMembership {
	out := make(map[string]fake.GroupMembership, len(list))
	for _, gm := range list {
		out[strings.ToLower(gm.Email)] = gm
	}
	return out
}

// gmNumMembers returns num_members of a group from its team's groups list.
func gmNumMembers(t testing.TB, s *apiServer, token, orgID, groupID string) int {
	t.Helper()
	r := s.do(t, call{method: http.MethodGet, path: "/api/organizations/" + orgID + "/groups/", token: token})
	gmStatus(t, r, http.StatusOK)
	var groups []fake.Group
	r.decode(t, &groups)
	for _, g := range groups {
		if g.ID == groupID {
			return g.NumMembers
		}
	}
	t.Fatalf("group %s is not in the list of team %s", groupID, orgID)
	return 0
}

// gmItem is what a case expects of one membership in a response or list.
type gmItem struct {
	email string
	user  string // email of the linked account; "" for a pending membership
	kept  bool   // the membership the fixture already had for that email
}

// gmCheckItems compares memberships with what a case expects: emails, linked
// accounts, and ids: kept ones are the fixture's, new ones are new, and the
// same person always has the same id.
func gmCheckItems(t testing.TB, got []fake.GroupMembership, want []gmItem, before map[string]fake.GroupMembership, team map[string]gmPerson) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d memberships %v, want %d", len(got), gmEmails(got), len(want))
	}
	idOf := map[string]string{}
	for i, w := range want {
		gm := got[i]
		if gm.Email != w.email {
			t.Errorf("item %d: email %q, want %q", i, gm.Email, w.email)
		}
		switch {
		case w.user == "" && gm.User != nil:
			t.Errorf("item %d (%s): user %+v, want null", i, w.email, *gm.User)
		case w.user != "" && gm.User == nil:
			t.Errorf("item %d (%s): user null, want %s", i, w.email, w.user)
		case w.user != "" && *gm.User != team[w.user].user:
			t.Errorf("item %d (%s): user %+v, want %+v", i, w.email, *gm.User, team[w.user].user)
		}
		key := strings.ToLower(w.email)
		old, existed := before[key]
		switch {
		case w.kept && !existed:
			t.Fatalf("item %d (%s): the case expects a kept membership the fixture does not have", i, w.email)
		case w.kept && (gm.ID != old.ID || !gm.CreatedAt.Equal(old.CreatedAt)):
			t.Errorf("item %d (%s): id %s created %s, want the existing %s created %s", i, w.email, gm.ID, gm.CreatedAt, old.ID, old.CreatedAt)
		case !w.kept && existed && gm.ID == old.ID:
			t.Errorf("item %d (%s): kept the old id %s, want a new membership", i, w.email, gm.ID)
		}
		if id, seen := idOf[key]; seen && id != gm.ID {
			t.Errorf("item %d (%s): id %s, but an earlier item of the same person has %s", i, w.email, gm.ID, id)
		}
		idOf[key] = gm.ID
	}
}

// gmBody turns a case's body into JSON, replacing {{email}} placeholders
// with the user id of that team member.
func gmBody(body string, team map[string]gmPerson) string {
	for email, p := range team {
		body = strings.ReplaceAll(body, "{{"+email+"}}", p.user.ID)
	}
	return body
}

// gmDefaultTeams reads the default fixture's people once: its ids depend
// only on the seed, so every fresh server has the same.
func gmDefaultTeams(t testing.TB) (acme, globex map[string]gmPerson) {
	t.Helper()
	s := newAPIServer(t)
	return gmTeam(t, s, acmeID, acmeAdmin), gmTeam(t, s, globexID, globexAdmin)
}

func TestGroupMembershipItemErrors(t *testing.T) {
	t.Parallel()
	acme, globex := gmDefaultTeams(t)
	hankID := globex["hank@globex.test"].user.ID
	const unknownUser = "0c000000-0000-4000-8000-0000000000ff"
	one := func(field, message string) string { return fmt.Sprintf(`{%q: [%q]}`, field, message) }

	cases := []struct {
		name string
		body string
		want string
	}{
		{"error/both-fields", `[{"user_id": "{{ada@acme.test}}", "email": "ada@acme.test"}]`, "[" + one("non_field_errors", messageExactlyOne) + "]"},
		{"error/neither-field", `[{}]`, "[" + one("non_field_errors", messageExactlyOne) + "]"},
		{"error/only-unknown-fields", `[{"name": "Ada"}]`, "[" + one("non_field_errors", messageExactlyOne) + "]"},
		{"error/user-id-of-other-team", `[{"user_id": "` + hankID + `"}]`, "[" + one("user_id", `Invalid pk "`+hankID+`" - object does not exist.`) + "]"},
		{"error/user-id-unknown", `[{"user_id": "` + unknownUser + `"}]`, "[" + one("user_id", `Invalid pk "`+unknownUser+`" - object does not exist.`) + "]"},
		{"error/user-id-not-uuid", `[{"user_id": "ada"}]`, "[" + one("user_id", "Must be a valid UUID.") + "]"},
		{"error/user-id-null", `[{"user_id": null}]`, "[" + one("user_id", "This field may not be null.") + "]"},
		{"error/email-invalid", `[{"email": "ada.acme.test"}]`, "[" + one("email", messageInvalidEmail) + "]"},
		{"error/email-with-space", `[{"email": "new hire@acme.test"}]`, "[" + one("email", messageInvalidEmail) + "]"},
		{"error/email-other-domain", `[{"email": "someone@elsewhere.test"}]`, "[" + one("email", messageNotEligible) + "]"},
		{"error/email-of-other-team", `[{"email": "hank@globex.test"}]`, "[" + one("email", messageNotEligible) + "]"},
		{"error/email-subdomain-of-verified", `[{"email": "x@mail.acme.test"}]`, "[" + one("email", messageNotEligible) + "]"},
		{"error/item-not-object", `["ada@acme.test"]`, "[" + one("non_field_errors", "Invalid data. Expected a dictionary, but got str.") + "]"},
		{
			"error/one-bad-item-among-good",
			`[{"email": "max@acme.test"}, {"email": "x@elsewhere.test"}, {"user_id": "{{dev@acme.test}}"}, {"email": "pending@acme.test", "user_id": "{{dev@acme.test}}"}]`,
			`[{}, ` + one("email", messageNotEligible) + `, {}, ` + one("non_field_errors", messageExactlyOne) + `]`,
		},
		{
			"error/schema-error-among-good",
			`[{"email": "max@acme.test"}, {"email": "not-an-email"}]`,
			`[{}, ` + one("email", messageInvalidEmail) + `]`,
		},
		{"error/single-object-both-fields", `{"user_id": "{{ada@acme.test}}", "email": "ada@acme.test"}`, one("non_field_errors", messageExactlyOne)},
		{"error/single-object-empty", `{}`, one("non_field_errors", messageExactlyOne)},
		{"error/single-object-ineligible", `{"email": "someone@elsewhere.test"}`, one("email", messageNotEligible)},
		{"error/single-object-user-id-of-other-team", `{"user_id": "` + hankID + `"}`, one("user_id", `Invalid pk "`+hankID+`" - object does not exist.`)},
		{"error/single-object-bad-email", `{"email": "nope"}`, one("email", messageInvalidEmail)},
	}
	for _, method := range []string{http.MethodPost, http.MethodPut} {
		for _, tc := range cases {
			t.Run(strings.ToLower(method)+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				s := newAPIServer(t)
				_, before := gmGet(t, s, supportGroupID)
				r := s.do(t, call{method: method, path: gmPath(supportGroupID), token: acmeAdmin, body: gmBody(tc.body, acme)})
				gmStatus(t, r, http.StatusBadRequest)
				gmJSONEq(t, r.Body, tc.want)
				if _, after := gmGet(t, s, supportGroupID); string(after) != string(before) {
					t.Errorf("a rejected write changed the group:\nbefore %s\n after %s", before, after)
				}
				if n := gmNumMembers(t, s, acmeAdmin, acmeID, supportGroupID); n != 4 {
					t.Errorf("num_members %d after a rejected write, want 4", n)
				}
			})
		}
	}
}

func TestGroupMembershipsPost(t *testing.T) {
	t.Parallel()
	acme, _ := gmDefaultTeams(t)
	fixture := []gmItem{
		{email: "ada@acme.test", user: "ada@acme.test", kept: true},
		{email: "mel@acme.test", user: "mel@acme.test", kept: true},
		{email: "rae@acme.test", user: "rae@acme.test", kept: true},
		{email: "new.hire@acme.test", kept: true},
	}
	cases := []struct {
		name     string
		body     string
		single   bool     // a single-object body, answered with an object
		want     []gmItem // the response, in input order
		wantList []gmItem // the group afterwards, in creation order
	}{
		{
			name:     "add/member-by-email",
			body:     `[{"email": "max@acme.test"}]`,
			want:     []gmItem{{email: "max@acme.test", user: "max@acme.test"}},
			wantList: append(slices.Clone(fixture), gmItem{email: "max@acme.test", user: "max@acme.test"}),
		},
		{
			name:     "add/member-by-email-other-case",
			body:     `[{"email": "MAX@Acme.Test"}]`,
			want:     []gmItem{{email: "max@acme.test", user: "max@acme.test"}},
			wantList: append(slices.Clone(fixture), gmItem{email: "max@acme.test", user: "max@acme.test"}),
		},
		{
			name:     "add/member-by-user-id",
			body:     `[{"user_id": "{{dev@acme.test}}"}]`,
			want:     []gmItem{{email: "dev@acme.test", user: "dev@acme.test"}},
			wantList: append(slices.Clone(fixture), gmItem{email: "dev@acme.test", user: "dev@acme.test"}),
		},
		{
			name:     "add/member-outside-verified-domains",
			body:     `[{"email": "sam@consult.test"}]`,
			want:     []gmItem{{email: "sam@consult.test", user: "sam@consult.test"}},
			wantList: append(slices.Clone(fixture), gmItem{email: "sam@consult.test", user: "sam@consult.test"}),
		},
		{
			name:     "add/pending-verified-domain",
			body:     `[{"email": "Later.Hire@ACME.test"}]`,
			want:     []gmItem{{email: "Later.Hire@ACME.test"}},
			wantList: append(slices.Clone(fixture), gmItem{email: "Later.Hire@ACME.test"}),
		},
		{
			name: "add/existing-comes-back",
			body: `[{"email": "MEL@acme.test"}, {"user_id": "{{ada@acme.test}}"}, {"email": "new.hire@ACME.TEST"}]`,
			want: []gmItem{
				{email: "mel@acme.test", user: "mel@acme.test", kept: true},
				{email: "ada@acme.test", user: "ada@acme.test", kept: true},
				{email: "new.hire@acme.test", kept: true},
			},
			wantList: fixture,
		},
		{
			name: "add/input-order",
			body: `[{"email": "dev@acme.test"}, {"user_id": "{{ada@acme.test}}"}, {"email": "zed@acme.test"}, {"user_id": "{{max@acme.test}}"}]`,
			want: []gmItem{
				{email: "dev@acme.test", user: "dev@acme.test"},
				{email: "ada@acme.test", user: "ada@acme.test", kept: true},
				{email: "zed@acme.test"},
				{email: "max@acme.test", user: "max@acme.test"},
			},
			wantList: append(slices.Clone(fixture),
				gmItem{email: "dev@acme.test", user: "dev@acme.test"},
				gmItem{email: "zed@acme.test"},
				gmItem{email: "max@acme.test", user: "max@acme.test"}),
		},
		{
			name: "add/duplicates-in-one-payload",
			body: `[{"email": "dev@acme.test"}, {"user_id": "{{dev@acme.test}}"}, {"email": "DEV@acme.test"}, {"email": "zed@acme.test"}, {"email": "Zed@acme.test"}]`,
			want: []gmItem{
				{email: "dev@acme.test", user: "dev@acme.test"},
				{email: "dev@acme.test", user: "dev@acme.test"},
				{email: "dev@acme.test", user: "dev@acme.test"},
				{email: "zed@acme.test"},
				{email: "zed@acme.test"},
			},
			wantList: append(slices.Clone(fixture),
				gmItem{email: "dev@acme.test", user: "dev@acme.test"},
				gmItem{email: "zed@acme.test"}),
		},
		{
			name:     "add/empty-list",
			body:     `[]`,
			want:     []gmItem{},
			wantList: fixture,
		},
		{
			name:     "add/single-object",
			body:     `{"email": "max@acme.test"}`,
			single:   true,
			want:     []gmItem{{email: "max@acme.test", user: "max@acme.test"}},
			wantList: append(slices.Clone(fixture), gmItem{email: "max@acme.test", user: "max@acme.test"}),
		},
		{
			name:     "add/single-object-existing",
			body:     `{"user_id": "{{rae@acme.test}}"}`,
			single:   true,
			want:     []gmItem{{email: "rae@acme.test", user: "rae@acme.test", kept: true}},
			wantList: fixture,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			beforeList, _ := gmGet(t, s, supportGroupID)
			before := gmByEmail(beforeList)
			r := s.do(t, call{method: http.MethodPost, path: gmPath(supportGroupID), token: acmeAdmin, body: gmBody(tc.body, acme)})
			gmStatus(t, r, http.StatusCreated)
			var got []fake.GroupMembership
			if tc.single {
				var one fake.GroupMembership
				r.decode(t, &one)
				got = []fake.GroupMembership{one}
			} else {
				r.decode(t, &got)
			}
			gmCheckItems(t, got, tc.want, before, acme)
			after, _ := gmGet(t, s, supportGroupID)
			gmCheckItems(t, after, tc.wantList, before, acme)
			// What the response said is what the group holds.
			for _, gm := range got {
				if i := slices.IndexFunc(after, func(a fake.GroupMembership) bool { return a.ID == gm.ID }); i < 0 || !reflect.DeepEqual(after[i], gm) {
					t.Errorf("response item %+v is not in the list as such", gm)
				}
			}
			if n := gmNumMembers(t, s, acmeAdmin, acmeID, supportGroupID); n != len(tc.wantList) {
				t.Errorf("num_members %d, want %d", n, len(tc.wantList))
			}
		})
	}
}

func TestGroupMembershipsPut(t *testing.T) {
	t.Parallel()
	acme, _ := gmDefaultTeams(t)
	cases := []struct {
		name  string
		query string
		body  string
		want  []gmItem // the response and the list afterwards, in creation order
	}{
		{
			name: "replace/keeps-listed-removes-others",
			body: `[{"email": "max@acme.test"}, {"user_id": "{{rae@acme.test}}"}, {"email": "NEW.HIRE@acme.test"}]`,
			want: []gmItem{
				{email: "rae@acme.test", user: "rae@acme.test", kept: true},
				{email: "new.hire@acme.test", kept: true},
				{email: "max@acme.test", user: "max@acme.test"},
			},
		},
		{
			name: "replace/same-set",
			body: `[{"email": "new.hire@acme.test"}, {"email": "rae@acme.test"}, {"email": "mel@acme.test"}, {"email": "ada@acme.test"}]`,
			want: []gmItem{
				{email: "ada@acme.test", user: "ada@acme.test", kept: true},
				{email: "mel@acme.test", user: "mel@acme.test", kept: true},
				{email: "rae@acme.test", user: "rae@acme.test", kept: true},
				{email: "new.hire@acme.test", kept: true},
			},
		},
		{
			name: "replace/new-ones-in-input-order",
			body: `[{"email": "zed@acme.test"}, {"user_id": "{{dev@acme.test}}"}, {"email": "sam@consult.test"}, {"email": "ada@acme.test"}]`,
			want: []gmItem{
				{email: "ada@acme.test", user: "ada@acme.test", kept: true},
				{email: "zed@acme.test"},
				{email: "dev@acme.test", user: "dev@acme.test"},
				{email: "sam@consult.test", user: "sam@consult.test"},
			},
		},
		{
			name: "replace/duplicates-in-one-payload",
			body: `[{"email": "max@acme.test"}, {"user_id": "{{max@acme.test}}"}, {"email": "zed@acme.test"}, {"email": "ZED@acme.test"}, {"email": "Mel@acme.test"}, {"user_id": "{{mel@acme.test}}"}]`,
			want: []gmItem{
				{email: "mel@acme.test", user: "mel@acme.test", kept: true},
				{email: "max@acme.test", user: "max@acme.test"},
				{email: "zed@acme.test"},
			},
		},
		{
			name: "replace/empty-list-empties",
			body: `[]`,
			want: []gmItem{},
		},
		{
			name: "replace/single-object-answers-list",
			body: `{"email": "mel@acme.test"}`,
			want: []gmItem{{email: "mel@acme.test", user: "mel@acme.test", kept: true}},
		},
		{
			// mel and new.hire are in Q1 Rollout, rae in Onboarding; ada, max
			// and zed are in no campaign, and max counts by his account's email.
			name:  "replace/require-campaign-skips",
			query: "?require_campaign=true",
			body:  `[{"email": "ada@acme.test"}, {"user_id": "{{mel@acme.test}}"}, {"user_id": "{{max@acme.test}}"}, {"email": "New.Hire@acme.test"}, {"email": "zed@acme.test"}, {"email": "RAE@acme.test"}]`,
			want: []gmItem{
				{email: "mel@acme.test", user: "mel@acme.test", kept: true},
				{email: "rae@acme.test", user: "rae@acme.test", kept: true},
				{email: "new.hire@acme.test", kept: true},
			},
		},
		{
			name:  "replace/require-campaign-all-skipped",
			query: "?require_campaign=true",
			body:  `[{"email": "ada@acme.test"}, {"email": "zed@acme.test"}]`,
			want:  []gmItem{},
		},
		{
			name:  "replace/require-campaign-false",
			query: "?require_campaign=false",
			body:  `[{"email": "ada@acme.test"}, {"email": "zed@acme.test"}]`,
			want: []gmItem{
				{email: "ada@acme.test", user: "ada@acme.test", kept: true},
				{email: "zed@acme.test"},
			},
		},
		{
			name:  "replace/require-campaign-other-value-ignored",
			query: "?require_campaign=yes-please",
			body:  `[{"email": "zed@acme.test"}]`,
			want:  []gmItem{{email: "zed@acme.test"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			beforeList, _ := gmGet(t, s, supportGroupID)
			before := gmByEmail(beforeList)
			_, salesBefore := gmGet(t, s, salesGroupID)
			r := s.do(t, call{method: http.MethodPut, path: gmPath(supportGroupID) + tc.query, token: acmeAdmin, body: gmBody(tc.body, acme)})
			gmStatus(t, r, http.StatusOK)
			var got []fake.GroupMembership
			r.decode(t, &got)
			gmCheckItems(t, got, tc.want, before, acme)
			after, afterBody := gmGet(t, s, supportGroupID)
			gmJSONEq(t, afterBody, string(r.Body))
			for i := 1; i < len(after); i++ {
				if after[i].CreatedAt.Before(after[i-1].CreatedAt) {
					t.Errorf("list not in creation order: %s created %s after %s created %s", after[i].Email, after[i].CreatedAt, after[i-1].Email, after[i-1].CreatedAt)
				}
			}
			if n := gmNumMembers(t, s, acmeAdmin, acmeID, supportGroupID); n != len(tc.want) {
				t.Errorf("num_members %d, want %d", n, len(tc.want))
			}
			// The other group is untouched.
			if _, sales := gmGet(t, s, salesGroupID); string(sales) != string(salesBefore) {
				t.Errorf("Sales changed after a PUT on Support Agents: %s", sales)
			}
		})
	}
}

func TestGroupMembershipsDelete(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		token    string
		group    string // the group of the path
		member   string // whose membership id goes in the path: an email of Support Agents or Engineering
		id       string // a literal id instead of member's
		want     int
		wantList []string // Support Agents afterwards
	}{
		{name: "ok/admin", token: acmeAdmin, group: supportGroupID, member: "mel@acme.test", want: http.StatusNoContent,
			wantList: []string{"ada@acme.test", "rae@acme.test", "new.hire@acme.test"}},
		{name: "ok/manager", token: acmeManager, group: supportGroupID, member: "ada@acme.test", want: http.StatusNoContent,
			wantList: []string{"mel@acme.test", "rae@acme.test", "new.hire@acme.test"}},
		{name: "ok/pending", token: acmeAdmin, group: supportGroupID, member: "new.hire@acme.test", want: http.StatusNoContent,
			wantList: []string{"ada@acme.test", "mel@acme.test", "rae@acme.test"}},
		{name: "ok/id-upper-case", token: acmeAdmin, group: strings.ToUpper(supportGroupID), member: "rae@acme.test", want: http.StatusNoContent,
			wantList: []string{"ada@acme.test", "mel@acme.test", "new.hire@acme.test"}},
		{name: "error/through-other-group", token: acmeAdmin, group: salesGroupID, member: "mel@acme.test", want: http.StatusNotFound},
		{name: "error/group-of-other-team", token: acmeAdmin, group: engineeringID, member: "hank@globex.test", want: http.StatusNotFound},
		{name: "error/other-team-admin", token: globexAdmin, group: supportGroupID, member: "mel@acme.test", want: http.StatusNotFound},
		{name: "error/other-team-group-path", token: globexAdmin, group: engineeringID, member: "mel@acme.test", want: http.StatusNotFound},
		{name: "error/unknown-id", token: acmeAdmin, group: supportGroupID, id: "0a000000-0000-4000-8000-0000000000ff", want: http.StatusNotFound},
		{name: "error/not-a-uuid", token: acmeAdmin, group: supportGroupID, id: "42", want: http.StatusNotFound},
		{name: "error/unknown-group", token: acmeAdmin, group: "0a000000-0000-4000-8000-00000000afff", member: "mel@acme.test", want: http.StatusNotFound},
		{name: "error/developer", token: acmeDeveloper, group: supportGroupID, member: "mel@acme.test", want: http.StatusForbidden},
		{name: "error/member", token: acmeMember, group: supportGroupID, member: "mel@acme.test", want: http.StatusForbidden},
		{name: "error/restricted", token: acmeRestricted, group: supportGroupID, member: "mel@acme.test", want: http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			support, _ := gmGet(t, s, supportGroupID)
			ids := gmByEmail(support)
			r := s.do(t, call{method: http.MethodGet, path: gmPath(engineeringID), token: globexAdmin})
			gmStatus(t, r, http.StatusOK)
			var engineering []fake.GroupMembership
			r.decode(t, &engineering)
			for email, gm := range gmByEmail(engineering) {
				ids[email] = gm
			}
			id := tc.id
			if id == "" {
				id = ids[tc.member].ID
			}
			path := gmPath(tc.group) + id + "/"
			r = s.do(t, call{method: http.MethodDelete, path: path, token: tc.token})
			gmStatus(t, r, tc.want)
			if tc.want != http.StatusNoContent {
				want := "Not found."
				if tc.want == http.StatusForbidden {
					want = "You do not have permission to perform this action."
				}
				if got := r.detail(t); got != want {
					t.Errorf("detail %q, want %q", got, want)
				}
				if after, _ := gmGet(t, s, supportGroupID); !reflect.DeepEqual(after, support) {
					t.Errorf("a refused DELETE changed the group: %v", gmEmails(after))
				}
				if n := gmNumMembers(t, s, globexAdmin, globexID, engineeringID); n != 2 {
					t.Errorf("Engineering has %d members after a refused DELETE, want 2", n)
				}
				return
			}
			if len(r.Body) != 0 {
				t.Errorf("204 with a body: %s", r.Body)
			}
			after, _ := gmGet(t, s, supportGroupID)
			if !slices.Equal(gmEmails(after), tc.wantList) {
				t.Errorf("group holds %v, want %v", gmEmails(after), tc.wantList)
			}
			if n := gmNumMembers(t, s, acmeAdmin, acmeID, supportGroupID); n != len(tc.wantList) {
				t.Errorf("num_members %d, want %d", n, len(tc.wantList))
			}
			again := s.do(t, call{method: http.MethodDelete, path: path, token: tc.token})
			gmStatus(t, again, http.StatusNotFound)
			if got := again.detail(t); got != "Not found." {
				t.Errorf("second DELETE: detail %q", got)
			}
		})
	}
}

func TestGroupMembershipsRoles(t *testing.T) {
	t.Parallel()
	const forbidden = "You do not have permission to perform this action."
	cases := []struct {
		name   string
		token  string
		group  string
		status map[string]int // by method
	}{
		{"allowed/admin", acmeAdmin, supportGroupID, map[string]int{"GET": 200, "POST": 201, "PUT": 200, "DELETE": 204}},
		{"allowed/manager", acmeManager, supportGroupID, map[string]int{"GET": 200, "POST": 201, "PUT": 200, "DELETE": 204}},
		{"allowed/service-account-admin", acmeService, supportGroupID, map[string]int{"GET": 200, "POST": 201, "PUT": 200, "DELETE": 204}},
		{"allowed/manager-of-other-team", samToken, engineeringID, map[string]int{"GET": 200, "POST": 201, "PUT": 200, "DELETE": 204}},
		{"forbidden/developer", acmeDeveloper, supportGroupID, map[string]int{"GET": 403, "POST": 403, "PUT": 403, "DELETE": 403}},
		{"forbidden/member", acmeMember, supportGroupID, map[string]int{"GET": 403, "POST": 403, "PUT": 403, "DELETE": 403}},
		{"forbidden/restricted", acmeRestricted, supportGroupID, map[string]int{"GET": 403, "POST": 403, "PUT": 403, "DELETE": 403}},
		{"forbidden/deployment-key", acmeDeploymentKey, supportGroupID, map[string]int{"GET": 403, "POST": 403, "PUT": 403, "DELETE": 403}},
		{"forbidden/member-here-manager-elsewhere", samToken, supportGroupID, map[string]int{"GET": 403, "POST": 403, "PUT": 403, "DELETE": 403}},
		{"hidden/other-team-admin", globexAdmin, supportGroupID, map[string]int{"GET": 404, "POST": 404, "PUT": 404, "DELETE": 404}},
		{"hidden/acme-admin-on-globex", acmeAdmin, engineeringID, map[string]int{"GET": 404, "POST": 404, "PUT": 404, "DELETE": 404}},
	}
	for _, tc := range cases {
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
			t.Run(tc.name+"/"+strings.ToLower(method), func(t *testing.T) {
				t.Parallel()
				s := newAPIServer(t)
				adminOfGroup := acmeAdmin
				email := "mel@acme.test"
				if tc.group == engineeringID {
					adminOfGroup, email = globexAdmin, "sam@consult.test"
				}
				r := s.do(t, call{method: http.MethodGet, path: gmPath(tc.group), token: adminOfGroup})
				gmStatus(t, r, http.StatusOK)
				before := r.Body
				var list []fake.GroupMembership
				r.decode(t, &list)
				c := call{method: method, path: gmPath(tc.group), token: tc.token}
				switch method {
				case http.MethodPost, http.MethodPut:
					c.body = []map[string]string{{"email": email}}
				case http.MethodDelete:
					c.path += gmByEmail(list)[email].ID + "/"
				}
				r = s.do(t, c)
				want := tc.status[method]
				gmStatus(t, r, want)
				switch want {
				case http.StatusForbidden:
					if got := r.detail(t); got != forbidden {
						t.Errorf("detail %q, want %q", got, forbidden)
					}
				case http.StatusNotFound:
					if got := r.detail(t); got != "Not found." {
						t.Errorf("detail %q, want %q", got, "Not found.")
					}
				}
				if want >= 400 {
					after := s.do(t, call{method: http.MethodGet, path: gmPath(tc.group), token: adminOfGroup})
					if string(after.Body) != string(before) {
						t.Errorf("a refused %s changed the group: %s", method, after.Body)
					}
				}
			})
		}
	}
}

// TestGroupMembershipsDerivedFields follows one team through a series of
// writes and checks after each that every field derived from group and
// campaign membership agrees with the writes.
func TestGroupMembershipsDerivedFields(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	team := gmTeam(t, s, acmeID, acmeAdmin)
	campaigns := map[string]fake.Campaign{}
	r := s.do(t, call{method: http.MethodGet, path: "/api/organizations/" + acmeID + "/campaigns/", token: acmeAdmin})
	gmStatus(t, r, http.StatusOK)
	var campaignList []fake.Campaign
	r.decode(t, &campaignList)
	for _, c := range campaignList {
		campaigns[c.ID] = c
	}
	groupNames := map[string]string{supportGroupID: "Support Agents", salesGroupID: "Sales"}
	sales, _ := gmGet(t, s, salesGroupID)
	if got := stressEmails(sales); !slices.Equal(got, []string{"dev@acme.test", "max@acme.test"}) {
		t.Fatalf("fixture's Sales holds %v", got)
	}

	// model is what the test expects: group → emails, campaign → emails.
	model := struct {
		groups    map[string][]string
		campaigns map[string][]string
	}{
		groups: map[string][]string{
			supportGroupID: {"ada@acme.test", "mel@acme.test", "rae@acme.test", "new.hire@acme.test"},
			salesGroupID:   gmEmails(sales),
		},
		campaigns: map[string][]string{
			q1CampaignID: {"mel@acme.test", "new.hire@acme.test"},
			onboardingID: {"rae@acme.test"},
		},
	}

	check := func(t *testing.T) {
		t.Helper()
		for groupID, emails := range model.groups {
			list, _ := gmGet(t, s, groupID)
			if !slices.Equal(gmEmails(list), emails) {
				t.Errorf("group %s holds %v, want %v", groupNames[groupID], gmEmails(list), emails)
			}
			if n := gmNumMembers(t, s, acmeAdmin, acmeID, groupID); n != len(emails) {
				t.Errorf("group %s: num_members %d, want %d", groupNames[groupID], n, len(emails))
			}
			for _, gm := range list {
				want := []fake.CampaignRef{}
				for _, c := range campaignList { // by name, as the team lists them
					if slices.Contains(model.campaigns[c.ID], gm.Email) {
						want = append(want, fake.CampaignRef(c))
					}
				}
				if !reflect.DeepEqual(gm.Campaigns, want) {
					t.Errorf("group %s, %s: campaigns %+v, want %+v", groupNames[groupID], gm.Email, gm.Campaigns, want)
				}
			}
		}
		for email, p := range team {
			r := s.do(t, call{method: http.MethodGet, path: fmt.Sprintf("/api/memberships/%d/", p.membershipID), token: acmeAdmin})
			gmStatus(t, r, http.StatusOK)
			var m fake.Membership
			r.decode(t, &m)
			want := []fake.GroupRef{}
			for _, id := range []string{salesGroupID, supportGroupID} { // by name
				if slices.Contains(model.groups[id], email) {
					want = append(want, fake.GroupRef{ID: id, Name: groupNames[id]})
				}
			}
			if !reflect.DeepEqual(m.Groups, want) {
				t.Errorf("membership of %s: groups %+v, want %+v", email, m.Groups, want)
			}
		}
		for campaignID, emails := range model.campaigns {
			list := cmGet(t, s, acmeID, campaignID, acmeAdmin)
			if got := cmEmails(list); !slices.Equal(got, emails) {
				t.Errorf("campaign %s holds %v, want %v", campaigns[campaignID].Name, got, emails)
			}
			for _, cm := range list {
				wantGroups := []string{}
				for _, id := range []string{salesGroupID, supportGroupID} {
					if slices.Contains(model.groups[id], cm.Email) {
						wantGroups = append(wantGroups, id)
					}
				}
				if !slices.Equal(cm.Groups, wantGroups) {
					t.Errorf("campaign %s, %s: groups %v, want %v", campaigns[campaignID].Name, cm.Email, cm.Groups, wantGroups)
				}
				p, member := team[cm.Email]
				switch {
				case member && (cm.Account == nil || *cm.Account != p.user):
					t.Errorf("campaign %s, %s: account %v, want %+v", campaigns[campaignID].Name, cm.Email, cm.Account, p.user)
				case !member && cm.Account != nil:
					t.Errorf("campaign %s, %s: account %+v, want null", campaigns[campaignID].Name, cm.Email, *cm.Account)
				}
			}
		}
	}

	steps := []struct {
		name   string
		call   call
		status int
		apply  func()
	}{
		{"initial", call{}, 0, func() {}},
		{
			"post/max-and-pending-to-support",
			call{method: http.MethodPost, path: gmPath(supportGroupID), body: `[{"email": "max@acme.test"}, {"email": "zed@acme.test"}]`},
			http.StatusCreated,
			func() {
				model.groups[supportGroupID] = append(model.groups[supportGroupID], "max@acme.test", "zed@acme.test")
			},
		},
		{
			"post/campaign-members-join-q1",
			call{method: http.MethodPost, path: cmPath(acmeID, q1CampaignID), body: `[{"email": "max@acme.test", "data": {}}, {"email": "zed@acme.test", "data": {"Location": "Oslo"}}]`},
			http.StatusCreated,
			func() {
				model.campaigns[q1CampaignID] = append(model.campaigns[q1CampaignID], "max@acme.test", "zed@acme.test")
			},
		},
		{
			"put/sales-replaced",
			call{method: http.MethodPut, path: gmPath(salesGroupID), body: `[{"email": "mel@acme.test"}, {"email": "new.hire@acme.test"}]`},
			http.StatusOK,
			func() { model.groups[salesGroupID] = []string{"mel@acme.test", "new.hire@acme.test"} },
		},
		{
			"put/onboarding-replaced",
			call{method: http.MethodPut, path: cmPath(acmeID, onboardingID), body: `[{"email": "ada@acme.test", "data": {}}, {"email": "mel@acme.test", "data": {"Seat": 3}}]`},
			http.StatusOK,
			func() { model.campaigns[onboardingID] = []string{"ada@acme.test", "mel@acme.test"} },
		},
		{
			"delete/group-membership-of-mel",
			call{method: http.MethodDelete}, // path filled in below
			http.StatusNoContent,
			func() {
				model.groups[supportGroupID] = slices.DeleteFunc(model.groups[supportGroupID], func(e string) bool { return e == "mel@acme.test" })
			},
		},
		{
			"delete/team-membership-of-rae",
			call{method: http.MethodDelete, path: fmt.Sprintf("/api/memberships/%d/", team["rae@acme.test"].membershipID)},
			http.StatusNoContent,
			func() {
				model.groups[supportGroupID] = slices.DeleteFunc(model.groups[supportGroupID], func(e string) bool { return e == "rae@acme.test" })
				delete(team, "rae@acme.test")
			},
		},
		{
			"put/support-emptied",
			call{method: http.MethodPut, path: gmPath(supportGroupID), body: `[]`},
			http.StatusOK,
			func() { model.groups[supportGroupID] = []string{} },
		},
		{
			"put/q1-emptied",
			call{method: http.MethodPut, path: cmPath(acmeID, q1CampaignID), body: `[]`},
			http.StatusOK,
			func() { model.campaigns[q1CampaignID] = []string{} },
		},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			if step.call.method != "" {
				c := step.call
				c.token = acmeAdmin
				if c.path == "" {
					list, _ := gmGet(t, s, supportGroupID)
					c.path = gmPath(supportGroupID) + gmByEmail(list)["mel@acme.test"].ID + "/"
				}
				r := s.do(t, c)
				gmStatus(t, r, step.status)
			}
			step.apply()
			check(t)
		})
	}
}

// TestGroupMembershipsLinkedByEmail loads a fixture in which a verified-domain
// email is in a group and is also a member of the team: the membership comes
// back linked to the account, while one with no account stays pending.
func TestGroupMembershipsLinkedByEmail(t *testing.T) {
	t.Parallel()
	const (
		orgID   = "0d000000-0000-4000-8000-000000000001"
		groupID = "0d000000-0000-4000-8000-00000000a001"
	)
	january := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	february, march := january.AddDate(0, 1, 0), january.AddDate(0, 2, 0)
	s := newAPIServer(t, fake.WithFixtures(fake.Fixture{Organizations: []fake.FixtureOrganization{{
		ID:              orgID,
		Name:            "Initech",
		VerifiedDomains: []string{"Initech.Test"},
		Members: []fake.FixtureMember{
			{Email: "boss@initech.test", Role: fake.RoleAdmin, Token: "initech-admin"},
			{Email: "Joiner@Initech.test", Role: fake.RoleRestricted},
			{Email: "friend@contractor.test", Role: fake.RoleMember},
		},
		Groups: []fake.FixtureGroup{{
			ID:   groupID,
			Name: "Everyone",
			Members: []fake.FixtureGroupMember{
				{Email: "joiner@initech.test", CreatedAt: &january},
				{Email: "someday@INITECH.test", CreatedAt: &february},
				{Email: "FRIEND@contractor.test", CreatedAt: &march},
			},
		}},
	}}}))
	team := gmTeam(t, s, orgID, "initech-admin")
	r := s.do(t, call{method: http.MethodGet, path: gmPath(groupID), token: "initech-admin"})
	gmStatus(t, r, http.StatusOK)
	var list []fake.GroupMembership
	r.decode(t, &list)
	want := []struct {
		email   string
		user    string
		created time.Time
	}{
		{"Joiner@Initech.test", "joiner@initech.test", january},
		{"someday@INITECH.test", "", february},
		{"friend@contractor.test", "friend@contractor.test", march},
	}
	if len(list) != len(want) {
		t.Fatalf("group holds %v, want %d memberships", gmEmails(list), len(want))
	}
	for i, w := range want {
		gm := list[i]
		if gm.Email != w.email || !gm.CreatedAt.Equal(w.created) {
			t.Errorf("item %d: %q created %s, want %q created %s", i, gm.Email, gm.CreatedAt, w.email, w.created)
		}
		switch {
		case w.user == "" && gm.User != nil:
			t.Errorf("%s: user %+v, want null", w.email, *gm.User)
		case w.user != "" && (gm.User == nil || *gm.User != team[w.user].user):
			t.Errorf("%s: user %v, want %+v", w.email, gm.User, team[w.user].user)
		}
	}
	// The linked account's membership lists the group; a POST by user id
	// finds the same membership.
	r = s.do(t, call{method: http.MethodGet, path: fmt.Sprintf("/api/memberships/%d/", team["joiner@initech.test"].membershipID), token: "initech-admin"})
	gmStatus(t, r, http.StatusOK)
	var m fake.Membership
	r.decode(t, &m)
	if want := []fake.GroupRef{{ID: groupID, Name: "Everyone"}}; !reflect.DeepEqual(m.Groups, want) {
		t.Errorf("joiner's groups %+v, want %+v", m.Groups, want)
	}
	r = s.do(t, call{method: http.MethodPost, path: gmPath(groupID), token: "initech-admin",
		body: `[{"user_id": "` + team["joiner@initech.test"].user.ID + `"}, {"email": "SOMEDAY@initech.test"}]`})
	gmStatus(t, r, http.StatusCreated)
	var added []fake.GroupMembership
	r.decode(t, &added)
	if len(added) != 2 || added[0].ID != list[0].ID || added[1].ID != list[1].ID {
		t.Errorf("POST of existing people answered %s, want memberships %s and %s", r.Body, list[0].ID, list[1].ID)
	}
}

// TestGroupMembershipsCreationOrder checks, on several seeds, that lists in
// creation order carry created_at times in that order: the fixture's order
// is the creation order, so the times the seed draws for members without a
// created_at must not run backwards.
func TestGroupMembershipsCreationOrder(t *testing.T) {
	t.Parallel()
	for seed := int64(1); seed <= 8; seed++ {
		t.Run(fmt.Sprintf("seed-%d", seed), func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t, fake.WithSeed(seed))
			for _, groupID := range []string{supportGroupID, salesGroupID} {
				list, _ := gmGet(t, s, groupID)
				for i := 1; i < len(list); i++ {
					if list[i].CreatedAt.Before(list[i-1].CreatedAt) {
						t.Errorf("group %s: %s created %s listed after %s created %s", groupID, list[i].Email, list[i].CreatedAt, list[i-1].Email, list[i-1].CreatedAt)
					}
				}
			}
			for _, campaignID := range []string{q1CampaignID, onboardingID} {
				list := cmGet(t, s, acmeID, campaignID, acmeAdmin)
				for i := 1; i < len(list); i++ {
					if list[i].CreatedAt.Before(list[i-1].CreatedAt) {
						t.Errorf("campaign %s: %s created %s listed after %s created %s", campaignID, list[i].Email, list[i].CreatedAt, list[i-1].Email, list[i-1].CreatedAt)
					}
				}
			}
		})
		t.Run(fmt.Sprintf("generated/seed-%d", seed), func(t *testing.T) {
			t.Parallel()
			const orgID = "0d000000-0000-4000-8000-000000000001"
			s := newAPIServer(t, fake.WithSeed(seed), fake.WithFixtures(fake.Fixture{Organizations: []fake.FixtureOrganization{{
				ID:              orgID,
				Name:            "Generated",
				VerifiedDomains: []string{"generated.test"},
				Generate:        &fake.FixtureGenerate{Members: 30, Groups: 4, Campaigns: 3},
				Members:         []fake.FixtureMember{{Email: "boss@generated.test", Role: fake.RoleAdmin, Token: "generated-admin"}},
			}}}))
			r := s.do(t, call{method: http.MethodGet, path: "/api/organizations/" + orgID + "/groups/", token: "generated-admin"})
			gmStatus(t, r, http.StatusOK)
			var groups []fake.Group
			r.decode(t, &groups)
			for _, g := range groups {
				list, _ := gmGetAs(t, s, "generated-admin", g.ID)
				for i := range list {
					if list[i].CreatedAt.Before(g.CreatedAt) || i > 0 && list[i].CreatedAt.Before(list[i-1].CreatedAt) {
						t.Errorf("group %s created %s: %s created %s, listed after one created %s", g.Name, g.CreatedAt, list[i].Email, list[i].CreatedAt, list[max(i-1, 0)].CreatedAt)
					}
				}
			}
			r = s.do(t, call{method: http.MethodGet, path: "/api/organizations/" + orgID + "/campaigns/", token: "generated-admin"})
			gmStatus(t, r, http.StatusOK)
			var campaigns []fake.Campaign
			r.decode(t, &campaigns)
			if len(groups) != 4 || len(campaigns) != 3 {
				t.Fatalf("%d groups and %d campaigns generated, want 4 and 3", len(groups), len(campaigns))
			}
			for _, c := range campaigns {
				list := cmGet(t, s, orgID, c.ID, "generated-admin")
				for i := range list {
					if list[i].CreatedAt.Before(c.CreatedAt) || i > 0 && list[i].CreatedAt.Before(list[i-1].CreatedAt) {
						t.Errorf("campaign %s created %s: %s created %s, listed after one created %s", c.Name, c.CreatedAt, list[i].Email, list[i].CreatedAt, list[max(i-1, 0)].CreatedAt)
					}
				}
			}
		})
	}
}

// TestGroupMembershipsFrozenClock writes with a clock that never moves: the
// list still follows the order of the writes.
func TestGroupMembershipsFrozenClock(t *testing.T) {
	t.Parallel()
	frozen := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := newAPIServer(t, fake.WithClock(func() time.Time { return frozen }))
	sales, _ := gmGet(t, s, salesGroupID)
	emails := []string{"zz@acme.test", "aa@acme.test", "mm@acme.test", "bb@acme.test", "yy@acme.test"}
	for _, e := range emails[:3] {
		r := s.do(t, call{method: http.MethodPost, path: gmPath(salesGroupID), token: acmeAdmin, body: []map[string]string{{"email": e}}})
		gmStatus(t, r, http.StatusCreated)
	}
	r := s.do(t, call{method: http.MethodPost, path: gmPath(salesGroupID), token: acmeAdmin,
		body: []map[string]string{{"email": emails[3]}, {"email": emails[4]}}})
	gmStatus(t, r, http.StatusCreated)
	list, _ := gmGet(t, s, salesGroupID)
	if want := append(gmEmails(sales), emails...); !slices.Equal(gmEmails(list), want) {
		t.Errorf("group holds %v, want %v", gmEmails(list), want)
	}
	for _, gm := range list[len(sales):] {
		if !gm.CreatedAt.Equal(frozen) {
			t.Errorf("%s created %s, want %s", gm.Email, gm.CreatedAt, frozen)
		}
	}
}
