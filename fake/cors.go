package fake

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// WithCORS lets pages on the given origins ("http://localhost:3000", scheme,
// host and port as a browser sends them) call the server from a browser; "*"
// lets any origin. Preflight requests (OPTIONS with
// Access-Control-Request-Method) from those origins are answered 204 before
// authentication, faults or the journal, on the API and the control plane
// alike; every other answer to them, errors included, carries
// Access-Control-Allow-Origin and exposes the headers clients read (Link,
// X-Total-Count, X-Request-Id, Retry-After, ...). Requests from other
// origins get no CORS headers, so that the browser refuses them. Without
// WithCORS (or with no origins), CORS is off. Credentials (cookies) are
// never allowed: the API authenticates with a header, not a cookie.
func WithCORS(origins ...string) Option {
	return func(c *config) { c.corsOrigins = append(c.corsOrigins, origins...) }
}

// corsAllowMethods are the methods a preflight allows: every method a route
// serves.
const corsAllowMethods = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"

// corsAllowHeaders are the request headers a preflight always allows: the
// token, JSON bodies, the versioned Accept, the one-off fault header and the
// control-plane token it needs when there is one (FaultTokenHeader).
var corsAllowHeaders = []string{"Authorization", "Content-Type", "Accept", FaultHeader, FaultTokenHeader}

// corsExposeHeaders are the response headers a page may read besides the
// CORS-safelisted ones: pagination, the request id, throttling, created
// resources, 405's Allow, 401's WWW-Authenticate and strict mode's verdict.
const corsExposeHeaders = "Link, X-Total-Count, X-Request-Id, Retry-After, Location, Allow, WWW-Authenticate, X-Fake-Validation"

// corsMaxAge is how long, in seconds, a browser may reuse a preflight's
// answer; short, because a fake is restarted with other flags often.
const corsMaxAge = "600"

// corsPolicy is the server's answer to browsers' cross-origin checks; nil
// when CORS is off.
type corsPolicy struct {
	anyOrigin bool
	origins   map[string]bool // lower-cased "scheme://host[:port]"
}

// newCORSPolicy checks the origins of WithCORS; none turns CORS off.
func newCORSPolicy(origins []string) (*corsPolicy, error) {
	if len(origins) == 0 {
		return nil, nil
	}
	p := &corsPolicy{origins: map[string]bool{}}
	for _, origin := range origins {
		origin = strings.TrimSpace(origin)
		if origin == "*" {
			p.anyOrigin = true
			continue
		}
		canonical, err := canonicalOrigin(origin)
		if err != nil {
			return nil, fmt.Errorf("CORS origin %q: %w", origin, err)
		}
		p.origins[canonical] = true
	}
	return p, nil
}

// canonicalOrigin turns an origin as a user writes it (any case, perhaps
// with a trailing slash) into the form browsers send in Origin.
func canonicalOrigin(origin string) (string, error) {
	const want = `use scheme://host[:port], such as http://localhost:3000, or * for any origin`
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%s", want)
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

// handle adds the CORS headers an allowed origin needs to w, and answers a
// preflight itself; it reports whether it did. It runs before anything else
// writes a header, so that every answer, errors and faults included, keeps
// them.
func (p *corsPolicy) handle(w http.ResponseWriter, r *http.Request) (answered bool) {
	if p == nil {
		return false
	}
	h := w.Header()
	if !p.anyOrigin {
		// The answer depends on Origin: caches must not serve one origin's
		// answer to another.
		h.Add("Vary", "Origin")
	}
	origin := r.Header.Get("Origin")
	if origin == "" || !p.anyOrigin && !p.origins[strings.ToLower(origin)] {
		return false
	}
	if p.anyOrigin {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
	}
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		return false
	}
	h.Add("Vary", "Access-Control-Request-Method")
	h.Add("Vary", "Access-Control-Request-Headers")
	h.Set("Access-Control-Allow-Methods", corsAllowMethods)
	h.Set("Access-Control-Allow-Headers", corsRequestHeaders(r.Header.Values("Access-Control-Request-Headers")))
	h.Set("Access-Control-Max-Age", corsMaxAge)
	w.WriteHeader(http.StatusNoContent)
	return true
}

// corsRequestHeaders allows the usual headers and whatever else the page
// asked for: a fake has no header it needs to keep from a page, and a
// client library that adds its own header should not fail on a preflight.
func corsRequestHeaders(requested []string) string {
	allowed := append([]string(nil), corsAllowHeaders...)
	seen := map[string]bool{}
	for _, name := range allowed {
		seen[strings.ToLower(name)] = true
	}
	for _, line := range requested {
		for name := range strings.SplitSeq(line, ",") {
			// Only header names are echoed back: nothing else can get into
			// the answer.
			name = strings.TrimSpace(name)
			if validHeaderName(name) && !seen[strings.ToLower(name)] {
				seen[strings.ToLower(name)] = true
				allowed = append(allowed, name)
			}
		}
	}
	return strings.Join(allowed, ", ")
}
