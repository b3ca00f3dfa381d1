package main

import (
	"bytes"
	"encoding/json"
	"net"
	"strconv"
	"strings"
)

// net/http answers a request it cannot parse (a NUL in a header, %ZZ in the
// path, headers past MaxHeaderBytes, an unknown Transfer-Encoding) itself,
// before any handler runs, in plain text. It writes each such answer to the
// connection in one Write, with exactly these headers after the status line;
// no handler's answer has them (net/http adds Date to those, and writes
// Connection before Content-Type). jsonErrorsListener turns them into the
// API's error shape, {"detail": "..."}, keeping the status.
const netHTTPErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// jsonErrorsListener wraps the connections of a listener so that
// net/http's own plain-text errors are written as JSON.
type jsonErrorsListener struct{ net.Listener }

func (l jsonErrorsListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return jsonErrorsConn{c}, nil
}

type jsonErrorsConn struct{ net.Conn }

func (c jsonErrorsConn) Write(p []byte) (int, error) {
	answer, ok := jsonNetHTTPError(p)
	if !ok {
		return c.Conn.Write(p)
	}
	if _, err := c.Conn.Write(answer); err != nil {
		return 0, err
	}
	return len(p), nil
}

// jsonNetHTTPError rewrites one of net/http's plain-text error answers as
// JSON, or reports that p is not one.
func jsonNetHTTPError(p []byte) ([]byte, bool) {
	statusLine, rest, ok := bytes.Cut(p, []byte("\r\n"))
	if !ok || !bytes.HasPrefix(statusLine, []byte("HTTP/1.1 ")) || !bytes.HasPrefix(p[len(statusLine):], []byte(netHTTPErrorHeaders)) {
		return nil, false
	}
	body := string(bytes.TrimPrefix(rest, []byte(netHTTPErrorHeaders[2:])))
	code, reason, _ := strings.Cut(string(statusLine[len("HTTP/1.1 "):]), " ")
	status, err := strconv.Atoi(code)
	if err != nil {
		return nil, false
	}
	reason, _, _ = strings.Cut(reason, ":") // "Bad Request: missing required Host header"
	detail := "Malformed request."          // DRF's ParseError
	switch {
	case status == 431:
		detail = "Request header fields too large."
	case status == 501:
		detail = "Unsupported transfer encoding."
	case strings.HasPrefix(body, code+" "+reason+": "):
		detail = "Malformed request: " + strings.TrimPrefix(body, code+" "+reason+": ") + "."
	}
	encoded, _ := json.Marshal(map[string]string{"detail": detail})
	var out bytes.Buffer
	out.WriteString("HTTP/1.1 " + code + " " + reason + "\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(encoded)) + "\r\nConnection: close\r\n\r\n")
	out.Write(encoded)
	return out.Bytes(), true
}
