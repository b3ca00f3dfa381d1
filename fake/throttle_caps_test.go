package fake_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fake.SetThrottleClockForTest(srv, func() time.Time { return now })
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
	now = now.Add(12 * time.Hour)
	if rec := get("10.9.9.9:1234"); rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "43200" {
		t.Errorf("half a day on: %d %v, want 429 with Retry-After 43200", rec.Code, rec.Header())
	}
	now = now.Add(12 * time.Hour)
	for i := 0; i < bound; i++ { // the window has passed: every time is forgotten, room for as many new callers
		if rec := get(fmt.Sprintf("10.1.%d.%d:1234", i/256, i%256)); rec.Code != http.StatusOK {
			t.Fatalf("a day on, new caller %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	if rec := get("10.9.9.8:1234"); rec.Code != http.StatusTooManyRequests {
		t.Errorf("full again: %d, want 429", rec.Code)
	}
	if _, err := fake.New(fake.WithFixtures(fake.Fixture{}), fake.WithThrottle(fmt.Sprintf("%d/day", fake.MaxThrottleRecords+1))); err == nil ||
		!strings.Contains(err.Error(), "at most 1048576 requests per period") {
		t.Errorf("a rate past the bound: %v", err)
	}
}
