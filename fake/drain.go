package fake

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// drain is a graceful stop's notice to the requests that wait on a delay
// fault or on latency (pause): a wait that ends by the deadline goes on, so
// that a slow but healthy server being restarted still answers; a longer
// one, and a hang fault's (never answered), ends at once, as Close ends it.
type drain struct {
	once     sync.Once
	started  chan struct{} // closed by Drain, once deadline is set
	deadline time.Time
}

func newDrain() *drain { return &drain{started: make(chan struct{})} }

// Drain begins a graceful stop: requests waiting on a delay fault or on
// latency (WithLatency) whose wait ends by deadline go on and are answered;
// those that would wait past it, and hang faults, end at once and without
// an answer, as Close ends them. Requests that begin waiting
// later are treated the same. Call it before http.Server.Shutdown, with a
// deadline a little before Shutdown's (a finished wait still has a response
// to write), and Close once Shutdown returns. Only the first call counts.
func (s *Server) Drain(deadline time.Time) {
	s.drain.once.Do(func() {
		s.drain.deadline = deadline
		close(s.drain.started)
	})
}

// hang holds a request for a hang fault: as pause, but a drain ends it at
// once, however soon its bound: a hang is never answered, so a graceful
// stop has nothing to wait for.
func (s *Server) hang(r *http.Request, bound time.Duration) {
	bufferBody(r)
	s.wait(r.Context(), bound, true)
}

// wait waits d, or less when ctx ends, the server is closed, or a drain
// begins whose deadline comes before the wait's end (or any drain, with
// cutOnDrain); it reports whether the whole wait passed.
func (s *Server) wait(ctx context.Context, d time.Duration, cutOnDrain bool) bool {
	end := time.Now().Add(d)
	timer := time.NewTimer(d)
	defer timer.Stop()
	draining := s.drain.started
	for {
		select {
		case <-timer.C:
			return true
		case <-ctx.Done():
			return false
		case <-s.closed:
			return false
		case <-draining:
			if cutOnDrain || end.After(s.drain.deadline) {
				return false
			}
			draining = nil // it ends within the drain: wait on
		}
	}
}
