package fake

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/drf"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/jsonenc"
)

// maxBodyBytes is Django's default DATA_UPLOAD_MAX_MEMORY_SIZE.
const maxBodyBytes = 2_621_440

// apiRequest is a request on its way through the pipeline; each step fills
// in what the next ones need.
type apiRequest struct {
	*http.Request
	ex      *exchange
	route   *pathRoute
	scope   pathScope
	vars    map[string]string
	op      *openapi3.Operation // nil when the path does not serve the method
	version string
	caller  *caller    // nil for anonymous requests
	view    accessView // what the checks read of the store, at once
	orgID   string     // the team the path's object belongs to, if any
	body    any        // the decoded JSON body, once validated
	// schemaErr holds the schema failures of a list body's items. The
	// handler still checks the team rules on the other items and reports
	// both together, as DRF's ListSerializer reports every bad item.
	schemaErr   *apiError
	parsedQuery url.Values // see query
}

// query is the request's query, parsed once; callers must not change it.
func (req *apiRequest) query() url.Values {
	if req.parsedQuery == nil {
		req.parsedQuery = req.URL.Query()
	}
	return req.parsedQuery
}

// exchange is what the log and the journal learn about one request.
type exchange struct {
	start           time.Time
	rec             *observer
	requestID       string
	body            *bodyTap   // nil when the request has no body
	unread          *bodyWatch // nil when the request declares no body
	bodyReadEarly   bool       // the journal read the body's start before the checks
	journaled       bool
	operationID     string
	caller          string // the caller's email
	fault           *FaultRule
	faultSource     string
	validationError string
	hijacked        bool // a fault took the connection over
	status          int  // the status a fault sent past rec, if any
	server          *Server
	request         *http.Request
	recorded        bool   // in the journal already
	redactedPath    string // the journal's path, once recorded: the log's too
	// observer and api are rec and the API pipeline's request, allocated
	// with the exchange: one allocation a request rather than three.
	observer observer
	api      apiRequest
}

// logPath is the request's path as the log shows it: tokens redacted.
func (ex *exchange) logPath() string {
	if ex.recorded {
		return ex.redactedPath
	}
	return ex.server.redactedPath(ex.request)
}

// record adds an API exchange to the journal, once: as the response head is
// written or the connection taken over, so that a client never sees an
// answer before the journal does.
func (ex *exchange) record() {
	if ex.recorded || !ex.journaled || ex.server.journal.size == 0 {
		return
	}
	ex.recorded = true
	entry := ex.server.journalEntry(ex, ex.request)
	ex.redactedPath = entry.Path
	ex.server.journal.add(entry)
}

// ServeHTTP serves one request: recover, journal and log around the control
// plane or the API pipeline.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ex := &exchange{start: time.Now(), requestID: s.nextRequestID(), server: s, request: r}
	ex.observer = observer{ResponseWriter: w, ex: ex}
	ex.rec = &ex.observer
	defer s.finish(ex, r)
	// The header's name is canonical already: no need for Header.Set's work.
	ex.rec.Header()["X-Request-Id"] = []string{ex.requestID}
	if s.cors.handle(ex.rec, r) { // a preflight, answered before anything else
		return
	}
	if body := r.Body; body != nil {
		// net/http decides by its own body type whether to drain what the
		// handler left unread or to close the connection (and, with
		// Expect: 100-continue, whether to ask for the body at all): give
		// it back its body once the watch and the journal's tap are done.
		defer func() { r.Body = body }()
	}
	ex.unread = watchBody(r) // unread_body.go
	if isControlPath(r.URL.Path) && !s.noControl {
		s.serveControl(ex.rec, r)
		return
	}
	ex.journaled = true
	ex.body, ex.bodyReadEarly = s.tapAPIBody(r)
	ex.api = apiRequest{Request: r, ex: ex}
	s.serveAPI(&ex.api)
}

// finish recovers from a panic (a bug: 500), logs the request and adds it
// to the journal. A fault's http.ErrAbortHandler goes on up to net/http,
// which drops the connection.
func (s *Server) finish(ex *exchange, r *http.Request) {
	v := recover()
	if v != nil && v != http.ErrAbortHandler {
		s.logger.Error("panic serving request", "method", r.Method, "path", ex.logPath(), "panic", v)
		if !ex.rec.wroteHeader && !ex.hijacked {
			ex.rec.stopHolding() // a held answer is lost with the panic
			writeError(ex.rec, &apiError{code: codeInternal, detail: detailInternal})
		}
	}
	status := ex.rec.status
	if ex.hijacked {
		status = ex.status
	}
	if s.logger.Enabled(r.Context(), slog.LevelInfo) { // spares the arguments' allocations
		s.logger.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("method", r.Method),
			slog.String("path", ex.logPath()), slog.Int("status", status),
			slog.Duration("duration", time.Since(ex.start)), slog.String("request_id", ex.requestID))
	}
	ex.record() // when nothing was written
	if v == http.ErrAbortHandler {
		panic(v)
	}
}

// serveAPI runs the checks in the real server's order (Django's routing, then
// DRF's): the first failure answers. Faults act once the checks have passed.
func (s *Server) serveAPI(req *apiRequest) {
	w := req.ex.rec
	if !s.latency(req) {
		dropConnection(w, req)
		return
	}
	route, vars := s.spec.match(req.URL.Path)
	if route == nil {
		s.notFoundOrRedirect(w, req.Request)
		return
	}
	req.route, req.scope, req.vars, req.op = route, pathScopes[route.template], vars, route.operation(req.Method)
	if req.op != nil {
		req.ex.operationID = req.op.OperationID
	}
	if req.op != nil && req.Method != http.MethodHead && s.validate.Load() {
		w.holding = true
		s.serveMatched(w, req)
		s.sendValidated(w, req)
		return
	}
	s.serveMatched(w, req)
}

// pipelineChecks are the checks of serveMatched, in order (method
// expressions, so that a request allocates no closures for them).
var pipelineChecks = []func(*Server, *apiRequest) error{
	(*Server).negotiateVersion,
	(*Server).authenticate,
	(*Server).checkVisibility,
	(*Server).checkRole,
	(*Server).checkThrottle,
	(*Server).checkMethod,
}

// serveMatched serves a request whose path is one of the spec's.
func (s *Server) serveMatched(w http.ResponseWriter, req *apiRequest) {
	for _, check := range pipelineChecks {
		if err := check(s, req); err != nil {
			s.fail(w, req, err)
			return
		}
	}
	fault, source, err := s.chooseFault(req)
	if err != nil {
		passThrough(w) // the fake's own complaint about X-Fake-Fault
		s.fail(w, req, err)
		return
	}
	if fault != nil {
		req.ex.fault, req.ex.faultSource = fault, source
		if fault.Kind != FaultDelay {
			passThrough(w) // a fault's answer is off the contract on purpose
		}
		s.serveWithFault(w, req, fault, s.serveOperation)
		return
	}
	s.serveOperation(w, req)
}

// serveOperation validates the body and runs the operation's handler.
func (s *Server) serveOperation(w http.ResponseWriter, req *apiRequest) {
	if err := s.decodeBody(req); err != nil {
		s.fail(w, req, err)
		return
	}
	if err := operations[req.op.OperationID].handle(s, w, req); err != nil {
		s.fail(w, req, err)
	}
}

// fail answers an error and keeps the validator's reason for the journal.
func (s *Server) fail(w http.ResponseWriter, req *apiRequest, err error) {
	if apiErr := asAPIError(err); apiErr.code == codeInvalid && apiErr.reason != "" {
		req.ex.validationError = apiErr.reason
	}
	writeError(w, err)
}

// notFoundOrRedirect answers a path no route matches: Django's APPEND_SLASH
// redirects it when the slashed path exists (for every method, so a POST
// loses its body, as it does for real), else 404.
func (s *Server) notFoundOrRedirect(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, "/") {
		if route, _ := s.spec.match(r.URL.Path + "/"); route != nil {
			location := r.URL.Path + "/"
			if r.URL.RawQuery != "" {
				location += "?" + r.URL.RawQuery
			}
			w.Header().Set("Location", location)
			w.WriteHeader(http.StatusMovedPermanently)
			return
		}
	}
	writeError(w, errNotFound())
}

// negotiateVersion reads the version parameter of the Accept media type DRF
// would pick (the most specific one JSON satisfies).
func (s *Server) negotiateVersion(req *apiRequest) error {
	version, ok := drf.AcceptedVersion(req.Header.Values("Accept"))
	if !ok {
		return &apiError{code: codeNotAcceptable, detail: drf.NotAcceptable}
	}
	versions := req.scope.versions
	if versions == nil {
		versions = drf.Versions
	}
	if version == "" {
		version = "1.0"
	}
	if !slices.Contains(versions, version) {
		return &apiError{code: codeNotAcceptable, detail: detailInvalidVersion}
	}
	req.version = version
	return nil
}

// authenticate applies DRF's TokenAuthentication. A header with another
// keyword is not this scheme's, so the request stays anonymous. The token's
// lookup reads, under the same lock, all the later checks need of the store.
func (s *Server) authenticate(req *apiRequest) error {
	need := req.access()
	if need == accessAnyone {
		return nil
	}
	fields := strings.Fields(req.Header.Get("Authorization"))
	if len(fields) == 0 || !strings.EqualFold(fields[0], "token") {
		if need != accessOptional {
			return errUnauthorized(detailNotAuthenticated)
		}
		return nil
	}
	switch {
	case len(fields) == 1:
		return errUnauthorized(detailNoCredentials)
	case len(fields) > 2:
		return errUnauthorized(detailTokenSpaces)
	}
	req.view = s.store.access(fields[1], req.object())
	if !req.view.authenticated {
		return errUnauthorized(detailInvalidToken)
	}
	req.caller = &req.view.caller
	req.ex.caller = req.view.email
	return nil
}

// object names the object of the request's path for the visibility check;
// a membership id that is not a positive number names none.
func (req *apiRequest) object() objectRef {
	param := req.vars[req.scope.param]
	switch req.scope.kind {
	case scopeOrg, scopeGroup, scopeCampaign:
		return objectRef{kind: req.scope.kind, id: strings.ToLower(param)}
	case scopeMembership:
		if id, err := strconv.Atoi(param); err == nil && id >= 1 {
			return objectRef{kind: scopeMembership, num: id}
		}
	}
	return objectRef{}
}

// access is what the operation needs; for a method the path does not serve,
// the least its operations need, and at least the management right on a
// team's objects (DRF checks permissions before it answers 405).
func (req *apiRequest) access() access {
	if req.op != nil {
		return operations[req.op.OperationID].access
	}
	least := accessAdmin
	for _, op := range req.route.item.Operations() {
		least = min(least, operations[op.OperationID].access)
	}
	if req.scope.kind != scopeNone {
		least = max(least, accessManage)
	}
	return least
}

// checkVisibility hides objects of teams the caller is not in: they are
// 404s, never 403s.
func (s *Server) checkVisibility(req *apiRequest) error {
	if req.scope.kind == scopeNone {
		return nil
	}
	if req.caller == nil || !req.view.member {
		return errNotFound()
	}
	req.orgID = req.view.orgID
	return nil
}

// checkRole applies the team-management rights of the roles. A method the
// path does not serve needs the management right before it earns its 405,
// because DRF checks permissions before it dispatches on the method.
func (s *Server) checkRole(req *apiRequest) error {
	need := req.access()
	if need < accessManage || req.orgID == "" {
		return nil
	}
	if role := req.view.role; role == RoleAdmin || (need == accessManage && role == RoleManager) {
		return nil
	}
	return errForbidden()
}

func (s *Server) checkMethod(req *apiRequest) error {
	if req.op == nil {
		return errMethodNotAllowed(req.Method, req.route.allow)
	}
	return nil
}

// writeJSON writes v as DRF's renderer does: compact, no HTML escaping.
func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := jsonBuffers.Get().(*bytes.Buffer)
	defer putJSONBuffer(buf)
	buf.Reset()
	if err := jsonenc.Encode(buf, v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"detail":"` + detailInternal + `"}`)
	}
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(buf.Len())}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// jsonBuffers holds the buffers of response bodies; every ResponseWriter of
// the pipeline copies what it is given, so a buffer is free again once
// Write returns.
var jsonBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 4096)) }}

// putJSONBuffer returns a buffer to the pool unless it grew very large (a
// whole large list at version 1.0), which would pin its memory. Bodies of a
// thousand items (some hundreds of KiB) keep theirs, so that they are not
// grown again from 4 KiB on every request.
func putJSONBuffer(buf *bytes.Buffer) {
	if buf.Cap() <= 4<<20 {
		jsonBuffers.Put(buf)
	}
}
