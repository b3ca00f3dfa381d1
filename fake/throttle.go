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

// MaxThrottleRecords bounds the request times the throttle remembers, over
// all callers together (a caller is a user, or a client address when
// anonymous): about 40 MiB at most. Times older than the rate's period are
// forgotten; when the bound is reached with none to forget, a request of a
// caller under its own rate is throttled too (429, Retry-After until the
// oldest time is forgotten), so that no client can grow the table without
// bound — by coming from ever new addresses, say. A rate's number of
// requests may not exceed it.
const MaxThrottleRecords = 1 << 20

// throttle is DRF's SimpleRateThrottle: at most num requests per duration for
// each key, over a sliding window of the times of the requests let through.
type throttle struct {
	num      int
	duration time.Duration
	now      func() time.Time // time.Now; tests may stub it

	mu      sync.Mutex
	history map[string][]time.Time // oldest first; no key has an empty history
	records int                    // times in history, at most maxRecords
	// maxRecords is MaxThrottleRecords; tests lower it.
	maxRecords int
	// full is when the oldest time expires after a sweep that found the
	// table full: until then, another sweep would free nothing.
	full time.Time
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
	if n > MaxThrottleRecords {
		return nil, fmt.Errorf("throttle rate %q: at most %d requests per period", rate, MaxThrottleRecords)
	}
	d, ok := ratePeriods[period[0]]
	if !ok {
		return nil, fmt.Errorf("throttle rate %q: the period is one of second, minute, hour or day", rate)
	}
	return &throttle{num: n, duration: d, now: time.Now, history: map[string][]time.Time{}, maxRecords: MaxThrottleRecords}, nil
}

// allow counts a request of key, or says how long until one is allowed.
func (t *throttle) allow(key string) (wait time.Duration, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	history := t.expire(key, now)
	if len(history) >= t.num {
		// DRF's wait: the window's remaining time shared out between the
		// requests still available, of which there is one.
		return t.duration - now.Sub(history[0]), false
	}
	if t.records >= t.maxRecords {
		if oldest, full := t.sweep(now); full {
			return oldest.Add(t.duration).Sub(now), false
		}
		history = t.history[key]
	}
	t.history[key] = append(history, now)
	t.records++
	return 0, true
}

// expire forgets the times of key that have left the window, and the key
// with them when none is left; it returns what remains.
func (t *throttle) expire(key string, now time.Time) []time.Time {
	history := t.history[key]
	i := 0
	for i < len(history) && !history[i].After(now.Add(-t.duration)) {
		i++
	}
	t.records -= i
	history = history[i:]
	switch {
	case len(history) == 0 && t.history[key] != nil:
		delete(t.history, key)
	case i > 0:
		t.history[key] = history
	}
	return history
}

// sweep forgets every time that has left the window. When the table is
// still full it returns the oldest time left, and no sweep runs again until
// that one has expired.
func (t *throttle) sweep(now time.Time) (oldest time.Time, full bool) {
	if now.Before(t.full) {
		return t.full.Add(-t.duration), true
	}
	for key := range t.history {
		t.expire(key, now)
	}
	if t.records < t.maxRecords {
		return time.Time{}, false
	}
	for _, history := range t.history {
		if oldest.IsZero() || history[0].Before(oldest) {
			oldest = history[0]
		}
	}
	t.full = oldest.Add(t.duration)
	return oldest, true
}

func (t *throttle) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.history, t.records, t.full = map[string][]time.Time{}, 0, time.Time{}
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
