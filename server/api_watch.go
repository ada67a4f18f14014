package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/api"
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

func (s *Server) watchList(w http.ResponseWriter, r *http.Request) error {
	entries, err := s.hub.Watchlist(r.Context(), principal(r))
	if err != nil {
		return err
	}
	out := []api.WatchEntry{}
	for _, e := range entries {
		out = append(out, api.WatchEntry{ID: e.ID, Kind: e.Kind, Value: e.Value, FromIdentity: e.FromIdentity})
	}
	return writeAPI(w, http.StatusOK, map[string]any{"entries": out})
}

func (s *Server) watchAdd(w http.ResponseWriter, r *http.Request) error {
	p, err := requireOrg(r)
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
	e, err := s.hub.AddWatch(r.Context(), p, in.Kind, in.Value)
	if err != nil {
		return err
	}
	return writeAPI(w, http.StatusCreated, api.WatchEntry{ID: e.ID, Kind: e.Kind, Value: e.Value})
}

func (s *Server) watchDelete(w http.ResponseWriter, r *http.Request) error {
	if err := s.hub.DeleteWatch(r.Context(), principal(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
