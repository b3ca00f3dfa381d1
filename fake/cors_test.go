package fake_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

const pageOrigin = "http://localhost:3000"

var corsExposed = "Link, X-Total-Count, X-Request-Id, Retry-After, Location, Allow, WWW-Authenticate, X-Fake-Validation"

// corsHeaders returns the Access-Control-* headers of an answer.
func corsHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for name := range h {
		if strings.HasPrefix(name, "Access-Control-") {
			out[name] = strings.Join(h.Values(name), ", ")
		}
	}
	return out
}

func assertHeaders(t *testing.T, got http.Header, want map[string]string) {
	t.Helper()
	gotCORS := corsHeaders(got)
	for name, value := range want {
		if gotCORS[name] != value {
			t.Errorf("%s = %q, want %q", name, gotCORS[name], value)
		}
	}
	for name, value := range gotCORS {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected %s: %q", name, value)
		}
	}
}

func preflight(origin, method, requestHeaders string) map[string]string {
	h := map[string]string{"Origin": origin, "Access-Control-Request-Method": method}
	if requestHeaders != "" {
		h["Access-Control-Request-Headers"] = requestHeaders
	}
	return h
}

// preflightAnswer is the Access-Control-* headers of a preflight's 204.
func preflightAnswer(origin, allowHeaders string) map[string]string {
	return map[string]string{
		"Access-Control-Allow-Origin":  origin,
		"Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
		"Access-Control-Allow-Headers": allowHeaders,
		"Access-Control-Max-Age":       "600",
	}
}

func TestCORSPreflight(t *testing.T) {
	tests := []struct {
		name    string
		origins []string
		call    call
		want    map[string]string // Access-Control-* headers
		vary    []string
	}{
		{
			name:    "listed origin, API path, no token",
			origins: []string{pageOrigin},
			call: call{method: "OPTIONS", path: "/api/organizations/" + acmeID + "/memberships/",
				headers: preflight(pageOrigin, "GET", "authorization,accept")},
			want: preflightAnswer(pageOrigin, "Authorization, Content-Type, Accept, X-Fake-Fault, X-Fake-Admin-Token"),
			vary: []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"},
		},
		{
			name:    "one of several origins, origin case ignored, extra header echoed",
			origins: []string{"https://app.example", "HTTP://LOCALHOST:3000/"},
			call: call{method: "OPTIONS", path: "/api/memberships/" + acmeID + "/",
				headers: preflight(pageOrigin, "DELETE", "Authorization, X-Trace-Id, bad header")},
			want: preflightAnswer(pageOrigin, "Authorization, Content-Type, Accept, X-Fake-Fault, X-Fake-Admin-Token, X-Trace-Id"),
			vary: []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"},
		},
		{
			name:    "any origin, control plane guarded by a token",
			origins: []string{"*"},
			call: call{method: "OPTIONS", path: "/__fake/reset",
				headers: preflight("http://127.0.0.1:9999", "POST", "authorization")},
			want: preflightAnswer("*", "Authorization, Content-Type, Accept, X-Fake-Fault, X-Fake-Admin-Token"),
			vary: []string{"Access-Control-Request-Method", "Access-Control-Request-Headers"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newAPIServer(t, fake.WithCORS(tt.origins...), fake.WithControlToken("s3cret"))
			r, _ := s.send(t, tt.call)
			if r.Status != http.StatusNoContent || len(r.Body) != 0 {
				t.Fatalf("status %d body %q, want 204 and no body", r.Status, r.Body)
			}
			assertHeaders(t, r.Header, tt.want)
			if got := r.Header.Values("Vary"); strings.Join(got, ",") != strings.Join(tt.vary, ",") {
				t.Errorf("Vary = %q, want %q", got, tt.vary)
			}
			if r.Header.Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id")
			}
			// A preflight is the browser's, not the client's: the journal
			// does not see it.
			if n := len(s.Server.Journal(fake.JournalFilter{})); n != 0 {
				t.Errorf("journal holds %d requests, want 0", n)
			}
		})
	}
}

func TestCORSActualRequests(t *testing.T) {
	origin := map[string]string{"Origin": pageOrigin}
	allowed := map[string]string{
		"Access-Control-Allow-Origin":   pageOrigin,
		"Access-Control-Expose-Headers": corsExposed,
	}
	tests := []struct {
		name   string
		call   call
		status int
	}{
		{"list with pagination headers", call{method: "GET", path: "/api/organizations/" + acmeID + "/memberships/?page_size=1",
			token: acmeAdmin, accept: v2, headers: origin}, 200},
		{"401 without a token", call{method: "GET", path: "/api/organizations/" + acmeID + "/memberships/", headers: origin}, 401},
		{"404", call{method: "GET", path: "/api/nope/", token: acmeAdmin, headers: origin}, 404},
		{"405", call{method: "PUT", path: "/api/organizations/", token: acmeAdmin, headers: origin}, 405},
		{"OPTIONS that is no preflight goes through", call{method: "OPTIONS", path: "/api/me/", headers: origin}, 405},
		{"fault from the header", call{method: "GET", path: "/api/me/", token: acmeAdmin,
			headers: map[string]string{"Origin": pageOrigin, "X-Fake-Fault": "kind=status; status=503"}}, 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newAPIServer(t, fake.WithCORS(pageOrigin))
			r, req := s.send(t, tt.call)
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tt.status, r.Body)
			}
			if r.Status != 503 { // a fault's answer is outside the contract on purpose
				if err := validateResponse(req, r); err != nil {
					t.Errorf("response breaks openapi.yaml: %v", err)
				}
			}
			assertHeaders(t, r.Header, allowed)
			if got := r.Header.Values("Vary"); len(got) != 1 || got[0] != "Origin" {
				t.Errorf("Vary = %q, want [Origin]", got)
			}
		})
	}

	t.Run("control plane", func(t *testing.T) {
		s := newAPIServer(t, fake.WithCORS(pageOrigin), fake.WithControlToken("s3cret"))
		for _, c := range []call{
			{method: "GET", path: "/__fake/health", headers: map[string]string{"Origin": pageOrigin, "Authorization": "Bearer s3cret"}},
			{method: "POST", path: "/__fake/reset", headers: origin}, // 401: no token
		} {
			r, _ := s.send(t, c)
			if r.Status >= 500 {
				t.Fatalf("%s %s: %d", c.method, c.path, r.Status)
			}
			assertHeaders(t, r.Header, allowed)
		}
	})
}

func TestCORSRefused(t *testing.T) {
	path := "/api/organizations/" + acmeID + "/memberships/"
	tests := []struct {
		name    string
		options []fake.Option
		headers map[string]string
	}{
		{"off by default: preflight", nil, preflight(pageOrigin, "GET", "authorization")},
		{"off by default: no header on a request", nil, map[string]string{"Origin": pageOrigin}},
		{"WithCORS() with no origin is off", []fake.Option{fake.WithCORS()}, preflight(pageOrigin, "GET", "")},
		{"other origin: preflight", []fake.Option{fake.WithCORS(pageOrigin)}, preflight("http://localhost:3001", "GET", "authorization")},
		{"other scheme", []fake.Option{fake.WithCORS(pageOrigin)}, preflight("https://localhost:3000", "GET", "")},
		{"other origin: request", []fake.Option{fake.WithCORS(pageOrigin)}, map[string]string{"Origin": "http://evil.example"}},
		{"no Origin", []fake.Option{fake.WithCORS("*")}, map[string]string{"Access-Control-Request-Method": "GET"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newAPIServer(t, tt.options...)
			method := "GET"
			if _, ok := tt.headers["Access-Control-Request-Method"]; ok {
				method = "OPTIONS"
			}
			// No token: a preflight that is not answered as one meets
			// authentication like any request.
			r := s.do(t, call{method: method, path: path, headers: tt.headers})
			if r.Status != http.StatusUnauthorized {
				t.Errorf("status %d, want 401: %s", r.Status, r.Body)
			}
			assertHeaders(t, r.Header, nil)
		})
	}
}

func TestCORSBadOrigin(t *testing.T) {
	for _, origin := range []string{"localhost:3000", "ftp://x.example", "http://x.example/app", "http://", "http://u@x.example", "http://x.example?q=1"} {
		_, err := fake.New(fake.WithCORS(origin))
		if err == nil || !strings.Contains(err.Error(), `CORS origin "`+origin+`": use scheme://host[:port]`) {
			t.Errorf("WithCORS(%q): error %v", origin, err)
		}
	}
}

// TestCORSPreflightBeforeEverything: a preflight meets none of throttling,
// fault rules or the error rate, which would make the browser refuse the
// real request before it is sent; the real request still meets them all,
// with the CORS headers on its error.
func TestCORSPreflightBeforeEverything(t *testing.T) {
	s := newAPIServer(t, fake.WithCORS(pageOrigin), fake.WithThrottle("1/hour"), fake.WithErrorRate(1),
		fake.WithFaults(fake.FaultRule{Kind: fake.FaultStatus, Status: 418}))
	path := "/api/organizations/" + acmeID + "/memberships/"
	for range 3 {
		r, _ := s.send(t, call{method: "OPTIONS", path: path, headers: preflight(pageOrigin, "GET", "authorization")})
		if r.Status != http.StatusNoContent {
			t.Fatalf("preflight: %d %s", r.Status, r.Body)
		}
	}
	r, _ := s.send(t, call{method: "GET", path: path, token: acmeAdmin, headers: map[string]string{"Origin": pageOrigin}})
	if r.Status != 418 {
		t.Errorf("the request after the preflights: %d %s, want the fault's 418", r.Status, r.Body)
	}
	assertHeaders(t, r.Header, map[string]string{"Access-Control-Allow-Origin": pageOrigin, "Access-Control-Expose-Headers": corsExposed})
}
