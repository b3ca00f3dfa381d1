// Package jsonvalue reads and compares JSON values as request bodies hold
// them: what encoding/json's Decoder with UseNumber makes of JSON (nil,
// bool, string, json.Number, []any and map[string]any). Decode reads the
// common bodies in one pass; Equal compares such values as the real
// server's Python compares what its JSON parser makes of them.
package jsonvalue

import (
	"encoding/json"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"
)

// Equal reports whether a and b hold the same JSON value: objects with the
// same keys and equal values in any order, lists equal item by item, and
// numbers equal by value whatever their spelling (3, 3.0 and 30e-1 are one
// number). Numbers compare as Python compares what json.loads makes of
// them: an integer (no fraction, no exponent) is exact at any size, any
// other number is a float64 (1e400 is infinity), and an integer equals a
// float only when the float is exactly that integer.
//
// It walks both values once and allocates nothing for the decoded kinds;
// other Go values (a typed nil map, an int or a float64 some Go caller put
// in) compare as their encoding/json round trip compares, with every number
// a float64.
func Equal(a, b any) bool {
	switch a := a.(type) {
	case nil:
		if b == nil {
			return true
		}
	case bool:
		if b, ok := b.(bool); ok {
			return a == b
		}
	case string:
		if b, ok := b.(string); ok {
			return a == b
		}
	case json.Number:
		if b, ok := b.(json.Number); ok {
			if same, ok := sameNumber(a, b); ok {
				return same
			}
		}
	case map[string]any:
		if b, ok := b.(map[string]any); ok && a != nil && b != nil {
			if len(a) != len(b) {
				return false
			}
			for key, av := range a {
				bv, ok := b[key]
				if !ok || !Equal(av, bv) {
					return false
				}
			}
			return true
		}
	case []any:
		if b, ok := b.([]any); ok && a != nil && b != nil {
			if len(a) != len(b) {
				return false
			}
			for i := range a {
				if !Equal(a[i], b[i]) {
					return false
				}
			}
			return true
		}
	}
	if decodedKind(a) && decodedKind(b) {
		return false // two different kinds of JSON value
	}
	return reflect.DeepEqual(roundTrip(a), roundTrip(b))
}

// decodedKind reports whether v is one of the values encoding/json decodes
// JSON into (with UseNumber), a valid number and non-nil containers.
func decodedKind(v any) bool {
	switch v := v.(type) {
	case nil, bool, string:
		return true
	case json.Number:
		_, ok := numberKind(string(v))
		return ok
	case map[string]any:
		return v != nil
	case []any:
		return v != nil
	}
	return false
}

// roundTrip is v as encoding/json decodes what it encodes of v: every
// number a float64. A value it cannot encode or decode back stays as it is.
func roundTrip(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		return v
	}
	return out
}

// sameNumber compares two JSON numbers by value; ok is false when either is
// not JSON's number syntax.
func sameNumber(a, b json.Number) (same, ok bool) {
	aInt, okA := numberKind(string(a))
	bInt, okB := numberKind(string(b))
	switch {
	case !okA || !okB:
		return false, false
	case a == b:
		return true, true
	case aInt && bInt:
		return canonicalInt(string(a)) == canonicalInt(string(b)), true
	case !aInt && !bInt:
		return parseFloat(string(a)) == parseFloat(string(b)), true
	case aInt:
		return intEqualsFloat(string(a), parseFloat(string(b))), true
	default:
		return intEqualsFloat(string(b), parseFloat(string(a))), true
	}
}

// numberKind checks s against JSON's number grammar
// (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?) and reports whether it
// is an integer, as Python's json module reads one.
func numberKind(s string) (integer, ok bool) {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = digits(s, i)
	default:
		return false, false
	}
	integer = true
	if i < len(s) && s[i] == '.' {
		integer = false
		if j := digits(s, i+1); j > i+1 {
			i = j
		} else {
			return false, false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		integer = false
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if j := digits(s, i); j > i {
			i = j
		} else {
			return false, false
		}
	}
	return integer, i == len(s)
}

// digits is the index of the first non-digit of s at or after i.
func digits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// canonicalInt is a JSON integer's text with negative zero written as 0
// (JSON allows no leading zeros, so equal integers are then equal texts).
func canonicalInt(s string) string {
	if s == "-0" {
		return "0"
	}
	return s
}

// parseFloat reads a JSON number as Python's float does: past float64's
// range it is an infinity, below it a zero.
func parseFloat(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64) // ±Inf on ErrRange; the syntax was checked
	return f
}

// intEqualsFloat reports whether the JSON integer s is exactly f.
func intEqualsFloat(s string, f float64) bool {
	if math.IsInf(f, 0) || f != math.Trunc(f) {
		return false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > -1<<53 && n < 1<<53 {
		return float64(n) == f // exact: both are integers a float64 holds exactly
	}
	if len(strings.TrimPrefix(s, "-")) > 310 {
		return false // past any finite float64
	}
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return false
	}
	whole, _ := new(big.Float).SetFloat64(f).Int(nil)
	return n.Cmp(whole) == 0
}
