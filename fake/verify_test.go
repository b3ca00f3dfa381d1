package fake_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// verifyServer is a server whose journal holds, in order: #1 GET a group
// (200), #2 DELETE the same group as a member (403), #3 POST a group (201),
// #4 GET an unknown path (404), #5 PUT /api/me/ (405).
func verifyServer(t *testing.T) *apiServer {
	t.Helper()
	s := newAPIServer(t)
	group := "/api/groups/" + supportGroupID + "/"
	s.do(t, call{method: "GET", path: group, token: acmeAdmin})
	s.do(t, call{method: "DELETE", path: group, token: acmeMember})
	s.do(t, call{method: "POST", path: "/api/organizations/" + acmeID + "/groups/", token: acmeAdmin, body: map[string]string{"name": "Verified"}})
	s.do(t, call{method: "GET", path: "/api/nope/", token: acmeAdmin})
	s.do(t, call{method: "PUT", path: "/api/me/", token: acmeAdmin})
	return s
}

func TestRequestCount(t *testing.T) {
	t.Parallel()
	s := verifyServer(t)
	cases := []struct {
		name   string
		query  string
		filter fake.JournalFilter
		want   int
	}{
		{"all", "", fake.JournalFilter{}, 5},
		{"method", "?method=get", fake.JournalFilter{Method: "get"}, 2},
		{"path-template", "?path=/api/groups/{id}/", fake.JournalFilter{Path: "/api/groups/{id}/"}, 2},
		{"operation-and-status", "?operation_id=destroyGroup&status=403", fake.JournalFilter{OperationID: "destroyGroup", Status: 403}, 1},
		{"unmatched", "?unmatched=true", fake.JournalFilter{Unmatched: true}, 2},
		{"unmatched-path-no-route-has", "?unmatched=true&path=/api/nope/", fake.JournalFilter{Unmatched: true, Path: "/api/nope/"}, 1},
		{"unmatched-405", "?unmatched=true&status=405", fake.JournalFilter{Unmatched: true, Status: 405}, 1},
		{"none", "?status=500", fake.JournalFilter{Status: 500}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := s.plain(t, call{method: "GET", path: "/__fake/requests/count" + tc.query})
			wantStatus(t, r, http.StatusOK)
			var body struct{ Count int }
			r.decode(t, &body)
			if body.Count != tc.want {
				t.Errorf("HTTP count %d, want %d", body.Count, tc.want)
			}
			got, err := s.Server.RequestCount(tc.filter)
			if err != nil || got != tc.want {
				t.Errorf("RequestCount = %d, %v; want %d", got, err, tc.want)
			}
			if list := s.requests(t, tc.query); len(list) != tc.want {
				t.Errorf("the list with the same filters has %d entries, want %d", len(list), tc.want)
			}
		})
	}
}

// TestJournalFilterRefusesWhatCannotMatch: a typo in a filter is a 400
// naming the known values, never an empty answer that makes a check pass.
func TestJournalFilterRefusesWhatCannotMatch(t *testing.T) {
	t.Parallel()
	s := verifyServer(t)
	cases := []struct {
		name   string
		query  string
		filter fake.JournalFilter
		field  string
		want   []string // in the message
	}{
		{"unknown-operation", "?operation_id=retreiveGroup", fake.JournalFilter{OperationID: "retreiveGroup"}, "operation_id",
			[]string{`Unknown operation id "retreiveGroup".`, "retrieveGroup", "destroyGroup", "retrieveMe"}},
		{"path-no-route-has", "?path=/api/groups/{id}/nope/", fake.JournalFilter{Path: "/api/groups/{id}/nope/"}, "path",
			[]string{"No API path matches /api/groups/{id}/nope/", "Known paths:", "/api/groups/{id}/"}},
		{"path-without-slash", "?path=/api/me", fake.JournalFilter{Path: "/api/me"}, "path", []string{"(paths end with a slash)"}},
		{"unmatched-with-operation", "?unmatched=true&operation_id=retrieveMe", fake.JournalFilter{Unmatched: true, OperationID: "retrieveMe"}, "operation_id",
			[]string{"Unmatched requests have no operation id."}},
		{"status-out-of-range", "?status=1000", fake.JournalFilter{Status: 1000}, "status", []string{"from 100 to 599"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, path := range []string{"/__fake/requests", "/__fake/requests/count"} {
				r := s.plain(t, call{method: "GET", path: path + tc.query})
				wantStatus(t, r, http.StatusBadRequest)
				var body map[string][]string
				r.decode(t, &body)
				if len(body) != 1 || len(body[tc.field]) != 1 {
					t.Fatalf("%s: body %s, want one message for %s", path, r.Body, tc.field)
				}
				for _, part := range tc.want {
					if !strings.Contains(body[tc.field][0], part) {
						t.Errorf("%s: message %q lacks %q", path, body[tc.field][0], part)
					}
				}
			}
			_, err := s.Server.RequestCount(tc.filter)
			if err == nil || !strings.Contains(err.Error(), tc.field+": ") || !strings.Contains(err.Error(), tc.want[0]) {
				t.Errorf("RequestCount error %v, want one naming %s: %s", err, tc.field, tc.want[0])
			}
			if err := s.Server.ExpectRequests(tc.filter, fake.AtLeast(0)); err == nil || errors.As(err, new(*fake.ExpectationError)) {
				t.Errorf("ExpectRequests error %v, want a filter error", err)
			}
		})
	}
	t.Run("unmatched-bad-value", func(t *testing.T) {
		t.Parallel()
		r := s.plain(t, call{method: "GET", path: "/__fake/requests?unmatched=yes"})
		wantStatus(t, r, http.StatusBadRequest)
		wantJSON(t, r, `{"unmatched": ["Must be \"true\" or \"false\"."]}`)
	})
}

func TestExpectRequests(t *testing.T) {
	t.Parallel()
	s := verifyServer(t)
	group := "/api/groups/" + supportGroupID + "/"
	cases := []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"met/exactly", `{"method": "GET", "path": "/api/groups/{id}/", "count": 1}`, 200, `{"count": 1}`},
		{"met/default-at-least-one", `{"operation_id": "createGroup"}`, 200, `{"count": 1}`},
		{"met/min-max", `{"path": "/api/groups/{id}/", "min": 1, "max": 2}`, 200, `{"count": 2}`},
		{"met/never", `{"method": "PATCH", "count": 0}`, 200, `{"count": 0}`},
		{"met/unmatched", `{"unmatched": true, "status": 404, "count": 1}`, 200, `{"count": 1}`},
		{"unmet/same-path-other-method", `{"method": "PATCH", "path": "/api/groups/{id}/"}`, 400, `{
			"non_field_errors": ["Expected at least 1 requests with method PATCH and path /api/groups/{id}/, found 0."],
			"near_misses": ["#1 GET ` + group + ` → 200 (retrieveGroup): method differs", "#2 DELETE ` + group + ` → 403 (destroyGroup): method differs"]}`},
		{"unmet/same-operation-other-status", `{"operation_id": "destroyGroup", "status": 204, "count": 1}`, 400, `{
			"non_field_errors": ["Expected exactly 1 request with operation_id destroyGroup and status 204, found 0."],
			"near_misses": ["#2 DELETE ` + group + ` → 403 (destroyGroup): status differs"]}`},
		{"unmet/too-many", `{"method": "GET", "max": 1}`, 400, `{
			"non_field_errors": ["Expected at most 1 requests with method GET, found 2."],
			"matches": ["#1 GET ` + group + ` → 200 (retrieveGroup)", "#4 GET /api/nope/ → 404 (no operation)"]}`},
		{"unmet/one-criterion-no-near-misses", `{"status": 500}`, 400, `{
			"non_field_errors": ["Expected at least 1 requests with status 500, found 0."], "near_misses": []}`},
		{"error/count-and-min", `{"count": 1, "min": 1}`, 400, `{"non_field_errors": ["Give count, or min and max, not both."]}`},
		{"error/max-below-min", `{"min": 2, "max": 1}`, 400, `{"max": ["Ensure this value is greater than or equal to min."]}`},
		{"error/negative", `{"count": -1}`, 400, `{"count": ["Ensure this value is greater than or equal to 0."]}`},
		{"error/not-json", `{`, 400, `{"detail": "JSON parse error - unexpected EOF"}`},
		{"error/not-an-object", `[]`, 400, `{"non_field_errors": ["Invalid data. Expected a dictionary of filters and count, min or max."]}`},
		{"error/unknown-field", `{"operationId": "createGroup"}`, 400,
			`{"operationId": ["Unknown field: use method, path, status, operation_id, unmatched, count, min or max."]}`},
		{"error/types", `{"status": "200", "count": 1.5, "unmatched": "yes", "path": 3}`, 400, `{"status": ["A valid integer is required."],
			"count": ["A valid integer is required."], "unmatched": ["Must be a valid boolean."], "path": ["Not a valid string."]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := s.plain(t, call{method: "POST", path: "/__fake/requests/expect", body: tc.body})
			wantStatus(t, r, tc.status)
			wantJSON(t, r, tc.want)
		})
	}
	t.Run("error/unknown-operation", func(t *testing.T) {
		t.Parallel()
		r := s.plain(t, call{method: "POST", path: "/__fake/requests/expect", body: `{"operation_id": "createGroups"}`})
		wantStatus(t, r, http.StatusBadRequest)
		if !strings.Contains(r.String(), `Unknown operation id \"createGroups\". Known:`) {
			t.Errorf("body %s", r.Body)
		}
	})
	t.Run("go-api", func(t *testing.T) {
		t.Parallel()
		if err := s.Server.ExpectRequests(fake.JournalFilter{OperationID: "createGroup", Status: 201}, fake.Exactly(1)); err != nil {
			t.Errorf("met: %v", err)
		}
		err := s.Server.ExpectRequests(fake.JournalFilter{Method: "DELETE", Path: "/api/groups/{id}/", Status: 204}, fake.Between(1, 2))
		var unmet *fake.ExpectationError
		if !errors.As(err, &unmet) {
			t.Fatalf("error %v, want an *ExpectationError", err)
		}
		if unmet.Found != 0 || len(unmet.NearMisses) != 1 || unmet.NearMisses[0].Entry.ID != 2 || unmet.NearMisses[0].Differs != "status" {
			t.Errorf("error %+v", unmet)
		}
		want := "Expected between 1 and 2 requests with method DELETE and path /api/groups/{id}/ and status 204, found 0.\n" +
			"  near miss: #2 DELETE " + group + " → 403 (destroyGroup): status differs"
		if err.Error() != want {
			t.Errorf("error text\n%s\nwant\n%s", err, want)
		}
		if err := s.Server.ExpectRequests(fake.JournalFilter{}, fake.Between(2, 1)); err == nil {
			t.Error("Between(2, 1) accepted")
		}
	})
}
