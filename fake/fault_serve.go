package fake

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

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
		if !s.controlTokenMatches(req.Header.Get(FaultTokenHeader)) {
			detail := FaultHeader + " needs the control plane's token: send " + FaultTokenHeader + ": <token> with it."
			return nil, "", &apiError{code: codeForbidden, detail: detail, reason: detail}
		}
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
		s.hang(req.Request, bound)
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

// pause waits d, or less when the client goes away, the server is closed,
// or a drain (Drain) cannot wait for it; it reports whether the whole wait
// passed. The request body is read first (it is kept for the handler):
// until it is, the server cannot notice that the client went away.
func (s *Server) pause(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	bufferBody(r)
	return s.wait(r.Context(), d, false)
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
