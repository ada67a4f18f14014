package hub

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/vigie-cti/vigie"
)

// The lengths a webhook secret chosen by its organisation may have.
const (
	MinWebhookSecret = 16
	MaxWebhookSecret = 256
)

// Webhooks returns p's organisation's webhooks (their secrets are never
// shown again).
func (h *Hub) Webhooks(ctx context.Context, p vigie.Principal) ([]*vigie.Webhook, error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	return h.store.ListWebhooks(ctx, p.OrgID)
}

// AddWebhook registers a webhook of p's organisation: the guard must
// permit the URL's every address, and the secret that signs deliveries
// is 16 to 256 characters, or "" for one the hub makes. It returns the
// webhook with its secret (to show once, when the hub made it).
// EINVALID for a refused URL or secret; EUNAVAILABLE when the hub has no
// guard (webhooks disabled); publishers and above.
func (h *Hub) AddWebhook(ctx context.Context, p vigie.Principal, url, secret string) (*vigie.Webhook, error) {
	if err := member(p, vigie.RolePublisher); err != nil {
		return nil, err
	}
	if h.cfg.Guard == nil {
		return nil, vigie.Errorf(vigie.EUNAVAILABLE, "webhooks are not enabled on this hub")
	}
	if err := h.cfg.Guard.CheckURL(ctx, url); err != nil {
		return nil, err
	}
	if secret == "" {
		var b [32]byte
		rand.Read(b[:])
		secret = base64.RawURLEncoding.EncodeToString(b[:])
	} else if len(secret) < MinWebhookSecret || len(secret) > MaxWebhookSecret {
		return nil, vigie.Errorf(vigie.EINVALID, "webhook secret: want %d to %d characters (or none: the hub makes one)", MinWebhookSecret, MaxWebhookSecret)
	}
	w := &vigie.Webhook{ID: vigie.NewUUID(), OrgID: p.OrgID, URL: url, Secret: secret, Created: h.now().UTC()}
	if err := h.store.CreateWebhook(ctx, w); err != nil {
		return nil, err
	}
	return w, h.record(ctx, withDetail(h.newEntry(p, vigie.AuditWebhookAdd, "webhook "+w.ID, vigie.OutcomeSuccess),
		map[string]string{"url": w.URL}))
}

// DeleteWebhook deletes a webhook of p's organisation. ENOTFOUND for
// another organisation's; publishers and above.
func (h *Hub) DeleteWebhook(ctx context.Context, p vigie.Principal, id string) error {
	if err := member(p, vigie.RolePublisher); err != nil {
		return err
	}
	if err := h.store.DeleteWebhook(ctx, p.OrgID, id); err != nil {
		return err
	}
	return h.record(ctx, h.newEntry(p, vigie.AuditWebhookDelete, "webhook "+id, vigie.OutcomeSuccess))
}

// maxDeliveries bounds the deliveries Deliveries returns.
const maxDeliveries = 200

// Deliveries returns the newest deliveries to p's organisation's
// webhooks in a state ("" for any), failures included. EINVALID for an
// unknown state.
func (h *Hub) Deliveries(ctx context.Context, p vigie.Principal, state vigie.DeliveryState) ([]*vigie.Delivery, error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	switch state {
	case "", vigie.DeliveryPending, vigie.DeliveryDelivered, vigie.DeliveryFailed:
	default:
		return nil, vigie.Errorf(vigie.EINVALID, "state %q: want pending, delivered or failed", state)
	}
	return h.store.ListDeliveries(ctx, p.OrgID, state, maxDeliveries)
}

// TestWebhook queues a test delivery to a webhook of p's organisation:
// the dispatcher posts {"id": 0, "type": "webhook.test", "time": ...,
// "alert": null}, signed like every delivery, and its outcome shows
// among the deliveries. ENOTFOUND for another organisation's webhook;
// publishers and above.
func (h *Hub) TestWebhook(ctx context.Context, p vigie.Principal, id string) (*vigie.Delivery, error) {
	if err := member(p, vigie.RolePublisher); err != nil {
		return nil, err
	}
	now := h.now().UTC()
	body, err := json.Marshal(map[string]any{"id": 0, "type": "webhook.test", "time": now, "alert": nil})
	if err != nil {
		return nil, fmt.Errorf("test delivery: %w", err)
	}
	d := &vigie.Delivery{WebhookID: id, OrgID: p.OrgID, Body: body, Created: now}
	if err := h.store.QueueDelivery(ctx, d); err != nil {
		return nil, err
	}
	return d, h.record(ctx, h.newEntry(p, vigie.AuditWebhookTest, "webhook "+id, vigie.OutcomeSuccess))
}
