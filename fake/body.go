package fake

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/jsonvalue"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/memo"
)

// decodeBody reads, parses and validates the body of operations that take
// one, reading at most maxBodyBytes. Each item of a list body is checked
// against the item schema once; the failures of single items wait in
// req.schemaErr for the handler, which reports them with the team rules'.
func (s *Server) decodeBody(req *apiRequest) error {
	if req.op.RequestBody == nil {
		return nil
	}
	data, err := readBody(req)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		// DRF reads an empty body as empty data, whatever its content type.
		req.body = map[string]any{}
		if !req.op.RequestBody.Value.Required {
			return nil // an optional body that was not sent (an invitation's answer)
		}
	} else if req.body, err = parseBody(req, data); err != nil {
		return err
	}
	err = validateBody(req.op, req.body)
	if err != nil && asAPIError(err).items != nil {
		req.schemaErr = asAPIError(err)
		return nil
	}
	return err
}

// readBody reads the whole body, refusing one over maxBodyBytes.
func readBody(req *apiRequest) ([]byte, error) {
	if req.ContentLength > maxBodyBytes {
		return nil, &apiError{code: codeTooLarge, detail: detailTooLarge}
	}
	data, err := io.ReadAll(io.LimitReader(req.Body, maxBodyBytes+1))
	if err != nil {
		return nil, &apiError{code: codeInvalid, detail: "The request body could not be read."}
	}
	if len(data) > maxBodyBytes {
		return nil, &apiError{code: codeTooLarge, detail: detailTooLarge}
	}
	return data, nil
}

// parseBody turns a non-empty body into data by its content type, as DRF's
// parsers do: a form or multipart body (form.go) on the writes that take
// one, JSON (application/json and any +json type); another type is a 415.
func parseBody(req *apiRequest, data []byte) (any, error) {
	if form, isForm, err := decodeForm(req, data); isForm { // form.go
		return form, err
	}
	contentType := req.Header.Get("Content-Type")
	mediaType, _, err := parseContentType(contentType)
	if err != nil || (mediaType != "application/json" && !strings.HasSuffix(mediaType, "+json")) {
		return nil, errUnsupportedMediaType(contentType)
	}
	body, err := decodeJSON(data)
	if err != nil {
		return nil, &apiError{code: codeInvalid, detail: "JSON parse error - " + err.Error()}
	}
	return body, nil
}

// parseContentType is mime.ParseMediaType of a Content-Type header,
// remembered: a client sends the same one with every write, and the JSON
// and form parsers both ask. The parameters are shared: never change them.
func parseContentType(contentType string) (mediaType string, params map[string]string, err error) {
	p := contentTypes.Get(contentType)
	return p.mediaType, p.params, p.err
}

var contentTypes = memo.New(256, func(contentType string) parsedContentType {
	mediaType, params, err := mime.ParseMediaType(contentType)
	return parsedContentType{mediaType, params, err}
})

type parsedContentType struct {
	mediaType string
	params    map[string]string
	err       error
}

func decodeJSON(data []byte) (any, error) {
	if !utf8.Valid(data) {
		// encoding/json would quietly turn bad bytes into U+FFFD; the real
		// server's parser refuses them.
		return nil, errors.New("the body is not valid UTF-8")
	}
	return jsonvalue.Decode(data)
}

// Bodies reach handlers decoded and validated against openapi.yaml, so the
// helpers below only pick out what the schema has already checked.

// stringField returns a string field of an object body, nil when absent.
func stringField(body any, name string) *string {
	object, _ := body.(map[string]any)
	if s, ok := object[name].(string); ok {
		return &s
	}
	return nil
}

// bodyItems returns the items of a body that may be a list or one object,
// and whether it was a list.
func bodyItems(body any) ([]map[string]any, bool) {
	if list, ok := body.([]any); ok {
		items := make([]map[string]any, 0, len(list))
		for _, item := range list {
			object, _ := item.(map[string]any)
			items = append(items, object)
		}
		return items, true
	}
	object, _ := body.(map[string]any)
	return []map[string]any{object}, false
}

// writeItems answers a list body with a list and a single object with a
// single object.
func writeItems[T any](w http.ResponseWriter, status int, items []T, asList bool) {
	if asList || len(items) != 1 {
		writeJSON(w, status, items)
		return
	}
	writeJSON(w, status, items[0])
}

// schemaFailed reports whether item i of a list body failed the schema; the
// store then leaves it out of its team-rule checks and writes nothing.
func schemaFailed(req *apiRequest, i int) bool {
	return req.schemaErr != nil && i < len(req.schemaErr.items) && len(req.schemaErr.items[i]) > 0
}

// itemsError reports per-item errors in the shape of the body: one error
// object per item for a list (the schema's errors over the team rules'),
// field errors for a single object.
func itemsError(req *apiRequest, errs []fieldErrors, asList bool) error {
	if !asList {
		return errInvalidFields(errs[0])
	}
	apiErr := &apiError{code: codeInvalid, items: errs}
	if req.schemaErr != nil {
		for i := range errs {
			if schemaFailed(req, i) {
				errs[i] = req.schemaErr.items[i]
			}
		}
		apiErr.reason = req.schemaErr.reason
	}
	return apiErr
}
