package fake

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/drf"
)

// throttle is DRF's SimpleRateThrottle: at most num requests per duration for
// each key, over a sliding window of the times of the requests let through.
type throttle struct {
	num      int
	duration time.Duration
	now      func() time.Time // time.Now; tests may stub it

	mu      sync.Mutex
	history map[string][]time.Time // oldest first
}

// ratePeriods are DRF's: only the first letter of the period counts, so
// "5/min", "5/m" and "5/minute" are the same rate.
var ratePeriods = map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}

// newThrottle parses a rate in DRF's syntax ("5/min", "100/hour").
func newThrottle(rate string) (*throttle, error) {
	num, period, ok := strings.Cut(strings.TrimSpace(rate), "/")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 1 || period == "" {
		return nil, fmt.Errorf("throttle rate %q: use DRF's syntax, a number of requests per s, m, h or d (5/min, 100/hour)", rate)
	}
	d, ok := ratePeriods[period[0]]
	if !ok {
		return nil, fmt.Errorf("throttle rate %q: the period is one of second, minute, hour or day", rate)
	}
	return &throttle{num: n, duration: d, now: time.Now, history: map[string][]time.Time{}}, nil
}

// allow counts a request of key, or says how long until one is allowed.
func (t *throttle) allow(key string) (wait time.Duration, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	history := t.history[key]
	i := 0
	for i < len(history) && !history[i].After(now.Add(-t.duration)) {
		i++
	}
	history = history[i:]
	if len(history) >= t.num {
		t.history[key] = history
		// DRF's wait: the window's remaining time shared out between the
		// requests still available, of which there is one.
		return t.duration - now.Sub(history[0]), false
	}
	t.history[key] = append(history, now)
	return 0, true
}

func (t *throttle) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.history = map[string][]time.Time{}
}

// checkThrottle applies the rate per user (per client address for anonymous
// requests), as DRF's UserRateThrottle does.
func (s *Server) checkThrottle(req *apiRequest) error {
	if s.throttle == nil {
		return nil
	}
	key := "user:"
	if req.caller != nil {
		key += req.caller.userID
	} else {
		host, _, err := net.SplitHostPort(req.RemoteAddr)
		if err != nil {
			host = req.RemoteAddr
		}
		key = "anon:" + host
	}
	wait, ok := s.throttle.allow(key)
	if ok {
		return nil
	}
	return errThrottled(int(math.Ceil(wait.Seconds())))
}

// errThrottled is DRF's Throttled, with its Retry-After header.
func errThrottled(seconds int) *apiError {
	return &apiError{
		code:   codeThrottled,
		detail: drf.ThrottledFor(seconds),
		header: http.Header{"Retry-After": {strconv.Itoa(seconds)}},
	}
}
