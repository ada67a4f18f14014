package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/alert"
	"github.com/vigie-cti/vigie/federation"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/metrics"
	"github.com/vigie-cti/vigie/netguard"
	"github.com/vigie-cti/vigie/server"
	"github.com/vigie-cti/vigie/web"
)

const serveHelp = `Run the hub: the TAXII 2.1 server (discovery at /taxii2/), the API (/api/v1/)
and the web dashboard (/; people sign in with "vigie admin user add" links).

HTTPS by default, with --cert/--key, or with a self-signed certificate
created in the data directory on first start (its SHA-256 fingerprint is
printed, for clients to pin). --http serves plain HTTP, for use behind a
reverse proxy that terminates TLS, or on loopback.

Example:
  vigie serve --data ./vigie-data --addr 0.0.0.0:8443
  vigie serve --data ./vigie-data --addr 127.0.0.1:8080 --http`

func runServe(ctx context.Context, stdio Stdio, args []string) error {
	m := newServeMain(stdio)
	if err := m.ParseFlags(args); err != nil {
		return err
	}
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	<-ctx.Done()
	fmt.Fprintln(stdio.Err, "vigie: shutting down")
	return m.Close()
}

// serveMain is the hub process: ParseFlags, Run, then Close.
type serveMain struct {
	stdio Stdio

	DataDir     string
	DB          string
	Addr        string
	PlainHTTP   bool
	CertFile    string
	KeyFile     string
	DefaultTLP  string
	Title       string
	DefaultRoot string
	// Early warning.
	EarlyWarning      bool
	WebhookAllow      string
	WebhookDeny       string
	SightingThreshold int
	SightingWindow    time.Duration
	// Exposure to clients.
	PublicURL         string
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	BodyMinRate       int64
	BodyGrace         time.Duration
	MaxConns          int
	MaxConnsPerIP     int
	AuthFailures      int
	WriteRate         float64
	WriteBurst        int
	LogFormat         string // text or json
	MaxClockSkew      time.Duration
	MetricsAddr       string // serves /metrics without a key (metrics.go)
	Federation        bool   // pull from the peers of "vigie admin peer add"
	MaxSampleSize     int64
	OIDC              oidcFlags // serve_oidc.go

	store   hubStore
	hub     *hub.Hub
	logger  *slog.Logger
	handler http.Handler
	http    *http.Server
	ln      net.Listener
	url     string // the base URL clients use, e.g. https://127.0.0.1:8443
	cancel  context.CancelFunc
	jobs    sync.WaitGroup // background jobs: engine, dispatcher, housekeeping
	metrics *metrics.Metrics
	mhttp   *http.Server // on MetricsAddr
}

func newServeMain(stdio Stdio) *serveMain {
	return &serveMain{stdio: stdio, DataDir: defaultDataDir, Addr: "127.0.0.1:8443", DefaultTLP: "GREEN", Title: "vigie hub", EarlyWarning: true,
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute, BodyMinRate: 1024, BodyGrace: 10 * time.Second,
		MaxConns: 4096, MaxConnsPerIP: 128, AuthFailures: 20, WriteRate: 50, WriteBurst: 100, LogFormat: "text", Federation: true}
}

// ParseFlags reads the command line.
func (m *serveMain) ParseFlags(args []string) error {
	fs := newFlagSet(m.stdio, "serve", "vigie serve --data DIR [--db URL] --addr HOST:PORT [--http]", serveHelp)
	fs.StringVar(&m.DataDir, "data", m.DataDir, "data directory (database, TLS certificate)")
	fs.StringVar(&m.DB, "db", "", dbFlagHelp)
	fs.StringVar(&m.Addr, "addr", m.Addr, "address to listen on; port 0 picks a free port")
	fs.BoolVar(&m.PlainHTTP, "http", false, "serve plain HTTP instead of HTTPS")
	fs.StringVar(&m.CertFile, "cert", "", "TLS certificate (PEM); default: self-signed, in the data directory")
	fs.StringVar(&m.KeyFile, "key", "", "TLS private key (PEM), with --cert")
	fs.StringVar(&m.DefaultTLP, "default-tlp", m.DefaultTLP, "TLP level of objects published without a TLP marking")
	fs.StringVar(&m.Title, "title", m.Title, "title shown by TAXII discovery")
	fs.StringVar(&m.DefaultRoot, "default-root", "", "API root named as the default by TAXII discovery")
	fs.BoolVar(&m.EarlyWarning, "early-warning", true, "run the early-warning engine and webhook delivery (false: a plain TAXII hub)")
	fs.StringVar(&m.WebhookAllow, "webhook-allow", "", "CIDRs of internal addresses webhooks may target anyway, e.g. 127.0.0.0/8 (default: none)")
	fs.StringVar(&m.WebhookDeny, "webhook-deny", "", "CIDRs webhooks may not target, besides the default deny-list of internal ranges")
	fs.IntVar(&m.SightingThreshold, "sighting-threshold", 2, "distinct organisations whose sightings of an indicator make an early warning")
	fs.DurationVar(&m.SightingWindow, "sighting-window", 24*time.Hour, "how recent those sightings must be")
	fs.StringVar(&m.PublicURL, "public-url", "", "URL clients reach the hub at, named by TAXII discovery (default: the listening address)")
	fs.DurationVar(&m.ReadHeaderTimeout, "read-header-timeout", m.ReadHeaderTimeout, "time a client has to send a request's headers")
	fs.DurationVar(&m.ReadTimeout, "read-timeout", m.ReadTimeout, "time a client has to send a whole request, body included")
	fs.Int64Var(&m.BodyMinRate, "body-min-rate", m.BodyMinRate, "bytes per second a request body must keep up after --body-grace (0: no minimum)")
	fs.DurationVar(&m.BodyGrace, "body-grace", m.BodyGrace, "time a request body may take before --body-min-rate applies")
	fs.IntVar(&m.MaxConns, "max-conns", m.MaxConns, "open connections in all; idle ones are closed to make room, then more wait (0: no limit)")
	fs.IntVar(&m.MaxConnsPerIP, "max-conns-per-ip", m.MaxConnsPerIP, "open connections per client address (IPv6: per /64); idle ones are closed to make room, then more are refused (0: no limit)")
	fs.IntVar(&m.AuthFailures, "auth-failures", m.AuthFailures, "failed authentications allowed per minute per address and per key, then 429 (the right secret of a key is never refused for its failures; 0: no limit)")
	fs.Float64Var(&m.WriteRate, "write-rate", m.WriteRate, "write requests allowed per second per key and per address, then 429 (0: no limit)")
	fs.IntVar(&m.WriteBurst, "write-burst", m.WriteBurst, "write requests allowed at once above --write-rate")
	fs.StringVar(&m.LogFormat, "log-format", m.LogFormat, "log lines as text or json (log/slog), one per request, with its X-Request-Id")
	fs.DurationVar(&m.MaxClockSkew, "max-clock-skew", hub.DefaultMaxClockSkew, "how far in the future a created or modified timestamp may be")
	fs.StringVar(&m.MetricsAddr, "metrics-addr", "", "also serve GET /metrics (Prometheus) on this address, without a key: keep it on loopback or a private network (on --addr, /metrics needs an operator key)")
	fs.BoolVar(&m.Federation, "federation", m.Federation, "pull from the peer hubs registered with \"vigie admin peer add\" (new ones within seconds)")
	fs.Int64Var(&m.MaxSampleSize, "max-sample-size", hub.DefaultMaxSampleSize, "largest sample (bytes) accepted for triage")
	m.OIDC.register(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError(fs, fmt.Sprintf("unexpected argument %q", pos[0]))
	}
	if (m.CertFile == "") != (m.KeyFile == "") {
		return usageError(fs, "--cert and --key go together")
	}
	if m.PublicURL != "" {
		u, err := url.Parse(m.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.Trim(u.Path, "/") != "" {
			return usageError(fs, fmt.Sprintf("--public-url %q: want scheme://host[:port], such as https://hub.example:8443", m.PublicURL))
		}
		m.PublicURL = strings.TrimSuffix(m.PublicURL, "/")
	}
	if m.LogFormat != "text" && m.LogFormat != "json" {
		return usageError(fs, fmt.Sprintf("--log-format %q: want text or json", m.LogFormat))
	}
	return m.OIDC.check(fs)
}

// Run opens the store, wires the hub and starts serving; it returns once
// the listener is up (URL then says where).
func (m *serveMain) Run(ctx context.Context) error {
	if err := m.prepare(); err != nil { // datadir.go: flags and address first, then the data directory
		return err
	}
	if err := m.wire(ctx); err != nil {
		return err
	}
	return m.serve()
}

// newLogger returns the process's logger, writing text or JSON lines.
func (m *serveMain) newLogger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if m.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(m.stdio.Err, opts))
	}
	return slog.New(slog.NewTextHandler(m.stdio.Err, opts))
}

// wire opens the store and builds the hub and its background jobs (the
// early-warning engine, webhook delivery, housekeeping), and the HTTP
// handler; it starts the jobs.
func (m *serveMain) wire(ctx context.Context) error {
	def, err := vigie.ParseTLP(m.DefaultTLP)
	if err != nil {
		return domainError(err)
	}
	allow, err := netguard.ParsePrefixes(m.WebhookAllow)
	if err != nil {
		return fmt.Errorf("--webhook-allow: %w", err)
	}
	deny, err := netguard.ParsePrefixes(m.WebhookDeny)
	if err != nil {
		return fmt.Errorf("--webhook-deny: %w", err)
	}
	s, err := openStore(ctx, m.DataDir, m.DB)
	if err != nil {
		return err // not into m.store: a nil *sqlite.Store in the interface would not be nil for Close
	}
	m.store = s
	m.logger = m.newLogger()
	logger := m.logger
	m.metrics = metrics.New(m.store)
	mx := m.metrics
	guard := netguard.New(allow)
	guard.Deny = append(guard.Deny, deny...)
	broker := alert.NewBroker()
	dispatcher := alert.NewDispatcher(m.store, alert.DispatcherOptions{Guard: guard, Logger: logger, OnAttempt: mx.DeliveryAttempt})
	bg, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	// Processes sharing a database wake each other through it.
	var peers *coalescer
	n, shared := m.store.(notifier)
	if shared {
		peers = newCoalescer(bg, n, channelObjects, channelAlerts)
	}
	engine := alert.New(m.store, alert.Options{
		DefaultTLP: def, SightingThreshold: m.SightingThreshold, SightingWindow: m.SightingWindow, Logger: logger,
		OnEvents: func(evs []vigie.AlertEvent) {
			broker.Publish(evs)
			mx.AlertEvents(evs)
			dispatcher.Wake()
			peers.send(channelAlerts)
		},
	})
	onPublish := func() {
		engine.Wake()
		peers.send(channelObjects)
	}
	scheme := "http"
	if !m.PlainHTTP {
		scheme = "https"
	}
	m.url = scheme + "://" + listenURLHost(m.ln.Addr())
	public := m.PublicURL
	if public == "" {
		public = m.url
		if host, _, _ := net.SplitHostPort(m.ln.Addr().String()); !net.ParseIP(host).IsLoopback() {
			fmt.Fprintf(m.stdio.Err, "vigie: TAXII discovery names %s; set --public-url to the URL clients use\n", m.url)
		}
	}
	// The hub is made once the public URL is known (samples' STIX artifacts name it).
	h := hub.New(m.store, hub.Config{DefaultTLP: def, MaxClockSkew: m.MaxClockSkew, OnPublish: onPublish, OnIngest: mx.Ingested, Guard: guard, Alerts: broker, Logger: logger,
		PublicURL: public, MaxSampleSize: m.MaxSampleSize, Rules: yaraRules{}}, time.Now)
	m.hub = h
	self, err := h.HubIdentity(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.stdio.Err, "vigie: hub id %s (peers see it in discovery)\n", self.ID)
	m.handler = server.New(h, server.Options{Title: m.Title, DefaultRoot: m.DefaultRoot, Logger: logger,
		PublicURL: public, Metrics: mx, Limits: server.Limits{
			BodyMinRate: m.BodyMinRate, BodyGrace: m.BodyGrace, ReadTimeout: m.ReadTimeout,
			AuthFailures: m.AuthFailures, WriteRate: m.WriteRate, WriteBurst: m.WriteBurst,
		},
		Dashboard: web.New(h, web.Options{Title: m.Title, Logger: logger, OIDC: m.OIDC.providers(public)}),
	}).Handler()
	m.jobs.Add(1)
	go func() { defer m.jobs.Done(); m.housekeeping(bg, h, logger) }()
	m.jobs.Add(1)
	go func() { defer m.jobs.Done(); runFeeds(bg, h, logger) }() // feed subscriptions (admin_feed.go)
	if m.Federation {
		runner := federation.New(h, federation.Options{Logger: logger})
		m.jobs.Add(1)
		go func() { defer m.jobs.Done(); runner.Run(bg) }()
	}
	if m.EarlyWarning {
		m.jobs.Add(2)
		go func() { defer m.jobs.Done(); engine.Run(bg) }()
		go func() { defer m.jobs.Done(); dispatcher.Run(bg) }()
	}
	if shared && (m.EarlyWarning || m.Federation) { // federation's long polls wake on other processes' writes too
		m.jobs.Add(1)
		go func() {
			defer m.jobs.Done()
			n.Listen(bg, []string{channelObjects, channelAlerts}, func(ch string) {
				if ch == channelObjects {
					h.Changed() // federation's wake-up long polls
					engine.Wake()
				} else {
					broker.WakeAll()
					dispatcher.Wake()
				}
			})
		}()
	}
	return nil
}

// serve serves the handler wire built on the listener prepare bound
// (with TLS unless PlainHTTP), in the background.
func (m *serveMain) serve() error {
	m.http = &http.Server{
		Handler:           m.handler,
		ReadHeaderTimeout: m.ReadHeaderTimeout,
		ReadTimeout:       m.ReadTimeout, // large envelopes on slow links; --body-min-rate cuts off trickles sooner
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.logger.Handler(), slog.LevelWarn),
	}
	limited := server.LimitListener(m.ln, m.MaxConns, m.MaxConnsPerIP)
	m.http.ConnState = limited.ConnState
	var ln net.Listener = limited
	if !m.PlainHTTP {
		cert, fingerprint, err := loadOrCreateCert(m.DataDir, m.CertFile, m.KeyFile, m.ln.Addr())
		if err != nil {
			m.ln.Close()
			return err
		}
		m.http.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
		ln = tls.NewListener(ln, m.http.TLSConfig)
		fmt.Fprintf(m.stdio.Err, "vigie: TLS certificate SHA-256 fingerprint %s\n", fingerprint)
	}
	go func() {
		if err := m.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.logger.Error("server stopped", slog.Any("err", err))
		}
	}()
	if addr := os.Getenv("VIGIE_PPROF_ADDR"); addr != "" {
		// Profiling for operators chasing a slow hub: Go's pprof handlers
		// on their own address (keep it on loopback).
		go http.ListenAndServe(addr, pprofMux())
		fmt.Fprintf(m.stdio.Err, "vigie: pprof on http://%s/debug/pprof/\n", addr)
	}
	if m.MetricsAddr != "" {
		if err := m.serveMetrics(); err != nil {
			return err
		}
	}
	fmt.Fprintf(m.stdio.Err, "vigie: hub serving TAXII 2.1 at %s/taxii2/ (data in %s)\n", m.url, m.DataDir)
	return nil
}

// URL returns the base URL of the running hub.
func (m *serveMain) URL() string { return m.url }

// housekeeping records the failed authentications of each past minute in
// the audit log, and every hour purges expired status resources and
// checks suppliers (hub.CheckSuppliers).
func (m *serveMain) housekeeping(ctx context.Context, h *hub.Hub, logger *slog.Logger) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	var purged time.Time
	for {
		if err := h.FlushAudit(ctx, false); err != nil && ctx.Err() == nil {
			logger.Warn("recording failed authentications", slog.Any("err", err))
		}
		if time.Since(purged) >= time.Hour {
			purged = time.Now()
			if n, err := h.PurgeStatuses(ctx); err != nil && ctx.Err() == nil {
				logger.Warn("purging status resources", slog.Any("err", err))
			} else if n > 0 {
				logger.Info("purged status resources", slog.Int("count", n))
			}
			if _, err := h.PurgeSessions(ctx); err != nil && ctx.Err() == nil {
				logger.Warn("purging expired sessions", slog.Any("err", err))
			}
			if n, err := h.CheckSuppliers(ctx, hub.Console()); err != nil && ctx.Err() == nil {
				logger.Warn("checking suppliers", slog.Any("err", err))
			} else if n > 0 {
				logger.Info("supplier alerts", slog.Int("count", n))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close stops accepting requests, lets those in flight finish (up to 30 s)
// and closes the store.
func (m *serveMain) Close() error {
	var errs []error
	if m.http == nil && m.ln != nil {
		m.ln.Close() // bound, never served
	}
	if m.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		errs = append(errs, m.http.Shutdown(ctx))
		cancel()
	}
	if m.mhttp != nil {
		errs = append(errs, m.mhttp.Close())
	}
	if m.cancel != nil {
		m.cancel()
		m.jobs.Wait()
	}
	if m.hub != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, m.hub.FlushAudit(ctx, true))
		cancel()
	}
	if m.store != nil {
		errs = append(errs, m.store.Close())
	}
	return errors.Join(errs...)
}

// listenURLHost turns a listening address into a host:port for URLs,
// naming loopback for unspecified addresses.
func listenURLHost(a net.Addr) string {
	host, port, _ := net.SplitHostPort(a.String())
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + port
}

// pprofMux serves Go's profiles.
func pprofMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
