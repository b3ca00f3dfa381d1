package check

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	pixiebrixfake "github.com/pixiebrix-fake/pixiebrix-fake"
	"github.com/pixiebrix-fake/pixiebrix-fake/fake"
)

// contract is openapi.yaml as the fake embeds it.
type contract struct{ doc *openapi3.T }

var loadContract = sync.OnceValues(func() (*contract, error) {
	doc, err := openapi3.NewLoader().LoadFromData(pixiebrixfake.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	doc.Servers = nil
	return &contract{doc: doc}, nil
})

var validationOptions = &openapi3filter.Options{
	IncludeResponseStatus: true,
	MultiError:            true,
	AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
	SchemaValidationOptions: []openapi3.SchemaValidationOption{
		openapi3.EnableFormatValidation(),
		openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC4122)),
		openapi3.WithStringFormatValidator("email", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail)),
	},
}

// validate checks a response of a GET on template against the contract:
// its status is declared, its declared headers and its body fit. It returns
// one line per problem.
func (c *contract) validate(template string, req *http.Request, status int, header http.Header, body []byte) []string {
	item := c.doc.Paths.Value(template)
	if item == nil || item.Get == nil {
		return []string{"no GET operation at " + template + " in openapi.yaml"}
	}
	route := &routers.Route{Spec: c.doc, Path: template, PathItem: item, Method: http.MethodGet, Operation: item.Get}
	err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: route, Options: validationOptions},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                validationOptions,
	})
	if err == nil {
		return nil
	}
	return violations(err)
}

// violations words kin-openapi's errors one per line, each once.
func violations(err error) []string {
	out := fake.ViolationReasons(err)
	slices.Sort(out)
	return slices.Compact(out)
}

// versionLabel is the version the published document labels a GET's media
// type with (application/json; version=N), which openapi.yaml keeps in
// x-pixiebrix-version; "" when it names none.
func (c *contract) versionLabel(template string) string {
	item := c.doc.Paths.Value(template)
	if item == nil || item.Get == nil {
		return ""
	}
	label, _ := item.Get.Extensions["x-pixiebrix-version"].(string)
	return label
}

// responseSchema is the body schema the contract gives a status of a GET.
func (c *contract) responseSchema(template string, status int) *openapi3.Schema {
	item := c.doc.Paths.Value(template)
	if item == nil || item.Get == nil {
		return nil
	}
	resp := item.Get.Responses.Status(status)
	if resp == nil || resp.Value == nil {
		return nil
	}
	media := resp.Value.Content.Get("application/json")
	if media == nil || media.Schema == nil {
		return nil
	}
	return media.Schema.Value
}

// fieldDiff compares the fields of a body with the schema's properties:
// extra are fields the server sent that the contract does not name, missing
// are required fields it left out. Paths use [] for every array index, so
// that a field missing from every item is one line.
func fieldDiff(schema *openapi3.Schema, body []byte) (extra, missing []string, err error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, nil, err
	}
	seenExtra, seenMissing := map[string]bool{}, map[string]bool{}
	var walk func(s *openapi3.Schema, v any, path string)
	walk = func(s *openapi3.Schema, v any, path string) {
		if s == nil || v == nil {
			return
		}
		switch v := v.(type) {
		case map[string]any:
			props, required, free := objectShape(s, v)
			if free {
				return
			}
			for _, k := range sortedKeys(v) {
				p, ok := props[k]
				if !ok {
					if !seenExtra[path+"/"+k] {
						seenExtra[path+"/"+k] = true
						extra = append(extra, path+"/"+k)
					}
					continue
				}
				walk(p, v[k], path+"/"+k)
			}
			for _, k := range required {
				if _, ok := v[k]; !ok && !seenMissing[path+"/"+k] {
					seenMissing[path+"/"+k] = true
					missing = append(missing, path+"/"+k)
				}
			}
		case []any:
			items := arrayItems(s)
			for _, item := range v {
				walk(items, item, path+"/[]")
			}
		}
	}
	walk(schema, v, "")
	return extra, missing, nil
}

// objectShape gathers an object schema's properties and required fields
// through allOf and the object branch of oneOf; free is true for an object
// whose keys are free-form (additionalProperties given, no properties).
func objectShape(s *openapi3.Schema, v map[string]any) (props map[string]*openapi3.Schema, required []string, free bool) {
	props = map[string]*openapi3.Schema{}
	var gather func(s *openapi3.Schema)
	gather = func(s *openapi3.Schema) {
		for k, p := range s.Properties {
			props[k] = p.Value
		}
		required = append(required, s.Required...)
		for _, sub := range s.AllOf {
			gather(sub.Value)
		}
		for _, sub := range s.OneOf {
			if sub.Value.Type.Is("object") || len(sub.Value.Properties) > 0 || len(sub.Value.AllOf) > 0 {
				gather(sub.Value)
			}
		}
	}
	gather(s)
	if len(props) == 0 && (s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has || s.AdditionalProperties.Schema != nil) {
		free = true
	}
	// Me: an anonymous caller gets only flags; a caller with a token every
	// field. The schema cannot say so; an authenticated answer is held to
	// every property.
	if _, ok := v["id"]; ok && len(required) == 1 && required[0] == "flags" {
		for k := range props {
			required = append(required, k)
		}
		slices.Sort(required)
	}
	return props, required, free
}

func arrayItems(s *openapi3.Schema) *openapi3.Schema {
	if s.Items != nil {
		return s.Items.Value
	}
	for _, sub := range append(append([]*openapi3.SchemaRef{}, s.OneOf...), s.AllOf...) {
		if sub.Value.Items != nil {
			return sub.Value.Items.Value
		}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
