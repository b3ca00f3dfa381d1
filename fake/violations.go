package fake

import (
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// ViolationReasons words a kin-openapi validation error as one line per
// failure: the JSON pointer of the value and the reason, without
// kin-openapi's dump of the schema and the value. The fake's strict mode and
// the check command word contract violations alike through it.
func ViolationReasons(err error) []string {
	var parts []string
	var walk func(error, string)
	walk = func(err error, prefix string) {
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, each := range e {
				walk(each, prefix)
			}
		case *openapi3filter.ResponseError:
			if e.Err == nil {
				parts = append(parts, prefix+e.Reason)
				return
			}
			if e.Reason != "" {
				prefix += e.Reason + ": "
			}
			walk(e.Err, prefix)
		case *openapi3.SchemaError:
			parts = append(parts, fmt.Sprintf("%s/%s: %s", prefix, strings.Join(e.JSONPointer(), "/"), e.Reason))
		default:
			text, _, _ := strings.Cut(err.Error(), "\n")
			parts = append(parts, prefix+text)
		}
	}
	walk(err, "")
	return parts
}
