package oapiclient

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// tsCall is a request of the TypeScript scenario: openapi-fetch's
// api.METHOD("/path/{template}/", ...), with the path as openapi.yaml names it.
var tsCall = regexp.MustCompile(`\.(GET|POST|PUT|PATCH|DELETE)\("(/api/[^"]*)"`)

// TestTypeScriptScenarioCallsEveryOperation holds the TypeScript client's
// scenario (.ci/clients/ts/scenario.ts, run by CI against the binary) to
// every operation of openapi.yaml, as scenario_test.go holds the Go client:
// an operation added to the contract without a TypeScript call fails here.
func TestTypeScriptScenarioCallsEveryOperation(t *testing.T) {
	t.Parallel()
	scenario, err := os.ReadFile("../../../.ci/clients/ts/scenario.ts")
	if err != nil {
		t.Fatal(err)
	}
	called := map[string]bool{}
	for _, m := range tsCall.FindAllStringSubmatch(string(scenario), -1) {
		called[m[1]+" "+m[2]] = true
	}
	doc, err := openapi3.NewLoader().LoadFromFile("../../../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if !called[strings.ToUpper(method)+" "+path] {
				missing = append(missing, op.OperationID+" ("+method+" "+path+")")
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("the TypeScript scenario calls no %d operation(s): %v", len(missing), missing)
	}
}
