package fake_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// Limits: a body over 2.5 MiB is refused without being buffered, and the
// command's http.Server refuses huge headers and cuts slow clients off.

const (
	maxBody       = 2_621_440 // 2.5 MiB, Django's DATA_UPLOAD_MAX_MEMORY_SIZE
	tooLargeBody  = `{"detail":"Request body exceeds the limit of 2.5 MiB."}`
	hugeStreamLen = 50 << 20
	// readBound is the most a server may read of a body it refuses: the
	// limit, then what net/http drains after the handler (256 KiB, twice for
	// a chunked body) and buffers before it closes the connection.
	readBound = maxBody + 1<<20
)

// countingListener counts the bytes the server reads off its connections.
type countingListener struct {
	net.Listener
	read atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, read: &l.read}, nil
}

type countingConn struct {
	net.Conn
	read *atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// countingServer serves a fake and counts what it reads off the network.
func countingServer(t *testing.T) (*httptest.Server, *countingListener) {
	t.Helper()
	srv, err := fake.New()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv)
	counting := &countingListener{Listener: ts.Listener}
	ts.Listener = counting
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, counting
}

// pattern is an endless reader of JSON-looking bytes that counts how many
// it handed out.
type pattern struct {
	left int64
	read atomic.Int64
}

func (p *pattern) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(b)), p.left)
	for i := range b[:n] {
		b[i] = 'x'
	}
	if p.read.Load() == 0 && n > 0 {
		b[0] = '"'
	}
	p.left -= n
	p.read.Add(n)
	return int(n), nil
}

// rawExchange writes head and then, in the background, body (chunked, or as
// it is), and reads the response while the body is still being sent, as a
// client that streams a body does. It returns once the response is read and
// the writer stopped.
func rawExchange(t *testing.T, addr, head string, body io.Reader, chunked bool) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := io.WriteString(conn, head); err != nil || body == nil {
			return
		}
		if !chunked {
			_, _ = io.Copy(conn, body)
			return
		}
		w := httputil.NewChunkedWriter(conn)
		if _, err := io.Copy(w, body); err == nil {
			w.Close()
			io.WriteString(conn, "\r\n")
		}
	}()
	defer func() {
		conn.Close() // ends the writer, if the server has not
		wg.Wait()
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the response body: %v", err)
	}
	return resp, data
}

func requestHead(method, path string, headers ...string) string {
	return method + " " + path + " HTTP/1.1\r\nHost: fake.test\r\nAuthorization: Token " + acmeAdmin +
		"\r\nContent-Type: application/json\r\n" + strings.Join(headers, "") + "\r\n"
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	groups := "/api/organizations/" + acmeID + "/groups/"
	check := func(t *testing.T, resp *http.Response, body []byte) {
		t.Helper()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413: %.200s", resp.StatusCode, body)
		}
		if got := compactJSON(t, body); got != tooLargeBody {
			t.Errorf("body %s, want %s", got, tooLargeBody)
		}
		req := httptest.NewRequest(http.MethodPost, groups, nil)
		if err := validateResponse(req, &response{Status: resp.StatusCode, Header: resp.Header, Body: body}); err != nil {
			t.Errorf("response breaks openapi.yaml: %v", err)
		}
	}

	t.Run("content-length/over-the-limit-with-expect-continue-reads-nothing", func(t *testing.T) {
		t.Parallel()
		ts, counting := countingServer(t)
		head := requestHead("POST", groups, fmt.Sprintf("Content-Length: %d\r\nExpect: 100-continue\r\n", hugeStreamLen))
		resp, body := rawExchange(t, ts.Listener.Addr().String(), head, nil, false)
		check(t, resp, body)
		if n := counting.read.Load(); n != int64(len(head)) {
			t.Errorf("the server read %d bytes, want the %d of the head alone", n, len(head))
		}
	})

	t.Run("chunked/50-MiB-stream-is-not-buffered", func(t *testing.T) {
		t.Parallel()
		ts, counting := countingServer(t)
		stream := &pattern{left: hugeStreamLen}
		resp, body := rawExchange(t, ts.Listener.Addr().String(),
			requestHead("POST", groups, "Transfer-Encoding: chunked\r\n"), stream, true)
		check(t, resp, body)
		if n := counting.read.Load(); n > readBound {
			t.Errorf("the server read %d bytes of a %d-byte stream, want at most %d", n, hugeStreamLen, readBound)
		}
		if n := stream.read.Load(); n >= hugeStreamLen {
			t.Errorf("the whole stream (%d bytes) was sent", n)
		}
	})

	t.Run("content-length/over-the-limit-is-not-buffered", func(t *testing.T) {
		t.Parallel()
		ts, counting := countingServer(t)
		head := requestHead("POST", groups, fmt.Sprintf("Content-Length: %d\r\n", hugeStreamLen))
		stream := &pattern{left: hugeStreamLen}
		resp, body := rawExchange(t, ts.Listener.Addr().String(), head, stream, false)
		check(t, resp, body)
		// The size check refuses it by its Content-Length; what is read is
		// the journal's first 64 KiB and net/http's drain.
		if n := counting.read.Load(); n > readBound {
			t.Errorf("the server read %d bytes of a %d-byte body, want at most %d", n, hugeStreamLen, readBound)
		}
	})

	t.Run("content-length/one-byte-over", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		r := s.do(t, call{method: "POST", path: groups, token: acmeAdmin, body: strings.Repeat(" ", maxBody+1)})
		if r.Status != http.StatusRequestEntityTooLarge || compactJSON(t, r.Body) != tooLargeBody {
			t.Errorf("%d %s, want 413 %s", r.Status, r.Body, tooLargeBody)
		}
	})

	t.Run("content-length/at-the-limit-is-read", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		body := `{"name":"At the limit"}`
		body += strings.Repeat(" ", maxBody-len(body))
		r := s.do(t, call{method: "POST", path: groups, token: acmeAdmin, body: body})
		var g fake.Group
		r.decode(t, &g)
		if r.Status != http.StatusCreated || g.Name != "At the limit" {
			t.Errorf("%d %s, want 201 with the group", r.Status, r.Body)
		}
	})

	t.Run("chunked/just-over-the-limit", func(t *testing.T) {
		t.Parallel()
		ts, _ := countingServer(t)
		resp, body := rawExchange(t, ts.Listener.Addr().String(),
			requestHead("POST", groups, "Transfer-Encoding: chunked\r\n"), &pattern{left: maxBody + 1}, true)
		check(t, resp, body)
	})
}

// command is the built pixiebrix-fake, started on a free loopback port.
type command struct {
	url  string
	addr string
}

var buildCommand = sync.OnceValues(func() (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "pixiebrix-fake-limits-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "pixiebrix-fake")
	out, err := exec.Command(goBin, "build", "-o", bin, "github.com/pixiebrix-fake/pixiebrix-fake/cmd/pixiebrix-fake").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// startCommand runs the real command, whose http.Server carries the limits,
// and stops it when the test ends.
func startCommand(t *testing.T) *command {
	t.Helper()
	bin, err := buildCommand()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(bin)) })
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--log-level", "error")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PIXIEBRIX_FAKE_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("no ready line: %v", err)
	}
	var ready struct {
		Ready bool   `json:"ready"`
		URL   string `json:"url"`
	}
	if err := json.Unmarshal([]byte(line), &ready); err != nil || !ready.Ready {
		t.Fatalf("ready line %q: %v", line, err)
	}
	return &command{url: ready.URL, addr: strings.TrimPrefix(ready.URL, "http://")}
}

// TestCommandLimits checks the limits of the command's own http.Server:
// MaxHeaderBytes (1 MiB) and ReadHeaderTimeout (10 s). The slow client case
// lasts as long as ReadHeaderTimeout.
func TestCommandLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command; lasts ReadHeaderTimeout")
	}
	t.Parallel()
	c := startCommand(t)

	t.Run("header/over-max-header-bytes", func(t *testing.T) {
		t.Parallel()
		head := "GET /api/health/ HTTP/1.1\r\nHost: fake.test\r\nX-Big: " + strings.Repeat("a", 1<<20+8<<10) + "\r\n\r\n"
		resp, body := rawExchange(t, c.addr, head, nil, false)
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("status %d, want 431: %.200s", resp.StatusCode, body)
		}
	})

	t.Run("header/just-under-max-header-bytes", func(t *testing.T) {
		t.Parallel()
		head := "GET /api/health/ HTTP/1.1\r\nHost: fake.test\r\nX-Big: " + strings.Repeat("a", 1<<20-1<<10) + "\r\n\r\n"
		resp, body := rawExchange(t, c.addr, head, nil, false)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("status %d, want 200: %.200s", resp.StatusCode, body)
		}
	})

	t.Run("slow-client/is-cut-off-and-holds-nobody", func(t *testing.T) {
		t.Parallel()
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, "GET /api/health/ HTTP/1.1\r\nHost: fake.test\r\n"); err != nil {
			t.Fatal(err)
		}
		// While the slow client dribbles its headers, a byte a second,
		// others are served.
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					if _, err := conn.Write([]byte("X")); err != nil {
						return
					}
				}
			}
		}()
		defer func() {
			close(stop)
			wg.Wait()
		}()
		transport := &http.Transport{}
		defer transport.CloseIdleConnections()
		resp, err := (&http.Client{Transport: transport}).Get(c.url + "/api/health/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("another client got %d while a slow one was connected", resp.StatusCode)
		}
		// The server gives up on the headers at ReadHeaderTimeout, however
		// they trickle in: net/http answers 400 and closes the connection.
		got, err := io.ReadAll(conn)
		if err != nil && !isReset(err) {
			t.Fatalf("reading from the slow connection: %v", err)
		}
		if !bytes.HasPrefix(got, []byte("HTTP/1.1 400 ")) {
			t.Errorf("the slow client got %q, want a 400 and the connection closed", got)
		}
	})
}

func isReset(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && strings.Contains(opErr.Err.Error(), "reset")
}
