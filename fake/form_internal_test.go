package fake

import (
	"encoding/json"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// The served operations write only a role and names; these cases hold the
// conversion of the other field types DRF's fields read from a form to
// DRF's rules, for the writes to come.

func TestFormValuesObject(t *testing.T) {
	t.Parallel()
	schema := openapi3.NewObjectSchema().
		WithProperty("role", &openapi3.Schema{Type: &openapi3.Types{"integer"}, Enum: []any{1, 2, 3, 4, 5}}).
		WithProperty("count", openapi3.NewIntegerSchema()).
		WithProperty("ratio", openapi3.NewFloat64Schema()).
		WithProperty("active", openapi3.NewBoolSchema()).
		WithProperty("optional_flag", openapi3.NewBoolSchema().WithNullable()).
		WithProperty("note", openapi3.NewStringSchema().WithNullable()).
		WithProperty("name", openapi3.NewStringSchema()).
		WithProperty("tags", openapi3.NewArraySchema().WithItems(openapi3.NewIntegerSchema())).
		WithProperty("id", &openapi3.Schema{Type: &openapi3.Types{"string"}, ReadOnly: true})
	tests := []struct {
		name    string
		form    string
		partial bool
		want    string // the object, as JSON
	}{
		{"choice-stays-text", "role=5", true, `{"role":"5"}`},
		{"integer", "count=7", true, `{"count":7}`},
		{"integer-with-zero-decimals", "count=7.00", true, `{"count":7}`},
		{"integer-bad-stays-text", "count=seven", true, `{"count":"seven"}`},
		{"number", "ratio=0.5", true, `{"ratio":0.5}`},
		{"booleans", "active=on&optional_flag=No", true, `{"active":true,"optional_flag":false}`},
		{"boolean-bad-stays-text", "active=maybe", true, `{"active":"maybe"}`},
		{"nullable-blank-is-null", "note=&optional_flag=null", true, `{"note":null,"optional_flag":null}`},
		{"blank-string-stays-blank", "name=", true, `{"name":""}`},
		{"last-value-wins", "name=a&name=b", true, `{"name":"b"}`},
		{"list-takes-every-value", "tags=1&tags=2&tags=x", true, `{"tags":[1,2,"x"]}`},
		{"unknown-field-kept-as-text", "colour=red", true, `{"colour":"red"}`},
		{"absent-booleans-are-false-on-full-writes", "name=x", false, `{"active":false,"name":"x","optional_flag":null}`},
		{"plus-and-escapes", "name=a+b%21&name%5B0%5D=c", true, `{"name":"a b!","name[0]":"c"}`},
		{"bad-escape-kept", "name=100%", true, `{"name":"100%"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			values, err := parseURLEncoded([]byte(tt.form))
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(values.object(schema, tt.partial))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("%s: %s, want %s", tt.form, got, tt.want)
			}
		})
	}
}
