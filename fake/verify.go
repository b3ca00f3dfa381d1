package fake

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Verification: counting journal entries and checking that the journal holds
// what a test expects, from Go and through the control plane. A filter that
// can match nothing (an unknown operation id, a path no route has) is an
// error rather than zero matches, so that a typo cannot make an assertion
// pass.

// maxNearMisses bounds the requests an expectation's error lists.
const maxNearMisses = 10

// Times says how many journal entries an expectation wants. Make one with
// Exactly, AtLeast, AtMost or Between; the zero value wants none.
type Times struct {
	min, max int // max < 0: no upper bound
}

// Exactly wants n matching requests; Exactly(0) wants none.
func Exactly(n int) Times { return Times{n, n} }

// AtLeast wants n or more matching requests.
func AtLeast(n int) Times { return Times{n, -1} }

// AtMost wants n or fewer matching requests.
func AtMost(n int) Times { return Times{0, n} }

// Between wants from min to max matching requests, both included.
func Between(min, max int) Times { return Times{min, max} }

func (t Times) allows(n int) bool { return n >= t.min && (t.max < 0 || n <= t.max) }

// String says the wanted number in words: "exactly 1", "at least 2".
func (t Times) String() string {
	switch {
	case t.min == t.max:
		return "exactly " + strconv.Itoa(t.min)
	case t.max < 0:
		return "at least " + strconv.Itoa(t.min)
	case t.min == 0:
		return "at most " + strconv.Itoa(t.max)
	default:
		return fmt.Sprintf("between %d and %d", t.min, t.max)
	}
}

func (t Times) check() error {
	if t.min < 0 || t.max >= 0 && t.max < t.min {
		return fmt.Errorf("expected number %s makes no sense", t)
	}
	return nil
}

// NearMiss is a journal entry that fails exactly one of an expectation's
// criteria: the request a test most likely meant.
type NearMiss struct {
	Entry JournalEntry
	// Differs names the criterion it fails: "method", "path", "status",
	// "operation_id" or "unmatched".
	Differs string
}

// String describes the entry and how it differs from what was wanted.
func (m NearMiss) String() string {
	return describeEntry(m.Entry) + ": " + m.Differs + " differs"
}

// ExpectationError is the error of ExpectRequests when the journal does not
// hold the number of requests wanted. When there were too few it lists the
// near misses; when there were too many, the matches.
type ExpectationError struct {
	Filter     JournalFilter
	Times      Times
	Found      int
	NearMisses []NearMiss     // the newest ones, at most 10, when too few matched
	Matches    []JournalEntry // the newest ones, at most 10, when too many matched
}

// Error says what was wanted and found, one near miss or match a line.
func (e *ExpectationError) Error() string {
	var b strings.Builder
	b.WriteString(e.summary())
	for _, m := range e.NearMisses {
		b.WriteString("\n  near miss: " + m.String())
	}
	for _, m := range e.Matches {
		b.WriteString("\n  match: " + describeEntry(m))
	}
	return b.String()
}

func (e *ExpectationError) summary() string {
	noun := "requests"
	if e.Times.min == 1 && e.Times.max == 1 {
		noun = "request"
	}
	return fmt.Sprintf("Expected %s %s %s, found %d.", e.Times, noun, describeFilter(e.Filter), e.Found)
}

// describeFilter words a filter for messages: "with method POST and path /api/groups/{id}/".
func describeFilter(f JournalFilter) string {
	var parts []string
	for _, c := range f.criteria() {
		parts = append(parts, c.name+" "+c.value)
	}
	if len(parts) == 0 {
		return "of any kind"
	}
	return "with " + strings.Join(parts, " and ")
}

// describeEntry names a journal entry in one line: #12 PUT /api/… → 200 (operation).
func describeEntry(e JournalEntry) string {
	s := fmt.Sprintf("#%d %s %s → %d", e.ID, e.Method, e.Path, e.Status)
	if e.OperationID != "" {
		return s + " (" + e.OperationID + ")"
	}
	return s + " (no operation)"
}

// criterion is one condition of a filter that is set.
type criterion struct {
	name, value string
	keep        func(e *JournalEntry) bool
}

func (f JournalFilter) criteria() []criterion {
	var cs []criterion
	if f.Method != "" {
		cs = append(cs, criterion{"method", strings.ToUpper(f.Method), func(e *JournalEntry) bool { return strings.EqualFold(f.Method, e.Method) }})
	}
	if f.Path != "" {
		cs = append(cs, criterion{"path", f.Path, func(e *JournalEntry) bool { return pathMatches(f.Path, e.Path) }})
	}
	if f.OperationID != "" {
		cs = append(cs, criterion{"operation_id", f.OperationID, func(e *JournalEntry) bool { return f.OperationID == e.OperationID }})
	}
	if f.Status != 0 {
		cs = append(cs, criterion{"status", strconv.Itoa(f.Status), func(e *JournalEntry) bool { return f.Status == e.Status }})
	}
	if f.Unmatched {
		cs = append(cs, criterion{"unmatched", "true", func(e *JournalEntry) bool { return e.OperationID == "" }})
	}
	return cs
}

// checkJournalFilter refuses filters that can match no request the fake
// could journal, naming the values it knows.
func (s *Server) checkJournalFilter(f JournalFilter) fieldErrors {
	errs := fieldErrors{}
	if f.OperationID != "" {
		ops := s.spec.operations()
		if _, ok := ops[f.OperationID]; f.Unmatched {
			errs.add("operation_id", "Unmatched requests have no operation id.")
		} else if !ok {
			errs.add("operation_id", fmt.Sprintf("Unknown operation id %q. Known: %s.",
				f.OperationID, strings.Join(slices.Sorted(maps.Keys(ops)), ", ")))
		}
	}
	// Unmatched requests are the ones on paths no route may have.
	if f.Path != "" && !f.Unmatched {
		if msg := checkRulePath(f.Path, s.apiPaths()); msg != "" {
			paths := s.apiPaths()
			slices.Sort(paths)
			errs.add("path", msg+" Known paths: "+strings.Join(paths, ", ")+".")
		}
	}
	if f.Status != 0 && (f.Status < 100 || f.Status > 599) {
		errs.add("status", "Enter an HTTP status from 100 to 599.")
	}
	if f.Limit < 0 {
		errs.add("limit", "A valid non-negative integer is required.")
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func filterError(errs fieldErrors) error {
	return errors.New("journal filter: " + describeFieldErrors(errs))
}

// RequestCount returns how many journal entries match filter (its Limit
// aside). A filter that can match no request — an operation id that
// openapi.yaml does not have, a path no route has (unless Unmatched) — is
// an error naming the known values.
func (s *Server) RequestCount(filter JournalFilter) (int, error) {
	if errs := s.checkJournalFilter(filter); errs != nil {
		return 0, filterError(errs)
	}
	return s.journal.count(filter), nil
}

// ExpectRequests checks that the journal holds as many requests matching
// filter as times wants. It returns nil when it does, an *ExpectationError
// listing the near misses (requests that fail one criterion only: the same
// path with another method, the same operation with another status…) or
// the extra matches when it does not, and another error for a filter that
// can match nothing, as RequestCount does. Remember that the journal keeps
// only the newest requests (WithJournalSize).
func (s *Server) ExpectRequests(filter JournalFilter, times Times) error {
	if errs := s.checkJournalFilter(filter); errs != nil {
		return filterError(errs)
	}
	if err := times.check(); err != nil {
		return err
	}
	_, err := s.expect(filter, times)
	return err
}

// expect is ExpectRequests on a checked filter, with the number of matches.
func (s *Server) expect(filter JournalFilter, times Times) (int, error) {
	filter.Limit = 0
	all := s.journal.list(JournalFilter{})
	criteria := filter.criteria()
	var matches []JournalEntry
	var misses []NearMiss
	for i := range all {
		e := &all[i]
		failed := ""
		n := 0
		for _, c := range criteria {
			if !c.keep(e) {
				failed, n = c.name, n+1
			}
		}
		switch {
		case n == 0:
			matches = append(matches, *e)
		// With one criterion, every other request fails exactly it: not a
		// near miss worth naming.
		case n == 1 && len(criteria) > 1:
			misses = append(misses, NearMiss{Entry: *e, Differs: failed})
		}
	}
	if times.allows(len(matches)) {
		return len(matches), nil
	}
	err := &ExpectationError{Filter: filter, Times: times, Found: len(matches)}
	if len(matches) < times.min {
		err.NearMisses = append([]NearMiss{}, newest(misses)...) // empty, not nil: none were near
	} else {
		err.Matches = newest(matches)
	}
	return len(matches), err
}

func newest[E any](list []E) []E {
	if len(list) > maxNearMisses {
		list = list[len(list)-maxNearMisses:]
	}
	return list
}

// --- the control plane's side ---

// parseJournalFilter reads the filter of GET /__fake/requests and
// /__fake/requests/count from the query.
func parseJournalFilter(query url.Values) (JournalFilter, fieldErrors) {
	f := JournalFilter{Method: query.Get("method"), Path: query.Get("path"), OperationID: query.Get("operation_id")}
	errs := fieldErrors{}
	for name, target := range map[string]*int{"status": &f.Status, "limit": &f.Limit} {
		raw := query.Get(name)
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			errs.add(name, "A valid non-negative integer is required.")
			continue
		}
		*target = n
	}
	switch raw := query.Get("unmatched"); raw {
	case "", "false":
	case "true":
		f.Unmatched = true
	default:
		errs.add("unmatched", `Must be "true" or "false".`)
	}
	return f, errs
}

// journalFilterOf reads and checks the filter of a control-plane request.
func (s *Server) journalFilterOf(query url.Values) (JournalFilter, error) {
	f, errs := parseJournalFilter(query)
	if len(errs) == 0 {
		errs = s.checkJournalFilter(f)
	}
	if len(errs) > 0 {
		return f, errInvalidFields(errs)
	}
	return f, nil
}

// controlCountRequests answers {"count": n} for the journal filter of the query.
func (s *Server) controlCountRequests(w http.ResponseWriter, r *http.Request, _ string) error {
	f, err := s.journalFilterOf(r.URL.Query())
	if err != nil {
		return err
	}
	f.Limit = 0
	writeJSON(w, http.StatusOK, map[string]int{"count": s.journal.count(f)})
	return nil
}

// expectationJSON is the body of POST /__fake/requests/expect.
type expectationJSON struct {
	Method, Path, OperationID string
	Status                    int
	Unmatched                 bool
	Count, Min, Max           *int // nil when not given
}

// decodeExpectation reads the body field by field, so that a bad field is
// reported by name in DRF's words, as a fault rule's is.
func decodeExpectation(data []byte) (expectationJSON, fieldErrors) {
	var x expectationJSON
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		return x, fieldErrors{"non_field_errors": {"Invalid data. Expected a dictionary of filters and count, min or max."}}
	}
	const notString = "Not a valid string."
	targets := map[string]struct {
		value any
		msg   string
	}{
		"method": {&x.Method, notString}, "path": {&x.Path, notString}, "operation_id": {&x.OperationID, notString},
		"status": {&x.Status, msgInteger}, "unmatched": {&x.Unmatched, "Must be a valid boolean."},
		"count": {&x.Count, msgInteger}, "min": {&x.Min, msgInteger}, "max": {&x.Max, msgInteger},
	}
	errs := fieldErrors{}
	for name, raw := range fields {
		target, ok := targets[name]
		switch {
		case !ok:
			errs.add(name, "Unknown field: use method, path, status, operation_id, unmatched, count, min or max.")
		case string(raw) == "null":
		default:
			if msg := unmarshalOr(raw, target.value, target.msg); msg != "" {
				errs.add(name, msg)
			}
		}
	}
	return x, errs
}

// times turns count, min and max into Times: count alone, or min and max
// (either may be left out); none at all wants at least one request.
func (x expectationJSON) times() (Times, fieldErrors) {
	errs := fieldErrors{}
	for name, v := range map[string]*int{"count": x.Count, "min": x.Min, "max": x.Max} {
		if v != nil && *v < 0 {
			errs.add(name, "Ensure this value is greater than or equal to 0.")
		}
	}
	if x.Count != nil && (x.Min != nil || x.Max != nil) {
		errs.add("non_field_errors", "Give count, or min and max, not both.")
	}
	if x.Min != nil && x.Max != nil && *x.Max < *x.Min {
		errs.add("max", "Ensure this value is greater than or equal to min.")
	}
	if len(errs) > 0 {
		return Times{}, errs
	}
	switch {
	case x.Count != nil:
		return Exactly(*x.Count), nil
	case x.Min == nil && x.Max == nil:
		return AtLeast(1), nil
	case x.Max == nil:
		return AtLeast(*x.Min), nil
	case x.Min == nil:
		return AtMost(*x.Max), nil
	default:
		return Between(*x.Min, *x.Max), nil
	}
}

// controlExpectRequests answers 200 {"count": n} when the journal holds what
// the body expects, and otherwise a 400 in DRF's shape: the summary under
// non_field_errors, and the near misses or extra matches, one line each.
func (s *Server) controlExpectRequests(w http.ResponseWriter, r *http.Request, _ string) error {
	data, err := readControlBody(r, maxRuleBytes)
	if err != nil {
		return err
	}
	if _, err := decodeJSON(data); err != nil {
		return &apiError{code: codeInvalid, detail: "JSON parse error - " + err.Error()}
	}
	x, errs := decodeExpectation(data)
	if len(errs) > 0 {
		return errInvalidFields(errs)
	}
	times, errs := x.times()
	f := JournalFilter{Method: x.Method, Path: x.Path, Status: x.Status, OperationID: x.OperationID, Unmatched: x.Unmatched}
	if len(errs) == 0 {
		errs = s.checkJournalFilter(f)
	}
	if len(errs) > 0 {
		return errInvalidFields(errs)
	}
	count, err := s.expect(f, times)
	var unmet *ExpectationError
	if errors.As(err, &unmet) {
		body := map[string][]string{"non_field_errors": {unmet.summary()}}
		if unmet.NearMisses != nil {
			body["near_misses"] = []string{}
			for _, m := range unmet.NearMisses {
				body["near_misses"] = append(body["near_misses"], m.String())
			}
		}
		if unmet.Matches != nil {
			body["matches"] = []string{}
			for _, m := range unmet.Matches {
				body["matches"] = append(body["matches"], describeEntry(m))
			}
		}
		writeJSON(w, http.StatusBadRequest, body)
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"count": count})
	return nil
}
