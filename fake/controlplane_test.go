package fake_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// The control plane's contract is fake.ControlPlaneOpenAPI: every
// control-plane response the tests see (through plain) is validated against
// it, as do validates API responses against openapi.yaml.

var controlContract = sync.OnceValues(func() (routers.Router, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(fake.ControlPlaneOpenAPI)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, err
	}
	doc.Servers = nil
	return gorillamux.NewRouter(doc)
})

// validateControlResponse checks a control-plane response against the
// control plane's document. Paths it does not list may answer 404, and
// methods a path does not serve 405, with a {"detail": ...} body.
func validateControlResponse(req *http.Request, r *response) error {
	router, err := controlContract()
	if err != nil {
		return err
	}
	// A trailing slash is optional on every control-plane path.
	if p := req.URL.Path; len(p) > len("/__fake/") && strings.HasSuffix(p, "/") {
		req = req.Clone(req.Context())
		req.URL.Path = strings.TrimSuffix(p, "/")
	}
	route, pathParams, err := router.FindRoute(req)
	if err != nil {
		if r.Status == http.StatusNotFound || r.Status == http.StatusMethodNotAllowed || r.Status == http.StatusUnauthorized {
			return validateOutsideContract(req, r, err)
		}
		return fmt.Errorf("status %d on a path or method the control plane's document does not list: %w", r.Status, err)
	}
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: pathParams, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status: r.Status,
		Header: r.Header,
		Body:   io.NopCloser(bytes.NewReader(r.Body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus:   true,
			MultiError:              true,
			SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.EnableFormatValidation()},
		},
	})
}

// TestControlPlaneDocumentServed: GET /__fake/openapi.yaml serves the
// embedded document, which describes every route of the control plane.
func TestControlPlaneDocumentServed(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	r := s.plain(t, call{method: "GET", path: "/__fake/openapi.yaml"})
	wantStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "application/yaml" {
		t.Errorf("Content-Type %q", ct)
	}
	if !bytes.Equal(r.Body, fake.ControlPlaneOpenAPI) {
		t.Error("the served document differs from fake.ControlPlaneOpenAPI")
	}
	doc, err := openapi3.NewLoader().LoadFromData(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	// The document describes the routes the control plane serves, no more.
	var described []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			described = append(described, method+" "+path)
		}
	}
	slices.Sort(described)
	routes := fake.ControlRoutesForTest()
	slices.Sort(routes)
	if !slices.Equal(described, routes) {
		t.Errorf("the document describes\n%q\nthe control plane serves\n%q", described, routes)
	}
}
