package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runCancelled runs the command with a context that is already cancelled:
// a refused configuration returns its error; an accepted one listens, prints
// the ready line and stops at once with 0.
func runCancelled(args []string, env map[string]string) (code int, stdout, stderr string) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut syncBuffer
	code = run(ctx, args, envFunc(env), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestHostileAddr: no value of --addr opens the control plane beyond
// loopback without a token. Every refusal happens before listening, so this
// test never listens on anything but loopback.
func TestHostileAddr(t *testing.T) {
	t.Parallel()
	const everyInterface = "listens on every interface, not only loopback: anyone who reaches it could reset or replace the data through /__fake/"
	const notLoopback = "is not a loopback address: anyone who reaches it could reset or replace the data through /__fake/"
	const notHostPort = "is not HOST:PORT: give an address such as 127.0.0.1:8080"
	refused := []struct {
		addr string
		want string
	}{
		{"", `--addr "" is empty: give an address such as 127.0.0.1:8080 (port 0 picks a free port)`},
		{" ", `--addr " " is empty`},
		{":", `--addr ":" ` + everyInterface},
		{":0", `--addr ":0" ` + everyInterface},
		{":8080", `--addr ":8080" ` + everyInterface},
		{"0.0.0.0:0", `--addr "0.0.0.0:0" ` + everyInterface},
		{"[::]:0", `--addr "[::]:0" ` + everyInterface},
		{"[::ffff:0.0.0.0]:0", `--addr "[::ffff:0.0.0.0]:0" ` + everyInterface},
		{"[0:0:0:0:0:0:0:0]:0", `--addr "[0:0:0:0:0:0:0:0]:0" ` + everyInterface},
		{"127.0.0.1", `--addr "127.0.0.1" ` + notHostPort},
		{"[::1]", `--addr "[::1]" ` + notHostPort},
		{"::1:0", `--addr "::1:0" ` + notHostPort},
		{"localhost", `--addr "localhost" ` + notHostPort},
		{"garbage", `--addr "garbage" ` + notHostPort},
		{"http://127.0.0.1:8080", `--addr "http://127.0.0.1:8080" ` + notHostPort},
		{"127.0.0.1:0:0", `--addr "127.0.0.1:0:0" ` + notHostPort},
		{"0:0", `--addr "0:0" ` + notLoopback},
		{"127.1:0", `--addr "127.1:0" ` + notLoopback},
		{"0x7f000001:0", `--addr "0x7f000001:0" ` + notLoopback},
		{" 127.0.0.1:0", `--addr " 127.0.0.1:0" ` + notLoopback},
		{"localhost.:0", `--addr "localhost.:0" ` + notLoopback},
		{"localhost.example.test:0", `--addr "localhost.example.test:0" ` + notLoopback},
		{"127.0.0.1.nip.io:0", `--addr "127.0.0.1.nip.io:0" ` + notLoopback},
		{"ip6-localhost:0", `--addr "ip6-localhost:0" ` + notLoopback},
		{"[::1%lo]:0", `--addr "[::1%lo]:0" ` + notLoopback},
		{"[fe80::1%eth0]:0", `--addr "[fe80::1%eth0]:0" ` + notLoopback},
		{"192.0.2.1:0", `--addr "192.0.2.1:0" ` + notLoopback},
		{"[2001:db8::1]:0", `--addr "[2001:db8::1]:0" ` + notLoopback},
	}
	for _, c := range refused {
		t.Run("refused/"+c.addr, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCancelled([]string{"--addr", c.addr}, nil)
			if code != 2 || stdout != "" || !strings.Contains(stderr, "pixiebrix-fake: "+c.want) {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit 2, no stdout and\npixiebrix-fake: %s", code, stdout, stderr, c.want)
			}
		})
	}
	t.Run("refused/env", func(t *testing.T) {
		t.Parallel()
		code, stdout, stderr := runCancelled(nil, map[string]string{"PIXIEBRIX_FAKE_ADDR": ":0"})
		if want := `pixiebrix-fake: PIXIEBRIX_FAKE_ADDR ":0" ` + everyInterface; code != 2 || stdout != "" || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit 2 and\n%s", code, stdout, stderr, want)
		}
	})
	// A token does not make an empty or unsplittable address mean anything.
	for _, addr := range []string{"", "127.0.0.1"} {
		t.Run("refused-with-token/"+addr, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCancelled([]string{"--addr", addr, "--admin-token", "s3cret"}, nil)
			if code != 2 || stdout != "" || !strings.Contains(stderr, "give an address such as 127.0.0.1:8080") {
				t.Errorf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
			}
		})
	}
	for _, addr := range []string{"127.0.0.1:0", "127.0.0.1:", "127.8.9.10:0", "localhost:0", "LOCALHOST:0"} {
		t.Run("accepted/"+addr, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCancelled([]string{"--addr", addr}, nil)
			if code != 0 || !strings.HasPrefix(stdout, `{"ready":true,"url":"http://127.`) {
				t.Errorf("exit %d, stdout %q, stderr:\n%s; want it to serve on loopback", code, stdout, stderr)
			}
		})
	}
}

// TestBlankAdminToken: a token that could never be matched, or guards
// nothing, is refused rather than taken as a guard.
func TestBlankAdminToken(t *testing.T) {
	t.Parallel()
	const want = "the token is blank or has spaces at either end; give a token of visible characters"
	for _, token := range []string{" ", "   ", "\t", "\n", " s3cret", "s3cret ", "s3cret\n"} {
		t.Run(token, func(t *testing.T) {
			t.Parallel()
			for _, c := range []struct {
				args []string
				env  map[string]string
				name string
			}{
				{[]string{"--addr", "127.0.0.1:0", "--admin-token", token}, nil, "--admin-token"},
				{[]string{"--addr", "127.0.0.1:0"}, map[string]string{"PIXIEBRIX_FAKE_ADMIN_TOKEN": token}, "PIXIEBRIX_FAKE_ADMIN_TOKEN"},
			} {
				code, stdout, stderr := runCancelled(c.args, c.env)
				if code != 2 || stdout != "" || !strings.Contains(stderr, "pixiebrix-fake: "+c.name+": "+want) {
					t.Errorf("%s %q: exit %d, stdout %q, stderr:\n%s", c.name, token, code, stdout, stderr)
				}
			}
		})
	}
}

// TestSignalWhileSeeding: SIGTERM or SIGINT during a long seeding stops the
// command within moments, with the shell's status for the signal, a line
// saying so, and no ready line.
func TestSignalWhileSeeding(t *testing.T) {
	t.Parallel()
	bin := buildCommand(t)
	// Minutes of seeding, were it let run.
	fixture := writeFile(t, "huge.yaml", "organizations:\n  - name: Huge\n    generate: {members: 1000000, groups: 1000000, campaigns: 1000000}\n")
	for _, c := range []struct {
		sig  syscall.Signal
		code int
		name string
	}{{syscall.SIGTERM, 143, "terminated"}, {syscall.SIGINT, 130, "interrupt"}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--fixtures", fixture, "--log-level", "debug")
			cmd.Env = commandEnv()
			stdout, stderr := &syncBuffer{}, &syncBuffer{}
			cmd.Stdout, cmd.Stderr = stdout, stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waited := make(chan error, 1)
			go func() { waited <- cmd.Wait() }()
			t.Cleanup(func() {
				_ = cmd.Process.Kill()
				<-waited
			})
			if !stderr.waitFor("msg=seeding") { // the signal handler is in place
				t.Fatalf("no seeding line; stderr:\n%s", stderr)
			}
			if err := cmd.Process.Signal(c.sig); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-waited:
				waited <- err // for the cleanup
				code := 0
				if exit, ok := err.(*exec.ExitError); ok {
					code = exit.ExitCode()
				}
				if code != c.code {
					t.Errorf("exit %d (%v), want %d; stderr:\n%s", code, err, c.code, stderr)
				}
			case <-time.After(waitLimit):
				t.Fatalf("still seeding %v after %s; stderr:\n%s", waitLimit, c.name, stderr)
			}
			if stdout.String() != "" {
				t.Errorf("stdout %q, want no ready line", stdout)
			}
			if want := "pixiebrix-fake: interrupted while seeding (" + c.name + " signal received); not serving\n"; !strings.HasSuffix(stderr.String(), want) {
				t.Errorf("stderr:\n%s\nwant it to end with\n%s", stderr, want)
			}
		})
	}
}

// TestFixtureTotalCap: a fixture whose teams together ask for more members
// than the cap is refused at start, before seeding.
func TestFixtureTotalCap(t *testing.T) {
	t.Parallel()
	fixture := writeFile(t, "many.yaml", "organizations:\n  - {name: A, generate: {members: 600000}}\n  - {name: B, generate: {members: 600000}}\n")
	code, stdout, stderr := runCancelled([]string{"--addr", "127.0.0.1:0", "--fixtures", fixture}, nil)
	want := "pixiebrix-fake: fixture " + fixture + ": the teams have 1200000 members in total, listed and generated; at most 1000000\n"
	if code != 1 || stdout != "" || stderr != want {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit 1 and\n%s", code, stdout, stderr, want)
	}
}

// TestShutdownTimeoutSaysWhatWasCut: a request still in flight when the
// shutdown's time is up is cut, and the line says so, not only "context
// deadline exceeded".
func TestShutdownTimeoutSaysWhatWasCut(t *testing.T) {
	t.Parallel()
	in := start(t, []string{"--addr", "127.0.0.1:0", "--log-level", "error", "--shutdown-timeout", "100ms"}, nil)
	conn, err := net.Dial("tcp", strings.TrimPrefix(in.ready.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A body declared and never sent: the request stays in flight. The 100
	// Continue says that its handler has begun to read it.
	if _, err := io.WriteString(conn, "PUT /__fake/state HTTP/1.1\r\nHost: fake\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	reader := bufio.NewReader(conn)
	if line, err := reader.ReadString('\n'); line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("%q, %v; want a 100 Continue", line, err)
	}
	code, _ := in.stop()
	want := "pixiebrix-fake: shutdown: 1 connection(s) still busy (a request in flight or arriving) after 100ms (--shutdown-timeout); closed without an answer\n"
	if code != 1 || in.stderr.String() != want {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and\n%s", code, in.stderr, want)
	}
	if _, err := io.ReadAll(reader); err != nil {
		t.Errorf("the cut connection: %v, want it closed", err)
	}
}

func TestShutdownTimeoutRefused(t *testing.T) {
	t.Parallel()
	for _, value := range []string{"0s", "-1s"} {
		code, _, stderr := runCancelled([]string{"--addr", "127.0.0.1:0", "--shutdown-timeout", value}, nil)
		if want := "pixiebrix-fake: --shutdown-timeout " + value + ": use a positive duration such as 10s\n"; code != 2 || stderr != want {
			t.Errorf("%s: exit %d, stderr %q, want 2 and %q", value, code, stderr, want)
		}
	}
}

// TestNetHTTPErrorsAsJSON: requests net/http refuses before any handler
// runs get the API's error shape, not plain text, with the same status.
func TestNetHTTPErrorsAsJSON(t *testing.T) {
	t.Parallel()
	in := start(t, []string{"--addr", "127.0.0.1:0", "--log-level", "error"}, nil)
	addr := strings.TrimPrefix(in.ready.URL, "http://")
	cases := []struct {
		name, request string
		status        string
		detail        string
	}{
		{"nul-in-content-type", "GET /api/me/ HTTP/1.1\r\nHost: fake\r\nContent-Type: a\x00b\r\n\r\n", "400 Bad Request", "Malformed request."},
		{"control-in-header", "GET /api/me/ HTTP/1.1\r\nHost: fake\r\nX-Note: \x01\r\n\r\n", "400 Bad Request", "Malformed request."},
		{"bad-escape-in-path", "GET /api/%ZZ/ HTTP/1.1\r\nHost: fake\r\n\r\n", "400 Bad Request", "Malformed request."},
		{"bad-request-line", "GET\r\n\r\n", "400 Bad Request", "Malformed request."},
		{"no-host", "GET /api/me/ HTTP/1.1\r\n\r\n", "400 Bad Request", "Malformed request: missing required Host header."},
		{"two-hosts", "GET /api/me/ HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400 Bad Request", "Malformed request."},
		{"transfer-encoding", "POST /api/me/ HTTP/1.1\r\nHost: fake\r\nTransfer-Encoding: gzip\r\n\r\n", "501 Not Implemented", "Unsupported transfer encoding."},
		{"headers-too-large", "GET /api/me/ HTTP/1.1\r\nHost: fake\r\nX-Big: " + strings.Repeat("x", 1<<20+4096) + "\r\n\r\n", "431 Request Header Fields Too Large", "Request header fields too large."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			go func() { _, _ = io.WriteString(conn, c.request) }() // the server may answer before it has read it all
			got, err := io.ReadAll(conn)
			if err != nil && len(got) == 0 {
				t.Fatal(err)
			}
			body := `{"detail":"` + c.detail + `"}`
			want := "HTTP/1.1 " + c.status + "\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n" + body
			if string(got) != want {
				t.Errorf("answer:\n%q\nwant\n%q", got, want)
			}
		})
	}
}

// TestLosslessStateThroughTheCommand: campaign data that float64, int64 and
// YAML would change survives --fixtures, GET and PUT /__fake/state and a
// restart on --state-file, byte for byte.
func TestLosslessStateThroughTheCommand(t *testing.T) {
	t.Parallel()
	data := `{"":"","<<":{"<<":[1e400,-0]},"big":18446744073709551617,"deep":` + strings.Repeat("[", 200) + "1e-400" + strings.Repeat("]", 200) +
		`,"exp":1E+2,"int53":9007199254740993,"` + strings.Repeat("k", 1100) + `":"yes","pi":3.141592653589793238462643383279}` // keys in the order JSON answers write them
	fixture := writeFile(t, "hostile.json", `{"organizations": [{"name": "Acme", "members": [{"email": "ada@acme.test", "role": "admin", "token": "`+acmeAdmin+`"}],
  "campaigns": [{"name": "Q1", "members": [{"email": "ada@acme.test", "data": `+data+`}]}]}]}`)
	wantData := `"data":` + data + `,`
	state := func(in *instance) string {
		t.Helper()
		status, _, body := in.get("GET", "/__fake/state", "", "", "")
		if status != 200 || !strings.Contains(body, wantData) {
			t.Fatalf("GET /__fake/state: %d, the data changed:\n%.800s", status, body)
		}
		return body
	}
	stateFile := filepath.Join(t.TempDir(), "state")
	in := start(t, []string{"--addr", "127.0.0.1:0", "--fixtures", fixture, "--state-file", stateFile}, nil)
	first := state(in)
	if status, _, body := in.get("PUT", "/__fake/state", "", "", first); status != 204 {
		t.Fatalf("PUT /__fake/state: %d %s", status, body)
	}
	if again := state(in); again != first {
		t.Errorf("the state changed over GET, PUT, GET")
	}
	if code, _ := in.stop(); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, in.stderr)
	}
	restarted := start(t, []string{"--addr", "127.0.0.1:0", "--state-file", stateFile}, nil)
	if again := state(restarted); again != first {
		t.Errorf("the state changed over a restart on the state file")
	}
}
