package fake

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// observer is the one ResponseWriter around every request. It remembers the
// status for the request log and the journal, adds the exchange to the
// journal just before the head goes out, and in strict mode
// (WithResponseValidation) holds an API response until it is checked
// against openapi.yaml. Headers always go straight to the real writer's
// map; Unwrap lets faults reach the connection.
type observer struct {
	http.ResponseWriter
	ex          *exchange
	status      int // the status sent
	wroteHeader bool
	// holding is set while a strict-mode response waits in held.
	holding    bool
	heldStatus int
	held       bytes.Buffer
}

func (o *observer) WriteHeader(status int) {
	if o.holding {
		if o.heldStatus == 0 {
			o.heldStatus = status
		}
		return
	}
	if !o.wroteHeader {
		o.status, o.wroteHeader = status, true
		o.ex.record()
		closeIfBodyUnread(o.Header(), o.ex.unread)
	}
	o.ResponseWriter.WriteHeader(status)
}

func (o *observer) Write(p []byte) (int, error) {
	if o.holding {
		o.WriteHeader(http.StatusOK)
		return o.held.Write(p)
	}
	if !o.wroteHeader {
		o.WriteHeader(http.StatusOK)
	}
	return o.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection, for the faults
// that hijack it and for flushing.
func (o *observer) Unwrap() http.ResponseWriter { return o.ResponseWriter }

// stopHolding drops what strict mode held, if anything: from now on writes
// go out as they come.
func (o *observer) stopHolding() {
	o.holding, o.heldStatus = false, 0
	o.held.Reset()
}

// passThrough exempts the rest of a response from strict mode: a fault's
// answer, or the fake's own complaint about X-Fake-Fault, is off the
// contract on purpose. Nothing has been written yet when it is called.
func passThrough(w http.ResponseWriter) {
	if o, ok := w.(*observer); ok {
		o.stopHolding()
	}
}

// --- strict mode (WithResponseValidation) ---

// ValidationHeader is the response header that names why the fake refused
// a request body, or, in strict mode, how the response it was about to send
// broke openapi.yaml.
const ValidationHeader = "X-Fake-Validation"

// sendValidated sends a held response if it keeps to openapi.yaml, and a 500
// naming the violation if it does not.
func (s *Server) sendValidated(o *observer, req *apiRequest) {
	if !o.holding || req.ex.hijacked {
		return
	}
	status := o.heldStatus
	if status == 0 {
		status = http.StatusOK // what net/http sends for a handler that wrote nothing
	}
	body := o.held.Bytes()
	o.stopHolding() // empties held, but writes no longer go there: body stays intact
	if err := s.checkResponse(req, status, o.Header(), body); err != nil {
		violation := "Response breaks openapi.yaml: " + describeViolation(err)
		req.ex.validationError = violation
		s.logger.Error("response breaks openapi.yaml", "method", req.Method, "path", req.ex.logPath(),
			"status", status, "violation", violation, "request_id", req.ex.requestID)
		h := o.Header()
		for name := range h {
			if name != "X-Request-Id" {
				delete(h, name)
			}
		}
		writeError(o, &apiError{code: codeInternal, detail: violation, reason: violation}) // reason: the header
		return
	}
	o.WriteHeader(status)
	_, _ = o.Write(body)
}

// responseOptions check what the harness of the tests checks: declared
// statuses, headers and bodies, with the formats the contract uses.
var responseOptions = &openapi3filter.Options{
	IncludeResponseStatus: true,
	MultiError:            true,
	SchemaValidationOptions: []openapi3.SchemaValidationOption{
		openapi3.EnableFormatValidation(),
		openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC4122)),
		openapi3.WithStringFormatValidator("email", emailFormat),
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

// describeViolation words a validation error on one line (ViolationReasons).
func describeViolation(err error) string { return strings.Join(ViolationReasons(err), "; ") }
