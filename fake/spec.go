package fake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gorilla/mux"

	pixiebrixfake "github.com/pixiebrix-fake/pixiebrix-fake"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/memo"
)

// apiSpec is openapi.yaml, loaded once: the path table the fake routes by and
// the schemas request bodies are validated against.
type apiSpec struct {
	doc   *openapi3.T
	paths map[string]*pathRoute // by path template
	// bySegments lists the routes by the number of "/" in their template:
	// only those can match a path with as many, which spares gorilla/mux
	// from trying every route's regexp in turn (a tenth of a request's
	// time on the busiest path).
	bySegments map[int][]*pathRoute
	// matches remembers match's answers by path: a client asks for a few
	// paths many times, and gorilla/mux's regexps cost more than the lookup.
	matches *memo.Strings[routeMatch]
}

// routeMatch is the route a path is an instance of, and its parameters.
// One value serves every request for that path: nothing may change vars.
type routeMatch struct {
	route *pathRoute
	vars  map[string]string
}

// maxRememberedPaths bounds apiSpec.matches (some hundred KiB at most).
const maxRememberedPaths = 4096

// pathRoute is one path of the spec and the methods it serves.
type pathRoute struct {
	template string
	item     *openapi3.PathItem
	allow    []string // for the Allow header, in DRF's order
	mux      *mux.Route
	// literals is the template split at "/", with "" for parameters: a
	// cheap check that spares gorilla/mux the routes that cannot match.
	literals []string
}

// drfMethodOrder is the order DRF lists allowed methods in.
var drfMethodOrder = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead}

func loadSpec(data []byte) (*apiSpec, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	// The spec names the real host; the fake answers on any host and port.
	doc.Servers = nil
	spec := &apiSpec{doc: doc, paths: map[string]*pathRoute{}, bySegments: map[int][]*pathRoute{}}
	router := mux.NewRouter()
	for _, template := range slices.Sorted(maps.Keys(doc.Paths.Map())) {
		item := doc.Paths.Value(template)
		route := &pathRoute{template: template, item: item}
		for _, method := range drfMethodOrder {
			if item.GetOperation(method) != nil || (method == http.MethodHead && item.Get != nil) {
				route.allow = append(route.allow, method)
			}
		}
		route.mux = router.NewRoute().Path(template)
		for _, seg := range strings.Split(template, "/") {
			if strings.HasPrefix(seg, "{") {
				seg = ""
			}
			route.literals = append(route.literals, seg)
		}
		spec.paths[template] = route
		n := strings.Count(template, "/")
		spec.bySegments[n] = append(spec.bySegments[n], route)
	}
	spec.matches = memo.New(maxRememberedPaths, spec.matchOnce)
	return spec, nil
}

// match finds the spec path that urlPath is an instance of, with its
// parameters, through gorilla/mux. Methods play no part: a wrong method is a
// 405, found later. The parameters are shared by every request for the path:
// read them, never change them.
func (sp *apiSpec) match(urlPath string) (*pathRoute, map[string]string) {
	m := sp.matches.Get(urlPath)
	return m.route, m.vars
}

// matchOnce is match without the memo.
func (sp *apiSpec) matchOnce(urlPath string) routeMatch {
	candidates := sp.bySegments[strings.Count(urlPath, "/")]
	if len(candidates) == 0 {
		return routeMatch{}
	}
	req := http.Request{Method: http.MethodGet, URL: &url.URL{Path: urlPath}}
	for _, route := range candidates {
		if !route.literalsMatch(urlPath) {
			continue
		}
		var m mux.RouteMatch
		if route.mux.Match(&req, &m) {
			return routeMatch{route, m.Vars}
		}
	}
	return routeMatch{}
}

// literalsMatch reports whether urlPath has the route's literal segments
// where its template has them (it has as many segments: see match).
func (r *pathRoute) literalsMatch(urlPath string) bool {
	rest := urlPath
	for _, literal := range r.literals {
		seg, after, _ := strings.Cut(rest, "/")
		if literal != "" && seg != literal {
			return false
		}
		rest = after
	}
	return true
}

// operation returns the spec's operation for a method on the path; HEAD is
// served as GET.
func (r *pathRoute) operation(method string) *openapi3.Operation {
	if method == http.MethodHead {
		method = http.MethodGet
	}
	return r.item.GetOperation(method)
}

// formatOptions makes kin-openapi check the formats the contract uses.
var formatOptions = []openapi3.SchemaValidationOption{
	openapi3.MultiErrors(),
	openapi3.VisitAsRequest(),
	openapi3.DisableReadOnlyValidation(), // DRF ignores read-only fields a client sends
	openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC4122)),
	openapi3.WithStringFormatValidator("email", emailFormat),
}

// bodySchemas returns the schema a request body must match. For bodies that
// take a list of items or a single item (oneOf an object and an array of it),
// it returns the item schema and listOK.
func bodySchemas(op *openapi3.Operation) (item *openapi3.Schema, listOK bool) {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil, false
	}
	media := op.RequestBody.Value.Content.Get("application/json")
	if media == nil || media.Schema == nil {
		return nil, false
	}
	schema := media.Schema.Value
	for _, alt := range schema.OneOf {
		if alt.Value.Type.Is("array") && alt.Value.Items != nil {
			return alt.Value.Items.Value, true
		}
	}
	return schema, false
}

// validateBody checks a decoded JSON body against the operation's schema and
// reports failures in DRF's shapes: field errors for an object, one error
// object per item for a list.
func validateBody(op *openapi3.Operation, body any) error {
	schema, listOK := bodySchemas(op)
	if schema == nil {
		return nil
	}
	if list, isList := body.([]any); isList && listOK {
		if handled, err := validateItems(schema, list); handled {
			return err
		}
		return validateEachItem(schema, list)
	}
	fields, reasons := validateObject(schema, body, nil)
	if len(fields) > 0 {
		return &apiError{code: codeInvalid, fields: fields, reason: strings.Join(reasons, "; ")}
	}
	return nil
}

// listSchemas holds, for each item schema of openapi.yaml, the schema of a
// plain list of such items.
var listSchemas sync.Map // *openapi3.Schema → *openapi3.Schema

// validateItems checks the items of a list body in one pass of kin-openapi
// over the list, so that its validation settings are built once rather than
// once per item, and reports each item's failures as validateObject words
// them. It reports false, leaving the list to validateObject item by item,
// when an item is not an object or a failure is not a schema error: those
// are worded per item.
func validateItems(item *openapi3.Schema, list []any) (handled bool, err error) {
	for _, v := range list {
		object, ok := v.(map[string]any)
		if !ok {
			return false, nil
		}
		coerceChoices(item, object)
	}
	cached, ok := listSchemas.Load(item)
	if !ok {
		cached, _ = listSchemas.LoadOrStore(item, &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeArray}, Items: &openapi3.SchemaRef{Value: item}})
	}
	err = cached.(*openapi3.Schema).VisitJSON(list, formatOptions...)
	if err == nil {
		return true, nil
	}
	var multi openapi3.MultiError
	if !errors.As(err, &multi) {
		multi = openapi3.MultiError{err}
	}
	items := make([]fieldErrors, len(list))
	reasons := make([][]string, len(list))
	for _, e := range multi {
		var schemaErr *openapi3.SchemaError
		if !errors.As(e, &schemaErr) {
			return false, nil
		}
		path := schemaErr.JSONPointer() // the item's index, then the field's path
		if len(path) == 0 {
			return false, nil
		}
		i, convErr := strconv.Atoi(path[0])
		if convErr != nil || i < 0 || i >= len(list) {
			return false, nil
		}
		field := "non_field_errors"
		if len(path) > 1 {
			field = path[1]
		}
		if items[i] == nil {
			items[i] = fieldErrors{}
		}
		items[i].add(field, drfMessage(schemaErr))
		reasons[i] = append(reasons[i], "/"+strings.Join(path[1:], "/")+": "+schemaErr.Reason)
	}
	var all []string
	for i := range items {
		if items[i] == nil {
			items[i] = fieldErrors{}
		}
		all = append(all, reasons[i]...)
	}
	return true, &apiError{code: codeInvalid, items: items, reason: strings.Join(all, "; ")}
}

// validateEachItem checks a list body item by item.
func validateEachItem(schema *openapi3.Schema, list []any) error {
	items := make([]fieldErrors, len(list))
	var reasons []string
	failed := false
	for i, item := range list {
		items[i], reasons = validateObject(schema, item, reasons)
		failed = failed || len(items[i]) > 0
	}
	if failed {
		return &apiError{code: codeInvalid, items: items, reason: strings.Join(reasons, "; ")}
	}
	return nil
}

func validateObject(schema *openapi3.Schema, value any, reasons []string) (fieldErrors, []string) {
	fields := fieldErrors{}
	object, ok := value.(map[string]any)
	if !ok {
		fields.add("non_field_errors", fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", pythonTypeName(value)))
		return fields, append(reasons, "body is not an object")
	}
	coerceChoices(schema, object)
	err := schema.VisitJSON(value, formatOptions...)
	if err == nil {
		return fields, reasons
	}
	var multi openapi3.MultiError
	if !errors.As(err, &multi) {
		multi = openapi3.MultiError{err}
	}
	for _, e := range multi {
		var schemaErr *openapi3.SchemaError
		if !errors.As(e, &schemaErr) {
			fields.add("non_field_errors", "Invalid data.")
			reasons = append(reasons, e.Error())
			continue
		}
		field := "non_field_errors"
		if path := schemaErr.JSONPointer(); len(path) > 0 {
			field = path[0]
		}
		fields.add(field, drfMessage(schemaErr))
		// The reason names the field and kin-openapi's words, not the whole
		// schema, which Error() would print into the header and the journal.
		reasons = append(reasons, "/"+strings.Join(schemaErr.JSONPointer(), "/")+": "+schemaErr.Reason)
	}
	return fields, reasons
}

// coerceChoices turns integer choices sent as text ("2") into numbers:
// DRF's ChoiceField looks up the text of what it is sent among the text of
// its choices, so the real server takes {"role": "2"}.
func coerceChoices(schema *openapi3.Schema, object map[string]any) {
	for name, prop := range schema.Properties {
		text, isText := object[name].(string)
		if !isText || prop.Value == nil || !prop.Value.Type.Is("integer") {
			continue
		}
		for _, choice := range prop.Value.Enum {
			if fmt.Sprint(choice) == text {
				object[name] = json.Number(text)
				break
			}
		}
	}
}

// drfMessage words a schema failure as DRF's serializer fields would.
func drfMessage(e *openapi3.SchemaError) string {
	s := e.Schema
	if len(s.Enum) > 0 && e.Value != nil && (e.SchemaField == "enum" || e.SchemaField == "type") {
		// A ChoiceField checks nothing but membership, whatever the type.
		return fmt.Sprintf("%q is not a valid choice.", pythonStr(e.Value))
	}
	switch e.SchemaField {
	case "required":
		return "This field is required."
	case "nullable":
		return "This field may not be null."
	case "minLength":
		return "This field may not be blank."
	case "maxLength":
		if s.MaxLength != nil {
			return fmt.Sprintf("Ensure this field has no more than %d characters.", *s.MaxLength)
		}
	case "format":
		switch s.Format {
		case "email":
			return "Enter a valid email address."
		case "uuid":
			return "Must be a valid UUID."
		}
	case "enum":
		if e.Value == nil {
			return "This field may not be null."
		}
		return fmt.Sprintf("%q is not a valid choice.", pythonStr(e.Value))
	case "type":
		if e.Value == nil {
			return "This field may not be null."
		}
		switch {
		case s.Type.Is("string"):
			return "Not a valid string."
		case s.Type.Is("integer"):
			return "A valid integer is required."
		case s.Type.Is("boolean"):
			return "Must be a valid boolean."
		case s.Type.Is("object"):
			return fmt.Sprintf("Expected a dictionary of items but got type %q.", pythonTypeName(e.Value))
		case s.Type.Is("array"):
			return fmt.Sprintf("Expected a list of items but got type %q.", pythonTypeName(e.Value))
		}
	}
	return "Invalid value."
}

// pythonStr writes a JSON value as Python's str() writes what json.loads
// made of it, as DRF's messages quote it: True, None, 2.0.
func pythonStr(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case json.Number:
		if !strings.ContainsAny(string(v), ".eE") {
			return string(v)
		}
		f, err := v.Float64()
		if err != nil {
			return string(v)
		}
		return pythonFloat(f)
	case float64:
		return pythonFloat(v)
	}
	return fmt.Sprint(v)
}

// pythonFloat is Python's repr of a float: the shortest digits, a ".0" on
// whole numbers, and exponents outside 1e-4 to 1e16.
func pythonFloat(f float64) string {
	if a := math.Abs(f); a != 0 && (a < 1e-4 || a >= 1e16) {
		return strconv.FormatFloat(f, 'e', -1, 64)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// pythonTypeName names a JSON value's type as DRF's messages do.
func pythonTypeName(v any) string {
	switch v := v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case string:
		return "str"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	default:
		if s := fmt.Sprint(v); strings.ContainsAny(s, ".eE") {
			return "float"
		}
		return "int"
	}
}

// operations lists every operation of the spec by id, for the route table's
// completeness check.
func (sp *apiSpec) operations() map[string]string {
	ops := map[string]string{}
	for template, item := range sp.doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[op.OperationID] = method + " " + template
		}
	}
	return ops
}

// embeddedSpec is openapi.yaml as built into the binary, loaded once per
// process: every server shares it read-only, which keeps New cheap.
var embeddedSpec = sync.OnceValues(func() (*apiSpec, error) {
	spec, err := loadSpec(pixiebrixfake.OpenAPI)
	if err != nil {
		return nil, err
	}
	if err := checkRouteTable(spec); err != nil {
		return nil, err
	}
	return spec, nil
})
