package fake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
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

// knownMethods are the methods a rule may name.
var knownMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// serverHeaders are the response headers a fault may not set: the request's
// id, which ties an answer to its journal entry and log line, and the
// message's framing.
var serverHeaders = []string{"X-Request-Id", "Content-Length", "Transfer-Encoding", "Connection"}

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
	case r.Status != 0 && !bodyAllowed(r.Status) && (r.Kind == FaultMalformed || r.Kind == FaultTruncate):
		// A damaged body needs a body; net/http would send none, and the
		// fault would quietly become another status.
		errs.add("status", fmt.Sprintf("Status %d has no body, which kind %q damages; use a status that has one.", r.Status, r.Kind))
	case r.Body != "" && r.Kind == FaultStatus && !bodyAllowed(r.Status):
		errs.add("body", fmt.Sprintf("Status %d has no body.", r.Status))
	}
	if len(r.Headers) > 0 && knownKind && !uses.headers {
		errs.add("headers", fmt.Sprintf("Does not apply to kind %q.", r.Kind))
	}
	for name, value := range r.Headers {
		switch {
		case !validHeaderName(name) || strings.ContainsAny(value, "\r\n\x00"):
			errs.add("headers", fmt.Sprintf("%q: %q is not a valid header.", name, value))
		case slices.Contains(serverHeaders, http.CanonicalHeaderKey(name)):
			errs.add("headers", fmt.Sprintf("%q is the server's own header; a fault may not set it.", name))
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
