package fake

import (
	"fmt"
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

// MaxFaultRules is how many fault rules a server holds at once, and
// MaxFaultRuleBytes how many bytes their bodies and headers take together:
// a rule past either is refused (400), so that no client can grow the
// server's memory without bound. Rules that expire or are deleted make room.
const (
	MaxFaultRules     = 1000
	MaxFaultRuleBytes = 16 << 20
)

// faultSet holds the rules in the order they were added, and the seeded
// source of their probability draws.
type faultSet struct {
	mu     sync.Mutex
	rules  []*FaultRule
	bytes  int // ruleBytes of the rules held
	nextID int
	rng    *rand.Rand
}

// ruleBytes is what a rule's free text costs in memory, for MaxFaultRuleBytes.
func ruleBytes(r *FaultRule) int {
	n := len(r.Body) + len(r.Path)
	for name, value := range r.Headers {
		n += len(name) + len(value)
	}
	return n
}

// errFaultRulesFull is the 400 of a rule past MaxFaultRules or
// MaxFaultRuleBytes.
func errFaultRulesFull(count, bytes int) *apiError {
	detail := fmt.Sprintf("The fake holds at most %d fault rules, whose bodies and headers take at most %d MiB together; "+
		"it holds %d (%d bytes). Delete some first (DELETE /__fake/faults/{id} or /__fake/faults).",
		MaxFaultRules, MaxFaultRuleBytes>>20, count, bytes)
	return &apiError{code: codeInvalid, detail: detail}
}

func newFaultSet(seed int64) *faultSet {
	return &faultSet{rng: newRand(seed, streamFaults), nextID: 1}
}

// add appends a checked rule and returns it with its id, unless the set is
// full (MaxFaultRules, MaxFaultRuleBytes).
func (f *faultSet) add(r FaultRule) (FaultRule, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	size := ruleBytes(&r)
	if len(f.rules) >= MaxFaultRules || f.bytes+size > MaxFaultRuleBytes {
		return FaultRule{}, errFaultRulesFull(len(f.rules), f.bytes)
	}
	r.ID = f.nextID
	f.nextID++
	stored := r.clone()
	f.rules = append(f.rules, &stored)
	f.bytes += size
	return stored.clone(), nil
}

// deleteLocked removes the rule at index i.
func (f *faultSet) deleteLocked(i int) {
	f.bytes -= ruleBytes(f.rules[i])
	f.rules = slices.Delete(f.rules, i, i+1)
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
			f.deleteLocked(i)
			return true
		}
	}
	return false
}

func (f *faultSet) clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules, f.bytes = nil, 0
}

// reset drops every rule, restarts the probability draws from the seed and
// adds the start rules again (with new ids: ids are never reused). New
// checked that the start rules fit.
func (f *faultSet) reset(seed int64, start []FaultRule) {
	f.clear()
	f.mu.Lock()
	f.rng = newRand(seed, streamFaults)
	f.mu.Unlock()
	for _, r := range start {
		_, _ = f.add(r)
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
			f.deleteLocked(i)
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
