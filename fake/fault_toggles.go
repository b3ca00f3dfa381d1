package fake

import (
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// toggles are the global failure settings: latency with jitter, and a random
// error rate. Their draws come from seeded streams of their own.
type toggles struct {
	latency, jitter time.Duration
	errorRate       float64

	mu         sync.Mutex
	latencyRng *rand.Rand
	errorRng   *rand.Rand
}

func newToggles(seed int64, latency, jitter time.Duration, errorRate float64) *toggles {
	t := &toggles{latency: latency, jitter: jitter, errorRate: errorRate}
	t.reseed(seed)
	return t
}

func (t *toggles) reseed(seed int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.latencyRng = newRand(seed, streamLatency)
	t.errorRng = newRand(seed, streamErrorRate)
}

// nextLatency is the latency of one request: uniform within jitter of the
// set latency, never negative.
func (t *toggles) nextLatency() time.Duration {
	if t.jitter <= 0 {
		return t.latency
	}
	t.mu.Lock()
	offset := time.Duration(t.latencyRng.Int64N(int64(2*t.jitter)+1)) - t.jitter
	t.mu.Unlock()
	return max(0, t.latency+offset)
}

// errorStatuses are the statuses of the random errors.
var errorStatuses = []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}

// randomError draws whether this request fails under the error rate, and
// with which status.
func (t *toggles) randomError() int {
	if t.errorRate <= 0 {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.errorRate < 1 && t.errorRng.Float64() >= t.errorRate {
		return 0
	}
	return errorStatuses[t.errorRng.IntN(len(errorStatuses))]
}
