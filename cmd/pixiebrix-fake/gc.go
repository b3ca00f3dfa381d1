package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// The fake's live heap is small (a few MiB on the default data) while each
// request allocates a few KiB, so at Go's default GOGC=100 the collector runs
// every few thousand requests and cost a list request several times what it
// costs a bare server. gcPercent lets the heap grow to five times the live
// data between collections; the soft memory limit keeps that from growing
// without bound on large data (100,000 members): above it the runtime
// collects sooner, as if GOGC were lower.
const (
	gcPercent       = 400
	gcLimitHeadroom = 64 << 20 // bytes over twice the live heap
)

// gcTuning is the GC percent and the soft memory limit for a live heap of
// live bytes, and false when the user set GOGC or GOMEMLIMIT: then the
// runtime's settings are theirs, both of them, since the two make one policy.
func gcTuning(getenv func(string) string, live uint64) (percent int, limit int64, ok bool) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return 0, 0, false
	}
	return gcPercent, int64(2*live) + gcLimitHeadroom, true
}

// tuneGC applies gcTuning once the data is loaded, when the live heap is
// what the fake will keep.
func tuneGC(getenv func(string) string) {
	if _, _, ok := gcTuning(getenv, 0); !ok {
		return
	}
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	var live uint64
	if sample[0].Value.Kind() == metrics.KindUint64 {
		live = sample[0].Value.Uint64()
	}
	percent, limit, _ := gcTuning(getenv, live)
	debug.SetGCPercent(percent)
	debug.SetMemoryLimit(limit)
}
