package jsonvalue_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/jsonvalue"
)

// checkDecode: whatever Decode reads, encoding/json reads without error and
// to the same value (nil and empty lists and objects told apart).
func checkDecode(t *testing.T, data []byte) (fast bool) {
	t.Helper()
	got, ok := jsonvalue.DecodeFast(data)
	if !ok {
		return false
	}
	want, err := jsonvalue.DecodeStd(data)
	if err != nil {
		t.Fatalf("%q: Decode read %#v, encoding/json refuses it: %v", data, got, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: Decode read %#v, encoding/json %#v", data, got, want)
	}
	return true
}

func TestDecode(t *testing.T) {
	cases := []struct {
		text string
		fast bool // Decode reads it (else it leaves it to encoding/json)
	}{
		{`[{"email":"ada@acme.test"},{"email":"mel@acme.test"}]`, true},
		{`[{"email":"ada@acme.test","data":{"Location":"Desk 1","Seats":3,"Ratio":-0.5e+2,"Tags":["a",2,true,false,null],"Empty":{},"None":[]}}]`, true},
		{" \t\r\n{\"a\" : 1 , \"b\":[ ] }\n", true},
		{`{"a":1,"a":2}`, true}, // the last one wins
		{`{}`, true}, {`[]`, true}, {`[[]]`, true}, {`""`, true}, {`"é ü 😀 \u2028"`, false},
		{`"é ü 😀"`, true}, {`0`, true}, {`-0`, true}, {`1e400`, true}, {`123456789012345678901234567890`, true},
		{`true`, true}, {`false`, true}, {`null`, true},
		{`"a\"b"`, false}, {`"a\u0041"`, false}, {"\"a\tb\"", false}, {`"\ud800"`, false},
		{`01`, false}, {`1.`, false}, {`.5`, false}, {`1e`, false}, {`+1`, false}, {`-`, false}, {`1-2`, false}, {`[1-2]`, false},
		{`[1,]`, false}, {`{"a":1,}`, false}, {`{"a" 1}`, false}, {`{a:1}`, false}, {`[1 2]`, false}, {`{"a":1 "b":2}`, false},
		{`tru`, false}, {`truex`, false}, {`nul`, false}, {`[true false]`, false}, {`1 2`, false}, {`{}{}`, false},
		{"\ufeff{}", false}, {"", false}, {" ", false}, {`[`, false}, {`{`, false}, {`{"a":`, false}, {`"abc`, false},
		{"\"\xff\"", false}, {"{\"\xff\":1}", false},
		{strings.Repeat("[", 200) + strings.Repeat("]", 200), true},
		{strings.Repeat("[", 300) + strings.Repeat("]", 300), false},
		{`NaN`, false}, {`Infinity`, false}, {`'a'`, false}, {`[1,/*c*/2]`, false},
	}
	for _, tc := range cases {
		if fast := checkDecode(t, []byte(tc.text)); fast != tc.fast {
			t.Errorf("%q: Decode read it: %t, want %t", tc.text, fast, tc.fast)
		}
	}
}

// FuzzDecode holds Decode to encoding/json on any input: what it reads,
// encoding/json reads to the same value.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`[{"email":"ada@acme.test","data":{"Location":"Desk 1","n":[1,2.5e3,-0,{}]}}]`,
		`{"name":"Sales","a":{"b":[true,false,null]}}`, `"x"`, `1e400`, `[1,]`, `{"a":1,"a":2}`, "\"\xff\"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
	})
}

func BenchmarkDecode(b *testing.B) {
	body := []byte(`[{"email":"ada@acme.test","data":{"Location":"Desk 1"}},{"email":"mel@acme.test","data":{"Location":"Desk 2"}},{"email":"rae@acme.test","data":{"Location":"Desk 3"}},{"email":"new.hire@acme.test","data":{"Location":"Desk 4"}},{"email":"max@acme.test","data":{"Location":"Desk 5"}}]`)
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := jsonvalue.DecodeStd(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := jsonvalue.DecodeFast(body); !ok {
				b.Fatal("not read")
			}
		}
	})
}
