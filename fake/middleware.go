package fake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// maxBodyBytes is Django's default DATA_UPLOAD_MAX_MEMORY_SIZE.
const maxBodyBytes = 2_621_440

// allowedVersions are the API versions the real server accepts.
var allowedVersions = []string{"1.0", "1.1", "2.0"}

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
	caller  *caller // nil for anonymous requests
	orgID   string  // the team the path's object belongs to, if any
	body    any     // the decoded JSON body, once validated
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
	rec             *statusRecorder
	requestID       string
	body            *bodyTap // nil when the request has no body
	journaled       bool
	operationID     string
	caller          string // the caller's email
	fault           *FaultRule
	faultSource     string
	validationError string
	hijacked        bool // a fault took the connection over
	status          int  // the status a fault sent past rec, if any
	// record adds the exchange to the journal, once: as the response head is
	// written or the connection taken over, so that a client never sees an
	// answer before the journal does.
	record func()
}

// ServeHTTP serves one request: recover, journal and log around the control
// plane or the API pipeline.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ex := &exchange{start: time.Now(), requestID: s.nextRequestID()}
	ex.record = s.recorder(ex, r)
	ex.rec = &statusRecorder{ResponseWriter: w, beforeHeader: ex.record}
	defer s.finish(ex, r)
	ex.rec.Header().Set("X-Request-Id", ex.requestID)
	if s.cors.handle(ex.rec, r) { // a preflight, answered before anything else
		return
	}
	if isControlPath(r.URL.Path) && !s.noControl {
		s.serveControl(ex.rec, r)
		return
	}
	ex.journaled = true
	if body := r.Body; body != nil {
		// net/http decides by its own body type whether to drain what the
		// handler left unread or to close the connection (and, with
		// Expect: 100-continue, whether to ask for the body at all): give
		// it back its body once the journal's tap is done.
		defer func() { r.Body = body }()
	}
	ex.body = tapBody(r)
	s.serveAPI(ex.rec, &apiRequest{Request: r, ex: ex})
}

// recorder returns the function that journals an API exchange, once.
func (s *Server) recorder(ex *exchange, r *http.Request) func() {
	done := false
	return func() {
		if done || !ex.journaled || s.journal.size == 0 {
			return
		}
		done = true
		s.journal.add(s.journalEntry(ex, r))
	}
}

// finish recovers from a panic (a bug: 500), logs the request and adds it
// to the journal. A fault's http.ErrAbortHandler goes on up to net/http,
// which drops the connection.
func (s *Server) finish(ex *exchange, r *http.Request) {
	v := recover()
	if v != nil && v != http.ErrAbortHandler {
		s.logger.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v)
		if !ex.rec.wroteHeader && !ex.hijacked {
			writeError(ex.rec, &apiError{code: codeInternal, detail: detailInternal})
		}
	}
	status := ex.rec.status
	if ex.hijacked {
		status = ex.status
	}
	if s.logger.Enabled(r.Context(), slog.LevelInfo) { // spares the arguments' allocations
		s.logger.Info("request", "method", r.Method, "path", r.URL.Path, "status", status,
			"duration", time.Since(ex.start), "request_id", ex.requestID)
	}
	ex.record() // when nothing was written
	if v == http.ErrAbortHandler {
		panic(v)
	}
}

// serveAPI runs the checks in the real server's order (Django's routing, then
// DRF's): the first failure answers. Faults act once the checks have passed.
func (s *Server) serveAPI(w http.ResponseWriter, req *apiRequest) {
	if !s.pause(req.Request, s.toggles.nextLatency()) {
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
		buf := &validatingWriter{ResponseWriter: w}
		s.serveMatched(buf, req)
		s.sendValidated(w, buf, req)
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
	version, ok := acceptedVersion(req.Header.Values("Accept"))
	if !ok {
		return &apiError{code: codeNotAcceptable, detail: "Could not satisfy the request Accept header."}
	}
	versions := req.scope.versions
	if versions == nil {
		versions = allowedVersions
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

// acceptedVersion returns the version parameter of the best Accept entry
// that a JSON response satisfies, and false when none does.
func acceptedVersion(accept []string) (string, bool) {
	var ranges []string
	for _, header := range accept {
		ranges = append(ranges, strings.Split(header, ",")...)
	}
	if len(ranges) == 0 || strings.TrimSpace(strings.Join(ranges, "")) == "" {
		return "", true
	}
	bestPrecedence, version := -1, ""
	for _, raw := range ranges {
		mediaType, params, err := mime.ParseMediaType(strings.TrimSpace(raw))
		if err != nil {
			continue
		}
		var precedence int
		switch mediaType {
		case "application/json", "application/vnd.pixiebrix.api+json":
			precedence = 2
		case "application/*":
			precedence = 1
		case "*/*":
			precedence = 0
		default:
			continue
		}
		if len(params) > 0 && !(len(params) == 1 && params["q"] != "") {
			precedence += 3 // DRF ranks media types with parameters first
		}
		if precedence > bestPrecedence {
			bestPrecedence, version = precedence, params["version"]
		}
	}
	return version, bestPrecedence >= 0
}

// authenticate applies DRF's TokenAuthentication. A header with another
// keyword is not this scheme's, so the request stays anonymous.
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
	c, ok := s.store.authenticate(fields[1])
	if !ok {
		return errUnauthorized(detailInvalidToken)
	}
	req.caller = &c
	req.ex.caller = s.store.emailOfUser(c.userID)
	return nil
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
	param := req.vars[req.scope.param]
	var orgID string
	var found bool
	switch req.scope.kind {
	case scopeOrg:
		orgID, found = strings.ToLower(param), true
	case scopeMembership:
		id, err := strconv.Atoi(param)
		if err != nil || id < 1 {
			return errNotFound()
		}
		orgID, found = s.store.orgOfMembership(id)
	case scopeGroup:
		orgID, found = s.store.orgOfGroup(strings.ToLower(param))
	}
	if !found || req.caller == nil {
		return errNotFound()
	}
	if _, member := s.store.roleIn(orgID, *req.caller); !member {
		return errNotFound()
	}
	req.orgID = orgID
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
	role, _ := s.store.roleIn(req.orgID, *req.caller)
	if role == RoleAdmin || (need == accessManage && role == RoleManager) {
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

// decodeBody reads, parses and validates the JSON body of operations that
// take one, reading at most maxBodyBytes.
func (s *Server) decodeBody(req *apiRequest) error {
	if req.op.RequestBody == nil {
		return nil
	}
	if req.ContentLength > maxBodyBytes {
		return &apiError{code: codeTooLarge, detail: detailTooLarge}
	}
	data, err := io.ReadAll(io.LimitReader(req.Body, maxBodyBytes+1))
	if err != nil {
		return &apiError{code: codeInvalid, detail: "The request body could not be read."}
	}
	if len(data) > maxBodyBytes {
		return &apiError{code: codeTooLarge, detail: detailTooLarge}
	}
	if len(data) == 0 {
		// DRF reads an empty body as empty data, whatever its content type.
		req.body = map[string]any{}
	} else {
		contentType := req.Header.Get("Content-Type")
		mediaType, _, err := mime.ParseMediaType(contentType)
		if err != nil || (mediaType != "application/json" && !strings.HasSuffix(mediaType, "+json")) {
			return errUnsupportedMediaType(contentType)
		}
		body, err := decodeJSON(data)
		if err != nil {
			return &apiError{code: codeInvalid, detail: "JSON parse error - " + err.Error()}
		}
		req.body = body
	}
	err = validateBody(req.op, req.body)
	if err != nil && asAPIError(err).items != nil {
		req.schemaErr = asAPIError(err)
		return nil
	}
	return err
}

func decodeJSON(data []byte) (any, error) {
	if !utf8.Valid(data) {
		// encoding/json would quietly turn bad bytes into U+FFFD; the real
		// server's parser refuses them.
		return nil, errors.New("the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("extra data after the JSON value")
	}
	return v, nil
}

// writeJSON writes v as DRF's renderer does: compact, no HTML escaping.
// The body is built in a pooled buffer by appendJSON, or by encoding/json
// for the values appendJSON leaves to it; the bytes are the same.
func writeJSON(w http.ResponseWriter, status int, v any) {
	bp := jsonBuffers.Get().(*[]byte)
	defer putJSONBuffer(bp)
	body, ok := appendJSON((*bp)[:0], v)
	if !ok {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			status = http.StatusInternalServerError
			buf.Reset()
			buf.WriteString(`{"detail":"` + detailInternal + `"}`)
		}
		body = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	} else {
		*bp = body
	}
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// jsonBuffers holds the buffers of response bodies; every ResponseWriter of
// the pipeline copies what it is given, so a buffer is free again once
// Write returns.
var jsonBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// putJSONBuffer returns a buffer to the pool unless it grew very large (a
// whole large list at version 1.0), which would pin its memory. Bodies of a
// thousand items (some hundreds of KiB) keep theirs, so that they are not
// grown again from 4 KiB on every request.
func putJSONBuffer(bp *[]byte) {
	if cap(*bp) <= 4<<20 {
		jsonBuffers.Put(bp)
	}
}

// statusRecorder remembers the status written, for the log and the
// journal, and calls beforeHeader just before the head goes out.
type statusRecorder struct {
	http.ResponseWriter
	status       int
	wroteHeader  bool
	beforeHeader func()
}

func (r *statusRecorder) WriteHeader(status int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = status, true
		r.beforeHeader()
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if !r.wroteHeader {
		r.WriteHeader(http.StatusOK)
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection, for the faults
// that hijack it and for flushing.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// --- strict mode (WithResponseValidation) ---

// validatingWriter holds an API response until it is checked against
// openapi.yaml. Headers go straight to the real writer's map. Once through
// is set (a fault acts), writes pass straight on; Unwrap lets faults reach
// the connection either way.
type validatingWriter struct {
	http.ResponseWriter
	through bool
	status  int
	body    bytes.Buffer
}

func (v *validatingWriter) WriteHeader(status int) {
	if v.through {
		v.ResponseWriter.WriteHeader(status)
		return
	}
	if v.status == 0 {
		v.status = status
	}
}

func (v *validatingWriter) Write(p []byte) (int, error) {
	if v.through {
		return v.ResponseWriter.Write(p)
	}
	v.WriteHeader(http.StatusOK)
	return v.body.Write(p)
}

func (v *validatingWriter) Unwrap() http.ResponseWriter { return v.ResponseWriter }

// passThrough exempts the rest of a response from strict mode.
func passThrough(w http.ResponseWriter) {
	if v, ok := w.(*validatingWriter); ok {
		v.through = true
	}
}

// ValidationHeader is the response header that names why the fake refused
// a request body, or, in strict mode, how the response it was about to send
// broke openapi.yaml.
const ValidationHeader = "X-Fake-Validation"

// sendValidated sends a held response if it keeps to openapi.yaml, and a 500
// naming the violation if it does not.
func (s *Server) sendValidated(w http.ResponseWriter, buf *validatingWriter, req *apiRequest) {
	if buf.through || req.ex.hijacked {
		return
	}
	status := buf.status
	if status == 0 {
		status = http.StatusOK // what net/http sends for a handler that wrote nothing
	}
	if err := s.checkResponse(req, status, w.Header(), buf.body.Bytes()); err != nil {
		violation := "Response breaks openapi.yaml: " + describeViolation(err)
		req.ex.validationError = violation
		s.logger.Error("response breaks openapi.yaml", "method", req.Method, "path", req.URL.Path,
			"status", status, "violation", violation, "request_id", req.ex.requestID)
		h := w.Header()
		for name := range h {
			if name != "X-Request-Id" {
				delete(h, name)
			}
		}
		writeError(w, &apiError{code: codeInternal, detail: violation, reason: violation}) // reason: the header
		return
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.body.Bytes())
}

// responseOptions check what the harness of the tests checks: declared
// statuses, headers and bodies, with the formats the contract uses.
var responseOptions = &openapi3filter.Options{
	IncludeResponseStatus: true,
	MultiError:            true,
	SchemaValidationOptions: []openapi3.SchemaValidationOption{
		openapi3.EnableFormatValidation(),
		openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC4122)),
		openapi3.WithStringFormatValidator("email", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail)),
	},
}

// checkResponse validates a response of req's operation against the spec.
func (s *Server) checkResponse(req *apiRequest, status int, header http.Header, body []byte) error {
	route := &routers.Route{
		Spec:      s.spec.doc,
		Path:      req.route.template,
		PathItem:  req.route.item,
		Method:    req.Method,
		Operation: req.op,
	}
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req.Request,
			PathParams: req.vars,
			Route:      route,
			Options:    &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status:  status,
		Header:  header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: responseOptions,
	})
}

// describeViolation words a validation error on one line: each failure as
// the JSON pointer of the value and the reason, without kin-openapi's dump
// of the schema and the value.
func describeViolation(err error) string {
	var parts []string
	var walk func(error, string)
	walk = func(err error, prefix string) {
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, each := range e {
				walk(each, prefix)
			}
		case *openapi3filter.ResponseError:
			if e.Err == nil {
				parts = append(parts, prefix+e.Reason)
				return
			}
			if e.Reason != "" {
				prefix += e.Reason + ": "
			}
			walk(e.Err, prefix)
		case *openapi3.SchemaError:
			parts = append(parts, fmt.Sprintf("%s/%s: %s", prefix, strings.Join(e.JSONPointer(), "/"), e.Reason))
		default:
			text, _, _ := strings.Cut(err.Error(), "\n")
			parts = append(parts, prefix+text)
		}
	}
	walk(err, "")
	return strings.Join(parts, "; ")
}
