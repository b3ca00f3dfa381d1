package fake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// Fuzzing: the whole request pipeline and the fixture loader. Run one target
// at a time, for example
//
//	go test ./fake -run '^$' -fuzz '^FuzzPipeline$' -fuzztime 10m -parallel 1
//
// The seed corpora live in testdata/fuzz/<target>: representative requests
// (every operation, the control plane, faults, broken headers) and fixtures
// (the default, fixtures/example.json, broken ones), and any input the
// fuzzer finds failing goes there too; plain `go test` runs them all as
// regression tests.

// fuzzControlToken guards the control plane of the pipeline's servers. The
// seeds use it, so the fuzzer reaches the control plane, but a fixture it
// PUTs to /__fake/state may not ask for generated data (see FuzzPipeline).
const fuzzControlToken = "fuzz-control-token"

// fuzzServers are built once per fuzzing process: seeding the default
// fixture costs far more than one request.
var fuzzServers = sync.OnceValues(func() (*fuzzTarget, error) {
	plain, err := fake.New(fake.WithoutFaultHeader(), fake.WithControlToken(fuzzControlToken))
	if err != nil {
		return nil, err
	}
	faulty, err := fake.New(fake.WithControlToken(fuzzControlToken))
	if err != nil {
		return nil, err
	}
	return &fuzzTarget{plain: plain, faulty: faulty}, nil
})

// fuzzTarget holds the two servers: one ignores X-Fake-Fault, the other
// obeys it. dirty marks a server that a previous input may have changed, so
// that every input starts from the seeded state and a finding reproduces
// alone.
type fuzzTarget struct {
	plain, faulty *fake.Server
	dirty         map[*fake.Server]bool
}

// fuzzMethods are the methods a fuzz input picks from by index; past the
// end, the input's raw method is sent.
var fuzzMethods = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions, "TRACE", "CONNECT",
}

// FuzzPipeline sends any method, path, headers and body through the whole
// pipeline. Unless the input asked for a fault with X-Fake-Fault, nothing may
// panic or answer 5xx, and every JSON body must be DRF's error shape or a
// success body; a 301 must say where to.
func FuzzPipeline(f *testing.F) {
	f.Fuzz(func(t *testing.T, methodIndex uint8, rawMethod, path, accept, auth, contentType, fault string, body []byte) {
		target, err := fuzzServers()
		if err != nil {
			t.Fatal(err)
		}
		method := rawMethod
		if int(methodIndex) < len(fuzzMethods) {
			method = fuzzMethods[methodIndex]
		}
		req, ok := fuzzRequest(method, path, body)
		if !ok {
			return // net/http would refuse it before the handler
		}
		for name, value := range map[string]string{"Accept": accept, "Authorization": auth, "Content-Type": contentType, fake.FaultHeader: fault} {
			if value == "" {
				continue
			}
			if !validHeaderValue(value) {
				return
			}
			req.Header.Set(name, value)
		}
		if strings.HasPrefix(req.URL.Path, "/__fake/state") && bytes.Contains(bytes.ToLower(body), []byte("generate")) {
			// A fixture may ask for a million generated people: a valid,
			// slow request. FuzzFixture covers the loader.
			return
		}
		srv := target.plain
		faultAsked := fault != ""
		if faultAsked {
			// Faults that wait (delay, hang) end at once on a request whose
			// client has gone; faults that drop the connection panic with
			// http.ErrAbortHandler under a recorder.
			srv = target.faulty
			req.Header.Set(fake.FaultTokenHeader, fuzzControlToken)
			ctx, cancel := context.WithCancel(req.Context())
			cancel()
			req = req.WithContext(ctx)
		}
		if target.dirty == nil {
			target.dirty = map[*fake.Server]bool{}
		}
		if target.dirty[srv] {
			srv.Reset()
			target.dirty[srv] = false
		}
		if method != http.MethodGet && method != http.MethodHead {
			target.dirty[srv] = true
		}
		rec := httptest.NewRecorder()
		aborted := serveRecovering(srv, rec, req)
		if aborted != nil {
			if aborted == http.ErrAbortHandler && faultAsked {
				return
			}
			t.Fatalf("%s %q: panic %v", method, path, aborted)
		}
		res := rec.Result()
		if res.StatusCode >= 500 && !faultAsked {
			t.Fatalf("%s %q: %d %s", method, path, res.StatusCode, rec.Body.Bytes())
		}
		if faultAsked {
			return // a fault's answer is off the contract on purpose
		}
		if err := checkFuzzResponse(method, res.StatusCode, res.Header, rec.Body.Bytes()); err != nil {
			t.Fatalf("%s %q: %v", method, path, err)
		}
	})
}

// fuzzRequest builds the request net/http's server would hand the handler,
// or reports that the server would refuse it first.
func fuzzRequest(method, target string, body []byte) (*http.Request, bool) {
	if method == "" || strings.IndexFunc(method, func(r rune) bool { return !isTokenChar(r) }) >= 0 {
		return nil, false
	}
	if method == http.MethodConnect || !strings.HasPrefix(target, "/") {
		return nil, false
	}
	u, err := url.ParseRequestURI(target)
	if err != nil || strings.ContainsAny(target, " \t\r\n") {
		return nil, false
	}
	req := &http.Request{
		Method:        method,
		URL:           u,
		RequestURI:    target,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{},
		Host:          "fake.test",
		RemoteAddr:    "192.0.2.1:1234",
		Body:          http.NoBody,
		ContentLength: int64(len(body)),
	}
	if len(body) > 0 {
		req.Body = readCloser{bytes.NewReader(body)}
	}
	return req.WithContext(context.Background()), true
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

func isTokenChar(r rune) bool {
	return r < 0x7f && r > 0x20 && !strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
}

// validHeaderValue is what net/http's server accepts in a header value.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// serveRecovering serves req and returns what the handler panicked with, if
// anything.
func serveRecovering(h http.Handler, w http.ResponseWriter, r *http.Request) (v any) {
	defer func() { v = recover() }()
	h.ServeHTTP(w, r)
	return nil
}

// checkFuzzResponse checks a response's shape: a 301 names a Location, a
// 4xx is JSON in one of DRF's error shapes, every JSON body parses.
func checkFuzzResponse(method string, status int, header http.Header, body []byte) error {
	if status == http.StatusMovedPermanently && header.Get("Location") == "" {
		return fmt.Errorf("301 without a Location")
	}
	if header.Get("X-Request-Id") == "" {
		return fmt.Errorf("%d without X-Request-Id", status)
	}
	if method == http.MethodHead && len(body) == 0 {
		return nil
	}
	isJSON := strings.HasPrefix(header.Get("Content-Type"), "application/json")
	if status >= 400 && !isJSON {
		return fmt.Errorf("%d with Content-Type %q: %q", status, header.Get("Content-Type"), body)
	}
	if !isJSON {
		return nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("%d: body is not JSON: %v: %q", status, err, body)
	}
	if status >= 400 {
		if !isErrorShape(v) {
			return fmt.Errorf("%d: not an error shape: %s", status, body)
		}
	}
	return nil
}

// isErrorShape reports whether v is {"detail": string}, a field-error object
// {field: [message, …]}, or a list of field-error objects.
func isErrorShape(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		if d, ok := v["detail"]; ok && len(v) == 1 {
			_, isString := d.(string)
			return isString
		}
		return isFieldErrors(v) && len(v) > 0
	case []any:
		for _, item := range v {
			m, ok := item.(map[string]any)
			if !ok || !isFieldErrors(m) {
				return false
			}
		}
		return len(v) > 0
	}
	return false
}

func isFieldErrors(m map[string]any) bool {
	for _, messages := range m {
		list, ok := messages.([]any)
		if !ok || len(list) == 0 {
			return false
		}
		for _, msg := range list {
			if s, ok := msg.(string); !ok || s == "" {
				return false
			}
		}
	}
	return true
}

// maxFuzzGenerate bounds the generated people, groups and campaigns of one
// FuzzFixture input, so that one execution stays fast; fixtures asking for
// more are skipped (the seed tests cover large generated teams).
const maxFuzzGenerate = 200

// FuzzFixture feeds any bytes to the fixture loader: ParseFixture either
// fails cleanly or gives a fixture that New either refuses with an error or
// seeds; a seeded server answers GET /api/me/ without a 5xx and its State
// seeds a second server to the same state.
func FuzzFixture(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		fixture, err := fake.ParseFixture(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("ParseFixture: an empty error")
			}
			return
		}
		generated := 0
		for _, o := range fixture.Organizations {
			if g := o.Generate; g != nil {
				generated += max(g.Members, 0) + max(g.Groups, 0) + max(g.Campaigns, 0)
			}
		}
		if generated > maxFuzzGenerate {
			return
		}
		srv, err := fake.New(fake.WithFixtures(*fixture))
		if err != nil {
			if err.Error() == "" {
				t.Fatal("New: an empty error")
			}
			return
		}
		defer srv.Close()
		for _, token := range srv.Tokens() {
			req := httptest.NewRequest(http.MethodGet, "/api/me/", nil)
			req.Header.Set("Authorization", "Token "+token)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code >= 500 || !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("GET /api/me/ as %q: %d %s", token, rec.Code, rec.Body.Bytes())
			}
			break
		}
		state := srv.State()
		again, err := fake.New(fake.WithFixtures(state))
		if err != nil {
			t.Fatalf("New from the State of a seeded server: %v", err)
		}
		defer again.Close()
		first, _ := json.Marshal(state)
		second, _ := json.Marshal(again.State())
		if !bytes.Equal(first, second) {
			t.Fatalf("State does not round-trip:\n%s\n%s", first, second)
		}
	})
}
