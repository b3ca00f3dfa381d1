package fake

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// pageRequestOf reads page and page_size. Lists are paginated only at
// version 2.0; before that a list is the whole list.
func (s *Server) pageRequestOf(req *apiRequest) (pageRequest, error) {
	if req.version != "2.0" {
		return pageRequest{}, nil
	}
	query := req.URL.Query()
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

// writeList writes one page of a list with the pagination headers of
// version 2.0: X-Total-Count, and a Link with absolute URLs that keep the
// other query parameters.
func writeList[T any](w http.ResponseWriter, req *apiRequest, items []T, res pageResult) {
	if req.version == "2.0" {
		w.Header().Set("X-Total-Count", strconv.Itoa(res.total))
		if link := linkHeader(req.Request, res); link != "" {
			w.Header().Set("Link", link)
		}
	}
	writeJSON(w, http.StatusOK, items)
}

func linkHeader(r *http.Request, res pageResult) string {
	var links []string
	add := func(rel string, page int) {
		links = append(links, fmt.Sprintf("<%s>; rel=%q", pageURL(r, page), rel))
	}
	if res.number > 1 {
		add("first", 1)
		add("prev", res.number-1)
	}
	if res.number < res.last {
		add("next", res.number+1)
		add("last", res.last)
	}
	return strings.Join(links, ", ")
}

// pageURL is the request's absolute URL at another page; page 1 carries no
// page parameter.
func pageURL(r *http.Request, page int) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	query := r.URL.Query()
	query.Del("page")
	if page > 1 {
		query.Set("page", strconv.Itoa(page))
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: query.Encode()}
	return u.String()
}
