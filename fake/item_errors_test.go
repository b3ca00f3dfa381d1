package fake_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// A list body is checked whole: an item that breaks the schema does not
// hide another that breaks a team rule, as DRF's ListSerializer reports
// every bad item. Nothing is written either way.
func TestListBodiesReportEveryBadItem(t *testing.T) {
	t.Parallel()
	const notEligible = "This email is neither a member of the team nor in one of the team's verified domains."
	groupPath := "/api/groups/" + supportGroupID + "/memberships/"
	campaignPath := "/api/organizations/" + acmeID + "/campaigns/" + q1CampaignID + "/members/"
	cases := []struct {
		name   string
		method string
		path   string
		body   string
		want   []map[string][]string
	}{
		{
			name: "group/post/schema-and-rule", method: "POST", path: groupPath,
			body: `[{"email": "bad"}, {"email": "someone@elsewhere.test"}, {"email": "mel@acme.test"}]`,
			want: []map[string][]string{{"email": {"Enter a valid email address."}}, {"email": {notEligible}}, {}},
		},
		{
			name: "group/put/uuid-and-exactly-one", method: "PUT", path: groupPath,
			body: `[{}, {"user_id": "nope"}]`,
			want: []map[string][]string{{"non_field_errors": {"Provide exactly one of user_id or email."}}, {"user_id": {"Must be a valid UUID."}}},
		},
		{
			name: "campaign/post/data-and-rule", method: "POST", path: campaignPath,
			body: `[{"email": "mel@acme.test", "data": []}, {"email": "x@elsewhere.test", "data": {}}]`,
			want: []map[string][]string{{"data": {`Expected a dictionary of items but got type "list".`}}, {"email": {notEligible}}},
		},
		{
			name: "campaign/put/missing-data-and-rule", method: "PUT", path: campaignPath,
			body: `[{"email": "x@elsewhere.test", "data": {}}, {"email": "mel@acme.test"}]`,
			want: []map[string][]string{{"email": {notEligible}}, {"data": {"This field is required."}}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			listPath := tc.path
			before := s.do(t, call{method: "GET", path: listPath, token: acmeAdmin})
			r := s.do(t, call{method: tc.method, path: tc.path, token: acmeAdmin, body: tc.body})
			if r.Status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", r.Status, r.Body)
			}
			var got []map[string][]string
			r.decode(t, &got)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("body %s, want %s", r.Body, mustJSON(t, tc.want))
			}
			if r.Header.Get("X-Fake-Validation") == "" {
				t.Error("no X-Fake-Validation header naming the schema failure")
			}
			after := s.do(t, call{method: "GET", path: listPath, token: acmeAdmin})
			if string(after.Body) != string(before.Body) {
				t.Errorf("a rejected write changed the list:\nbefore %s\nafter  %s", before.Body, after.Body)
			}
		})
	}
}

// Team ids in paths are matched case-insensitively, like every other UUID
// in a path.
func TestUpperCaseTeamID(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	r := s.do(t, call{method: "GET", path: "/api/organizations/" + strings.ToUpper(acmeID) + "/", token: acmeAdmin})
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	var org struct{ ID string }
	r.decode(t, &org)
	if org.ID != acmeID {
		t.Errorf("id %q, want %q", org.ID, acmeID)
	}
}
