// Package check compares a live server with the contract (openapi.yaml)
// and with the fake's declared deviations, through the public API only:
// every read operation a token can reach, at each version; with a team
// named, the documented write semantics too, on the live team and on a fake
// seeded from a recording of it.
package check

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pixiebrix-fake/pixiebrix-fake/cmd/pixiebrix-fake/internal/apiclient"
)

// Options tune a check.
type Options struct {
	// PerList bounds how many single objects of each list are read (0: all).
	PerList int
	// WritesTeam, when set, runs the write scenario on that team.
	WritesTeam string
	// Progress, if not nil, gets a line per operation checked.
	Progress io.Writer
}

// The kinds of finding.
const (
	KindStatus    = "status"        // a status other than the contract's
	KindHeader    = "header"        // Content-Type, Link, X-Total-Count, X-Request-Id
	KindContract  = "contract"      // the body or a header breaks openapi.yaml
	KindExtra     = "extra_field"   // a field sent that the contract does not name
	KindMissing   = "missing_field" // a required field the server left out
	KindDeviation = "deviation"     // differs from the README's deviations list
	KindWrite     = "write"         // a write answered differently by the live server and the fake
)

// The declared deviations from PixieBrix's published document that a check
// can see through reads, by the names the conformance test
// (fake/conformance_test.go) and the docs' deviations list give them. A
// finding of kind deviation names the one the live server contradicts.
// The others of that list are in openapi.yaml itself (declared error
// bodies, list bodies, nullable related objects), so a live server that
// differs from them breaks the contract and is a contract finding.
const (
	DeviationUnlabelledContentType = "unlabelled-content-type"
	DeviationAppendSlashRedirect   = "append-slash-redirect"
	DeviationAnonymousMeFlagsOnly  = "anonymous-me-flags-only"
)

// Finding is one difference.
type Finding struct {
	Kind      string `json:"kind"`
	Operation string `json:"operation,omitempty"`
	Version   string `json:"version,omitempty"`
	Path      string `json:"path,omitempty"`
	Detail    string `json:"detail"`
}

// Report is the outcome of a check: no findings means nothing differs.
type Report struct {
	URL      string    `json:"url"`
	Calls    int       `json:"calls"`
	Findings []Finding `json:"findings"`
}

// WriteText writes the report for a reader.
func (r Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "check of %s: %d calls, %d findings\n", r.URL, r.Calls, len(r.Findings))
	for _, f := range r.Findings {
		where := f.Operation
		if f.Version != "" {
			where += " @" + f.Version
		}
		if f.Path != "" {
			where += " " + f.Path
		}
		fmt.Fprintf(w, "- [%s] %s: %s\n", f.Kind, strings.TrimSpace(where), f.Detail)
	}
	if len(r.Findings) == 0 {
		fmt.Fprintln(w, "nothing differs")
	}
}

type checker struct {
	c        *apiclient.Client
	contract *contract
	opts     Options
	report   Report
	seen     map[Finding]bool
}

// Run checks the server the client talks to.
func Run(ctx context.Context, c *apiclient.Client, opts Options) (Report, error) {
	ct, err := loadContract()
	if err != nil {
		return Report{}, err
	}
	ch := &checker{c: c, contract: ct, opts: opts, report: Report{URL: c.Base(), Findings: []Finding{}}, seen: map[Finding]bool{}}
	var caller caller
	if opts.WritesTeam != "" { // refused before anything is read
		if caller, err = adminOf(ctx, c, opts.WritesTeam); err != nil {
			return Report{}, err
		}
	}
	reads, err := ReadOperations(ctx, c, opts.PerList)
	if err != nil {
		return Report{}, err
	}
	for _, read := range reads {
		for _, v := range Versions {
			if err := ch.read(ctx, read, v); err != nil {
				return Report{}, err
			}
		}
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "check: %s %s\n", read.Operation, read.Path)
		}
	}
	if err := ch.deviations(ctx); err != nil {
		return Report{}, err
	}
	if opts.WritesTeam != "" {
		if err := ch.writes(ctx, opts.WritesTeam, caller); err != nil {
			return Report{}, err
		}
	}
	return ch.report, nil
}

func (ch *checker) add(f Finding) {
	if ch.seen[f] {
		return
	}
	ch.seen[f] = true
	ch.report.Findings = append(ch.report.Findings, f)
}

// response is an answer read whole.
type response struct {
	req    *http.Request
	status int
	header http.Header
	body   []byte
}

// maxBody bounds one body a check reads (a version 1.0 list holds every item).
const maxBody = 256 << 20

func (ch *checker) get(ctx context.Context, r apiclient.Request) (response, error) {
	ch.report.Calls++
	resp, err := ch.c.Do(ctx, r)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return response{}, fmt.Errorf("%s %s: reading the body: %w", resp.Request.Method, resp.Request.URL, err)
	}
	return response{req: resp.Request, status: resp.StatusCode, header: resp.Header, body: body}, nil
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// read checks one read operation at one version, every page of it.
func (ch *checker) read(ctx context.Context, read Read, version string) error {
	f := func(kind, format string, args ...any) {
		ch.add(Finding{Kind: kind, Operation: read.Operation, Version: version, Path: read.Path, Detail: fmt.Sprintf(format, args...)})
	}
	if !slices.Contains(read.Versions, version) {
		resp, err := ch.get(ctx, apiclient.Request{Path: read.Path, Version: version})
		if err != nil {
			return err
		}
		if resp.status != http.StatusNotAcceptable {
			f(KindStatus, "answered %d; the contract serves version %s only, so %s is a 406", resp.status, strings.Join(read.Versions, ", "), version)
		}
		return nil
	}
	next, page, items, total := read.Path, 0, 0, -1
	for next != "" {
		page++
		resp, err := ch.get(ctx, apiclient.Request{Path: next, Version: version})
		if err != nil {
			return err
		}
		if resp.status != http.StatusOK {
			f(KindStatus, "answered %d, not 200: %.200s", resp.status, resp.body)
			return nil
		}
		ch.headers(read, resp, f)
		for _, v := range ch.contract.validate(read.Template, resp.req, resp.status, resp.header, resp.body) {
			f(KindContract, "%s", v)
		}
		extra, missing, err := fieldDiff(ch.contract.responseSchema(read.Template, resp.status), resp.body)
		if err != nil {
			f(KindContract, "the body is not JSON: %v", err)
			return nil
		}
		for _, p := range extra {
			f(KindExtra, "%s is sent but not in the contract", p)
		}
		for _, p := range missing {
			f(KindMissing, "%s is promised by the contract but not sent", p)
		}
		next = ""
		if !read.List {
			break
		}
		var list []json.RawMessage
		if json.Unmarshal(resp.body, &list) != nil {
			break // the contract's validation said so
		}
		items += len(list)
		if version != "2.0" {
			for _, h := range []string{"Link", "X-Total-Count"} {
				if resp.header.Get(h) != "" {
					f(KindHeader, "%s is sent at version %s; the contract pages lists at 2.0 only", h, version)
				}
			}
			ch.order(read, list, f)
			break
		}
		n, err := strconv.Atoi(resp.header.Get("X-Total-Count"))
		if err != nil {
			f(KindHeader, "X-Total-Count is %q, not a count", resp.header.Get("X-Total-Count"))
			break
		}
		total = n
		link := resp.header.Get("Link")
		next = apiclient.LinkURL(link, "next")
		switch {
		case page == 1 && items >= total && link != "":
			f(KindDeviation, "a single page sends Link %q; the fake sends none", link)
		case items < total && next == "":
			f(KindHeader, "page %d holds %d of %d items but Link has no next page (%q)", page, items, total, link)
		}
		if page > 100000 {
			f(KindHeader, "more than 100000 pages: Link next never ends")
			break
		}
	}
	if total >= 0 && items != total {
		f(KindHeader, "the pages held %d items; X-Total-Count said %d", items, total)
	}
	return nil
}

// headers checks what every answer of the contract carries.
func (ch *checker) headers(read Read, resp response, f func(kind, format string, args ...any)) {
	ct := resp.header.Get("Content-Type")
	media, params, err := mime.ParseMediaType(ct)
	switch {
	case err != nil || media != "application/json":
		f(KindHeader, "Content-Type is %q, not application/json", ct)
	case len(params) > 0:
		// The published document keys this body by application/json;
		// version=<label>; the fake, like DRF's JSONRenderer, sends no
		// parameter. Naming the label tells a server that echoes the
		// document's label from one that echoes the version asked for.
		f(KindDeviation, "Content-Type is %q; the fake sends plain application/json, as DRF does (declared deviation %s; the published document labels this operation version=%s)",
			ct, DeviationUnlabelledContentType, ch.contract.versionLabel(read.Template))
	}
	if id := resp.header.Get("X-Request-Id"); !uuidPattern.MatchString(id) {
		f(KindHeader, "X-Request-Id is %q, not a UUID", id)
	}
}

// order checks a full (version 1.x) list against the order the README
// declares.
func (ch *checker) order(read Read, list []json.RawMessage, f func(kind, format string, args ...any)) {
	type keyed struct {
		name, id, created string
		num               float64
	}
	keys := make([]keyed, 0, len(list))
	for _, raw := range list {
		var v struct {
			ID        json.RawMessage `json:"id"`
			Name      string          `json:"name"`
			CreatedAt string          `json:"created_at"`
		}
		if json.Unmarshal(raw, &v) != nil {
			return
		}
		k := keyed{name: v.Name, id: string(v.ID), created: v.CreatedAt}
		k.num, _ = strconv.ParseFloat(string(v.ID), 64)
		keys = append(keys, k)
	}
	var less func(a, b keyed) int
	var rule string
	switch read.Operation {
	case "listOrganizations", "listGroups", "listCampaigns":
		less, rule = func(a, b keyed) int { return cmp.Or(cmp.Compare(a.name, b.name), cmp.Compare(a.id, b.id)) }, "by name"
	case "listMemberships":
		less, rule = func(a, b keyed) int { return cmp.Compare(a.num, b.num) }, "by id"
	case "listGroupMemberships", "listCampaignMembers":
		less, rule = func(a, b keyed) int { return cmp.Compare(a.created, b.created) }, "by creation"
	default:
		return
	}
	if !slices.IsSortedFunc(keys, less) {
		f(KindDeviation, "the list is not ordered %s, as the fake orders it", rule)
	}
}

// deviations probes the behaviours the README's deviations list declares
// and that a read can show.
func (ch *checker) deviations(ctx context.Context) error {
	f := func(op, path, format string, args ...any) {
		ch.add(Finding{Kind: KindDeviation, Operation: op, Path: path, Detail: fmt.Sprintf(format, args...)})
	}
	resp, err := ch.get(ctx, apiclient.Request{Path: "/api/me", NoRedirect: true})
	if err != nil {
		return err
	}
	if resp.status != http.StatusMovedPermanently || resp.header.Get("Location") != "/api/me/" {
		f("retrieveMe", "/api/me", "a path without its trailing slash answered %d with Location %q; the fake answers 301 to /api/me/ (declared deviation %s)",
			resp.status, resp.header.Get("Location"), DeviationAppendSlashRedirect)
	}
	resp, err = ch.get(ctx, apiclient.Request{Path: "/api/me/", NoToken: true})
	if err != nil {
		return err
	}
	if !anonymousMe(resp) {
		f("retrieveMe", "/api/me/", "no token answered %d %.200s; the fake answers 200 {\"flags\": []} (declared deviation %s)",
			resp.status, resp.body, DeviationAnonymousMeFlagsOnly)
	}
	resp, err = ch.get(ctx, apiclient.Request{Path: "/api/organizations/", NoToken: true})
	if err != nil {
		return err
	}
	if resp.status != http.StatusUnauthorized || resp.header.Get("WWW-Authenticate") != "Token" {
		f("listOrganizations", "/api/organizations/", "no token answered %d with WWW-Authenticate %q; the fake answers 401 with Token", resp.status, resp.header.Get("WWW-Authenticate"))
	}
	resp, err = ch.get(ctx, apiclient.Request{Path: "/api/me/", Version: "9.9"})
	if err != nil {
		return err
	}
	if resp.status != http.StatusNotAcceptable {
		f("retrieveMe", "/api/me/", "version 9.9 answered %d; the fake answers 406", resp.status)
	}
	resp, err = ch.get(ctx, apiclient.Request{Path: "/api/organizations/?page=99999", Version: "2.0"})
	if err != nil {
		return err
	}
	if detail := detailOf(resp.body); resp.status != http.StatusNotFound || detail != "Invalid page." {
		f("listOrganizations", "/api/organizations/?page=99999", "a page past the end answered %d %q; the fake answers 404 \"Invalid page.\"", resp.status, detail)
	}
	return nil
}

// anonymousMe says whether an answer is the anonymous Me the fake sends:
// 200 and exactly {"flags": []}.
func anonymousMe(resp response) bool {
	var v map[string]json.RawMessage
	if resp.status != http.StatusOK || json.Unmarshal(resp.body, &v) != nil || len(v) != 1 {
		return false
	}
	var flags []json.RawMessage
	return json.Unmarshal(v["flags"], &flags) == nil && flags != nil && len(flags) == 0
}

func detailOf(body []byte) string {
	var v struct {
		Detail string `json:"detail"`
	}
	_ = json.Unmarshal(body, &v)
	return v.Detail
}
