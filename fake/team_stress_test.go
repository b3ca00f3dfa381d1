package fake_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// TestStressTeamWrites has clients create, change and delete teams, record
// milestones and change settings at once, while others read, for a bounded
// number of iterations; then no write is lost or half-made: every team left
// has its creator as admin, no two teams share a name, every milestone and
// setting written is there, and the state loads back as it is.
func TestStressTeamWrites(t *testing.T) {
	t.Parallel()
	const (
		clients    = 8
		iterations = 12
	)
	fixture := fake.Fixture{Organizations: []fake.FixtureOrganization{{Name: "Base"}}}
	for i := range clients {
		fixture.Organizations[0].Members = append(fixture.Organizations[0].Members,
			fake.FixtureMember{Email: fmt.Sprintf("c%d@stress.test", i), Token: fmt.Sprintf("stress-%d", i), Role: fake.RoleMember})
	}
	s := newAPIServer(t, fake.WithFixtures(fixture))
	var wg sync.WaitGroup
	errs := make(chan string, clients*iterations*8)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			token := fmt.Sprintf("stress-%d", c)
			send := func(method, path string, body any, want int) []byte {
				r, _ := s.send(t, call{method: method, path: path, token: token, accept: v2, body: body})
				if r.Status != want {
					errs <- fmt.Sprintf("client %d: %s %s: %d %s, want %d", c, method, path, r.Status, r.Body, want)
				}
				return r.Body
			}
			for i := range iterations {
				var team struct{ ID string }
				body := send("POST", "/api/organizations/", map[string]string{"name": fmt.Sprintf("T%d-%d", c, i)}, http.StatusCreated)
				if err := json.Unmarshal(body, &team); err != nil || team.ID == "" {
					errs <- fmt.Sprintf("client %d: create answered %s", c, body)
					return
				}
				path := "/api/organizations/" + team.ID + "/"
				send("PATCH", path, map[string]any{"session_idle_timeout_minutes": i + 1}, http.StatusOK)
				send("POST", path+"groups/", map[string]string{"name": "G"}, http.StatusCreated)
				send("POST", "/api/me/milestones/", map[string]any{"key": fmt.Sprintf("m%d", i), "metadata": map[string]int{"i": i}}, http.StatusCreated)
				send("PATCH", "/api/me/settings/webextension/", map[string]any{"text_selection_menu_site_denylist": []string{fmt.Sprint(i)}}, http.StatusOK)
				send("GET", "/api/organizations/", nil, http.StatusOK)
				if i%2 == 0 {
					send("DELETE", path, nil, http.StatusNoContent)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}

	state := s.Server.State()
	names := map[string]bool{}
	for _, o := range state.Organizations {
		if names[o.Name] {
			t.Errorf("two teams are named %q", o.Name)
		}
		names[o.Name] = true
		if o.Name == "Base" {
			continue
		}
		if len(o.Members) != 1 || o.Members[0].Role != fake.RoleAdmin || len(o.Groups) != 1 {
			t.Errorf("team %s: members %+v, %d groups; want its creator as admin and one group", o.Name, o.Members, len(o.Groups))
		}
	}
	if want := 1 + clients*iterations/2; len(state.Organizations) != want {
		t.Errorf("%d teams left, want %d", len(state.Organizations), want)
	}
	for c := range clients {
		email := fmt.Sprintf("c%d@stress.test", c)
		milestones, err := s.Server.Milestones(email)
		if err != nil || len(milestones) != iterations {
			t.Errorf("%s: %d milestones (%v), want %d", email, len(milestones), err, iterations)
		}
		settings, _ := s.Server.ExtensionSettings(email)
		if len(settings.TextSelectionMenuSiteDenylist) != 1 || settings.TextSelectionMenuSiteDenylist[0] != fmt.Sprint(iterations-1) {
			t.Errorf("%s: denylist %v, want the last write's", email, settings.TextSelectionMenuSiteDenylist)
		}
	}
	if err := s.Server.LoadState(state); err != nil {
		t.Fatalf("the state does not load back: %v", err)
	}
	again, _ := json.Marshal(s.Server.State())
	before, _ := json.Marshal(state)
	if string(again) != string(before) {
		t.Errorf("the state changed through a load")
	}
}
