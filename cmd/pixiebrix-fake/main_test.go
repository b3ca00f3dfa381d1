package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// TestMain checks that every run leaves no goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitLimit bounds every wait for the command; reaching it fails the test.
const waitLimit = 30 * time.Second

const (
	acmeID    = "0a000000-0000-4000-8000-000000000001"
	acmeAdmin = "acme-admin-token"
)

// defaultTokens are the tokens of the embedded default fixture.
var defaultTokens = map[string]string{
	"ada@acme.test":        "acme-admin-token",
	"max@acme.test":        "acme-manager-token",
	"dev@acme.test":        "acme-developer-token",
	"mel@acme.test":        "acme-member-token",
	"rae@acme.test":        "acme-restricted-token",
	"sync-bot@acme.test":   "acme-service-token",
	"deploy-key@acme.test": "acme-deployment-key-token",
	"sam@consult.test":     "sam-token",
	"hank@globex.test":     "globex-admin-token",
}

// syncBuffer is a writer that tests may read while run writes to it.
type syncBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	wrote chan struct{} // closed by the next Write, for waitFor
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.wrote != nil {
		close(b.wrote)
		b.wrote = nil
	}
	return b.buf.Write(p)
}

// waitFor waits, within waitLimit, until the buffer holds text.
func (b *syncBuffer) waitFor(text string) bool {
	limit := time.After(waitLimit)
	for {
		b.mu.Lock()
		if strings.Contains(b.buf.String(), text) {
			b.mu.Unlock()
			return true
		}
		if b.wrote == nil {
			b.wrote = make(chan struct{})
		}
		wrote := b.wrote
		b.mu.Unlock()
		select {
		case <-wrote:
		case <-limit:
			return false
		}
	}
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func envFunc(env map[string]string) func(string) string {
	return func(name string) string { return env[name] }
}

// instance is the command run in this process, serving.
type instance struct {
	t      *testing.T
	line   string // the ready line, with its newline
	ready  readyLine
	stderr *syncBuffer
	client *http.Client
	cancel context.CancelFunc
	done   chan int
	rest   chan string // stdout after the ready line, once run returned

	stopOnce sync.Once
	code     int
	extra    string
}

// start runs the command and waits, within waitLimit, for its ready line.
// The test's end stops it.
func start(t *testing.T, args []string, env map[string]string) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdoutR, stdoutW := io.Pipe()
	in := &instance{
		t: t, stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1), rest: make(chan string, 1),
		client: &http.Client{Transport: &http.Transport{}, Timeout: waitLimit},
	}
	go func() {
		code := run(ctx, args, envFunc(env), stdoutW, in.stderr)
		stdoutW.Close()
		in.done <- code
	}()
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdoutR)
		line, _ := r.ReadString('\n')
		lines <- line
		rest, _ := io.ReadAll(r)
		in.rest <- string(rest)
	}()
	t.Cleanup(func() { in.stop() })
	select {
	case line := <-lines:
		if line == "" {
			in.stopOnce.Do(func() { in.code, in.extra = <-in.done, <-in.rest })
			t.Fatalf("run %q exited %d before serving; stderr:\n%s", args, in.code, in.stderr)
		}
		in.line = line
	case <-time.After(waitLimit):
		t.Fatalf("run %q printed no ready line within %v; stderr:\n%s", args, waitLimit, in.stderr)
	}
	if err := json.Unmarshal([]byte(in.line), &in.ready); err != nil {
		t.Fatalf("ready line %q: %v", in.line, err)
	}
	return in
}

// stop cancels the command's context, as SIGINT and SIGTERM do, and
// returns its exit code and what it printed on stdout after the ready line.
func (in *instance) stop() (code int, extra string) {
	in.stopOnce.Do(func() {
		in.cancel()
		select {
		case in.code = <-in.done:
			in.extra = <-in.rest
		case <-time.After(waitLimit):
			in.t.Errorf("run did not return within %v of the cancel; stderr:\n%s", waitLimit, in.stderr)
			in.code = -1
		}
		in.client.CloseIdleConnections()
	})
	return in.code, in.extra
}

// get sends a request to the running command.
func (in *instance) get(method, path, token, accept, body string) (int, http.Header, string) {
	in.t.Helper()
	header := map[string]string{}
	if token != "" {
		header["Authorization"] = "Token " + token
	}
	if accept != "" {
		header["Accept"] = accept
	}
	if body != "" {
		header["Content-Type"] = "application/json"
	}
	return in.do(method, path, header, body)
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// jsonKeys lists the keys of a JSON object in the order they are written.
func jsonKeys(t *testing.T, object string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(object))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%q is not an object: %v", object, err)
	}
	var keys []string
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key.(string))
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestReadyLine(t *testing.T) {
	t.Parallel()
	in := start(t, []string{"--addr", "127.0.0.1:0"}, nil)

	if keys := jsonKeys(t, in.line); !reflect.DeepEqual(keys, []string{"ready", "url", "tokens"}) {
		t.Errorf("ready line keys %v, want ready, url, tokens: %s", keys, in.line)
	}
	if !strings.HasPrefix(in.line, `{"ready":true,"url":"http://127.0.0.1:`) || !strings.HasSuffix(in.line, "}}\n") {
		t.Errorf("ready line %q", in.line)
	}
	u, err := url.Parse(in.ready.URL)
	if err != nil || u.Hostname() != "127.0.0.1" || u.Port() == "" || u.Port() == "0" || u.Path != "" {
		t.Errorf("url %q: want http://127.0.0.1:<the port picked>, no trailing slash", in.ready.URL)
	}
	if !reflect.DeepEqual(in.ready.Tokens, defaultTokens) {
		t.Errorf("tokens %v\nwant %v", in.ready.Tokens, defaultTokens)
	}

	status, _, body := in.get("GET", "/api/health/", "", "", "")
	if status != 200 || body != `{"status":"ok"}` {
		t.Errorf("GET /api/health/: %d %s", status, body)
	}
	status, _, body = in.get("GET", "/api/organizations/"+acmeID+"/groups/", acmeAdmin, "", "")
	if status != 200 || !strings.Contains(body, `"name":"Support Agents"`) {
		t.Errorf("GET groups: %d %s", status, body)
	}
	status, _, _ = in.get("GET", "/api/me/", "no-such-token", "", "")
	if status != 401 {
		t.Errorf("GET /api/me/ with a bad token: %d", status)
	}

	code, extra := in.stop()
	if code != 0 {
		t.Errorf("exit %d after the cancel, want 0; stderr:\n%s", code, in.stderr)
	}
	if extra != "" {
		t.Errorf("stdout holds more than the ready line: %q", extra)
	}
	logged := in.stderr.String()
	for _, want := range []string{
		"level=INFO msg=request method=GET path=/api/health/ status=200 ",
		"level=INFO msg=request method=GET path=/api/organizations/" + acmeID + "/groups/ status=200 ",
		"level=INFO msg=request method=GET path=/api/me/ status=401 ",
		`level=INFO msg="shutting down"`,
	} {
		if !strings.Contains(logged, want) {
			t.Errorf("stderr lacks %q:\n%s", want, logged)
		}
	}
}

// membershipsBody is Acme's first page of memberships, which holds
// generated people: it shows the seed.
func membershipsBody(t *testing.T, in *instance) string {
	t.Helper()
	status, _, body := in.get("GET", "/api/organizations/"+acmeID+"/memberships/", acmeAdmin, "", "")
	if status != 200 {
		t.Fatalf("memberships: %d %s", status, body)
	}
	return body
}

func TestEnvironment(t *testing.T) {
	t.Parallel()
	loopback := []string{"--addr", "127.0.0.1:0"}
	fixture := writeFile(t, "env.yaml", "organizations:\n  - name: Env\n    members: [{email: e@env.test, role: admin, token: env-token}]\n")
	seedBody := func(t *testing.T, seed string) string {
		in := start(t, append(loopback, "--seed", seed), nil)
		return membershipsBody(t, in)
	}
	pageLength := func(t *testing.T, in *instance) int {
		status, header, body := in.get("GET", "/api/organizations/"+acmeID+"/memberships/", acmeAdmin, "application/json; version=2.0", "")
		var items []json.RawMessage
		if err := json.Unmarshal([]byte(body), &items); status != 200 || err != nil || header.Get("X-Total-Count") != "32" {
			t.Fatalf("memberships: %d %v %s", status, err, body)
		}
		return len(items)
	}
	requestLogged := func(t *testing.T, in *instance) bool {
		in.get("GET", "/api/health/", "", "", "")
		if code, _ := in.stop(); code != 0 {
			t.Fatalf("exit %d", code)
		}
		return strings.Contains(in.stderr.String(), "msg=request method=GET path=/api/health/ status=200")
	}
	cases := []struct {
		name  string
		env   map[string]string
		args  []string
		check func(t *testing.T, in *instance)
	}{
		{"addr/env", map[string]string{"PIXIEBRIX_FAKE_ADDR": "127.0.0.1:0"}, nil, func(t *testing.T, in *instance) {
			if u, _ := url.Parse(in.ready.URL); u.Port() == "8080" || u.Port() == "0" {
				t.Errorf("url %s: the variable's port 0 was not used", in.ready.URL)
			}
			if status, _, _ := in.get("GET", "/api/health/", "", "", ""); status != 200 {
				t.Errorf("health: %d", status)
			}
		}},
		{"addr/flag-wins", map[string]string{"PIXIEBRIX_FAKE_ADDR": "no-such-host.invalid:99999"}, loopback, func(t *testing.T, in *instance) {
			if !strings.HasPrefix(in.ready.URL, "http://127.0.0.1:") {
				t.Errorf("url %s", in.ready.URL)
			}
		}},
		{"fixtures/env", map[string]string{"PIXIEBRIX_FAKE_FIXTURES": fixture}, loopback, func(t *testing.T, in *instance) {
			if want := map[string]string{"e@env.test": "env-token"}; !reflect.DeepEqual(in.ready.Tokens, want) {
				t.Errorf("tokens %v, want %v", in.ready.Tokens, want)
			}
		}},
		{"fixtures/flag-wins", map[string]string{"PIXIEBRIX_FAKE_FIXTURES": "/no/such/fixture.yaml"}, append(loopback, "--fixtures", fixture), func(t *testing.T, in *instance) {
			if _, ok := in.ready.Tokens["e@env.test"]; !ok || len(in.ready.Tokens) != 1 {
				t.Errorf("tokens %v", in.ready.Tokens)
			}
		}},
		{"seed/env", map[string]string{"PIXIEBRIX_FAKE_SEED": "7"}, loopback, func(t *testing.T, in *instance) {
			if got := membershipsBody(t, in); got != seedBody(t, "7") {
				t.Errorf("PIXIEBRIX_FAKE_SEED=7 serves other data than --seed 7")
			}
			if membershipsBody(t, in) == seedBody(t, "1") {
				t.Errorf("PIXIEBRIX_FAKE_SEED=7 serves the data of seed 1")
			}
		}},
		{"seed/flag-wins", map[string]string{"PIXIEBRIX_FAKE_SEED": "7"}, append(loopback, "--seed", "8"), func(t *testing.T, in *instance) {
			if got := membershipsBody(t, in); got != seedBody(t, "8") || got == seedBody(t, "7") {
				t.Errorf("--seed 8 did not win over PIXIEBRIX_FAKE_SEED=7")
			}
		}},
		{"page-size/env", map[string]string{"PIXIEBRIX_FAKE_PAGE_SIZE": "5"}, loopback, func(t *testing.T, in *instance) {
			if n := pageLength(t, in); n != 5 {
				t.Errorf("page of %d, want 5", n)
			}
		}},
		{"page-size/flag-wins", map[string]string{"PIXIEBRIX_FAKE_PAGE_SIZE": "5"}, append(loopback, "--page-size", "3"), func(t *testing.T, in *instance) {
			if n := pageLength(t, in); n != 3 {
				t.Errorf("page of %d, want 3", n)
			}
		}},
		{"log-level/env", map[string]string{"PIXIEBRIX_FAKE_LOG_LEVEL": "warn"}, loopback, func(t *testing.T, in *instance) {
			if requestLogged(t, in) {
				t.Errorf("PIXIEBRIX_FAKE_LOG_LEVEL=warn logged a request:\n%s", in.stderr)
			}
		}},
		{"log-level/flag-wins", map[string]string{"PIXIEBRIX_FAKE_LOG_LEVEL": "warn"}, append(loopback, "--log-level", "debug"), func(t *testing.T, in *instance) {
			if !requestLogged(t, in) {
				t.Errorf("--log-level debug logged no request:\n%s", in.stderr)
			}
		}},
		{"clock/env", map[string]string{"PIXIEBRIX_FAKE_CLOCK": "2030-01-02T03:04:05Z"}, loopback, func(t *testing.T, in *instance) {
			if got := createGroupAt(t, in, "Clocked"); got != "2030-01-02T03:04:05Z" {
				t.Errorf("created_at %s", got)
			}
		}},
		{"clock/flag-wins", map[string]string{"PIXIEBRIX_FAKE_CLOCK": "not a clock"}, append(loopback, "--clock", "2031-05-06T07:08:09+02:00"), func(t *testing.T, in *instance) {
			if got := createGroupAt(t, in, "Clocked"); got != "2031-05-06T05:08:09Z" {
				t.Errorf("created_at %s", got)
			}
		}},
		{"clock/default-steps", nil, loopback, func(t *testing.T, in *instance) {
			if first, second := createGroupAt(t, in, "Clocked"), createGroupAt(t, in, "Clocked Again"); first != "2026-01-01T00:00:01Z" || second != "2026-01-01T00:00:02Z" {
				t.Errorf("created_at %s then %s, want one second apart from 2026-01-01", first, second)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.check(t, start(t, c.args, c.env))
		})
	}
}

// createGroupAt creates a group named name and returns its created_at, a
// reading of the command's clock.
func createGroupAt(t *testing.T, in *instance, name string) string {
	t.Helper()
	status, _, body := in.get("POST", "/api/organizations/"+acmeID+"/groups/", acmeAdmin, "", `{"name": "`+name+`"}`)
	var group struct {
		CreatedAt string `json:"created_at"`
	}
	if err := json.Unmarshal([]byte(body), &group); status != 201 || err != nil {
		t.Fatalf("create group: %d %v %s", status, err, body)
	}
	return group.CreatedAt
}

func TestRefused(t *testing.T) {
	t.Parallel()
	badFixture := writeFile(t, "bad.yaml", "organizations:\n  - name: Acme\n    colour: red\n")
	ineligible := writeFile(t, "ineligible.yaml", "organizations:\n  - name: Acme\n    groups:\n      - {name: Sales, members: [eve@evil.test]}\n")
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() })
	loopback := []string{"--addr", "127.0.0.1:0"}

	cases := []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string // on stderr
	}{
		{name: "flag/unknown", args: []string{"--bogus"}, code: 2,
			want: "pixiebrix-fake: flag provided but not defined: -bogus (see --help)"},
		{name: "flag/bad-seed", args: []string{"--seed", "seven"}, code: 2,
			want: `pixiebrix-fake: invalid value "seven" for flag -seed: parse error (see --help)`},
		{name: "flag/missing-value", args: []string{"--addr"}, code: 2,
			want: "pixiebrix-fake: flag needs an argument: -addr (see --help)"},
		{name: "flag/argument", args: []string{"serve", "extra"}, code: 2,
			want: `pixiebrix-fake: unexpected argument "extra" (see --help)`},
		{name: "page-size/zero", args: []string{"--page-size", "0"}, code: 2,
			want: "pixiebrix-fake: --page-size 0: use 1 to 1000"},
		{name: "page-size/too-large", args: []string{"--page-size", "5000"}, code: 2,
			want: "pixiebrix-fake: --page-size 5000: use 1 to 1000"},
		{name: "log-level/unknown", args: []string{"--log-level", "loud"}, code: 2,
			want: `pixiebrix-fake: --log-level "loud": use debug, info, warn or error`},
		{name: "clock/unknown", args: []string{"--clock", "tomorrow"}, code: 2,
			want: `pixiebrix-fake: --clock "tomorrow": use "step", "wall" or an RFC 3339 time such as 2026-01-01T00:00:00Z`},
		{name: "env/seed", env: map[string]string{"PIXIEBRIX_FAKE_SEED": "abc"}, code: 2,
			want: `pixiebrix-fake: invalid value "abc" for PIXIEBRIX_FAKE_SEED: use an integer such as 42`},
		{name: "env/page-size/not-a-number", env: map[string]string{"PIXIEBRIX_FAKE_PAGE_SIZE": "ten"}, code: 2,
			want: `pixiebrix-fake: invalid value "ten" for PIXIEBRIX_FAKE_PAGE_SIZE: use an integer such as 42`},
		{name: "env/bool", env: map[string]string{"PIXIEBRIX_FAKE_NO_FAULT_HEADER": "yes"}, code: 2,
			want: `pixiebrix-fake: invalid value "yes" for PIXIEBRIX_FAKE_NO_FAULT_HEADER: use true or false (also 1, 0, t, f, TRUE, FALSE, True, False)`},
		{name: "env/float", env: map[string]string{"PIXIEBRIX_FAKE_ERROR_RATE": "5%"}, code: 2,
			want: `pixiebrix-fake: invalid value "5%" for PIXIEBRIX_FAKE_ERROR_RATE: use a number such as 0.05`},
		{name: "env/duration", env: map[string]string{"PIXIEBRIX_FAKE_LATENCY": "1 second"}, code: 2,
			want: `pixiebrix-fake: invalid value "1 second" for PIXIEBRIX_FAKE_LATENCY: use a Go duration such as 250ms or 1.5s`},
		{name: "env/page-size/zero", env: map[string]string{"PIXIEBRIX_FAKE_PAGE_SIZE": "0"}, code: 2,
			want: "pixiebrix-fake: PIXIEBRIX_FAKE_PAGE_SIZE 0: use 1 to 1000"},
		{name: "env/log-level", env: map[string]string{"PIXIEBRIX_FAKE_LOG_LEVEL": "chatty"}, code: 2,
			want: `pixiebrix-fake: PIXIEBRIX_FAKE_LOG_LEVEL "chatty": use debug, info, warn or error`},
		{name: "env/clock", env: map[string]string{"PIXIEBRIX_FAKE_CLOCK": "soon"}, code: 2,
			want: `pixiebrix-fake: PIXIEBRIX_FAKE_CLOCK "soon": use "step", "wall" or an RFC 3339 time`},
		{name: "env/two-bad", env: map[string]string{"PIXIEBRIX_FAKE_SEED": "x", "PIXIEBRIX_FAKE_PAGE_SIZE": "y"}, code: 2,
			want: `pixiebrix-fake: invalid value "y" for PIXIEBRIX_FAKE_PAGE_SIZE: use an integer such as 42; invalid value "x" for PIXIEBRIX_FAKE_SEED: use an integer such as 42`},
		{name: "env/fixtures/missing", env: map[string]string{"PIXIEBRIX_FAKE_FIXTURES": "/no/such/fixture.yaml"}, args: loopback, code: 1,
			want: "pixiebrix-fake: fixture: open /no/such/fixture.yaml: no such file or directory"},
		{name: "env/addr", env: map[string]string{"PIXIEBRIX_FAKE_ADDR": "nonsense"}, code: 2,
			want: `pixiebrix-fake: PIXIEBRIX_FAKE_ADDR "nonsense" is not HOST:PORT: give an address such as 127.0.0.1:8080 (port 0 picks a free port)`},
		{name: "fixtures/unknown-key", args: append(loopback, "--fixtures", badFixture), code: 1,
			want: "pixiebrix-fake: fixture " + badFixture + `: line 3: organizations[0] (Acme): unknown key "colour"`},
		{name: "fixtures/ineligible", args: append(loopback, "--fixtures", ineligible), code: 1,
			want: "organizations[0] (Acme): groups[0] (Sales): members[0] (eve@evil.test): eve@evil.test is not a member of the team"},
		{name: "addr/every-interface", args: []string{"--addr", ":0"}, code: 2,
			want: `pixiebrix-fake: --addr ":0" listens on every interface, not only loopback: anyone who reaches it could reset or replace the data through /__fake/; guard the control plane with --admin-token (or PIXIEBRIX_FAKE_ADMIN_TOKEN), turn it off with --no-control-plane (or PIXIEBRIX_FAKE_NO_CONTROL_PLANE), or listen on 127.0.0.1`},
		{name: "addr/unspecified-ipv4", args: []string{"--addr", "0.0.0.0:0"}, code: 2,
			want: `pixiebrix-fake: --addr "0.0.0.0:0" listens on every interface, not only loopback: anyone who reaches it`},
		{name: "addr/unspecified-ipv6", args: []string{"--addr", "[::]:0"}, code: 2,
			want: `pixiebrix-fake: --addr "[::]:0" listens on every interface, not only loopback: anyone who reaches it`},
		{name: "addr/lan", args: []string{"--addr", "192.0.2.1:0"}, code: 2,
			want: `pixiebrix-fake: --addr "192.0.2.1:0" is not a loopback address: anyone who reaches it could reset or replace the data through /__fake/; guard the control plane with --admin-token (or PIXIEBRIX_FAKE_ADMIN_TOKEN), turn it off with --no-control-plane (or PIXIEBRIX_FAKE_NO_CONTROL_PLANE), or listen on 127.0.0.1`},
		{name: "addr/host-name", args: []string{"--addr", "fake.example.test:0"}, code: 2,
			want: `pixiebrix-fake: --addr "fake.example.test:0" is not a loopback address: anyone who reaches it`},
		{name: "addr/empty-admin-token", args: []string{"--addr", ":0", "--admin-token", ""}, code: 2,
			want: `pixiebrix-fake: --addr ":0" listens on every interface, not only loopback`},
		{name: "env/addr/every-interface", env: map[string]string{"PIXIEBRIX_FAKE_ADDR": "0.0.0.0:8080"}, code: 2,
			want: `pixiebrix-fake: PIXIEBRIX_FAKE_ADDR "0.0.0.0:8080" listens on every interface, not only loopback: anyone who reaches it`},
		{name: "latency/negative", args: []string{"--latency", "-5ms"}, code: 2,
			want: "pixiebrix-fake: --latency -5ms: a delay may not be negative"},
		{name: "latency/no-unit", args: []string{"--latency", "100"}, code: 2,
			want: `pixiebrix-fake: invalid value "100" for flag -latency: use a Go duration such as 250ms or 1.5s (see --help)`},
		{name: "latency-jitter/negative", args: []string{"--latency", "1s", "--latency-jitter", "-1s"}, code: 2,
			want: "pixiebrix-fake: --latency-jitter -1s: a jitter may not be negative"},
		{name: "env/latency/negative", env: map[string]string{"PIXIEBRIX_FAKE_LATENCY": "-1s"}, code: 2,
			want: "pixiebrix-fake: PIXIEBRIX_FAKE_LATENCY -1s: a delay may not be negative"},
		{name: "env/latency-jitter/not-a-duration", env: map[string]string{"PIXIEBRIX_FAKE_LATENCY_JITTER": "a bit"}, code: 2,
			want: `pixiebrix-fake: invalid value "a bit" for PIXIEBRIX_FAKE_LATENCY_JITTER: use a Go duration such as 250ms or 1.5s`},
		{name: "error-rate/above-one", args: []string{"--error-rate", "1.5"}, code: 2,
			want: "pixiebrix-fake: --error-rate 1.5: use a fraction from 0 to 1, such as 0.05"},
		{name: "error-rate/negative", args: []string{"--error-rate", "-0.1"}, code: 2,
			want: "pixiebrix-fake: --error-rate -0.1: use a fraction from 0 to 1, such as 0.05"},
		{name: "error-rate/nan", args: []string{"--error-rate", "NaN"}, code: 2,
			want: "pixiebrix-fake: --error-rate NaN: use a fraction from 0 to 1, such as 0.05"},
		{name: "env/error-rate", env: map[string]string{"PIXIEBRIX_FAKE_ERROR_RATE": "50"}, code: 2,
			want: "pixiebrix-fake: PIXIEBRIX_FAKE_ERROR_RATE 50: use a fraction from 0 to 1, such as 0.05"},
		{name: "throttle/period", args: []string{"--throttle", "5/fortnight"}, code: 2,
			want: `pixiebrix-fake: --throttle: throttle rate "5/fortnight": the period is one of second, minute, hour or day`},
		{name: "throttle/count", args: []string{"--throttle", "five/min"}, code: 2,
			want: `pixiebrix-fake: --throttle: throttle rate "five/min": use DRF's syntax, a number of requests per s, m, h or d (5/min, 100/hour)`},
		{name: "throttle/zero", args: []string{"--throttle", "0/min"}, code: 2,
			want: `pixiebrix-fake: --throttle: throttle rate "0/min": use DRF's syntax`},
		{name: "env/throttle", env: map[string]string{"PIXIEBRIX_FAKE_THROTTLE": "often"}, code: 2,
			want: `pixiebrix-fake: PIXIEBRIX_FAKE_THROTTLE: throttle rate "often": use DRF's syntax`},
		{name: "journal-size/negative", args: []string{"--journal-size", "-3"}, code: 2,
			want: "pixiebrix-fake: --journal-size -3: use 0 (keep none) or more"},
		{name: "env/journal-size", env: map[string]string{"PIXIEBRIX_FAKE_JOURNAL_SIZE": "-1"}, code: 2,
			want: "pixiebrix-fake: PIXIEBRIX_FAKE_JOURNAL_SIZE -1: use 0 (keep none) or more"},
		{name: "watch/no-fixture", args: []string{"--watch"}, code: 2,
			want: "pixiebrix-fake: --watch: there is no fixture file to watch; give --fixtures (or PIXIEBRIX_FAKE_FIXTURES)"},
		{name: "env/watch/no-fixture", env: map[string]string{"PIXIEBRIX_FAKE_WATCH": "true"}, code: 2,
			want: "pixiebrix-fake: PIXIEBRIX_FAKE_WATCH: there is no fixture file to watch"},
		{name: "addr/in-use", args: []string{"--addr", busy.Addr().String()}, code: 1,
			want: `pixiebrix-fake: --addr "` + busy.Addr().String() + `": listen tcp ` + busy.Addr().String() + `: bind: address already in use`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			// An already cancelled context: should run serve instead of
			// failing, it stops at once with 0 rather than hanging.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var stdout, stderr bytes.Buffer
			code := run(ctx, c.args, envFunc(c.env), &stdout, &stderr)
			if code != c.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, c.code, &stderr)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout: %q, want nothing", &stdout)
			}
			if !strings.Contains(stderr.String(), c.want) {
				t.Errorf("stderr:\n%s\nwant it to hold\n%s", &stderr, c.want)
			}
			if lines := strings.Count(strings.TrimSpace(stderr.String()), "\n"); lines != 0 {
				t.Errorf("stderr has %d lines, want one:\n%s", lines+1, &stderr)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"--help", "-help", "-h"} {
		t.Run(arg, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), []string{arg}, envFunc(nil), &stdout, &stderr); code != 0 {
				t.Errorf("exit %d, want 0", code)
			}
			if stderr.Len() != 0 {
				t.Errorf("stderr: %q", &stderr)
			}
			for _, want := range []string{
				"Usage:\n  pixiebrix-fake [serve] [flags]", `{"ready":true,"url":`, "SIGINT or SIGTERM",
				"-addr string", "-fixtures string", "-seed int", "-page-size int", "-log-level string", "-clock string",
				"[PIXIEBRIX_FAKE_ADDR]", "[PIXIEBRIX_FAKE_FIXTURES]", "[PIXIEBRIX_FAKE_SEED]",
				"[PIXIEBRIX_FAKE_PAGE_SIZE]", "[PIXIEBRIX_FAKE_LOG_LEVEL]", "[PIXIEBRIX_FAKE_CLOCK]",
				`(default "127.0.0.1:8080")`,
				"-no-fault-header\n", "-latency duration", "-latency-jitter duration", "-error-rate float",
				"-throttle string", "-journal-size int", "-admin-token string",
				"[PIXIEBRIX_FAKE_NO_FAULT_HEADER]", "[PIXIEBRIX_FAKE_LATENCY]", "[PIXIEBRIX_FAKE_LATENCY_JITTER]",
				"[PIXIEBRIX_FAKE_ERROR_RATE]", "[PIXIEBRIX_FAKE_THROTTLE]", "[PIXIEBRIX_FAKE_JOURNAL_SIZE]",
				"[PIXIEBRIX_FAKE_ADMIN_TOKEN]\n", "[PIXIEBRIX_FAKE_JOURNAL_SIZE] (default 1000)",
				"to listen beyond loopback, give it a token with --admin-token\nor turn it off with --no-control-plane (without either, such an address is\nrefused with exit status 2)",
				"-no-control-plane\n", "[PIXIEBRIX_FAKE_NO_CONTROL_PLANE]\n", "-state-file file", "[PIXIEBRIX_FAKE_STATE_FILE]\n",
			} {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("help lacks %q:\n%s", want, &stdout)
				}
			}
		})
	}
}

// TestShutdownWithOpenConnection stops the command while a client holds a
// kept-alive connection: Shutdown closes it and run returns 0.
func TestShutdownWithOpenConnection(t *testing.T) {
	t.Parallel()
	in := start(t, []string{"--addr", "127.0.0.1:0", "--log-level", "error"}, nil)
	conn, err := net.Dial("tcp", strings.TrimPrefix(in.ready.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /api/health/ HTTP/1.1\r\nHost: fake\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code, _ := in.stop(); code != 0 {
		t.Errorf("exit %d with a connection open, want 0; stderr:\n%s", code, in.stderr)
	}
	if in.stderr.String() != "" {
		t.Errorf("--log-level error logged:\n%s", in.stderr)
	}
}

// TestBinary runs the built command twice as separate processes on the same
// seed and fixture: they serve the same bytes, and SIGTERM ends each with 0.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "pixiebrix-fake")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	fixture := writeFile(t, "bin.yaml", `organizations:
  - id: 0a000000-0000-4000-8000-000000000001
    name: Bin Corp
    verified_domains: [bin.test]
    generate: {members: 60, groups: 3, campaigns: 2}
    members:
      - {email: root@bin.test, role: admin, token: bin-admin}
`)
	var env []string // the command's variables would change what it serves
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PIXIEBRIX_FAKE_") {
			env = append(env, kv)
		}
	}
	paths := []string{
		"/api/me/",
		"/api/organizations/",
		"/api/organizations/" + acmeID + "/memberships/?page=2&page_size=25",
		"/api/organizations/" + acmeID + "/groups/",
		"/api/organizations/" + acmeID + "/campaigns/",
	}
	serve := func() []string {
		cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--seed", "7", "--fixtures", fixture)
		cmd.Env = env
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr syncBuffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := false
		defer func() {
			if !exited {
				cmd.Process.Kill()
				cmd.Wait()
			}
		}()
		lines := make(chan string, 1)
		go func() {
			line, _ := bufio.NewReader(stdout).ReadString('\n')
			lines <- line
		}()
		var ready readyLine
		select {
		case line := <-lines:
			if err := json.Unmarshal([]byte(line), &ready); err != nil {
				t.Fatalf("ready line %q: %v; stderr:\n%s", line, err, &stderr)
			}
		case <-time.After(waitLimit):
			t.Fatalf("no ready line within %v; stderr:\n%s", waitLimit, &stderr)
		}
		in := &instance{t: t, ready: ready, client: &http.Client{Transport: &http.Transport{}, Timeout: waitLimit}}
		defer in.client.CloseIdleConnections()
		var got []string
		for _, path := range paths {
			status, header, body := in.get("GET", path, "bin-admin", "application/json; version=2.0", "")
			if status != 200 {
				t.Errorf("GET %s: %d %s", path, status, body)
			}
			got = append(got, header.Get("X-Request-Id")+" "+header.Get("X-Total-Count")+" "+body)
		}
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		waited := make(chan error, 1)
		go func() { waited <- cmd.Wait() }()
		select {
		case err := <-waited:
			exited = true
			if err != nil {
				t.Errorf("after SIGTERM: %v (want exit 0); stderr:\n%s", err, &stderr)
			}
		case <-time.After(waitLimit):
			t.Fatalf("still running %v after SIGTERM", waitLimit)
		}
		if !strings.Contains(stderr.String(), `msg="shutting down"`) {
			t.Errorf("stderr:\n%s", &stderr)
		}
		return got
	}
	first, second := serve(), serve()
	for i := range paths {
		if first[i] != second[i] {
			t.Errorf("GET %s differs between two runs:\n%s\n%s", paths[i], first[i], second[i])
		}
	}
	if !strings.Contains(first[2], "@bin.test") {
		t.Errorf("memberships page 2 holds no generated people: %s", first[2])
	}
}

// send sends a request with exactly the headers given, for what get cannot
// say: an X-Fake-Fault header, a Bearer token.
func (in *instance) send(method, path string, header map[string]string) (int, http.Header, string) {
	in.t.Helper()
	return in.do(method, path, header, "")
}

// do sends one request to the running command and reads the whole answer.
func (in *instance) do(method, path string, header map[string]string, body string) (int, http.Header, string) {
	in.t.Helper()
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, in.ready.URL+path, reader)
	if err != nil {
		in.t.Fatal(err)
	}
	for name, value := range header {
		req.Header.Set(name, value)
	}
	resp, err := in.client.Do(req)
	if err != nil {
		in.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		in.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(data)
}

// journalEntry is the part of a GET /__fake/requests entry the tests read.
type journalEntry struct {
	Path        string  `json:"path"`
	Status      int     `json:"status"`
	FaultSource *string `json:"fault_source"`
	DurationMS  float64 `json:"duration_ms"`
}

// journal reads the journal; adminToken is the control plane's, if any.
func (in *instance) journal(adminToken string) []journalEntry {
	in.t.Helper()
	header := map[string]string{}
	if adminToken != "" {
		header["Authorization"] = "Bearer " + adminToken
	}
	status, _, body := in.send("GET", "/__fake/requests", header)
	var entries []journalEntry
	if err := json.Unmarshal([]byte(body), &entries); status != 200 || err != nil {
		in.t.Fatalf("GET /__fake/requests: %d %v %s", status, err, body)
	}
	return entries
}

func paths(entries []journalEntry) []string {
	var paths []string
	for _, e := range entries {
		paths = append(paths, e.Path)
	}
	return paths
}

// TestControlPlaneOptions checks that each control-plane flag, and its
// variable, acts on the served fake over HTTP, and that the flag wins.
func TestControlPlaneOptions(t *testing.T) {
	t.Parallel()
	loopback := []string{"--addr", "127.0.0.1:0"}
	with := func(args ...string) []string { return append(append([]string{}, loopback...), args...) }
	me := "/api/me/"
	asAdmin := map[string]string{"Authorization": "Token " + acmeAdmin}
	faulted := map[string]string{"Authorization": "Token " + acmeAdmin, "X-Fake-Fault": "kind=status; status=503"}

	faultHeaderIgnored := func(t *testing.T, in *instance) {
		status, _, body := in.send("GET", me, faulted)
		if status != 200 || !strings.Contains(body, `"email":"ada@acme.test"`) {
			t.Errorf("GET %s with X-Fake-Fault: %d %s, want the header ignored: 200 and Ada", me, status, body)
		}
		if e := in.journal(""); len(e) != 1 || e[0].FaultSource != nil {
			t.Errorf("journal %+v, want one request that no fault acted on", e)
		}
	}
	faultHeaderObeyed := func(t *testing.T, in *instance) {
		status, _, body := in.send("GET", me, faulted)
		if want := `{"detail":"Service temporarily unavailable, try again later."}`; status != 503 || strings.TrimSpace(body) != want {
			t.Errorf("GET %s with X-Fake-Fault: %d %s, want 503 %s", me, status, body, want)
		}
	}
	// delayedAtLeast checks that a request succeeds and that the journal saw
	// it take at least min: a lower bound the delay guarantees, not a timing.
	delayedAtLeast := func(min time.Duration) func(t *testing.T, in *instance) {
		return func(t *testing.T, in *instance) {
			if status, _, body := in.send("GET", me, asAdmin); status != 200 {
				t.Fatalf("GET %s: %d %s", me, status, body)
			}
			e := in.journal("")
			if len(e) != 1 || e[0].Status != 200 || e[0].DurationMS < float64(min.Milliseconds()) {
				t.Errorf("journal %+v, want one 200 of at least %v", e, min)
			}
			// The control plane is not delayed, and not journaled.
			if status, _, _ := in.send("GET", "/__fake/health", nil); status != 200 {
				t.Errorf("GET /__fake/health: %d", status)
			}
		}
	}
	failsEveryRequest := func(t *testing.T, in *instance) {
		for range 3 {
			status, _, body := in.send("GET", me, asAdmin)
			var got struct{ Detail string }
			if err := json.Unmarshal([]byte(body), &got); err != nil || got.Detail == "" ||
				status != 500 && status != 502 && status != 503 {
				t.Errorf("GET %s: %d %s, want 500, 502 or 503 with a detail", me, status, body)
			}
		}
		for _, e := range in.journal("") {
			if e.FaultSource == nil || *e.FaultSource != "error_rate" {
				t.Errorf("journal entry %+v, want fault_source error_rate", e)
			}
		}
		if status, _, _ := in.send("GET", "/__fake/health", nil); status != 200 {
			t.Errorf("GET /__fake/health: %d, want the control plane spared", status)
		}
	}
	failsNoRequest := func(t *testing.T, in *instance) {
		for range 3 {
			if status, _, body := in.send("GET", me, asAdmin); status != 200 {
				t.Errorf("GET %s: %d %s, want 200", me, status, body)
			}
		}
	}
	// throttledAfter checks that n requests pass, the next is DRF's 429,
	// and another user is not held back.
	throttledAfter := func(n int) func(t *testing.T, in *instance) {
		return func(t *testing.T, in *instance) {
			for i := range n {
				if status, _, body := in.send("GET", me, asAdmin); status != 200 {
					t.Fatalf("request %d: %d %s, want 200", i+1, status, body)
				}
			}
			status, header, body := in.send("GET", me, asAdmin)
			seconds, err := strconv.Atoi(header.Get("Retry-After"))
			if status != 429 || err != nil || seconds < 1 || seconds > 60 {
				t.Fatalf("request %d: %d Retry-After %q %s, want 429 and 1 to 60 seconds", n+1, status, header.Get("Retry-After"), body)
			}
			if want := fmt.Sprintf(`{"detail":"Request was throttled. Expected available in %d seconds."}`, seconds); strings.TrimSpace(body) != want {
				t.Errorf("429 body %s, want %s", body, want)
			}
			if status, _, body := in.send("GET", me, map[string]string{"Authorization": "Token acme-member-token"}); status != 200 {
				t.Errorf("another user: %d %s, want 200: the rate is per user", status, body)
			}
		}
	}
	// journalKeeps makes three API requests and checks the journal holds the
	// last n of them.
	journalKeeps := func(n int) func(t *testing.T, in *instance) {
		return func(t *testing.T, in *instance) {
			sent := []string{"/api/health/", me, "/api/organizations/"}
			for _, path := range sent {
				if status, _, body := in.send("GET", path, asAdmin); status != 200 {
					t.Fatalf("GET %s: %d %s", path, status, body)
				}
			}
			if got, want := paths(in.journal("")), sent[len(sent)-n:]; !reflect.DeepEqual(got, want) {
				t.Errorf("journal holds %q, want %q", got, want)
			}
		}
	}
	// guardedBy checks that the control plane needs "Bearer token" and
	// nothing else, while the API still takes PixieBrix tokens.
	guardedBy := func(token string) func(t *testing.T, in *instance) {
		return func(t *testing.T, in *instance) {
			for _, auth := range []string{"", "Bearer wrong-" + token, "Token " + token, "Token " + acmeAdmin} {
				status, header, body := in.send("GET", "/__fake/health", map[string]string{"Authorization": auth})
				want := `{"detail":"The control plane needs its token: Authorization: Bearer <token>."}`
				if status != 401 || header.Get("WWW-Authenticate") != "Bearer" || strings.TrimSpace(body) != want {
					t.Errorf("GET /__fake/health with Authorization %q: %d %q %s, want 401 Bearer %s",
						auth, status, header.Get("WWW-Authenticate"), body, want)
				}
			}
			status, _, body := in.send("GET", "/__fake/health", map[string]string{"Authorization": "Bearer " + token})
			if status != 200 || strings.TrimSpace(body) != `{"status":"ready"}` {
				t.Errorf("GET /__fake/health with the token: %d %s, want 200 ready", status, body)
			}
			if status, _, body := in.send("GET", me, asAdmin); status != 200 {
				t.Errorf("GET %s: %d %s, want the API open to its own tokens", me, status, body)
			}
			if got := paths(in.journal(token)); !reflect.DeepEqual(got, []string{me}) {
				t.Errorf("journal %q", got)
			}
		}
	}
	controlPlaneOpen := func(t *testing.T, in *instance) {
		if status, _, body := in.send("GET", "/__fake/health", nil); status != 200 || strings.TrimSpace(body) != `{"status":"ready"}` {
			t.Errorf("GET /__fake/health: %d %s, want 200 ready with no token", status, body)
		}
	}

	controlPlaneOff := func(t *testing.T, in *instance) {
		for _, path := range []string{"/__fake/health", "/__fake/state", "/__fake/requests"} {
			status, _, body := in.send("GET", path, map[string]string{"Authorization": "Bearer wide"})
			if status != 404 || strings.TrimSpace(body) != `{"detail":"Not found."}` {
				t.Errorf("GET %s: %d %.80s, want 404 Not found.", path, status, body)
			}
		}
		if status, _, body := in.send("GET", me, asAdmin); status != 200 {
			t.Errorf("GET %s: %d %s, want the API served", me, status, body)
		}
	}
	stateDir := t.TempDir()
	stateFileAt := func(name string) func(t *testing.T, in *instance) {
		return func(t *testing.T, in *instance) {
			status, _, body := in.do("PATCH", "/api/memberships/4/", map[string]string{"Authorization": "Token " + acmeAdmin, "Content-Type": "application/json"}, `{"role": 4}`)
			if status != 200 {
				t.Fatalf("PATCH: %d %s", status, body)
			}
			data, err := os.ReadFile(filepath.Join(stateDir, name))
			if err != nil || !bytes.Contains(data, []byte(`"op":"membership.role"`)) {
				t.Errorf("state file %s lacks the write: %v\n%q", name, err, data)
			}
		}
	}

	cases := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, in *instance)
	}{
		{"no-fault-header/default", loopback, nil, faultHeaderObeyed},
		{"no-fault-header/flag", with("--no-fault-header"), nil, faultHeaderIgnored},
		{"no-fault-header/env", loopback, map[string]string{"PIXIEBRIX_FAKE_NO_FAULT_HEADER": "true"}, faultHeaderIgnored},
		{"no-fault-header/flag-wins", with("--no-fault-header=false"), map[string]string{"PIXIEBRIX_FAKE_NO_FAULT_HEADER": "1"}, faultHeaderObeyed},

		{"latency/flag", with("--latency", "25ms"), nil, delayedAtLeast(25 * time.Millisecond)},
		{"latency/env", loopback, map[string]string{"PIXIEBRIX_FAKE_LATENCY": "25ms"}, delayedAtLeast(25 * time.Millisecond)},
		{"latency/flag-wins", with("--latency", "30ms"), map[string]string{"PIXIEBRIX_FAKE_LATENCY": "1ms"}, delayedAtLeast(30 * time.Millisecond)},
		{"latency-jitter/flag", with("--latency", "40ms", "--latency-jitter", "15ms"), nil, delayedAtLeast(25 * time.Millisecond)},
		{"latency-jitter/env", loopback, map[string]string{"PIXIEBRIX_FAKE_LATENCY": "40ms", "PIXIEBRIX_FAKE_LATENCY_JITTER": "15ms"}, delayedAtLeast(25 * time.Millisecond)},
		{"latency-jitter/alone", with("--latency-jitter", "20ms"), nil, delayedAtLeast(0)},

		{"error-rate/default", loopback, nil, failsNoRequest},
		{"error-rate/flag", with("--error-rate", "1"), nil, failsEveryRequest},
		{"error-rate/env", loopback, map[string]string{"PIXIEBRIX_FAKE_ERROR_RATE": "1"}, failsEveryRequest},
		{"error-rate/flag-wins", with("--error-rate", "0"), map[string]string{"PIXIEBRIX_FAKE_ERROR_RATE": "1"}, failsNoRequest},

		{"throttle/flag", with("--throttle", "2/min"), nil, throttledAfter(2)},
		{"throttle/env", loopback, map[string]string{"PIXIEBRIX_FAKE_THROTTLE": "2/minute"}, throttledAfter(2)},
		{"throttle/flag-wins", with("--throttle", "3/m"), map[string]string{"PIXIEBRIX_FAKE_THROTTLE": "1/min"}, throttledAfter(3)},

		{"journal-size/default", loopback, nil, journalKeeps(3)},
		{"journal-size/flag", with("--journal-size", "2"), nil, journalKeeps(2)},
		{"journal-size/env", loopback, map[string]string{"PIXIEBRIX_FAKE_JOURNAL_SIZE": "2"}, journalKeeps(2)},
		{"journal-size/flag-wins", with("--journal-size", "1"), map[string]string{"PIXIEBRIX_FAKE_JOURNAL_SIZE": "2"}, journalKeeps(1)},

		{"admin-token/default", loopback, nil, controlPlaneOpen},
		{"admin-token/flag", with("--admin-token", "s3cret"), nil, guardedBy("s3cret")},
		{"admin-token/env", loopback, map[string]string{"PIXIEBRIX_FAKE_ADMIN_TOKEN": "from-env"}, guardedBy("from-env")},
		{"admin-token/flag-wins", with("--admin-token", "from-flag"), map[string]string{"PIXIEBRIX_FAKE_ADMIN_TOKEN": "from-env"}, guardedBy("from-flag")},

		{"addr/localhost", []string{"--addr", "localhost:0"}, nil, controlPlaneOpen},
		{"addr/loopback-range", []string{"--addr", "127.0.0.1:0"}, nil, controlPlaneOpen},
		{"addr/every-interface/flag", []string{"--addr", "0.0.0.0:0", "--admin-token", "wide"}, nil, guardedBy("wide")},
		{"addr/every-interface/env", nil, map[string]string{"PIXIEBRIX_FAKE_ADDR": "0.0.0.0:0", "PIXIEBRIX_FAKE_ADMIN_TOKEN": "wide"}, guardedBy("wide")},

		{"no-control-plane/flag", with("--no-control-plane"), nil, controlPlaneOff},
		{"no-control-plane/env", loopback, map[string]string{"PIXIEBRIX_FAKE_NO_CONTROL_PLANE": "true"}, controlPlaneOff},
		{"no-control-plane/flag-wins", with("--no-control-plane=false"), map[string]string{"PIXIEBRIX_FAKE_NO_CONTROL_PLANE": "true"}, controlPlaneOpen},
		{"no-control-plane/with-admin-token", with("--no-control-plane", "--admin-token", "wide"), nil, controlPlaneOff},
		{"addr/every-interface/no-control-plane", []string{"--addr", "0.0.0.0:0", "--no-control-plane"}, nil, controlPlaneOff},
		{"addr/every-interface/no-control-plane-env", nil, map[string]string{"PIXIEBRIX_FAKE_ADDR": "0.0.0.0:0", "PIXIEBRIX_FAKE_NO_CONTROL_PLANE": "1"}, controlPlaneOff},

		{"state-file/flag", with("--state-file", filepath.Join(stateDir, "flag")), nil, stateFileAt("flag")},
		{"state-file/env", loopback, map[string]string{"PIXIEBRIX_FAKE_STATE_FILE": filepath.Join(stateDir, "env")}, stateFileAt("env")},
		{"state-file/flag-wins", with("--state-file", filepath.Join(stateDir, "flag-wins")), map[string]string{"PIXIEBRIX_FAKE_STATE_FILE": filepath.Join(stateDir, "env-loses")}, stateFileAt("flag-wins")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			in := start(t, append(c.args, "--log-level", "warn"), c.env)
			// A server on every interface is reached here through loopback.
			in.ready.URL = strings.Replace(in.ready.URL, "//0.0.0.0:", "//127.0.0.1:", 1)
			c.check(t, in)
		})
	}
}

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	cases := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:8080", true},
		{"127.8.9.10:0", true},
		{"[::1]:8080", true},
		{"[::ffff:127.0.0.1]:0", true},
		{"localhost:8080", true},
		{"LocalHost:0", true},
		{":8080", false},
		{"0.0.0.0:8080", false},
		{"[::]:8080", false},
		{"128.0.0.1:0", false},
		{"192.168.1.20:8080", false},
		{"[fe80::1%eth0]:0", false},
		{"my-laptop.local:8080", false},
		{"localhost.example.test:0", false},
	}
	for _, c := range cases {
		t.Run(c.addr, func(t *testing.T) {
			t.Parallel()
			host, _, err := net.SplitHostPort(c.addr)
			if err != nil {
				t.Fatal(err)
			}
			if got := isLoopback(host); got != c.want {
				t.Errorf("isLoopback(%q) = %v, want %v", host, got, c.want)
			}
		})
	}
}

// --- the state file and graceful shutdown, across processes ---

// buildCommand builds the command for tests that run it as a process.
func buildCommand(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "pixiebrix-fake")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// commandEnv is this process's environment without the command's
// variables, which would change what it serves.
func commandEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PIXIEBRIX_FAKE_") {
			env = append(env, kv)
		}
	}
	return env
}

// process is the built command running as a process of its own.
type process struct {
	*instance
	cmd    *exec.Cmd
	waited chan error
}

// startProcess runs the command and waits, within waitLimit, for its ready
// line. The test's end kills it if it is still running.
func startProcess(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = commandEnv()
	stdout := &syncBuffer{}
	in := &instance{t: t, stderr: &syncBuffer{}, client: &http.Client{Transport: &http.Transport{}, Timeout: waitLimit}}
	cmd.Stdout, cmd.Stderr = stdout, in.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{instance: in, cmd: cmd, waited: make(chan error, 1)}
	go func() { p.waited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		p.exit()
		in.client.CloseIdleConnections()
	})
	if !stdout.waitFor("\n") {
		t.Fatalf("no ready line within %v; stderr:\n%s", waitLimit, in.stderr)
	}
	in.line, _, _ = strings.Cut(stdout.String(), "\n")
	if err := json.Unmarshal([]byte(in.line), &in.ready); err != nil {
		t.Fatalf("ready line %q: %v; stderr:\n%s", in.line, err, in.stderr)
	}
	return p
}

// exit waits, within waitLimit, for the process to end and returns its
// exit status (-1 when a signal ended it).
func (p *process) exit() int {
	p.t.Helper()
	p.stopOnce.Do(func() {
		select {
		case err := <-p.waited:
			p.code = 0
			if err != nil {
				p.code = -1
				if exit, ok := err.(*exec.ExitError); ok {
					p.code = exit.ExitCode()
				}
			}
		case <-time.After(waitLimit):
			p.t.Errorf("still running %v after it was stopped; stderr:\n%s", waitLimit, p.stderr)
			p.code = -2
		}
	})
	return p.code
}

func (p *process) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

// durableStep is one request of the durable-state scenario; fill completes
// its path and body from the answers before it.
type durableStep struct {
	name   string
	method string
	path   string
	body   string
	want   int
}

// durableScenario is a write of every kind: the control plane's reset and
// state, then every API write. ids holds what earlier answers created.
func durableScenario(ids map[string]string) []durableStep {
	acme := "/api/organizations/" + acmeID
	return []durableStep{
		{"control/reset", "POST", "/__fake/reset", "", 204},
		{"control/put-state", "PUT", "/__fake/state", ids["state"], 204},
		{"membership/role", "PATCH", "/api/memberships/4/", `{"role": 4}`, 200},
		{"group/create", "POST", acme + "/groups/", `{"name": "Durable"}`, 201},
		{"group/rename", "PATCH", "/api/groups/" + ids["group"] + "/", `{"name": "Durable Ops"}`, 200},
		{"group-memberships/add", "POST", "/api/groups/" + ids["group"] + "/memberships/", `[{"email": "max@acme.test"}, {"email": "zed@acme.test"}]`, 201},
		{"group-memberships/replace", "PUT", "/api/groups/0a000000-0000-4000-8000-00000000a001/memberships/", `[{"email": "dev@acme.test"}]`, 200},
		{"group-membership/delete", "DELETE", "/api/groups/" + ids["group"] + "/memberships/" + ids["group-membership"] + "/", "", 204},
		{"campaign/create", "POST", acme + "/campaigns/", `{"name": "Durable Drive"}`, 201},
		{"campaign/rename", "PATCH", acme + "/campaigns/" + ids["campaign"] + "/", `{"name": "Durable Drive 2"}`, 200},
		{"campaign-members/upsert", "POST", acme + "/campaigns/" + ids["campaign"] + "/members/", `[{"email": "ada@acme.test", "data": {"n": 1.50, "x": [1, {"y": null}]}}]`, 201},
		{"campaign-members/replace", "PUT", acme + "/campaigns/0a000000-0000-4000-8000-00000000c001/members/", `[{"email": "mel@acme.test", "data": {}}]`, 200},
		{"campaign/delete", "DELETE", acme + "/campaigns/0a000000-0000-4000-8000-00000000c002/", "", 204},
		{"group/delete", "DELETE", "/api/groups/0a000000-0000-4000-8000-00000000a002/", "", 204},
		{"membership/delete", "DELETE", "/api/memberships/5/", "", 204},
		// Teams' lifecycle and the caller's own account (issue 11, "teams").
		{"team/create", "POST", "/api/organizations/", `{"name": "Durable Team", "scope": "@durable"}`, 201},
		{"team/update", "PATCH", "/api/organizations/" + ids["team"] + "/", `{"name": "Durable Team 2", "session_idle_timeout_minutes": 60}`, 200},
		{"doomed-team/create", "POST", "/api/organizations/", `{"name": "Doomed Team"}`, 201},
		{"team/delete", "DELETE", "/api/organizations/" + ids["doomed-team"] + "/", "", 204},
		{"milestone/create", "POST", "/api/me/milestones/", `{"key": "durable_run", "metadata": {"n": 1.50}}`, 201},
		{"extension-settings/update", "PATCH", "/api/me/settings/webextension/", `{"text_selection_menu_orientation": "vertical"}`, 200},
		// invitations, a user in no team, the outbox, campaign e-mail jobs
		{"invitations/create", "POST", acme + "/invitations/", `[{"email": "new.hire@acme.test", "role": 5}, {"email": "x@x.test"}]`, 201},
		{"invitation/revoke", "DELETE", acme + "/invitations/" + ids["invitation-2"] + "/", "", 204},
		{"control/add-user", "POST", "/__fake/users", `{"email": "new.hire@acme.test", "name": "New Hire"}`, 201},
		{"invitation/accept", "POST", "/api/invitations/" + ids["invitation"] + "/accept/", "", 201}, // as the new user
		{"control/clear-outbox", "DELETE", "/__fake/outbox", "", 204},
		{"campaign/email-job", "POST", "/api/campaigns/0a000000-0000-4000-8000-00000000c001/emails/jobs/", `{"type": "reminder"}`, 201},
	}
}

// requestAs sends one scenario request as the user of token.
func (in *instance) requestAs(token, method, path, body string) (int, string) {
	in.t.Helper()
	header := map[string]string{"Authorization": "Token " + token, "Accept": "application/json; version=2.0"}
	if body != "" {
		header["Content-Type"] = "application/json"
	}
	status, _, got := in.do(method, path, header, body)
	return status, got
}

// request sends one scenario request as Acme's admin.
func (in *instance) request(method, path, body string) (int, string) {
	in.t.Helper()
	return in.requestAs(acmeAdmin, method, path, body)
}

// observe reads the whole data and the API's lists, as bytes.
func (in *instance) observe() []string {
	in.t.Helper()
	acme := "/api/organizations/" + acmeID
	var out []string
	for _, path := range []string{
		"/__fake/state",
		"/api/organizations/",
		acme + "/memberships/?page_size=1000",
		acme + "/groups/",
		"/api/groups/0a000000-0000-4000-8000-00000000a001/memberships/",
		acme + "/campaigns/",
		acme + "/campaigns/0a000000-0000-4000-8000-00000000c001/members/",
		acme + "/invitations/",
		"/__fake/outbox",
	} {
		status, body := in.request("GET", path, "")
		out = append(out, fmt.Sprintf("%s %d %s", path, status, body))
	}
	return out
}

// TestStateFileSIGKILL sends acknowledged writes of every kind to the
// command with a state file, and to a fake in this process as a reference,
// kills the command with SIGKILL right after the last 2xx, and restarts it
// on the same file: it serves what the reference serves, byte for byte, and
// its next write is the reference's next write (no id comes back).
func TestStateFileSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	t.Parallel()
	bin := buildCommand(t)
	stateFile := filepath.Join(t.TempDir(), "state")
	args := []string{"--addr", "127.0.0.1:0", "--state-file", stateFile}

	refServer, err := fake.New()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(refServer)
	defer ts.Close()
	ref := &instance{t: t, ready: readyLine{URL: ts.URL}, client: ts.Client()}

	first := startProcess(t, bin, args...)
	ids := map[string]string{}
	_, state := ref.request("GET", "/__fake/state", "")
	ids["state"] = strings.ReplaceAll(state, `"Globex"`, `"Globex Durable"`)
	steps := durableScenario(ids)
	for i := range steps {
		step := durableScenario(ids)[i] // with the ids the steps before created
		token := acmeAdmin
		if step.name == "invitation/accept" {
			token = ids["hire-token"]
		}
		status, body := first.requestAs(token, step.method, step.path, step.body)
		refStatus, refBody := ref.requestAs(token, step.method, step.path, step.body)
		if status != step.want || refStatus != step.want || body != refBody {
			t.Fatalf("%s: %d %s\nreference: %d %s", step.name, status, body, refStatus, refBody)
		}
		var created struct{ ID string }
		var list []struct{ ID string }
		switch step.name {
		case "group/create", "campaign/create", "team/create", "doomed-team/create":
			if err := json.Unmarshal([]byte(body), &created); err != nil {
				t.Fatal(err)
			}
			ids[strings.TrimSuffix(step.name, "/create")] = created.ID
		case "group-memberships/add":
			if err := json.Unmarshal([]byte(body), &list); err != nil || len(list) != 2 {
				t.Fatalf("%s: %v %s", step.name, err, body)
			}
			ids["group-membership"] = list[0].ID
		case "invitations/create":
			if err := json.Unmarshal([]byte(body), &list); err != nil || len(list) != 2 {
				t.Fatalf("%s: %v %s", step.name, err, body)
			}
			ids["invitation"], ids["invitation-2"] = list[0].ID, list[1].ID
		case "control/add-user":
			var user struct{ Token string }
			if err := json.Unmarshal([]byte(body), &user); err != nil || user.Token == "" {
				t.Fatalf("%s: %v %s", step.name, err, body)
			}
			ids["hire-token"] = user.Token
		}
	}
	first.signal(syscall.SIGKILL) // right after the last acknowledged write
	if code := first.exit(); code != -1 {
		t.Fatalf("after SIGKILL: exit %d", code)
	}

	want := ref.observe()
	second := startProcess(t, bin, args...)
	got := second.observe()
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("after restart:\n%s\nwant:\n%s", got[i], want[i])
		}
	}
	next := `{"name": "After Restart"}`
	status, body := second.request("POST", "/api/organizations/"+acmeID+"/campaigns/", next)
	_, refBody := ref.request("POST", "/api/organizations/"+acmeID+"/campaigns/", next)
	var created struct{ ID string }
	if err := json.Unmarshal([]byte(body), &created); status != 201 || err != nil || body != refBody {
		t.Errorf("next write after restart: %d %s\nreference: %s", status, body, refBody)
	}
	if strings.Contains(want[0], created.ID) {
		t.Errorf("next write after restart reuses id %s", created.ID)
	}
	second.signal(syscall.SIGTERM)
	if code := second.exit(); code != 0 {
		t.Errorf("after SIGTERM: exit %d; stderr:\n%s", code, second.stderr)
	}
}

// TestGracefulShutdown sends SIGTERM while a write is in flight (its handler
// waits for the rest of the body): the command stops accepting connections,
// the write completes with 201, the command exits 0, and the write is in
// the state file.
func TestGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	t.Parallel()
	bin := buildCommand(t)
	stateFile := filepath.Join(t.TempDir(), "state")
	args := []string{"--addr", "127.0.0.1:0", "--state-file", stateFile}
	p := startProcess(t, bin, args...)
	addr := strings.TrimPrefix(p.ready.URL, "http://")

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"name": "In Flight"}`
	head := "POST /api/organizations/" + acmeID + "/groups/ HTTP/1.1\r\nHost: fake\r\n" +
		"Authorization: Token " + acmeAdmin + "\r\nAccept: application/json; version=2.0\r\n" +
		"Content-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n" +
		"Expect: 100-continue\r\n\r\n"
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	// net/http answers 100 Continue once the handler reads the body: the
	// request is in flight.
	reader := bufio.NewReader(conn)
	if line, err := reader.ReadString('\n'); err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("interim answer %q, %v", line, err)
	}
	if line, err := reader.ReadString('\n'); err != nil || line != "\r\n" {
		t.Fatalf("interim answer ends %q, %v", line, err)
	}

	p.signal(syscall.SIGTERM)
	if !p.stderr.waitFor("stopped accepting connections") {
		t.Fatalf("no shutdown within %v; stderr:\n%s", waitLimit, p.stderr)
	}
	if late, err := net.Dial("tcp", addr); err == nil {
		late.Close()
		t.Errorf("a new connection was accepted during the shutdown")
	}
	if _, err := io.WriteString(conn, body); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(reader, nil)
	if err != nil {
		t.Fatalf("in-flight request: %v; stderr:\n%s", err, p.stderr)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || !strings.Contains(string(answer), `"name":"In Flight"`) {
		t.Errorf("in-flight request: %d %s", resp.StatusCode, answer)
	}
	if code := p.exit(); code != 0 {
		t.Errorf("after SIGTERM: exit %d, want 0; stderr:\n%s", code, p.stderr)
	}

	again := startProcess(t, bin, args...)
	status, groups := again.request("GET", "/api/organizations/"+acmeID+"/groups/", "")
	if status != 200 || !strings.Contains(groups, `"name":"In Flight"`) {
		t.Errorf("after restart the in-flight write is missing: %d %s", status, groups)
	}
	again.signal(syscall.SIGTERM)
	if code := again.exit(); code != 0 {
		t.Errorf("after SIGTERM: exit %d; stderr:\n%s", code, again.stderr)
	}
}

// TestStateFileRefused: a damaged state file stops the command at start with
// exit status 1 and a message naming the file and the offset; a final write
// cut short by a crash is dropped with a warning.
func TestStateFileRefused(t *testing.T) {
	t.Parallel()
	// A state file of a snapshot and one write, left as a crash leaves it.
	good := filepath.Join(t.TempDir(), "state")
	srv, err := fake.New(fake.WithStateFile(good))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("PATCH", "/api/memberships/4/", strings.NewReader(`{"role": 4}`))
	req.Header.Set("Authorization", "Token "+acmeAdmin)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("write: %d %s", rec.Code, rec.Body)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.CloseStateFile(); err != nil { // after the read: the file holds the write as a log frame
		t.Fatal(err)
	}
	const snapshotAt = len("pixiebrix-fake state v2\n")
	lastAt := snapshotAt + 12 + int(binary.BigEndian.Uint32(data[snapshotAt:]))
	flipped := bytes.Clone(data)
	flipped[snapshotAt+100] ^= 1
	lastFlipped := bytes.Clone(data)
	lastFlipped[len(data)-5] ^= 1
	// The write, for a membership that does not exist: it no longer applies.
	castagnoli := crc32.MakeTable(crc32.Castagnoli)
	payload := data[lastAt+12:]
	payload = bytes.Replace(payload, []byte(`"id":4`), []byte(`"id":999`), 1)
	if bytes.Equal(payload, data[lastAt+12:]) {
		t.Fatalf("the write record names no membership 4: %s", data[lastAt+12:])
	}
	header := binary.BigEndian.AppendUint32(nil, uint32(len(payload)))
	header = binary.BigEndian.AppendUint32(header, crc32.Checksum(payload, castagnoli))
	header = binary.BigEndian.AppendUint32(header, crc32.Checksum(header, castagnoli))
	stale := append(append(bytes.Clone(data[:lastAt]), header...), payload...)
	cases := []struct {
		name string
		data []byte
		code int
		want string
	}{
		{"error/corrupt-snapshot", flipped, 1, fmt.Sprintf(": offset %d: corrupt frame (payload checksum mismatch)\n", snapshotAt)},
		{"error/truncated-snapshot", data[:snapshotAt+50], 1, fmt.Sprintf(": offset %d: the snapshot is missing or truncated\n", snapshotAt)},
		{"error/not-a-state-file", []byte("organizations: []\n"), 1, ": offset 0: not a pixiebrix-fake state file"},
		{"error/last-write-damaged", lastFlipped, 1, fmt.Sprintf(": offset %d: corrupt final frame (payload checksum mismatch): the frame is complete, so this is damage, not a write cut short by a crash\n", lastAt)},
		{"error/write-no-longer-applies", stale, 1, fmt.Sprintf(": offset %d: write number 1 (membership.role): it no longer applies to the data before it: Not found.\n", lastAt)},
		{"torn/last-write", data[:len(data)-3], 0, fmt.Sprintf("torn final write, which was never acknowledged (a crash while it was written)\" file=%%s offset=%d", lastAt)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "state")
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{"--addr", "127.0.0.1:0", "--state-file", path}
			if tc.code == 0 {
				in := start(t, args, nil)
				if want := fmt.Sprintf(tc.want, path); !strings.Contains(in.stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, in.stderr)
				}
				if status, body := in.request("GET", "/api/memberships/4/", ""); status != 200 || !strings.Contains(body, `"role":1`) {
					t.Errorf("the torn write was applied: %d %s", status, body)
				}
				return
			}
			var stdout, stderr syncBuffer
			code := run(context.Background(), args, envFunc(nil), &stdout, &stderr)
			want := "pixiebrix-fake: state file " + path + tc.want
			if code != tc.code || !strings.HasPrefix(stderr.String(), want) || stdout.String() != "" {
				t.Errorf("exit %d, stderr %q, stdout %q; want exit %d and stderr starting %q", code, stderr.String(), stdout.String(), tc.code, want)
			}
		})
	}
}

// TestShutdownDrainsDelays sends SIGTERM while one request waits on a 1 s
// delay fault and another on a hang fault: the delayed request, which ends
// within the drain window, gets its 200; the hung one is cut without an
// answer at once (not after the hang's 5 minutes); the command exits 0.
func TestShutdownDrainsDelays(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	t.Parallel()
	bin := buildCommand(t)
	p := startProcess(t, bin, "--addr", "127.0.0.1:0")
	for _, rule := range []string{
		`{"kind": "delay", "delay": "1s", "path": "/api/health/"}`,
		`{"kind": "hang", "path": "/api/me/"}`,
	} {
		if status, _, body := p.do("POST", "/__fake/faults", map[string]string{"Content-Type": "application/json"}, rule); status != 201 {
			t.Fatalf("POST /__fake/faults %s: %d %s", rule, status, body)
		}
	}
	type answer struct {
		status int
		body   string
		err    error
	}
	get := func(path string, header map[string]string) chan answer {
		out := make(chan answer, 1)
		go func() {
			req, err := http.NewRequest("GET", p.ready.URL+path, nil)
			if err != nil {
				out <- answer{err: err}
				return
			}
			for name, value := range header {
				req.Header.Set(name, value)
			}
			client := &http.Client{Transport: &http.Transport{}, Timeout: waitLimit}
			defer client.CloseIdleConnections()
			resp, err := client.Do(req)
			if err != nil {
				out <- answer{err: err}
				return
			}
			defer resp.Body.Close()
			data, err := io.ReadAll(resp.Body)
			out <- answer{resp.StatusCode, string(data), err}
		}()
		return out
	}
	delayed := get("/api/health/", nil)
	hung := get("/api/me/", map[string]string{"Authorization": "Token " + acmeAdmin})

	// Both requests are held once both rules have fired.
	limit := time.Now().Add(waitLimit)
	for {
		_, _, body := p.send("GET", "/__fake/faults", nil)
		var rules []struct{ Fired int }
		if err := json.Unmarshal([]byte(body), &rules); err != nil {
			t.Fatalf("GET /__fake/faults: %v %s", err, body)
		}
		if len(rules) == 2 && rules[0].Fired == 1 && rules[1].Fired == 1 {
			break
		}
		if time.Now().After(limit) {
			t.Fatalf("the faults did not fire within %v: %s", waitLimit, body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.signal(syscall.SIGTERM)

	if a := <-delayed; a.err != nil || a.status != 200 || !strings.Contains(a.body, `"status":"ok"`) {
		t.Errorf("the delayed request: %d %s %v, want its 200; stderr:\n%s", a.status, a.body, a.err, p.stderr)
	}
	if a := <-hung; a.err == nil {
		t.Errorf("the hung request was answered: %d %s", a.status, a.body)
	}
	if code := p.exit(); code != 0 {
		t.Errorf("after SIGTERM: exit %d, want 0; stderr:\n%s", code, p.stderr)
	}
}

// TestUnsentBody: a request that declares a body and sends none is
// answered at once when it is refused before its body is needed (a 401, or
// a 413 by its declared size), with "Connection: close", rather than held
// for the server's one-minute read timeout. The deadline is a hang
// detector, not a measure of speed.
func TestUnsentBody(t *testing.T) {
	t.Parallel()
	open := start(t, []string{"--addr", "127.0.0.1:0", "--log-level", "error"}, nil)
	guarded := start(t, []string{"--addr", "127.0.0.1:0", "--log-level", "error", "--admin-token", "admin-secret"}, nil)
	slow := start(t, []string{"--addr", "127.0.0.1:0", "--log-level", "error", "--latency", "10ms"}, nil)
	groups := "/api/organizations/" + acmeID + "/groups/"
	for _, tc := range []struct {
		name    string
		in      *instance
		request string
		status  int
	}{
		{"api/anonymous", open, "POST " + groups + " HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n", 401},
		{"api/unknown-token", open, "POST " + groups + " HTTP/1.1\r\nAuthorization: Token not-a-token\r\nContent-Type: application/json\r\nContent-Length: 100\r\n", 401},
		{"api/over-the-limit", open, "POST " + groups + " HTTP/1.1\r\nAuthorization: Token " + acmeAdmin + "\r\nContent-Type: application/json\r\nContent-Length: 3000000\r\n", 413},
		{"api/anonymous-chunked", open, "POST " + groups + " HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n", 401},
		{"api/anonymous-latency", slow, "POST " + groups + " HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n", 401},
		{"control/no-admin-token", guarded, "PUT /__fake/state HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n", 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			conn, err := net.Dial("tcp", strings.TrimPrefix(tc.in.ready.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if err := conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
				t.Fatal(err)
			}
			if _, err := io.WriteString(conn, tc.request+"Host: fake\r\nAccept: application/json; version=2.0\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer while the body was not sent: %v", err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || !resp.Close || !strings.Contains(string(body), `"detail"`) {
				t.Errorf("%d %v %s, want %d, a JSON detail and Connection: close", resp.StatusCode, resp.Header, body, tc.status)
			}
		})
	}
}

// TestStateFileFullDisk runs the command with its state file on a full
// disk, a 256 KiB tmpfs mounted in a user and mount namespace of its own
// (skipped where unshare(1) cannot make one). Either way the disk fills,
// SIGTERM's exit status is 1, with a message naming the state file and the
// failure:
//   - "final-snapshot": every write fits, but the last snapshot, written
//     beside the file before it replaces it, does not;
//   - "write-refused": a write does not fit: it is answered 500, the writes
//     after it too, and SIGTERM reports that failure (it wrote no last
//     snapshot).
func TestStateFileFullDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	if out, err := exec.Command("unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k none \"$1\"", "sh", t.TempDir()).CombinedOutput(); err != nil {
		t.Skipf("no tmpfs in a user namespace here (unshare -rm: %v %s)", err, out)
	}
	t.Parallel()
	bin := buildCommand(t)
	members := "/api/organizations/" + acmeID + "/campaigns/0a000000-0000-4000-8000-00000000c001/members/"
	for _, tc := range []struct {
		name   string
		writes int // of 40 KB each; the snapshot of the default data is 11 KB
		want   string
	}{
		// 5 writes: a file of 211 KB, and a last snapshot of 51 KB.
		{"final-snapshot", 5, "pixiebrix-fake: closing the state file: state file %s: write %s.tmp: no space left on device\n"},
		// The sixth or seventh write does not fit.
		{"write-refused", 7, "pixiebrix-fake: closing the state file: state file %s: write %s: no space left on device; writes were refused from then on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			disk := t.TempDir()
			stateFile := filepath.Join(disk, "state")
			p := startProcess(t, "unshare", "-rm", "sh", "-c", `mount -t tmpfs -o size=256k none "$1" && exec "$2" --addr 127.0.0.1:0 --log-level error --state-file "$1/state"`,
				"sh", disk, bin)
			refused := 0
			for i := range tc.writes {
				blob := strings.Repeat(string(rune('a'+i)), 40_000)
				status, body := p.request("POST", members, `[{"email": "ada@acme.test", "data": {"blob": "`+blob+`"}}]`)
				switch {
				case status == 500:
					refused++
				case status != 201 || refused > 0:
					t.Fatalf("write %d: %d %.200s (after %d refused)", i+1, status, body, refused)
				}
			}
			if tc.name == "write-refused" && refused == 0 || tc.name == "final-snapshot" && refused > 0 {
				t.Fatalf("%d of %d writes refused: the disk is not as full as the case needs", refused, tc.writes)
			}
			p.signal(syscall.SIGTERM)
			if code := p.exit(); code != 1 {
				t.Errorf("exit %d on a full disk, want 1; stderr:\n%s", code, p.stderr)
			}
			if want := fmt.Sprintf(tc.want, stateFile, stateFile); !strings.Contains(p.stderr.String(), want) {
				t.Errorf("stderr lacks %q:\n%s", want, p.stderr)
			}
		})
	}
}

// TestStateFileNotRegular: a FIFO or a device as the state file stops the
// command at once with exit status 1 and a message saying what it is,
// rather than blocking on it.
func TestStateFileNotRegular(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	for _, tc := range []struct{ path, what string }{
		{fifo, "a named pipe (FIFO)"},
		{"/dev/zero", "a character device"},
	} {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			t.Parallel()
			var stdout, stderr syncBuffer
			done := make(chan int, 1)
			go func() {
				done <- run(context.Background(), []string{"--addr", "127.0.0.1:0", "--state-file", tc.path}, envFunc(nil), &stdout, &stderr)
			}()
			select {
			case code := <-done:
				want := fmt.Sprintf("pixiebrix-fake: state file %s: it is %s, not a regular file: a state file must be one\n", tc.path, tc.what)
				if code != 1 || stderr.String() != want || stdout.String() != "" {
					t.Errorf("exit %d, stderr %q, stdout %q; want exit 1 and stderr %q", code, stderr.String(), stdout.String(), want)
				}
			case <-time.After(waitLimit): // a hang detector
				t.Fatalf("the command did not return within %v", waitLimit)
			}
		})
	}
}

// TestStateFileSymlinkCommand: a --state-file that is a symbolic link (say,
// to a mounted volume) is still that link after a start, writes and a
// shutdown; the writes are in the link's target, which a restart reads.
func TestStateFileSymlinkCommand(t *testing.T) {
	t.Parallel()
	volume, dir := t.TempDir(), t.TempDir()
	target, link := filepath.Join(volume, "state"), filepath.Join(dir, "state")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	args := []string{"--addr", "127.0.0.1:0", "--state-file", link}
	first := start(t, args, nil)
	if status, body := first.request("POST", "/api/organizations/"+acmeID+"/groups/", `{"name": "Linked"}`); status != 201 {
		t.Fatalf("write: %d %s", status, body)
	}
	if status, _, body := first.do("PUT", "/__fake/state", map[string]string{"Content-Type": "application/json"}, first.observe()[0][len("/__fake/state 200 "):]); status != 204 {
		t.Fatalf("PUT /__fake/state (a snapshot): %d %s", status, body)
	}
	want := first.observe()
	if code, _ := first.stop(); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, first.stderr)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("%s is no longer a link: %v %v", link, info, err)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 1 {
		t.Errorf("the link's directory holds %v (%v), want the link alone", entries, err)
	}
	second := start(t, []string{"--addr", "127.0.0.1:0", "--state-file", target}, nil)
	if got := second.observe(); !reflect.DeepEqual(got, want) {
		t.Errorf("the link's target, after a restart:\n%v\nwant:\n%v", got, want)
	}
}
