package memo_test

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/memo"
)

func TestStrings(t *testing.T) {
	var calls atomic.Int64
	m := memo.New(3, func(s string) int {
		calls.Add(1)
		n, _ := strconv.Atoi(s)
		return n * 2
	})
	for round := range 3 {
		for i := range 10 {
			if got := m.Get(strconv.Itoa(i)); got != i*2 {
				t.Fatalf("round %d: Get(%d) = %d, want %d", round, i, got, i*2)
			}
		}
	}
	// The first three keys are kept; the other seven are computed each round.
	if got, want := calls.Load(), int64(3+7*3); got != want {
		t.Errorf("compute ran %d times, want %d", got, want)
	}
}

// TestStringsConcurrent: many goroutines asking for the same and different
// keys all get the function's answer, and no more than the bound is kept.
func TestStringsConcurrent(t *testing.T) {
	var calls atomic.Int64
	m := memo.New(5, func(s string) string { calls.Add(1); return s + "!" })
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				key := strconv.Itoa((g + i) % 20)
				if got := m.Get(key); got != key+"!" {
					t.Errorf("Get(%q) = %q", key, got)
				}
			}
		}()
	}
	wg.Wait()
	kept := 0
	for i := range 20 {
		before := calls.Load()
		m.Get(strconv.Itoa(i))
		if calls.Load() == before {
			kept++
		}
	}
	if kept > 5 || kept == 0 {
		t.Errorf("%d keys kept, want 1 to 5", kept)
	}
}
