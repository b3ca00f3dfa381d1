package fake

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/jsonenc"
)

// DefaultJournalSize is how many API requests the journal keeps unless
// WithJournalSize says otherwise; older ones drop out.
const DefaultJournalSize = 1000

// journalBodyLimit bounds the request body a journal entry keeps.
const journalBodyLimit = 64 << 10

// redacted replaces API tokens wherever the journal would show them.
const redacted = "[REDACTED]"

// JournalEntry is one API request as the journal recorded it. Requests to the
// control plane (/__fake/…) are not recorded. API tokens never appear: the
// caller is named by email, and tokens in the path, query or body are
// replaced by "[REDACTED]".
type JournalEntry struct {
	// ID numbers entries from 1 in the order requests arrived; clearing the
	// journal does not restart it.
	ID        int
	Time      time.Time // when the request arrived, wall clock, UTC
	RequestID string    // the response's X-Request-Id
	Method    string
	Path      string
	Query     string // the raw query, without "?"
	// OperationID is the openapi.yaml operation the request reached; empty
	// when its path and method are not an operation (404, 301, 405).
	OperationID string
	// Caller is the email of the user whose token authenticated the
	// request; empty for anonymous requests and unknown tokens.
	Caller string
	// Status is the status sent; 0 when no response was sent (reset, close,
	// hang).
	Status int
	// RequestBody is the body as JSON when it was JSON, else the body as a
	// JSON string; nil when there was none. At most the first 64 KiB are
	// kept (RequestBodyTruncated then says so, and the body is a string).
	RequestBody          json.RawMessage
	RequestBodyTruncated bool
	// Fault is the fault that acted on the request, nil when none did;
	// FaultSource says where it came from: "rule", "header" or "error_rate".
	Fault       *FaultRule
	FaultSource string
	// ValidationError is the validator's own text when the request was
	// refused as invalid (the body keeps DRF's shape); empty otherwise.
	ValidationError string
	// Duration runs from the request's arrival until its response head was
	// written (or a fault took the connection over): the entry is recorded
	// then, before the client can see the answer.
	Duration time.Duration
}

type journalEntryJSON struct {
	ID                   int             `json:"id"`
	Time                 time.Time       `json:"time"`
	RequestID            string          `json:"request_id"`
	Method               string          `json:"method"`
	Path                 string          `json:"path"`
	Query                string          `json:"query"`
	OperationID          *string         `json:"operation_id"`
	Caller               *string         `json:"caller"`
	Status               int             `json:"status"`
	RequestBody          json.RawMessage `json:"request_body"`
	RequestBodyTruncated bool            `json:"request_body_truncated"`
	Fault                *FaultRule      `json:"fault"`
	FaultSource          *string         `json:"fault_source"`
	ValidationError      *string         `json:"validation_error"`
	DurationMS           float64         `json:"duration_ms"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// MarshalJSON writes the entry as GET /__fake/requests shows it: absent
// values as null, the duration in milliseconds.
func (e JournalEntry) MarshalJSON() ([]byte, error) {
	body := e.RequestBody
	if len(body) == 0 {
		body = json.RawMessage("null")
	}
	return json.Marshal(journalEntryJSON{
		ID: e.ID, Time: e.Time, RequestID: e.RequestID, Method: e.Method, Path: e.Path, Query: e.Query,
		OperationID: nullable(e.OperationID), Caller: nullable(e.Caller), Status: e.Status,
		RequestBody: body, RequestBodyTruncated: e.RequestBodyTruncated,
		Fault: e.Fault, FaultSource: nullable(e.FaultSource), ValidationError: nullable(e.ValidationError),
		DurationMS: float64(e.Duration.Microseconds()) / 1000,
	})
}

// JournalFilter selects journal entries; zero fields match everything.
type JournalFilter struct {
	Method      string
	Path        string // a concrete path or a template with {name} segments
	Status      int
	OperationID string
	// Unmatched keeps only the requests that reached no operation: unknown
	// paths (404), methods a path does not serve (405), redirects (301).
	Unmatched bool
	// Limit keeps the newest Limit entries that match; 0 keeps all.
	Limit int
}

func (f JournalFilter) keep(e *JournalEntry) bool {
	return (f.Method == "" || strings.EqualFold(f.Method, e.Method)) &&
		pathMatches(f.Path, e.Path) &&
		(f.Status == 0 || f.Status == e.Status) &&
		(f.OperationID == "" || f.OperationID == e.OperationID) &&
		(!f.Unmatched || e.OperationID == "")
}

// MaxJournalSize is the most entries WithJournalSize may ask the journal to
// keep, and MaxJournalBytes the most memory its entries may take together
// (bodies, paths, queries, faults and a fixed cost per entry, journalCost):
// the oldest entries drop out at whichever bound is reached first, so that
// no client can grow the server's memory without bound.
const (
	MaxJournalSize  = 1_000_000
	MaxJournalBytes = 64 << 20
)

// journalEntryOverhead is what an entry costs in memory besides its texts:
// the struct, its pointer in the ring and the allocations behind it.
const journalEntryOverhead = 320

// journalCost is what an entry counts against MaxJournalBytes.
func journalCost(e *JournalEntry) int {
	n := journalEntryOverhead + len(e.RequestID) + len(e.Method) + len(e.Path) + len(e.Query) +
		len(e.OperationID) + len(e.Caller) + len(e.RequestBody) + len(e.FaultSource) + len(e.ValidationError)
	if e.Fault != nil {
		n += journalEntryOverhead + ruleBytes(e.Fault)
	}
	return n
}

// journal is a bounded queue of the latest API requests. Entries are never
// changed once added, so that readers can share them outside the lock.
type journal struct {
	mu       sync.Mutex
	ring     []*JournalEntry // grows up to size; the entries at start, start+1, … (mod len) are live
	start, n int
	bytes    int // journalCost of the live entries
	size     int
	maxBytes int
	nextID   int
}

func newJournal(size int) *journal {
	return &journal{size: size, maxBytes: MaxJournalBytes, nextID: 1}
}

func (j *journal) add(e JournalEntry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e.ID = j.nextID
	j.nextID++
	if j.size == 0 {
		return
	}
	cost := journalCost(&e)
	for j.n > 0 && (j.n >= j.size || j.bytes+cost > j.maxBytes) {
		j.dropOldestLocked()
	}
	if j.n == len(j.ring) {
		grown := make([]*JournalEntry, min(max(2*len(j.ring), 16), j.size))
		for i := 0; i < j.n; i++ {
			grown[i] = j.ring[(j.start+i)%len(j.ring)]
		}
		j.ring, j.start = grown, 0
	}
	j.ring[(j.start+j.n)%len(j.ring)] = &e
	j.n++
	j.bytes += cost
}

func (j *journal) dropOldestLocked() {
	j.bytes -= journalCost(j.ring[j.start])
	j.ring[j.start] = nil
	j.start = (j.start + 1) % len(j.ring)
	j.n--
}

// shared returns the matching entries, oldest first, shared with the
// journal: the caller must not change them. It costs a pointer per entry.
func (j *journal) shared(f JournalFilter) []*JournalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := []*JournalEntry{}
	for i := 0; i < j.n; i++ {
		if e := j.ring[(j.start+i)%len(j.ring)]; f.keep(e) {
			out = append(out, e)
		}
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[len(out)-f.Limit:]
	}
	return out
}

// list returns copies of the matching entries, oldest first.
func (j *journal) list(f JournalFilter) []JournalEntry {
	shared := j.shared(f)
	out := make([]JournalEntry, len(shared))
	for i, e := range shared {
		out[i] = e.clone()
	}
	return out
}

// count is how many entries match, Limit aside.
func (j *journal) count(f JournalFilter) int {
	f.Limit = 0
	j.mu.Lock()
	defer j.mu.Unlock()
	n := 0
	for i := 0; i < j.n; i++ {
		if f.keep(j.ring[(j.start+i)%len(j.ring)]) {
			n++
		}
	}
	return n
}

func (j *journal) clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.ring, j.start, j.n, j.bytes = nil, 0, 0, 0
}

// writeJournal answers entries as a JSON array, encoded one entry at a time
// straight to the connection: a full journal is tens of MiB of JSON, and
// readers in parallel would each hold all of it in one buffer.
func writeJournal(w http.ResponseWriter, entries []*JournalEntry) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	out := bufio.NewWriterSize(w, 32<<10)
	buf := jsonBuffers.Get().(*bytes.Buffer)
	defer putJSONBuffer(buf)
	out.WriteByte('[')
	for i, e := range entries {
		if i > 0 {
			out.WriteByte(',')
		}
		buf.Reset()
		if err := jsonenc.Encode(buf, e); err != nil {
			return // cannot happen: every field encodes; the client sees a cut body
		}
		if _, err := out.Write(buf.Bytes()); err != nil {
			return // the client went away
		}
	}
	out.WriteByte(']')
	_ = out.Flush()
}

func (e JournalEntry) clone() JournalEntry {
	e.RequestBody = bytes.Clone(e.RequestBody)
	if e.Fault != nil {
		f := e.Fault.clone()
		e.Fault = &f
	}
	return e
}

// bodyTap keeps the first journalBodyLimit bytes read from a request body.
type bodyTap struct {
	io.ReadCloser
	kept  []byte
	total int64
}

func (t *bodyTap) Read(p []byte) (int, error) {
	n, err := t.ReadCloser.Read(p)
	if room := journalBodyLimit - len(t.kept); room > 0 {
		t.kept = append(t.kept, p[:min(n, room)]...)
	}
	t.total += int64(n)
	return n, err
}

// tapBody starts recording r's body for the journal. Unless the client waits
// for "100 Continue" (reading would send it), the first 64 KiB are read at
// once, so that requests refused before their body is read (401, 403) show
// it too.
func tapBody(r *http.Request) *bodyTap {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	tap := &bodyTap{ReadCloser: r.Body}
	r.Body = tap
	if !strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		prefix, _ := readAtMost(tap, journalBodyLimit+1)
		r.Body = readCloser{Reader: io.MultiReader(bytes.NewReader(prefix), tap), Closer: tap}
	}
	return tap
}

// presentedToken is the token of a request's Authorization header, if any.
func presentedToken(r *http.Request) string {
	fields := strings.Fields(r.Header.Get("Authorization"))
	if len(fields) >= 2 {
		return strings.Join(fields[1:], " ")
	}
	return ""
}

// redactor replaces the request's token and every known API token in the
// texts it is built for. Most requests carry no token in their path, query
// or body, and building a Replacer of every token costs more than the rest
// of the journal entry, so it is only built when a token occurs in one of
// them; otherwise the texts are kept as they are, as the Replacer would.
func (s *Server) redactor(r *http.Request, texts ...string) *strings.Replacer {
	presented := presentedToken(r)
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	found := presented != "" && containsAny(texts, presented)
	for token := range s.store.usersByToken {
		if found {
			break
		}
		found = containsAny(texts, token)
	}
	if !found {
		return nil
	}
	pairs := make([]string, 0, 2*len(s.store.usersByToken)+2)
	for token := range s.store.usersByToken {
		pairs = append(pairs, token, redacted)
	}
	if presented != "" {
		pairs = append(pairs, presented, redacted)
	}
	return strings.NewReplacer(pairs...)
}

func containsAny(texts []string, token string) bool {
	for _, text := range texts {
		if strings.Contains(text, token) {
			return true
		}
	}
	return false
}

// redact applies a redactor; nil keeps the text.
func redact(r *strings.Replacer, text string) string {
	if r == nil {
		return text
	}
	return r.Replace(text)
}

// journalEntry records a finished exchange, its tokens redacted (redact.go).
func (s *Server) journalEntry(ex *exchange, r *http.Request) JournalEntry {
	var kept string
	if ex.body != nil && ex.body.total > 0 {
		kept = string(ex.body.kept)
	}
	truncated := ex.body != nil && ex.body.total > journalBodyLimit
	contentType := r.Header.Get("Content-Type")
	whole := kept // what can be decoded: not a body cut short
	if truncated {
		whole = ""
	}
	texts := []string{r.URL.Path, r.URL.RawQuery, kept, ex.validationError}
	if f := ex.fault; f != nil {
		texts = append(texts, f.Body)
		texts = append(texts, decodedTexts("", f.Body, "")...)
		for _, value := range f.Headers {
			texts = append(texts, value)
		}
	}
	texts = append(texts, decodedTexts(r.URL.RawQuery, whole, contentType)...)
	redactor := s.redactor(r, texts...)
	e := JournalEntry{
		Time:            ex.start.UTC(),
		RequestID:       ex.requestID,
		Method:          r.Method,
		Path:            redact(redactor, r.URL.Path),
		Query:           r.URL.RawQuery,
		OperationID:     ex.operationID,
		Caller:          ex.caller,
		Status:          ex.status,
		Fault:           redactFault(ex.fault, redactor),
		FaultSource:     ex.faultSource,
		ValidationError: redact(redactor, ex.validationError),
		Duration:        time.Since(ex.start),
	}
	sensitive := hasSensitiveField(r.URL.RawQuery, whole, contentType)
	if redactor != nil || sensitive {
		e.Query = redactQuery(r.URL.RawQuery, redactor)
	}
	if e.Status == 0 && !ex.hijacked {
		e.Status = ex.rec.status
		if !ex.rec.wroteHeader {
			e.Status = http.StatusOK // what net/http sends for a handler that wrote nothing
		}
	}
	if ex.body != nil && ex.body.total > 0 {
		e.RequestBodyTruncated = truncated
		switch {
		case !truncated && json.Valid([]byte(kept)):
			if redactor != nil || sensitive {
				e.RequestBody = redactJSONBody([]byte(kept), redactor)
			} else {
				var buf bytes.Buffer
				_ = json.Compact(&buf, []byte(kept))
				e.RequestBody = buf.Bytes()
			}
		case !truncated && formBody(kept, contentType) != "" && (redactor != nil || sensitive):
			e.RequestBody, _ = json.Marshal(redactQuery(kept, redactor))
		default:
			e.RequestBody, _ = json.Marshal(redact(redactor, kept))
		}
	}
	return e
}

// redactFault is the journal's copy of a fault, its body and header values
// redacted; the rule itself is left as it is.
func redactFault(f *FaultRule, redactor *strings.Replacer) *FaultRule {
	if f == nil || redactor == nil {
		return f
	}
	c := f.clone()
	if body, changed := redactJSON([]byte(c.Body), redactor); changed && json.Valid([]byte(c.Body)) {
		c.Body = string(body) // a token behind escapes
	} else {
		c.Body = redactor.Replace(c.Body)
	}
	for name, value := range c.Headers {
		c.Headers[name] = redactor.Replace(value)
	}
	return &c
}
