package jsonvalue_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/jsonvalue"
)

// decode reads a JSON text as request bodies are read: numbers as json.Number.
func decode(t testing.TB, text string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return v
}

// viaFloat64 is the comparison Equal replaced: both values round-tripped
// through encoding/json (every number a float64), then reflect.DeepEqual.
func viaFloat64(a, b any) bool {
	return reflect.DeepEqual(jsonvalue.RoundTrip(a), jsonvalue.RoundTrip(b))
}

func TestEqual(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
		// float64Differs marks the pairs where Python's comparison (Equal)
		// and a float64 round trip disagree: integers past 2^53, and
		// numbers past float64's range (which the round trip cannot read).
		float64Differs bool
	}{
		{`{"Seats": 3, "Ratio": 0.5, "Tags": ["a", 2], "Desk": {"Floor": 4}}`, `{"Desk": {"Floor": 4}, "Tags": ["a", 2], "Ratio": 0.5, "Seats": 3}`, true, false},
		{`{"Seats": 3, "Ratio": 0.5}`, `{"Seats": 3.0, "Ratio": 5e-1}`, true, false},
		{`{"a": 1}`, `{"a": 1, "b": null}`, false, false},
		{`{"a": 1, "c": 2}`, `{"a": 1, "b": 2}`, false, false},
		{`{}`, `{}`, true, false},
		{`{}`, `[]`, false, false},
		{`[]`, `[]`, true, false},
		{`[1, "a"]`, `["a", 1]`, false, false},
		{`[1, 2]`, `[1, 2, 3]`, false, false},
		{`[[[{"x": [true]}]]]`, `[[[{"x": [true]}]]]`, true, false},
		{`[[[{"x": [true]}]]]`, `[[[{"x": [false]}]]]`, false, false},
		{`null`, `null`, true, false},
		{`null`, `false`, false, false},
		{`null`, `0`, false, false},
		{`null`, `""`, false, false},
		{`true`, `true`, true, false},
		{`true`, `1`, false, false},
		{`"3"`, `3`, false, false},
		{`"a"`, `"a"`, true, false},
		{`"a"`, `"A"`, false, false},
		{`"é"`, `"\u00e9"`, true, false},
		{`0`, `-0`, true, false},
		{`0`, `-0.0`, true, false},
		{`0.0`, `-0.0`, true, false},
		{`3`, `3.0`, true, false},
		{`3`, `300e-2`, true, false},
		{`3`, `3.000000000000001`, false, false},
		{`3`, `4`, false, false},
		{`-3`, `3`, false, false},
		{`0.1`, `1e-1`, true, false},
		{`0.1`, `0.10000000000000001`, true, false}, // one float64, as in Python
		{`1e-400`, `0`, true, false},
		{`9007199254740992`, `9007199254740992.0`, true, false},
		{`9007199254740993`, `9007199254740992`, false, true}, // Python: distinct ints
		{`9007199254740993`, `9007199254740992.0`, false, true},
		{`9007199254740993`, `9007199254740993`, true, false},
		{`123456789012345678901234567890`, `123456789012345678901234567890`, true, false},
		{`123456789012345678901234567890`, `123456789012345678901234567891`, false, true},
		{`1152921504606846976`, `1.152921504606846976e18`, true, false}, // 2^60, exact both ways
		{`1152921504606846977`, `1.152921504606846976e18`, false, true},
		{`1e400`, `2e400`, true, true}, // both infinity in Python
		{`1e400`, `1e400`, true, false},
		{`-1e400`, `1e400`, false, false},
		{"1" + strings.Repeat("0", 400), `1e400`, false, false}, // an int is never infinity
	}
	for _, tc := range cases {
		a, b := decode(t, tc.a), decode(t, tc.b)
		for _, pair := range [][2]any{{a, b}, {b, a}} {
			if got := jsonvalue.Equal(pair[0], pair[1]); got != tc.want {
				t.Errorf("Equal(%s, %s) = %t, want %t", tc.a, tc.b, got, tc.want)
			}
		}
		if old := viaFloat64(a, b); (old != tc.want) != tc.float64Differs {
			t.Errorf("%s vs %s: the float64 round trip says %t, Equal %t; float64Differs is %t", tc.a, tc.b, old, tc.want, tc.float64Differs)
		}
	}
}

// TestEqualGoValues: values a Go caller may hold in campaign data compare as
// their encoding/json round trip does.
func TestEqualGoValues(t *testing.T) {
	var nilMap map[string]any
	var nilList []any
	cases := []struct {
		name string
		a, b any
		want bool
	}{
		{"int-and-number", 3, json.Number("3.0"), true},
		{"float-and-number", 0.5, json.Number("5e-1"), true},
		{"int-and-int", 3, 4, false},
		{"nil-map-and-null", nilMap, nil, true},
		{"nil-map-and-empty-object", nilMap, map[string]any{}, false},
		{"nil-list-and-empty-list", nilList, []any{}, false},
		{"map-of-int", map[string]any{"a": int64(2)}, map[string]any{"a": json.Number("2")}, true},
		{"not-a-json-number", json.Number("x"), json.Number("x"), true},
		{"not-a-json-number-and-string", json.Number("x"), "x", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := jsonvalue.Equal(tc.a, tc.b); got != tc.want {
				t.Errorf("Equal(%#v, %#v) = %t, want %t", tc.a, tc.b, got, tc.want)
			}
			if got := jsonvalue.Equal(tc.b, tc.a); got != tc.want {
				t.Errorf("Equal(%#v, %#v) = %t, want %t", tc.b, tc.a, got, tc.want)
			}
		})
	}
}

// TestEqualDeep: data as deep as the API accepts compares without trouble.
func TestEqualDeep(t *testing.T) {
	deep := strings.Repeat(`{"a":[`, 5000) + "1" + strings.Repeat("]}", 5000)
	a, b := decode(t, deep), decode(t, strings.Replace(deep, "1", "1.0", 1))
	if !jsonvalue.Equal(a, b) {
		t.Error("deep values with 1 and 1.0 differ")
	}
	c := decode(t, strings.Replace(deep, "1", "2", 1))
	if jsonvalue.Equal(a, c) {
		t.Error("deep values with 1 and 2 are equal")
	}
}

// BenchmarkEqual compares the data of five campaign members, as a PUT that
// changes nothing does, against the float64 round trip it replaced.
func BenchmarkEqual(b *testing.B) {
	var stored, sent []any
	for i := range 5 {
		text := []byte(`{"Location":"Desk ` + string(rune('1'+i)) + `","Seats":3,"Tags":["a",2]}`)
		stored = append(stored, decode(b, string(text)))
		sent = append(sent, decode(b, string(bytes.Replace(text, []byte(`"Seats":3`), []byte(`"Seats":3.0`), 1))))
	}
	for _, bc := range []struct {
		name  string
		equal func(a, b any) bool
	}{{"Equal", jsonvalue.Equal}, {"float64-round-trip", viaFloat64}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for i := range stored {
					if !bc.equal(stored[i], sent[i]) {
						b.Fatal("differ")
					}
				}
			}
		})
	}
}
