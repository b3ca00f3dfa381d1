package fake_test

import (
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// TestDrain: once Drain begins a graceful stop, a request whose delay fault
// or latency ends by the drain's deadline is answered; one that would wait
// past it, and a hang fault however short, is cut at once without an
// answer (long before its wait would end: a cut one would outlast the
// test's limit).
func TestDrain(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		opts     []fake.Option
		rule     string        // a fault rule on /api/health/, if any
		window   time.Duration // from now to the drain's deadline
		answered bool
	}{
		{"latency/ends-in-window", []fake.Option{fake.WithLatency(50*time.Millisecond, 0)}, "", time.Hour, true},
		{"latency/past-window", []fake.Option{fake.WithLatency(time.Hour, 0)}, "", time.Second, false},
		{"delay/ends-in-window", nil, `{"kind": "delay", "delay": "50ms", "path": "/api/health/"}`, time.Hour, true},
		{"delay/past-window", nil, `{"kind": "delay", "delay": "4m", "path": "/api/health/"}`, time.Second, false},
		{"delay/window-passed", nil, `{"kind": "delay", "delay": "50ms", "path": "/api/health/"}`, -time.Second, false},
		{"hang/short", nil, `{"kind": "hang", "delay": "50ms", "path": "/api/health/"}`, time.Hour, false},
		{"hang/default", nil, `{"kind": "hang", "path": "/api/health/"}`, time.Hour, false},
		{"none", nil, "", -time.Second, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newAPIServer(t, tc.opts...)
			if tc.rule != "" {
				s.addFault(t, tc.rule)
			}
			s.Server.Drain(time.Now().Add(tc.window))
			client := &http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}
			defer client.CloseIdleConnections()
			resp, err := client.Get(s.URL + healthPath)
			if err == nil {
				defer resp.Body.Close()
				_, err = io.ReadAll(resp.Body)
			}
			switch {
			case tc.answered && (err != nil || resp.StatusCode != http.StatusOK):
				t.Errorf("%v %v, want a 200", resp, err)
			case !tc.answered && err == nil:
				t.Errorf("answered %d, want the request cut", resp.StatusCode)
			case !tc.answered && os.IsTimeout(err):
				t.Errorf("%v: the request was held, not cut", err)
			}
		})
	}
}
