package fake

import (
	"net/http/httptest"
	"net/url"
	"testing"
)

// TestPageURLsEncodeAsURLValues: the parameters on each side of page are
// written as url.Values.Encode writes them (the Link header's bytes).
func TestPageURLsEncodeAsURLValues(t *testing.T) {
	for _, raw := range []string{
		"",
		"page=2",
		"page_size=20",
		"page_size=20&page=3&q=ada",
		"q=a+b&q=%26c&role=1&groups=x,y&page=last&a%20b=%E2%9C%93",
		"z=1&a=2&page=2&pagf=3&pag=4&page_size=5&page=9",
		"=empty&novalue&page&x=%zz",
		"ü=ö&page=2&emoji=😀&semi=a;b",
	} {
		req := &apiRequest{Request: httptest.NewRequest("GET", "/api/x/?"+raw, nil)}
		before, after := url.Values{}, url.Values{}
		for name, values := range req.query() {
			switch {
			case name < "page":
				before[name] = values
			case name > "page":
				after[name] = values
			}
		}
		got := pageURLs(req)
		if got.before != before.Encode() || got.after != after.Encode() {
			t.Errorf("%q: before %q after %q, want %q and %q", raw, got.before, got.after, before.Encode(), after.Encode())
		}
		if got.prefix != "http://example.com/api/x/" {
			t.Errorf("%q: prefix %q", raw, got.prefix)
		}
	}
}
