// Package memo remembers the results of pure functions of a string that
// every request calls with one of a few values (its path, its Accept
// header), so that a request pays a map lookup instead of the function.
package memo

import (
	"sync"
	"sync/atomic"
)

// Strings holds up to a bound of results of one pure function of a string.
// Past the bound, keys not yet seen are computed on every call and not
// kept, so that requests with ever new values (a fuzzer's, a crawl of many
// ids) cannot grow it without end; the answers are the function's either
// way. Safe for concurrent use; the zero value is not: use New.
type Strings[V any] struct {
	compute func(string) V
	limit   int64
	kept    atomic.Int64
	results sync.Map // string → V
}

// New remembers up to limit results of compute, which must be a pure
// function of its argument whose results no caller changes.
func New[V any](limit int, compute func(string) V) *Strings[V] {
	return &Strings[V]{compute: compute, limit: int64(limit)}
}

// Get returns compute(key), computed once per key while there is room.
func (m *Strings[V]) Get(key string) V {
	if v, ok := m.results.Load(key); ok {
		return v.(V)
	}
	v := m.compute(key)
	if m.kept.Load() < m.limit && m.kept.Add(1) <= m.limit { // a slot, reserved
		if _, loaded := m.results.LoadOrStore(key, v); loaded {
			m.kept.Add(-1) // another call kept it first
		}
	}
	return v
}
