package fake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	pixiebrixfake "github.com/pixiebrix-fake/pixiebrix-fake"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// The harness: every test talks to a real server over HTTP, and every
// response it sees is validated against openapi.yaml, so the contract and
// the code cannot drift apart.

// Tokens of the embedded default fixture.
const (
	acmeAdmin         = "acme-admin-token"
	acmeManager       = "acme-manager-token"
	acmeDeveloper     = "acme-developer-token"
	acmeMember        = "acme-member-token"
	acmeRestricted    = "acme-restricted-token"
	acmeService       = "acme-service-token"
	acmeDeploymentKey = "acme-deployment-key-token"
	samToken          = "sam-token" // member of Acme, manager of Globex
	globexAdmin       = "globex-admin-token"
)

// Fixed ids of the embedded default fixture.
const (
	acmeID          = "0a000000-0000-4000-8000-000000000001"
	globexID        = "0b000000-0000-4000-8000-000000000002"
	supportGroupID  = "0a000000-0000-4000-8000-00000000a001"
	salesGroupID    = "0a000000-0000-4000-8000-00000000a002"
	q1CampaignID    = "0a000000-0000-4000-8000-00000000c001"
	onboardingID    = "0a000000-0000-4000-8000-00000000c002"
	engineeringID   = "0b000000-0000-4000-8000-00000000a001"
	pilotCampaignID = "0b000000-0000-4000-8000-00000000c001"
)

const v2 = "application/json; version=2.0"

var contract = sync.OnceValues(func() (routers.Router, error) {
	doc, err := openapi3.NewLoader().LoadFromData(pixiebrixfake.OpenAPI)
	if err != nil {
		return nil, err
	}
	doc.Servers = nil // match any host and port
	return gorillamux.NewRouter(doc)
})

// detailSchema validates {"detail": "..."} bodies of paths or methods that
// are outside the contract (404 for unknown paths, 405).
var detailSchema = sync.OnceValues(func() (*openapi3.Schema, error) {
	doc, err := openapi3.NewLoader().LoadFromData(pixiebrixfake.OpenAPI)
	if err != nil {
		return nil, err
	}
	ref, ok := doc.Components.Schemas["Detail"]
	if !ok {
		return nil, errors.New("openapi.yaml has no Detail schema")
	}
	return ref.Value, nil
})

// apiServer is a fake served over real TCP by httptest.
type apiServer struct {
	URL    string
	Server *fake.Server
	client *http.Client
}

// newAPIServer starts a fake on loopback; it is closed when the test ends.
func newAPIServer(t testing.TB, opts ...fake.Option) *apiServer {
	t.Helper()
	srv, err := fake.New(opts...)
	if err != nil {
		t.Fatalf("fake.New: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	client := ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &apiServer{URL: ts.URL, Server: srv, client: client}
}

// call describes one request.
type call struct {
	method  string
	path    string // with query
	token   string // "" sends no Authorization header
	accept  string // "" sends no Accept header
	body    any    // encoded as JSON unless it is a string or []byte
	headers map[string]string
}

// response is what came back, already validated against openapi.yaml.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r *response) String() string { return string(r.Body) }

// decode unmarshals the body into v or fails the test.
func (r *response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.Body, err)
	}
}

// detail returns the "detail" of an error body.
func (r *response) detail(t testing.TB) string {
	t.Helper()
	var body struct {
		Detail string `json:"detail"`
	}
	r.decode(t, &body)
	return body.Detail
}

// do sends c and validates the response against openapi.yaml and against
// PixieBrix's published document.
func (s *apiServer) do(t testing.TB, c call) *response {
	t.Helper()
	r, req := s.send(t, c)
	if err := validateResponse(req, r); err != nil {
		t.Errorf("%s %s: response breaks openapi.yaml: %v\nstatus %d body %s", c.method, c.path, err, r.Status, r.Body)
	}
	if err := checkPublished(s.URL, req, r); err != nil { // conformance_test.go
		t.Errorf("%s %s: response breaks the published document: %v\nstatus %d body %s", c.method, c.path, err, r.Status, r.Body)
	}
	return r
}

// send sends c and returns what came back unchecked, with the request sent:
// do checks it against the contract; the control plane, which is outside
// the contract, checks its own.
func (s *apiServer) send(t testing.TB, c call) (*response, *http.Request) {
	t.Helper()
	var body io.Reader
	var raw []byte
	switch b := c.body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			t.Fatalf("encoding body: %v", err)
		}
	}
	if raw != nil {
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(c.method, s.URL+c.path, body)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Token "+c.token)
	}
	if c.accept != "" {
		req.Header.Set("Accept", c.accept)
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", c.method, c.path, err)
	}
	return &response{Status: resp.StatusCode, Header: resp.Header, Body: respBody}, req
}

// validateResponse checks a response against the contract: the operation's
// declared statuses, headers and body schema. Paths and methods outside the
// contract may only answer the fake's own 301, 404 and 405.
func validateResponse(req *http.Request, r *response) error {
	if r.Header.Get("X-Request-Id") == "" {
		return errors.New("no X-Request-Id header")
	}
	router, err := contract()
	if err != nil {
		return err
	}
	if req.Method == http.MethodHead {
		// HEAD is served as GET without a body; the contract lists GET only,
		// so a HEAD answer is checked for being body-less on a GET route.
		if len(r.Body) > 0 {
			return errors.New("HEAD response has a body")
		}
		get := req.Clone(req.Context())
		get.Method = http.MethodGet
		if _, _, err := router.FindRoute(get); err != nil && r.Status < 300 {
			return fmt.Errorf("HEAD answered %d on a path without GET: %w", r.Status, err)
		}
		return nil
	}
	route, pathParams, err := router.FindRoute(req)
	if err != nil {
		return validateOutsideContract(req, r, err)
	}
	input := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: pathParams,
		Route:      route,
		Options: &openapi3filter.Options{
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		},
	}
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: input,
		Status:                 r.Status,
		Header:                 r.Header,
		Body:                   io.NopCloser(bytes.NewReader(r.Body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
			SchemaValidationOptions: []openapi3.SchemaValidationOption{
				openapi3.EnableFormatValidation(),
				openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC4122)),
				openapi3.WithStringFormatValidator("email", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail)),
			},
		},
	})
}

func validateOutsideContract(req *http.Request, r *response, routeErr error) error {
	switch r.Status {
	case http.StatusMovedPermanently:
		if !strings.HasSuffix(strings.SplitN(r.Header.Get("Location"), "?", 2)[0], "/") {
			return errors.New("301 without a slashed Location")
		}
		return nil
	case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotAcceptable:
		// 401/403/406 come before the method check, so a method outside the
		// contract may earn them too.
		schema, err := detailSchema()
		if err != nil {
			return err
		}
		var body any
		if err := json.Unmarshal(r.Body, &body); err != nil {
			return err
		}
		if r.Header.Get("Content-Type") != "application/json" {
			return errors.New("error body is not application/json")
		}
		return schema.VisitJSON(body)
	}
	return errors.Join(errors.New("status outside the contract"), routeErr)
}
