package fake_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	pixiebrixfake "github.com/pixiebrix-fake/pixiebrix-fake"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// PixieBrix's own contract. Users write their sync jobs against the document
// PixieBrix publishes (https://app.pixiebrix.com/api/openapi/), not against
// openapi.yaml. testdata/published holds its team-management part as
// published (see /shared/published/README.md for its source), and every
// response the harness's do sees is checked against it as well: each
// property that breaks it, and each published property a response lacks, is
// drift and fails the test, unless it is one of the declared deviations
// below. Each deviation counts the times it was seen; one that no response
// shows any more fails too, so the list cannot outlive what it excuses.

// publishedDeviation is one declared difference from the published document.
type publishedDeviation struct {
	name string
	why  string
}

// The declared deviations, in the order the report lists them. Each is in
// the "Deviations" of the docs, with its evidence.
var publishedDeviations = []publishedDeviation{
	{"error-bodies", "4xx/5xx answers are not declared in the published document; their bodies are DRF's (SPEC, errors)"},
	{"append-slash-redirect", "a path without its trailing slash answers Django's APPEND_SLASH 301, which the document does not list"},
	{"unlabelled-content-type", "DRF sends Content-Type application/json; the document keys each response by its labelled media type (application/json; version=N)"},
	{"x-total-count", "X-Total-Count is documented on the docs page \"Making an API Request\", not in the document"},
	{"list-bodies", "group-membership, campaign-member and invitation writes take and answer lists (the docs page shows them; createOrganizationInvitation invites \"one or more people\"); the document declares one object"},
	{"pending-member-user-null", "a group member whose email has no account yet has user null (DRF renders a missing related object as null)"},
	{"campaign-member-account-null", "a campaign member whose email is no team member has account null (DRF renders a missing related object as null)"},
	{"campaign-member-latest-client-null", "a campaign member without an extension client has latest_client null (the fake has no clients)"},
	{"me-in-no-team", "a user in no team has organization and partner null (DRF renders a missing related object as null)"},
	{"me-enforce-update-millis-null", "Me's enforce_update_millis is the primary team's, which is nullable (Organization.enforce_update_millis); the document says integer"},
	{"anonymous-me-flags-only", "GET /api/me/ without a token answers {\"flags\": []} (REFERENCE 4, Me); the document's Me lists every field"},
}

// publishedCounts counts the deviations seen, for the whole run and per
// server (by URL), so that a test can check what its own calls showed.
var publishedCounts = struct {
	sync.Mutex
	total    map[string]int
	byServer map[string]map[string]int
}{total: map[string]int{}, byServer: map[string]map[string]int{}}

func countDeviation(serverURL, name string) {
	publishedCounts.Lock()
	defer publishedCounts.Unlock()
	publishedCounts.total[name]++
	if publishedCounts.byServer[serverURL] == nil {
		publishedCounts.byServer[serverURL] = map[string]int{}
	}
	publishedCounts.byServer[serverURL][name]++
}

// publishedDoc is the published document, loaded once, with its router.
type publishedDoc struct {
	doc    *openapi3.T
	router routers.Router
}

var published = sync.OnceValues(func() (*publishedDoc, error) {
	data, err := os.ReadFile("testdata/published/pixiebrix-team-management.yaml")
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, err
	}
	// No doc.Validate: the structure-only copy lacks the response
	// descriptions OpenAPI requires, and its URL patterns are Python's.
	doc.Servers = nil // match any host and port
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &publishedDoc{doc: doc, router: router}, nil
})

// pythonOnlyRegexp removes what RE2 lacks from the published patterns:
// Django's URL pattern forbids a label starting or ending in "-" by
// lookaround. Without those checks the pattern accepts a little more.
var pythonOnlyRegexp = strings.NewReplacer("(?!-)", "", "(?<!-)", "")

func compilePublishedPattern(expr string) (openapi3.RegexMatcher, error) {
	if re, err := regexp.Compile(expr); err == nil {
		return re, nil
	}
	return regexp.Compile(pythonOnlyRegexp.Replace(expr))
}

var publishedSchemaOptions = []openapi3.SchemaValidationOption{
	openapi3.VisitAsResponse(),
	openapi3.MultiErrors(),
	openapi3.EnableFormatValidation(),
	openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC4122)),
	openapi3.WithStringFormatValidator("email", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail)),
	openapi3.SetSchemaRegexCompiler(compilePublishedPattern),
}

// listBodyOperations are the writes whose bodies the docs page shows as lists.
var listBodyOperations = []string{"createGroupMembership", "updateGroupMembership", "createCampaignMember", "updateCampaignMember", "createOrganizationInvitation"}

// checkPublished checks one response against the published document and
// counts the deviations it shows; what no deviation covers is returned.
func checkPublished(serverURL string, req *http.Request, r *response) error {
	pub, err := published()
	if err != nil {
		return err
	}
	switch {
	case req.Method == http.MethodHead:
		return nil // the harness checks a HEAD answer is a GET's without a body
	case r.Status == http.StatusMovedPermanently:
		countDeviation(serverURL, "append-slash-redirect")
		return nil
	case r.Status >= 400:
		countDeviation(serverURL, "error-bodies")
		return nil
	}
	route, _, err := pub.router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("%d on an operation the published document lacks: %w", r.Status, err)
	}
	op := route.Operation
	if r.Header.Get("X-Total-Count") != "" {
		countDeviation(serverURL, "x-total-count")
	}
	declared := op.Responses.Status(r.Status)
	if declared == nil || declared.Value == nil {
		return fmt.Errorf("status %d is not declared for %s", r.Status, op.OperationID)
	}
	content := declared.Value.Content
	if len(content) == 0 {
		if len(r.Body) > 0 {
			return fmt.Errorf("%s %d declares no body, got %s", op.OperationID, r.Status, r.Body)
		}
		return nil
	}
	contentType := r.Header.Get("Content-Type")
	media := content[contentType]
	if media == nil {
		// The document keys the body by its labelled media type; take the
		// labelled JSON one.
		for _, key := range slices.Sorted(func(yield func(string) bool) {
			for k := range content {
				if !yield(k) {
					return
				}
			}
		}) {
			if strings.HasPrefix(key, contentType+";") {
				media = content[key]
				countDeviation(serverURL, "unlabelled-content-type")
				break
			}
		}
	}
	if media == nil || media.Schema == nil || media.Schema.Value == nil {
		return fmt.Errorf("Content-Type %q is not declared for %s %d", contentType, op.OperationID, r.Status)
	}
	// Numbers stay json.Number: campaign data may hold any JSON number
	// (1e400 among them), which a float64 cannot.
	var body any
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	schema := media.Schema.Value
	type checked struct {
		value  any
		prefix []string
	}
	values := []checked{{body, nil}}
	if list, isList := body.([]any); isList && slices.Contains(listBodyOperations, op.OperationID) && !schema.Type.Is("array") {
		countDeviation(serverURL, "list-bodies")
		values = values[:0]
		for i, item := range list {
			values = append(values, checked{item, []string{fmt.Sprint(i)}})
		}
	}
	if object, _ := body.(map[string]any); op.OperationID == "retrieveMe" && len(object) == 1 && object["flags"] != nil {
		countDeviation(serverURL, "anonymous-me-flags-only")
		return errors.Join(schemaFailures(serverURL, op.OperationID, schema.VisitJSON(body, publishedSchemaOptions...), nil)...)
	}
	var drift []error
	for _, v := range values {
		drift = append(drift, schemaFailures(serverURL, op.OperationID, schema.VisitJSON(v.value, publishedSchemaOptions...), v.prefix)...)
		drift = append(drift, missingProperties(serverURL, op.OperationID, schema, v.value, v.prefix)...)
	}
	return errors.Join(drift...)
}

// schemaFailures lists the failures of a validation that no deviation
// covers, counting those that one does.
func schemaFailures(serverURL, operationID string, err error, prefix []string) []error {
	var drift []error
	var walk func(error)
	walk = func(err error) {
		var multi openapi3.MultiError
		var schemaErr *openapi3.SchemaError
		switch {
		case err == nil:
		case errors.As(err, &multi):
			for _, e := range multi {
				walk(e)
			}
		case errors.As(err, &schemaErr):
			pointer := append(slices.Clone(prefix), schemaErr.JSONPointer()...)
			if name := nullDeviation(operationID, pointer, schemaErr.Value); name != "" {
				countDeviation(serverURL, name)
				return
			}
			drift = append(drift, fmt.Errorf("/%s: %s", strings.Join(pointer, "/"), schemaErr.Reason))
		default:
			drift = append(drift, err)
		}
	}
	walk(err)
	return drift
}

// nullDeviation names the deviation that excuses a null at pointer, if any.
func nullDeviation(operationID string, pointer []string, value any) string {
	if value != nil || len(pointer) == 0 {
		return ""
	}
	last := pointer[len(pointer)-1]
	switch {
	case strings.Contains(operationID, "GroupMembership") && last == "user":
		return "pending-member-user-null"
	case strings.Contains(operationID, "CampaignMember") && last == "account":
		return "campaign-member-account-null"
	case strings.Contains(operationID, "CampaignMember") && last == "latest_client":
		return "campaign-member-latest-client-null"
	case operationID == "retrieveMe" && len(pointer) == 1 && (last == "organization" || last == "partner"):
		return "me-in-no-team"
	case operationID == "retrieveMe" && len(pointer) == 1 && last == "enforce_update_millis":
		return "me-enforce-update-millis-null"
	}
	return ""
}

// missingProperties lists the published properties (all but write-only
// ones) that value lacks, at every depth.
func missingProperties(serverURL, operationID string, schema *openapi3.Schema, value any, pointer []string) []error {
	var missing []error
	switch v := value.(type) {
	case map[string]any:
		for _, name := range slices.Sorted(func(yield func(string) bool) {
			for k := range schema.Properties {
				if !yield(k) {
					return
				}
			}
		}) {
			prop := schema.Properties[name].Value
			if prop == nil || prop.WriteOnly {
				continue
			}
			at := append(slices.Clone(pointer), name)
			child, present := v[name]
			if !present {
				missing = append(missing, fmt.Errorf("/%s: the published property is missing", strings.Join(at, "/")))
				continue
			}
			missing = append(missing, missingProperties(serverURL, operationID, prop, child, at)...)
		}
	case []any:
		if schema.Items != nil && schema.Items.Value != nil {
			for i, item := range v {
				missing = append(missing, missingProperties(serverURL, operationID, schema.Items.Value, item, append(slices.Clone(pointer), fmt.Sprint(i)))...)
			}
		}
	}
	return missing
}

// The whole run's report: with no -run filter every test ran, so every
// deviation must have been seen at least once.
func reportPublishedDeviations() int {
	if f := flag.Lookup("test.run"); f == nil || f.Value.String() != "" {
		return 0
	}
	publishedCounts.Lock()
	defer publishedCounts.Unlock()
	code := 0
	for _, d := range publishedDeviations {
		if publishedCounts.total[d.name] == 0 {
			fmt.Fprintf(os.Stderr, "published document: deviation %q was never seen; remove it or restore what it excuses\n", d.name)
			code = 1
		}
	}
	if testing.Verbose() {
		for _, d := range publishedDeviations {
			fmt.Printf("published document deviation %-36s seen %5d times: %s\n", d.name, publishedCounts.total[d.name], d.why)
		}
	}
	return code
}

// TestPublishedContract calls each of the 27 operations the way a new user
// would (lists at 1.0 and 2.0, details, every write, JSON and form bodies)
// and requires every declared deviation to show in its own calls: run alone,
// it still proves that the table holds nothing stale. The harness checks
// each answer against the published document.
func TestPublishedContract(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	// A closed test server's port may come back: count from here on.
	publishedCounts.Lock()
	before := maps.Clone(publishedCounts.byServer[s.URL])
	publishedCounts.Unlock()
	versions := []string{"application/json", "application/json; version=1.0", v2}
	get := func(path, token string) {
		for _, accept := range versions {
			s.do(t, call{method: "GET", path: path, token: token, accept: accept})
		}
	}
	get("/api/health/", "")
	s.do(t, call{method: "GET", path: "/api/health/", accept: "application/json; version=2.0"}) // 406
	for _, token := range []string{"", acmeAdmin, samToken, globexAdmin} {
		get("/api/me/", token)
	}
	s.do(t, call{method: "GET", path: "/api/me", token: acmeAdmin}) // 301
	get("/api/organizations/", acmeAdmin)
	get(acmePath, acmeAdmin)
	get(acmeMemberships, acmeAdmin)
	get(acmeMemberships+"?role=2&q=a", acmeManager)
	get(melMembership, acmeAdmin)
	get(acmeGroups, acmeAdmin)
	get("/api/groups/"+supportGroupID+"/", acmeAdmin)
	get("/api/groups/"+supportGroupID+"/memberships/", acmeAdmin)
	get(acmeCampaigns, acmeAdmin)
	get(q1Path, acmeAdmin)
	get(q1Path+"members/", acmeAdmin)

	writes := []call{
		{method: "PUT", path: melMembership, token: acmeAdmin, body: map[string]any{"role": 3}},
		formCall("PATCH", melMembership, "role=5"),
		multipartCall(t, "PATCH", melMembership, formPart{name: "role", value: "1"}),
		{method: "POST", path: acmeGroups, token: acmeAdmin, body: map[string]any{"name": "Published JSON"}},
		formCall("POST", acmeGroups, "name=Published+form"),
		multipartCall(t, "POST", acmeGroups, formPart{name: "name", value: "Published multipart"}),
		{method: "PUT", path: "/api/groups/" + salesGroupID + "/", token: acmeAdmin, body: map[string]any{"name": "Sales Team"}},
		formCall("PATCH", "/api/groups/"+salesGroupID+"/", "name=Sales"),
		{method: "POST", path: "/api/groups/" + salesGroupID + "/memberships/", token: acmeAdmin, body: []any{map[string]any{"email": "rae@acme.test"}}},
		{method: "POST", path: "/api/groups/" + salesGroupID + "/memberships/", token: acmeAdmin, body: map[string]any{"email": "later@acme.test"}},
		{method: "PUT", path: "/api/groups/" + salesGroupID + "/memberships/", token: acmeAdmin,
			body: []any{map[string]any{"email": "max@acme.test"}, map[string]any{"email": "later@acme.test"}}},
		{method: "POST", path: acmeCampaigns, token: acmeAdmin, body: map[string]any{"name": "Published campaign"}},
		formCall("PATCH", q1Path, "name=Q1+Rollout+2"),
		{method: "POST", path: q1Path + "members/", token: acmeAdmin, body: []any{map[string]any{"email": "prospect@acme.test", "data": map[string]any{}}}},
		{method: "PUT", path: q1Path + "members/", token: acmeAdmin, body: map[string]any{"email": "mel@acme.test", "data": map[string]any{"Location": "Remote"}}},
	}
	for _, c := range writes {
		if r := s.do(t, c); r.Status >= 300 {
			t.Errorf("%s %s: %d %s", c.method, c.path, r.Status, r.Body)
		}
	}
	var members []map[string]any
	s.do(t, call{method: "GET", path: "/api/groups/" + salesGroupID + "/memberships/", token: acmeAdmin}).decode(t, &members)
	for _, m := range members {
		s.do(t, call{method: "DELETE", path: "/api/groups/" + salesGroupID + "/memberships/" + fmt.Sprint(m["id"]) + "/", token: acmeAdmin})
	}
	var campaign map[string]any
	s.do(t, call{method: "POST", path: acmeCampaigns, token: acmeAdmin, body: map[string]any{"name": "Short-lived"}}).decode(t, &campaign)
	s.do(t, call{method: "DELETE", path: acmeCampaigns + fmt.Sprint(campaign["id"]) + "/", token: acmeAdmin})
	s.do(t, call{method: "DELETE", path: "/api/groups/" + salesGroupID + "/", token: acmeAdmin})
	s.do(t, call{method: "DELETE", path: melMembership, token: acmeAdmin})
	get("/api/me/", acmeMember) // Mel, now in no team

	// Teams' lifecycle, member detail and the caller's own account (issue 11, "teams").
	get("/api/me/token/", acmeAdmin)
	get("/api/me/partner-principals/", samToken)
	get("/api/me/partner-principals/?page_size=1", samToken)
	get("/api/me/settings/webextension/", acmeAdmin)
	get("/api/me/milestones/", acmeAdmin)
	adaID := memberUserID(t, s, acmeID, "ada@acme.test")
	get(acmePath+"members/"+adaID+"/", acmeAdmin)
	var created []fake.Organization
	for _, c := range []call{
		{method: "POST", path: "/api/organizations/", token: acmeAdmin, body: map[string]any{"name": "Published team", "scope": "@published", "trial_end_timestamp": "2027-01-01T00:00:00Z"}},
		formCall("POST", "/api/organizations/", "name=Published+form+team&default_role=1"),
		multipartCall(t, "POST", "/api/organizations/", formPart{name: "name", value: "Published multipart team"}),
	} {
		c.accept = v2
		var org fake.Organization
		if r := s.do(t, c); r.Status != 201 {
			t.Errorf("%s %s: %d %s", c.method, c.path, r.Status, r.Body)
		} else {
			r.decode(t, &org)
			created = append(created, org)
		}
	}
	teamWrites := []call{
		{method: "DELETE", path: acmePath + "members/" + adaID + "/cache/", token: acmeAdmin},
		{method: "PATCH", path: "/api/me/settings/webextension/", token: acmeAdmin, body: map[string]any{"text_selection_menu_orientation": "vertical"}},
		formCall("PATCH", "/api/me/settings/webextension/", "floating_action_button_site_denylist=a.test&is_text_selection_menu_enabled=false"),
		{method: "POST", path: "/api/me/milestones/", token: acmeAdmin, body: map[string]any{"key": "published_run", "metadata": map[string]any{"n": 1}}},
		formCall("POST", "/api/me/milestones/", "key=published_form"),
	}
	for _, org := range created {
		path := "/api/organizations/" + org.ID + "/"
		teamWrites = append(teamWrites,
			call{method: "PATCH", path: path, token: acmeAdmin, body: map[string]any{"session_idle_timeout_minutes": 30, "enforce_update_millis": nil}},
			formCall("PATCH", path, "ai_default_chat_copilot=false"),
			call{method: "DELETE", path: path, token: acmeAdmin})
	}
	teamWrites = append(teamWrites, call{method: "DELETE", path: "/api/me/", token: globexAdmin})
	for _, c := range teamWrites {
		if c.accept == "" {
			c.accept = v2
		}
		if r := s.do(t, c); r.Status >= 300 {
			t.Errorf("%s %s: %d %s", c.method, c.path, r.Status, r.Body)
		}
	}
	get("/api/me/milestones/", acmeAdmin)
	// invitations and campaign e-mail jobs
	ok := func(c call) *response {
		r := s.do(t, c)
		if r.Status >= 300 {
			t.Errorf("%s %s: %d %s", c.method, c.path, r.Status, r.Body)
		}
		return r
	}
	_, hireToken, err := s.Server.AddUser("published.hire@acme.test", "Published Hire")
	if err != nil {
		t.Fatal(err)
	}
	var invs []fake.PendingInvitation
	ok(call{method: "POST", path: acmeInvitations, token: acmeAdmin, accept: v2,
		body: []any{map[string]any{"email": "published.hire@acme.test", "role": 1}, map[string]any{"email": "declines@acme.test"}}}).decode(t, &invs)
	var single fake.PendingInvitation
	ok(call{method: "POST", path: acmeInvitations, token: acmeManager, accept: v2, body: map[string]any{"email": "revoked@acme.test"}}).decode(t, &single)
	get(acmeInvitations, acmeAdmin)
	get("/api/invitations/me/", hireToken)
	ok(call{method: "POST", path: "/api/invitations/" + invs[0].ID + "/accept/", token: hireToken, accept: v2})
	_, declinesToken, err := s.Server.AddUser("declines@acme.test", "")
	if err != nil {
		t.Fatal(err)
	}
	ok(call{method: "POST", path: "/api/invitations/" + invs[1].ID + "/reject/", token: declinesToken, accept: v2})
	ok(call{method: "DELETE", path: acmeInvitations + single.ID + "/", token: acmeAdmin})
	ok(call{method: "POST", path: q1Path + "members/", token: acmeAdmin, body: map[string]any{"email": "unregistered@acme.test", "data": map[string]any{}}})
	ok(call{method: "POST", path: "/api/campaigns/" + q1CampaignID + "/emails/jobs/", token: acmeAdmin, body: map[string]any{"type": "registration"}})
	ok(formCall("POST", "/api/campaigns/"+q1CampaignID+"/emails/jobs/", "type=reminder"))

	publishedCounts.Lock()
	seen := maps.Clone(publishedCounts.byServer[s.URL])
	publishedCounts.Unlock()
	for _, d := range publishedDeviations {
		n := seen[d.name] - before[d.name]
		t.Logf("%-36s seen %4d times: %s", d.name, n, d.why)
		if n == 0 {
			t.Errorf("deviation %q was not seen: remove it, or restore the call that shows it", d.name)
		}
	}
}

// TestPublishedCheckFindsDrift feeds the published-document check answers
// that break it, so that a check which passes everything cannot go unseen.
func TestPublishedCheckFindsDrift(t *testing.T) {
	t.Parallel()
	membership := `{"id":4,"user":{"id":"0a000000-0000-4000-8000-0000000000e9","name":"Mel","email":"mel@acme.test",` +
		`"service_account":false,"deployment_key_account":false,"date_joined":"2025-01-01T00:00:00Z"},"role":2,"groups":[],` +
		`"last_active_at":null,"last_login_at":null}`
	tests := []struct {
		name, path, body, drift string
	}{
		{"clean", melMembership, membership, ""},
		{"role-out-of-enum", melMembership, strings.Replace(membership, `"role":2`, `"role":9`, 1), "/role: value is not one of the allowed values"},
		{"property-missing", melMembership, strings.Replace(membership, `,"last_login_at":null`, ``, 1), "/last_login_at: the published property is missing"},
		{"nested-property-missing", melMembership, strings.Replace(membership, `"name":"Mel",`, ``, 1), "/user/name: the published property is missing"},
		{"null-not-excused", melMembership, strings.Replace(membership, `"groups":[]`, `"groups":null`, 1), "/groups: Value is not nullable"},
		{"path-not-published", "/api/organizations/" + acmeID + "/nothing/", `{}`, "an operation the published document lacks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequest("GET", "http://fake.test"+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			r := &response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(tt.body)}
			err = checkPublished("drift-test", req, r)
			switch {
			case tt.drift == "" && err != nil:
				t.Errorf("clean answer refused: %v", err)
			case tt.drift != "" && (err == nil || !strings.Contains(err.Error(), tt.drift)):
				t.Errorf("drift %q not reported; got %v", tt.drift, err)
			}
		})
	}
}

// bothDocuments loads the published document and openapi.yaml.
func bothDocuments(t *testing.T) (*publishedDoc, *openapi3.T) {
	t.Helper()
	pub, err := published()
	if err != nil {
		t.Fatal(err)
	}
	ours, err := openapi3.NewLoader().LoadFromData(pixiebrixfake.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	return pub, ours
}

// TestOpenAPIFollowsPublished compares openapi.yaml with the published
// document operation by operation: the same path, method and operation id,
// the version label (x-pixiebrix-version), the parameters by name and place,
// and the request media types (all three on single-object writes; JSON only
// on the list-body writes, a declared deviation).
func TestOpenAPIFollowsPublished(t *testing.T) {
	t.Parallel()
	pub, ours := bothDocuments(t)
	type publishedOp struct {
		path, method string
		op           *openapi3.Operation
		item         *openapi3.PathItem
	}
	byID := map[string]publishedOp{}
	for path, item := range pub.doc.Paths.Map() {
		for method, op := range item.Operations() {
			byID[op.OperationID] = publishedOp{path, method, op, item}
		}
	}
	served := 0
	for path, item := range ours.Paths.Map() {
		for method, op := range item.Operations() {
			served++
			p, ok := byID[op.OperationID]
			if !ok {
				t.Errorf("%s %s: operation id %q is not in the published document", method, path, op.OperationID)
				continue
			}
			if p.path != path || p.method != method {
				t.Errorf("%s: %s %s here, %s %s published", op.OperationID, method, path, p.method, p.path)
			}
			label := ""
			for _, status := range []string{"200", "201"} {
				if r := p.op.Responses.Value(status); r != nil && r.Value != nil {
					for key := range r.Value.Content {
						if _, version, ok := strings.Cut(key, "application/json; version="); ok {
							label = version
						}
					}
				}
			}
			if got, _ := op.Extensions["x-pixiebrix-version"].(string); got != label {
				t.Errorf("%s: x-pixiebrix-version %q, published label %q", op.OperationID, got, label)
			}
			if got, want := parameterNames(append(item.Parameters, op.Parameters...)), parameterNames(append(p.item.Parameters, p.op.Parameters...)); !slices.Equal(got, want) {
				t.Errorf("%s: parameters %v, published %v", op.OperationID, got, want)
			}
			if p.op.RequestBody == nil {
				if op.RequestBody != nil {
					t.Errorf("%s: a request body the published document does not take", op.OperationID)
				}
				continue
			}
			want := slices.Sorted(maps.Keys(p.op.RequestBody.Value.Content))
			if slices.Contains(listBodyOperations, op.OperationID) {
				want = []string{"application/json"}
			}
			if got := slices.Sorted(maps.Keys(op.RequestBody.Value.Content)); !slices.Equal(got, want) {
				t.Errorf("%s: request media types %v, want %v", op.OperationID, got, want)
			}
		}
	}
	if served != 46 { // 27, and issue 11's 12 of teams and 7 of invitations and campaign e-mail jobs
		t.Errorf("openapi.yaml serves %d operations, want 46", served)
	}
}

// parameterNames lists parameters as "in:name", sorted.
func parameterNames(params openapi3.Parameters) []string {
	var names []string
	for _, p := range params {
		names = append(names, p.Value.In+":"+p.Value.Name)
	}
	slices.Sort(names)
	return names
}

// nullableWhereDRFSaysNull are the properties openapi.yaml declares
// nullable where the published document does not, by the operation and the
// property's place: each is a declared deviation (DRF renders a missing
// related object as null).
var nullableWhereDRFSaysNull = []*regexp.Regexp{
	regexp.MustCompile(`GroupMembership(s)? 20[01](\[\])?\.user$`),                       // pending-member-user-null
	regexp.MustCompile(`CampaignMembers? 20[01](\[\])?\.(account|latest_client)$`),       // campaign-member-*-null
	regexp.MustCompile(`^retrieveMe 200\.(organization|partner|enforce_update_millis)$`), // me-in-no-team, me-enforce-update-millis-null
}

// TestOpenAPISchemasFollowPublished walks the body schemas of each served
// operation beside the published ones: every published property (read-only
// ones left out of requests, write-only ones out of responses) is declared
// with the same type, format, read-only and write-only flags, enum, bounds and
// length; requests require what the published document requires. openapi.yaml
// may say more (a length, a required response property), never less, but
// for the nulls of nullableWhereDRFSaysNull and the URL patterns.
func TestOpenAPISchemasFollowPublished(t *testing.T) {
	t.Parallel()
	pub, ours := bothDocuments(t)
	for path, item := range ours.Paths.Map() {
		for method, op := range item.Operations() {
			p := pub.doc.Paths.Value(path).GetOperation(method)
			if p == nil {
				continue // TestOpenAPIFollowsPublished reports it
			}
			for status, ref := range p.Responses.Map() {
				for key, media := range ref.Value.Content {
					if !strings.HasPrefix(key, "application/json;") {
						continue
					}
					our := ours.Paths.Value(path).GetOperation(method).Responses.Value(status)
					if our == nil || our.Value.Content.Get("application/json") == nil {
						t.Errorf("%s %s: openapi.yaml has no JSON body", op.OperationID, status)
						continue
					}
					compareSchemas(t, op.OperationID+" "+status, media.Schema.Value, our.Value.Content.Get("application/json").Schema.Value, responseBody)
				}
			}
			if p.RequestBody != nil && op.RequestBody != nil {
				// A PATCH is DRF's partial update: the published schema's
				// required fields are not required there.
				direction := requestBody
				if method == http.MethodPatch {
					direction = partialRequestBody
				}
				compareSchemas(t, op.OperationID+" request", p.RequestBody.Value.Content.Get("application/json").Schema.Value,
					op.RequestBody.Value.Content.Get("application/json").Schema.Value, direction)
			}
		}
	}
}

// bodyDirection says which body a schema is compared as.
type bodyDirection int

const (
	responseBody bodyDirection = iota
	requestBody
	partialRequestBody
)

// compareSchemas checks that ours declares what published does, at where.
func compareSchemas(t *testing.T, where string, published, ours *openapi3.Schema, direction bodyDirection) {
	t.Helper()
	request := direction != responseBody
	if len(ours.OneOf) > 0 { // a list body or a single object: the object is what compares
		for _, alt := range ours.OneOf {
			if alt.Value.Type.Is("object") == published.Type.Is("object") {
				ours = alt.Value
				break
			}
		}
	}
	if len(ours.AllOf) == 1 { // a nullable reference
		base := *ours.AllOf[0].Value
		base.Nullable = base.Nullable || ours.Nullable
		base.ReadOnly = base.ReadOnly || ours.ReadOnly
		ours = &base
	}
	if ours.Type.Is("array") && !published.Type.Is("array") && ours.Items != nil {
		ours = ours.Items.Value // list-bodies
	}
	if published.Type.Is("array") {
		if ours.Items == nil || published.Items == nil {
			t.Errorf("%s: not an array of items", where)
			return
		}
		compareSchemas(t, where+"[]", published.Items.Value, ours.Items.Value, direction)
		return
	}
	same := func(attr string, p, o any) {
		if !reflect.DeepEqual(p, o) {
			t.Errorf("%s: %s %v, published %v", where, attr, o, p)
		}
	}
	if published.Type != nil { // an untyped published schema ({}) takes anything
		same("type", published.Type, ours.Type)
	}
	same("format", published.Format, ours.Format)
	if len(published.Enum) > 0 {
		same("enum", fmt.Sprint(published.Enum), fmt.Sprint(ours.Enum))
	}
	for _, bound := range []struct {
		name string
		p, o *float64
	}{{"minimum", published.Min, ours.Min}, {"maximum", published.Max, ours.Max}} {
		if bound.p != nil && (bound.o == nil || *bound.o != *bound.p) {
			t.Errorf("%s: %s %v, published %v", where, bound.name, bound.o, *bound.p)
		}
	}
	if published.MaxLength != nil && (ours.MaxLength == nil || *ours.MaxLength > *published.MaxLength) {
		t.Errorf("%s: maxLength %v, published %d", where, ours.MaxLength, *published.MaxLength)
	}
	if published.ReadOnly && !ours.ReadOnly && !request {
		t.Errorf("%s: not read-only, published read-only", where)
	}
	if published.WriteOnly != ours.WriteOnly {
		t.Errorf("%s: writeOnly %v, published %v", where, ours.WriteOnly, published.WriteOnly)
	}
	excused := slices.ContainsFunc(nullableWhereDRFSaysNull, func(re *regexp.Regexp) bool { return re.MatchString(where) })
	if published.Nullable != ours.Nullable && !(ours.Nullable && excused) {
		t.Errorf("%s: nullable %v, published %v", where, ours.Nullable, published.Nullable)
	}
	// The published URL pattern is Django's, in Python's syntax: openapi.yaml
	// keeps format: uri (a declared deviation of the document).
	if published.Pattern != "" && ours.Pattern != published.Pattern && ours.Format != "uri" {
		t.Errorf("%s: pattern %q, published %q", where, ours.Pattern, published.Pattern)
	}
	if direction == requestBody {
		var want []string
		for _, name := range published.Required {
			if prop := published.Properties[name]; prop != nil && !prop.Value.ReadOnly {
				want = append(want, name)
			}
		}
		if got := slices.Sorted(slices.Values(ours.Required)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
			t.Errorf("%s: required %v, published %v", where, got, want)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(published.Properties)) {
		prop := published.Properties[name].Value
		if (request && prop.ReadOnly) || (!request && prop.WriteOnly) {
			continue // not part of this direction's body
		}
		mine := ours.Properties[name]
		if mine == nil {
			t.Errorf("%s: property %q is missing", where, name)
			continue
		}
		compareSchemas(t, where+"."+name, prop, mine.Value, direction)
	}
}
