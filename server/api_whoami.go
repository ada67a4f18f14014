package server

import (
	"encoding/json"
	"net/http"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/api"
)

func (s *Server) whoamiGet(w http.ResponseWriter, r *http.Request) error {
	p, err := requireOrg(r)
	if err != nil {
		return err
	}
	o, err := s.hub.Whoami(r.Context(), p)
	if err != nil {
		return err
	}
	comms := p.Communities
	if comms == nil {
		comms = []string{}
	}
	return writeAPI(w, http.StatusOK, api.Whoami{OrgID: o.ID, OrgName: o.Name, Role: string(p.Role), KeyID: p.KeyID, Communities: comms})
}

// api wraps an /api/v1 endpoint: JSON in and out, errors as JSON.
func (s *Server) api(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		requestOf(r).route = r.Pattern
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
}

// writeAPI answers with v as JSON.
func writeAPI(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// identityList answers GET /api/v1/identities: a STIX bundle of the
// identities of the hub's organisations, for members to resolve
// created_by_ref and where_sighted_refs.
func (s *Server) identityList(w http.ResponseWriter, r *http.Request) error {
	objs, err := s.hub.Identities(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return writeAPI(w, http.StatusOK, map[string]any{"type": "bundle", "id": "bundle--" + vigie.NewUUID(), "objects": objs})
}
