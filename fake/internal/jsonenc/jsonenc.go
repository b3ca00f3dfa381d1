// Package jsonenc writes response bodies as Django REST framework's JSON
// renderer does: compact, without HTML escaping. The bytes are exactly those
// of encoding/json's Encoder with SetEscapeHTML(false), less its newline;
// github.com/goccy/go-json writes them several times faster (it compiles an
// encoder per type once, where encoding/json reflects over every field and
// re-checks what time.Time's MarshalJSON returns), and the tests of package
// fake hold it to encoding/json's bytes for every resource type.
package jsonenc

import (
	"bytes"
	stdjson "encoding/json"

	json "github.com/goccy/go-json"
)

// Encode appends v to buf as JSON, without a trailing newline. A value that
// goccy/go-json refuses (it stops at 10,000 levels of nesting, which a state
// holding campaign data as deep as the API accepts goes past) is written by
// encoding/json instead: the same bytes, only slower.
func Encode(buf *bytes.Buffer, v any) error {
	start := buf.Len()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.Truncate(start)
		std := stdjson.NewEncoder(buf)
		std.SetEscapeHTML(false)
		if err := std.Encode(v); err != nil {
			buf.Truncate(start)
			return err
		}
	}
	buf.Truncate(buf.Len() - 1) // the Encoder's newline
	return nil
}
