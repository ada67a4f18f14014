// Package hub holds the hub's use cases on top of a vigie.Store: who is
// calling (keys), what they may see of a collection (TLP), and publishing
// (validation, provenance, sharing facts). The HTTP server, the demo and
// later importers all go through it, so the rules live in one place.
package hub

import (
	"context"
	"time"

	"github.com/vigie-cti/vigie"
)

// Limits bound what one request may ask of the hub. Each is documented in
// the README.
type Limits struct {
	MaxObjects      int           // objects in one POST envelope
	MaxPageSize     int           // objects in one page of a GET
	StatusRetention time.Duration // how long status resources are kept (at least 24 h)
}

// The limits of a hub that sets none.
const (
	DefaultMaxObjects      = 10000
	DefaultMaxPageSize     = 10000
	DefaultStatusRetention = 7 * 24 * time.Hour
	DefaultMaxClockSkew    = time.Hour
)

// Config is the hub's policy.
type Config struct {
	DefaultTLP vigie.TLP // the level of objects without a TLP marking (GREEN unless configured)
	Limits     Limits
	// MaxClockSkew is how far in the future of the hub's clock a created
	// or modified timestamp may be (DefaultMaxClockSkew unless set).
	MaxClockSkew time.Duration
	// OnPublish, if set, is called after objects were stored (the
	// early-warning engine wakes up on it). It must not block.
	OnPublish func()
}

// Hub runs the use cases. It is safe for concurrent use.
type Hub struct {
	store vigie.Store
	cfg   Config
	now   func() time.Time
}

// New returns a hub over store. now is the clock (time.Now in production).
func New(store vigie.Store, cfg Config, now func() time.Time) *Hub {
	if cfg.DefaultTLP == vigie.TLPNone {
		cfg.DefaultTLP = vigie.TLPGreen
	}
	if cfg.Limits.MaxObjects <= 0 {
		cfg.Limits.MaxObjects = DefaultMaxObjects
	}
	if cfg.Limits.MaxPageSize <= 0 {
		cfg.Limits.MaxPageSize = DefaultMaxPageSize
	}
	if cfg.MaxClockSkew <= 0 {
		cfg.MaxClockSkew = DefaultMaxClockSkew
	}
	if cfg.Limits.StatusRetention < 24*time.Hour {
		cfg.Limits.StatusRetention = DefaultStatusRetention
	}
	return &Hub{store: store, cfg: cfg, now: now}
}

// Store returns the hub's store.
func (h *Hub) Store() vigie.Store { return h.store }

// Config returns the hub's policy.
func (h *Hub) Config() Config { return h.cfg }

// Authenticate returns the principal behind an API key token.
// EUNAUTHORIZED for unknown, malformed, expired or revoked keys.
func (h *Hub) Authenticate(ctx context.Context, token string) (vigie.Principal, error) {
	id, secret, ok := vigie.SplitToken(token)
	if !ok {
		return vigie.Principal{}, vigie.Errorf(vigie.EUNAUTHORIZED, "malformed API key: want the token printed by \"vigie admin key add\" (vigie_...)")
	}
	k, err := h.store.FindKey(ctx, id)
	if vigie.ErrorCode(err) == vigie.ENOTFOUND || (err == nil && !k.Matches(secret)) {
		return vigie.Principal{}, vigie.Errorf(vigie.EUNAUTHORIZED, "unknown API key")
	} else if err != nil {
		return vigie.Principal{}, err
	}
	now := h.now()
	switch {
	case !k.Revoked.IsZero():
		return vigie.Principal{}, vigie.Errorf(vigie.EUNAUTHORIZED, "API key %s was revoked on %s", k.ID, k.Revoked.Format(time.RFC3339))
	case !k.Active(now):
		return vigie.Principal{}, vigie.Errorf(vigie.EUNAUTHORIZED, "API key %s expired on %s", k.ID, k.Expires.Format(time.RFC3339))
	}
	comms, err := h.store.OrgCommunities(ctx, k.OrgID)
	if err != nil {
		return vigie.Principal{}, err
	}
	return vigie.Principal{OrgID: k.OrgID, KeyID: k.ID, Role: k.Role, Communities: comms}, nil
}

// Collection returns a collection and what p may do with it. A collection
// p may neither read nor write is ENOTFOUND, so its existence is not
// revealed; EUNAUTHORIZED for an anonymous caller, who may need a key.
func (h *Hub) Collection(ctx context.Context, p vigie.Principal, root, id string) (*vigie.Collection, vigie.Access, error) {
	c, err := h.store.FindCollection(ctx, root, id)
	if err != nil {
		return nil, vigie.Access{}, err
	}
	a := vigie.CollectionAccess(p, c)
	if !a.Read && !a.Write {
		if p.Anonymous() {
			return nil, a, vigie.Errorf(vigie.EUNAUTHORIZED, "collection %s needs an API key", id)
		}
		return nil, a, vigie.Errorf(vigie.ENOTFOUND, "no collection %s in API root %q", id, root)
	}
	return c, a, nil
}

// Collections returns the collections of an API root that p may read or
// write, with p's access to each.
func (h *Hub) Collections(ctx context.Context, p vigie.Principal, root string) ([]*vigie.Collection, []vigie.Access, error) {
	all, err := h.store.ListCollections(ctx, root)
	if err != nil {
		return nil, nil, err
	}
	var cs []*vigie.Collection
	var as []vigie.Access
	for _, c := range all {
		if a := vigie.CollectionAccess(p, c); a.Read || a.Write {
			cs = append(cs, c)
			as = append(as, a)
		}
	}
	return cs, as, nil
}

// Objects returns a page of the collection's objects that p may read. The
// caller has checked a.Read; q.Scope is set here, and q.Limit capped.
func (h *Hub) Objects(ctx context.Context, p vigie.Principal, a vigie.Access, q *vigie.ObjectQuery) (*vigie.ObjectPage, error) {
	if !a.Read {
		return nil, vigie.Errorf(vigie.EFORBIDDEN, "you may not read this collection")
	}
	q.Scope = p.Scope(a, h.cfg.DefaultTLP)
	if q.Limit <= 0 || q.Limit > h.cfg.Limits.MaxPageSize {
		q.Limit = h.cfg.Limits.MaxPageSize
	}
	return h.store.Objects(ctx, q)
}

// Delete deletes the versions of one object that q selects. Publishers
// delete only what their organisation published; admins delete any version
// they can read. ENOTFOUND when nothing matched.
func (h *Hub) Delete(ctx context.Context, p vigie.Principal, a vigie.Access, q *vigie.ObjectQuery) (int, error) {
	if !a.Write {
		return 0, vigie.Errorf(vigie.EFORBIDDEN, "you may not write to this collection")
	}
	q.Scope = p.Scope(a, h.cfg.DefaultTLP)
	if p.Role != vigie.RoleAdmin {
		q.Publisher = p.OrgID
	}
	n, err := h.store.DeleteObjects(ctx, q)
	if err == nil && n == 0 {
		return 0, vigie.Errorf(vigie.ENOTFOUND, "no object %v that you may delete", q.IDs)
	}
	return n, err
}

// Status returns a status resource of root posted by p's organisation;
// anyone else's is ENOTFOUND.
func (h *Hub) Status(ctx context.Context, p vigie.Principal, root, id string) (*vigie.Status, error) {
	st, err := h.store.FindStatus(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Anonymous() || st.OrgID != p.OrgID || st.Root != root {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no status %s", id)
	}
	return st, nil
}

// PurgeStatuses deletes status resources older than the retention period.
func (h *Hub) PurgeStatuses(ctx context.Context) (int, error) {
	return h.store.PurgeStatuses(ctx, h.now().Add(-h.cfg.Limits.StatusRetention))
}
