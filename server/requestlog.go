package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"

	"github.com/vigie-cti/vigie"
)

// RequestIDHeader carries the id of a request in its answer; the request's
// log line has the same id, so that a user's report leads to it.
const RequestIDHeader = "X-Request-Id"

// request is what the server knows of one request beyond net/http's: its
// id, who makes it, and the route that served it. logRequests creates it,
// authenticate fills the principal, the endpoint wrappers the route.
type request struct {
	id        string
	principal vigie.Principal
	route     string
}

type requestKey struct{}

// requestOf returns the request record of r (an empty one outside
// logRequests, as in tests that call a handler directly).
func requestOf(r *http.Request) *request {
	if rq, ok := r.Context().Value(requestKey{}).(*request); ok {
		return rq
	}
	return &request{}
}

// logRequests gives each request an id (answered in X-Request-Id) and
// writes one log line when it ends: id, method, route, status, duration,
// size, source address, and the organisation and key id of the caller.
// Never the key: the Authorization header is not logged, nor the query.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.opts.Now()
		var b [8]byte
		rand.Read(b[:])
		rq := &request{id: hex.EncodeToString(b[:])}
		w.Header().Set(RequestIDHeader, rq.id)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), requestKey{}, rq)))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		took := s.opts.Now().Sub(start)
		s.opts.Metrics.ObserveRequest(rq.route, sw.status, took) // the pattern, never the path
		route := rq.route
		if route == "" {
			route = r.Method + " " + r.URL.Path
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("id", rq.id),
			slog.String("method", r.Method),
			slog.String("route", route),
			slog.Int("status", sw.status),
			slog.Duration("duration", took),
			slog.Int64("bytes", sw.bytes),
			slog.String("addr", remoteAddr(r)),
			slog.String("org", rq.principal.OrgID),
			slog.String("key_id", rq.principal.KeyID))
	})
}

// remoteAddr is the address of the client (without its port).
func remoteAddr(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// statusWriter remembers the status and size of an answer. It passes
// Flush through (for the live alert stream) and unwraps for
// http.ResponseController.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Flush sends buffered data to the client.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap returns the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
