package server

import (
	"crypto/rand"
	"encoding/base64"
	"github.com/vigie-cti/vigie/api"
	"net/http"

	"github.com/vigie-cti/vigie"
)

func (s *Server) webhookList(w http.ResponseWriter, r *http.Request) error {
	p, err := requireRole(r, vigie.RoleReader)
	if err != nil {
		return err
	}
	hooks, err := s.hub.Store().ListWebhooks(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	out := []api.Webhook{}
	for _, h := range hooks {
		out = append(out, api.Webhook{ID: h.ID, URL: h.URL, Created: h.Created.Format(timeFormat)})
	}
	return writeAPI(w, http.StatusOK, map[string]any{"webhooks": out})
}

const timeFormat = "2006-01-02T15:04:05.000Z07:00"

func (s *Server) webhookAdd(w http.ResponseWriter, r *http.Request) error {
	p, err := requireRole(r, vigie.RolePublisher)
	if err != nil {
		return err
	}
	var in struct {
		URL    string `json:"url"`
		Secret string `json:"secret"`
	}
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	if s.opts.Guard == nil {
		return vigie.Errorf(vigie.EUNAVAILABLE, "webhooks are not enabled on this hub")
	}
	if err := s.opts.Guard.CheckURL(r.Context(), in.URL); err != nil {
		return err
	}
	out := api.Webhook{URL: in.URL}
	if in.Secret == "" {
		var b [32]byte
		rand.Read(b[:])
		in.Secret = base64.RawURLEncoding.EncodeToString(b[:])
		out.Secret = in.Secret
	} else if len(in.Secret) < 16 || len(in.Secret) > 256 {
		return vigie.Errorf(vigie.EINVALID, "webhook secret: want 16 to 256 characters (or none: the hub makes one)")
	}
	h := &vigie.Webhook{ID: vigie.NewUUID(), OrgID: p.OrgID, URL: in.URL, Secret: in.Secret, Created: s.opts.Now().UTC()}
	if err := s.hub.Store().CreateWebhook(r.Context(), h); err != nil {
		return err
	}
	out.ID, out.Created = h.ID, h.Created.Format(timeFormat)
	return writeAPI(w, http.StatusCreated, out)
}

func (s *Server) webhookDelete(w http.ResponseWriter, r *http.Request) error {
	p, err := requireRole(r, vigie.RolePublisher)
	if err != nil {
		return err
	}
	if err := s.hub.Store().DeleteWebhook(r.Context(), p.OrgID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deliveryList shows the organisation's webhook deliveries, failures
// included (?state=pending|delivered|failed).
func (s *Server) deliveryList(w http.ResponseWriter, r *http.Request) error {
	p, err := requireRole(r, vigie.RoleReader)
	if err != nil {
		return err
	}
	state := vigie.DeliveryState(r.URL.Query().Get("state"))
	switch state {
	case "", vigie.DeliveryPending, vigie.DeliveryDelivered, vigie.DeliveryFailed:
	default:
		return vigie.Errorf(vigie.EINVALID, "state %q: want pending, delivered or failed", state)
	}
	ds, err := s.hub.Store().ListDeliveries(r.Context(), p.OrgID, state, 200)
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []*vigie.Delivery{}
	}
	return writeAPI(w, http.StatusOK, map[string]any{"deliveries": ds})
}
