package hub

import (
	"context"

	"github.com/vigie-cti/vigie"
)

// Watchlist returns what p's organisation watches (vigie.Watchlist): the
// sectors and country of its identity, then its entries.
func (h *Hub) Watchlist(ctx context.Context, p vigie.Principal) ([]*vigie.WatchEntry, error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	org, err := h.store.FindOrg(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	entries, err := h.store.ListWatches(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	return vigie.Watchlist(org, entries), nil
}

// AddWatch adds an entry to p's organisation's watchlist, normalised
// (vigie.WatchEntry.Normalize). EINVALID for a value that is not of its
// kind, ECONFLICT if it is watched already; publishers and above.
func (h *Hub) AddWatch(ctx context.Context, p vigie.Principal, kind vigie.WatchKind, value string) (*vigie.WatchEntry, error) {
	if err := member(p, vigie.RolePublisher); err != nil {
		return nil, err
	}
	e := &vigie.WatchEntry{ID: vigie.NewUUID(), OrgID: p.OrgID, Kind: kind, Value: value, Created: h.now().UTC()}
	if err := e.Normalize(); err != nil {
		return nil, err
	}
	if err := h.store.CreateWatch(ctx, e); err != nil {
		return nil, err
	}
	return e, h.record(ctx, withDetail(h.newEntry(p, vigie.AuditWatchAdd, "watch "+e.ID, vigie.OutcomeSuccess),
		map[string]string{"kind": string(e.Kind), "value": e.Value}))
}

// DeleteWatch deletes an entry of p's organisation's watchlist. ENOTFOUND
// for an entry of another organisation; publishers and above.
func (h *Hub) DeleteWatch(ctx context.Context, p vigie.Principal, id string) error {
	if err := member(p, vigie.RolePublisher); err != nil {
		return err
	}
	if err := h.store.DeleteWatch(ctx, p.OrgID, id); err != nil {
		return err
	}
	return h.record(ctx, h.newEntry(p, vigie.AuditWatchDelete, "watch "+id, vigie.OutcomeSuccess))
}
