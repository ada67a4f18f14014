package server

import (
	"net/http"

	"github.com/vigie-cti/vigie"
)

// metricsGet answers GET /metrics: the hub's metrics in Prometheus' text
// format, for operator keys (a scraper's key: vigie admin key add --role
// operator). "vigie serve --metrics-addr" serves them without a key on a
// separate address instead, for a private network.
func (s *Server) metricsGet(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireRole(r, vigie.RoleOperator); err != nil {
		return err
	}
	if s.opts.Metrics == nil {
		return vigie.Errorf(vigie.ENOTFOUND, "this hub keeps no metrics")
	}
	s.opts.Metrics.Handler().ServeHTTP(w, r)
	return nil
}
