package fake

import "net/http"

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
