package web

import (
	"net/http"
	"strings"

	"github.com/vigie-cti/vigie"
)

// webhookData is the webhooks page: the organisation's webhooks, their
// latest deliveries, and the secret of one just added (shown once).
type webhookData struct {
	Hooks      []*vigie.Webhook
	Deliveries []*vigie.Delivery
	New        *vigie.Webhook
	NewSecret  string // the secret the hub made for New ("" when the member chose it)
}

// webhookDeliveries is how many of the latest deliveries the page lists.
const webhookDeliveries = 20

var webhookDone = map[string]string{
	"deleted": "Webhook removed.",
	"tested":  "Test delivery queued: its outcome appears below within seconds (reload).",
}

// webhooks lists the signed-in user's organisation's webhooks: the hub
// returns no other organisation's.
func (d *Dashboard) webhooks(w http.ResponseWriter, r *http.Request, q *req) error {
	return d.renderWebhooks(w, r, q, nil, "")
}

func (d *Dashboard) renderWebhooks(w http.ResponseWriter, r *http.Request, q *req, added *vigie.Webhook, secret string) error {
	hooks, err := d.hub.Webhooks(r.Context(), q.p)
	if err != nil {
		return err
	}
	ds, err := d.hub.Deliveries(r.Context(), q.p, "")
	if err != nil {
		return err
	}
	if len(ds) > webhookDeliveries {
		ds = ds[:webhookDeliveries]
	}
	q.v.Title, q.v.Nav = "Webhooks", "webhooks"
	q.v.Flash = webhookDone[r.URL.Query().Get("done")]
	q.v.Data = &webhookData{Hooks: hooks, Deliveries: ds, New: added, NewSecret: secret}
	d.render(w, http.StatusOK, "webhooks.html", q.v)
	return nil
}

// webhookAdd registers a webhook (the hub's address guard checks its URL)
// and shows the signing secret the hub made in this answer only.
func (d *Dashboard) webhookAdd(w http.ResponseWriter, r *http.Request, q *req) error {
	chosen := r.PostFormValue("secret")
	hook, err := d.hub.AddWebhook(r.Context(), q.p, strings.TrimSpace(r.PostFormValue("url")), chosen)
	if err != nil {
		return err
	}
	secret := hook.Secret
	if chosen != "" {
		secret = "" // the member knows it: never echo it
	}
	return d.renderWebhooks(w, r, q, hook, secret)
}

func (d *Dashboard) webhookDelete(w http.ResponseWriter, r *http.Request, q *req) error {
	if err := d.hub.DeleteWebhook(r.Context(), q.p, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/webhooks?done=deleted", http.StatusSeeOther)
	return nil
}

func (d *Dashboard) webhookTest(w http.ResponseWriter, r *http.Request, q *req) error {
	if _, err := d.hub.TestWebhook(r.Context(), q.p, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/webhooks?done=tested", http.StatusSeeOther)
	return nil
}
