package fake

import (
	"bytes"
	"encoding"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

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

// --- a JSON encoder for response bodies ---
//
// encoding/json spends most of a list page on reflection and on checking
// what time.Time's MarshalJSON returns. appendJSON writes the same bytes as
// json.Encoder with SetEscapeHTML(false) (less the newline) from encoders
// compiled once per type. It handles the kinds the resource types use
// (structs with plain or omitempty tags, strings, integers, booleans,
// time.Time, pointers, slices, string-keyed maps, interfaces); for anything
// else it reports false and writeJSON falls back to encoding/json, so a new
// field type can never change a response, only its speed.

// valueEncoder appends v to buf, or reports false for a value it cannot
// write exactly as encoding/json would.
type valueEncoder func(buf []byte, v reflect.Value) ([]byte, bool)

var (
	encoders      sync.Map // reflect.Type → valueEncoder (nil: not supported)
	jsonTimeType  = reflect.TypeFor[time.Time]()
	numberType    = reflect.TypeFor[json.Number]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
	textType      = reflect.TypeFor[encoding.TextMarshaler]()
)

// appendJSON appends v as JSON, reporting false when it cannot.
func appendJSON(buf []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case nil:
		return append(buf, "null"...), true
	case []Membership: // the list that load tests read most
		if membershipByHand {
			if v == nil {
				return append(buf, "null"...), true
			}
			buf = append(buf, '[')
			for i := range v {
				if i > 0 {
					buf = append(buf, ',')
				}
				var ok bool
				if buf, ok = appendMembership(buf, &v[i]); !ok {
					return buf, false
				}
			}
			return append(buf, ']'), true
		}
	}
	rv := reflect.ValueOf(v)
	enc := encoderOf(rv.Type())
	if enc == nil {
		return buf, false
	}
	return enc(buf, rv)
}

func encoderOf(t reflect.Type) valueEncoder {
	if enc, ok := encoders.Load(t); ok {
		return enc.(valueEncoder)
	}
	enc := buildEncoder(t, map[reflect.Type]bool{})
	encoders.Store(t, enc)
	return enc
}

// buildEncoder compiles t's encoder; building lists the types on the way
// down, so that a recursive type is refused rather than looped on.
func buildEncoder(t reflect.Type, building map[reflect.Type]bool) valueEncoder {
	if t == jsonTimeType {
		return appendTime
	}
	timePointer := t.Kind() == reflect.Pointer && t.Elem() == jsonTimeType // its methods are time.Time's
	if building[t] || t == numberType || (!timePointer && t.Implements(marshalerType)) || (!timePointer && t.Implements(textType)) ||
		(t.Kind() != reflect.Pointer && (reflect.PointerTo(t).Implements(marshalerType) || reflect.PointerTo(t).Implements(textType))) {
		return nil
	}
	building[t] = true
	defer delete(building, t)
	switch t.Kind() {
	case reflect.String:
		return func(buf []byte, v reflect.Value) ([]byte, bool) { return appendString(buf, v.String()), true }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(buf []byte, v reflect.Value) ([]byte, bool) { return strconv.AppendInt(buf, v.Int(), 10), true }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return func(buf []byte, v reflect.Value) ([]byte, bool) { return strconv.AppendUint(buf, v.Uint(), 10), true }
	case reflect.Bool:
		return func(buf []byte, v reflect.Value) ([]byte, bool) { return strconv.AppendBool(buf, v.Bool()), true }
	case reflect.Interface:
		return appendInterface
	case reflect.Pointer:
		elem := buildEncoder(t.Elem(), building)
		if elem == nil {
			return nil
		}
		return func(buf []byte, v reflect.Value) ([]byte, bool) {
			if v.IsNil() {
				return append(buf, "null"...), true
			}
			return elem(buf, v.Elem())
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 { // base64 in encoding/json
			return nil
		}
		elem := buildEncoder(t.Elem(), building)
		if elem == nil {
			return nil
		}
		return func(buf []byte, v reflect.Value) ([]byte, bool) {
			if v.IsNil() {
				return append(buf, "null"...), true
			}
			buf = append(buf, '[')
			for i := range v.Len() {
				if i > 0 {
					buf = append(buf, ',')
				}
				var ok bool
				if buf, ok = elem(buf, v.Index(i)); !ok {
					return buf, false
				}
			}
			return append(buf, ']'), true
		}
	case reflect.Map:
		if t.Key().Kind() != reflect.String || t.Key() != reflect.TypeFor[string]() {
			return nil
		}
		elem := buildEncoder(t.Elem(), building)
		if elem == nil {
			return nil
		}
		return func(buf []byte, v reflect.Value) ([]byte, bool) {
			if v.IsNil() {
				return append(buf, "null"...), true
			}
			keys := make([]string, 0, v.Len())
			for _, k := range v.MapKeys() {
				keys = append(keys, k.String())
			}
			slices.Sort(keys)
			buf = append(buf, '{')
			for i, k := range keys {
				if i > 0 {
					buf = append(buf, ',')
				}
				buf = append(appendString(buf, k), ':')
				var ok bool
				if buf, ok = elem(buf, v.MapIndex(reflect.ValueOf(k))); !ok {
					return buf, false
				}
			}
			return append(buf, '}'), true
		}
	case reflect.Struct:
		return buildStructEncoder(t, building)
	}
	return nil // floats, arrays, channels, functions: encoding/json's business
}

type fieldEncoder struct {
	index     int
	key       []byte // `"name":`
	omitEmpty bool
	enc       valueEncoder
}

func buildStructEncoder(t reflect.Type, building map[reflect.Type]bool) valueEncoder {
	var fields []fieldEncoder
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			return nil // embedding has its own rules
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if opts != "" && opts != "omitempty" {
			return nil
		}
		if name == "" {
			name = f.Name
		}
		if !plainKey(name) {
			return nil
		}
		enc := buildEncoder(f.Type, building)
		if enc == nil {
			return nil
		}
		fields = append(fields, fieldEncoder{index: i, key: []byte(`"` + name + `":`), omitEmpty: opts == "omitempty", enc: enc})
	}
	return func(buf []byte, v reflect.Value) ([]byte, bool) {
		buf = append(buf, '{')
		first := true
		for _, f := range fields {
			fv := v.Field(f.index)
			if f.omitEmpty && isEmptyValue(fv) {
				continue
			}
			if !first {
				buf = append(buf, ',')
			}
			first = false
			buf = append(buf, f.key...)
			var ok bool
			if buf, ok = f.enc(buf, fv); !ok {
				return buf, false
			}
		}
		return append(buf, '}'), true
	}
}

// plainKey reports whether a field name needs no escaping and is a name
// encoding/json keeps as it is.
func plainKey(name string) bool {
	for _, c := range name {
		if !(c == '_' || c == '-' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')) {
			return false
		}
	}
	return name != ""
}

// isEmptyValue is encoding/json's test for omitempty.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

func appendInterface(buf []byte, v reflect.Value) ([]byte, bool) {
	if v.IsNil() {
		return append(buf, "null"...), true
	}
	e := v.Elem()
	enc := encoderOf(e.Type())
	if enc == nil {
		return buf, false
	}
	return enc(buf, e)
}

// appendTime writes what time.Time's MarshalJSON writes; the years and zone
// offsets it refuses are left to encoding/json and its error.
func appendTime(buf []byte, v reflect.Value) ([]byte, bool) {
	t, _ := reflect.TypeAssert[time.Time](v) // no allocation, unlike Interface
	return appendTimeValue(buf, t)
}

func appendTimeValue(buf []byte, t time.Time) ([]byte, bool) {
	if y := t.Year(); y < 0 || y > 9999 {
		return buf, false
	}
	if _, offset := t.Zone(); offset <= -24*60*60 || offset >= 24*60*60 {
		return buf, false
	}
	buf = append(buf, '"')
	buf = t.AppendFormat(buf, time.RFC3339Nano)
	return append(buf, '"'), true
}

// appendString writes s as a JSON string without HTML escaping. Text that
// needs no escape is copied; anything else goes through encoding/json.
func appendString(buf []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !plainASCII[c] {
				return appendStringSlow(buf, s)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' {
			return appendStringSlow(buf, s)
		}
		i += size
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}

// plainASCII marks the ASCII bytes a JSON string holds as they are.
var plainASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func appendStringSlow(buf []byte, s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(buf, bytes.TrimSuffix(b.Bytes(), []byte("\n"))...)
}

// --- Membership by hand ---
//
// A page of memberships is written without reflection when Membership and
// the types in it still have the fields and tags below; if a field is
// added, renamed or retyped, membershipByHand turns false and the generic
// encoder takes over, so the output never goes stale.

type jsonField struct {
	name, tag string
	typ       reflect.Type
}

var membershipByHand = hasFields(reflect.TypeFor[Membership](), []jsonField{
	{"ID", `json:"id"`, reflect.TypeFor[int]()},
	{"User", `json:"user"`, reflect.TypeFor[UserRef]()},
	{"Role", `json:"role"`, reflect.TypeFor[Role]()},
	{"Groups", `json:"groups"`, reflect.TypeFor[[]GroupRef]()},
	{"LastActiveAt", `json:"last_active_at"`, reflect.TypeFor[*time.Time]()},
	{"LastLoginAt", `json:"last_login_at"`, reflect.TypeFor[*time.Time]()},
}) && hasFields(reflect.TypeFor[UserRef](), []jsonField{
	{"ID", `json:"id"`, reflect.TypeFor[string]()},
	{"Name", `json:"name"`, reflect.TypeFor[string]()},
	{"Email", `json:"email"`, reflect.TypeFor[string]()},
	{"ServiceAccount", `json:"service_account"`, reflect.TypeFor[bool]()},
	{"DeploymentKeyAccount", `json:"deployment_key_account"`, reflect.TypeFor[bool]()},
	{"DateJoined", `json:"date_joined"`, jsonTimeType},
}) && hasFields(reflect.TypeFor[GroupRef](), []jsonField{
	{"ID", `json:"id"`, reflect.TypeFor[string]()},
	{"Name", `json:"name"`, reflect.TypeFor[string]()},
}) && encoderOf(reflect.TypeFor[Role]()) != nil // Role has no JSON methods of its own

// hasFields reports whether struct type t has exactly these fields, in
// order, with these tags and types.
func hasFields(t reflect.Type, want []jsonField) bool {
	if t.NumField() != len(want) {
		return false
	}
	for i, w := range want {
		f := t.Field(i)
		if f.Name != w.name || string(f.Tag) != w.tag || f.Type != w.typ || f.Anonymous {
			return false
		}
	}
	return true
}

func appendMembership(buf []byte, m *Membership) ([]byte, bool) {
	var ok bool
	buf = append(buf, `{"id":`...)
	buf = strconv.AppendInt(buf, int64(m.ID), 10)
	buf = append(buf, `,"user":{"id":`...)
	buf = appendString(buf, m.User.ID)
	buf = append(buf, `,"name":`...)
	buf = appendString(buf, m.User.Name)
	buf = append(buf, `,"email":`...)
	buf = appendString(buf, m.User.Email)
	buf = append(buf, `,"service_account":`...)
	buf = strconv.AppendBool(buf, m.User.ServiceAccount)
	buf = append(buf, `,"deployment_key_account":`...)
	buf = strconv.AppendBool(buf, m.User.DeploymentKeyAccount)
	buf = append(buf, `,"date_joined":`...)
	if buf, ok = appendTimeValue(buf, m.User.DateJoined); !ok {
		return buf, false
	}
	buf = append(buf, `},"role":`...)
	buf = strconv.AppendInt(buf, int64(m.Role), 10)
	buf = append(buf, `,"groups":`...)
	if m.Groups == nil {
		buf = append(buf, "null"...)
	} else {
		buf = append(buf, '[')
		for i, g := range m.Groups {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, `{"id":`...)
			buf = appendString(buf, g.ID)
			buf = append(buf, `,"name":`...)
			buf = appendString(buf, g.Name)
			buf = append(buf, '}')
		}
		buf = append(buf, ']')
	}
	for _, t := range [2]struct {
		key string
		at  *time.Time
	}{{`,"last_active_at":`, m.LastActiveAt}, {`,"last_login_at":`, m.LastLoginAt}} {
		buf = append(buf, t.key...)
		if t.at == nil {
			buf = append(buf, "null"...)
		} else if buf, ok = appendTimeValue(buf, *t.at); !ok {
			return buf, false
		}
	}
	return append(buf, '}'), true
}
