package fake_test

import (
	"os"
	"os/exec"
	"testing"
)

// TestNewcomerModule runs the tests of testdata/newcomer, a module of its
// own written from the README alone: fake.New as a handler, and
// fake.NewTestServer in parallel subtests, under -race. It uses this
// checkout of the fake (a replace directive) and the committed go.sum.
func TestNewcomerModule(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test in another module")
	}
	t.Parallel()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	cmd := exec.CommandContext(t.Context(), goBin, "test", "-race", "./...")
	cmd.Dir = "testdata/newcomer"
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly", "GOTOOLCHAIN=local")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test -race ./... in %s: %v\n%s", cmd.Dir, err, out)
	}
}
