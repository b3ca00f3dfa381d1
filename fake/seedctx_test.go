package fake_test

import (
	"context"
	"errors"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// TestWithContextStopsSeeding: a done context stops a large seeding, and
// New's error carries the context's cause.
func TestWithContextStopsSeeding(t *testing.T) {
	t.Parallel()
	stop := errors.New("stop now")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(stop)
	huge := fake.Fixture{Organizations: []fake.FixtureOrganization{{Name: "Huge", Generate: &fake.FixtureGenerate{Members: 1_000_000}}}}
	_, err := fake.New(fake.WithFixtures(huge), fake.WithContext(ctx))
	if !errors.Is(err, stop) || err.Error() != "organizations[0] (Huge): generate: members: seeding stopped: stop now" {
		t.Errorf("New: %v, want it to stop with the cause", err)
	}
	// A context that is not done changes nothing.
	if _, err := fake.New(fake.WithContext(context.Background())); err != nil {
		t.Errorf("New: %v", err)
	}
}
