package fake_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// hostileData is campaign member data that YAML, float64 or int64 would
// change: numbers at and past their limits, YAML's special words and keys,
// long keys, deep nesting. Each entry is a key and its value as JSON text.
func hostileData() string {
	deepList := strings.Repeat("[", 500) + "1e400" + strings.Repeat("]", 500)
	deepObject := strings.Repeat(`{"<<":`, 300) + "-0" + strings.Repeat("}", 300)
	entries := [][2]string{
		// numbers past float64 and int64, and the spellings they lose
		{"n/1e400", "1e400"}, {"n/-1e400", "-1e400"}, {"n/1e-400", "1e-400"}, {"n/-1e-400", "-1e-400"},
		{"n/-0", "-0"}, {"n/-0.0", "-0.0"}, {"n/0.0", "0.0"}, {"n/1.0", "1.0"}, {"n/1E+2", "1E+2"}, {"n/1e-7", "1e-7"},
		{"n/max-float", "1.7976931348623157e308"}, {"n/past-max-float", "1.7976931348623159e308"},
		{"n/min-subnormal", "4.9e-324"}, {"n/below-subnormal", "2e-324"}, {"n/huge-exponent", "1e999999999"},
		{"n/tiny-exponent", "1e-999999999"}, {"n/2^53+1", "9007199254740993"}, {"n/-(2^53+1)", "-9007199254740993"},
		{"n/max-int64", "9223372036854775807"}, {"n/2^63", "9223372036854775808"}, {"n/min-int64-1", "-9223372036854775809"},
		{"n/max-uint64", "18446744073709551615"}, {"n/2^64+1", "18446744073709551617"},
		{"n/30-digits", "123456789012345678901234567890"}, {"n/pi-40", "3.141592653589793238462643383279502884197"},
		{"n/0.1", "0.1"}, {"n/long-mantissa", "100000000000000000000000000000000000000000000000000e-50"},
		// strings YAML would read as something else
		{"s/yes", `"yes"`}, {"s/On", `"On"`}, {"s/n", `"n"`}, {"s/~", `"~"`}, {"s/null", `"null"`},
		{"s/date", `"2024-05-01"`}, {"s/time", `"2024-05-01T00:00:00Z"`}, {"s/hex", `"0x1F"`}, {"s/octal", `"0o17"`},
		{"s/underscore", `"1_000"`}, {"s/inf", `".inf"`}, {"s/nan", `".nan"`}, {"s/number", `"1e400"`},
		{"s/merge", `"<<"`}, {"s/anchor", `"&a *a"`}, {"s/controls", `"\u0000\u0001\t\u0085\u2028\ufeff"`},
		{"s/astral", `"\ud83d\ude00 🦄"`}, {"s/long", `"` + strings.Repeat("x", 5000) + `"`},
		// keys YAML would read as something else, or refuse
		{"<<", `{"x":1,"y":[1,2]}`}, {"", `"empty key"`}, {"? x", "1"}, {"- x", "2"}, {"&a", "3"}, {"*a", "4"},
		{"!!binary", "5"}, {"%YAML", "6"}, {"#", "7"}, {"---", "8"}, {"...", "9"}, {"null", "null"}, {"true", "true"},
		{"1e400", "false"}, {strings.Repeat("k", 1100), `"a key longer than 1,024 characters"`},
		{"nested/merge", `[{"<<":{"a":1}},{"<<":[{"b":2}]}]`}, {"nested/list", deepList}, {"nested/object", deepObject},
	}
	slices.SortFunc(entries, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	var out strings.Builder
	out.WriteString("{")
	for i, e := range entries {
		if i > 0 {
			out.WriteString(",")
		}
		key, _ := json.Marshal(e[0])
		out.Write(key)
		out.WriteString(":")
		out.WriteString(e[1])
	}
	out.WriteString("}")
	return out.String()
}

// exactJSON decodes JSON keeping numbers as written, so that two values are
// DeepEqual only if every number is spelled the same.
func exactJSON(t testing.TB, data []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %.200s: %v", data, err)
	}
	return v
}

// memberData finds the data of a campaign member in a state.
func memberData(t testing.TB, state []byte, email string) any {
	t.Helper()
	var f struct {
		Organizations []struct {
			Campaigns []struct {
				Members []struct {
					Email string          `json:"email"`
					Data  json.RawMessage `json:"data"`
				} `json:"members"`
			} `json:"campaigns"`
		} `json:"organizations"`
	}
	if err := json.Unmarshal(state, &f); err != nil {
		t.Fatalf("state: %v", err)
	}
	for _, o := range f.Organizations {
		for _, c := range o.Campaigns {
			for _, m := range c.Members {
				if m.Email == email {
					return exactJSON(t, m.Data)
				}
			}
		}
	}
	t.Fatalf("no campaign member %s in the state", email)
	return nil
}

// TestHostileDataRoundTrip: campaign member data comes back exactly as the
// API was given it, number for number and key for key, through the API,
// GET and PUT /__fake/state, a JSON fixture file and the state file.
func TestHostileDataRoundTrip(t *testing.T) {
	t.Parallel()
	const email = "ada@acme.test"
	data := hostileData()
	want := exactJSON(t, []byte(data))
	members := "/api/organizations/" + acmeID + "/campaigns/" + q1CampaignID + "/members/"
	check := func(t *testing.T, where string, got any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got)
			t.Errorf("%s: the data changed:\n got %.600s\nwant %.600s", where, g, data)
		}
	}
	writeData := func(t *testing.T, s *apiServer) {
		t.Helper()
		r := s.do(t, call{method: "POST", path: members, token: acmeAdmin, body: `{"email":"` + email + `","data":` + data + `}`})
		if r.Status != 201 {
			t.Fatalf("POST: %d %.300s", r.Status, r.Body)
		}
	}
	apiData := func(t *testing.T, s *apiServer) any {
		t.Helper()
		var list []struct {
			Email string          `json:"email"`
			Data  json.RawMessage `json:"data"`
		}
		s.do(t, call{method: "GET", path: members, token: acmeAdmin}).decode(t, &list)
		for _, m := range list {
			if m.Email == email {
				return exactJSON(t, m.Data)
			}
		}
		t.Fatalf("no member %s", email)
		return nil
	}

	s := newAPIServer(t)
	writeData(t, s)
	check(t, "the API's answer", apiData(t, s))
	state := getState(t, s, "").Body
	check(t, "GET /__fake/state", memberData(t, state, email))

	t.Run("put-state", func(t *testing.T) {
		wantStatus(t, s.plain(t, call{method: "PUT", path: "/__fake/state", body: state}), 204)
		again := getState(t, s, "").Body
		check(t, "GET after PUT", memberData(t, again, email))
		check(t, "the API after PUT", apiData(t, s))
		if !bytes.Equal(again, state) {
			t.Error("the state changed over GET, PUT, GET")
		}
	})
	t.Run("yaml-state", func(t *testing.T) {
		// YAML has no numbers past float64 and int64, nor -0: those are the
		// JSON state's to keep. Every key and string survives.
		yamlState := getState(t, s, "application/yaml").Body
		fresh := newAPIServer(t)
		wantStatus(t, fresh.plain(t, call{method: "PUT", path: "/__fake/state", body: yamlState, headers: map[string]string{"Content-Type": "application/yaml"}}), 204)
		got := memberData(t, getState(t, fresh, "").Body, email).(map[string]any)
		for key, value := range want.(map[string]any) {
			if strings.HasPrefix(key, "n/") || key == "nested/list" || key == "nested/object" {
				continue
			}
			if !reflect.DeepEqual(got[key], value) {
				t.Errorf("key %.40q: got %.100v, want %.100v", key, got[key], value)
			}
		}
	})
	for _, name := range []string{"state.json", "state.fixture"} {
		t.Run("fixture-file/"+name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), name)
			if err := os.WriteFile(path, state, 0o600); err != nil {
				t.Fatal(err)
			}
			fresh := newAPIServer(t, fake.WithFixtureFile(path))
			check(t, "a server started on the state", apiData(t, fresh))
			if got := getState(t, fresh, "").Body; !bytes.Equal(got, state) {
				t.Error("a server started on the state has another state")
			}
		})
	}
	t.Run("state-file", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "state")
		first := newDurableServer(t, path)
		writeData(t, first) // a write record, replayed at the next start
		replayed := newAPIServer(t, fake.WithStateFile(path))
		check(t, "replayed from the state file", apiData(t, replayed))
		if err := replayed.Server.CloseStateFile(); err != nil { // a snapshot
			t.Fatal(err)
		}
		reopened := newDurableServer(t, path)
		check(t, "the state file's snapshot", apiData(t, reopened))
	})
}

// TestJSONFixtureStrict: a JSON fixture is read as JSON, never as YAML: what
// JSON forbids is an error naming its line and column.
func TestJSONFixtureStrict(t *testing.T) {
	t.Parallel()
	deep := `{"organizations":[{"name":"A","campaigns":[{"name":"C","members":[{"email":"a@a.test","data":{"d":` +
		strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}}]}]}]}`
	cases := []struct {
		name, json, want string
	}{
		{"trailing-comma/object", "{\n  \"organizations\": [],\n}\n", `line 3, column 1: invalid character '}' looking for beginning of object key string`},
		{"trailing-comma/list", "{\"organizations\": [\n  {\"name\": \"A\"},\n]}", `line 3, column 1: invalid character ']' looking for beginning of value`},
		{"comment", "{\"organizations\": [] // none\n}", `line 1, column 22: invalid character '/' after object key:value pair`},
		{"single-quotes", "{'organizations': []}", `line 1, column 2: invalid character '\'' looking for beginning of object key string`},
		{"yaml", "organizations: []\n", `line 1, column 1: invalid character 'o' looking for beginning of value`},
		{"second-value", "{\"organizations\": []}\n{}", `line 2, column 1: a second JSON value starts here; a fixture is one value`},
		{"truncated", "{\"organizations\": [", `line 1, column 20: the JSON ends before its last value does`},
		{"not-utf8", "{\"organizations\": [{\"name\": \"\xff\"}]}", `line 1, column 30: the JSON is not valid UTF-8`},
		{"nan", `{"organizations": [{"name": "A", "generate": {"members": NaN}}]}`, `line 1, column 58: invalid character 'N' looking for beginning of value`},
		{"too-deep", deep, `line 1, column 10097: nested deeper than 10006 levels`},
		{"unknown-key", "{\"organizations\": [\n {\"name\": \"A\", \"colour\": \"red\"}]}", `line 2: organizations[0] (A): unknown key "colour"`},
		{"repeated-key", "{\"organizations\": [{\"name\": \"A\", \"name\": \"B\"}]}", `line 1: organizations[0] (A): key "name" is repeated (first at line 1)`},
		{"repeated-data-key", `{"organizations": [{"name": "A", "campaigns": [{"name": "C", "members": [{"email": "a@a.test", "data": {"<<": 1, "<<": 2}}]}]}]}`,
			`line 1: organizations[0] (A): campaigns[0] (C): members[0] (a@a.test): data: key "<<" is repeated`},
		{"wrong-type", `{"organizations": {"name": "A"}}`, `line 1: organizations: expected a list, found a mapping`},
		{"null", "null", "the fixture is empty"},
		{"blank", " \n", "the fixture is empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if _, err := fake.ParseFixtureJSON([]byte(c.json)); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("ParseFixtureJSON: %v\nwant %s", err, c.want)
			}
			// A .json fixture file is read by the same rules.
			path := filepath.Join(t.TempDir(), "fixture.json")
			if err := os.WriteFile(path, []byte(c.json), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := fake.New(fake.WithFixtureFile(path)); err == nil || !strings.Contains(err.Error(), "fixture "+path+": "+c.want) {
				t.Errorf("--fixtures fixture.json: %v\nwant %s", err, c.want)
			}
		})
	}
	t.Run("put-state", func(t *testing.T) {
		t.Parallel()
		s := newAPIServer(t)
		r := s.plain(t, call{method: "PUT", path: "/__fake/state", body: "{\n  \"organizations\": [],\n}\n"})
		wantStatus(t, r, 400)
		if want := "Invalid state: line 3, column 1: invalid character '}' looking for beginning of object key string"; r.detail(t) != want {
			t.Errorf("detail %q, want %q", r.detail(t), want)
		}
	})
	t.Run("yaml-still-read", func(t *testing.T) {
		t.Parallel()
		// Without .json, a document that is not JSON is YAML, as before.
		f, err := fake.ParseFixture([]byte("organizations:\n  - name: A\n    campaigns:\n      - name: C\n        members:\n          - {email: a@a.test, data: {n: 3, r: 1.5, d: 2024-05-01}}\n"))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"n": json.Number("3"), "r": json.Number("1.5"), "d": "2024-05-01"}
		if got := f.Organizations[0].Campaigns[0].Members[0].Data; !reflect.DeepEqual(got, want) {
			t.Errorf("data %#v, want %#v", got, want)
		}
	})
}

// FuzzFixtureJSON feeds any bytes to the strict JSON reader: it fails
// cleanly, or what it read writes back as JSON that it reads to the same
// bytes again (numbers and keys as written).
func FuzzFixtureJSON(f *testing.F) {
	f.Add([]byte(`{"organizations":[{"name":"A","campaigns":[{"name":"C","members":[{"email":"a@a.test","data":` + hostileData() + `}]}]}]}`))
	f.Add([]byte("{\n  \"organizations\": [],\n}\n"))
	f.Add([]byte(`{"organizations":[{"name":"A","members":[{"email":"a@a.test","role":"admin","date_joined":"2025-01-01T00:00:00Z"}]}],"users":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		fixture, err := fake.ParseFixtureJSON(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an empty error")
			}
			return
		}
		first, err := json.Marshal(fixture)
		if err != nil {
			t.Fatalf("writing what was read: %v", err)
		}
		again, err := fake.ParseFixtureJSON(first)
		if err != nil {
			t.Fatalf("reading what was written: %v\n%s", err, first)
		}
		if second, _ := json.Marshal(again); !bytes.Equal(first, second) {
			t.Fatalf("changed in a round trip:\n%s\n%s", first, second)
		}
	})
}

// TestDeepestDataRoundTrip: data nested as deeply as the API takes it (one
// level more is a 400 there) goes through GET and PUT /__fake/state.
func TestDeepestDataRoundTrip(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	members := "/api/organizations/" + acmeID + "/campaigns/" + q1CampaignID + "/members/"
	body := func(depth int) string {
		return `{"email":"ada@acme.test","data":{"d":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}}`
	}
	if r := s.do(t, call{method: "POST", path: members, token: acmeAdmin, body: body(9999)}); r.Status != 400 {
		t.Fatalf("POST of data 9,999 levels deep: %d, want the API's 400", r.Status)
	}
	if r := s.do(t, call{method: "POST", path: members, token: acmeAdmin, body: body(9998)}); r.Status != 201 {
		t.Fatalf("POST: %d %.200s", r.Status, r.Body)
	}
	// The state nests this data past 10,000 levels, where encoding/json (and
	// so kin-openapi) stops decoding: these two answers go unvalidated.
	getDeepState := func() []byte {
		r, _ := s.send(t, call{method: "GET", path: "/__fake/state"})
		wantStatus(t, r, http.StatusOK)
		return r.Body
	}
	state := getDeepState()
	wantStatus(t, s.plain(t, call{method: "PUT", path: "/__fake/state", body: state}), 204)
	if again := getDeepState(); !bytes.Equal(again, state) {
		t.Error("the state changed over GET, PUT, GET")
	}
}
