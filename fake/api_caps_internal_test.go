package fake

import (
	"errors"
	"testing"
)

// TestAPICapsSkippedOnReplay: a state file's logged write is applied again
// past a cap (it was accepted when it was made, perhaps by a version that
// had no cap), while a new write past it is refused.
func TestAPICapsSkippedOnReplay(t *testing.T) {
	t.Parallel()
	srv, err := New()
	if err != nil {
		t.Fatal(err)
	}
	st := srv.store
	var admin string
	for _, u := range st.users {
		if u.email == "ada@acme.test" {
			admin = u.id
		}
	}
	create := func(name string) error {
		return st.doAs(admin, &createTeam{Admin: admin, Change: teamChange{Name: &name}})
	}
	st.mu.Lock()
	st.caps.teams = len(st.orgs)
	st.replaying = true
	st.mu.Unlock()
	if err := create("Replayed"); err != nil {
		t.Errorf("replayed past the cap: %v", err)
	}
	st.mu.Lock()
	st.replaying = false
	st.mu.Unlock()
	var apiErr *apiError
	if err := create("New"); !errors.As(err, &apiErr) || apiErr.code != codeInvalid {
		t.Errorf("a new write past the cap: %v, want the cap's 400", err)
	}
}
