package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// serveMetrics serves GET /metrics on --metrics-addr, in plain HTTP and
// without a key: that address is for a Prometheus server on a private
// network. The listener is bound before serve returns, so that a wrong
// address fails the start.
func (m *serveMain) serveMetrics() error {
	ln, err := net.Listen("tcp", m.MetricsAddr)
	if err != nil {
		return fmt.Errorf("--metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.metrics.Handler())
	m.mhttp = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(m.logger.Handler(), slog.LevelWarn)}
	go func() {
		if err := m.mhttp.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.logger.Error("metrics server stopped", slog.Any("err", err))
		}
	}()
	fmt.Fprintf(m.stdio.Err, "vigie: metrics at http://%s/metrics\n", ln.Addr())
	return nil
}
