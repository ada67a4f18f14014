package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/taxii"
)

// writeJSON answers 200 (or status) with v as TAXII JSON.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", taxii.MediaType)
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

func (s *Server) discoveryGet(w http.ResponseWriter, r *http.Request) error {
	roots, err := s.hub.APIRoots(r.Context(), principal(r))
	if err != nil {
		return err
	}
	d := taxii.Discovery{Title: s.opts.Title, Description: s.opts.Description, Contact: s.opts.Contact}
	if d.Hub, err = s.hubInfo(r); err != nil {
		return err
	}
	for _, root := range roots {
		u := strings.TrimSuffix(s.opts.PublicURL, "/") + "/" + root.Name + "/"
		d.APIRoots = append(d.APIRoots, u)
		if root.Name == s.opts.DefaultRoot {
			d.Default = u
		}
	}
	return writeJSON(w, http.StatusOK, d)
}

func (s *Server) apiRootGet(w http.ResponseWriter, r *http.Request) error {
	root, err := s.hub.APIRoot(r.Context(), principal(r), r.PathValue("root"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, taxii.APIRoot{
		Title: root.Title, Description: root.Description,
		Versions: []string{taxii.MediaType}, MaxContentLength: root.MaxContentLength,
	})
}

func (s *Server) collectionList(w http.ResponseWriter, r *http.Request) error {
	root := r.PathValue("root")
	if _, err := s.hub.APIRoot(r.Context(), principal(r), root); err != nil {
		return err
	}
	cs, as, err := s.hub.Collections(r.Context(), principal(r), root)
	if err != nil {
		return err
	}
	var out taxii.Collections
	for i, c := range cs {
		out.Collections = append(out.Collections, collectionResource(c, as[i]))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) collectionGet(w http.ResponseWriter, r *http.Request) error {
	c, a, err := s.hub.Collection(r.Context(), principal(r), r.PathValue("root"), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, collectionResource(c, a))
}

func collectionResource(c *vigie.Collection, a vigie.Access) taxii.Collection {
	return taxii.Collection{
		ID: c.ID, Title: c.Title, Description: c.Description, Alias: c.Alias,
		CanRead: a.Read, CanWrite: a.Write, MediaTypes: []string{taxii.STIXMediaType},
	}
}

func (s *Server) statusGet(w http.ResponseWriter, r *http.Request) error {
	p, err := requireOrg(r)
	if err != nil {
		return err
	}
	st, err := s.hub.Status(r.Context(), p, r.PathValue("root"), r.PathValue("status"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, statusResource(st))
}

func statusResource(st *vigie.Status) taxii.Status {
	conv := func(ds []vigie.StatusDetail) []taxii.StatusDetail {
		out := make([]taxii.StatusDetail, len(ds))
		for i, d := range ds {
			out[i] = taxii.StatusDetail(d)
		}
		return out
	}
	return taxii.Status{
		ID: st.ID, Status: "complete", RequestTimestamp: taxii.FormatTimestamp(st.RequestTime),
		TotalCount: st.Total, SuccessCount: len(st.Successes), Successes: conv(st.Successes),
		FailureCount: len(st.Failures), Failures: conv(st.Failures),
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	return vigie.Errorf(vigie.ENOTFOUND, "no such endpoint: %s %s (TAXII URLs end with a slash; discovery is at /taxii2/)", r.Method, r.URL.Path)
}

// healthz answers 200 while the process serves requests (liveness).
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.Write([]byte("ok\n"))
}

// readyz answers 200 when the database answers too, else 503 (readiness:
// a load balancer sends no traffic to a process that cannot serve it).
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.hub.Ready(ctx); err != nil {
		s.log.Warn("not ready", slog.Any("err", err))
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	w.Write([]byte("ready\n"))
}
