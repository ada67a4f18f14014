package server

import (
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/vigie-cti/vigie"
)

// Limits bound what one client may take of the server. A zero field
// disables its limit; cmd/vigie sets the documented defaults.
type Limits struct {
	// BodyMinRate is the rate, in bytes a second, a request body must keep
	// up after BodyGrace: a body that falls behind is cut off, so that a
	// client trickling a body cannot hold a connection for minutes.
	BodyMinRate int64
	BodyGrace   time.Duration
	// ReadTimeout is the http.Server's: no body deadline goes past it.
	ReadTimeout time.Duration
	// AuthFailures is the number of failed authentications allowed per
	// minute per address and per key id; past it, requests with
	// credentials are answered 429 until the budget refills.
	AuthFailures int
	// WriteRate is the number of write requests (POST, PUT, PATCH, DELETE)
	// allowed per second per key and per address, with bursts of
	// WriteBurst.
	WriteRate  float64
	WriteBurst int
}

// limiter holds the state of the rate limits.
type limiter struct {
	authAddr, authKey   *buckets
	writeAddr, writeKey *buckets
}

func newLimiter(l Limits) *limiter {
	auth := float64(l.AuthFailures) / 60
	burst := l.WriteBurst
	if burst <= 0 {
		burst = int(2 * l.WriteRate)
	}
	return &limiter{
		authAddr: newBuckets(auth, l.AuthFailures), authKey: newBuckets(auth, l.AuthFailures),
		writeAddr: newBuckets(l.WriteRate, burst), writeKey: newBuckets(l.WriteRate, burst),
	}
}

// tooMany answers 429 with Retry-After (whole seconds, at least 1) and a
// TAXII error body.
func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration, what string) {
	secs := max(1, int64((wait+time.Second-1)/time.Second))
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	s.writeError(w, r, vigie.Errorf(vigie.ETOOMANY, "too many %s; retry in %d s", what, secs))
}

// limitAuthFailures refuses requests with credentials from an address that
// failed to authenticate too often (429), before checking them. The
// failures are counted by authenticate (authFailed).
func (s *Server) limitAuthFailures(next http.Handler) http.Handler {
	if s.limits.authAddr == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			next.ServeHTTP(w, r)
			return
		}
		if ok, wait := s.limits.authAddr.check(clientAddr(r), s.opts.Now()); !ok {
			s.tooMany(w, r, wait, "failed authentications from your address")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authFailed counts a failed authentication against the request's address
// and the key id the token names, if any. It returns false, with the wait,
// when that key id has failed too often: the request is then answered 429.
// The key's valid secret is never refused for that (its id is no secret:
// anyone could lock a member out), but guesses at it are slowed from every
// address at once.
func (s *Server) authFailed(r *http.Request, token string) (bool, time.Duration) {
	if s.limits.authAddr == nil {
		return true, 0
	}
	now := s.opts.Now()
	s.limits.authAddr.take(clientAddr(r), now)
	keyID, _, ok := vigie.SplitToken(token)
	if !ok || keyID == "" {
		return true, 0
	}
	return s.limits.authKey.take(keyID, now)
}

// limitWrites refuses write requests over the write rate of the caller's
// key or address (429). It runs after authentication.
func (s *Server) limitWrites(next http.Handler) http.Handler {
	if s.limits.writeAddr == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		now := s.opts.Now()
		if ok, wait := s.limits.writeAddr.take(clientAddr(r), now); !ok {
			s.tooMany(w, r, wait, "writes from your address")
			return
		}
		if p := principal(r); p.KeyID != "" {
			if ok, wait := s.limits.writeKey.take(p.KeyID, now); !ok {
				s.tooMany(w, r, wait, "writes with this key")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status a handler answered. It passes
// Flush through and unwraps for http.ResponseController.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// limitBody makes request bodies keep up BodyMinRate after BodyGrace: each
// read of the body gets a connection read deadline by which the bytes read
// so far were due, never past ReadTimeout.
func (s *Server) limitBody(next http.Handler) http.Handler {
	l := s.opts.Limits
	if l.BodyMinRate <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
			start := time.Now() // deadlines are on the wall clock
			rb := &rateBody{body: r.Body, rc: http.NewResponseController(w), start: start, rate: l.BodyMinRate, grace: l.BodyGrace}
			if l.ReadTimeout > 0 {
				rb.hard = start.Add(l.ReadTimeout)
			}
			r.Body = rb
		}
		next.ServeHTTP(w, r)
	})
}

// rateBody is a request body that must arrive at a minimum rate.
type rateBody struct {
	body  io.ReadCloser
	rc    *http.ResponseController
	start time.Time
	hard  time.Time // the server's whole-request deadline (zero: none)
	rate  int64
	grace time.Duration
	n     int64
	off   bool // the connection does not support deadlines
}

func (b *rateBody) Read(p []byte) (int, error) {
	if !b.off {
		due := b.start.Add(b.grace + time.Duration(float64(b.n)/float64(b.rate)*float64(time.Second)))
		if !b.hard.IsZero() && due.After(b.hard) {
			due = b.hard
		}
		if err := b.rc.SetReadDeadline(due); err != nil {
			b.off = true
		}
	}
	n, err := b.body.Read(p)
	b.n += int64(n)
	if err == io.EOF && !b.off {
		// The server reads on in the background once the body is read:
		// give it back its own deadline, or it would cancel the request.
		b.rc.SetReadDeadline(b.hard)
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		err = vigie.Errorf(vigie.EINVALID, "request body slower than %d bytes/s; send it faster or in smaller parts", b.rate)
	}
	return n, err
}

func (b *rateBody) Close() error { return b.body.Close() }
