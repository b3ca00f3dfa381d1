package fake_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

const healthPath = "/api/health/"

// rawRequest is an HTTP/1.1 request as bytes, for tests that must see the
// connection itself (a reset, a close, a truncated response).
func rawRequest(method, path, token string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: fake.test\r\nConnection: close\r\n", method, path)
	if token != "" {
		fmt.Fprintf(&b, "Authorization: Token %s\r\n", token)
	}
	b.WriteString("\r\n")
	return b.String()
}

// dial opens a TCP connection to the server.
func (s *apiServer) dial(t testing.TB) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// exchangeRaw sends a raw request and reads until the server closes the
// connection: what arrived, and the error that ended the read (nil for a
// clean close).
func (s *apiServer) exchangeRaw(t testing.TB, request string) ([]byte, error) {
	t.Helper()
	conn := s.dial(t)
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	return io.ReadAll(conn)
}

func TestFaultRulesCRUD(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	r := s.plain(t, call{method: "POST", path: "/__fake/faults", body: `{"method": "get", "path": "/api/groups/{id}/", "kind": "status", "status": 503, "headers": {"Retry-After": "7"}, "probability": 0.25, "times": 3, "after": 1}`})
	wantStatus(t, r, 201)
	wantJSON(t, r, `{"id": 1, "method": "GET", "path": "/api/groups/{id}/", "kind": "status", "status": 503, "headers": {"Retry-After": "7"}, "probability": 0.25, "times": 3, "after": 1, "matched": 0, "fired": 0}`)
	if loc := r.Header.Get("Location"); loc != "/__fake/faults/1" {
		t.Errorf("Location %q", loc)
	}
	second := s.addFault(t, `{"kind": "delay", "delay": "1.5s", "id": 77, "fired": 9}`)
	if second != 2 {
		t.Errorf("second rule id %d, want 2 (ids are the server's)", second)
	}
	wantJSON(t, s.plain(t, call{method: "GET", path: "/__fake/faults/2"}),
		`{"id": 2, "method": "", "path": "", "kind": "delay", "delay": "1.5s", "probability": 1, "times": 0, "after": 0, "matched": 0, "fired": 0}`)
	if rules := s.faults(t); len(rules) != 2 || rules[0]["id"] != 1.0 || rules[1]["id"] != 2.0 {
		t.Errorf("rules %v", rules)
	}
	wantStatus(t, s.plain(t, call{method: "DELETE", path: "/__fake/faults/1"}), 204)
	wantStatus(t, s.plain(t, call{method: "DELETE", path: "/__fake/faults/1"}), 404)
	if rules := s.faults(t); len(rules) != 1 || rules[0]["id"] != 2.0 {
		t.Errorf("rules after delete %v", rules)
	}
	wantStatus(t, s.plain(t, call{method: "DELETE", path: "/__fake/faults"}), 204)
	if rules := s.faults(t); len(rules) != 0 {
		t.Errorf("rules after clear %v", rules)
	}
	if third := s.addFault(t, `{"kind": "close"}`); third != 3 {
		t.Errorf("ids are reused: %d", third)
	}
}

func TestFaultRuleInvalid(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	cases := []struct {
		name string
		rule string
		want string
	}{
		{"error/no-kind", `{"status": 503}`, `{"kind": ["This field is required."]}`},
		{"error/unknown-kind", `{"kind": "explode"}`, `{"kind": ["\"explode\" is not a valid choice (one of status, delay, reset, close, truncate, malformed, hang)."]}`},
		{"error/status-without-status", `{"kind": "status"}`, `{"status": ["This field is required."]}`},
		{"error/status-out-of-range", `{"kind": "status", "status": 99}`, `{"status": ["Ensure this value is between 200 and 599."]}`},
		{"error/status-on-reset", `{"kind": "reset", "status": 500}`, `{"status": ["Does not apply to kind \"reset\"."]}`},
		{"error/body-on-delay", `{"kind": "delay", "delay": "1s", "body": "x"}`, `{"body": ["Does not apply to kind \"delay\"."]}`},
		{"error/headers-on-hang", `{"kind": "hang", "headers": {"A": "b"}}`, `{"headers": ["Does not apply to kind \"hang\"."]}`},
		{"error/bad-header", `{"kind": "status", "status": 500, "headers": {"Bad Name": "x"}}`, `{"headers": ["\"Bad Name\": \"x\" is not a valid header."]}`},
		{"error/headers-not-strings", `{"kind": "status", "status": 500, "headers": {"A": 1}}`, `{"headers": ["Expected an object of header names to string values."]}`},
		{"error/probability-above-1", `{"kind": "close", "probability": 1.5}`, `{"probability": ["Ensure this value is between 0 and 1."]}`},
		{"error/probability-negative", `{"kind": "close", "probability": -0.1}`, `{"probability": ["Ensure this value is between 0 and 1."]}`},
		{"error/probability-string", `{"kind": "close", "probability": "half"}`, `{"probability": ["A valid number is required."]}`},
		{"error/delay-missing", `{"kind": "delay"}`, `{"delay": ["This field is required."]}`},
		{"error/delay-not-duration", `{"kind": "delay", "delay": "soon"}`, `{"delay": ["Enter a Go duration such as \"200ms\" or \"2s\"."]}`},
		{"error/delay-number", `{"kind": "delay", "delay": 200}`, `{"delay": ["Enter a Go duration such as \"200ms\" or \"2s\"."]}`},
		{"error/delay-too-long", `{"kind": "delay", "delay": "6m"}`, `{"delay": ["Ensure this value is between 0s and 5m0s."]}`},
		{"error/times-negative", `{"kind": "close", "times": -1}`, `{"times": ["Ensure this value is greater than or equal to 0."]}`},
		{"error/after-not-integer", `{"kind": "close", "after": 1.5}`, `{"after": ["A valid integer is required."]}`},
		{"error/unknown-field", `{"kind": "close", "rate": 1}`, `{"rate": ["Unknown field."]}`},
		{"error/method", `{"kind": "close", "method": "FETCH"}`, `{"method": ["\"FETCH\" is not a valid choice (one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS)."]}`},
		{"error/path-no-slash", `{"kind": "close", "path": "/api/me"}`, `{"path": ["No API path matches /api/me (paths end with a slash)."]}`},
		{"error/path-unknown", `{"kind": "close", "path": "/api/nothing/{id}/"}`, `{"path": ["No API path matches /api/nothing/{id}/ (paths end with a slash)."]}`},
		{"error/path-query", `{"kind": "close", "path": "/api/me/?x=1"}`, `{"path": ["Enter a path such as /api/groups/{id}/ (no query)."]}`},
		{"error/path-half-template", `{"kind": "close", "path": "/api/groups/x{id}/"}`, `{"path": ["Segment \"x{id}\": a template segment is a whole {name}."]}`},
		{"error/two-fields", `{"kind": "status", "probability": 2}`, `{"status": ["This field is required."], "probability": ["Ensure this value is between 0 and 1."]}`},
		{"error/not-an-object", `[{"kind": "close"}]`, `{"non_field_errors": ["Invalid data. Expected a dictionary of rule fields."]}`},
		{"error/not-json", `{"kind": `, `{"detail": "JSON parse error - unexpected EOF"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := s.plain(t, call{method: "POST", path: "/__fake/faults", body: tc.rule})
			wantStatus(t, r, 400)
			wantJSON(t, r, tc.want)
		})
	}
	t.Run("nothing-added", func(t *testing.T) {
		t.Parallel()
		// The table's rules run in parallel with this check; none may land.
		for _, rule := range s.Server.Faults() {
			t.Errorf("invalid rule added: %+v", rule)
		}
	})
	t.Run("go-api", func(t *testing.T) {
		t.Parallel()
		remove, err := s.Server.InjectFault(fake.FaultRule{Kind: fake.FaultStatus, Probability: 3})
		if remove != nil || err == nil || err.Error() != "fault rule: probability: Ensure this value is between 0 and 1.; status: This field is required." {
			t.Errorf("InjectFault: %v", err)
		}
	})
	t.Run("option", func(t *testing.T) {
		t.Parallel()
		_, err := fake.New(fake.WithFaults(fake.FaultRule{Kind: fake.FaultStatus, Status: 503}, fake.FaultRule{Kind: "boom"}))
		if err == nil || !strings.Contains(err.Error(), `WithFaults: rule 2: kind: "boom" is not a valid choice`) {
			t.Errorf("New: %v", err)
		}
	})
}

func TestFaultStatus(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	orgPath := "/api/organizations/" + acmeID + "/"
	t.Run("declared-status/validated", func(t *testing.T) {
		s := newAPIServer(t)
		s.addFault(t, `{"kind": "status", "status": 500, "path": "/api/organizations/{organization_pk}/"}`)
		r := s.do(t, call{method: "GET", path: orgPath, token: acmeAdmin})
		wantStatus(t, r, 500)
		if r.detail(t) != "A server error occurred." {
			t.Errorf("detail %q", r.detail(t))
		}
	})
	s.addFault(t, `{"kind": "status", "status": 503, "method": "GET", "path": "/api/organizations/{organization_pk}/", "headers": {"Retry-After": "7"}, "times": 1}`)
	s.addFault(t, `{"kind": "status", "status": 502, "path": "/api/organizations/{organization_pk}/", "body": {"error": "upstream"}, "times": 1}`)
	s.addFault(t, `{"kind": "status", "status": 418, "path": "/api/organizations/{organization_pk}/", "body": "not json", "headers": {"Content-Type": "text/plain"}, "times": 1}`)
	s.addFault(t, `{"kind": "status", "status": 204, "path": "/api/organizations/{organization_pk}/", "times": 1}`)

	r := s.plain(t, call{method: "GET", path: orgPath, token: acmeAdmin})
	wantStatus(t, r, 503)
	wantJSON(t, r, `{"detail": "Service temporarily unavailable, try again later."}`)
	if r.Header.Get("Retry-After") != "7" || r.Header.Get("X-Request-Id") == "" {
		t.Errorf("headers %v", r.Header)
	}
	r = s.plain(t, call{method: "GET", path: orgPath, token: acmeAdmin})
	wantStatus(t, r, 502)
	wantJSON(t, r, `{"error":"upstream"}`)
	r = s.plain(t, call{method: "GET", path: orgPath, token: acmeAdmin})
	wantStatus(t, r, 418)
	if string(r.Body) != "not json" || r.Header.Get("Content-Type") != "text/plain" {
		t.Errorf("418: %q %v", r.Body, r.Header)
	}
	r = s.plain(t, call{method: "GET", path: orgPath, token: acmeAdmin})
	wantStatus(t, r, 204)
	if len(r.Body) != 0 {
		t.Errorf("204 with body %q", r.Body)
	}
	// Every rule was used up; the API answers again.
	wantStatus(t, s.do(t, call{method: "GET", path: orgPath, token: acmeAdmin}), 200)
	if rules := s.faults(t); len(rules) != 0 {
		t.Errorf("expired rules are still listed: %v", rules)
	}
}

// TestFaultsAfterChecks: faults act only on requests that pass the checks
// before them; a request that fails one gets its real error.
func TestFaultsAfterChecks(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	s.addFault(t, `{"kind": "status", "status": 500}`)
	groups := "/api/organizations/" + acmeID + "/groups/"
	cases := []struct {
		name   string
		call   call
		status int
	}{
		{"unknown-path", call{method: "GET", path: "/api/nothing/"}, 404},
		{"no-slash", call{method: "GET", path: "/api/me"}, 301},
		{"version", call{method: "GET", path: groups, token: acmeAdmin, accept: "application/json; version=9"}, 406},
		{"no-token", call{method: "GET", path: groups}, 401},
		{"other-team", call{method: "GET", path: "/api/organizations/" + globexID + "/groups/", token: acmeAdmin}, 404},
		{"role", call{method: "GET", path: groups, token: acmeMember}, 403},
		{"method", call{method: "PUT", path: groups, token: acmeAdmin}, 405},
		{"passes", call{method: "GET", path: groups, token: acmeAdmin}, 500},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			wantStatus(t, s.do(t, tc.call), tc.status)
		})
	}
}

func TestFaultDelay(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	path := "/api/organizations/" + acmeID + "/groups/"
	normal := s.do(t, call{method: "GET", path: path, token: acmeAdmin})
	s.addFault(t, `{"kind": "delay", "delay": "20ms", "path": "/api/organizations/{organization_pk}/groups/", "headers": {"X-Slow": "yes"}}`)
	delayed := s.do(t, call{method: "GET", path: path, token: acmeAdmin})
	wantStatus(t, delayed, 200)
	if !bytes.Equal(delayed.Body, normal.Body) || delayed.Header.Get("X-Slow") != "yes" {
		t.Errorf("delayed response %s %v", delayed.Body, delayed.Header)
	}
	created := s.do(t, call{method: "POST", path: path, token: acmeAdmin, body: map[string]string{"name": "Slow Group"}})
	wantStatus(t, created, 201)
	entries := s.Server.Journal(fake.JournalFilter{Method: "POST"})
	if len(entries) != 1 || entries[0].Fault == nil || entries[0].Fault.Kind != fake.FaultDelay || entries[0].Fault.Delay != 20*time.Millisecond {
		t.Errorf("journal %+v", entries)
	}
}

func TestFaultReset(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	s.addFault(t, `{"kind": "reset", "path": "/api/health/"}`)
	data, err := s.exchangeRaw(t, rawRequest("GET", healthPath, ""))
	if !errors.Is(err, syscall.ECONNRESET) || len(data) != 0 {
		t.Errorf("read %q, %v; want nothing and a connection reset", data, err)
	}
	entries := s.Server.Journal(fake.JournalFilter{})
	if len(entries) != 1 || entries[0].Status != 0 || entries[0].Fault.Kind != fake.FaultReset {
		t.Errorf("journal %+v", entries)
	}
}

func TestFaultClose(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	s.addFault(t, `{"kind": "close", "method": "POST"}`)
	groups := "/api/organizations/" + acmeID + "/groups/"
	t.Run("raw", func(t *testing.T) {
		body := `{"name": "Never Made"}`
		req := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: fake.test\r\nAuthorization: Token %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
			groups, acmeAdmin, len(body), body)
		data, err := s.exchangeRaw(t, req)
		if err != nil || len(data) != 0 {
			t.Errorf("read %q, %v; want a clean close with nothing", data, err)
		}
	})
	t.Run("go-client", func(t *testing.T) {
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		defer client.CloseIdleConnections()
		req, _ := http.NewRequest("POST", s.URL+groups, strings.NewReader(`{"name": "Never Made"}`))
		req.Header.Set("Authorization", "Token "+acmeAdmin)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("status %d, want an error", resp.StatusCode)
		}
		if !errors.Is(err, io.EOF) {
			t.Errorf("error %v, want EOF", err)
		}
	})
	// The handler never ran.
	var list []fake.Group
	s.do(t, call{method: "GET", path: groups, token: acmeAdmin}).decode(t, &list)
	if slices.Contains(groupNames(list), "Never Made") {
		t.Error("the closed request created its group")
	}
}

func TestFaultTruncate(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	orgPath := "/api/organizations/" + acmeID + "/"
	full := s.do(t, call{method: "GET", path: orgPath, token: acmeAdmin})
	s.addFault(t, `{"kind": "truncate", "method": "GET", "path": "/api/organizations/{organization_pk}/"}`)
	t.Run("raw", func(t *testing.T) {
		data, err := s.exchangeRaw(t, rawRequest("GET", orgPath, acmeAdmin))
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(data)), nil)
		if err != nil {
			t.Fatalf("head: %v in %q", err, data)
		}
		body, err := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || resp.ContentLength != int64(len(full.Body)) || resp.Header.Get("X-Request-Id") == "" {
			t.Errorf("head %d %d %v, want 200 with Content-Length %d", resp.StatusCode, resp.ContentLength, resp.Header, len(full.Body))
		}
		if !errors.Is(err, io.ErrUnexpectedEOF) || len(body) != len(full.Body)/2 || !bytes.HasPrefix(full.Body, body) {
			t.Errorf("body %q, %v; want the first half of %q and an unexpected EOF", body, err, full.Body)
		}
	})
	t.Run("go-client", func(t *testing.T) {
		req, _ := http.NewRequest("GET", s.URL+orgPath, nil)
		req.Header.Set("Authorization", "Token "+acmeAdmin)
		resp, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if _, err := io.ReadAll(resp.Body); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("reading the body: %v, want unexpected EOF", err)
		}
	})
	t.Run("no-body/head-cut", func(t *testing.T) {
		s := newAPIServer(t)
		s.addFault(t, `{"kind": "truncate", "method": "DELETE"}`)
		path := "/api/organizations/" + acmeID + "/campaigns/" + onboardingID + "/"
		data, err := s.exchangeRaw(t, rawRequest("DELETE", path, acmeAdmin))
		if err != nil || !bytes.HasPrefix(data, []byte("HTTP/1.1 204 No Content\r\n")) || bytes.Contains(data, []byte("\r\n\r\n")) {
			t.Errorf("read %q, %v; want a head cut short", data, err)
		}
		if _, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(data)), nil); err == nil {
			t.Error("a cut head parsed")
		}
		// The handler ran: the campaign is gone.
		wantStatus(t, s.do(t, call{method: "GET", path: path, token: acmeAdmin}), 404)
	})
}

func TestFaultMalformed(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	groups := "/api/organizations/" + acmeID + "/groups/"
	s.addFault(t, `{"kind": "malformed", "path": "/api/organizations/{organization_pk}/groups/"}`)
	for _, tc := range []struct {
		name   string
		call   call
		status int
	}{
		{"list", call{method: "GET", path: groups, token: acmeAdmin}, 200},
		{"create", call{method: "POST", path: groups, token: acmeAdmin, body: map[string]string{"name": "Garbled"}}, 201},
		{"validation-error", call{method: "POST", path: groups, token: acmeAdmin, body: map[string]string{}}, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.plain(t, tc.call)
			wantStatus(t, r, tc.status)
			if json.Valid(r.Body) || len(r.Body) == 0 || r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("body %q (%s) is valid JSON", r.Body, r.Header.Get("Content-Type"))
			}
		})
	}
	t.Run("write-happened", func(t *testing.T) {
		wantStatus(t, s.plain(t, call{method: "DELETE", path: "/__fake/faults"}), 204)
		var list []fake.Group
		s.do(t, call{method: "GET", path: groups, token: acmeAdmin}).decode(t, &list)
		if !slices.Contains(groupNames(list), "Garbled") {
			t.Errorf("groups %v: the malformed create did not happen", groupNames(list))
		}
	})
	t.Run("body-and-status", func(t *testing.T) {
		s := newAPIServer(t)
		s.addFault(t, `{"kind": "malformed", "status": 502, "body": "<html>Bad Gateway</html>"}`)
		r := s.plain(t, call{method: "GET", path: healthPath})
		wantStatus(t, r, 502)
		if string(r.Body) != "<html>Bad Gateway</html>" {
			t.Errorf("body %q", r.Body)
		}
	})
}

func TestFaultHang(t *testing.T) {
	t.Parallel()
	t.Run("bounded", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		s.addFault(t, `{"kind": "hang", "delay": "2s"}`)
		conn := s.dial(t)
		_, _ = io.WriteString(conn, rawRequest("GET", healthPath, ""))
		// Nothing comes while the hang lasts...
		_ = conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		buf := make([]byte, 1)
		if n, err := conn.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("read %d bytes, %v; want nothing yet", n, err)
		}
		// ...then the connection closes with no answer.
		_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		if data, err := io.ReadAll(conn); err != nil || len(data) != 0 {
			t.Errorf("read %q, %v; want a close with nothing", data, err)
		}
	})
	t.Run("until-client-gives-up", func(t *testing.T) {
		t.Parallel()
		srv, err := fake.New(fake.WithFaults(fake.FaultRule{Kind: fake.FaultHang, Method: "POST"}))
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+"/api/organizations/"+acmeID+"/groups/", strings.NewReader(`{"name": "x"}`))
		req.Header.Set("Authorization", "Token "+acmeAdmin)
		req.Header.Set("Content-Type", "application/json")
		resp, err := ts.Client().Do(req)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("status %d, want no answer", resp.StatusCode)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v, want the client's deadline", err)
		}
		// The journal records the request once its handler is done, which
		// is when the hang noticed the client leave, not five minutes later.
		waitFor(t, "the hang to end", func() bool { return len(srv.Journal(fake.JournalFilter{})) == 1 })
		ts.Close()
		entries := srv.Journal(fake.JournalFilter{})
		if entries[0].Status != 0 || entries[0].Fault.Kind != fake.FaultHang {
			t.Errorf("journal %+v", entries)
		}
	})
	for _, kind := range []string{"hang", "delay"} {
		t.Run("ended-by-close/"+kind, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			s.addFault(t, `{"kind": "`+kind+`", "delay": "5m"}`)
			conn := s.dial(t)
			_, _ = io.WriteString(conn, rawRequest("GET", healthPath, ""))
			waitFor(t, "the request to reach the fault", func() bool {
				rules := s.Server.Faults()
				return len(rules) == 1 && rules[0].Fired == 1
			})
			s.Server.Close()
			_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
			if data, err := io.ReadAll(conn); err != nil || len(data) != 0 {
				t.Errorf("read %q, %v; want a close with nothing", data, err)
			}
		})
	}
}

func TestFaultTimesAfter(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		rule string
		want []int // statuses of six requests
	}{
		{"times", `{"kind": "status", "status": 500, "times": 2}`, []int{500, 500, 200, 200, 200, 200}},
		{"after", `{"kind": "status", "status": 500, "after": 2}`, []int{200, 200, 500, 500, 500, 500}},
		{"after-then-times", `{"kind": "status", "status": 500, "after": 1, "times": 2}`, []int{200, 500, 500, 200, 200, 200}},
		{"no-limit", `{"kind": "status", "status": 500}`, []int{500, 500, 500, 500, 500, 500}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t)
			s.addFault(t, tc.rule)
			var got []int
			for range tc.want {
				got = append(got, s.do(t, call{method: "GET", path: healthPath}).Status)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("statuses %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFaultMatching(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	s.addFault(t, `{"kind": "status", "status": 500, "method": "DELETE", "path": "/api/groups/{id}/"}`)
	s.addFault(t, `{"kind": "status", "status": 500, "path": "/api/groups/`+salesGroupID+`/"}`)
	s.addFault(t, `{"kind": "status", "status": 500, "path": "/api/organizations/{organization_pk}/campaigns/{id}/"}`)
	cases := []struct {
		name   string
		call   call
		status int
	}{
		{"template/method-matches", call{method: "DELETE", path: "/api/groups/" + supportGroupID + "/", token: acmeAdmin}, 500},
		{"template/other-method", call{method: "GET", path: "/api/groups/" + supportGroupID + "/", token: acmeAdmin}, 200},
		{"concrete/matches", call{method: "GET", path: "/api/groups/" + salesGroupID + "/", token: acmeAdmin}, 500},
		{"template/longer-path", call{method: "GET", path: "/api/groups/" + supportGroupID + "/memberships/", token: acmeAdmin}, 200},
		{"template/two-params", call{method: "GET", path: "/api/organizations/" + acmeID + "/campaigns/" + q1CampaignID + "/", token: acmeAdmin}, 500},
		{"template/collection", call{method: "GET", path: "/api/organizations/" + acmeID + "/campaigns/", token: acmeAdmin}, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			wantStatus(t, s.do(t, tc.call), tc.status)
		})
	}
}

// TestFaultOrder: rules are checked in the order added; the first that
// fires acts, and the ones after it are not even counted.
func TestFaultOrder(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	s.addFault(t, `{"kind": "status", "status": 500, "times": 1}`)
	s.addFault(t, `{"kind": "status", "status": 503, "body": "{\"detail\": \"second\"}", "times": 1}`)
	s.addFault(t, `{"kind": "status", "status": 500, "path": "/api/me/"}`)
	var got []int
	for i := 0; i < 3; i++ {
		got = append(got, s.plain(t, call{method: "GET", path: healthPath}).Status)
	}
	if !slices.Equal(got, []int{500, 503, 200}) {
		t.Errorf("statuses %v", got)
	}
	rules := s.Server.Faults()
	if len(rules) != 1 || rules[0].Path != "/api/me/" || rules[0].Matched != 0 {
		t.Errorf("rules %+v", rules)
	}
}

// failingIndexes sends n health checks and returns the indexes that failed.
func failingIndexes(t *testing.T, s *apiServer, n int, headers map[string]string) []int {
	t.Helper()
	var failed []int
	for i := 0; i < n; i++ {
		if s.plain(t, call{method: "GET", path: healthPath, headers: headers}).Status != 200 {
			failed = append(failed, i)
		}
	}
	return failed
}

func TestFaultProbabilitySeeded(t *testing.T) {
	t.Parallel()
	rule := fake.FaultRule{Kind: fake.FaultStatus, Status: 503, Probability: 0.5}
	run := func(seed int64) []int {
		s := newAPIServer(t, fake.WithSeed(seed), fake.WithFaults(rule))
		return failingIndexes(t, s, 40, nil)
	}
	a, again, other := run(7), run(7), run(8)
	if len(a) < 5 || len(a) > 35 {
		t.Errorf("seed 7 failed %d of 40 requests at probability 0.5: %v", len(a), a)
	}
	if !slices.Equal(a, again) {
		t.Errorf("same seed, different failures:\n%v\n%v", a, again)
	}
	if slices.Equal(a, other) {
		t.Errorf("seeds 7 and 8 fail the same requests: %v", a)
	}
	// The data's seed stream is apart: the same seed gives the same ids with
	// or without fault draws.
	plainServer := newAPIServer(t, fake.WithSeed(7))
	faulty := newAPIServer(t, fake.WithSeed(7), fake.WithFaults(rule))
	failingIndexes(t, faulty, 10, nil)
	for _, s := range []*apiServer{plainServer, faulty} {
		s.Server.ClearFaults()
	}
	groups := "/api/organizations/" + acmeID + "/groups/"
	var g1, g2 fake.Group
	plainServer.do(t, call{method: "POST", path: groups, token: acmeAdmin, body: map[string]string{"name": "Seeded"}}).decode(t, &g1)
	faulty.do(t, call{method: "POST", path: groups, token: acmeAdmin, body: map[string]string{"name": "Seeded"}}).decode(t, &g2)
	if g1 != g2 {
		t.Errorf("fault draws moved the data's ids: %+v vs %+v", g1, g2)
	}
}

func TestFaultHeader(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	orgPath := "/api/organizations/" + acmeID + "/"
	cases := []struct {
		name   string
		header string
		status int
		body   string
		check  func(t *testing.T, r *response)
	}{
		{name: "status", header: "kind=status; status=503", status: 503, body: `{"detail": "Service temporarily unavailable, try again later."}`},
		{name: "status/headers-body", header: "kind=status;status=429;headers=Retry-After: 3, X-A: b;body={\"detail\": \"slow down\"}", status: 429, body: `{"detail": "slow down"}`,
			check: func(t *testing.T, r *response) {
				if r.Header.Get("Retry-After") != "3" || r.Header.Get("X-A") != "b" {
					t.Errorf("headers %v", r.Header)
				}
			}},
		{name: "delay", header: "kind=delay; delay=10ms", status: 200},
		{name: "malformed", header: "kind=malformed", status: 200, check: func(t *testing.T, r *response) {
			if json.Valid(r.Body) {
				t.Errorf("body %q is JSON", r.Body)
			}
		}},
		{name: "probability-1", header: "kind=status; status=500; probability=1", status: 500, body: `{"detail": "A server error occurred."}`},
		{name: "error/unknown-kind", header: "kind=explode", status: 400,
			body: `{"detail": "X-Fake-Fault: kind: \"explode\" is not a valid choice (one of status, delay, reset, close, truncate, malformed, hang)."}`},
		{name: "error/missing-status", header: "kind=status", status: 400, body: `{"detail": "X-Fake-Fault: status: This field is required."}`},
		{name: "error/not-name-value", header: "status", status: 400, body: `{"detail": "X-Fake-Fault: \"status\" is not name=value"}`},
		{name: "error/times", header: "kind=close; times=2", status: 400, body: `{"detail": "X-Fake-Fault: times does not apply to a one-off fault"}`},
		{name: "error/bad-delay", header: "kind=delay; delay=soon", status: 400, body: `{"detail": "X-Fake-Fault: delay: \"soon\" is not valid"}`},
		{name: "error/unknown-field", header: "kind=close; colour=red", status: 400,
			body: `{"detail": "X-Fake-Fault: unknown field \"colour\" (one of kind, status, headers, body, delay, probability)"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := s.plain(t, call{method: "GET", path: orgPath, token: acmeAdmin, headers: map[string]string{"X-Fake-Fault": tc.header}})
			wantStatus(t, r, tc.status)
			if tc.body != "" {
				wantJSON(t, r, tc.body)
			}
			if r.Header.Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id")
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
	t.Run("one-off", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		wantStatus(t, s.plain(t, call{method: "GET", path: healthPath, headers: map[string]string{"X-Fake-Fault": "kind=status; status=503"}}), 503)
		wantStatus(t, s.do(t, call{method: "GET", path: healthPath}), 200)
		entries := s.Server.Journal(fake.JournalFilter{})
		if len(entries) != 2 || entries[0].FaultSource != "header" || entries[0].Fault.Status != 503 || entries[1].Fault != nil {
			t.Errorf("journal %+v", entries)
		}
	})
	t.Run("reset", func(t *testing.T) {
		t.Parallel()
		req := strings.Replace(rawRequest("GET", healthPath, ""), "\r\n\r\n", "\r\nX-Fake-Fault: kind=reset\r\n\r\n", 1)
		data, err := s.exchangeRaw(t, req)
		if !errors.Is(err, syscall.ECONNRESET) || len(data) != 0 {
			t.Errorf("read %q, %v; want a reset", data, err)
		}
	})
	t.Run("probability-seeded", func(t *testing.T) {
		t.Parallel()
		header := map[string]string{"X-Fake-Fault": "kind=status; status=503; probability=0.5"}
		a := failingIndexes(t, newAPIServer(t, fake.WithSeed(3)), 30, header)
		b := failingIndexes(t, newAPIServer(t, fake.WithSeed(3)), 30, header)
		if !slices.Equal(a, b) || len(a) == 0 || len(a) == 30 {
			t.Errorf("seed 3: %v and %v", a, b)
		}
	})
	t.Run("turned-off", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t, fake.WithoutFaultHeader())
		for _, header := range []string{"kind=status; status=503", "kind=explode"} {
			r := s.do(t, call{method: "GET", path: orgPath, token: acmeAdmin, headers: map[string]string{"X-Fake-Fault": header}})
			wantStatus(t, r, 200)
		}
	})
}

func TestErrorRate(t *testing.T) {
	t.Parallel()
	details := map[int]string{
		500: "A server error occurred.",
		502: "Bad gateway.",
		503: "Service temporarily unavailable, try again later.",
	}
	statuses := func(seed int64, rate float64) []int {
		s := newAPIServer(t, fake.WithSeed(seed), fake.WithErrorRate(rate))
		var got []int
		for i := 0; i < 30; i++ {
			r := s.plain(t, call{method: "GET", path: "/api/organizations/", token: acmeAdmin})
			if r.Status != 200 {
				wantJSON(t, r, `{"detail": `+strconv.Quote(details[r.Status])+`}`)
			}
			got = append(got, r.Status)
		}
		return got
	}
	t.Run("always", func(t *testing.T) {
		t.Parallel()
		got := statuses(1, 1)
		for _, status := range []int{500, 502, 503} {
			if !slices.Contains(got, status) {
				t.Errorf("statuses %v lack %d", got, status)
			}
		}
		if slices.Contains(got, 200) {
			t.Errorf("statuses %v: a request went through at rate 1", got)
		}
	})
	t.Run("seeded", func(t *testing.T) {
		t.Parallel()
		a, b, c := statuses(5, 0.3), statuses(5, 0.3), statuses(6, 0.3)
		if !slices.Equal(a, b) {
			t.Errorf("same seed:\n%v\n%v", a, b)
		}
		if slices.Equal(a, c) {
			t.Errorf("seeds 5 and 6 agree: %v", a)
		}
		if n := len(a) - len(slices.DeleteFunc(slices.Clone(a), func(s int) bool { return s != 200 })); n == 0 || n == len(a) {
			t.Errorf("rate 0.3 failed %d of %d", n, len(a))
		}
	})
	t.Run("journal", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t, fake.WithErrorRate(1))
		s.plain(t, call{method: "GET", path: healthPath})
		entries := s.Server.Journal(fake.JournalFilter{})
		if len(entries) != 1 || entries[0].FaultSource != "error_rate" || entries[0].Fault.Kind != fake.FaultStatus {
			t.Errorf("journal %+v", entries)
		}
	})
	t.Run("error/out-of-range", func(t *testing.T) {
		t.Parallel()
		if _, err := fake.New(fake.WithErrorRate(1.5)); err == nil || err.Error() != "error rate 1.5 is outside 0 to 1" {
			t.Errorf("New: %v", err)
		}
	})
}

func TestLatency(t *testing.T) {
	t.Parallel()
	t.Run("serves", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t, fake.WithLatency(2*time.Millisecond, 2*time.Millisecond))
		for i := 0; i < 3; i++ {
			wantStatus(t, s.do(t, call{method: "GET", path: "/api/organizations/", token: acmeAdmin}), 200)
		}
		// The control plane is not delayed; it answers the same way.
		wantStatus(t, s.plain(t, call{method: "GET", path: "/__fake/health"}), 200)
	})
	t.Run("ended-by-close", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t, fake.WithLatency(time.Hour, 0))
		s.Server.Close()
		data, err := s.exchangeRaw(t, rawRequest("GET", healthPath, ""))
		if err != nil || len(data) != 0 {
			t.Errorf("read %q, %v; want the connection dropped", data, err)
		}
		wantStatus(t, s.plain(t, call{method: "GET", path: "/__fake/health"}), 200)
	})
	t.Run("error/negative", func(t *testing.T) {
		t.Parallel()
		if _, err := fake.New(fake.WithLatency(-time.Second, 0)); err == nil {
			t.Error("New took a negative latency")
		}
	})
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t, fake.WithThrottle("2/min"))
	orgs := call{method: "GET", path: "/api/organizations/", token: acmeAdmin}
	wantStatus(t, s.do(t, orgs), 200)
	wantStatus(t, s.do(t, orgs), 200)
	r := s.do(t, orgs) // validated: 429 is declared, with Retry-After
	wantStatus(t, r, 429)
	seconds, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || seconds < 1 || seconds > 60 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	unit := "seconds"
	if seconds == 1 {
		unit = "second"
	}
	if want := fmt.Sprintf("Request was throttled. Expected available in %d %s.", seconds, unit); r.detail(t) != want {
		t.Errorf("detail %q, want %q", r.detail(t), want)
	}
	t.Run("per-user", func(t *testing.T) {
		wantStatus(t, s.do(t, call{method: "GET", path: "/api/organizations/", token: globexAdmin}), 200)
	})
	t.Run("after-role-check", func(t *testing.T) {
		// A 403 comes before the throttle, so it is not a 429.
		wantStatus(t, s.do(t, call{method: "GET", path: "/api/organizations/" + acmeID + "/groups/", token: acmeAdmin}), 429)
		wantStatus(t, s.do(t, call{method: "GET", path: "/api/organizations/" + acmeID + "/groups/", token: acmeMember}), 403)
	})
	t.Run("anonymous-by-address", func(t *testing.T) {
		s := newAPIServer(t, fake.WithThrottle("1/hour"))
		wantStatus(t, s.do(t, call{method: "GET", path: healthPath}), 200)
		r := s.do(t, call{method: "GET", path: healthPath})
		wantStatus(t, r, 429)
		if n, _ := strconv.Atoi(r.Header.Get("Retry-After")); n < 3000 || n > 3600 {
			t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
		}
		wantStatus(t, s.do(t, call{method: "GET", path: "/api/me/", token: acmeAdmin}), 200)
	})
	for _, tc := range []struct{ rate, err string }{
		{"5", `throttle rate "5": use DRF's syntax, a number of requests per s, m, h or d (5/min, 100/hour)`},
		{"x/min", `throttle rate "x/min": use DRF's syntax, a number of requests per s, m, h or d (5/min, 100/hour)`},
		{"0/min", `throttle rate "0/min": use DRF's syntax, a number of requests per s, m, h or d (5/min, 100/hour)`},
		{"5/week", `throttle rate "5/week": the period is one of second, minute, hour or day`},
	} {
		t.Run("error/"+tc.rate, func(t *testing.T) {
			if _, err := fake.New(fake.WithThrottle(tc.rate)); err == nil || err.Error() != tc.err {
				t.Errorf("New: %v", err)
			}
		})
	}
	for _, rate := range []string{"10/s", "10/sec", "5/m", "100/hour", "1000/day"} {
		t.Run("rate/"+rate, func(t *testing.T) {
			if _, err := fake.New(fake.WithThrottle(rate)); err != nil {
				t.Errorf("New: %v", err)
			}
		})
	}
}

// TestFaultWithoutConnection: behind a writer with no connection of its own
// (httptest.ResponseRecorder, HTTP/2), the faults that take the connection
// over abort the response with http.ErrAbortHandler instead.
func TestFaultWithoutConnection(t *testing.T) {
	t.Parallel()
	srv, err := fake.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"reset", "close", "truncate", "hang; delay=1ms"} {
		t.Run(strings.Fields(kind)[0], func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest("GET", healthPath, nil)
			req.Header.Set("X-Fake-Fault", "kind="+kind)
			defer func() {
				if v := recover(); v != http.ErrAbortHandler {
					t.Errorf("recovered %v, want http.ErrAbortHandler", v)
				}
			}()
			srv.ServeHTTP(httptest.NewRecorder(), req)
		})
	}
}

func TestFaultRuleJSON(t *testing.T) {
	t.Parallel()
	var rule fake.FaultRule
	if err := json.Unmarshal([]byte(`{"kind": "delay", "delay": "250ms", "probability": 0.5, "body": {"a": [1]}}`), &rule); err != nil {
		t.Fatal(err)
	}
	want := fake.FaultRule{Kind: fake.FaultDelay, Delay: 250 * time.Millisecond, Probability: 0.5, Body: `{"a":[1]}`}
	if !reflect.DeepEqual(rule, want) {
		t.Errorf("decoded %+v, want %+v", rule, want)
	}
	data, _ := json.Marshal(rule)
	if string(data) != `{"id":0,"method":"","path":"","kind":"delay","body":"{\"a\":[1]}","delay":"250ms","probability":0.5,"times":0,"after":0,"matched":0,"fired":0}` {
		t.Errorf("encoded %s", data)
	}
	if err := json.Unmarshal([]byte(`{"kind": "delay", "delay": 5, "times": "x"}`), &rule); err == nil ||
		err.Error() != `fault rule: delay: Enter a Go duration such as "200ms" or "2s".; times: A valid integer is required.` {
		t.Errorf("error %v", err)
	}
}
