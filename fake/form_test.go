package fake_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"strconv"
	"strings"
	"testing"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// Form bodies: what `requests.post(url, data={...})` and `curl -F` send. The
// real server's DRF parsers take them on every write; the fake reads them as
// FormParser and MultiPartParser do and then treats them as the JSON body.

const melMembership = "/api/memberships/4/" // Mel Member of Acme

// formPart is one part of a multipart body; with a file name it is a file.
type formPart struct{ name, value, filename string }

// multipartBody encodes parts and returns the body and its Content-Type.
func multipartBody(t testing.TB, parts ...formPart) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		var err error
		if p.filename != "" {
			fw, ferr := w.CreateFormFile(p.name, p.filename)
			if ferr == nil {
				_, err = fw.Write([]byte(p.value))
			} else {
				err = ferr
			}
		} else {
			err = w.WriteField(p.name, p.value)
		}
		if err != nil {
			t.Fatalf("multipart: %v", err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("multipart: %v", err)
	}
	return buf.Bytes(), w.FormDataContentType()
}

func formCall(method, path, body string) call {
	return call{method: method, path: path, token: acmeAdmin, body: body,
		headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}
}

func multipartCall(t testing.TB, method, path string, parts ...formPart) call {
	body, contentType := multipartBody(t, parts...)
	return call{method: method, path: path, token: acmeAdmin, body: body, headers: map[string]string{"Content-Type": contentType}}
}

func TestFormBodiesWrite(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)

	var m fake.Membership
	r := s.do(t, formCall("PATCH", melMembership, "role=5"))
	wantStatus(t, r, 200)
	if r.decode(t, &m); m.Role != fake.RoleManager {
		t.Errorf("form PATCH role=5: role %d, want 5", m.Role)
	}
	r = s.do(t, multipartCall(t, "PATCH", melMembership, formPart{name: "role", value: "3"}))
	wantStatus(t, r, 200)
	if r.decode(t, &m); m.Role != fake.RoleDeveloper {
		t.Errorf("multipart PATCH role=3: role %d, want 3", m.Role)
	}
	// PUT with the form's last value of a repeated field, as QueryDict.get does.
	r = s.do(t, formCall("PUT", melMembership, "role=2&role=1"))
	wantStatus(t, r, 200)
	if r.decode(t, &m); m.Role != fake.RoleMember {
		t.Errorf("form PUT role=2&role=1: role %d, want 1", m.Role)
	}

	var g fake.Group
	r = s.do(t, formCall("POST", acmeGroups, "name=Form+Group%21"))
	wantStatus(t, r, 201)
	if r.decode(t, &g); g.Name != "Form Group!" {
		t.Errorf("form POST group: name %q", g.Name)
	}
	r = s.do(t, multipartCall(t, "POST", acmeGroups, formPart{name: "name", value: "Multipart Group"}))
	wantStatus(t, r, 201)
	if r.decode(t, &g); g.Name != "Multipart Group" {
		t.Errorf("multipart POST group: name %q", g.Name)
	}
	var detail fake.GroupDetail
	r = s.do(t, formCall("PATCH", "/api/groups/"+g.ID+"/", "name=Renamed+by+form"))
	wantStatus(t, r, 200)
	if r.decode(t, &detail); detail.Name != "Renamed by form" {
		t.Errorf("form PATCH group: name %q", detail.Name)
	}
	var c fake.Campaign
	r = s.do(t, multipartCall(t, "POST", "/api/organizations/"+acmeID+"/campaigns/", formPart{name: "name", value: "Form Campaign"}))
	wantStatus(t, r, 201)
	if r.decode(t, &c); c.Name != "Form Campaign" {
		t.Errorf("multipart POST campaign: name %q", c.Name)
	}

	// The journal keeps the body as it was received, and names the operation.
	entries := s.requests(t, "?path="+melMembership)
	var bodies []string
	for _, e := range entries {
		var text string
		if json.Unmarshal(e.RequestBody, &text) != nil || e.Status != 200 {
			continue
		}
		if e.OperationID == nil || !strings.HasSuffix(*e.OperationID, "OrganizationMembership") {
			t.Errorf("journal entry %+v: operation %v", e, orNull(e.OperationID))
		}
		bodies = append(bodies, text)
	}
	if len(bodies) != 3 || bodies[0] != "role=5" || !strings.Contains(bodies[1], `name="role"`) || bodies[2] != "role=2&role=1" {
		t.Errorf("journaled bodies %q, want the form, the multipart body and the PUT form", bodies)
	}
}

func TestFormBodiesRefused(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	tests := []struct {
		name   string
		call   call
		status int
		body   string
	}{
		{"role-out-of-choices", formCall("PATCH", melMembership, "role=9"), 400, `{"role":["\"9\" is not a valid choice."]}`},
		{"role-not-a-number", formCall("PATCH", melMembership, "role=admin"), 400, `{"role":["\"admin\" is not a valid choice."]}`},
		{"role-blank", formCall("PATCH", melMembership, "role="), 400, `{"role":["\"\" is not a valid choice."]}`},
		{"put-without-role", formCall("PUT", melMembership, "other=1"), 400, `{"role":["This field is required."]}`},
		{"group-name-blank", formCall("POST", acmeGroups, "name="), 400, `{"name":["This field may not be blank."]}`},
		{"group-name-taken", formCall("POST", acmeGroups, "name=Sales"), 400, ``},
		{"group-name-a-file", multipartCall(t, "POST", acmeGroups, formPart{name: "name", value: "x", filename: "name.txt"}), 400,
			`{"name":["Not a valid string."]}`},
		{"multipart-without-boundary", call{method: "POST", path: acmeGroups, token: acmeAdmin, body: "--x\r\n",
			headers: map[string]string{"Content-Type": "multipart/form-data"}}, 400,
			`{"detail":"Multipart form parse error - Invalid boundary in multipart: None"}`},
		{"group-memberships-take-a-list", multipartCall(t, "PUT", "/api/groups/"+supportGroupID+"/memberships/", formPart{name: "email", value: "mel@acme.test"}), 400,
			`{"non_field_errors":["Expected a list of items but got type \"dict\"."]}`},
		{"campaign-members-take-a-list", formCall("POST", "/api/organizations/"+acmeID+"/campaigns/"+q1CampaignID+"/members/", "email=mel%40acme.test&data=%7B%7D"), 400,
			`{"non_field_errors":["Expected a list of items but got type \"dict\"."]}`},
		{"too-many-fields", formCall("POST", acmeGroups, "name=x"+manyFields(1000)), 400,
			`{"detail":"The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := s.do(t, tt.call)
			wantStatus(t, r, tt.status)
			if tt.body != "" && string(r.Body) != tt.body {
				t.Errorf("body %s\nwant %s", r.Body, tt.body)
			}
		})
	}
}

// manyFields is a form tail of n distinct fields.
func manyFields(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("&k" + strconv.Itoa(i) + "=")
	}
	return b.String()
}
