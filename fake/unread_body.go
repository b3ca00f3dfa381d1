package fake

import (
	"io"
	"net/http"
)

// A request may declare a body and never send it. Answering it early (a
// 401, a 413) must not wait for that body: net/http, before it writes the
// head of a response whose request body was left unread, reads what is
// left of it (up to 256 KiB) to keep the connection, and a body that never
// comes holds the answer until the server's read timeout. So the fake reads
// nothing up front for a caller it does not know, and answers a request
// whose body it has not read to its end with "Connection: close", which
// makes net/http skip that read and close the connection after the answer.

// bodyWatch notes whether a request body was read to its end.
type bodyWatch struct {
	io.ReadCloser
	done bool
}

func (b *bodyWatch) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.done = true
	}
	return n, err
}

// watchBody starts watching r's body; nil when it declares none.
func watchBody(r *http.Request) *bodyWatch {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return nil
	}
	w := &bodyWatch{ReadCloser: r.Body}
	r.Body = w
	return w
}

// unread reports whether a body the request declared has not been read to
// its end (it may never come).
func (b *bodyWatch) unread() bool { return b != nil && !b.done }

// closeIfBodyUnread marks a response about to be written as the last on
// its connection when its request's body was not read to the end.
func closeIfBodyUnread(h http.Header, b *bodyWatch) {
	if b.unread() {
		h.Set("Connection", "close")
	}
}

// tapAPIBody starts the journal's record of an API request's body. For a
// caller whose token authenticates, the first 64 KiB are read at once (so
// that a request refused before its body is parsed, a 403, shows it in
// the journal); for anyone else, and for a body declared over the limit
// (a 413 without reading it), nothing is read up front: the journal shows
// what the handler read, and an anonymous client cannot hold a request
// open by not sending the body it declared. It reports whether it read.
func (s *Server) tapAPIBody(r *http.Request) (tap *bodyTap, readEarly bool) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, false
	}
	token := presentedToken(r)
	if r.ContentLength <= maxBodyBytes && token != "" && s.store.access(token, objectRef{}).authenticated {
		return tapBody(r), true
	}
	tap = &bodyTap{ReadCloser: r.Body}
	r.Body = tap
	return tap, false
}

// latency holds an API request for --latency (WithLatency). Like a fault's
// pause it reads the body first, so that a client that goes away is
// noticed, but only a body read up front already (tapAPIBody): another
// caller's may never come, and its 401 must not wait for it.
func (s *Server) latency(req *apiRequest) bool {
	d := s.toggles.nextLatency()
	if req.ex.unread.unread() && !req.ex.bodyReadEarly {
		return d <= 0 || s.wait(req.Context(), d, false)
	}
	return s.pause(req.Request, d)
}
