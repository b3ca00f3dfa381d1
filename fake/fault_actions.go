package fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"

	"github.com/pixiebrix-fake/pixiebrix-fake/fake/internal/drf"
)

func setHeaders(h http.Header, headers map[string]string) {
	for name, value := range headers {
		h.Set(name, value)
	}
}

// faultDetails are DRF's texts for the statuses a fault is most likely to
// answer; other statuses get their HTTP reason phrase.
var faultDetails = map[int]string{
	http.StatusBadRequest:          "Malformed request.",
	http.StatusUnauthorized:        detailNotAuthenticated,
	http.StatusForbidden:           detailForbidden,
	http.StatusNotFound:            detailNotFound,
	http.StatusTooManyRequests:     drf.Throttled,
	http.StatusInternalServerError: detailInternal,
	http.StatusBadGateway:          "Bad gateway.",
	http.StatusServiceUnavailable:  "Service temporarily unavailable, try again later.",
	http.StatusGatewayTimeout:      "Gateway timeout.",
}

func faultDetail(status int) string {
	if detail, ok := faultDetails[status]; ok {
		return detail
	}
	return http.StatusText(status) + "."
}

// bodyAllowed reports whether a response of this status may have a body.
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

func writeFaultStatus(w http.ResponseWriter, f *FaultRule) {
	if !bodyAllowed(f.Status) {
		setHeaders(w.Header(), f.Headers)
		w.WriteHeader(f.Status)
		return
	}
	body := []byte(f.Body)
	if f.Body == "" {
		body, _ = json.Marshal(map[string]string{"detail": faultDetail(f.Status)})
	}
	w.Header().Set("Content-Type", "application/json")
	setHeaders(w.Header(), f.Headers)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(f.Status)
	_, _ = w.Write(body)
}

// writeMalformed answers with the handler's status and a body that is not
// valid JSON, under Content-Type application/json.
func writeMalformed(w http.ResponseWriter, buf *bufferedResponse, f *FaultRule) {
	status := buf.statusCode()
	if f.Status != 0 {
		status = f.Status
	}
	if !bodyAllowed(status) {
		status = http.StatusOK
	}
	body := []byte(f.Body)
	if f.Body == "" {
		body = malformedBody(buf.body.Bytes())
	}
	h := w.Header()
	for name, values := range buf.header {
		h[name] = values
	}
	h.Set("Content-Type", "application/json")
	setHeaders(h, f.Headers)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// malformedBody is the first half of a JSON body, which no JSON parser
// accepts.
func malformedBody(body []byte) []byte {
	cut := slices.Clone(body[:len(body)/2])
	if len(bytes.TrimSpace(cut)) == 0 {
		return []byte(`{"detail": `)
	}
	if json.Valid(cut) {
		cut = append(cut, '}')
	}
	return cut
}

// writeTruncated sends the head of the handler's response with the full
// Content-Length, then half of the body, then closes the connection. A
// response with no body is cut inside its head.
func writeTruncated(w http.ResponseWriter, req *apiRequest, buf *bufferedResponse, f *FaultRule) {
	status := buf.statusCode()
	if f.Status != 0 {
		status = f.Status
	}
	body := buf.body.Bytes()
	if f.Body != "" {
		body = []byte(f.Body)
	}
	header := buf.header.Clone()
	setHeaders(header, f.Headers)
	header.Set("Content-Length", strconv.Itoa(len(body)))
	header.Set("Connection", "close")
	req.ex.status = status
	conn, err := hijack(w, req)
	if err != nil {
		// No connection of our own (HTTP/2, a recorder): send what fits the
		// writer, then abort the stream.
		for name, values := range header {
			w.Header()[name] = values
		}
		w.Header().Del("Connection")
		w.WriteHeader(status)
		_, _ = w.Write(body[:len(body)/2])
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	var head bytes.Buffer
	fmt.Fprintf(&head, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	_ = header.Write(&head)
	head.WriteString("\r\n")
	out := head.Bytes()
	if len(body) > 0 {
		out = append(out, body[:len(body)/2]...)
	} else {
		out = out[:len(out)/2]
	}
	_, _ = conn.Write(out)
}

// bufferedResponse holds a handler's response so that a fault can damage it.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBufferedResponse(h http.Header) *bufferedResponse {
	return &bufferedResponse{header: h.Clone()}
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

func (b *bufferedResponse) statusCode() int {
	if b.status == 0 {
		return http.StatusOK
	}
	return b.status
}

// --- the connection ---

// readCloser is a request body rebuilt from parts.
type readCloser struct {
	io.Reader
	io.Closer
}

func readAtMost(r io.Reader, n int64) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r, n))
}

// hijack takes the request's connection over from net/http.
// The exchange is journaled first, before the client can notice anything.
func hijack(w http.ResponseWriter, req *apiRequest) (net.Conn, error) {
	req.ex.hijacked = true
	req.ex.record()
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, err
	}
	return conn, nil
}

// dropConnection closes the connection without an answer (FIN). The body is
// read first, because closing a socket with unread data sends a reset.
// Without a connection of its own, it aborts the response.
func dropConnection(w http.ResponseWriter, req *apiRequest) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(req.Body, maxBodyBytes))
	}
	conn, err := hijack(w, req)
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// resetConnection aborts the connection with a TCP reset: closing with a
// zero linger discards what is unsent and answers RST.
func resetConnection(w http.ResponseWriter, req *apiRequest) {
	conn, err := hijack(w, req)
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp := tcpConn(conn); tcp != nil {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// tcpConn finds the TCP connection under c (under TLS, for example).
func tcpConn(c net.Conn) *net.TCPConn {
	for {
		switch v := c.(type) {
		case *net.TCPConn:
			return v
		case interface{ NetConn() net.Conn }:
			c = v.NetConn()
		default:
			return nil
		}
	}
}
