// Package apiclient talks to a PixieBrix Team Management API (the real one or
// the fake) over HTTP only: versions through the Accept header, pages through
// Link, 429 through Retry-After and 5xx through bounded retries. The record
// and check commands share it, so they know nothing of the fake's insides.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client calls one server with one token. The token goes into the
// Authorization header and nowhere else: no error, log line or output of
// this package holds it.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
	// Retries is how many times a GET that answered 5xx or could not be sent
	// is tried again, with a doubling pause from RetryPause.
	Retries    int
	RetryPause time.Duration
	// MaxRetryAfter bounds how long one 429's Retry-After is obeyed.
	MaxRetryAfter time.Duration
	// Sleep waits; tests may replace it. It returns early with ctx's error.
	Sleep func(ctx context.Context, d time.Duration) error

	// reached is set once the server has answered: before that, a request
	// that cannot be sent is a wrong URL, not worth retrying.
	reached bool
}

// New returns a client of the API at baseURL (scheme and host, and a path
// prefix if the API lives under one).
func New(baseURL, token string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the URL %q is not an http:// or https:// address", baseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawQuery, u.Fragment = "", ""
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Minute}
	}
	return &Client{
		base: u, token: token, http: hc,
		Retries: 4, RetryPause: 500 * time.Millisecond, MaxRetryAfter: 2 * time.Minute,
		Sleep: sleep,
	}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Base is the server's base URL, without a trailing slash.
func (c *Client) Base() string { return c.base.String() }

// URL makes an absolute URL of an API path (/api/me/). An absolute URL (a
// Link header's) keeps its path and query but gets the base URL's scheme
// and host: the token is never sent to a host the user did not name, even
// if a proxy's Link names another.
func (c *Client) URL(path string) string {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		if u, err := url.Parse(path); err == nil {
			return c.base.Scheme + "://" + c.base.Host + u.RequestURI()
		}
	}
	return c.base.String() + path
}

// Request is one API call.
type Request struct {
	Method  string // GET when empty
	Path    string // an API path with its query, or an absolute URL (a Link)
	Version string // the Accept header's version; none when empty
	Body    []byte // JSON, or nil
	// NoToken sends no Authorization header.
	NoToken bool
	// NoRedirect returns a 3xx as it is instead of following it.
	NoRedirect bool
}

// StatusError is an answer the caller did not expect.
type StatusError struct {
	Method, URL string
	Status      int
	Detail      string // the body's "detail", or its start
}

func (e *StatusError) Error() string {
	what := fmt.Sprintf("%s %s answered %d", e.Method, e.URL, e.Status)
	switch e.Status {
	case http.StatusUnauthorized:
		what += " (the server refused the token: check --token or PIXIEBRIX_TOKEN)"
	case http.StatusNotAcceptable:
		what += " (the server refuses this API version)"
	case http.StatusNotFound:
		what += " (not found: is --url the API's base URL?)"
	case http.StatusForbidden:
		what += " (the token's role may not read this)"
	}
	if e.Detail != "" {
		what += ": " + e.Detail
	}
	return what
}

// Do sends a request and returns the response, whose body the caller must
// close. A 429 is waited out (Retry-After) and tried again, whatever the
// method: the server did nothing. A GET that answered 5xx or could not be
// sent is tried again up to Retries times. Other statuses are returned as
// they are.
func (c *Client) Do(ctx context.Context, r Request) (*http.Response, error) {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	target := c.URL(r.Path)
	pause := c.RetryPause
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(r.Body))
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", method, target, err)
		}
		if r.Body == nil {
			req.Body, req.ContentLength = http.NoBody, 0
		} else {
			req.Header.Set("Content-Type", "application/json")
		}
		accept := "application/json"
		if r.Version != "" {
			accept += "; version=" + r.Version
		}
		req.Header.Set("Accept", accept)
		if !r.NoToken && c.token != "" {
			req.Header.Set("Authorization", "Token "+c.token)
		}
		hc := c.http
		if r.NoRedirect {
			copied := *hc
			copied.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			hc = &copied
		}
		resp, err := hc.Do(req)
		retryable := method == http.MethodGet || method == http.MethodHead
		if err != nil {
			if ctx.Err() != nil || !retryable || !c.reached || attempt >= c.Retries {
				return nil, fmt.Errorf("%s %s: cannot reach the server: %w", method, target, unwrapURLError(err))
			}
		} else {
			c.reached = true
			switch {
			case resp.StatusCode == http.StatusTooManyRequests && attempt < c.Retries+8:
				wait := retryAfter(resp.Header.Get("Retry-After"), pause)
				drain(resp)
				if wait > c.MaxRetryAfter {
					return nil, fmt.Errorf("%s %s answered 429 and asks to wait %s, longer than %s", method, target, wait, c.MaxRetryAfter)
				}
				if err := c.Sleep(ctx, wait); err != nil {
					return nil, err
				}
				continue
			case resp.StatusCode >= 500 && retryable && attempt < c.Retries:
				drain(resp)
			default:
				return resp, nil
			}
		}
		if err := c.Sleep(ctx, pause); err != nil {
			return nil, err
		}
		pause *= 2
	}
}

// unwrapURLError keeps the cause of a url.Error: its message repeats the
// method and URL, which the caller's message already names.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// retryAfter reads Retry-After in seconds or as an HTTP date.
func retryAfter(value string, fallback time.Duration) time.Duration {
	if n, err := strconv.Atoi(strings.TrimSpace(value)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(value); err == nil {
		return max(time.Until(t), 0)
	}
	return fallback
}

// drain reads a little of a body that is not needed, so that the connection
// can be reused, and closes it.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// Expect turns any status other than want into a StatusError (closing the
// body).
func Expect(resp *http.Response, want int) error {
	if resp.StatusCode == want {
		return nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	detail := strings.TrimSpace(string(raw))
	var body struct {
		Detail string `json:"detail"`
	}
	if json.Unmarshal(raw, &body) == nil && body.Detail != "" {
		detail = body.Detail
	}
	if len(detail) > 200 {
		detail = detail[:200] + "…"
	}
	return &StatusError{Method: resp.Request.Method, URL: resp.Request.URL.String(), Status: resp.StatusCode, Detail: detail}
}

// GetJSON reads one JSON document into v, expecting 200.
func (c *Client) GetJSON(ctx context.Context, path, version string, v any) error {
	resp, err := c.Do(ctx, Request{Path: path, Version: version})
	if err != nil {
		return err
	}
	if err := Expect(resp, http.StatusOK); err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := checkJSON(resp); err != nil {
		return err
	}
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("GET %s: the body is not the JSON expected: %w", resp.Request.URL, err)
	}
	return nil
}

func checkJSON(resp *http.Response) error {
	ct := resp.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "application/json") && !strings.Contains(ct, "+json") {
		return fmt.Errorf("%s %s answered %q, not JSON: is --url the API's base URL?", resp.Request.Method, resp.Request.URL, ct)
	}
	return nil
}

// Page is one page of a list, as the server announced it.
type Page struct {
	Number int // 1-based
	Total  int // X-Total-Count, or -1 when absent
	Items  int // the items read so far, this page included
}

// Each reads every item of a list at version 2.0, page by page, following
// the Link header's next URL, and calls fn with each item as raw JSON. Only
// one page is held at a time, and only one item of it decoded. progress, if
// not nil, is called after each page.
func (c *Client) Each(ctx context.Context, path string, pageSize int, fn func(json.RawMessage) error, progress func(Page)) error {
	next := path
	if pageSize > 0 {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		next += sep + "page_size=" + strconv.Itoa(pageSize)
	}
	var p Page
	for next != "" {
		resp, err := c.Do(ctx, Request{Path: next, Version: "2.0"})
		if err != nil {
			return err
		}
		if err := Expect(resp, http.StatusOK); err != nil {
			return err
		}
		p.Number++
		p.Total = -1
		if n, err := strconv.Atoi(resp.Header.Get("X-Total-Count")); err == nil {
			p.Total = n
		}
		link := resp.Header.Get("Link")
		err = checkJSON(resp)
		if err == nil {
			err = StreamArray(resp.Body, func(item json.RawMessage) error {
				p.Items++
				return fn(item)
			})
		}
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("GET %s: %w", resp.Request.URL, err)
		}
		if progress != nil {
			progress(p)
		}
		next = LinkURL(link, "next")
	}
	if p.Total >= 0 && p.Items != p.Total {
		return &CountError{URL: c.URL(path), Items: p.Items, Total: p.Total}
	}
	return nil
}

// CountError says that a list's pages held another number of items than
// its X-Total-Count announced.
type CountError struct {
	URL          string
	Items, Total int
}

func (e *CountError) Error() string {
	return fmt.Sprintf("GET %s: the pages held %d items but X-Total-Count said %d (did the data change while it was read?)", e.URL, e.Items, e.Total)
}

// StreamArray decodes a JSON array one element at a time.
func StreamArray(r io.Reader, fn func(json.RawMessage) error) error {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("the body is not JSON: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("the body is not a JSON array")
	}
	for dec.More() {
		var item json.RawMessage
		if err := dec.Decode(&item); err != nil {
			return fmt.Errorf("the body is not JSON: %w", err)
		}
		if err := fn(item); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("the body is not JSON: %w", err)
	}
	return nil
}

// LinkURL returns the URL of the Link header's entry with relation rel, or "".
func LinkURL(header, rel string) string {
	for _, part := range strings.Split(header, ",") {
		target, params, ok := strings.Cut(strings.TrimSpace(part), ";")
		if !ok {
			continue
		}
		target = strings.TrimSpace(target)
		if !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
			continue
		}
		for _, param := range strings.Split(params, ";") {
			key, value, _ := strings.Cut(strings.TrimSpace(param), "=")
			if strings.EqualFold(key, "rel") && strings.Trim(value, `"`) == rel {
				return target[1 : len(target)-1]
			}
		}
	}
	return ""
}
