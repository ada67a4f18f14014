package hub

import (
	"context"

	"github.com/vigie-cti/vigie"
)

// Alerts returns p's organisation's alerts that q selects (q.OrgID is
// set here), most recently updated first.
func (h *Hub) Alerts(ctx context.Context, p vigie.Principal, q vigie.AlertQuery) ([]*vigie.Alert, error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	q.OrgID = p.OrgID
	return h.store.ListAlerts(ctx, &q)
}

// Alert returns one alert of p's organisation. ENOTFOUND for another's.
func (h *Hub) Alert(ctx context.Context, p vigie.Principal, id string) (*vigie.Alert, error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	return h.store.FindAlert(ctx, p.OrgID, id)
}

// SetAlertState moves an alert of p's organisation in its triage
// (acknowledged, resolved, new again). ENOTFOUND for another's.
func (h *Hub) SetAlertState(ctx context.Context, p vigie.Principal, id string, state vigie.AlertState) (*vigie.Alert, error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	if _, err := vigie.ParseAlertState(string(state)); err != nil {
		return nil, err
	}
	a, err := h.store.SetAlertState(ctx, p.OrgID, id, state, h.now().UTC())
	if err != nil {
		return nil, err
	}
	return a, h.record(ctx, withDetail(h.newEntry(p, vigie.AuditAlertState, "alert "+id, vigie.OutcomeSuccess),
		map[string]string{"state": string(state)}))
}

// AlertEvents returns up to limit events of p's organisation after seq,
// oldest first: the live stream and its resumption.
func (h *Hub) AlertEvents(ctx context.Context, p vigie.Principal, after int64, limit int) ([]vigie.AlertEvent, error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	return h.store.AlertEvents(ctx, p.OrgID, after, limit)
}

// SubscribeAlerts returns a channel that receives a value when alert
// events of p's organisation may be waiting, and the function that ends
// the subscription. The channel is nil (it never fires: poll) when the
// hub has no notifier.
func (h *Hub) SubscribeAlerts(p vigie.Principal) (<-chan struct{}, func()) {
	if h.cfg.Alerts == nil || p.Anonymous() {
		return nil, func() {}
	}
	return h.cfg.Alerts.Subscribe(p.OrgID)
}

// LastAlertEvent returns the seq of the newest alert event of p's
// organisation: a live view opened now follows the events after it.
func (h *Hub) LastAlertEvent(ctx context.Context, p vigie.Principal) (int64, error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return 0, err
	}
	return h.store.LastAlertEvent(ctx, p.OrgID)
}
