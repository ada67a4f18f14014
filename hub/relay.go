package hub

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
)

// RelayItem is one object version a peer hub sent, with the provenance it
// claims for it.
type RelayItem struct {
	ID            string // the id the record names; the object must have it
	Raw           json.RawMessage
	OriginHub     string
	OriginOrg     string
	OriginOrgName string
}

// RelayTombstone is one version a peer hub says left its origin: deleted,
// or retracted by a narrowed marking.
type RelayTombstone struct {
	ID        string
	Version   string // "" for an SCO
	Kind      string
	OriginHub string
	OriginOrg string
}

// Relay stores in the peer's local collection the object versions a peer
// sent, as its origin organisation published them, and returns what became
// of them. Each goes through the rules of a local publish (STIX validity,
// patterns, clock, markings, authorship, ownership) as its origin
// organisation, and through these:
//
//   - one that originates from this hub (a loop), or that claims one of
//     this hub's organisations as its origin, author or identity, is
//     dropped and counted;
//   - only the owner of an id publishes its versions, whichever peer they
//     arrive through: the first version relayed (or published here)
//     decides, and the ownership records outlive deletion;
//   - one marked above TLP:GREEN is dropped: a peer must never send it;
//   - a version already stored (same id and modified) is stored once, so
//     chains and triangles deliver each version once.
//
// The origin (hub, organisation) of each id is recorded. Relayed objects
// wake the early-warning engine like local publishes. Operators only.
func (h *Hub) Relay(ctx context.Context, p vigie.Principal, peer *vigie.Peer, items []RelayItem) (vigie.RelayStats, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return vigie.RelayStats{}, err
	}
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		var stats vigie.RelayStats
		if stats, err = h.relay(ctx, p, peer, items); vigie.ErrorCode(err) != vigie.ECONFLICT {
			return stats, err
		}
	}
	return vigie.RelayStats{}, err
}

func (h *Hub) relay(ctx context.Context, p vigie.Principal, peer *vigie.Peer, items []RelayItem) (vigie.RelayStats, error) {
	var stats vigie.RelayStats
	stats.Received = int64(len(items))
	self, err := h.store.HubIdentity(ctx)
	if err != nil {
		return stats, err
	}
	c, err := h.collectionByID(ctx, peer.LocalCollection)
	if err != nil {
		return stats, err
	}
	now := h.now().UTC()
	orgs := orgIndex{store: h.store}
	st := &vigie.Status{ID: vigie.NewUUID(), Root: c.Root, RequestTime: now, Total: len(items)}
	// Group the valid items by origin organisation: each group is checked
	// as that organisation publishing.
	groups := map[string][]entry{}
	var order []string
	origins := map[string]vigie.Origin{}
	for _, it := range items {
		switch {
		case it.OriginHub == "" || !strings.HasPrefix(it.OriginOrg, "identity--"):
			stats.Invalid++
			continue
		case it.OriginHub == self.ID:
			stats.Looped++
			continue
		}
		if local, err := orgs.isOrg(ctx, it.OriginOrg); err != nil {
			return stats, err
		} else if local {
			stats.Spoofed++
			continue
		}
		origin := vigie.Principal{OrgID: it.OriginOrg, Role: vigie.RolePublisher, Addr: p.Addr}
		e, err := h.prepare(ctx, origin, it.Raw, now, &orgs)
		switch {
		case vigie.ErrorCode(err) == vigie.EFORBIDDEN:
			stats.Spoofed++ // an author or identity of this hub's organisations
			continue
		case vigie.ErrorCode(err) == vigie.EINTERNAL:
			return stats, err
		case err != nil:
			stats.Invalid++
			continue
		}
		if e.o.ID != it.ID {
			stats.Invalid++ // the provenance record is another object's
			continue
		}
		if !vigie.MayLeave(e.o.TLP.Effective(h.cfg.DefaultTLP), true) {
			stats.TooRestricted++
			continue
		}
		if _, ok := groups[it.OriginOrg]; !ok {
			order = append(order, it.OriginOrg)
		}
		groups[it.OriginOrg] = append(groups[it.OriginOrg], e)
		if _, ok := origins[e.o.ID]; !ok {
			origins[e.o.ID] = vigie.Origin{ID: e.o.ID, Hub: it.OriginHub, Org: it.OriginOrg, OrgName: clip(it.OriginOrgName, 200), Peer: peer.Name}
		}
	}
	// Ownership, as each origin organisation. A member's access to the
	// collection: a version already stored there is a duplicate.
	access := vigie.Access{Read: true, Member: true}
	var objs []*vigie.Object
	known := map[string]bool{}
	for _, org := range order {
		origin := vigie.Principal{OrgID: org, Role: vigie.RolePublisher}
		got, _, err := h.checkOwnership(ctx, origin, access, c, groups[org], st, known)
		if err != nil {
			return stats, err
		}
		objs = append(objs, got...)
	}
	for _, f := range st.Failures {
		if f.Message == msgNotYours {
			stats.NotOwner++
		} else {
			stats.Invalid++
		}
	}
	stats.Duplicates += int64(len(st.Successes)) // "already stored" before the store was asked
	if len(objs) == 0 {
		return stats, nil
	}
	list := make([]vigie.Origin, 0, len(origins))
	for _, o := range objs {
		if og, ok := origins[o.ID]; ok {
			list = append(list, og)
			delete(origins, o.ID)
		}
	}
	// The origins first: a crash before the objects are stored leaves an
	// origin recorded for an id that will arrive again with the same one.
	if err := h.store.RecordOrigins(ctx, list); err != nil {
		return stats, err
	}
	before := len(st.Successes)
	outcome := vigie.OutcomeSuccess
	if len(objs) < len(items) {
		outcome = vigie.OutcomePartial // some were dropped (counted in the peer's state)
	}
	entry := h.newEntry(p, vigie.AuditRelay, "collection "+c.ID, outcome)
	entry.Reason = "from peer " + peer.Name
	withDetail(entry, map[string]any{"peer": peer.Name, "objects": len(objs)})
	if err := h.store.AddObjects(ctx, c.ID, objs, st, entry); err != nil {
		return stats, err
	}
	// A relayed version narrowed from CLEAR to GREEN retracts the CLEAR
	// ones from this hub's peers that read only CLEAR.
	if err := h.retractNarrowed(ctx, c, objs, st, before, known); err != nil {
		return stats, err
	}
	for _, d := range st.Successes[before:] {
		if d.Message == "" {
			stats.Stored++
		} else {
			stats.Duplicates++
		}
	}
	if stats.Stored > 0 {
		h.Changed()
		if h.cfg.OnPublish != nil {
			h.cfg.OnPublish()
		}
	}
	return stats, nil
}

// RelayTombstones deletes from the peer's local collection the versions a
// peer says left their origin. A tombstone is followed only for an object
// that first arrived through this peer, from the origin hub and owned by
// the organisation the tombstone names, so that no peer deletes this hub's
// own objects, nor objects another peer relayed. Deleting writes this hub's own tombstones, so that
// hubs pulling from this one follow in turn. It returns how many versions
// were deleted. Operators only.
func (h *Hub) RelayTombstones(ctx context.Context, p vigie.Principal, peer *vigie.Peer, tombs []RelayTombstone) (int64, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return 0, err
	}
	return h.relayTombstones(ctx, p, peer, tombs)
}

func (h *Hub) relayTombstones(ctx context.Context, p vigie.Principal, peer *vigie.Peer, tombs []RelayTombstone) (int64, error) {
	if len(tombs) == 0 {
		return 0, nil
	}
	self, err := h.store.HubIdentity(ctx)
	if err != nil {
		return 0, err
	}
	c, err := h.collectionByID(ctx, peer.LocalCollection)
	if err != nil {
		return 0, err
	}
	ids := make([]string, 0, len(tombs))
	for _, t := range tombs {
		ids = append(ids, t.ID)
	}
	origins, err := h.store.Origins(ctx, ids)
	if err != nil {
		return 0, err
	}
	owners, err := h.store.ObjectOwners(ctx, ids)
	if err != nil {
		return 0, err
	}
	var deleted int64
	for _, t := range tombs {
		og, relayed := origins[t.ID]
		// Only from the peer the object came through, for the origin and
		// owner recorded when it came.
		if !relayed || og.Peer != peer.Name || og.Hub != t.OriginHub || og.Hub == self.ID || owners[t.ID].Owner != t.OriginOrg || og.Org != t.OriginOrg {
			continue
		}
		key := unversioned
		if t.Version != "" {
			ts, err := time.Parse(time.RFC3339Nano, t.Version)
			if err != nil {
				continue
			}
			key = vigie.VersionKey(ts)
		}
		q := &vigie.ObjectQuery{Collection: c.ID, Scope: vigie.ReadScope{All: true}, IDs: []string{t.ID},
			Versions: vigie.VersionFilter{Exact: []string{key}}}
		n, err := h.store.DeleteObjects(ctx, q)
		if err != nil {
			return deleted, err
		}
		deleted += int64(n)
	}
	if deleted > 0 {
		h.Changed()
		e := h.newEntry(p, vigie.AuditRelayDelete, "collection "+c.ID, vigie.OutcomeSuccess)
		e.Reason = "their origin deleted or retracted them (peer " + peer.Name + ")"
		if err := h.record(ctx, withDetail(e, map[string]int64{"versions": deleted})); err != nil {
			return deleted, err
		}
	}
	return deleted, nil
}

// clip shortens s to at most n bytes, at a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
