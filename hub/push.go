package hub

import (
	"context"
	"time"

	"github.com/vigie-cti/vigie"
)

// Push mode: a hub that cannot be reached from outside posts what may
// leave one of its collections into a collection of a peer that can be,
// with a key of role peer the receiving hub issued and a write grant on
// that collection. The receiving side applies Relay's rules; the sending
// side reads with the same egress rule as a pulling peer.

// pushPeer is the peer a push stands for on the receiving hub: named
// after the pushing organisation, so that its tombstones are followed
// only for what it pushed.
func pushPeer(p vigie.Principal, c *vigie.Collection) *vigie.Peer {
	return &vigie.Peer{Name: "push:" + p.OrgID, LocalCollection: c.ID}
}

// AcceptPush relays into collection id of root what a peer hub pushed:
// object versions with their provenance, then tombstones. The caller's key
// must be of role peer and its organisation named by a write grant of the
// collection (org:NAME, not through a community). Every rule of
// Relay applies. EFORBIDDEN for another key or
// without the grant, ENOTFOUND for a collection the caller may not see,
// ETOOLARGE beyond Limits.MaxObjects.
func (h *Hub) AcceptPush(ctx context.Context, p vigie.Principal, root, id string, items []RelayItem, tombs []RelayTombstone) (vigie.RelayStats, error) {
	var stats vigie.RelayStats
	if err := Allow(p, vigie.RolePeer); err != nil {
		return stats, err
	}
	c, err := h.pushCollection(ctx, p, root, id)
	if err != nil {
		return stats, err
	}
	if len(items)+len(tombs) > h.cfg.Limits.MaxObjects {
		return stats, vigie.Errorf(vigie.ETOOLARGE, "%d objects and tombstones in one push; the limit is %d", len(items)+len(tombs), h.cfg.Limits.MaxObjects)
	}
	peer := pushPeer(p, c)
	for attempt := 0; attempt < 3; attempt++ {
		if stats, err = h.relay(ctx, p, peer, items); vigie.ErrorCode(err) != vigie.ECONFLICT {
			break
		}
	}
	if err != nil {
		return stats, err
	}
	n, err := h.relayTombstones(ctx, p, peer, tombs)
	stats.Retracted = n
	return stats, err
}

// pushCollection returns collection id of root if p's organisation is
// named by one of its write grants (org:NAME, not through a community):
// the collection a peer hub pushes into. ENOTFOUND if p may not read it,
// EFORBIDDEN without that grant.
func (h *Hub) pushCollection(ctx context.Context, p vigie.Principal, root, id string) (*vigie.Collection, error) {
	c, err := h.store.FindCollection(ctx, root, id)
	if err != nil {
		return nil, err
	}
	if !p.NamedIn(c.Write) {
		if a := vigie.CollectionAccess(p, c); !a.Read {
			return nil, vigie.Errorf(vigie.ENOTFOUND, "no collection %s in API root %q", id, root)
		}
		return nil, vigie.Errorf(vigie.EFORBIDDEN, "pushing into collection %s needs a write grant naming your organisation (org:NAME; a community's grant is not enough)", id)
	}
	return c, nil
}

// egressScope is what a push peer may be sent from a collection this
// hub's operator chose to push: CLEAR and GREEN (the operator's choice of
// collection and peer stands for the community), never more, narrowed by
// the peer's egress policy.
func (h *Hub) egressScope(pol vigie.EgressPolicy) vigie.ReadScope {
	return vigie.ReadScope{Member: true, DefaultTLP: h.cfg.DefaultTLP, Egress: true, Policy: pol}
}

// Egress returns the next page of object versions (all versions) of the
// push peer's local collection added after after that may leave the hub
// to it (its egress policy applied), with their provenance. Operators
// only.
func (h *Hub) Egress(ctx context.Context, p vigie.Principal, peer *vigie.Peer, after time.Time, limit int) (*vigie.ObjectPage, []Provenance, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, nil, err
	}
	q := &vigie.ObjectQuery{Collection: peer.LocalCollection, Scope: h.egressScope(peer.Policy), AddedAfter: after, Limit: min(max(limit, 1), h.cfg.Limits.MaxPageSize),
		Versions: vigie.VersionFilter{All: true}}
	page, err := h.store.Objects(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	page.Objects = egressKept(q.Scope, page.Objects) // as for a pulling peer: checked twice
	prov, err := h.Provenance(ctx, p, page.Objects)
	return page, prov, err
}

// EgressTombstones returns the next page of tombstones of the push peer's
// local collection added after after that it may be sent (those of
// versions that could leave to it), with their provenance. Operators only.
func (h *Hub) EgressTombstones(ctx context.Context, p vigie.Principal, peer *vigie.Peer, after time.Time, limit int) (*vigie.TombstonePage, []Provenance, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, nil, err
	}
	q := &vigie.TombstoneQuery{Collection: peer.LocalCollection, Scope: h.egressScope(peer.Policy), AddedAfter: after, Limit: min(max(limit, 1), h.cfg.Limits.MaxPageSize)}
	page, err := h.store.Tombstones(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	kept := page.Tombstones[:0]
	objs := make([]*vigie.Object, 0, len(page.Tombstones))
	for _, t := range page.Tombstones {
		if vigie.MaySendTombstone(q.Scope, t) {
			kept = append(kept, t)
			objs = append(objs, &vigie.Object{ID: t.ID, Sharing: t.Sharing})
		}
	}
	page.Tombstones = kept
	prov, err := h.Provenance(ctx, p, objs)
	return page, prov, err
}

// WaitLocal returns when objects or tombstones may have been added to
// this hub, or after timeout: a pushing peer's wake-up.
func (h *Hub) WaitLocal(ctx context.Context, timeout time.Duration) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	case <-h.changes.wait():
	}
}
