package fake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultKind is what a fault rule does to a request it fires on.
type FaultKind string

// The fault kinds. Each one works over a real TCP connection; behind a
// handler with no connection of its own (httptest.ResponseRecorder, HTTP/2),
// reset, close and hang abort the response with http.ErrAbortHandler.
const (
	// FaultStatus answers with Status, Headers and Body instead of the
	// handler (which does not run).
	FaultStatus FaultKind = "status"
	// FaultDelay waits Delay, then serves the request normally.
	FaultDelay FaultKind = "delay"
	// FaultReset aborts the TCP connection with a reset (RST), answering
	// nothing; the handler does not run.
	FaultReset FaultKind = "reset"
	// FaultClose closes the TCP connection (FIN) without answering; the
	// handler does not run.
	FaultClose FaultKind = "close"
	// FaultTruncate runs the handler, sends the head of its response with the
	// full Content-Length and half of the body, then closes the connection. A
	// response without a body is cut inside its head.
	FaultTruncate FaultKind = "truncate"
	// FaultMalformed runs the handler and answers with its status and a body
	// that is not valid JSON (half of the real body, unless Body is given).
	FaultMalformed FaultKind = "malformed"
	// FaultHang answers nothing until the client gives up, the server is
	// closed, or Delay (at most, and by default, MaxFaultDelay) has passed;
	// then it closes the connection. The handler does not run.
	FaultHang FaultKind = "hang"
)

var faultKinds = []FaultKind{FaultStatus, FaultDelay, FaultReset, FaultClose, FaultTruncate, FaultMalformed, FaultHang}

// MaxFaultDelay bounds the delay of a fault rule and how long a hang lasts,
// so that no request outlives a test run by much.
const MaxFaultDelay = 5 * time.Minute

// FaultRule makes the fake fail on purpose. It applies to the API requests
// that match Method and Path (empty: any) once they have passed the checks of
// version, authentication, visibility, role and throttling. Rules are checked
// in the order they were added; the first that fires acts.
type FaultRule struct {
	// ID is set by the server when the rule is added.
	ID int
	// Method is an HTTP method; empty matches any.
	Method string
	// Path is a concrete path (/api/groups/0a00…/) or a template whose {name}
	// segments match any one segment (/api/groups/{id}/); empty matches any.
	Path string
	Kind FaultKind
	// Status is the status of a status fault (required there), or replaces the
	// handler's status for truncate and malformed.
	Status int
	// Headers are added to the response of status, delay, truncate and
	// malformed faults.
	Headers map[string]string
	// Body is sent as is (with Content-Type application/json unless Headers
	// say otherwise) by status faults, and replaces the handler's body for
	// truncate and malformed. A status fault without one answers DRF's
	// {"detail": ...} for its status.
	Body string
	// Delay is how long a delay fault waits, how long a hang lasts at most,
	// and for the other kinds a wait before the fault acts.
	Delay time.Duration
	// Probability that a matching request fires the rule, drawn from a source
	// seeded by the server's seed. 0 means 1: every matching request.
	Probability float64
	// Times is how many times the rule fires before it expires and is
	// removed; 0 means no limit.
	Times int
	// After lets the first After matching requests through before the rule
	// may fire.
	After int
	// Matched counts the requests the rule was checked against and matched;
	// Fired counts those it acted on. Both are read-only.
	Matched int
	Fired   int
}

// faultRuleJSON is a FaultRule on the wire: the delay as a Go duration string.
type faultRuleJSON struct {
	ID          int               `json:"id"`
	Method      string            `json:"method"`
	Path        string            `json:"path"`
	Kind        FaultKind         `json:"kind"`
	Status      int               `json:"status,omitempty"`
	Headers     map[string]string `json:"headers,omitempty"`
	Body        string            `json:"body,omitempty"`
	Delay       string            `json:"delay,omitempty"`
	Probability float64           `json:"probability"`
	Times       int               `json:"times"`
	After       int               `json:"after"`
	Matched     int               `json:"matched"`
	Fired       int               `json:"fired"`
}

// MarshalJSON writes the rule as the control plane shows it, the delay as a
// Go duration string ("200ms").
func (r FaultRule) MarshalJSON() ([]byte, error) {
	wire := faultRuleJSON{
		ID: r.ID, Method: r.Method, Path: r.Path, Kind: r.Kind, Status: r.Status,
		Headers: r.Headers, Body: r.Body, Probability: r.Probability,
		Times: r.Times, After: r.After, Matched: r.Matched, Fired: r.Fired,
	}
	if r.Delay != 0 {
		wire.Delay = r.Delay.String()
	}
	return json.Marshal(wire)
}

// UnmarshalJSON reads a rule as POST /__fake/faults takes it. It checks the
// types of the fields, not whether the rule makes sense (InjectFault does).
func (r *FaultRule) UnmarshalJSON(data []byte) error {
	rule, errs := decodeFaultRule(data)
	if len(errs) > 0 {
		return errors.New("fault rule: " + describeFieldErrors(errs))
	}
	*r = rule
	return nil
}

// decodeFaultRule reads a JSON rule field by field, so that a bad field is
// reported by name, as DRF reports it. Read-only fields are ignored.
func decodeFaultRule(data []byte) (FaultRule, fieldErrors) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		return FaultRule{}, fieldErrors{"non_field_errors": {"Invalid data. Expected a dictionary of rule fields."}}
	}
	var r FaultRule
	errs := fieldErrors{}
	for name, raw := range fields {
		if string(raw) == "null" {
			continue
		}
		if msg := decodeFaultField(&r, name, raw); msg != "" {
			errs.add(name, msg)
		}
	}
	return r, errs
}

// decodeFaultField sets one field of r, or says in DRF's words what is
// wrong with it.
func decodeFaultField(r *FaultRule, name string, raw json.RawMessage) string {
	const notString = "Not a valid string."
	switch name {
	case "method":
		return unmarshalOr(raw, &r.Method, notString)
	case "path":
		return unmarshalOr(raw, &r.Path, notString)
	case "kind":
		return unmarshalOr(raw, &r.Kind, notString)
	case "status":
		return unmarshalOr(raw, &r.Status, msgInteger)
	case "times":
		return unmarshalOr(raw, &r.Times, msgInteger)
	case "after":
		return unmarshalOr(raw, &r.After, msgInteger)
	case "probability":
		return unmarshalOr(raw, &r.Probability, "A valid number is required.")
	case "headers":
		return unmarshalOr(raw, &r.Headers, "Expected an object of header names to string values.")
	case "body":
		// A JSON value other than a string is sent as its JSON text.
		if json.Unmarshal(raw, &r.Body) != nil {
			var buf bytes.Buffer
			_ = json.Compact(&buf, raw)
			r.Body = buf.String()
		}
		return ""
	case "delay":
		var s string
		err := json.Unmarshal(raw, &s)
		if err == nil {
			r.Delay, err = time.ParseDuration(s)
		}
		if err != nil {
			return `Enter a Go duration such as "200ms" or "2s".`
		}
		return ""
	case "id", "matched", "fired":
		return "" // read-only
	default:
		return "Unknown field."
	}
}

const msgInteger = "A valid integer is required."

func unmarshalOr(raw json.RawMessage, v any, msg string) string {
	if json.Unmarshal(raw, v) != nil {
		return msg
	}
	return ""
}

// FaultHeader is the request header that asks for a one-off fault on the
// request that carries it: the rule's fields, ";"-separated, such as
// "kind=status; status=503" or "kind=delay; delay=200ms".
const FaultHeader = "X-Fake-Fault"

// parseFaultHeader reads an X-Fake-Fault value: kind, status, headers
// ("Name: value, Name: value"), body, delay and probability.
func parseFaultHeader(value string) (FaultRule, error) {
	var r FaultRule
	for _, part := range strings.Split(value, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, val, ok := strings.Cut(part, "=")
		name, val = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(val)
		if !ok {
			return r, fmt.Errorf("%q is not name=value", part)
		}
		var err error
		switch name {
		case "kind":
			r.Kind = FaultKind(val)
		case "status":
			r.Status, err = strconv.Atoi(val)
		case "body":
			r.Body = val
		case "delay":
			r.Delay, err = time.ParseDuration(val)
		case "probability":
			r.Probability, err = strconv.ParseFloat(val, 64)
		case "headers":
			r.Headers = map[string]string{}
			for _, h := range strings.Split(val, ",") {
				k, v, ok := strings.Cut(h, ":")
				if !ok {
					return r, fmt.Errorf("headers: %q is not Name: value", strings.TrimSpace(h))
				}
				r.Headers[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		case "method", "path", "times", "after":
			return r, fmt.Errorf("%s does not apply to a one-off fault", name)
		default:
			return r, fmt.Errorf("unknown field %q (one of kind, status, headers, body, delay, probability)", name)
		}
		if err != nil {
			return r, fmt.Errorf("%s: %q is not valid", name, val)
		}
	}
	return r, nil
}

// knownMethods are the methods a rule may name.
var knownMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// kindFields says which optional fields make sense for each kind.
var kindFields = map[FaultKind]struct{ status, headers, body bool }{
	FaultStatus:    {status: true, headers: true, body: true},
	FaultDelay:     {headers: true},
	FaultReset:     {},
	FaultClose:     {},
	FaultTruncate:  {status: true, headers: true, body: true},
	FaultMalformed: {status: true, headers: true, body: true},
	FaultHang:      {},
}

// checkFaultRule normalizes a rule (method upper-cased, probability 0 → 1)
// or names every field that makes no sense. paths are the API's path
// templates: a rule whose path matches none of them could never fire.
func checkFaultRule(r FaultRule, paths []string) (FaultRule, fieldErrors) {
	errs := fieldErrors{}
	r.ID, r.Matched, r.Fired = 0, 0, 0
	uses, knownKind := kindFields[r.Kind]
	switch {
	case r.Kind == "":
		errs.add("kind", "This field is required.")
	case !knownKind:
		errs.add("kind", fmt.Sprintf("%q is not a valid choice (one of %s).", r.Kind, joinKinds()))
	}
	r.Method = strings.ToUpper(strings.TrimSpace(r.Method))
	if r.Method != "" && !slices.Contains(knownMethods, r.Method) {
		errs.add("method", fmt.Sprintf("%q is not a valid choice (one of %s).", r.Method, strings.Join(knownMethods, ", ")))
	}
	if msg := checkRulePath(r.Path, paths); msg != "" {
		errs.add("path", msg)
	}
	switch {
	case r.Kind == FaultStatus && r.Status == 0:
		errs.add("status", "This field is required.")
	case r.Status != 0 && knownKind && !uses.status:
		errs.add("status", fmt.Sprintf("Does not apply to kind %q.", r.Kind))
	case r.Status != 0 && (r.Status < 200 || r.Status > 599):
		errs.add("status", "Ensure this value is between 200 and 599.")
	}
	if len(r.Headers) > 0 && knownKind && !uses.headers {
		errs.add("headers", fmt.Sprintf("Does not apply to kind %q.", r.Kind))
	}
	for name, value := range r.Headers {
		if !validHeaderName(name) || strings.ContainsAny(value, "\r\n\x00") {
			errs.add("headers", fmt.Sprintf("%q: %q is not a valid header.", name, value))
		}
	}
	if r.Body != "" && knownKind && !uses.body {
		errs.add("body", fmt.Sprintf("Does not apply to kind %q.", r.Kind))
	}
	switch {
	case r.Delay < 0 || r.Delay > MaxFaultDelay:
		errs.add("delay", fmt.Sprintf("Ensure this value is between 0s and %s.", MaxFaultDelay))
	case r.Kind == FaultDelay && r.Delay == 0:
		errs.add("delay", "This field is required.")
	}
	switch {
	case r.Probability < 0 || r.Probability > 1 || r.Probability != r.Probability:
		errs.add("probability", "Ensure this value is between 0 and 1.")
	case r.Probability == 0:
		r.Probability = 1
	}
	if r.Times < 0 {
		errs.add("times", "Ensure this value is greater than or equal to 0.")
	}
	if r.After < 0 {
		errs.add("after", "Ensure this value is greater than or equal to 0.")
	}
	if len(errs) > 0 {
		return FaultRule{}, errs
	}
	r.Headers = cloneHeaders(r.Headers)
	return r, nil
}

func joinKinds() string {
	names := make([]string, len(faultKinds))
	for i, k := range faultKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// checkRulePath returns what is wrong with a rule's path, or "".
func checkRulePath(path string, templates []string) string {
	if path == "" {
		return ""
	}
	if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, "?# ") {
		return "Enter a path such as /api/groups/{id}/ (no query)."
	}
	for _, seg := range strings.Split(path, "/") {
		if strings.ContainsAny(seg, "{}") && !isParam(seg) {
			return fmt.Sprintf("Segment %q: a template segment is a whole {name}.", seg)
		}
	}
	for _, t := range templates {
		if segmentsMatch(path, t, true) {
			return ""
		}
	}
	return fmt.Sprintf("No API path matches %s (paths end with a slash).", path)
}

func isParam(seg string) bool {
	return len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}' && !strings.ContainsAny(seg[1:len(seg)-1], "{}")
}

// segmentsMatch reports whether a rule path matches a path, segment by
// segment: a {name} segment of the rule matches any one non-empty segment.
// With bothTemplates, {name} segments of path match anything too.
// It allocates nothing: every API request is matched against every rule.
func segmentsMatch(rule, path string, bothTemplates bool) bool {
	if strings.Count(rule, "/") != strings.Count(path, "/") {
		return false
	}
	for {
		r, ruleRest, more := strings.Cut(rule, "/")
		p, pathRest, _ := strings.Cut(path, "/")
		switch {
		case r == p:
		case isParam(r) && p != "":
		case bothTemplates && isParam(p):
		default:
			return false
		}
		if !more {
			return true
		}
		rule, path = ruleRest, pathRest
	}
}

// pathMatches reports whether a rule's or filter's path (empty: any) matches
// a request path.
func pathMatches(rule, path string) bool {
	return rule == "" || rule == path || segmentsMatch(rule, path, false)
}

func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		if c > 0x7e || c <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c) {
			return false
		}
	}
	return true
}

func cloneHeaders(h map[string]string) map[string]string {
	if h == nil {
		return nil
	}
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = v
	}
	return out
}

func (r FaultRule) clone() FaultRule {
	r.Headers = cloneHeaders(r.Headers)
	return r
}

// Each random draw of the control plane has its own stream from the seed,
// apart from the data's: the same seed and the same request sequence fail
// the same requests.
const (
	streamFaults    uint64 = 100 // rule and header probabilities
	streamErrorRate uint64 = 101 // the global error rate
	streamLatency   uint64 = 102 // latency jitter
)

// faultSet holds the rules in the order they were added, and the seeded
// source of their probability draws.
type faultSet struct {
	mu     sync.Mutex
	rules  []*FaultRule
	nextID int
	rng    *rand.Rand
}

func newFaultSet(seed int64) *faultSet {
	return &faultSet{rng: newRand(seed, streamFaults), nextID: 1}
}

// add appends a checked rule and returns it with its id.
func (f *faultSet) add(r FaultRule) FaultRule {
	f.mu.Lock()
	defer f.mu.Unlock()
	r.ID = f.nextID
	f.nextID++
	stored := r.clone()
	f.rules = append(f.rules, &stored)
	return stored.clone()
}

func (f *faultSet) list() []FaultRule {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]FaultRule, 0, len(f.rules))
	for _, r := range f.rules {
		out = append(out, r.clone())
	}
	return out
}

func (f *faultSet) get(id int) (FaultRule, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.rules {
		if r.ID == id {
			return r.clone(), true
		}
	}
	return FaultRule{}, false
}

func (f *faultSet) remove(id int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.rules {
		if r.ID == id {
			f.rules = slices.Delete(f.rules, i, i+1)
			return true
		}
	}
	return false
}

func (f *faultSet) clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = nil
}

// reset drops every rule, restarts the probability draws from the seed and
// adds the start rules again (with new ids: ids are never reused).
func (f *faultSet) reset(seed int64, start []FaultRule) {
	f.clear()
	f.mu.Lock()
	f.rng = newRand(seed, streamFaults)
	f.mu.Unlock()
	for _, r := range start {
		f.add(r)
	}
}

// fire finds the first rule that fires on a request and counts it; a rule
// that has fired Times times expires.
func (f *faultSet) fire(method, path string) *FaultRule {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.rules {
		if (r.Method != "" && r.Method != method) || !pathMatches(r.Path, path) {
			continue
		}
		r.Matched++
		if r.Matched <= r.After {
			continue
		}
		if r.Probability < 1 && f.rng.Float64() >= r.Probability {
			continue
		}
		r.Fired++
		fired := r.clone()
		if r.Times > 0 && r.Fired >= r.Times {
			f.rules = slices.Delete(f.rules, i, i+1)
		}
		return &fired
	}
	return nil
}

// draw reports whether a one-off rule of the given probability fires.
func (f *faultSet) draw(probability float64) bool {
	if probability >= 1 {
		return true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rng.Float64() < probability
}

// toggles are the global failure settings: latency with jitter, and a random
// error rate. Their draws come from seeded streams of their own.
type toggles struct {
	latency, jitter time.Duration
	errorRate       float64

	mu         sync.Mutex
	latencyRng *rand.Rand
	errorRng   *rand.Rand
}

func newToggles(seed int64, latency, jitter time.Duration, errorRate float64) *toggles {
	t := &toggles{latency: latency, jitter: jitter, errorRate: errorRate}
	t.reseed(seed)
	return t
}

func (t *toggles) reseed(seed int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.latencyRng = newRand(seed, streamLatency)
	t.errorRng = newRand(seed, streamErrorRate)
}

// nextLatency is the latency of one request: uniform within jitter of the
// set latency, never negative.
func (t *toggles) nextLatency() time.Duration {
	if t.jitter <= 0 {
		return t.latency
	}
	t.mu.Lock()
	offset := time.Duration(t.latencyRng.Int64N(int64(2*t.jitter)+1)) - t.jitter
	t.mu.Unlock()
	return max(0, t.latency+offset)
}

// errorStatuses are the statuses of the random errors.
var errorStatuses = []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}

// randomError draws whether this request fails under the error rate, and
// with which status.
func (t *toggles) randomError() int {
	if t.errorRate <= 0 {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.errorRate < 1 && t.errorRng.Float64() >= t.errorRate {
		return 0
	}
	return errorStatuses[t.errorRng.IntN(len(errorStatuses))]
}

// Where a fault came from, for the journal.
const (
	faultFromRule      = "rule"
	faultFromHeader    = "header"
	faultFromErrorRate = "error_rate"
)

// chooseFault picks the fault a request gets, if any: its X-Fake-Fault
// header first, then the rules in order, then the global error rate.
func (s *Server) chooseFault(req *apiRequest) (*FaultRule, string, error) {
	if value := req.Header.Get(FaultHeader); value != "" && s.faultHeader {
		r, err := parseFaultHeader(value)
		if err == nil {
			var errs fieldErrors
			if r, errs = checkFaultRule(r, nil); errs != nil {
				err = errors.New(describeFieldErrors(errs))
			}
		}
		if err != nil {
			detail := FaultHeader + ": " + err.Error()
			return nil, "", &apiError{code: codeInvalid, detail: detail, reason: detail}
		}
		if !s.faults.draw(r.Probability) {
			return nil, "", nil
		}
		return &r, faultFromHeader, nil
	}
	if r := s.faults.fire(req.Method, req.URL.Path); r != nil {
		return r, faultFromRule, nil
	}
	if status := s.toggles.randomError(); status != 0 {
		return &FaultRule{Kind: FaultStatus, Status: status, Probability: s.toggles.errorRate}, faultFromErrorRate, nil
	}
	return nil, "", nil
}

// describeFieldErrors words field errors on one line, fields in order.
func describeFieldErrors(errs fieldErrors) string {
	names := make([]string, 0, len(errs))
	for name := range errs {
		names = append(names, name)
	}
	slices.Sort(names)
	parts := make([]string, 0, len(names))
	for _, name := range names {
		parts = append(parts, name+": "+strings.Join(errs[name], " "))
	}
	return strings.Join(parts, "; ")
}

// serveWithFault acts a fault out on req; next serves the request normally.
func (s *Server) serveWithFault(w http.ResponseWriter, req *apiRequest, f *FaultRule, next func(http.ResponseWriter, *apiRequest)) {
	if f.Kind != FaultDelay && f.Kind != FaultHang && f.Delay > 0 && !s.pause(req.Request, f.Delay) {
		dropConnection(w, req)
		return
	}
	switch f.Kind {
	case FaultStatus:
		writeFaultStatus(w, f)
	case FaultDelay:
		if !s.pause(req.Request, f.Delay) {
			dropConnection(w, req)
			return
		}
		setHeaders(w.Header(), f.Headers)
		next(w, req)
	case FaultReset:
		resetConnection(w, req)
	case FaultClose:
		dropConnection(w, req)
	case FaultHang:
		bound := f.Delay
		if bound == 0 {
			bound = MaxFaultDelay
		}
		s.pause(req.Request, bound)
		dropConnection(w, req)
	case FaultTruncate, FaultMalformed:
		buf := newBufferedResponse(w.Header())
		next(buf, req)
		if f.Kind == FaultTruncate {
			writeTruncated(w, req, buf, f)
		} else {
			writeMalformed(w, buf, f)
		}
	}
}

// pause waits d, or less when the client goes away or the server is closed;
// it reports whether the whole wait passed. The request body is read first
// (it is kept for the handler): until it is, the server cannot notice that
// the client went away.
func (s *Server) pause(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	bufferBody(r)
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-r.Context().Done():
	case <-s.closed:
	}
	return false
}

// bufferBody reads the request body into memory (at most maxBodyBytes+1
// bytes: decodeBody refuses more) and puts it back for the handler.
func bufferBody(r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		return
	}
	data, _ := readAtMost(r.Body, maxBodyBytes+1)
	r.Body = readCloser{Reader: io.MultiReader(bytes.NewReader(data), r.Body), Closer: r.Body}
}

func setHeaders(h http.Header, headers map[string]string) {
	for name, value := range headers {
		h.Set(name, value)
	}
}

// faultDetails are DRF's texts for the statuses a fault is most likely to
// answer; other statuses get their HTTP reason phrase.
var faultDetails = map[int]string{
	http.StatusBadRequest:          "Malformed request.",
	http.StatusUnauthorized:        detailNotAuthenticated,
	http.StatusForbidden:           detailForbidden,
	http.StatusNotFound:            detailNotFound,
	http.StatusTooManyRequests:     "Request was throttled.",
	http.StatusInternalServerError: detailInternal,
	http.StatusBadGateway:          "Bad gateway.",
	http.StatusServiceUnavailable:  "Service temporarily unavailable, try again later.",
	http.StatusGatewayTimeout:      "Gateway timeout.",
}

func faultDetail(status int) string {
	if detail, ok := faultDetails[status]; ok {
		return detail
	}
	return http.StatusText(status) + "."
}

// bodyAllowed reports whether a response of this status may have a body.
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

func writeFaultStatus(w http.ResponseWriter, f *FaultRule) {
	if !bodyAllowed(f.Status) {
		setHeaders(w.Header(), f.Headers)
		w.WriteHeader(f.Status)
		return
	}
	body := []byte(f.Body)
	if f.Body == "" {
		body, _ = json.Marshal(map[string]string{"detail": faultDetail(f.Status)})
	}
	w.Header().Set("Content-Type", "application/json")
	setHeaders(w.Header(), f.Headers)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(f.Status)
	_, _ = w.Write(body)
}

// writeMalformed answers with the handler's status and a body that is not
// valid JSON, under Content-Type application/json.
func writeMalformed(w http.ResponseWriter, buf *bufferedResponse, f *FaultRule) {
	status := buf.statusCode()
	if f.Status != 0 {
		status = f.Status
	}
	if !bodyAllowed(status) {
		status = http.StatusOK
	}
	body := []byte(f.Body)
	if f.Body == "" {
		body = malformedBody(buf.body.Bytes())
	}
	h := w.Header()
	for name, values := range buf.header {
		h[name] = values
	}
	h.Set("Content-Type", "application/json")
	setHeaders(h, f.Headers)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// malformedBody is the first half of a JSON body, which no JSON parser
// accepts.
func malformedBody(body []byte) []byte {
	cut := slices.Clone(body[:len(body)/2])
	if len(bytes.TrimSpace(cut)) == 0 {
		return []byte(`{"detail": `)
	}
	if json.Valid(cut) {
		cut = append(cut, '}')
	}
	return cut
}

// writeTruncated sends the head of the handler's response with the full
// Content-Length, then half of the body, then closes the connection. A
// response with no body is cut inside its head.
func writeTruncated(w http.ResponseWriter, req *apiRequest, buf *bufferedResponse, f *FaultRule) {
	status := buf.statusCode()
	if f.Status != 0 {
		status = f.Status
	}
	body := buf.body.Bytes()
	if f.Body != "" {
		body = []byte(f.Body)
	}
	header := buf.header.Clone()
	setHeaders(header, f.Headers)
	header.Set("Content-Length", strconv.Itoa(len(body)))
	header.Set("Connection", "close")
	req.ex.status = status
	conn, err := hijack(w, req)
	if err != nil {
		// No connection of our own (HTTP/2, a recorder): send what fits the
		// writer, then abort the stream.
		for name, values := range header {
			w.Header()[name] = values
		}
		w.Header().Del("Connection")
		w.WriteHeader(status)
		_, _ = w.Write(body[:len(body)/2])
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	var head bytes.Buffer
	fmt.Fprintf(&head, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	_ = header.Write(&head)
	head.WriteString("\r\n")
	out := head.Bytes()
	if len(body) > 0 {
		out = append(out, body[:len(body)/2]...)
	} else {
		out = out[:len(out)/2]
	}
	_, _ = conn.Write(out)
}

// bufferedResponse holds a handler's response so that a fault can damage it.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBufferedResponse(h http.Header) *bufferedResponse {
	return &bufferedResponse{header: h.Clone()}
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

func (b *bufferedResponse) statusCode() int {
	if b.status == 0 {
		return http.StatusOK
	}
	return b.status
}

// --- the connection ---

// readCloser is a request body rebuilt from parts.
type readCloser struct {
	io.Reader
	io.Closer
}

func readAtMost(r io.Reader, n int64) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r, n))
}

// hijack takes the request's connection over from net/http.
// The exchange is journaled first, before the client can notice anything.
func hijack(w http.ResponseWriter, req *apiRequest) (net.Conn, error) {
	req.ex.hijacked = true
	req.ex.record()
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, err
	}
	return conn, nil
}

// dropConnection closes the connection without an answer (FIN). The body is
// read first, because closing a socket with unread data sends a reset.
// Without a connection of its own, it aborts the response.
func dropConnection(w http.ResponseWriter, req *apiRequest) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(req.Body, maxBodyBytes))
	}
	conn, err := hijack(w, req)
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// resetConnection aborts the connection with a TCP reset: closing with a
// zero linger discards what is unsent and answers RST.
func resetConnection(w http.ResponseWriter, req *apiRequest) {
	conn, err := hijack(w, req)
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp := tcpConn(conn); tcp != nil {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// tcpConn finds the TCP connection under c (under TLS, for example).
func tcpConn(c net.Conn) *net.TCPConn {
	for {
		switch v := c.(type) {
		case *net.TCPConn:
			return v
		case interface{ NetConn() net.Conn }:
			c = v.NetConn()
		default:
			return nil
		}
	}
}
