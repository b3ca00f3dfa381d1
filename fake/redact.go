package fake

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// Redaction keeps API tokens out of the journal and the request log. A token
// can be written in many ways that mean the same to the server — "\u002d"
// for "-" in a JSON string, "%2D" in a query or a form — so what is looked
// at is what the server decodes: the JSON body's strings, the query's and a
// form's names and values. A known token (any user's, or the one the
// request presented) is replaced wherever it occurs in them, and so is the
// whole value of a field whose name says it holds a secret (sensitiveField).
// What changed is encoded again; what did not keeps its bytes.

// sensitiveField reports whether a JSON key, query or form name says its
// value is a secret, whatever the value: token, password, secret,
// authorization, api_key/apikey, and any name ending in "token".
func sensitiveField(name string) bool {
	name = strings.ToLower(name)
	switch name {
	case "password", "secret", "authorization", "api_key", "apikey":
		return true
	}
	return strings.HasSuffix(name, "token")
}

// mentionsSecret reports whether a text could hold a sensitive field name:
// only then is a body walked for one.
func mentionsSecret(text string) bool {
	lower := strings.ToLower(text)
	for _, word := range []string{"token", "password", "secret", "authorization", "apikey", "api_key"} {
		if strings.Contains(lower, word) {
			return true
		}
	}
	return false
}

// decodedTexts are the decoded forms of a query or form and of a JSON body,
// for the redactor's look for tokens: the raw bytes may hide a token behind
// escapes.
func decodedTexts(query, body, contentType string) []string {
	var texts []string
	if query != "" {
		texts = append(texts, decodeQueryText(query))
	}
	if body == "" {
		return texts
	}
	if mediaType, _, _ := mime.ParseMediaType(contentType); mediaType == mediaTypeForm {
		texts = append(texts, decodeQueryText(body))
	}
	// Without a backslash a JSON string's decoded form is its raw bytes,
	// which the redactor looks at anyway.
	if strings.Contains(body, `\`) && json.Valid([]byte(body)) {
		var strs strings.Builder
		_, _ = rewriteJSON([]byte(body), func(s, _ string, _ bool) string {
			strs.WriteString(s)
			strs.WriteByte(0)
			return s
		})
		texts = append(texts, strs.String())
	}
	return texts
}

// decodeQueryText is a query's names and values decoded, pair by pair.
func decodeQueryText(raw string) string {
	var b strings.Builder
	for _, part := range strings.Split(raw, "&") {
		if s, err := url.QueryUnescape(part); err == nil {
			b.WriteString(s)
		} else {
			b.WriteString(part)
		}
		b.WriteByte(0)
	}
	return b.String()
}

// hasSensitiveField reports whether a query or form has a non-empty value
// under a sensitive name, or a JSON body a string or number under a
// sensitive key: those are redacted even when no known token occurs.
func hasSensitiveField(query, body, contentType string) bool {
	for _, raw := range []string{query, formBody(body, contentType)} {
		if !mentionsSecret(raw) && !(strings.Contains(raw, "%") && mentionsSecret(decodeQueryText(raw))) {
			continue
		}
		for _, part := range strings.Split(raw, "&") {
			name, value, _ := strings.Cut(part, "=")
			if decoded, err := url.QueryUnescape(name); err == nil && value != "" && sensitiveField(decoded) {
				return true
			}
		}
	}
	found := false
	if (mentionsSecret(body) || strings.Contains(body, `\`)) && json.Valid([]byte(body)) {
		_, _ = rewriteJSON([]byte(body), func(s, key string, isKey bool) string {
			found = found || (!isKey && sensitiveField(key))
			return s
		})
	}
	return found
}

func formBody(body, contentType string) string {
	if mediaType, _, _ := mime.ParseMediaType(contentType); mediaType == mediaTypeForm {
		return body
	}
	return ""
}

// redactQuery redacts a query or form, pair by pair, on the decoded names
// and values; a pair that does not decode is redacted as it is. Pairs that
// need no change keep their bytes.
func redactQuery(raw string, tokens *strings.Replacer) string {
	if raw == "" {
		return raw
	}
	parts := strings.Split(raw, "&")
	for i, part := range parts {
		rawName, rawValue, hasValue := strings.Cut(part, "=")
		name, errName := url.QueryUnescape(rawName)
		value, errValue := url.QueryUnescape(rawValue)
		if errName != nil || errValue != nil {
			parts[i] = redact(tokens, part)
			continue
		}
		newName, newValue := redact(tokens, name), redact(tokens, value)
		if hasValue && value != "" && sensitiveField(name) {
			newValue = redacted
		}
		if newName == name && newValue == value {
			parts[i] = redact(tokens, part)
			continue
		}
		parts[i] = escapeRedacted(newName)
		if hasValue {
			parts[i] += "=" + escapeRedacted(newValue)
		}
	}
	return strings.Join(parts, "&")
}

// escapeRedacted query-escapes s but keeps "[REDACTED]" readable.
func escapeRedacted(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), url.QueryEscape(redacted), redacted)
}

// redactJSONBody redacts a valid JSON document: tokens in its decoded keys
// and strings, and the scalar values of sensitive keys. It is re-encoded
// compactly, in its order, only when something changed; otherwise it is
// compacted as it came.
func redactJSONBody(body []byte, tokens *strings.Replacer) []byte {
	out, _ := redactJSON(body, tokens)
	return out
}

// redactJSON is redactJSONBody, and whether anything was redacted.
func redactJSON(body []byte, tokens *strings.Replacer) ([]byte, bool) {
	changed := false
	out, err := rewriteJSON(body, func(s, key string, isKey bool) string {
		var r string
		if !isKey && sensitiveField(key) {
			r = redacted
		} else {
			r = redact(tokens, s)
		}
		changed = changed || r != s
		return r
	})
	if err != nil || !changed {
		var buf bytes.Buffer
		_ = json.Compact(&buf, body)
		return buf.Bytes(), false
	}
	return out, true
}

// redactedPath is the request's path for the log, tokens redacted.
func (s *Server) redactedPath(r *http.Request) string {
	return redact(s.redactor(r, r.URL.Path), r.URL.Path)
}

// rewriteJSON encodes a JSON document again, compactly and in its order,
// passing every key and string value (and, under a sensitive key, a number)
// through edit, which learns the key the value is under ("" in an array or
// at the top) and whether the string is itself a key.
func rewriteJSON(data []byte, edit func(s, key string, isKey bool) string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct {
		object bool
		n      int    // tokens read in this container: keys and values
		key    string // the key of the value being read
	}
	var stack []frame
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	writeString := func(s string) {
		_ = enc.Encode(s)
		out.Truncate(out.Len() - 1) // the Encoder's newline
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out.Bytes(), nil
		}
		if err != nil {
			return nil, err
		}
		key, isKey := "", false
		if d, ok := tok.(json.Delim); len(stack) > 0 && (!ok || d == '{' || d == '[') {
			top := &stack[len(stack)-1]
			isKey = top.object && top.n%2 == 0
			switch {
			case top.object && !isKey:
				out.WriteByte(':')
				key = top.key
			case top.n > 0:
				out.WriteByte(',')
			}
			top.n++
		}
		switch v := tok.(type) {
		case json.Delim:
			out.WriteRune(rune(v))
			if v == '{' || v == '[' {
				stack = append(stack, frame{object: v == '{'})
			} else {
				stack = stack[:len(stack)-1]
			}
		case string:
			s := edit(v, key, isKey)
			if isKey {
				stack[len(stack)-1].key = v
			}
			writeString(s)
		case json.Number:
			if s := edit(v.String(), key, false); s != v.String() {
				writeString(s)
			} else {
				out.WriteString(v.String())
			}
		case bool:
			if v {
				out.WriteString("true")
			} else {
				out.WriteString("false")
			}
		case nil:
			out.WriteString("null")
		}
	}
}
