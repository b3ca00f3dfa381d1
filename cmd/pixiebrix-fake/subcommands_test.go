package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// runSub runs the command with args and the environment env, as main does.
func runSub(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, envFunc(env), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRecordCommand(t *testing.T) {
	live := fake.NewTestServer(t)
	file := filepath.Join(t.TempDir(), "team.yaml")
	env := map[string]string{"PIXIEBRIX_URL": live.URL, "PIXIEBRIX_TOKEN": "acme-admin-token"}
	code, stdout, stderr := runSub(t, env, "record", "-o", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// The tokens: one JSON line on stdout, since -o took the fixture.
	var line struct {
		Tokens map[string]string `json:"tokens"`
	}
	if err := json.Unmarshal([]byte(stdout), &line); err != nil || strings.Count(stdout, "\n") != 1 {
		t.Fatalf("stdout is not one JSON line of tokens: %v %q", err, stdout)
	}
	if len(line.Tokens) != 32 || line.Tokens["ada@acme.test"] == "" {
		t.Errorf("%d tokens, ada's %q", len(line.Tokens), line.Tokens["ada@acme.test"])
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{string(data), stdout, stderr} {
		if strings.Contains(out, "acme-admin-token") || strings.Contains(out, "acme-manager-token") {
			t.Errorf("a real token leaked into the output: %.300s", out)
		}
	}
	f, err := fake.ParseFixture(data)
	if err != nil {
		t.Fatal(err)
	}
	replay := fake.NewTestServer(t, fake.WithFixtures(*f))
	for email, token := range line.Tokens {
		if got := replay.Tokens()[email]; got != token {
			t.Errorf("%s: the replay's token %q, printed %q", email, got, token)
		}
	}

	// Without -o the fixture is stdout and the tokens stderr's last line.
	code, stdout, stderr = runSub(t, nil, "record", "--url", live.URL, "--token", "acme-admin-token", "--anonymize", "--quiet")
	if code != 0 || !strings.HasPrefix(stdout, "# Recorded") || !strings.HasPrefix(stderr, `{"tokens":{`) {
		t.Errorf("exit %d, stdout %.100q, stderr %.100q", code, stdout, stderr)
	}
	if strings.Contains(stdout, "ada@acme.test") || strings.Contains(stderr, "ada@acme.test") {
		t.Error("--anonymize kept an email")
	}
}

func TestSubcommandsRefuse(t *testing.T) {
	live := fake.NewTestServer(t)
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"record/no url", nil, []string{"record", "--token", "x"}, 2, "no server: give --url or PIXIEBRIX_URL"},
		{"record/no token", nil, []string{"record", "--url", live.URL}, 2, "no token: give --token or PIXIEBRIX_TOKEN"},
		{"record/bad flag", nil, []string{"record", "--nope"}, 2, "flag provided but not defined: -nope"},
		{"record/bad token", nil, []string{"record", "--url", live.URL, "--token", "wrong"}, 1, "answered 401 (the server refused the token"},
		{"record/wrong url", nil, []string{"record", "--url", live.URL + "/x", "--token", "wrong"}, 1, "answered 404 (not found: is --url the API's base URL?)"},
		{"record/not http", nil, []string{"record", "--url", "ftp://x", "--token", "t"}, 2, `the URL "ftp://x" is not an http:// or https:// address`},
		{"check/bad token", map[string]string{"PIXIEBRIX_URL": live.URL, "PIXIEBRIX_TOKEN": "wrong"}, []string{"check"}, 1, "answered 401"},
		{"check/argument", nil, []string{"check", "extra"}, 2, `unexpected argument "extra"`},
		{"check/writes not admin", nil, []string{"check", "--url", live.URL, "--token", "acme-manager-token", "--writes", "0a000000-0000-4000-8000-000000000001"}, 1, "not an admin of that team"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runSub(t, tc.env, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d (want %d), stderr %q, want it to hold %q", code, tc.code, stderr, tc.want)
			}
			if strings.Contains(stderr, "wrong") && !strings.Contains(tc.want, "wrong") {
				t.Errorf("the token is in the message: %s", stderr)
			}
		})
	}
}

func TestCheckCommand(t *testing.T) {
	live := fake.NewTestServer(t)
	code, stdout, stderr := runSub(t, nil, "check", "--url", live.URL, "--token", "acme-admin-token", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	var report struct {
		Calls    int   `json:"calls"`
		Findings []any `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil || report.Calls == 0 || report.Findings == nil {
		t.Errorf("report %q: %v", stdout, err)
	}
	if _, err := live.InjectFault(fake.FaultRule{Method: "GET", Path: "/api/organizations/", Kind: fake.FaultStatus, Status: 200, Body: `[{"id":1}]`}); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = runSub(t, nil, "check", "--url", live.URL, "--token", "acme-admin-token")
	if code != 3 || !strings.Contains(stdout, "[missing_field] listOrganizations @1.0 /api/organizations/: /[]/name is promised") {
		t.Errorf("exit %d, report:\n%s", code, stdout)
	}
}

func TestSubcommandHelp(t *testing.T) {
	for sub, want := range map[string]string{
		"record": "pixiebrix-fake record --url URL --token TOKEN [--anonymize [--seed N]] [-o FILE]",
		"check":  "pixiebrix-fake check --url URL --token TOKEN [--writes TEAM_ID] [--json]",
	} {
		code, stdout, _ := runSub(t, nil, sub, "--help")
		if code != 0 || !strings.Contains(stdout, want) || !strings.Contains(stdout, "PIXIEBRIX_TOKEN") {
			t.Errorf("%s --help: exit %d\n%s", sub, code, stdout)
		}
	}
	code, stdout, _ := runSub(t, nil, "serve", "--help")
	if code != 0 || !strings.Contains(stdout, "pixiebrix-fake record --help") {
		t.Errorf("serve --help: exit %d\n%.300s", code, stdout)
	}
}
