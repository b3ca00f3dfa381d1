package fake_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// Bad input: every write operation, sent bodies that are malformed, of the
// wrong shape or of the wrong types, answers a 4xx in DRF's error shape
// (which the harness checks against openapi.yaml) and changes nothing.

// writeOp is one operation that takes a body.
type writeOp struct {
	name   string
	method string
	path   string
	// list operations take a list of items or one item; their field errors
	// come back as one error object per item.
	list bool
	// empty is the answer to an empty body (DRF reads it as {}); "" for a
	// PATCH, which {} satisfies.
	empty string
	// valid is an item or object with every required field, for cases that
	// break the body around it.
	valid string
}

var writeOps = []writeOp{
	{"put-membership", "PUT", "/api/memberships/4/", false, `{"role":["This field is required."]}`, `{"role":2}`},
	{"patch-membership", "PATCH", "/api/memberships/4/", false, "", `{"role":2}`},
	{"create-group", "POST", "/api/organizations/" + acmeID + "/groups/", false, `{"name":["This field is required."]}`, `{"name":"New"}`},
	{"put-group", "PUT", "/api/groups/" + salesGroupID + "/", false, `{"name":["This field is required."]}`, `{"name":"New"}`},
	{"patch-group", "PATCH", "/api/groups/" + salesGroupID + "/", false, "", `{"name":"New"}`},
	{"post-group-memberships", "POST", "/api/groups/" + supportGroupID + "/memberships/", true, `{"non_field_errors":["Provide exactly one of user_id or email."]}`, `{"email":"dev@acme.test"}`},
	{"put-group-memberships", "PUT", "/api/groups/" + supportGroupID + "/memberships/", true, `{"non_field_errors":["Provide exactly one of user_id or email."]}`, `{"email":"dev@acme.test"}`},
	{"create-campaign", "POST", "/api/organizations/" + acmeID + "/campaigns/", false, `{"name":["This field is required."]}`, `{"name":"New"}`},
	{"patch-campaign", "PATCH", "/api/organizations/" + acmeID + "/campaigns/" + q1CampaignID + "/", false, "", `{"name":"New"}`},
	{"post-campaign-members", "POST", "/api/organizations/" + acmeID + "/campaigns/" + q1CampaignID + "/members/", true, `{"data":["This field is required."],"email":["This field is required."]}`, `{"email":"dev@acme.test","data":{}}`},
	{"put-campaign-members", "PUT", "/api/organizations/" + acmeID + "/campaigns/" + q1CampaignID + "/members/", true, `{"data":["This field is required."],"email":["This field is required."]}`, `{"email":"dev@acme.test","data":{}}`},
}

func notDict(pythonType string) string {
	return `{"non_field_errors":["Invalid data. Expected a dictionary, but got ` + pythonType + `."]}`
}

func parseError(reason string) string {
	b, _ := json.Marshal(map[string]string{"detail": "JSON parse error - " + reason})
	return string(b)
}

// bodyCase is a body and the answer it earns. For a list operation, a body
// wrapped with item is sent as a one-item list and its error comes back as
// a one-item list.
type bodyCase struct {
	name string
	body string
	want string
	item bool // body is one item: a list operation gets it in a list
}

// shapeCases break the body around valid content: they apply to every
// operation alike.
func shapeCases(op writeOp) []bodyCase {
	deep := strings.Repeat("[", 10_000) + strings.Repeat("]", 10_000)
	tooDeep := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	cases := []bodyCase{
		{"shape/null", "null", notDict("NoneType"), false},
		{"shape/string", `"x"`, notDict("str"), false},
		{"shape/number", `12`, notDict("int"), false},
		{"shape/float", `1.5`, notDict("float"), false},
		{"shape/bool", `true`, notDict("bool"), false},
		{"json/too-deep", tooDeep, parseError("invalid character '[' exceeded max depth"), false},
		{"json/too-deep-inside", `{"x":` + tooDeep + `}`, parseError("invalid character '[' exceeded max depth"), false},
		{"json/nan", `{"x":NaN}`, parseError("invalid character 'N' looking for beginning of value"), false},
		{"json/infinity", `{"x":Infinity}`, parseError("invalid character 'I' looking for beginning of value"), false},
		{"json/minus-infinity", `{"x":-Infinity}`, parseError("invalid character 'I' in numeric literal"), false},
		{"json/bom", "\ufeff" + op.valid, parseError("invalid character 'ï' looking for beginning of value"), false},
		{"json/trailing-garbage", op.valid + " x", parseError("extra data after the JSON value"), false},
		{"json/two-values", op.valid + op.valid, parseError("extra data after the JSON value"), false},
		{"json/truncated", op.valid[:len(op.valid)-1], parseError("unexpected EOF"), false},
		{"json/raw-control-character", `{"x":"a` + "\x01" + `"}`, parseError(`invalid character '\x01' in string literal`), false},
		{"json/raw-newline", `{"x":"a` + "\n" + `"}`, parseError(`invalid character '\n' in string literal`), false},
		{"json/single-quotes", `{'x':1}`, parseError("invalid character '\\'' looking for beginning of object key string"), false},
		{"json/trailing-comma", `{"x":1,}`, parseError("invalid character '}' looking for beginning of object key string"), false},
		{"json/comment", `/* c */ {}`, parseError("invalid character '/' looking for beginning of value"), false},
		{"json/invalid-utf8", `{"x":"` + "\xff\xfe" + `"}`, parseError("the body is not valid UTF-8"), false},
	}
	if op.empty != "" {
		cases = append(cases, bodyCase{"shape/empty", "", op.empty, false})
	}
	if op.list {
		cases = append(cases,
			bodyCase{"shape/list-in-list", "[" + op.valid + "]", notDict("list"), true},
			bodyCase{"shape/deep-nesting", deep, `[` + notDict("list") + `]`, false},
			bodyCase{"shape/null-item", "null", notDict("NoneType"), true},
			bodyCase{"shape/number-item", "7", notDict("int"), true},
			bodyCase{"shape/string-item", `"dev@acme.test"`, notDict("str"), true},
			bodyCase{"shape/empty-item", "{}", op.empty, true},
		)
	} else {
		cases = append(cases,
			bodyCase{"shape/list", "[" + op.valid + "]", notDict("list"), false},
			bodyCase{"shape/empty-list", "[]", notDict("list"), false},
			bodyCase{"shape/deep-nesting", deep, notDict("list"), false},
		)
	}
	return cases
}

// fieldCases sends wrong values for each field the operation takes.
func fieldCases(op writeOp) []bodyCase {
	field := func(name, value, message string) bodyCase {
		b, _ := json.Marshal(map[string][]string{name: {message}})
		return bodyCase{body: `{"` + name + `":` + value + `}`, want: string(b), item: op.list}
	}
	var cases []bodyCase
	add := func(name string, c bodyCase) {
		c.name = name
		cases = append(cases, c)
	}
	huge := `"` + strings.Repeat("x", 2<<20) + `"`
	switch {
	case strings.Contains(op.name, "membership") && !op.list:
		for _, c := range []struct{ name, value, message string }{
			{"role/unknown-text", `"owner"`, `"owner" is not a valid choice.`},
			{"role/unknown-number", `99`, `"99" is not a valid choice.`},
			{"role/negative", `-1`, `"-1" is not a valid choice.`},
			{"role/float", `1.5`, `"1.5" is not a valid choice.`},
			{"role/bool", `true`, `"True" is not a valid choice.`},
			{"role/list", `[2]`, `"[2]" is not a valid choice.`},
			{"role/null", `null`, "This field may not be null."},
			{"role/huge-text", huge, fmt.Sprintf("%q is not a valid choice.", strings.Repeat("x", 2<<20))},
		} {
			add(c.name, field("role", c.value, c.message))
		}
	case strings.Contains(op.name, "group") && !op.list, strings.Contains(op.name, "campaign") && !op.list:
		for _, c := range []struct{ name, value, message string }{
			{"name/null", `null`, "This field may not be null."},
			{"name/number", `1`, "Not a valid string."},
			{"name/huge-number", `1e999`, "Not a valid string."},
			{"name/bool", `false`, "Not a valid string."},
			{"name/list", `["x"]`, "Not a valid string."},
			{"name/object", `{"x":1}`, "Not a valid string."},
			{"name/blank", `""`, "This field may not be blank."},
			{"name/spaces", `"  \t "`, "This field may not be blank."},
			{"name/too-long", `"` + strings.Repeat("é", 257) + `"`, "Ensure this field has no more than 256 characters."},
			{"name/huge", huge, "Ensure this field has no more than 256 characters."},
			{"name/null-character", `"a\u0000b"`, "Null characters are not allowed."},
		} {
			add(c.name, field("name", c.value, c.message))
		}
		b, _ := json.Marshal(map[string][]string{"name": {"This field may not be blank."}})
		add("name/duplicate-key-last-wins", bodyCase{body: `{"name":"Fine","name":""}`, want: string(b)})
	case op.list:
		maxEmail, extra := 254, ""
		if strings.Contains(op.name, "campaign") {
			maxEmail, extra = 128, `,"data":{}`
		}
		tooLong := fmt.Sprintf("Ensure this field has no more than %d characters.", maxEmail)
		for _, c := range []struct{ name, value, message string }{
			{"email/number", `1`, "Not a valid string."},
			{"email/null", `null`, "This field may not be null."},
			{"email/list", `["dev@acme.test"]`, "Not a valid string."},
			{"email/object", `{}`, "Not a valid string."},
			{"email/no-at", `"dev.acme.test"`, "Enter a valid email address."},
			{"email/no-domain", `"dev@"`, "Enter a valid email address."},
			{"email/no-local-part", `"@acme.test"`, "Enter a valid email address."},
			{"email/space", `"de v@acme.test"`, "Enter a valid email address."},
			{"email/two-ats", `"dev@acme@test"`, "Enter a valid email address."},
			{"email/null-character", `"dev\u0000@acme.test"`, "Enter a valid email address."},
			{"email/too-long", `"` + strings.Repeat("x", maxEmail-9) + `@acme.test"`, tooLong},
			{"email/huge", `"` + strings.Repeat("x", 2<<20) + `@acme.test"`, tooLong},
		} {
			bad := field("email", c.value, c.message)
			bad.body = strings.TrimSuffix(bad.body, "}") + extra + "}"
			add(c.name, bad)
		}
		b, _ := json.Marshal([]map[string][]string{{"email": {"Enter a valid email address."}}})
		add("email/duplicate-key-last-wins", bodyCase{body: `[{"email":"dev@acme.test","email":"nope"` + extra + `}]`, want: string(b)})
	}
	switch {
	case strings.Contains(op.name, "group-memberships"):
		for _, c := range []struct{ name, value, message string }{
			{"user_id/text", `"not-a-uuid"`, "Must be a valid UUID."},
			{"user_id/blank", `""`, "Must be a valid UUID."},
			{"user_id/short", `"0a000000-0000-4000-8000-00000000000"`, "Must be a valid UUID."},
			{"user_id/bad-hex", `"0a000000-0000-4000-8000-00000000000g"`, "Must be a valid UUID."},
			{"user_id/null", `null`, "This field may not be null."},
			{"user_id/huge", huge, "Must be a valid UUID."},
		} {
			add(c.name, field("user_id", c.value, c.message))
		}
		add("item/both-user-id-and-email", bodyCase{
			body: `{"user_id":"0a000000-0000-4000-8000-000000000001","email":"dev@acme.test"}`, item: true,
			want: `{"non_field_errors":["Provide exactly one of user_id or email."]}`,
		})
	case strings.Contains(op.name, "campaign-members"):
		for _, c := range []struct{ name, value, message string }{
			{"data/string", `"x"`, `Expected a dictionary of items but got type "str".`},
			{"data/list", `[{"a":1}]`, `Expected a dictionary of items but got type "list".`},
			{"data/number", `1`, `Expected a dictionary of items but got type "int".`},
			{"data/bool", `true`, `Expected a dictionary of items but got type "bool".`},
			{"data/null", `null`, "This field may not be null."},
		} {
			bad := field("data", c.value, c.message)
			bad.body = `{"email":"dev@acme.test",` + bad.body[1:]
			add(c.name, bad)
		}
	}
	return cases
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	before := s.Server.State()
	for _, op := range writeOps {
		cases := append(shapeCases(op), fieldCases(op)...)
		for _, c := range cases {
			t.Run(op.name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				body, want := c.body, c.want
				if c.item && op.list {
					body, want = "["+body+"]", "["+want+"]"
				}
				r := s.do(t, call{method: op.method, path: op.path, token: acmeAdmin, body: body})
				if r.Status != 400 {
					t.Fatalf("status %d, want 400: %.300s", r.Status, r.Body)
				}
				if got := compactJSON(t, r.Body); got != compactJSON(t, []byte(want)) {
					t.Errorf("body\n%.300s\nwant\n%.300s", got, want)
				}
			})
		}
	}
	t.Cleanup(func() {
		after, _ := json.Marshal(s.Server.State())
		want, _ := json.Marshal(before)
		if !bytes.Equal(after, want) {
			t.Error("bad input changed the state")
		}
	})
}

// TestBadInputPaths sends ids that are not ids, and headers that are not
// allowed, to write operations.
func TestBadInputPaths(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	const notFound = `{"detail":"Not found."}`
	for _, c := range []struct {
		name   string
		call   call
		status int
		want   string
	}{
		{"path/group-id-not-a-uuid", call{method: "PATCH", path: "/api/groups/not-a-uuid/", body: `{"name":"x"}`}, 404, notFound},
		{"path/group-id-uppercase-unknown", call{method: "PATCH", path: "/api/groups/0A000000-0000-4000-8000-00000000AFFF/", body: `{"name":"x"}`}, 404, notFound},
		{"path/group-id-null-character", call{method: "PATCH", path: "/api/groups/%00/", body: `{"name":"x"}`}, 404, notFound},
		{"path/unknown-group-null-character-name", call{method: "PATCH", path: "/api/groups/0a000000-0000-4000-8000-00000000afff/", body: `{"name":"a\u0000"}`}, 404, notFound},
		{"path/membership-id-not-a-number", call{method: "PUT", path: "/api/memberships/four/", body: `{"role":2}`}, 404, notFound},
		{"path/membership-id-huge", call{method: "PUT", path: "/api/memberships/99999999999999999999999/", body: `{"role":2}`}, 404, notFound},
		{"path/membership-id-negative", call{method: "PUT", path: "/api/memberships/-4/", body: `{"role":2}`}, 404, notFound},
		{"path/campaign-id-not-a-uuid", call{method: "POST", path: "/api/organizations/" + acmeID + "/campaigns/x/members/", body: `[]`}, 404, notFound},
		{"path/group-membership-id-not-a-uuid", call{method: "DELETE", path: "/api/groups/" + supportGroupID + "/memberships/1/"}, 404, notFound},
		{"header/content-type-text", call{method: "POST", path: "/api/organizations/" + acmeID + "/groups/", body: `{"name":"x"}`,
			headers: map[string]string{"Content-Type": "text/plain"}}, 415, `{"detail":"Unsupported media type \"text/plain\" in request."}`},
		{"header/content-type-garbage", call{method: "POST", path: "/api/organizations/" + acmeID + "/groups/", body: `{"name":"x"}`,
			headers: map[string]string{"Content-Type": ";;;"}}, 415, `{"detail":"Unsupported media type \";;;\" in request."}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.call.token = acmeAdmin
			r := s.do(t, c.call)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
			}
			if got := compactJSON(t, r.Body); got != c.want {
				t.Errorf("body %s, want %s", got, c.want)
			}
		})
	}
}

func compactJSON(t testing.TB, b []byte) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatalf("not JSON: %v: %.200s", err, b)
	}
	return buf.String()
}
