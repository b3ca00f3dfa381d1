package fake

import (
	"reflect"
	"strings"
	"testing"
)

// TestValidateItemsMatchesEachItem holds the one-pass check of a list body
// to what checking it item by item reports: the same per-item errors and the
// same reason, for every operation that takes a list.
func TestValidateItemsMatchesEachItem(t *testing.T) {
	srv, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	bodies := []string{
		`[]`,
		`[{"email":"ada@acme.test"}]`,
		`[{"email":"ada@acme.test"},{"email":"not-an-email"},{"email":"mel@acme.test"},{}]`,
		`[{"email":7},{"email":null},{"email":"x@y.z","data":"text"},{"email":"a@b.c","data":{"k":[1,2]}}]`,
		`[{"email":"a@b.c","role":"2"},{"email":"a@b.c","role":"99"},{"email":"a@b.c","unknown":true}]`,
		`[{"email":""},{"email":"` + strings.Repeat("a", 300) + `@acme.test"}]`,
		`[{"email":"a@b.c","data":{"Location":"Desk"}},{"email":"bad","data":[]}]`,
	}
	lists := 0
	for _, item := range srv.spec.doc.Paths.Map() {
		for _, op := range item.Operations() {
			schema, listOK := bodySchemas(op)
			if !listOK {
				continue
			}
			lists++
			for _, text := range bodies {
				body, err := decodeJSON([]byte(text))
				if err != nil {
					t.Fatalf("%s: %v", text, err)
				}
				want := validateEachItem(schema, body.([]any))
				body, _ = decodeJSON([]byte(text)) // coerceChoices changed the first copy
				handled, got := validateItems(schema, body.([]any))
				if !handled {
					t.Errorf("%s %s: left to the item-by-item check", op.OperationID, text)
					continue
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s %s:\n one pass     %#v\n item by item %#v", op.OperationID, text, got, want)
				}
			}
		}
	}
	if lists < 2 {
		t.Fatalf("%d operations take a list, want at least 2", lists)
	}
}
