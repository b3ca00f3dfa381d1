package fake_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// The rules of SPEC §6 for campaign members, black-box, each case on its own
// server with the default fixture.

func cmPath(orgID, campaignID string) string {
	return "/api/organizations/" + orgID + "/campaigns/" + campaignID + "/members/"
}

// cmGetRaw lists a campaign's members with the raw body.
func cmGetRaw(t testing.TB, s *apiServer, orgID, campaignID, token string) ([]fake.CampaignMember, []byte) {
	t.Helper()
	r := s.do(t, call{method: http.MethodGet, path: cmPath(orgID, campaignID), token: token})
	gmStatus(t, r, http.StatusOK)
	var list []fake.CampaignMember
	r.decode(t, &list)
	return list, r.Body
}

func cmGet(t testing.TB, s *apiServer, orgID, campaignID, token string) []fake.CampaignMember {
	t.Helper()
	list, _ := cmGetRaw(t, s, orgID, campaignID, token)
	return list
}

func cmEmails(list []fake.CampaignMember) []string {
	emails := make([]string, len(list))
	for i, cm := range list {
		emails[i] = cm.Email
	}
	return emails
}

// cmItem is what a case expects of one campaign member.
type cmItem struct {
	email   string
	account string // email of the team member; "" for null
	data    string // JSON object
	kept    bool   // the fixture's member for that email (same id and created_at)
	updated bool   // for a kept member: updated_at moved
}

// cmCheckItems compares members with what a case expects.
func cmCheckItems(t testing.TB, got []fake.CampaignMember, want []cmItem, before map[string]fake.CampaignMember, team map[string]gmPerson) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d members %v, want %d", len(got), cmEmails(got), len(want))
	}
	idOf := map[string]string{}
	for i, w := range want {
		cm := got[i]
		if cm.Email != w.email {
			t.Errorf("item %d: email %q, want %q", i, cm.Email, w.email)
		}
		var data map[string]any
		if err := json.Unmarshal([]byte(w.data), &data); err != nil {
			t.Fatalf("case data %s: %v", w.data, err)
		}
		if !reflect.DeepEqual(cm.Data, data) {
			t.Errorf("item %d (%s): data %v, want %s", i, w.email, cm.Data, w.data)
		}
		switch {
		case w.account == "" && cm.Account != nil:
			t.Errorf("item %d (%s): account %+v, want null", i, w.email, *cm.Account)
		case w.account != "" && (cm.Account == nil || *cm.Account != team[w.account].user):
			t.Errorf("item %d (%s): account %v, want %+v", i, w.email, cm.Account, team[w.account].user)
		}
		if len(cm.AssignedDeployments) != 0 || cm.LatestClient != nil {
			t.Errorf("item %d (%s): assigned_deployments %v, latest_client %v, want [] and null", i, w.email, cm.AssignedDeployments, cm.LatestClient)
		}
		key := strings.ToLower(w.email)
		old, existed := before[key]
		switch {
		case w.kept && !existed:
			t.Fatalf("item %d (%s): the case expects a kept member the fixture does not have", i, w.email)
		case w.kept:
			if cm.ID != old.ID || !cm.CreatedAt.Equal(old.CreatedAt) {
				t.Errorf("item %d (%s): id %s created %s, want the existing %s created %s", i, w.email, cm.ID, cm.CreatedAt, old.ID, old.CreatedAt)
			}
			if moved := !cm.UpdatedAt.Equal(old.UpdatedAt); moved != w.updated {
				t.Errorf("item %d (%s): updated_at %s, was %s; want moved=%t", i, w.email, cm.UpdatedAt, old.UpdatedAt, w.updated)
			}
			if w.updated && !cm.UpdatedAt.After(old.UpdatedAt) {
				t.Errorf("item %d (%s): updated_at went from %s back to %s", i, w.email, old.UpdatedAt, cm.UpdatedAt)
			}
		case existed && cm.ID == old.ID:
			t.Errorf("item %d (%s): kept the old id %s, want a new member", i, w.email, cm.ID)
		case !cm.CreatedAt.Equal(cm.UpdatedAt):
			t.Errorf("item %d (%s): new member created %s but updated %s", i, w.email, cm.CreatedAt, cm.UpdatedAt)
		}
		if id, seen := idOf[key]; seen && id != cm.ID {
			t.Errorf("item %d (%s): id %s, but an earlier item of the same email has %s", i, w.email, cm.ID, id)
		}
		idOf[key] = cm.ID
	}
}

func cmByEmail(list []fake.CampaignMember) map[string]fake.CampaignMember {
	out := make(map[string]fake.CampaignMember, len(list))
	for _, cm := range list {
		out[strings.ToLower(cm.Email)] = cm
	}
	return out
}

func TestCampaignMemberItemErrors(t *testing.T) {
	t.Parallel()
	one := func(field, message string) string { return fmt.Sprintf(`{%q: [%q]}`, field, message) }
	long := strings.Repeat("a", 128-len("@acme.test")+1) + "@acme.test" // 129 characters
	cases := []struct {
		name string
		body string
		want string
	}{
		{"error/data-list", `[{"email": "ada@acme.test", "data": []}]`, "[" + one("data", `Expected a dictionary of items but got type "list".`) + "]"},
		{"error/data-string", `[{"email": "ada@acme.test", "data": "x"}]`, "[" + one("data", `Expected a dictionary of items but got type "str".`) + "]"},
		{"error/data-null", `[{"email": "ada@acme.test", "data": null}]`, "[" + one("data", "This field may not be null.") + "]"},
		{"error/data-missing", `[{"email": "ada@acme.test"}]`, "[" + one("data", "This field is required.") + "]"},
		{"error/email-missing", `[{"data": {}}]`, "[" + one("email", "This field is required.") + "]"},
		{"error/both-missing", `[{}]`, `[{"email": ["This field is required."], "data": ["This field is required."]}]`},
		{"error/email-too-long", `[{"email": "` + long + `", "data": {}}]`, "[" + one("email", "Ensure this field has no more than 128 characters.") + "]"},
		{"error/email-invalid", `[{"email": "ada.acme.test", "data": {}}]`, "[" + one("email", messageInvalidEmail) + "]"},
		{"error/email-with-space", `[{"email": "new hire@acme.test", "data": {}}]`, "[" + one("email", messageInvalidEmail) + "]"},
		{"error/email-other-domain", `[{"email": "someone@elsewhere.test", "data": {}}]`, "[" + one("email", messageNotEligible) + "]"},
		{"error/email-of-other-team", `[{"email": "hank@globex.test", "data": {}}]`, "[" + one("email", messageNotEligible) + "]"},
		{"error/item-not-object", `[["ada@acme.test"]]`, "[" + one("non_field_errors", "Invalid data. Expected a dictionary, but got list.") + "]"},
		{
			"error/one-bad-item-among-good",
			`[{"email": "ada@acme.test", "data": {}}, {"email": "x@elsewhere.test", "data": {}}, {"email": "zed@acme.test", "data": {"a": 1}}]`,
			`[{}, ` + one("email", messageNotEligible) + `, {}]`,
		},
		{
			"error/schema-error-among-good",
			`[{"email": "ada@acme.test", "data": {}}, {"email": "zed@acme.test", "data": []}]`,
			`[{}, ` + one("data", `Expected a dictionary of items but got type "list".`) + `]`,
		},
		{"error/single-object-data-list", `{"email": "ada@acme.test", "data": []}`, one("data", `Expected a dictionary of items but got type "list".`)},
		{"error/single-object-ineligible", `{"email": "x@elsewhere.test", "data": {}}`, one("email", messageNotEligible)},
		{"error/single-object-empty", `{}`, `{"email": ["This field is required."], "data": ["This field is required."]}`},
	}
	for _, method := range []string{http.MethodPost, http.MethodPut} {
		for _, tc := range cases {
			t.Run(strings.ToLower(method)+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				s := newAPIServer(t)
				_, before := cmGetRaw(t, s, acmeID, q1CampaignID, acmeAdmin)
				r := s.do(t, call{method: method, path: cmPath(acmeID, q1CampaignID), token: acmeAdmin, body: tc.body})
				gmStatus(t, r, http.StatusBadRequest)
				gmJSONEq(t, r.Body, tc.want)
				if _, after := cmGetRaw(t, s, acmeID, q1CampaignID, acmeAdmin); string(after) != string(before) {
					t.Errorf("a rejected write changed the campaign:\nbefore %s\n after %s", before, after)
				}
			})
		}
	}
}

func TestCampaignMembersPost(t *testing.T) {
	t.Parallel()
	acme, _ := gmDefaultTeams(t)
	mel := cmItem{email: "mel@acme.test", account: "mel@acme.test", data: `{"Location": "New York, NY"}`, kept: true}
	newHire := cmItem{email: "new.hire@acme.test", data: `{"Location": "Austin, TX"}`, kept: true}
	cases := []struct {
		name     string
		body     string
		single   bool
		want     []cmItem // the response, in input order
		wantList []cmItem // the campaign afterwards
	}{
		{
			name:     "upsert/new-member",
			body:     `[{"email": "ada@acme.test", "data": {"Location": "Paris"}}]`,
			want:     []cmItem{{email: "ada@acme.test", account: "ada@acme.test", data: `{"Location": "Paris"}`}},
			wantList: []cmItem{mel, newHire, {email: "ada@acme.test", account: "ada@acme.test", data: `{"Location": "Paris"}`}},
		},
		{
			name:     "upsert/new-pending-email",
			body:     `[{"email": "Zed@acme.test", "data": {}}]`,
			want:     []cmItem{{email: "Zed@acme.test", data: `{}`}},
			wantList: []cmItem{mel, newHire, {email: "Zed@acme.test", data: `{}`}},
		},
		{
			name:     "upsert/member-outside-verified-domains",
			body:     `[{"email": "sam@consult.test", "data": {"Team": "Consulting"}}]`,
			want:     []cmItem{{email: "sam@consult.test", account: "sam@consult.test", data: `{"Team": "Consulting"}`}},
			wantList: []cmItem{mel, newHire, {email: "sam@consult.test", account: "sam@consult.test", data: `{"Team": "Consulting"}`}},
		},
		{
			name: "upsert/existing-data-replaced",
			body: `[{"email": "MEL@ACME.TEST", "data": {"Team": "Ops"}}]`,
			want: []cmItem{{email: "mel@acme.test", account: "mel@acme.test", data: `{"Team": "Ops"}`, kept: true, updated: true}},
			wantList: []cmItem{
				{email: "mel@acme.test", account: "mel@acme.test", data: `{"Team": "Ops"}`, kept: true, updated: true},
				newHire,
			},
		},
		{
			name:     "upsert/existing-same-data",
			body:     `[{"email": "new.hire@ACME.test", "data": {"Location": "Austin, TX"}}]`,
			want:     []cmItem{newHire},
			wantList: []cmItem{mel, newHire},
		},
		{
			name: "upsert/existing-data-emptied",
			body: `[{"email": "new.hire@acme.test", "data": {}}]`,
			want: []cmItem{{email: "new.hire@acme.test", data: `{}`, kept: true, updated: true}},
			wantList: []cmItem{
				mel,
				{email: "new.hire@acme.test", data: `{}`, kept: true, updated: true},
			},
		},
		{
			name: "upsert/input-order",
			body: `[{"email": "zed@acme.test", "data": {}}, {"email": "mel@acme.test", "data": {"Location": "New York, NY"}}, {"email": "ada@acme.test", "data": {}}]`,
			want: []cmItem{
				{email: "zed@acme.test", data: `{}`},
				mel,
				{email: "ada@acme.test", account: "ada@acme.test", data: `{}`},
			},
			wantList: []cmItem{mel, newHire, {email: "zed@acme.test", data: `{}`}, {email: "ada@acme.test", account: "ada@acme.test", data: `{}`}},
		},
		{
			// Both items answer the member as the request left it: the last data wins.
			name: "upsert/duplicates-in-one-payload",
			body: `[{"email": "zed@acme.test", "data": {"n": 1}}, {"email": "ZED@acme.test", "data": {"n": 2}}, {"email": "mel@acme.test", "data": {"n": 3}}, {"email": "Mel@acme.test", "data": {"Location": "New York, NY"}}]`,
			want: []cmItem{
				{email: "zed@acme.test", data: `{"n": 2}`},
				{email: "zed@acme.test", data: `{"n": 2}`},
				mel,
				mel,
			},
			wantList: []cmItem{mel, newHire, {email: "zed@acme.test", data: `{"n": 2}`}},
		},
		{
			name:     "upsert/nested-data-round-trips",
			body:     `[{"email": "ada@acme.test", "data": {"a": {"b": [1, 2.5, "c", null, true]}, "n": 12345678901, "s": "<&>"}}]`,
			want:     []cmItem{{email: "ada@acme.test", account: "ada@acme.test", data: `{"a": {"b": [1, 2.5, "c", null, true]}, "n": 12345678901, "s": "<&>"}`}},
			wantList: []cmItem{mel, newHire, {email: "ada@acme.test", account: "ada@acme.test", data: `{"a": {"b": [1, 2.5, "c", null, true]}, "n": 12345678901, "s": "<&>"}`}},
		},
		{
			name:     "upsert/empty-list",
			body:     `[]`,
			want:     []cmItem{},
			wantList: []cmItem{mel, newHire},
		},
		{
			name:     "upsert/single-object",
			body:     `{"email": "ada@acme.test", "data": {"Location": "Paris"}}`,
			single:   true,
			want:     []cmItem{{email: "ada@acme.test", account: "ada@acme.test", data: `{"Location": "Paris"}`}},
			wantList: []cmItem{mel, newHire, {email: "ada@acme.test", account: "ada@acme.test", data: `{"Location": "Paris"}`}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			before := cmByEmail(cmGet(t, s, acmeID, q1CampaignID, acmeAdmin))
			r := s.do(t, call{method: http.MethodPost, path: cmPath(acmeID, q1CampaignID), token: acmeAdmin, body: tc.body})
			gmStatus(t, r, http.StatusCreated)
			var got []fake.CampaignMember
			if tc.single {
				var one fake.CampaignMember
				r.decode(t, &one)
				got = []fake.CampaignMember{one}
			} else {
				r.decode(t, &got)
			}
			cmCheckItems(t, got, tc.want, before, acme)
			after := cmGet(t, s, acmeID, q1CampaignID, acmeAdmin)
			cmCheckItems(t, after, tc.wantList, before, acme)
			for _, cm := range got {
				if i := slices.IndexFunc(after, func(a fake.CampaignMember) bool { return a.ID == cm.ID }); i < 0 || !reflect.DeepEqual(after[i], cm) {
					t.Errorf("response item %+v is not in the list as such", cm)
				}
			}
			// The other campaign is untouched.
			if onboarding := cmGet(t, s, acmeID, onboardingID, acmeAdmin); !slices.Equal(cmEmails(onboarding), []string{"rae@acme.test"}) {
				t.Errorf("Onboarding holds %v after a POST to Q1 Rollout", cmEmails(onboarding))
			}
		})
	}
}

func TestCampaignMembersPut(t *testing.T) {
	t.Parallel()
	acme, _ := gmDefaultTeams(t)
	mel := cmItem{email: "mel@acme.test", account: "mel@acme.test", data: `{"Location": "New York, NY"}`, kept: true}
	newHire := cmItem{email: "new.hire@acme.test", data: `{"Location": "Austin, TX"}`, kept: true}
	cases := []struct {
		name string
		body string
		want []cmItem // the response and the list afterwards
	}{
		{
			name: "replace/keeps-listed-removes-others",
			body: `[{"email": "ada@acme.test", "data": {}}, {"email": "New.Hire@acme.test", "data": {"Location": "Austin, TX"}}]`,
			want: []cmItem{newHire, {email: "ada@acme.test", account: "ada@acme.test", data: `{}`}},
		},
		{
			name: "replace/kept-data-replaced",
			body: `[{"email": "mel@acme.test", "data": {"Location": "Boston, MA"}}, {"email": "new.hire@acme.test", "data": {"Location": "Austin, TX"}}]`,
			want: []cmItem{{email: "mel@acme.test", account: "mel@acme.test", data: `{"Location": "Boston, MA"}`, kept: true, updated: true}, newHire},
		},
		{
			name: "replace/new-ones-in-input-order",
			body: `[{"email": "zed@acme.test", "data": {}}, {"email": "sam@consult.test", "data": {}}, {"email": "ada@acme.test", "data": {}}, {"email": "mel@acme.test", "data": {"Location": "New York, NY"}}]`,
			want: []cmItem{
				mel,
				{email: "zed@acme.test", data: `{}`},
				{email: "sam@consult.test", account: "sam@consult.test", data: `{}`},
				{email: "ada@acme.test", account: "ada@acme.test", data: `{}`},
			},
		},
		{
			name: "replace/duplicates-in-one-payload",
			body: `[{"email": "zed@acme.test", "data": {"n": 1}}, {"email": "ZED@acme.test", "data": {"n": 2}}, {"email": "mel@acme.test", "data": {"n": 3}}, {"email": "MEL@acme.test", "data": {"Location": "New York, NY"}}]`,
			want: []cmItem{mel, {email: "zed@acme.test", data: `{"n": 2}`}},
		},
		{
			name: "replace/empty-list-empties",
			body: `[]`,
			want: []cmItem{},
		},
		{
			name: "replace/single-object-answers-list",
			body: `{"email": "new.hire@acme.test", "data": {"Location": "Austin, TX"}}`,
			want: []cmItem{newHire},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			before := cmByEmail(cmGet(t, s, acmeID, q1CampaignID, acmeAdmin))
			r := s.do(t, call{method: http.MethodPut, path: cmPath(acmeID, q1CampaignID), token: acmeAdmin, body: tc.body})
			gmStatus(t, r, http.StatusOK)
			var got []fake.CampaignMember
			r.decode(t, &got)
			cmCheckItems(t, got, tc.want, before, acme)
			_, afterBody := cmGetRaw(t, s, acmeID, q1CampaignID, acmeAdmin)
			gmJSONEq(t, afterBody, string(r.Body))
			if onboarding := cmGet(t, s, acmeID, onboardingID, acmeAdmin); !slices.Equal(cmEmails(onboarding), []string{"rae@acme.test"}) {
				t.Errorf("Onboarding holds %v after a PUT on Q1 Rollout", cmEmails(onboarding))
			}
		})
	}
}

// TestCampaignMembersSameDataKeepsUpdatedAt writes back data equal to what a
// fixture holds, numbers included: updated_at must not move.
func TestCampaignMembersSameDataKeepsUpdatedAt(t *testing.T) {
	t.Parallel()
	const (
		orgID      = "0d000000-0000-4000-8000-000000000001"
		campaignID = "0d000000-0000-4000-8000-00000000c001"
	)
	fixture := fake.Fixture{Organizations: []fake.FixtureOrganization{{
		ID:              orgID,
		Name:            "Initech",
		VerifiedDomains: []string{"initech.test"},
		Members:         []fake.FixtureMember{{Email: "boss@initech.test", Role: fake.RoleAdmin, Token: "initech-admin"}},
		Campaigns: []fake.FixtureCampaign{{
			ID:   campaignID,
			Name: "Rollout",
			Members: []fake.FixtureCampaignMember{{
				Email: "peter@initech.test",
				Data:  map[string]any{"Seats": 3, "Ratio": 0.5, "Tags": []any{"a", 2}, "Desk": map[string]any{"Floor": 4}},
			}},
		}},
	}}}
	cases := []struct {
		name  string
		data  string
		moved bool
	}{
		{"same/exact", `{"Seats": 3, "Ratio": 0.5, "Tags": ["a", 2], "Desk": {"Floor": 4}}`, false},
		{"same/keys-reordered", `{"Desk": {"Floor": 4}, "Tags": ["a", 2], "Ratio": 0.5, "Seats": 3}`, false},
		{"same/number-spelled-as-float", `{"Seats": 3.0, "Ratio": 5e-1, "Tags": ["a", 2], "Desk": {"Floor": 4.0}}`, false},
		{"changed/number", `{"Seats": 4, "Ratio": 0.5, "Tags": ["a", 2], "Desk": {"Floor": 4}}`, true},
		{"changed/number-to-string", `{"Seats": "3", "Ratio": 0.5, "Tags": ["a", 2], "Desk": {"Floor": 4}}`, true},
		{"changed/list-order", `{"Seats": 3, "Ratio": 0.5, "Tags": [2, "a"], "Desk": {"Floor": 4}}`, true},
		{"changed/key-added", `{"Seats": 3, "Ratio": 0.5, "Tags": ["a", 2], "Desk": {"Floor": 4}, "New": null}`, true},
	}
	for _, method := range []string{http.MethodPost, http.MethodPut} {
		for _, tc := range cases {
			t.Run(strings.ToLower(method)+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				s := newAPIServer(t, fake.WithFixtures(fixture))
				before := cmGet(t, s, orgID, campaignID, "initech-admin")
				if len(before) != 1 {
					t.Fatalf("fixture campaign holds %v", cmEmails(before))
				}
				r := s.do(t, call{method: method, path: cmPath(orgID, campaignID), token: "initech-admin",
					body: `[{"email": "Peter@initech.test", "data": ` + tc.data + `}]`})
				after := cmGet(t, s, orgID, campaignID, "initech-admin")
				if r.Status/100 != 2 || len(after) != 1 {
					t.Fatalf("status %d body %s; campaign holds %v", r.Status, r.Body, cmEmails(after))
				}
				if after[0].ID != before[0].ID {
					t.Errorf("id %s, want the fixture's %s", after[0].ID, before[0].ID)
				}
				if moved := !after[0].UpdatedAt.Equal(before[0].UpdatedAt); moved != tc.moved {
					t.Errorf("updated_at %s, was %s: moved=%t, want %t", after[0].UpdatedAt, before[0].UpdatedAt, moved, tc.moved)
				}
				var want map[string]any
				if err := json.Unmarshal([]byte(tc.data), &want); err != nil {
					t.Fatal(err)
				}
				if tc.moved && !reflect.DeepEqual(after[0].Data, want) {
					t.Errorf("data %v, want %s", after[0].Data, tc.data)
				}
			})
		}
	}
}

func TestCampaignMembersRoutes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		method string
		path   string
		token  string
		body   string
		want   int
		detail string
		allow  bool // a 405 with an Allow header
	}{
		{"error/member-path-get", http.MethodGet, cmPath(acmeID, q1CampaignID) + "0a000000-0000-4000-8000-0000000000ff/", acmeAdmin, "", 404, "Not found.", false},
		{"error/member-path-delete", http.MethodDelete, cmPath(acmeID, q1CampaignID) + "0a000000-0000-4000-8000-0000000000ff/", acmeAdmin, "", 404, "Not found.", false},
		{"error/collection-delete", http.MethodDelete, cmPath(acmeID, q1CampaignID), acmeAdmin, "", 405, `Method "DELETE" not allowed.`, true},
		{"error/collection-patch", http.MethodPatch, cmPath(acmeID, q1CampaignID), acmeManager, `[]`, 405, `Method "PATCH" not allowed.`, true},
		{"error/collection-delete-developer", http.MethodDelete, cmPath(acmeID, q1CampaignID), acmeDeveloper, "", 403, "You do not have permission to perform this action.", false},
		{"error/campaign-of-other-team-get", http.MethodGet, cmPath(acmeID, pilotCampaignID), acmeAdmin, "", 404, "Not found.", false},
		{"error/campaign-of-other-team-post", http.MethodPost, cmPath(acmeID, pilotCampaignID), acmeAdmin, `[{"email": "ada@acme.test", "data": {}}]`, 404, "Not found.", false},
		{"error/campaign-of-other-team-put", http.MethodPut, cmPath(acmeID, pilotCampaignID), acmeAdmin, `[]`, 404, "Not found.", false},
		{"error/unknown-campaign", http.MethodPut, cmPath(acmeID, "0a000000-0000-4000-8000-00000000cfff"), acmeAdmin, `[]`, 404, "Not found.", false},
		{"error/other-team-admin", http.MethodPut, cmPath(acmeID, q1CampaignID), globexAdmin, `[]`, 404, "Not found.", false},
		{"error/other-team-admin-own-org-path", http.MethodPut, cmPath(globexID, q1CampaignID), globexAdmin, `[]`, 404, "Not found.", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			_, before := cmGetRaw(t, s, acmeID, q1CampaignID, acmeAdmin)
			c := call{method: tc.method, path: tc.path, token: tc.token}
			if tc.body != "" {
				c.body = tc.body
			}
			r := s.do(t, c)
			gmStatus(t, r, tc.want)
			if got := r.detail(t); got != tc.detail {
				t.Errorf("detail %q, want %q", got, tc.detail)
			}
			// The collection allows GET, POST and PUT (DRF also lists HEAD
			// and OPTIONS), never DELETE or PATCH.
			allow := strings.Split(r.Header.Get("Allow"), ", ")
			switch {
			case !tc.allow && r.Header.Get("Allow") != "":
				t.Errorf("Allow %q on a %d", r.Header.Get("Allow"), r.Status)
			case tc.allow && (!slices.Contains(allow, "GET") || !slices.Contains(allow, "POST") || !slices.Contains(allow, "PUT") ||
				slices.Contains(allow, "DELETE") || slices.Contains(allow, "PATCH")):
				t.Errorf("Allow %q, want GET, POST and PUT and neither DELETE nor PATCH", r.Header.Get("Allow"))
			}
			if _, after := cmGetRaw(t, s, acmeID, q1CampaignID, acmeAdmin); string(after) != string(before) {
				t.Errorf("a refused request changed Q1 Rollout: %s", after)
			}
			if pilot := cmGet(t, s, globexID, pilotCampaignID, globexAdmin); !slices.Equal(cmEmails(pilot), []string{"hank@globex.test"}) {
				t.Errorf("a refused request changed Pilot: %v", cmEmails(pilot))
			}
		})
	}
}

func TestCampaignMembersRoles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		token    string
		org      string
		campaign string
		status   map[string]int
	}{
		{"allowed/admin", acmeAdmin, acmeID, q1CampaignID, map[string]int{"GET": 200, "POST": 201, "PUT": 200}},
		{"allowed/manager", acmeManager, acmeID, q1CampaignID, map[string]int{"GET": 200, "POST": 201, "PUT": 200}},
		{"allowed/manager-of-other-team", samToken, globexID, pilotCampaignID, map[string]int{"GET": 200, "POST": 201, "PUT": 200}},
		{"forbidden/developer", acmeDeveloper, acmeID, q1CampaignID, map[string]int{"GET": 403, "POST": 403, "PUT": 403}},
		{"forbidden/member", acmeMember, acmeID, q1CampaignID, map[string]int{"GET": 403, "POST": 403, "PUT": 403}},
		{"forbidden/restricted", acmeRestricted, acmeID, q1CampaignID, map[string]int{"GET": 403, "POST": 403, "PUT": 403}},
		{"forbidden/member-here-manager-elsewhere", samToken, acmeID, q1CampaignID, map[string]int{"GET": 403, "POST": 403, "PUT": 403}},
		{"hidden/other-team-admin", globexAdmin, acmeID, q1CampaignID, map[string]int{"GET": 404, "POST": 404, "PUT": 404}},
		{"hidden/acme-admin-on-globex", acmeAdmin, globexID, pilotCampaignID, map[string]int{"GET": 404, "POST": 404, "PUT": 404}},
	}
	for _, tc := range cases {
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut} {
			t.Run(tc.name+"/"+strings.ToLower(method), func(t *testing.T) {
				t.Parallel()
				s := newAPIServer(t)
				owner := acmeAdmin
				email := "ada@acme.test"
				if tc.org == globexID {
					owner, email = globexAdmin, "sam@consult.test"
				}
				_, before := cmGetRaw(t, s, tc.org, tc.campaign, owner)
				c := call{method: method, path: cmPath(tc.org, tc.campaign), token: tc.token}
				if method != http.MethodGet {
					c.body = []map[string]any{{"email": email, "data": map[string]any{}}}
				}
				r := s.do(t, c)
				want := tc.status[method]
				gmStatus(t, r, want)
				switch want {
				case http.StatusForbidden:
					if got := r.detail(t); got != "You do not have permission to perform this action." {
						t.Errorf("detail %q", got)
					}
				case http.StatusNotFound:
					if got := r.detail(t); got != "Not found." {
						t.Errorf("detail %q", got)
					}
				}
				_, after := cmGetRaw(t, s, tc.org, tc.campaign, owner)
				if want >= 400 && string(after) != string(before) {
					t.Errorf("a refused %s changed the campaign: %s", method, after)
				}
			})
		}
	}
}

// TestCampaignMembersOutliveTeamMembership removes a member from the team:
// the campaign member stays, with no account and no groups.
func TestCampaignMembersOutliveTeamMembership(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	team := gmTeam(t, s, acmeID, acmeAdmin)
	before := cmGet(t, s, acmeID, onboardingID, acmeAdmin)
	if len(before) != 1 || before[0].Account == nil || *before[0].Account != team["rae@acme.test"].user ||
		!slices.Equal(before[0].Groups, []string{supportGroupID}) {
		t.Fatalf("fixture's Onboarding: %+v", before)
	}
	r := s.do(t, call{method: http.MethodDelete, path: fmt.Sprintf("/api/memberships/%d/", team["rae@acme.test"].membershipID), token: acmeAdmin})
	gmStatus(t, r, http.StatusNoContent)
	after := cmGet(t, s, acmeID, onboardingID, acmeAdmin)
	if len(after) != 1 || after[0].ID != before[0].ID || after[0].Account != nil || len(after[0].Groups) != 0 ||
		!after[0].UpdatedAt.Equal(before[0].UpdatedAt) {
		t.Errorf("after rae left the team, Onboarding holds %+v; want the same member with account null and no groups", after)
	}
	// rae's address is in a verified domain: it may join a group again, pending.
	r = s.do(t, call{method: http.MethodPost, path: gmPath(salesGroupID), token: acmeAdmin, body: `{"email": "rae@acme.test"}`})
	gmStatus(t, r, http.StatusCreated)
	var gm fake.GroupMembership
	r.decode(t, &gm)
	if gm.User != nil || gm.Email != "rae@acme.test" {
		t.Errorf("rae joined Sales as %+v, want a pending membership", gm)
	}
	// Her former user id is no longer a team member's.
	id := team["rae@acme.test"].user.ID
	r = s.do(t, call{method: http.MethodPost, path: gmPath(salesGroupID), token: acmeAdmin, body: `{"user_id": "` + id + `"}`})
	gmStatus(t, r, http.StatusBadRequest)
	gmJSONEq(t, r.Body, `{"user_id": ["Invalid pk \"`+id+`\" - object does not exist."]}`)
	if got := cmGet(t, s, acmeID, onboardingID, acmeAdmin); !slices.Equal(got[0].Groups, []string{salesGroupID}) {
		t.Errorf("rae's campaign member has groups %v, want [Sales] through the pending membership", got[0].Groups)
	}
}
