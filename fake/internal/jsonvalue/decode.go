package jsonvalue

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"unicode/utf8"
)

// maxFastDepth is how deeply nested a body Decode reads; deeper ones are
// left to encoding/json (which stops at 10,000 levels with its own error).
const maxFastDepth = 200

// Decode reads one JSON value, and nothing after it but white space, as
// encoding/json's Decoder with UseNumber reads it (map[string]any, []any,
// string, json.Number, bool, nil), with its errors.
//
// encoding/json scans a text twice (once to find its end, once to build the
// value) and goes through reflection for every value: decoding was a fifth
// of the CPU of a PUT of five campaign members, in process. So the common
// texts are read in one pass (decodeFast); the others, and every error, are
// encoding/json's.
func Decode(data []byte) (any, error) {
	if v, ok := decodeFast(data); ok {
		return v, nil
	}
	return decodeStd(data)
}

// decodeStd is Decode through encoding/json.
func decodeStd(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("extra data after the JSON value")
	}
	return v, nil
}

// decodeFast reads, in one pass, only the texts whose value it is sure of,
// and reports false for any other: strings with escapes, control characters
// or bad UTF-8, nesting past maxFastDepth, and everything that is not JSON.
func decodeFast(data []byte) (any, bool) {
	d := decoder{data: data}
	d.space()
	v, ok := d.value(0)
	if !ok {
		return nil, false
	}
	d.space()
	return v, d.i == len(d.data)
}

type decoder struct {
	data []byte
	i    int
}

func (d *decoder) space() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) value(depth int) (any, bool) {
	if d.i >= len(d.data) || depth > maxFastDepth {
		return nil, false
	}
	switch c := d.data[d.i]; {
	case c == '{':
		return d.object(depth)
	case c == '[':
		return d.array(depth)
	case c == '"':
		s, ok := d.string()
		return s, ok
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	}
	return nil, false
}

func (d *decoder) literal(word string) bool {
	if len(d.data)-d.i < len(word) || string(d.data[d.i:d.i+len(word)]) != word {
		return false
	}
	d.i += len(word)
	return true
}

func (d *decoder) object(depth int) (any, bool) {
	d.i++ // {
	m := map[string]any{}
	d.space()
	if d.i < len(d.data) && d.data[d.i] == '}' {
		d.i++
		return m, true
	}
	for {
		if d.i >= len(d.data) || d.data[d.i] != '"' {
			return nil, false
		}
		key, ok := d.string()
		if !ok {
			return nil, false
		}
		d.space()
		if d.i >= len(d.data) || d.data[d.i] != ':' {
			return nil, false
		}
		d.i++
		d.space()
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		m[key] = v // a repeated key: the last one wins, as in encoding/json
		if done, ok := d.after('}'); !ok || done {
			return m, ok
		}
	}
}

func (d *decoder) array(depth int) (any, bool) {
	d.i++           // [
	list := []any{} // never nil: encoding/json makes an empty list of []
	d.space()
	if d.i < len(d.data) && d.data[d.i] == ']' {
		d.i++
		return list, true
	}
	for {
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		list = append(list, v)
		if done, ok := d.after(']'); !ok || done {
			return list, ok
		}
	}
}

// after reads what follows a member of an object or a list: a comma (more
// to come) or its closing bracket (done).
func (d *decoder) after(closing byte) (done, ok bool) {
	d.space()
	if d.i >= len(d.data) {
		return false, false
	}
	switch d.data[d.i] {
	case ',':
		d.i++
		d.space()
		return false, true
	case closing:
		d.i++
		return true, true
	}
	return false, false
}

// string reads a string of valid UTF-8 without escapes or control
// characters: its bytes are the string.
func (d *decoder) string() (string, bool) {
	start, ascii := d.i+1, true
	for j := start; j < len(d.data); j++ {
		switch c := d.data[j]; {
		case c == '"':
			if !ascii && !utf8.Valid(d.data[start:j]) {
				return "", false // encoding/json would write U+FFFD for bad bytes
			}
			d.i = j + 1
			return string(d.data[start:j]), true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false
}

// number reads a number as json.Number, its text as written.
func (d *decoder) number() (any, bool) {
	end := d.i
	for end < len(d.data) {
		c := d.data[end]
		if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
			break
		}
		end++
	}
	text := string(d.data[d.i:end])
	if _, ok := numberKind(text); !ok {
		return nil, false
	}
	d.i = end
	return json.Number(text), true
}
