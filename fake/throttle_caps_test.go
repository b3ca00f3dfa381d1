package fake_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// TestThrottleTableBound: callers from ever new addresses cannot grow the
// throttle's table past its bound; once it is full of times still in their
// window, a new caller gets the 429 of a throttled one, with Retry-After
// until the oldest time leaves the window.
func TestThrottleTableBound(t *testing.T) {
	t.Parallel()
	srv, err := fake.New(fake.WithThrottle("3/day"))
	if err != nil {
		t.Fatal(err)
	}
	const bound = 50
	fake.SetThrottleMaxRecordsForTest(srv, bound)
	get := func(addr string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/api/health/", nil)
		req.RemoteAddr = addr
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	for i := 0; i < bound; i++ {
		if rec := get(fmt.Sprintf("10.0.%d.%d:1234", i/256, i%256)); rec.Code != http.StatusOK {
			t.Fatalf("caller %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	rec := get("10.9.9.9:1234")
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "86400" ||
		!strings.Contains(rec.Body.String(), "Request was throttled.") {
		t.Errorf("a new caller past the bound: %d %v %s, want 429 with Retry-After 86400", rec.Code, rec.Header(), rec.Body)
	}
	if _, err := fake.New(fake.WithFixtures(fake.Fixture{}), fake.WithThrottle(fmt.Sprintf("%d/day", fake.MaxThrottleRecords+1))); err == nil ||
		!strings.Contains(err.Error(), "at most 1048576 requests per period") {
		t.Errorf("a rate past the bound: %v", err)
	}
}
