package server

import (
	"net/http"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/api"
)

func (s *Server) webhookList(w http.ResponseWriter, r *http.Request) error {
	hooks, err := s.hub.Webhooks(r.Context(), principal(r))
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
	p, err := requireOrg(r)
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
	h, err := s.hub.AddWebhook(r.Context(), p, in.URL, in.Secret)
	if err != nil {
		return err
	}
	out := api.Webhook{ID: h.ID, URL: h.URL, Created: h.Created.Format(timeFormat)}
	if in.Secret == "" {
		out.Secret = h.Secret // made by the hub: shown this once
	}
	return writeAPI(w, http.StatusCreated, out)
}

func (s *Server) webhookDelete(w http.ResponseWriter, r *http.Request) error {
	if err := s.hub.DeleteWebhook(r.Context(), principal(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deliveryList shows the organisation's webhook deliveries, failures
// included (?state=pending|delivered|failed).
func (s *Server) deliveryList(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.hub.Deliveries(r.Context(), principal(r), vigie.DeliveryState(r.URL.Query().Get("state")))
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []*vigie.Delivery{}
	}
	return writeAPI(w, http.StatusOK, map[string]any{"deliveries": ds})
}
