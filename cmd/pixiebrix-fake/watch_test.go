package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// writeAtomically replaces the file at path as editors do, so that the
// watcher never reads it half-written.
func writeAtomically(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// waitForCount waits, within waitLimit, until the buffer holds text n times.
func waitForCount(t *testing.T, b *syncBuffer, text string, n int) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for strings.Count(b.String(), text) < n {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %q to appear %d times; stderr:\n%s", text, n, b)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func teamFixture(team, token string) string {
	return "organizations:\n  - name: " + team + "\n    members:\n      - {email: ada@" + strings.ToLower(team) + ".test, role: admin, token: " + token + "}\n"
}

// TestWatch: --watch reloads the fixture file when it changes; a broken edit
// keeps the data and logs the error with its line; a reset goes back to the
// file's latest good data.
func TestWatch(t *testing.T) {
	t.Parallel()
	bin := buildCommand(t)
	fixture := filepath.Join(t.TempDir(), "watched.yaml")
	writeAtomically(t, fixture, teamFixture("Before", "before-token"))
	p := startProcess(t, bin, "--addr", "127.0.0.1:0", "--fixtures", fixture, "--watch")
	team := func() (int, string) {
		status, _, body := p.get("GET", "/api/organizations/", "after-token", "", "")
		return status, body
	}
	if status, _, _ := p.get("GET", "/api/me/", "before-token", "", ""); status != 200 {
		t.Fatalf("before the edit: %d", status)
	}

	writeAtomically(t, fixture, teamFixture("After", "after-token"))
	waitForCount(t, p.stderr, "msg=\"fixture reloaded\"", 1)
	if status, body := team(); status != 200 || !strings.Contains(body, `"name":"After"`) {
		t.Errorf("after the edit: %d %s", status, body)
	}
	if status, _, _ := p.get("GET", "/api/me/", "before-token", "", ""); status != 401 {
		t.Errorf("the old token after the edit: %d, want 401", status)
	}
	// A write the reset must undo.
	_, body := team()
	var teams []struct{ ID string }
	if err := json.Unmarshal([]byte(body), &teams); err != nil || len(teams) != 1 {
		t.Fatalf("teams %s: %v", body, err)
	}
	groups := "/api/organizations/" + teams[0].ID + "/groups/"
	if status, _, body := p.get("POST", groups, "after-token", "", `{"name": "Undone"}`); status != 201 {
		t.Fatalf("creating a group: %d %s", status, body)
	}

	broken := []struct{ name, content, logged string }{
		{"yaml", "organizations:\n  - name: After\n    members: [\n", "line 3: did not find expected node content"},
		{"role", "organizations:\n  - name: After\n    members:\n      - {email: a@after.test, role: king, token: t}\n", `line 4: unknown role \"king\"`},
	}
	for i, b := range broken {
		writeAtomically(t, fixture, b.content)
		waitForCount(t, p.stderr, "fixture not reloaded; the data stays as it was", i+1)
		if !strings.Contains(p.stderr.String(), b.logged) {
			t.Errorf("%s: the log does not say %q:\n%s", b.name, b.logged, p.stderr)
		}
		if status, body := team(); status != 200 || !strings.Contains(body, `"name":"After"`) {
			t.Errorf("%s: after the broken edit: %d %s", b.name, status, body)
		}
	}

	if status, _, _ := p.send("POST", "/__fake/reset", nil); status != 204 {
		t.Fatalf("reset: %d", status)
	}
	if status, _, body := p.get("GET", groups, "after-token", "", ""); status != 200 || body != "[]" {
		t.Errorf("reset goes back to the reloaded file, without the group: %d %s", status, body)
	}

	writeAtomically(t, fixture, "organizations:\n  - name: Tokenless\n    members: [{email: t@tokenless.test, role: admin}]\n")
	waitForCount(t, p.stderr, "msg=\"fixture reloaded\"", 2)
	if !strings.Contains(p.stderr.String(), "no user has an API token") {
		t.Errorf("no warning for a fixture without tokens:\n%s", p.stderr)
	}
	p.signal(os.Interrupt)
	if code := p.exit(); code != 0 {
		t.Errorf("exit %d; stderr:\n%s", code, p.stderr)
	}
}

func TestUnknownEnvWarnings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		environ []string
		want    []string
	}{
		{"none", []string{"HOME=/root", "PIXIEBRIX_FAKE_PAGE_SIZE=5", "PIXIEBRIX_FAKE_BENCH_BARE=1"}, nil},
		{"misspelt", []string{"PIXIEBRIX_FAKE_PAGESIZE=5"}, []string{
			"warning: PIXIEBRIX_FAKE_PAGESIZE is not a variable pixiebrix-fake reads (did you mean PIXIEBRIX_FAKE_PAGE_SIZE?); it is ignored"}},
		{"two", []string{"PIXIEBRIX_FAKE_FIXTURE=a.yaml", "PIXIEBRIX_FAKE_ADMIN_TOKN=x"}, []string{
			"warning: PIXIEBRIX_FAKE_FIXTURE is not a variable pixiebrix-fake reads (did you mean PIXIEBRIX_FAKE_FIXTURES?); it is ignored",
			"warning: PIXIEBRIX_FAKE_ADMIN_TOKN is not a variable pixiebrix-fake reads (did you mean PIXIEBRIX_FAKE_ADMIN_TOKEN?); it is ignored"}},
		{"empty-value-too", []string{"PIXIEBRIX_FAKE_WATCHED="}, []string{
			"warning: PIXIEBRIX_FAKE_WATCHED is not a variable pixiebrix-fake reads (did you mean PIXIEBRIX_FAKE_WATCH?); it is ignored"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := unknownEnvWarnings(c.environ); !reflect.DeepEqual(got, c.want) {
				t.Errorf("warnings %q\nwant %q", got, c.want)
			}
		})
	}
	t.Run("binary", func(t *testing.T) {
		t.Parallel()
		cmd := exec.Command(buildCommand(t), "--help")
		cmd.Env = append(commandEnv(), "PIXIEBRIX_FAKE_SEEED=3")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatal(err)
		}
		want := "pixiebrix-fake: warning: PIXIEBRIX_FAKE_SEEED is not a variable pixiebrix-fake reads (did you mean PIXIEBRIX_FAKE_SEED?); it is ignored\n"
		if stderr.String() != want {
			t.Errorf("stderr %q, want %q", stderr.String(), want)
		}
	})
}

// TestJournalSizeZero: --journal-size 0 keeps no request, as
// fake.WithJournalSize(0) does.
func TestJournalSizeZero(t *testing.T) {
	t.Parallel()
	in := start(t, []string{"--addr", "127.0.0.1:0", "--journal-size", "0"}, nil)
	if status, _, _ := in.get("GET", "/api/me/", acmeAdmin, "", ""); status != 200 {
		t.Fatalf("me: %d", status)
	}
	if entries := in.journal(""); len(entries) != 0 {
		t.Errorf("journal %+v, want none", entries)
	}
	status, _, body := in.send("GET", "/__fake/requests/count", nil)
	if status != 200 || strings.TrimSpace(body) != `{"count":0}` {
		t.Errorf("count: %d %q", status, body)
	}
}

// TestTokenlessFixtureWarns: a fixture that gives no user a token serves,
// with a warning, since every API request but the health check would be 401.
func TestTokenlessFixtureWarns(t *testing.T) {
	t.Parallel()
	fixture := writeFile(t, "tokenless.yaml", "organizations:\n  - name: T\n    members: [{email: t@t.test, role: admin}]\n")
	in := start(t, []string{"--addr", "127.0.0.1:0", "--fixtures", fixture}, nil)
	if len(in.ready.Tokens) != 0 {
		t.Errorf("tokens %v", in.ready.Tokens)
	}
	if !strings.Contains(in.stderr.String(), "level=WARN msg=\"no user has an API token, so every API request but GET /api/health/ answers 401") {
		t.Errorf("stderr:\n%s", in.stderr)
	}
}
