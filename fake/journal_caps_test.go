package fake_test

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// TestJournalBytesCap: the journal drops its oldest entries once their
// bodies (and the rest) pass its memory bound, not only past its count.
func TestJournalBytesCap(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	const bound = 1 << 20
	fake.SetJournalMaxBytesForTest(s.Server, bound)
	groups := "/api/organizations/" + acmeID + "/groups/"
	body := fmt.Sprintf(`{"name": %q}`, strings.Repeat("x", 60<<10))
	for i := 0; i < 40; i++ {
		s.send(t, call{method: "POST", path: groups + fmt.Sprintf("?i=%d", i), token: acmeAdmin, body: body})
	}
	entries := s.Server.Journal(fake.JournalFilter{})
	total := 0
	for _, e := range entries {
		total += len(e.RequestBody)
	}
	if total > bound || len(entries) < 10 || len(entries) >= 40 {
		t.Errorf("%d entries with %d bytes of bodies, want fewer than 40 within %d bytes", len(entries), total, bound)
	}
	if last := entries[len(entries)-1]; last.Query != "i=39" {
		t.Errorf("newest entry %q, want i=39", last.Query)
	}
	if first := entries[0]; first.Query != fmt.Sprintf("i=%d", 40-len(entries)) {
		t.Errorf("oldest entry %q after %d kept: not the newest ones", first.Query, len(entries))
	}
	if r := s.plain(t, call{method: "GET", path: "/__fake/requests/count"}); !strings.Contains(r.String(), fmt.Sprintf(`"count":%d`, len(entries))) {
		t.Errorf("count %s, want %d", r.Body, len(entries))
	}
}

// TestJournalSizeCap: WithJournalSize past MaxJournalSize is an error at
// start, naming the bound.
func TestJournalSizeCap(t *testing.T) {
	t.Parallel()
	_, err := fake.New(fake.WithFixtures(fake.Fixture{}), fake.WithJournalSize(fake.MaxJournalSize+1))
	if err == nil || !strings.Contains(err.Error(), "1000000") {
		t.Errorf("New: %v, want the bound named", err)
	}
	if _, err := fake.New(fake.WithFixtures(fake.Fixture{}), fake.WithJournalSize(fake.MaxJournalSize)); err != nil {
		t.Errorf("New at the bound: %v", err)
	}
}

// TestJournalReadStreams: GET /__fake/requests is encoded entry by entry
// onto the connection (chunked, no Content-Length), so that readers in
// parallel do not each hold the whole journal's JSON; the bytes are those
// of the entries' own encoding, and parallel readers all see them.
func TestJournalReadStreams(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	groups := "/api/organizations/" + acmeID + "/groups/"
	for i := 0; i < 50; i++ {
		s.send(t, call{method: "POST", path: groups, token: acmeAdmin, body: fmt.Sprintf(`{"name": "g%d %s"}`, i, strings.Repeat("y", 4<<10))})
	}
	want, err := json.Marshal(s.Server.Journal(fake.JournalFilter{}))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := s.client.Get(s.URL + "/__fake/requests")
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			if err != nil || resp.StatusCode != 200 || resp.ContentLength != -1 || resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("%d, length %d, %v", resp.StatusCode, resp.ContentLength, err)
			}
			if string(got) != string(want) {
				t.Errorf("body differs from the entries' encoding:\n%.300s\n%.300s", got, want)
			}
		}()
	}
	wg.Wait()
}
