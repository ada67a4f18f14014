package hub

import (
	"context"
	"hash/maphash"
	"slices"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/export"
	"github.com/vigie-cti/vigie/sensor"
)

// ExportQuery selects the indicators of an export (Zeek, Suricata, RPZ,
// lists, CSV).
type ExportQuery struct {
	Root        string   // an API root; "" for every root
	Collections []string // collection ids; none: every collection the caller may read
	// MaxTLP is the most restrictive marking exported (TLPNone: up to
	// AMBER+STRICT). An export becomes a file on sensors, resolvers and
	// firewalls that more people than the recipients reach, so RED is
	// exported only when asked for, and only what the caller may read.
	MaxTLP vigie.TLP
}

// ExportStats counts what ExportIndicators read and left out.
type ExportStats struct {
	Collections int // collections read
	Indicators  int // indicators given to fn
	Inactive    int // revoked, expired (valid_until passed) or not yet valid
	AboveTLP    int // readable by the caller but above MaxTLP
	Unreadable  int // stored versions that do not read as indicators
	Duplicates  int // the same indicator in another collection
}

// ExportIndicators calls fn with every active indicator p may export: the
// last version p may read (vigie.CanRead, through the store's read scope)
// of each indicator in the collections p may read, that is not revoked,
// is valid now (valid_from passed, valid_until not), and whose effective
// TLP is at most q.MaxTLP. It needs an organisation's key (EUNAUTHORIZED
// without one); a collection of q.Collections that p may not read is
// ENOTFOUND, as if it did not exist. Indicators come one at a time, never
// all in memory; fn's error stops the walk and is returned.
func (h *Hub) ExportIndicators(ctx context.Context, p vigie.Principal, q ExportQuery, fn func(*export.Indicator) error) (ExportStats, error) {
	var st ExportStats
	if err := member(p, vigie.RoleReader); err != nil {
		return st, err
	}
	max := q.MaxTLP
	if max == vigie.TLPNone {
		max = vigie.TLPAmberStrict
	}
	all, err := h.store.ListCollections(ctx, q.Root)
	if err != nil {
		return st, err
	}
	type target struct {
		c *vigie.Collection
		a vigie.Access
	}
	var targets []target
	for _, c := range all {
		a := vigie.CollectionAccess(p, c)
		if !a.Read || len(q.Collections) > 0 && !slices.Contains(q.Collections, c.ID) {
			continue
		}
		targets = append(targets, target{c, a})
	}
	for _, id := range q.Collections {
		if !slices.ContainsFunc(targets, func(t target) bool { return t.c.ID == id }) {
			return st, vigie.Errorf(vigie.ENOTFOUND, "no collection %s you may read", id)
		}
	}
	now := h.now()
	// An indicator published in several collections is exported once:
	// the hashes of the ids seen, when there is more than one collection.
	var seen map[uint64]struct{}
	seed := maphash.MakeSeed()
	if len(targets) > 1 {
		seen = map[uint64]struct{}{}
	}
	var out export.Indicator
	for _, t := range targets {
		st.Collections++
		scope := p.Scope(t.a, h.cfg.DefaultTLP)
		oq := &vigie.ObjectQuery{Collection: t.c.ID, Scope: scope, Types: []string{"indicator"}}
		err := h.store.EachObject(ctx, oq, func(o *vigie.Object) error {
			if !vigie.CanRead(scope, o.Sharing) {
				return vigie.Errorf(vigie.EINTERNAL, "store returned %s, which the reader may not read", o.ID)
			}
			if o.TLP.Effective(h.cfg.DefaultTLP) > max {
				st.AboveTLP++
				return nil
			}
			ind, err := sensor.ParseIndicator(o.Raw)
			if err != nil {
				st.Unreadable++
				return nil
			}
			if ind.Revoked || ind.Expired(now) || ind.ValidFrom.After(now) {
				st.Inactive++
				return nil
			}
			if seen != nil {
				k := maphash.String(seed, ind.ID)
				if _, dup := seen[k]; dup {
					st.Duplicates++
					return nil
				}
				seen[k] = struct{}{}
			}
			out = export.Indicator{ID: ind.ID, Name: ind.Name, PatternType: ind.PatternType, Pattern: ind.Pattern}
			st.Indicators++
			return fn(&out) // EachObject returns fn's error as it is
		})
		if err != nil {
			return st, err
		}
	}
	return st, nil
}
