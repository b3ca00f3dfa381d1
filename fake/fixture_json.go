package fake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// maxFixtureJSONDepth bounds how deeply a JSON fixture nests. The API reads
// bodies with encoding/json, which stops at 10,000 levels; campaign data
// starts at level 2 of a body and at level 8 of a fixture, so a fixture may
// nest 6 levels more, and any data the API took fits in a state.
const maxFixtureJSONDepth = 10000 + 6

// ParseFixtureJSON reads a fixture in strict JSON (RFC 8259), never as
// YAML: a trailing comma, a comment or a second value is an error naming its
// line and column; an unknown or repeated key or a value of the wrong type
// is reported as ParseFixture reports it. Campaign member data keeps every
// number as written (json.Number: 1e400, -0, integers past 2^64) and every
// key as written ("<<" is a key like any other, of any length).
func ParseFixtureJSON(data []byte) (*Fixture, error) {
	p := jsonFixtureParser{data: data}
	root, err := p.document()
	if err != nil {
		return nil, err
	}
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil, errEmptyFixture
	}
	c := fixtureChecker{checked: map[*yaml.Node]bool{}}
	if err := c.check(root, fixtureType, ""); err != nil {
		return nil, err
	}
	// The data leaves the tree before yaml.v3 decodes it, which would turn
	// its numbers into float64 (or strings).
	data2 := takeCampaignData(root)
	var f Fixture
	if err := root.Decode(&f); err != nil {
		return nil, yamlError(err)
	}
	for i := range f.Organizations {
		for j := range f.Organizations[i].Campaigns {
			members := f.Organizations[i].Campaigns[j].Members
			for k := range members {
				members[k].Data = data2[[3]int{i, j, k}]
			}
		}
	}
	f.normalize()
	return &f, nil
}

// jsonFixtureParser turns JSON into a yaml.Node tree, so that one checker
// and one decoder serve both formats. Every node carries its line; every
// key and string is tagged !!str, so that YAML never reads "<<" as a merge
// or a quoted date as a time.
type jsonFixtureParser struct {
	data  []byte
	dec   *json.Decoder
	lines []int // offsets at which lines start
}

func (p *jsonFixtureParser) document() (*yaml.Node, error) {
	if bad := invalidUTF8At(p.data); bad >= 0 {
		return nil, p.errorAt(bad, "the JSON is not valid UTF-8")
	}
	if len(bytes.TrimSpace(p.data)) == 0 {
		return nil, errEmptyFixture
	}
	p.dec = json.NewDecoder(bytes.NewReader(p.data))
	p.dec.UseNumber()
	root, err := p.value(0)
	if err != nil {
		return nil, err
	}
	start := p.tokenStart()
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, p.errorAt(start, "a second JSON value starts here; a fixture is one value")
	}
	return root, nil
}

// value reads the next JSON value as a node.
func (p *jsonFixtureParser) value(depth int) (*yaml.Node, error) {
	start := p.tokenStart()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.syntaxError(err, start)
	}
	n := &yaml.Node{Line: p.line(start)}
	switch tok := tok.(type) {
	case json.Delim:
		if depth+1 > maxFixtureJSONDepth {
			return nil, p.errorAt(start, fmt.Sprintf("nested deeper than %d levels", maxFixtureJSONDepth))
		}
		if tok == '{' {
			n.Kind, n.Tag = yaml.MappingNode, "!!map"
			for p.dec.More() {
				keyStart := p.tokenStart()
				key, err := p.dec.Token()
				if err != nil {
					return nil, p.syntaxError(err, keyStart)
				}
				value, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.DoubleQuotedStyle, Value: key.(string), Line: p.line(keyStart)}
				n.Content = append(n.Content, k, value)
			}
		} else {
			n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
			for p.dec.More() {
				item, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, item)
			}
		}
		end := p.tokenStart()
		if _, err := p.dec.Token(); err != nil { // the closing delimiter
			return nil, p.syntaxError(err, end)
		}
	case string:
		n.Kind, n.Tag, n.Style, n.Value = yaml.ScalarNode, "!!str", yaml.DoubleQuotedStyle, tok
	case json.Number:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!float", string(tok)
		if !bytes.ContainsAny([]byte(tok), ".eE") {
			n.Tag = "!!int"
		}
	case bool:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!bool", fmt.Sprint(tok)
	case nil:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!null", "null"
	}
	return n, nil
}

// tokenStart is the offset at which the next token starts: the decoder's
// offset is the end of the one before, ahead of blanks, commas and colons.
func (p *jsonFixtureParser) tokenStart() int {
	i := int(p.dec.InputOffset())
	for i < len(p.data) {
		switch p.data[i] {
		case ' ', '\t', '\r', '\n', ',', ':':
			i++
			continue
		}
		break
	}
	return i
}

// syntaxError places a decoder's error at its line and column. The token
// reader's offsets are loose (before or after the bad character), so the
// whole document is scanned again, once, for the scanner's exact one.
func (p *jsonFixtureParser) syntaxError(err error, start int) error {
	var raw json.RawMessage
	if scanErr := json.Unmarshal(p.data, &raw); scanErr != nil {
		err = scanErr
	}
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax) && syntax.Offset >= int64(len(p.data)),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return p.errorAt(len(p.data), "the JSON ends before its last value does")
	case errors.As(err, &syntax):
		return p.errorAt(max(int(syntax.Offset)-1, 0), syntax.Error())
	}
	return p.errorAt(start, err.Error())
}

func (p *jsonFixtureParser) errorAt(offset int, msg string) error {
	line, column := p.position(offset)
	return fmt.Errorf("line %d, column %d: %s", line, column, msg)
}

// line is the 1-based line of an offset, for every node: a binary search.
func (p *jsonFixtureParser) line(offset int) int {
	if p.lines == nil {
		p.lines = []int{0}
		for i, b := range p.data {
			if b == '\n' {
				p.lines = append(p.lines, i+1)
			}
		}
	}
	return sort.SearchInts(p.lines, min(offset, len(p.data))+1)
}

// position is the 1-based line and column (in characters) of an offset,
// for an error only: a state written by GET is one long line, and counting
// its characters for every node would take quadratic time.
func (p *jsonFixtureParser) position(offset int) (line, column int) {
	offset = min(offset, len(p.data))
	line = p.line(offset)
	return line, utf8.RuneCount(p.data[p.lines[line-1]:offset]) + 1
}

// invalidUTF8At is the offset of the first byte that is not UTF-8, or -1:
// encoding/json would quietly turn it into U+FFFD.
func invalidUTF8At(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// takeCampaignData removes the data of every campaign member from a checked
// JSON tree, replacing it by an empty mapping, and returns it as request
// bodies carry it (json.Number for numbers), by team, campaign and member.
func takeCampaignData(root *yaml.Node) map[[3]int]map[string]any {
	out := map[[3]int]map[string]any{}
	for i, org := range listOf(mappingValue(root, "organizations")) {
		for j, campaign := range listOf(mappingValue(org, "campaigns")) {
			for k, member := range listOf(mappingValue(campaign, "members")) {
				data := mappingValue(member, "data")
				if data == nil || data.Kind != yaml.MappingNode {
					continue // absent or null: {} once normalized
				}
				out[[3]int{i, j, k}] = jsonData(data).(map[string]any)
				data.Content = nil
			}
		}
	}
	return out
}

// mappingValue is the value of a key of a JSON mapping node, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// listOf is the items of a JSON list node; nothing for null or absent.
func listOf(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

// jsonData is the Go value of a JSON node, numbers kept as written.
func jsonData(n *yaml.Node) any {
	switch n.Kind {
	case yaml.MappingNode:
		object := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			object[n.Content[i].Value] = jsonData(n.Content[i+1])
		}
		return object
	case yaml.SequenceNode:
		list := make([]any, len(n.Content))
		for i, item := range n.Content {
			list[i] = jsonData(item)
		}
		return list
	}
	switch n.Tag {
	case "!!int", "!!float":
		return json.Number(n.Value)
	case "!!bool":
		return n.Value == "true"
	case "!!null":
		return nil
	}
	return n.Value
}
