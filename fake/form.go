package fake

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// The real server reads request bodies with DRF's default parsers: JSON,
// FormParser (application/x-www-form-urlencoded) and MultiPartParser
// (multipart/form-data). A form carries text only; DRF's serializer fields
// turn that text into their types (`role=5` is 5, `true` is True). decodeForm
// does the same with the types of the operation's body schema, so that the
// form body is then validated and applied exactly like the JSON one.

// maxFormFields is Django's DATA_UPLOAD_MAX_NUMBER_FIELDS.
const maxFormFields = 1000

const (
	mediaTypeForm      = "application/x-www-form-urlencoded"
	mediaTypeMultipart = "multipart/form-data"
)

// decodeForm decodes req's body when its Content-Type is a form's, and
// reports whether it was one (isForm): the JSON step handles the others.
// data is the whole body, already bounded by maxBodyBytes; multipart parts,
// files included, are read from it in memory, never spooled to disk.
func decodeForm(req *apiRequest, data []byte) (body any, isForm bool, err error) {
	mediaType, params, err := parseContentType(req.Header.Get("Content-Type"))
	if err != nil || (mediaType != mediaTypeForm && mediaType != mediaTypeMultipart) {
		return nil, false, nil
	}
	schema, listOK := bodySchemas(req.op)
	if listOK {
		// A form is one object; these operations want a list. DRF's
		// ListSerializer answers what it answers to a JSON object.
		return nil, true, &apiError{
			code:   codeInvalid,
			fields: fieldErrors{"non_field_errors": {`Expected a list of items but got type "dict".`}},
			reason: "a " + mediaType + " body where a list is expected",
		}
	}
	var values formValues
	if mediaType == mediaTypeForm {
		values, err = parseURLEncoded(data)
	} else {
		values, err = parseMultipart(data, params["boundary"])
	}
	if err != nil {
		return nil, true, err
	}
	return values.object(schema, req.Method == http.MethodPatch), true, nil
}

// formValues are a form's fields in the order sent, each with every value
// sent for it, as Django's QueryDict holds them.
type formValues struct {
	keys   []string
	values map[string][]any // strings, or formFile for an uploaded file
}

func (f *formValues) add(key string, value any) error {
	if f.values == nil {
		f.values = map[string][]any{}
	}
	if _, seen := f.values[key]; !seen {
		if len(f.keys) == maxFormFields {
			return &apiError{code: codeInvalid, detail: "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."}
		}
		f.keys = append(f.keys, key)
	}
	f.values[key] = append(f.values[key], value)
	return nil
}

// formFile stands for an uploaded file. No field of the served operations
// takes a file; DRF hands the file to the field, which refuses it as not a
// string, not a number. The object shape makes the schema refuse it too.
type formFile map[string]any

// parseURLEncoded splits a form as Django's QueryDict does: pairs at "&",
// blank values kept, "+" as a space, and bad percent escapes left as they are
// (Django decodes with errors="replace" rather than refusing the body).
func parseURLEncoded(data []byte) (formValues, error) {
	var f formValues
	for _, pair := range strings.Split(string(data), "&") {
		if pair == "" {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		if err := f.add(formUnescape(key), formUnescape(value)); err != nil {
			return f, err
		}
	}
	return f, nil
}

func formUnescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return strings.ReplaceAll(s, "+", " ")
}

// parseMultipart reads a multipart body part by part: named parts become
// fields, parts with a file name files.
func parseMultipart(data []byte, boundary string) (formValues, error) {
	var f formValues
	if boundary == "" {
		return f, multipartError("Invalid boundary in multipart: None")
	}
	reader := multipart.NewReader(bytes.NewReader(data), boundary)
	for {
		part, err := reader.NextPart()
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		if err != nil {
			return f, multipartError(err.Error())
		}
		content, err := io.ReadAll(part) // bounded: data is
		if err != nil {
			return f, multipartError(err.Error())
		}
		name := part.FormName()
		if name == "" {
			continue // Django skips parts without a field name
		}
		var value any = string(content)
		if filename := part.FileName(); filename != "" {
			value = formFile{"name": filename, "size": len(content)}
		}
		if err := f.add(name, value); err != nil {
			return f, err
		}
	}
}

func multipartError(reason string) error {
	return &apiError{code: codeInvalid, detail: "Multipart form parse error - " + reason}
}

// object turns the form into the body a JSON client would have sent: each
// field of the schema takes its last value (a list field all of them),
// converted by the field's type; other fields keep their last text.
func (f formValues) object(schema *openapi3.Schema, partial bool) map[string]any {
	object := make(map[string]any, len(f.keys))
	for _, key := range f.keys {
		values := f.values[key]
		var prop *openapi3.Schema
		if ref := schema.Properties[key]; ref != nil {
			prop = ref.Value
		}
		if prop != nil && prop.Type.Is("array") {
			items := make([]any, len(values))
			for i, v := range values {
				items[i] = v
				if prop.Items != nil && prop.Items.Value != nil {
					items[i] = formScalar(prop.Items.Value, v)
				}
			}
			object[key] = items
			continue
		}
		object[key] = formScalar(prop, values[len(values)-1])
	}
	if !partial {
		// An unchecked checkbox sends nothing: DRF's BooleanField reads a
		// form without the field as False, or None when it may be null
		// (its default_empty_html).
		for name, ref := range schema.Properties {
			if _, sent := object[name]; !sent && ref.Value != nil && ref.Value.Type.Is("boolean") && !ref.Value.ReadOnly {
				object[name] = false
				if ref.Value.Nullable {
					object[name] = nil
				}
			}
		}
	}
	return object
}

// DRF's BooleanField's words for true and false, and its null words.
var (
	formTrue  = map[string]bool{"t": true, "T": true, "y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "true": true, "True": true, "TRUE": true, "on": true, "On": true, "ON": true, "1": true}
	formFalse = map[string]bool{"f": true, "F": true, "n": true, "N": true, "no": true, "No": true, "NO": true, "false": true, "False": true, "FALSE": true, "off": true, "Off": true, "OFF": true, "0": true}
	formNull  = map[string]bool{"null": true, "Null": true, "NULL": true, "": true}
)

// trailingZeros is what DRF's IntegerField strips before int(): "5.0" is 5.
var trailingZeros = regexp.MustCompile(`\.0*\s*$`)

// formScalar converts one form value by its field's schema, as the DRF field
// would; text it cannot convert stays text, for the schema to refuse in DRF's
// words ("A valid integer is required.").
func formScalar(prop *openapi3.Schema, value any) any {
	text, isText := value.(string)
	if !isText || prop == nil {
		return value
	}
	if text == "" && prop.Nullable {
		return nil // a blank field that may be null is null
	}
	switch {
	case prop.Type.Is("integer"):
		if n, err := strconv.ParseInt(strings.TrimSpace(trailingZeros.ReplaceAllString(text, "")), 10, 64); err == nil && len(prop.Enum) == 0 {
			return json.Number(strconv.FormatInt(n, 10))
		}
		// A choice field matches the text itself: coerceChoices takes "5".
	case prop.Type.Is("number"):
		if _, err := strconv.ParseFloat(strings.TrimSpace(text), 64); err == nil {
			return json.Number(strings.TrimSpace(text))
		}
	case prop.Type.Is("boolean"):
		switch {
		case formTrue[text]:
			return true
		case formFalse[text]:
			return false
		case formNull[text] && prop.Nullable:
			return nil
		}
	}
	return text
}
