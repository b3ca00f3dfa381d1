// Command pixiebrix-fake-bench measures the fake side by side with the
// servers it is compared with: a bare net/http server that writes the very
// same bytes, and (when asked) Prism mocking the same openapi.yaml. It loads
// them alternately (A B A B …) on 127.0.0.1 only, for a bounded time, and
// prints one table: requests per second, p50, p99, RSS and the ratio to the
// bare server, each run's figures and the median.
//
// The fake is the pixiebrix-fake binary, exec'd (built with go build unless
// -bin names it), so that its startup time and RSS are the binary's. The bare
// server is this command again, exec'd in its serving mode. Everything stops
// by itself.
//
// Usage:
//
//	go run ./cmd/pixiebrix-fake-bench [-duration 3s] [-rounds 3] [-concurrency 8]
//	    [-bin path/to/pixiebrix-fake] [-prism path/to/prism] [-big 100000]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

func main() {
	if code, served := serveChild(); served {
		os.Exit(code)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// The default fixture's names that the scenarios use.
const (
	acmeID         = "0a000000-0000-4000-8000-000000000001"
	acmeAdmin      = "acme-admin-token"
	supportGroupID = "0a000000-0000-4000-8000-00000000a001"
	onboardingID   = "0a000000-0000-4000-8000-00000000c002"
	v2             = "application/json; version=2.0"

	bigID    = "0c000000-0000-4000-8000-0000000000b1"
	bigAdmin = "big-admin-token"
)

// post5 is the body of the POST scenario: five people, four of whom the
// Support Agents group holds at start. The first POST adds max; from then on
// every POST finds all five in the group, adds nothing and answers the same,
// so the data does not grow with the load.
const post5 = `[{"email":"ada@acme.test"},{"email":"mel@acme.test"},{"email":"rae@acme.test"},{"email":"new.hire@acme.test"},{"email":"max@acme.test"}]`

// put5 is the body of the PUT scenario: five campaign members replace the
// Onboarding campaign's. The first PUT replaces them; from then on every PUT
// finds the same five with the same data and answers the same.
const put5 = `[{"email":"ada@acme.test","data":{"Location":"Desk 1"}},{"email":"mel@acme.test","data":{"Location":"Desk 2"}},{"email":"rae@acme.test","data":{"Location":"Desk 3"}},{"email":"new.hire@acme.test","data":{"Location":"Desk 4"}},{"email":"max@acme.test","data":{"Location":"Desk 5"}}]`

type config struct {
	duration    time.Duration
	rounds      int
	concurrency int
	bin         string
	fakeArgs    string
	prism       string
	spec        string
	big         int
	readyLimit  time.Duration
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("pixiebrix-fake-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&c.duration, "duration", 3*time.Second, "how long each run loads one target")
	fs.IntVar(&c.rounds, "rounds", 3, "how many times each target is loaded, alternately")
	fs.IntVar(&c.concurrency, "concurrency", 8, "requests in flight at once (keep-alive connections)")
	fs.StringVar(&c.bin, "bin", "", "the pixiebrix-fake binary; empty: go build ./cmd/pixiebrix-fake into a temporary folder")
	fs.StringVar(&c.fakeArgs, "fake-args", "", "extra flags for the fake, space-separated (none: the fake's defaults, the per-request log included)")
	fs.StringVar(&c.prism, "prism", "", "Prism's executable (node_modules/.bin/prism of @stoplight/prism-cli@5.14.2); empty: no Prism")
	fs.StringVar(&c.spec, "spec", "openapi.yaml", "the openapi.yaml that Prism mocks")
	fs.IntVar(&c.big, "big", 100_000, "members of the large team (0: skip that scenario)")
	fs.DurationVar(&c.readyLimit, "ready-limit", 60*time.Second, "how long to wait for a server to be ready")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	case c.duration <= 0 || c.duration > 10*time.Minute:
		return c, fmt.Errorf("-duration %s is outside (0, 10m]", c.duration)
	case c.rounds < 1 || c.rounds > 100:
		return c, fmt.Errorf("-rounds %d is outside 1 to 100", c.rounds)
	case c.concurrency < 1 || c.concurrency > 1024:
		return c, fmt.Errorf("-concurrency %d is outside 1 to 1024", c.concurrency)
	case c.big < 0:
		return c, fmt.Errorf("-big %d may not be negative", c.big)
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "pixiebrix-fake-bench:", err)
		return 2
	}
	if err := bench(ctx, c, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "pixiebrix-fake-bench:", err)
		return 1
	}
	return 0
}

// row is one line of the table: a target under one scenario.
type row struct {
	scenario, target string
	req              request
	runs             []runResult
	proc             *process
	base             *row // the row the ratio is taken against
	// starts are the startup rows' fresh processes, one per round: time to
	// the ready line and RSS then. A startup row loads nothing.
	starts []startResult
	exec   []string // the startup row's command line
}

type startResult struct {
	ready time.Duration
	cpu   time.Duration // CPU time the process had used at the ready line
	rss   int64         // KiB
}

func bench(ctx context.Context, c config, stdout, stderr io.Writer) error {
	tmp, err := os.MkdirTemp("", "pixiebrix-fake-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := c.bin
	if bin == "" {
		bin = filepath.Join(tmp, "pixiebrix-fake")
		fmt.Fprintln(stderr, "building the fake: go build -o", bin, "./cmd/pixiebrix-fake")
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/pixiebrix-fake/pixiebrix-fake/cmd/pixiebrix-fake")
		build.Stdout, build.Stderr = stderr, stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build: %w", err)
		}
	}
	fakeArgs := append([]string{"-addr", "127.0.0.1:0"}, strings.Fields(c.fakeArgs)...)

	var procs []*process
	defer func() {
		for _, p := range procs {
			p.stop()
		}
	}()
	start := func(name string, cmd *exec.Cmd) (*process, error) {
		p, err := startProcess(ctx, name, cmd, c.readyLimit)
		if p != nil {
			procs = append(procs, p)
		}
		return p, err
	}

	fk, err := start("fake", exec.Command(bin, fakeArgs...))
	if err != nil {
		return err
	}
	list := request{method: "GET", path: "/api/organizations/" + acmeID + "/memberships/?page_size=20", token: acmeAdmin, accept: v2}
	post := request{method: "POST", path: "/api/groups/" + supportGroupID + "/memberships/", token: acmeAdmin, accept: v2, body: post5}
	put := request{method: "PUT", path: "/api/organizations/" + acmeID + "/campaigns/" + onboardingID + "/members/", token: acmeAdmin, accept: v2, body: put5}
	client := newClient(c.concurrency)
	defer client.CloseIdleConnections()
	for _, r := range []request{post, put} { // from now on, nothing changes
		if _, err := capture(ctx, client, fk.url, r); err != nil {
			return err
		}
	}
	captures := map[string]*captured{}
	for _, r := range []request{list, post, put} {
		if captures[r.method], err = capture(ctx, client, fk.url, r); err != nil {
			return err
		}
	}
	capturePath := filepath.Join(tmp, "captured.json")
	data, err := json.Marshal(captures)
	if err != nil {
		return err
	}
	if err := os.WriteFile(capturePath, data, 0o600); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	bareCmd := exec.Command(self)
	bareCmd.Env = append(os.Environ(), bareEnv+"="+capturePath)
	bare, err := start("bare", bareCmd)
	if err != nil {
		return err
	}

	fakeList := &row{scenario: "list", target: "fake", req: list, proc: fk}
	bareList := &row{scenario: "list", target: "bare net/http", req: list, proc: bare}
	fakeList.base, bareList.base = bareList, bareList
	fakePost := &row{scenario: "post-5", target: "fake", req: post, proc: fk}
	barePost := &row{scenario: "post-5", target: "bare net/http", req: post, proc: bare}
	fakePost.base, barePost.base = barePost, barePost
	fakePut := &row{scenario: "put-5", target: "fake", req: put, proc: fk}
	barePut := &row{scenario: "put-5", target: "bare net/http", req: put, proc: bare}
	fakePut.base, barePut.base = barePut, barePut
	groups := [][]*row{{fakeList, bareList}, {fakePost, barePost}, {fakePut, barePut}}

	if c.prism != "" {
		port, err := freePort()
		if err != nil {
			return err
		}
		cmd := exec.Command(c.prism, "mock", c.spec, "-v", "warn", "-h", "127.0.0.1", "-p", strconv.Itoa(port))
		pr, err := startPolled(ctx, "prism", cmd, "http://127.0.0.1:"+strconv.Itoa(port), list, c.readyLimit)
		if pr != nil {
			procs = append(procs, pr)
		}
		if err != nil {
			return err
		}
		groups[0] = append(groups[0], &row{scenario: "list", target: "prism", req: list, proc: pr, base: bareList})
	}

	// The journal and the fault check, off (journal size 0, no rule) and on
	// (the default journal, one rule that never matches the list). The
	// binary refuses a journal size of 0, so both are fake.New in a child
	// process of this command, alike but for those options.
	var overhead []*row
	for _, mode := range []string{serveJournalOff, serveJournalOn} {
		cmd := exec.Command(self)
		cmd.Env = append(os.Environ(), serveEnv+"="+mode)
		p, err := start(mode, cmd)
		if err != nil {
			return err
		}
		overhead = append(overhead, &row{scenario: "overhead", target: "fake.New, " + mode, req: list, proc: p})
	}
	overhead[0].base, overhead[1].base = overhead[0], overhead[0]
	groups = append(groups, overhead)

	startups := []*row{{scenario: "startup", target: "fake, default data", exec: append([]string{bin}, fakeArgs...)}}
	if c.big > 0 {
		fixture := filepath.Join(tmp, "big.yaml")
		text := fmt.Sprintf("organizations:\n  - id: %s\n    name: Big Co\n    members:\n      - {email: boss@big.test, role: admin, token: %s}\n    generate: {members: %d}\n", bigID, bigAdmin, c.big-1)
		if err := os.WriteFile(fixture, []byte(text), 0o600); err != nil {
			return err
		}
		bigArgs := append(slices.Clone(fakeArgs), "-fixtures", fixture)
		big, err := start("fake-big", exec.Command(bin, bigArgs...))
		if err != nil {
			return err
		}
		bigPage := request{method: "GET", path: "/api/organizations/" + bigID + "/memberships/?page_size=20", token: bigAdmin, accept: v2}
		last := bigPage
		last.path += "&page=last"
		small := &row{scenario: "team-size", target: "fake, 30 members, page 1", req: list, proc: fk}
		small.base = small
		name := fmt.Sprintf("fake, %d members", c.big)
		groups = append(groups, []*row{
			small,
			{scenario: "team-size", target: name + ", page 1", req: bigPage, proc: big, base: small},
			{scenario: "team-size", target: name + ", last page", req: last, proc: big, base: small},
		})
		startups = append(startups, &row{scenario: "startup", target: name, exec: append([]string{bin}, bigArgs...), proc: big})
	}
	startups[0].proc = fk

	for round := range c.rounds {
		for _, r := range startups {
			fmt.Fprintf(stderr, "round %d/%d: startup, %s\n", round+1, c.rounds, r.target)
			p, err := startProcess(ctx, r.target, exec.Command(r.exec[0], r.exec[1:]...), c.readyLimit)
			if p != nil {
				p.stop()
			}
			if err != nil {
				return err
			}
			r.starts = append(r.starts, startResult{ready: p.ready, cpu: p.readyCPU, rss: p.readyRSS})
		}
		for _, group := range groups {
			for _, r := range group {
				fmt.Fprintf(stderr, "round %d/%d: %s, %s\n", round+1, c.rounds, r.scenario, r.target)
				before := cpuTime(r.proc.cmd.Process.Pid)
				res := load(ctx, client, r.proc.url, r.req, c.duration, c.concurrency)
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if res.requests > 0 {
					res.cpu = (cpuTime(r.proc.cmd.Process.Pid) - before) / time.Duration(res.requests)
				}
				r.runs = append(r.runs, res)
			}
		}
	}
	var rows []*row
	for _, group := range groups {
		rows = append(rows, group...)
	}
	rows = append(rows, startups...)
	printTable(stdout, c, rows)
	printTargets(stdout, rows)
	printWrk(stdout, c, fk.url, list)
	return nil
}

// --- the load loop ---

// request is what a scenario sends, over and over.
type request struct {
	method, path, token, accept, body string
}

func (r request) build(ctx context.Context, base string) (*http.Request, error) {
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, base+r.path, body)
	if err != nil {
		return nil, err
	}
	if r.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Token "+r.token)
	req.Header.Set("Accept", r.accept)
	return req, nil
}

func newClient(concurrency int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			MaxIdleConns:        concurrency * 4,
			MaxIdleConnsPerHost: concurrency,
			DisableCompression:  true,
			Proxy:               nil, // loopback only, never through a proxy
		},
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// runResult is one run of one target.
type runResult struct {
	requests int
	errors   int // transport errors and statuses other than 2xx
	elapsed  time.Duration
	p50, p99 time.Duration
	// cpu is the CPU time (user and system) the server process spent per
	// request: unlike req/s, it hardly moves when other work on the
	// machine takes CPU away from the server.
	cpu time.Duration
}

func (r runResult) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

// maxPerWorker bounds a worker's requests in one run, whatever the duration.
const maxPerWorker = 5_000_000

// load sends req to base from concurrency workers until d has passed.
func load(ctx context.Context, client *http.Client, base string, req request, d time.Duration, concurrency int) runResult {
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	latencies := make([][]time.Duration, concurrency)
	errs := make([]int, concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for w := range concurrency {
		wg.Go(func() {
			lat := make([]time.Duration, 0, 4096)
			for n := 0; n < maxPerWorker; n++ {
				t0 := time.Now()
				if !t0.Before(deadline) {
					break
				}
				hr, err := req.build(ctx, base)
				if err != nil {
					errs[w]++
					break
				}
				resp, err := client.Do(hr)
				if err != nil {
					errs[w]++
					if ctx.Err() != nil {
						break
					}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					errs[w]++
				}
				lat = append(lat, time.Since(t0))
			}
			latencies[w] = lat
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	res := runResult{elapsed: elapsed}
	for w := range concurrency {
		all = append(all, latencies[w]...)
		res.errors += errs[w]
	}
	slices.Sort(all)
	res.requests = len(all)
	res.p50, res.p99 = percentile(all, 0.50), percentile(all, 0.99)
	return res
}

func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// --- capturing the fake's answer, and serving it bare ---

// bareEnv names the capture file that makes this command the bare server.
const bareEnv = "PIXIEBRIX_FAKE_BENCH_BARE"

// serveEnv makes this command serve fake.New in one of the overhead modes.
const serveEnv = "PIXIEBRIX_FAKE_BENCH_SERVE"

const (
	serveJournalOff = "journal off, no fault rule"
	serveJournalOn  = "journal on, 1 fault rule"
)

// serveChild serves as the bare server or a fake of the overhead scenario
// when the environment asks for it, and reports whether it did.
func serveChild() (code int, served bool) {
	if path := os.Getenv(bareEnv); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bare:", err)
			return 1, true
		}
		var responses map[string]*captured
		if err := json.Unmarshal(data, &responses); err != nil {
			fmt.Fprintln(os.Stderr, "bare:", err)
			return 1, true
		}
		return serve(bareHandler(responses), os.Stdout, os.Stderr), true
	}
	var opts []fake.Option
	switch mode := os.Getenv(serveEnv); mode {
	case "":
		return 0, false
	case serveJournalOff:
		opts = append(opts, fake.WithJournalSize(0))
	case serveJournalOn:
		opts = append(opts, fake.WithFaults(fake.FaultRule{Kind: fake.FaultStatus, Status: 503, Method: "DELETE", Path: "/api/groups/{id}/"}))
	default:
		fmt.Fprintf(os.Stderr, "%s: unknown mode %q\n", serveEnv, mode)
		return 2, true
	}
	srv, err := fake.New(opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake:", err)
		return 1, true
	}
	defer srv.Close()
	return serve(srv, os.Stdout, os.Stderr), true
}

// captured is one response of the fake, to be served verbatim.
type captured struct {
	Status int         `json:"status"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

func capture(ctx context.Context, client *http.Client, base string, r request) (*captured, error) {
	req, err := r.build(ctx, base)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: status %d: %.300s", r.method, r.path, resp.StatusCode, body)
	}
	return &captured{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// bareHandler answers the captured responses by method, with the same
// headers (Date and X-Request-Id included, as captured) and body, reading
// whatever body a request sends.
func bareHandler(responses map[string]*captured) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		c, ok := responses[r.Method]
		if !ok {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		for name, values := range c.Header {
			h[name] = values
		}
		w.WriteHeader(c.Status)
		_, _ = w.Write(c.Body)
	})
}

// serve serves handler on a free port of 127.0.0.1, prints a ready line
// like the fake's, and stops on SIGINT or SIGTERM.
func serve(handler http.Handler, stdout, stderr io.Writer) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(stderr, "serve:", err)
		return 1
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	fmt.Fprintf(stdout, "{\"ready\":true,\"url\":\"http://%s\"}\n", ln.Addr())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "serve:", err)
		return 1
	}
	return 0
}

// --- the processes under test ---

type process struct {
	name     string
	cmd      *exec.Cmd
	url      string
	ready    time.Duration // from exec to the ready line
	readyRSS int64         // KiB
	readyCPU time.Duration // CPU time used by the ready line
	done     chan struct{}
}

// startProcess execs cmd and waits for its JSON ready line on stdout.
func startProcess(ctx context.Context, name string, cmd *exec.Cmd, limit time.Duration) (*process, error) {
	first := &firstLine{line: make(chan string, 1)}
	cmd.Stdout = first
	cmd.Stderr = nil // the request log goes to /dev/null, as the write a log costs
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	var line string
	select {
	case line = <-first.line:
		p.ready = time.Since(begin)
	case <-p.done:
		return p, fmt.Errorf("%s exited before its ready line", name)
	case <-time.After(limit):
		return p, fmt.Errorf("%s: no ready line within %s", name, limit)
	case <-ctx.Done():
		return p, ctx.Err()
	}
	var ready struct {
		Ready bool   `json:"ready"`
		URL   string `json:"url"`
	}
	if err := json.Unmarshal([]byte(line), &ready); err != nil || !ready.Ready || !strings.HasPrefix(ready.URL, "http://127.0.0.1:") {
		return p, fmt.Errorf("%s: bad ready line %q", name, line)
	}
	p.url = ready.URL
	p.readyRSS = rssKiB(cmd.Process.Pid)
	p.readyCPU = cpuTime(cmd.Process.Pid)
	return p, nil
}

// firstLine hands over the first line written to it, once, and drops the
// rest.
type firstLine struct {
	mu   sync.Mutex
	buf  []byte
	sent bool
	line chan string
}

func (f *firstLine) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.sent {
		f.buf = append(f.buf, p...)
		if i := bytes.IndexByte(f.buf, '\n'); i >= 0 {
			f.line <- string(f.buf[:i])
			f.sent, f.buf = true, nil
		}
	}
	return len(p), nil
}

// startPolled execs a server that prints no ready line (Prism) and waits
// until it answers r.
func startPolled(ctx context.Context, name string, cmd *exec.Cmd, url string, r request, limit time.Duration) (*process, error) {
	cmd.Stdout, cmd.Stderr = nil, nil
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // npx-style launchers start children
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, url: url, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	client := &http.Client{Timeout: 2 * time.Second}
	defer client.CloseIdleConnections()
	for {
		req, err := r.build(ctx, url)
		if err != nil {
			return p, err
		}
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			p.ready = time.Since(begin)
			p.readyRSS = rssKiB(cmd.Process.Pid)
			return p, nil
		}
		select {
		case <-p.done:
			return p, fmt.Errorf("%s exited before it served", name)
		case <-ctx.Done():
			return p, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Since(begin) > limit {
			return p, fmt.Errorf("%s: not serving within %s", name, limit)
		}
	}
}

// stop ends the process with SIGTERM (its group's, for Prism), then SIGKILL.
func (p *process) stop() {
	pid := p.cmd.Process.Pid
	if p.cmd.SysProcAttr != nil && p.cmd.SysProcAttr.Setpgid {
		_ = syscall.Kill(-pid, syscall.SIGTERM)
	} else {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// rssKiB is the process's VmRSS, from /proc (0 where there is none). For a
// process group leader that only launches the server (npx), the group's
// children are not counted.
func rssKiB(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on Linux.
const clockTicks = 100

// cpuTime is the user and system CPU time the process has used so far,
// from /proc (0 where there is none).
func cpuTime(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// After the command's name in parentheses: state (field 3) … utime
	// (field 14), stime (field 15).
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / clockTicks
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// --- the report ---

func median(values []float64) float64 {
	if len(values) == 0 {
		return 0
	}
	s := slices.Clone(values)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func (r *row) rates() []float64 {
	var out []float64
	for _, run := range r.runs {
		out = append(out, run.rate())
	}
	return out
}

func (r *row) medianOf(f func(runResult) time.Duration) time.Duration {
	var out []float64
	for _, run := range r.runs {
		out = append(out, float64(f(run)))
	}
	return time.Duration(median(out))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

func mib(kib int64) string {
	if kib == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f MiB", float64(kib)/1024)
}

func printTable(w io.Writer, c config, rows []*row) {
	fmt.Fprintf(w, "pixiebrix-fake-bench: %d rounds of %s per target, alternating, %d connections, 127.0.0.1\n\n", c.rounds, c.duration, c.concurrency)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\ttarget\treq/s\treq/s per run\tp50\tp99\tp50 per run\tp99 per run\terrors\tCPU/req\tRSS\tratio\tCPU ratio")
	for _, r := range rows {
		if r.starts != nil {
			var readies []string
			var times, rss []float64
			for _, st := range r.starts {
				readies = append(readies, ms(st.ready))
				times = append(times, float64(st.ready))
				rss = append(rss, float64(st.rss))
			}
			var cpus []float64
			for _, st := range r.starts {
				cpus = append(cpus, float64(st.cpu))
			}
			fmt.Fprintf(tw, "%s\t%s\t-\t-\tready %s\t-\tready %s\t-\t-\t%s to ready\t%s at ready\t-\t-\n",
				r.scenario, r.target, ms(time.Duration(median(times))), strings.Join(readies, " "),
				ms(time.Duration(median(cpus))), mib(int64(median(rss))))
			continue
		}
		var perRun, p50s, p99s []string
		errs := 0
		for _, run := range r.runs {
			perRun = append(perRun, fmt.Sprintf("%.0f", run.rate()))
			p50s = append(p50s, ms(run.p50))
			p99s = append(p99s, ms(run.p99))
			errs += run.errors
		}
		ratio, cpuRatio := "-", "-"
		if r.base != nil && r.base != r {
			ratio = fmt.Sprintf("%.2fx %s", r.ratio(), baseName(r.base))
			cpuRatio = fmt.Sprintf("%.2fx", r.cpuRatio())
		}
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n",
			r.scenario, r.target, median(r.rates()), strings.Join(perRun, " "),
			ms(r.medianOf(func(x runResult) time.Duration { return x.p50 })),
			ms(r.medianOf(func(x runResult) time.Duration { return x.p99 })),
			strings.Join(p50s, " "), strings.Join(p99s, " "), errs,
			us(r.medianOf(cpuOf)),
			mib(rssKiB(r.proc.cmd.Process.Pid)), ratio, cpuRatio)
	}
	_ = tw.Flush()
}

// ratio is the row's req/s over its base row's: the median over the rounds
// of each round's ratio, since a target and its base ran one after the
// other in each round, under much the same load from the rest of the
// machine.
func (r *row) ratio() float64 {
	var ratios []float64
	for i, run := range r.runs {
		if i < len(r.base.runs) && r.base.runs[i].rate() > 0 {
			ratios = append(ratios, run.rate()/r.base.runs[i].rate())
		}
	}
	return median(ratios)
}

// cpuRatio is the base row's server CPU time per request over the row's:
// the throughput ratio the two would reach if each had the CPU to itself.
func (r *row) cpuRatio() float64 {
	cpu, base := float64(r.medianOf(cpuOf)), float64(r.base.medianOf(cpuOf))
	if cpu <= 0 {
		return 0
	}
	return base / cpu
}

func cpuOf(x runResult) time.Duration { return x.cpu }

func us(d time.Duration) string { return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond)) }

// printTargets checks the table against the targets of the performance
// issue, each with the figure it was read from.
func printTargets(w io.Writer, rows []*row) {
	find := func(scenario, prefix string) *row {
		for _, r := range rows {
			if r.scenario == scenario && strings.HasPrefix(r.target, prefix) {
				return r
			}
		}
		return nil
	}
	fmt.Fprintln(w, "\ntargets:")
	check := func(name string, ok bool, figure string) {
		verdict := "met"
		if !ok {
			verdict = "MISSED"
		}
		fmt.Fprintf(w, "  %-6s  %s: %s\n", verdict, name, figure)
	}
	figures := func(r *row) string {
		return fmt.Sprintf("%.2fx req/s (server CPU per request: %.2fx)", r.ratio(), r.cpuRatio())
	}
	if r := find("list", "fake"); r != nil {
		check("list at >= 0.7x bare", r.ratio() >= 0.7, figures(r))
		if pr := find("list", "prism"); pr != nil {
			vs := &row{runs: r.runs, base: &row{runs: pr.runs}}
			cpu := float64(pr.medianOf(cpuOf)) / float64(r.medianOf(cpuOf))
			check("list at >= 15x below Prism's CPU per request", cpu >= 15, fmt.Sprintf("%.1fx (req/s: %.1fx Prism's)", cpu, vs.ratio()))
		}
	}
	if r := find("post-5", "fake"); r != nil {
		check("POST of 5 at >= 0.6x bare", r.ratio() >= 0.6, figures(r))
	}
	if r := find("put-5", "fake"); r != nil {
		check("PUT of 5 at >= 0.5x bare", r.ratio() >= 0.5, figures(r))
	}
	for _, r := range rows {
		if r.scenario == "team-size" && r.base != r {
			slower := 1 / r.ratio()
			check(r.target+" within 1.5x of the 30-member page", slower <= 1.5,
				fmt.Sprintf("%.2fx as slow in req/s, %.2fx the CPU per request", slower, 1/r.cpuRatio()))
		}
	}
	for _, r := range rows {
		if r.starts == nil {
			continue
		}
		var times, rss []float64
		for _, st := range r.starts {
			times = append(times, float64(st.ready))
			rss = append(rss, float64(st.rss))
		}
		ready := time.Duration(median(times))
		peak := max(int64(median(rss)), rssKiB(r.proc.cmd.Process.Pid)) // at ready, or after the load if larger
		readyLimit, rssMB := 100*time.Millisecond, int64(50)
		if r.target != "fake, default data" {
			readyLimit, rssMB = 2*time.Second, 400
		}
		var cpus []float64
		for _, st := range r.starts {
			cpus = append(cpus, float64(st.cpu))
		}
		check(fmt.Sprintf("%s: ready line within %s", r.target, readyLimit), ready < readyLimit,
			fmt.Sprintf("%s (CPU time to ready: %s)", ms(ready), ms(time.Duration(median(cpus)))))
		check(fmt.Sprintf("%s: RSS under %d MB", r.target, rssMB), peak*1024 < rssMB*1_000_000,
			fmt.Sprintf("%.1f MB (the larger of at ready and after the load)", float64(peak)*1024/1e6))
	}
	if r := find("overhead", "fake.New, "+serveJournalOn); r != nil {
		cost := 1 - r.ratio()
		check("journal and fault check cost under 10%", cost < 0.10, fmt.Sprintf("%.1f%% of req/s, %.1f%% more CPU per request (negative: within noise)",
			100*cost, 100*(1/r.cpuRatio()-1)))
	}
}

func baseName(r *row) string {
	switch {
	case r.target == "bare net/http":
		return "bare"
	case r.scenario == "overhead":
		return "of journal off"
	}
	return "of the 30-member page"
}

// printWrk prints the wrk command line that loads the list the same way.
func printWrk(w io.Writer, c config, base string, r request) {
	fmt.Fprintf(w, "\nequivalent wrk command (list, fake): wrk -t2 -c%d -d%s -H 'Authorization: Token %s' -H 'Accept: %s' '%s%s'\n",
		c.concurrency, c.duration, r.token, r.accept, base, r.path)
}
