package fake

import (
	"math/rand/v2"
	"slices"
	"sync"
)

// Each random draw of the control plane has its own stream from the seed,
// apart from the data's: the same seed and the same request sequence fail
// the same requests.
const (
	streamFaults    uint64 = 100 // rule and header probabilities
	streamErrorRate uint64 = 101 // the global error rate
	streamLatency   uint64 = 102 // latency jitter
)

// faultSet holds the rules in the order they were added, and the seeded
// source of their probability draws.
type faultSet struct {
	mu     sync.Mutex
	rules  []*FaultRule
	nextID int
	rng    *rand.Rand
}

func newFaultSet(seed int64) *faultSet {
	return &faultSet{rng: newRand(seed, streamFaults), nextID: 1}
}

// add appends a checked rule and returns it with its id.
func (f *faultSet) add(r FaultRule) FaultRule {
	f.mu.Lock()
	defer f.mu.Unlock()
	r.ID = f.nextID
	f.nextID++
	stored := r.clone()
	f.rules = append(f.rules, &stored)
	return stored.clone()
}

func (f *faultSet) list() []FaultRule {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]FaultRule, 0, len(f.rules))
	for _, r := range f.rules {
		out = append(out, r.clone())
	}
	return out
}

func (f *faultSet) get(id int) (FaultRule, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.rules {
		if r.ID == id {
			return r.clone(), true
		}
	}
	return FaultRule{}, false
}

func (f *faultSet) remove(id int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.rules {
		if r.ID == id {
			f.rules = slices.Delete(f.rules, i, i+1)
			return true
		}
	}
	return false
}

func (f *faultSet) clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = nil
}

// reset drops every rule, restarts the probability draws from the seed and
// adds the start rules again (with new ids: ids are never reused).
func (f *faultSet) reset(seed int64, start []FaultRule) {
	f.clear()
	f.mu.Lock()
	f.rng = newRand(seed, streamFaults)
	f.mu.Unlock()
	for _, r := range start {
		f.add(r)
	}
}

// fire finds the first rule that fires on a request and counts it; a rule
// that has fired Times times expires.
func (f *faultSet) fire(method, path string) *FaultRule {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.rules {
		if (r.Method != "" && r.Method != method) || !pathMatches(r.Path, path) {
			continue
		}
		r.Matched++
		if r.Matched <= r.After {
			continue
		}
		if r.Probability < 1 && f.rng.Float64() >= r.Probability {
			continue
		}
		r.Fired++
		fired := r.clone()
		if r.Times > 0 && r.Fired >= r.Times {
			f.rules = slices.Delete(f.rules, i, i+1)
		}
		return &fired
	}
	return nil
}

// draw reports whether a one-off rule of the given probability fires.
func (f *faultSet) draw(probability float64) bool {
	if probability >= 1 {
		return true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rng.Float64() < probability
}
