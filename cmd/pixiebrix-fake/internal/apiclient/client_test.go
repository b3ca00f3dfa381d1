package apiclient_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/pixiebrix-fake/pixiebrix-fake/cmd/pixiebrix-fake/internal/apiclient"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newClient returns a client of ts whose pauses are recorded, not slept.
func newClient(t *testing.T, ts *fake.TestServer) (*apiclient.Client, *[]time.Duration) {
	t.Helper()
	c, err := apiclient.New(ts.URL, "acme-admin-token", ts.Client())
	if err != nil {
		t.Fatal(err)
	}
	var slept []time.Duration
	c.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	return c, &slept
}

func TestRetries(t *testing.T) {
	for _, tc := range []struct {
		name      string
		rule      fake.FaultRule
		method    string
		wantCode  int
		wantSleep []time.Duration
	}{
		{"429 waits Retry-After", fake.FaultRule{Kind: fake.FaultStatus, Status: 429, Headers: map[string]string{"Retry-After": "3"}, Times: 2},
			"GET", 200, []time.Duration{3 * time.Second, 3 * time.Second}},
		{"429 on a write too", fake.FaultRule{Kind: fake.FaultStatus, Status: 429, Headers: map[string]string{"Retry-After": "1"}, Times: 1},
			"POST", 201, []time.Duration{time.Second}},
		{"5xx is retried with a doubling pause", fake.FaultRule{Kind: fake.FaultStatus, Status: 503, Times: 2},
			"GET", 200, []time.Duration{500 * time.Millisecond, time.Second}},
		{"5xx retries are bounded", fake.FaultRule{Kind: fake.FaultStatus, Status: 502},
			"GET", 502, []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}},
		{"a write's 5xx is not retried", fake.FaultRule{Kind: fake.FaultStatus, Status: 500, Times: 1},
			"POST", 500, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := fake.NewTestServer(t, fake.WithResponseValidation(false))
			tc.rule.Path = "/api/organizations/{organization_pk}/groups/"
			if _, err := ts.InjectFault(tc.rule); err != nil {
				t.Fatal(err)
			}
			c, slept := newClient(t, ts)
			req := apiclient.Request{Method: tc.method, Path: "/api/organizations/0a000000-0000-4000-8000-000000000001/groups/"}
			if tc.method == "POST" {
				req.Body = []byte(`{"name": "Retried"}`)
			}
			resp, err := c.Do(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.wantCode || !slices.Equal(*slept, tc.wantSleep) {
				t.Errorf("status %d after pauses %v; want %d after %v", resp.StatusCode, *slept, tc.wantCode, tc.wantSleep)
			}
		})
	}
}

func TestEachFollowsEveryPage(t *testing.T) {
	ts := fake.NewTestServer(t)
	c, _ := newClient(t, ts)
	var ids []int
	var pages []apiclient.Page
	err := c.Each(context.Background(), "/api/organizations/0a000000-0000-4000-8000-000000000001/memberships/", 7,
		func(raw json.RawMessage) error {
			var m struct{ ID int }
			if err := json.Unmarshal(raw, &m); err != nil {
				return err
			}
			ids = append(ids, m.ID)
			return nil
		}, func(p apiclient.Page) { pages = append(pages, p) })
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 32 || !slices.IsSorted(ids) || ids[0] != 1 || ids[31] != 32 {
		t.Errorf("ids %v", ids)
	}
	if len(pages) != 5 || pages[4] != (apiclient.Page{Number: 5, Total: 32, Items: 32}) {
		t.Errorf("pages %+v", pages)
	}
}

func TestEachRefusesAWrongCount(t *testing.T) {
	ts := fake.NewTestServer(t, fake.WithResponseValidation(false))
	if _, err := ts.InjectFault(fake.FaultRule{Path: "/api/organizations/", Kind: fake.FaultStatus, Status: 200,
		Headers: map[string]string{"X-Total-Count": "5"}, Body: "[]"}); err != nil {
		t.Fatal(err)
	}
	c, _ := newClient(t, ts)
	err := c.Each(context.Background(), "/api/organizations/", 0, func(json.RawMessage) error { return nil }, nil)
	if err == nil || !strings.Contains(err.Error(), "the pages held 0 items but X-Total-Count said 5") {
		t.Errorf("error %v", err)
	}
}

func TestLinksStayOnTheNamedHost(t *testing.T) {
	c, err := apiclient.New("https://api.example.test/prefix", "t", nil)
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"/api/me/": "https://api.example.test/prefix/api/me/",
		"http://elsewhere.test/prefix/api/x/?page=2": "https://api.example.test/prefix/api/x/?page=2",
	} {
		if got := c.URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLinkURL(t *testing.T) {
	header := `<http://h/api/x/?page=2>; rel="next", <http://h/api/x/?page=9>; rel="last"`
	for rel, want := range map[string]string{"next": "http://h/api/x/?page=2", "last": "http://h/api/x/?page=9", "prev": ""} {
		if got := apiclient.LinkURL(header, rel); got != want {
			t.Errorf("%s: %q, want %q", rel, got, want)
		}
	}
}
