package fake

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/drf"
)

// errorCode is the closed set of failures the fake reports. The store speaks
// in codes; only writeError turns them into HTTP.
type errorCode int

const (
	codeInvalid errorCode = iota + 1
	codeUnauthorized
	codeForbidden
	codeNotFound
	codeMethodNotAllowed
	codeNotAcceptable
	codeTooLarge
	codeUnsupportedMediaType
	codeThrottled
	codeInternal
)

var statusOfCode = map[errorCode]int{
	codeInvalid:              http.StatusBadRequest,
	codeUnauthorized:         http.StatusUnauthorized,
	codeForbidden:            http.StatusForbidden,
	codeNotFound:             http.StatusNotFound,
	codeMethodNotAllowed:     http.StatusMethodNotAllowed,
	codeNotAcceptable:        http.StatusNotAcceptable,
	codeTooLarge:             http.StatusRequestEntityTooLarge,
	codeUnsupportedMediaType: http.StatusUnsupportedMediaType,
	codeThrottled:            http.StatusTooManyRequests,
	codeInternal:             http.StatusInternalServerError,
}

// fieldErrors is DRF's validation shape for one object: field name to
// messages, with "non_field_errors" for what belongs to no single field.
type fieldErrors map[string][]string

// add appends a message to a field's, once: two schema checks may word
// one failure the same way.
func (f fieldErrors) add(field, message string) {
	if !slices.Contains(f[field], message) {
		f[field] = append(f[field], message)
	}
}

// apiError is the one error type handlers and the store return. Exactly one
// of detail, fields and items describes the failure; the body follows DRF.
type apiError struct {
	code   errorCode
	detail string
	fields fieldErrors   // {"name": ["This field is required."]}
	items  []fieldErrors // [{}, {"email": ["Enter a valid email address."]}]
	header http.Header
	// reason is the validator's own text, for the X-Fake-Validation header
	// and the log; it never goes into the body.
	reason string
}

func (e *apiError) Error() string {
	switch {
	case e.detail != "":
		return e.detail
	case e.reason != "":
		return e.reason
	case e.fields != nil:
		return describeFieldErrors(e.fields)
	default:
		return describeItemErrors(e.items)
	}
}

// describeItemErrors words a list body's item errors for a person (a log
// line, a replay error): the refused items by position, from 0, each with
// its fields' messages.
func describeItemErrors(items []fieldErrors) string {
	var parts []string
	for i, f := range items {
		if len(f) > 0 {
			parts = append(parts, fmt.Sprintf("item %d: %s", i, describeFieldErrors(f)))
		}
	}
	return strings.Join(parts, "; ")
}

func (e *apiError) body() any {
	switch {
	case e.fields != nil:
		return e.fields
	case e.items != nil:
		out := make([]fieldErrors, len(e.items))
		for i, item := range e.items {
			if item == nil {
				item = fieldErrors{}
			}
			out[i] = item
		}
		return out
	default:
		return map[string]string{"detail": e.detail}
	}
}

// The names the handlers use for DRF's texts (package drf holds them).
const (
	detailNotFound         = drf.NotFound
	detailInvalidPage      = drf.InvalidPage
	detailNotAuthenticated = drf.NotAuthenticated
	detailInvalidToken     = drf.InvalidToken
	detailNoCredentials    = drf.NoCredentials
	detailTokenSpaces      = drf.TokenSpaces
	detailForbidden        = drf.Forbidden
	detailInvalidVersion   = drf.InvalidVersion
	detailTooLarge         = drf.TooLarge
	detailInternal         = drf.Internal
)

func errNotFound() *apiError { return &apiError{code: codeNotFound, detail: detailNotFound} }

func errInvalidPage() *apiError { return &apiError{code: codeNotFound, detail: detailInvalidPage} }

func errForbidden() *apiError { return &apiError{code: codeForbidden, detail: detailForbidden} }

func errUnauthorized(detail string) *apiError {
	return &apiError{code: codeUnauthorized, detail: detail, header: http.Header{"Www-Authenticate": {"Token"}}}
}

func errMethodNotAllowed(method string, allow []string) *apiError {
	return &apiError{
		code:   codeMethodNotAllowed,
		detail: drf.MethodNotAllowed(method),
		header: http.Header{"Allow": {strings.Join(allow, ", ")}},
	}
}

func errUnsupportedMediaType(mediaType string) *apiError {
	return &apiError{code: codeUnsupportedMediaType, detail: drf.UnsupportedMediaType(mediaType)}
}

func errInvalidFields(fields fieldErrors) *apiError {
	return &apiError{code: codeInvalid, fields: fields}
}

func errInvalidField(field, message string) *apiError {
	return errInvalidFields(fieldErrors{field: {message}})
}

// asAPIError turns any error into an apiError; an error that is not one is a
// bug in the fake and answers 500 rather than leaking its text.
func asAPIError(err error) *apiError {
	var apiErr *apiError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	return &apiError{code: codeInternal, detail: detailInternal, reason: err.Error()}
}

// writeError writes err in the real API's body shape.
func writeError(w http.ResponseWriter, err error) {
	apiErr := asAPIError(err)
	for key, values := range apiErr.header {
		w.Header()[key] = values
	}
	if apiErr.reason != "" {
		w.Header().Set("X-Fake-Validation", sanitizeHeader(apiErr.reason))
	}
	writeJSON(w, statusOfCode[apiErr.code], apiErr.body())
}

// sanitizeHeader keeps a header value on one line and of a sane length.
func sanitizeHeader(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	const max = 512
	if len(s) > max {
		s = s[:max]
	}
	return s
}
