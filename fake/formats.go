package fake

import (
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// emailFormat is kin-openapi's "email" format, FormatOfStringForEmail
// (^[^@]+@[^@<>",\s]+$), checked without the regexp, which was a third of
// the schema check of a list of emails: one "@", text before it, and text
// after it with none of <>", nor RE2's white space (tab, newline, form feed,
// carriage return, space). All of these are ASCII, so bytes decide as the
// regexp's runes do. A failure is worded as the regexp validator words it.
var emailFormat = openapi3.NewCallbackValidator(func(value string) error {
	local, domain, found := strings.Cut(value, "@")
	if !found || local == "" || domain == "" || strings.ContainsAny(domain, "@<>\",\t\n\f\r ") {
		return errEmailFormat
	}
	return nil
})

var errEmailFormat = fmt.Errorf(`string doesn't match pattern "%s"`, openapi3.FormatOfStringForEmail)
