package main

import (
	"bytes"
	"context"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionFlag(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"alone", []string{"--version"}, nil},
		// The image sets an address beyond loopback and no token: --version
		// must still answer rather than refuse to serve.
		{"whatever the environment says", []string{"-version"}, map[string]string{
			"PIXIEBRIX_FAKE_ADDR": "0.0.0.0:8080", "PIXIEBRIX_FAKE_PAGE_SIZE": "zero"}},
		{"whatever the other flags say", []string{"--seed", "x", "--version"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, envFunc(tc.env), &stdout, &stderr)
			// The version itself depends on how the test binary was built;
			// TestVersionOf checks how it is chosen.
			suffix := " (" + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + ")\n"
			if tc.name == "whatever the other flags say" {
				// A bad flag before --version is still a bad flag.
				if code != 2 || stdout.Len() != 0 {
					t.Errorf("exit %d, stdout %q; want 2 and nothing", code, &stdout)
				}
				return
			}
			out := stdout.String()
			if code != 0 || !strings.HasPrefix(out, "pixiebrix-fake ") || !strings.HasSuffix(out, suffix) || strings.Count(out, " ") != 3 || stderr.Len() != 0 {
				t.Errorf("exit %d, stdout %q, stderr %q; want 0, \"pixiebrix-fake VERSION%s\" and nothing", code, out, &stderr, suffix)
			}
		})
	}

	t.Run("a variable does not ask for it", func(t *testing.T) {
		t.Parallel()
		in := start(t, []string{"--addr", "127.0.0.1:0"}, map[string]string{"PIXIEBRIX_FAKE_VERSION": "true"})
		if status, _, _ := in.get("GET", "/api/health/", "", "", ""); status != 200 {
			t.Errorf("health: %d", status)
		}
	})
}

func TestVersionOf(t *testing.T) {
	t.Parallel()
	settings := func(kv ...string) []debug.BuildSetting {
		var out []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			out = append(out, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return out
	}
	cases := []struct {
		name    string
		stamped string
		info    *debug.BuildInfo
		want    string
	}{
		{"stamped by the release", "v1.2.3", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-x"}}, "v1.2.3"},
		{"go install module@version", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0"},
		{"go build in a git checkout", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261201120000-0123456789ab+dirty"}},
			"v0.0.0-20261201120000-0123456789ab+dirty"},
		{"a commit but no version", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
			Settings: settings("vcs.revision", "0123456789abcdef0123", "vcs.modified", "true")}, "devel-0123456789ab-dirty"},
		{"a clean short commit", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
			Settings: settings("vcs.revision", "abc", "vcs.modified", "false")}, "devel-abc"},
		{"nothing recorded", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "devel"},
		{"no build info", "", nil, "devel"},
	}
	for _, tc := range cases {
		if got := versionOf(tc.stamped, tc.info); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestCORSFlag(t *testing.T) {
	t.Parallel()
	const origin = "http://localhost:5173"
	preflight := map[string]string{"Origin": origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}
	cases := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"flag, two origins", []string{"--addr", "127.0.0.1:0", "--cors", "https://app.example, " + origin}, nil},
		{"variable", []string{"--addr", "127.0.0.1:0"}, map[string]string{"PIXIEBRIX_FAKE_CORS": origin}},
		{"any origin", []string{"--addr", "127.0.0.1:0", "--cors", "*"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := start(t, tc.args, tc.env)
			status, header, body := in.do("OPTIONS", "/api/organizations/"+acmeID+"/memberships/", preflight, "")
			allowed := header.Get("Access-Control-Allow-Origin")
			if status != 204 || (allowed != origin && allowed != "*") || !strings.Contains(header.Get("Access-Control-Allow-Headers"), "Authorization") {
				t.Errorf("preflight: %d %q %v", status, body, header)
			}
			status, header, _ = in.do("GET", "/api/organizations/"+acmeID+"/memberships/",
				map[string]string{"Origin": origin, "Authorization": "Token " + acmeAdmin}, "")
			if status != 200 || header.Get("Access-Control-Allow-Origin") != allowed {
				t.Errorf("GET: %d %v", status, header)
			}
		})
	}

	t.Run("off by default", func(t *testing.T) {
		t.Parallel()
		in := start(t, []string{"--addr", "127.0.0.1:0"}, nil)
		status, header, _ := in.do("OPTIONS", "/api/organizations/"+acmeID+"/memberships/", preflight, "")
		if status != 401 || header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight without --cors: %d %v", status, header)
		}
	})

	refused := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--cors", "localhost:3000"}, nil,
			`pixiebrix-fake: --cors: CORS origin "localhost:3000": use scheme://host[:port], such as http://localhost:3000, or * for any origin` + "\n"},
		{nil, map[string]string{"PIXIEBRIX_FAKE_CORS": "http://a.example,"}, // a trailing comma is an empty origin
			`pixiebrix-fake: PIXIEBRIX_FAKE_CORS: CORS origin "": use scheme://host[:port], such as http://localhost:3000, or * for any origin` + "\n"},
	}
	for _, tc := range refused {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), tc.args, envFunc(tc.env), &stdout, &stderr); code != 2 || stderr.String() != tc.want {
			t.Errorf("%q %v: exit %d, stderr %q; want 2, %q", tc.args, tc.env, code, &stderr, tc.want)
		}
	}

	t.Run("help", func(t *testing.T) {
		t.Parallel()
		var stdout bytes.Buffer
		run(context.Background(), []string{"--help"}, envFunc(nil), &stdout, &bytes.Buffer{})
		for _, want := range []string{"-cors string", "[PIXIEBRIX_FAKE_CORS]\n", "-version\n    \tprint the version and exit\n"} {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("help lacks %q", want)
			}
		}
	})
}
