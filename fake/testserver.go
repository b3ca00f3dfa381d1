package fake

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestServer is a Server listening on a loopback port for the length of one
// test. Every method of Server (InjectFault, Reset, Journal, State, the
// typed helpers, ...) is reachable from it.
type TestServer struct {
	*Server
	// URL is the server's base URL, http://127.0.0.1:port, with no trailing
	// slash: URL + "/api/me/" is a request URL.
	URL string

	http *httptest.Server
}

// NewTestServer starts a fake on 127.0.0.1 for the test t and closes it when
// t and its subtests end (t.Cleanup). Strict mode (WithResponseValidation) is
// on unless an option turns it off. An option that makes New fail fails the
// test at once (t.Fatal). Each call is a server of its own, with its own
// data: parallel subtests may each have one.
func NewTestServer(t testing.TB, opts ...Option) *TestServer {
	t.Helper()
	srv, err := New(append([]Option{WithResponseValidation(true)}, opts...)...)
	if err != nil {
		t.Fatalf("fake.NewTestServer: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Close() // ends delayed and hanging requests, so that ts.Close need not wait for them
		ts.Close()
		if err := srv.CloseStateFile(); err != nil {
			t.Errorf("fake.NewTestServer: closing the state file: %v", err)
		}
	})
	return &TestServer{Server: srv, URL: strings.TrimSuffix(ts.URL, "/"), http: ts}
}

// Client returns an HTTP client for the server. Its transport is the test
// server's own, whose idle connections are closed with it. It follows
// redirects, as net/http's default client does.
func (ts *TestServer) Client() *http.Client { return ts.http.Client() }
