package server

import (
	"encoding/json"
	"errors"
	"github.com/vigie-cti/vigie/api"
	"io"
	"net/http"

	"github.com/vigie-cti/vigie"
)

// maxAPIBody bounds the JSON body of /api/v1 requests.
const maxAPIBody = 1 << 20

// decodeBody reads a JSON request body into v, refusing unknown fields.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAPIBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return vigie.Errorf(vigie.ETOOLARGE, "request body over %d bytes", maxAPIBody)
		}
		if errors.Is(err, io.EOF) {
			return vigie.Errorf(vigie.EINVALID, "empty request body; send a JSON object")
		}
		return vigie.Errorf(vigie.EINVALID, "request body: %v", err)
	}
	return nil
}

// requireRole refuses callers without a key of at least role.
func requireRole(r *http.Request, role vigie.Role) (vigie.Principal, error) {
	p, err := requireOrg(r)
	if err != nil {
		return p, err
	}
	if !p.Role.Allows(role) {
		return p, vigie.Errorf(vigie.EFORBIDDEN, "this needs a %s key; yours is a %s key", role, p.Role)
	}
	return p, nil
}

func (s *Server) watchList(w http.ResponseWriter, r *http.Request) error {
	p, err := requireRole(r, vigie.RoleReader)
	if err != nil {
		return err
	}
	org, err := s.hub.Store().FindOrg(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	out := []api.WatchEntry{}
	for _, sec := range org.Sectors {
		out = append(out, api.WatchEntry{Kind: vigie.WatchSector, Value: sec, FromIdentity: true})
	}
	if org.Country != "" {
		out = append(out, api.WatchEntry{Kind: vigie.WatchCountry, Value: org.Country, FromIdentity: true})
	}
	entries, err := s.hub.Store().ListWatches(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	for _, e := range entries {
		out = append(out, api.WatchEntry{ID: e.ID, Kind: e.Kind, Value: e.Value})
	}
	return writeAPI(w, http.StatusOK, map[string]any{"entries": out})
}

func (s *Server) watchAdd(w http.ResponseWriter, r *http.Request) error {
	p, err := requireRole(r, vigie.RolePublisher)
	if err != nil {
		return err
	}
	var in struct {
		Kind  vigie.WatchKind `json:"kind"`
		Value string          `json:"value"`
	}
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	e := &vigie.WatchEntry{ID: vigie.NewUUID(), OrgID: p.OrgID, Kind: in.Kind, Value: in.Value, Created: s.opts.Now().UTC()}
	if err := e.Normalize(); err != nil {
		return err
	}
	if err := s.hub.Store().CreateWatch(r.Context(), e); err != nil {
		return err
	}
	return writeAPI(w, http.StatusCreated, api.WatchEntry{ID: e.ID, Kind: e.Kind, Value: e.Value})
}

func (s *Server) watchDelete(w http.ResponseWriter, r *http.Request) error {
	p, err := requireRole(r, vigie.RolePublisher)
	if err != nil {
		return err
	}
	if err := s.hub.Store().DeleteWatch(r.Context(), p.OrgID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
