package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// The fixture is written as YAML whose values are JSON: JSON's strings,
// numbers, lists and objects are YAML flow values, so each value keeps its
// exact type and text (json.Number keeps a number's digits), and one member
// is one line.

type keyValue struct {
	key   string
	value any
}

// orderedObject is a JSON object whose keys keep the order they were added.
type orderedObject []keyValue

func (o *orderedObject) add(key string, value any) { *o = append(*o, keyValue{key, value}) }

// json writes the object as a YAML flow mapping with plain keys: {email: "…", …}.
func (o orderedObject) json() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, kv := range o {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(kv.key)
		b.WriteString(": ")
		b.WriteString(flow(kv.value))
	}
	b.WriteByte('}')
	return b.String()
}

// flow is v as JSON, which YAML reads as a flow value.
func flow(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only values decoded from JSON reach here, and they encode.
		return "null"
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func jsonString(s string) string { return flow(s) }

// decode reads one JSON value keeping numbers as json.Number.
func decode(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}

// streamObject reads a JSON object key by key; fn must consume each value
// from dec.
func streamObject(r io.Reader, fn func(key string, dec *json.Decoder) error) error {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if err := fn(key, dec); err != nil {
			return err
		}
	}
	return expectDelim(dec, '}')
}

// streamArrayFrom reads the array that comes next in dec one element at a
// time; null counts as an empty array.
func streamArrayFrom(dec *json.Decoder, fn func(json.RawMessage) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("expected a JSON array, found %v", tok)
	}
	for dec.More() {
		var item json.RawMessage
		if err := dec.Decode(&item); err != nil {
			return err
		}
		if err := fn(item); err != nil {
			return err
		}
	}
	return expectDelim(dec, ']')
}

// skipValue consumes the next value of dec, an array element by element so
// that a long one is never held whole.
func skipValue(dec *json.Decoder) error {
	var first json.RawMessage
	if !dec.More() {
		return dec.Decode(&first)
	}
	// Peek by decoding a token: an array is walked, anything else decoded.
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('['):
		for dec.More() {
			if err := dec.Decode(&first); err != nil {
				return err
			}
		}
		return expectDelim(dec, ']')
	case json.Delim('{'):
		for dec.More() {
			if _, err := dec.Token(); err != nil {
				return err
			}
			if err := dec.Decode(&first); err != nil {
				return err
			}
		}
		return expectDelim(dec, '}')
	}
	return nil // a scalar: the token was the whole value
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("expected %q in the JSON, found %v", want, tok)
	}
	return nil
}
