package fake_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// journalEntry is an entry of GET /__fake/requests, decoded.
type journalEntry struct {
	ID                   int             `json:"id"`
	Time                 time.Time       `json:"time"`
	RequestID            string          `json:"request_id"`
	Method               string          `json:"method"`
	Path                 string          `json:"path"`
	Query                string          `json:"query"`
	OperationID          *string         `json:"operation_id"`
	Caller               *string         `json:"caller"`
	Status               int             `json:"status"`
	RequestBody          json.RawMessage `json:"request_body"`
	RequestBodyTruncated bool            `json:"request_body_truncated"`
	Fault                map[string]any  `json:"fault"`
	FaultSource          *string         `json:"fault_source"`
	ValidationError      *string         `json:"validation_error"`
	DurationMS           float64         `json:"duration_ms"`
}

// requests reads the journal through the control plane, checking that every
// entry has exactly the documented keys.
func (s *apiServer) requests(t testing.TB, query string) []journalEntry {
	t.Helper()
	r := s.plain(t, call{method: "GET", path: "/__fake/requests" + query})
	wantStatus(t, r, http.StatusOK)
	var raw []map[string]json.RawMessage
	r.decode(t, &raw)
	want := []string{"caller", "duration_ms", "fault", "fault_source", "id", "method", "operation_id", "path", "query",
		"request_body", "request_body_truncated", "request_id", "status", "time", "validation_error"}
	for _, entry := range raw {
		if keys := slices.Sorted(maps.Keys(entry)); !slices.Equal(keys, want) {
			t.Fatalf("entry keys %v, want %v", keys, want)
		}
	}
	var entries []journalEntry
	r.decode(t, &entries)
	return entries
}

// orNull shows a nullable string of an entry, "null" for null.
func orNull(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}

func TestJournalEntries(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	groups := "/api/organizations/" + acmeID + "/groups/"
	listed := s.do(t, call{method: "GET", path: groups + "?page=1&page_size=5", token: acmeAdmin, accept: v2})
	s.do(t, call{method: "POST", path: groups, token: acmeManager, body: `{"name": "Journaled",  "extra": [1, 2]}`})
	s.do(t, call{method: "POST", path: groups, token: acmeAdmin, body: map[string]any{}})
	s.do(t, call{method: "POST", path: groups, token: acmeAdmin, body: "name=plain"})
	s.do(t, call{method: "GET", path: "/api/nothing/"})
	s.do(t, call{method: "GET", path: "/api/me/", token: "unknown-token"})
	s.plain(t, call{method: "GET", path: "/__fake/health"})
	s.plain(t, call{method: "GET", path: "/__fake/faults"})

	entries := s.requests(t, "")
	if len(entries) != 6 {
		t.Fatalf("%d entries, want 6 (the control plane is not journaled): %+v", len(entries), entries)
	}
	for i, e := range entries {
		if e.ID != i+1 || e.Time.IsZero() || e.Time.Location() != time.UTC || e.DurationMS < 0 || e.RequestID == "" {
			t.Errorf("entry %d: id %d, time %v, duration %v, request id %q", i, e.ID, e.Time, e.DurationMS, e.RequestID)
		}
	}
	if entries[0].RequestID != listed.Header.Get("X-Request-Id") {
		t.Errorf("request id %q, response had %q", entries[0].RequestID, listed.Header.Get("X-Request-Id"))
	}
	type want struct {
		method, path, query, operationID, caller string
		status                                   int
		body                                     string
		validation                               bool
	}
	wants := []want{
		{"GET", groups, "page=1&page_size=5", "listGroups", "ada@acme.test", 200, "null", false},
		{"POST", groups, "", "createGroup", "max@acme.test", 201, `{"name":"Journaled","extra":[1,2]}`, false},
		{"POST", groups, "", "createGroup", "ada@acme.test", 400, `{}`, true},
		{"POST", groups, "", "createGroup", "ada@acme.test", 400, `"name=plain"`, false},
		{"GET", "/api/nothing/", "", "null", "null", 404, "null", false},
		{"GET", "/api/me/", "", "retrieveMe", "null", 401, "null", false},
	}
	for i, w := range wants {
		e := entries[i]
		got := want{e.Method, e.Path, e.Query, orNull(e.OperationID), orNull(e.Caller), e.Status, string(e.RequestBody), e.ValidationError != nil}
		if got != w {
			t.Errorf("entry %d:\n%+v\nwant\n%+v", i+1, got, w)
		}
		if e.Fault != nil || e.FaultSource != nil || e.RequestBodyTruncated {
			t.Errorf("entry %d: fault %v from %v, truncated %v", i+1, e.Fault, e.FaultSource, e.RequestBodyTruncated)
		}
	}
	if v := entries[2].ValidationError; v == nil || !strings.Contains(*v, "name") {
		t.Errorf("validation error %v, want the validator's reason naming the field", v)
	}
}

func TestJournalFault(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	id := s.addFault(t, `{"kind": "status", "status": 503, "path": "/api/health/", "times": 1}`)
	s.plain(t, call{method: "GET", path: healthPath})
	entries := s.requests(t, "")
	if len(entries) != 1 {
		t.Fatalf("entries %+v", entries)
	}
	e := entries[0]
	want := map[string]any{"id": float64(id), "method": "", "path": "/api/health/", "kind": "status", "status": 503.0,
		"probability": 1.0, "times": 1.0, "after": 0.0, "matched": 1.0, "fired": 1.0}
	if !reflect.DeepEqual(e.Fault, want) || e.FaultSource == nil || *e.FaultSource != "rule" || e.Status != 503 {
		t.Errorf("fault %v from %v, status %d\nwant %v", e.Fault, e.FaultSource, e.Status, want)
	}
}

func TestJournalRedactsTokens(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	groups := "/api/organizations/" + acmeID + "/groups/"
	s.do(t, call{method: "POST", path: groups + "?token=" + acmeAdmin, token: acmeAdmin, body: map[string]string{"name": "Token " + acmeAdmin}})
	s.do(t, call{method: "GET", path: "/api/me/?key=secret-xyz", token: "secret-xyz"})
	s.do(t, call{method: "POST", path: groups, token: acmeManager, body: map[string]string{"name": "Leaked " + globexAdmin}})

	r := s.plain(t, call{method: "GET", path: "/__fake/requests"})
	for email, token := range s.Server.Tokens() {
		if bytes.Contains(r.Body, []byte(token)) {
			t.Errorf("the journal shows the token of %s: %s", email, r.Body)
		}
	}
	if bytes.Contains(r.Body, []byte("secret-xyz")) {
		t.Errorf("the journal shows an unknown presented token: %s", r.Body)
	}
	entries := s.requests(t, "")
	wantQueries := []string{"token=[REDACTED]", "key=[REDACTED]", ""}
	wantBodies := []string{`{"name":"Token [REDACTED]"}`, "null", `{"name":"Leaked [REDACTED]"}`}
	for i, e := range entries {
		if e.Query != wantQueries[i] || string(e.RequestBody) != wantBodies[i] {
			t.Errorf("entry %d: query %q body %s", i+1, e.Query, e.RequestBody)
		}
	}
	if entries[0].Caller == nil || *entries[0].Caller != "ada@acme.test" {
		t.Errorf("caller %v, want the user's email", entries[0].Caller)
	}
}

func TestJournalBody(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	groups := "/api/organizations/" + acmeID + "/groups/"
	big := `{"name": "` + strings.Repeat("x", 70<<10) + `"}`
	s.do(t, call{method: "POST", path: groups, token: acmeAdmin, body: big})
	s.do(t, call{method: "POST", path: groups, token: acmeRestricted, body: map[string]string{"name": "Refused"}})
	entries := s.requests(t, "")
	var kept string
	if err := json.Unmarshal(entries[0].RequestBody, &kept); err != nil || len(kept) != 64<<10 || !strings.HasPrefix(big, kept) || !entries[0].RequestBodyTruncated {
		t.Errorf("big body kept as %d bytes (%v), truncated %v", len(kept), err, entries[0].RequestBodyTruncated)
	}
	// A request refused before its body was parsed shows the body too.
	if entries[1].Status != 403 || string(entries[1].RequestBody) != `{"name":"Refused"}` {
		t.Errorf("403 entry: status %d body %s", entries[1].Status, entries[1].RequestBody)
	}
}

func TestJournalBoundedAndFiltered(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, fake.WithJournalSize(4))
	groups := "/api/organizations/" + acmeID + "/groups/"
	calls := []call{
		{method: "GET", path: healthPath},
		{method: "GET", path: "/api/groups/" + supportGroupID + "/", token: acmeAdmin},
		{method: "GET", path: groups, token: acmeAdmin},
		{method: "POST", path: groups, token: acmeAdmin, body: map[string]string{"name": "Filtered"}},
		{method: "GET", path: "/api/groups/" + salesGroupID + "/", token: acmeAdmin},
		{method: "GET", path: "/api/groups/" + salesGroupID + "/", token: acmeMember},
	}
	for _, c := range calls {
		s.do(t, c)
	}
	ids := func(entries []journalEntry) []int {
		out := []int{}
		for _, e := range entries {
			out = append(out, e.ID)
		}
		return out
	}
	cases := []struct {
		name  string
		query string
		want  []int
	}{
		{"bounded/newest-last", "", []int{3, 4, 5, 6}},
		{"method", "?method=post", []int{4}},
		{"path/template", "?path=/api/groups/{id}/", []int{5, 6}},
		{"path/concrete", "?path=" + groups, []int{3, 4}},
		{"status", "?status=403", []int{6}},
		{"operation-id", "?operation_id=retrieveGroup", []int{5, 6}},
		{"limit", "?limit=2", []int{5, 6}},
		{"limit/with-filter", "?method=GET&limit=1", []int{6}},
		{"no-match", "?status=500", []int{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := ids(s.requests(t, tc.query)); !slices.Equal(got, tc.want) {
				t.Errorf("ids %v, want %v", got, tc.want)
			}
		})
	}
	for _, tc := range []struct{ query, body string }{
		{"?status=abc", `{"status": ["A valid non-negative integer is required."]}`},
		{"?limit=-1", `{"limit": ["A valid non-negative integer is required."]}`},
	} {
		t.Run("error/"+tc.query, func(t *testing.T) {
			t.Parallel()
			r := s.plain(t, call{method: "GET", path: "/__fake/requests" + tc.query})
			wantStatus(t, r, 400)
			wantJSON(t, r, tc.body)
		})
	}
	t.Run("go-api", func(t *testing.T) {
		t.Parallel()
		got := s.Server.Journal(fake.JournalFilter{Path: "/api/groups/{id}/", Status: 200})
		if len(got) != 1 || got[0].ID != 5 || got[0].OperationID != "retrieveGroup" || got[0].Caller != "ada@acme.test" {
			t.Errorf("Journal %+v", got)
		}
	})
}

func TestJournalClear(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	s.do(t, call{method: "GET", path: healthPath})
	wantStatus(t, s.plain(t, call{method: "DELETE", path: "/__fake/requests"}), 204)
	if entries := s.requests(t, ""); len(entries) != 0 {
		t.Errorf("entries after clear %+v", entries)
	}
	s.do(t, call{method: "GET", path: healthPath})
	if entries := s.requests(t, ""); len(entries) != 1 || entries[0].ID != 2 {
		t.Errorf("entries %+v, want one with id 2 (ids go on)", entries)
	}
	s.Server.ClearJournal()
	if entries := s.Server.Journal(fake.JournalFilter{}); len(entries) != 0 {
		t.Errorf("entries after ClearJournal %+v", entries)
	}
	t.Run("size-0", func(t *testing.T) {
		s := newAPIServer(t, fake.WithJournalSize(0))
		s.do(t, call{method: "GET", path: healthPath})
		if entries := s.requests(t, ""); len(entries) != 0 {
			t.Errorf("entries %+v", entries)
		}
	})
}
