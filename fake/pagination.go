package fake

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// pageRequestOf reads page and page_size. Lists are paginated only at
// version 2.0; before that a list is the whole list.
func (s *Server) pageRequestOf(req *apiRequest) (pageRequest, error) {
	if req.version != "2.0" {
		return pageRequest{}, nil
	}
	query := req.query()
	p := pageRequest{number: 1, size: s.pageSize}
	if raw := queryValue(query, "page_size"); raw != "" {
		// A bad page_size falls back to the default; a large one is clamped.
		if n, err := strconv.Atoi(raw); err == nil && n > 0 {
			p.size = min(n, MaxPageSize)
		}
	}
	switch raw := queryValue(query, "page"); raw {
	case "":
	case "last":
		p.number = 0
	default:
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return pageRequest{}, errInvalidPage()
		}
		p.number = n
	}
	return p, nil
}

// queryValue reads a query parameter as Django's QueryDict.get does: a
// repeated parameter counts with its last value.
func queryValue(query url.Values, key string) string {
	if values := query[key]; len(values) > 0 {
		return values[len(values)-1]
	}
	return ""
}

// serveList answers a list request: the page that page and page_size ask
// for (pageRequestOf), as find reads it from the store, written by
// writeList.
func serveList[T any](s *Server, w http.ResponseWriter, req *apiRequest, find func(pageRequest) ([]T, pageResult, error)) error {
	p, err := s.pageRequestOf(req)
	if err != nil {
		return err
	}
	items, res, err := find(p)
	if err != nil {
		return err
	}
	writeList(w, req, items, res)
	return nil
}

// writeList writes one page of a list with the pagination headers of
// version 2.0: X-Total-Count, and a Link with absolute URLs that keep the
// other query parameters.
func writeList[T any](w http.ResponseWriter, req *apiRequest, items []T, res pageResult) {
	if req.version == "2.0" {
		h := w.Header()
		h["X-Total-Count"] = []string{strconv.Itoa(res.total)}
		if link := linkHeader(req, res); link != "" {
			h["Link"] = []string{link}
		}
	}
	writeJSON(w, http.StatusOK, items)
}

func linkHeader(req *apiRequest, res pageResult) string {
	if res.number <= 1 && res.number >= res.last {
		return ""
	}
	pages := pageURLs(req)
	var b strings.Builder
	b.Grow(4 * (len(pages.prefix) + len(pages.before) + len(pages.after) + len(`<?&page=999>; rel="first", `)))
	add := func(rel string, page int) {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('<')
		pages.write(&b, page)
		b.WriteString(`>; rel="`)
		b.WriteString(rel)
		b.WriteByte('"')
	}
	if res.number > 1 {
		add("first", 1)
		add("prev", res.number-1)
	}
	if res.number < res.last {
		add("next", res.number+1)
		add("last", res.last)
	}
	return b.String()
}

// pageLinks builds the request's absolute URL at other pages: page 1 carries
// no page parameter, and the other parameters keep their order (url.Values'
// Encode sorts them by name, so the ones before "page" and after it are
// encoded once).
type pageLinks struct {
	prefix        string // scheme, host and path
	before, after string // the encoded parameters named before and after "page"
}

func pageURLs(req *apiRequest) pageLinks {
	scheme := "http"
	if req.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: req.Host, Path: req.URL.Path}
	query := req.query()
	names := make([]string, 0, len(query))
	for name := range query {
		if name != "page" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	// What url.Values.Encode writes of the parameters on each side of page.
	var before, after strings.Builder
	for _, name := range names {
		b := &before
		if name > "page" {
			b = &after
		}
		for _, value := range query[name] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(name))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(value))
		}
	}
	return pageLinks{prefix: u.String(), before: before.String(), after: after.String()}
}

func (l pageLinks) write(b *strings.Builder, page int) {
	b.WriteString(l.prefix)
	sep := byte('?')
	for _, part := range [3]string{l.before, pageParam(page), l.after} {
		if part != "" {
			b.WriteByte(sep)
			b.WriteString(part)
			sep = '&'
		}
	}
}

func pageParam(page int) string {
	if page > 1 {
		return "page=" + strconv.Itoa(page)
	}
	return ""
}
