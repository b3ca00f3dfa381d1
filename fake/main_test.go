package fake_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: a
// hanging fault, a delayed request or a server that was never closed.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
