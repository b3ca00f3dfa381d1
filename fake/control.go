package fake

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The control plane: the fake's own endpoints under /__fake/, for tests to
// reset, inspect, verify and break the fake. They are not part of the API:
// no PixieBrix token, never in openapi.yaml, never journaled. Their own
// contract is controlplane.yaml: a route added here is described there.

// controlPrefix is outside /api/, so that it can never shadow an API path.
const controlPrefix = "/__fake"

// Bodies the control plane reads are bounded: a state may be large, a rule not.
const (
	maxStateBytes = 64 << 20
	maxRuleBytes  = 1 << 20
)

func isControlPath(path string) bool {
	return path == controlPrefix || strings.HasPrefix(path, controlPrefix+"/")
}

type controlHandler func(s *Server, w http.ResponseWriter, r *http.Request, id string) error

// controlRoute is one path of the control plane; "{id}" stands for a rule id.
type controlRoute struct {
	path    string
	methods map[string]controlHandler
}

var controlRoutes = []controlRoute{
	{"/__fake/health", map[string]controlHandler{http.MethodGet: (*Server).controlHealth}},
	{"/__fake/reset", map[string]controlHandler{http.MethodPost: (*Server).controlReset}},
	{"/__fake/state", map[string]controlHandler{http.MethodGet: (*Server).controlGetState, http.MethodPut: (*Server).controlPutState}},
	{"/__fake/faults", map[string]controlHandler{
		http.MethodGet: (*Server).controlListFaults, http.MethodPost: (*Server).controlAddFault, http.MethodDelete: (*Server).controlClearFaults,
	}},
	{"/__fake/faults/{id}", map[string]controlHandler{http.MethodGet: (*Server).controlGetFault, http.MethodDelete: (*Server).controlDeleteFault}},
	{"/__fake/requests", map[string]controlHandler{http.MethodGet: (*Server).controlListRequests, http.MethodDelete: (*Server).controlClearRequests}},
	{"/__fake/requests/count", map[string]controlHandler{http.MethodGet: (*Server).controlCountRequests}},
	{"/__fake/requests/expect", map[string]controlHandler{http.MethodPost: (*Server).controlExpectRequests}},
	{"/__fake/openapi.yaml", map[string]controlHandler{http.MethodGet: (*Server).controlOpenAPI}},
	// users in no team and the outbox (control_users.go)
	{"/__fake/users", map[string]controlHandler{http.MethodPost: (*Server).controlAddUser}},
	{"/__fake/outbox", map[string]controlHandler{http.MethodGet: (*Server).controlListOutbox, http.MethodDelete: (*Server).controlClearOutbox}},
}

func (route controlRoute) match(path string) (id string, ok bool) {
	prefix, param := strings.CutSuffix(route.path, "{id}")
	if !param {
		return "", path == route.path
	}
	id, ok = strings.CutPrefix(path, prefix)
	return id, ok && id != "" && !strings.Contains(id, "/")
}

func (route controlRoute) allow() []string {
	var allow []string
	for _, method := range drfMethodOrder {
		if _, ok := route.methods[method]; ok {
			allow = append(allow, method)
		}
	}
	return allow
}

// serveControl routes a control-plane request. A trailing slash is optional.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	if err := s.checkControlToken(r); err != nil {
		writeError(w, err)
		return
	}
	path := r.URL.Path
	if len(path) > len(controlPrefix)+1 {
		path = strings.TrimSuffix(path, "/")
	}
	for _, route := range controlRoutes {
		id, ok := route.match(path)
		if !ok {
			continue
		}
		handle, ok := route.methods[r.Method]
		if !ok {
			writeError(w, errMethodNotAllowed(r.Method, route.allow()))
			return
		}
		if err := handle(s, w, r, id); err != nil {
			writeError(w, err)
		}
		return
	}
	writeError(w, errNotFound())
}

// checkControlToken guards the control plane with the WithControlToken
// token, when there is one.
func (s *Server) checkControlToken(r *http.Request) error {
	if s.controlToken == "" {
		return nil
	}
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if strings.EqualFold(scheme, "Bearer") && s.controlTokenMatches(token) {
		return nil
	}
	return &apiError{
		code:   codeUnauthorized,
		detail: "The control plane needs its token: Authorization: Bearer <token>.",
		header: http.Header{"Www-Authenticate": {"Bearer"}},
	}
}

// controlTokenMatches reports whether token is the WithControlToken token,
// or whether there is none to match.
func (s *Server) controlTokenMatches(token string) bool {
	return s.controlToken == "" ||
		subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.controlToken)) == 1
}

// controlHealth answers ready: New returns only once seeding is done, so a
// server that answers is ready.
func (s *Server) controlHealth(w http.ResponseWriter, _ *http.Request, _ string) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

func (s *Server) controlReset(w http.ResponseWriter, _ *http.Request, _ string) error {
	if err := s.reset(); err != nil {
		return stateFileError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// yamlTypes are the media types that ask for the state in YAML.
var yamlTypes = []string{"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}

func wantsYAML(r *http.Request) bool {
	for _, part := range strings.Split(strings.Join(r.Header.Values("Accept"), ","), ",") {
		mediaType, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err == nil && slices.Contains(yamlTypes, mediaType) {
			return true
		}
	}
	return false
}

// controlGetState answers the data as a fixture: JSON, or YAML when the
// Accept header asks for it.
func (s *Server) controlGetState(w http.ResponseWriter, r *http.Request, _ string) error {
	state := s.State()
	if !wantsYAML(r) {
		writeJSON(w, http.StatusOK, state)
		return nil
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(state); err != nil {
		return err
	}
	_ = enc.Close()
	w.Header().Set("Content-Type", "application/yaml")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// controlPutState replaces the data with a fixture in JSON or YAML.
func (s *Server) controlPutState(w http.ResponseWriter, r *http.Request, _ string) error {
	data, err := readControlBody(r, maxStateBytes)
	if err != nil {
		return err
	}
	parse := ParseFixture
	if isJSONType(r.Header.Get("Content-Type")) && bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		// JSON said and meant: a trailing comma is an error, not YAML.
		parse = ParseFixtureJSON
	}
	f, err := parse(data)
	if err != nil {
		return &apiError{code: codeInvalid, detail: "Invalid state: " + err.Error()}
	}
	if err := s.LoadState(*f); err != nil {
		if apiErr := (*apiError)(nil); errors.As(err, &apiErr) && apiErr.code == codeInternal {
			return apiErr // the state file failed: not the document's fault
		}
		return &apiError{code: codeInvalid, detail: "Invalid state: " + err.Error()}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// isJSONType reports whether a Content-Type names JSON: application/json
// or a +json type.
func isJSONType(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mediaType == "application/json" || strings.HasSuffix(mediaType, "+json"))
}

func readControlBody(r *http.Request, limit int64) ([]byte, error) {
	data, err := readAtMost(r.Body, limit+1)
	switch {
	case err != nil:
		return nil, &apiError{code: codeInvalid, detail: "The request body could not be read."}
	case int64(len(data)) > limit:
		return nil, &apiError{code: codeTooLarge, detail: fmt.Sprintf("Request body exceeds the limit of %d MiB.", limit>>20)}
	}
	return data, nil
}

func (s *Server) controlListFaults(w http.ResponseWriter, _ *http.Request, _ string) error {
	writeJSON(w, http.StatusOK, s.Faults())
	return nil
}

// controlAddFault adds a rule; 201 with the rule and its id.
func (s *Server) controlAddFault(w http.ResponseWriter, r *http.Request, _ string) error {
	data, err := readControlBody(r, maxRuleBytes)
	if err != nil {
		return err
	}
	if _, err := decodeJSON(data); err != nil {
		return &apiError{code: codeInvalid, detail: "JSON parse error - " + err.Error()}
	}
	rule, errs := decodeFaultRule(data)
	if len(errs) > 0 {
		return errInvalidFields(errs)
	}
	added, err := s.addFault(rule)
	if err != nil {
		return err
	}
	w.Header().Set("Location", controlPrefix+"/faults/"+strconv.Itoa(added.ID))
	writeJSON(w, http.StatusCreated, added)
	return nil
}

func (s *Server) controlClearFaults(w http.ResponseWriter, _ *http.Request, _ string) error {
	s.ClearFaults()
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) controlGetFault(w http.ResponseWriter, _ *http.Request, id string) error {
	n, err := strconv.Atoi(id)
	if err != nil {
		return errNotFound()
	}
	rule, ok := s.faults.get(n)
	if !ok {
		return errNotFound()
	}
	writeJSON(w, http.StatusOK, rule)
	return nil
}

func (s *Server) controlDeleteFault(w http.ResponseWriter, _ *http.Request, id string) error {
	n, err := strconv.Atoi(id)
	if err != nil || !s.faults.remove(n) {
		return errNotFound()
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// controlListRequests answers the journal, oldest first, filtered by the
// query: method, path, status, operation_id, unmatched, limit.
func (s *Server) controlListRequests(w http.ResponseWriter, r *http.Request, _ string) error {
	f, err := s.journalFilterOf(r.URL.Query())
	if err != nil {
		return err
	}
	writeJournal(w, s.journal.shared(f))
	return nil
}

func (s *Server) controlClearRequests(w http.ResponseWriter, _ *http.Request, _ string) error {
	s.ClearJournal()
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// --- the Go API of the control plane ---

// InjectFault adds a fault rule after the others and returns a function that
// removes it (calling it again does nothing). A rule that makes no sense is
// an error naming its fields. Safe while requests are in flight.
func (s *Server) InjectFault(rule FaultRule) (remove func(), err error) {
	added, err := s.addFault(rule)
	if err != nil {
		if apiErr := asAPIError(err); apiErr.fields != nil {
			return nil, errors.New("fault rule: " + describeFieldErrors(apiErr.fields))
		}
		return nil, err
	}
	return func() { s.faults.remove(added.ID) }, nil
}

// addFault checks a rule and adds it: a 400 names its bad fields, or says
// that the rules are at their cap.
func (s *Server) addFault(rule FaultRule) (FaultRule, error) {
	checked, errs := checkFaultRule(rule, s.apiPaths())
	if errs != nil {
		return FaultRule{}, errInvalidFields(errs)
	}
	return s.faults.add(checked)
}

// apiPaths are the path templates of openapi.yaml.
func (s *Server) apiPaths() []string {
	paths := make([]string, 0, len(s.spec.paths))
	for template := range s.spec.paths {
		paths = append(paths, template)
	}
	return paths
}

// Faults returns copies of the fault rules in the order they are checked,
// with how often each has matched and fired. Expired rules are gone.
func (s *Server) Faults() []FaultRule { return s.faults.list() }

// ClearFaults removes every fault rule.
func (s *Server) ClearFaults() { s.faults.clear() }

// Journal returns copies of the journal's entries that match filter, oldest
// first.
func (s *Server) Journal(filter JournalFilter) []JournalEntry { return s.journal.list(filter) }

// ClearJournal empties the journal.
func (s *Server) ClearJournal() { s.journal.clear() }
