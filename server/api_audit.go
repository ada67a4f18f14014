package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/vigie-cti/vigie"
)

// auditList answers GET /api/v1/audit: audit entries in log order, for
// the hub operator (all of them, ?org= narrows) and for an organisation's
// admins (their organisation's). Filters: ?since=RFC3339 time,
// ?after=SEQ (the "next" value of the previous page), ?limit=N.
func (s *Server) auditList(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	q := vigie.AuditQuery{Limit: 1000}
	v := r.URL.Query()
	for name := range v {
		switch name {
		case "since", "after", "limit", "org":
		default:
			return vigie.Errorf(vigie.EINVALID, "unknown parameter %q; use since, after, limit, org", name)
		}
	}
	var err error
	if t := v.Get("since"); t != "" {
		if q.Since, err = time.Parse(time.RFC3339Nano, t); err != nil {
			return vigie.Errorf(vigie.EINVALID, "since %q: want an RFC 3339 time such as 2026-12-01T00:00:00Z", t)
		}
	}
	if a := v.Get("after"); a != "" {
		if q.After, err = strconv.ParseInt(a, 10, 64); err != nil || q.After < 0 {
			return vigie.Errorf(vigie.EINVALID, "after %q: want the \"next\" value of the previous page", a)
		}
	}
	if l := v.Get("limit"); l != "" {
		if q.Limit, err = strconv.Atoi(l); err != nil || q.Limit < 1 || q.Limit > 1000 {
			return vigie.Errorf(vigie.EINVALID, "limit %q: want 1 to 1000", l)
		}
	}
	if org := v.Get("org"); org != "" {
		if q.OrgID, err = s.hub.AuditOrg(r.Context(), p, org); err != nil {
			return err
		}
	}
	es, err := s.hub.Audit(r.Context(), p, q)
	if err != nil {
		return err
	}
	out := map[string]any{"entries": es}
	if es == nil {
		out["entries"] = []*vigie.AuditEntry{}
	}
	if len(es) > 0 && len(es) == q.Limit {
		out["next"] = strconv.FormatInt(es[len(es)-1].Seq, 10)
	}
	return writeAPI(w, http.StatusOK, out)
}
