package fake_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them (a
// hanging fault, a delayed request or a server that was never closed), or
// if a full run never saw one of the published document's deviations.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(withPublishedReport{m})
}

// withPublishedReport fails a full run in which a declared deviation from
// the published document was never seen (conformance_test.go).
type withPublishedReport struct{ *testing.M }

func (w withPublishedReport) Run() int {
	code := w.M.Run()
	if code == 0 {
		code = reportPublishedDeviations()
	}
	return code
}
