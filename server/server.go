// Package server is the hub's HTTP side: the TAXII 2.1 endpoints and the
// /api/v1 API, authentication, and the one table that maps error codes to
// HTTP statuses. All routes are in routes.go.
package server

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/metrics"
)

// Options describe the server as TAXII discovery shows it.
type Options struct {
	Title       string
	Description string
	Contact     string
	DefaultRoot string       // the API root named as "default" in discovery
	Logger      *slog.Logger // one line per request (requestlog.go), and internal errors
	Now         func() time.Time
	// PublicURL is the scheme, host and port clients reach the hub at
	// (https://hub.example:8443), used in discovery's URLs; when empty
	// they are absolute paths (/root/). The Host header is never used.
	PublicURL string
	Limits    Limits // per-client limits (limits.go)
	// Metrics, if set, counts requests and is served at GET /metrics to
	// operator keys (api_metrics.go).
	Metrics *metrics.Metrics
	// Dashboard, if set, adds the web dashboard's pages (package web) to
	// the routes, beside TAXII and /api/v1.
	Dashboard interface{ Register(*http.ServeMux) }
}

// Server serves the hub over HTTP. Handler is safe for concurrent use.
type Server struct {
	hub  *hub.Hub
	opts Options
	log  *slog.Logger
	mux  *http.ServeMux

	limits *limiter
}

// New returns a server for h.
func New(h *hub.Hub, opts Options) *Server {
	if opts.Title == "" {
		opts.Title = "vigie hub"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{hub: h, opts: opts, log: opts.Logger, mux: http.NewServeMux(), limits: newLimiter(opts.Limits)}
	s.routes()
	return s
}

// Handler returns the server's root handler: the request log, the body
// rate limit, the limit on failed authentications, authentication, the
// write rate limit, then routing.
func (s *Server) Handler() http.Handler {
	return s.logRequests(s.limitBody(s.limitAuthFailures(s.authenticate(s.limitWrites(s.mux)))))
}
