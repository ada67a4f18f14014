package client

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxErrorBody is how much of an error answer redactingTransport keeps.
const maxErrorBody = 1 << 20

// minRedact is the shortest key removed from texts; shorter ones would
// garble them and are no secret anyway.
const minRedact = 8

// redactingTransport removes the request's API key from the body of every
// error answer (status 400 and above), in case a server, or a proxy in
// front of it, echoes the Authorization header: the TAXII and /api/v1
// clients quote error answers, and no error message may show a key.
type redactingTransport struct {
	next http.RoundTripper
}

// RoundTrip sends req and redacts the key from an error answer's body.
func (t redactingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := t.next.RoundTrip(req)
	if err != nil || res.StatusCode < 400 {
		return res, err
	}
	key, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
	if !ok || len(key) < minRedact {
		return res, nil
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
	res.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("reading the error answer: %w", err)
	}
	b = bytes.ReplaceAll(b, []byte(key), []byte("[API key]"))
	res.Body = io.NopCloser(bytes.NewReader(b))
	res.ContentLength = int64(len(b))
	res.Header.Set("Content-Length", strconv.Itoa(len(b)))
	return res, nil
}

// Unwrap returns the transport under the redaction, for a caller that
// tunes it (the federation puller bounds its connections per peer).
func (t redactingTransport) Unwrap() http.RoundTripper { return t.next }
