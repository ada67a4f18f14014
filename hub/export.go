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
	// MaxTLP, if set, is the most restrictive marking exported, below
	// what may leave the hub anyway.
	MaxTLP vigie.TLP
}

// ExportStats counts what ExportIndicators read and left out.
type ExportStats struct {
	Collections int // collections read
	Indicators  int // indicators given to fn
	Inactive    int // revoked, expired (valid_until passed) or not yet valid
	KeptOnHub   int // readable by the caller, but another organisation's AMBER, AMBER+STRICT or RED
	AboveTLP    int // above MaxTLP
	Unreadable  int // stored versions that do not read as indicators
	Duplicates  int // the same indicator in another collection
}

// ExportIndicators calls fn with every active indicator p may export: the
// last version p may read (vigie.CanRead, through the store's read scope)
// of each indicator in the collections p may read, that may leave the hub
// for p (mayExport: p's organisation's own, or CLEAR, or GREEN read as a
// member of the collection's communities; another organisation's AMBER,
// AMBER+STRICT and RED never, even for a named recipient), that is not
// revoked, is valid now (valid_from passed, valid_until not), and whose
// effective TLP is at most q.MaxTLP if set. It needs an organisation's key (EUNAUTHORIZED
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
		max = vigie.TLPRed
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
	// Two goroutines share the work: this one's caller parses and writes
	// while another reads the next rows from the store, in batches of
	// exportBatch raw indicators (copied: the store reuses its buffers).
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *rawBatch, 2)
	free := make(chan *rawBatch, 3)
	var readErr error
	var collections, aboveTLP, kept int
	go func() {
		defer close(batches)
		b := &rawBatch{}
		send := func() error {
			if len(b.ends) == 0 {
				return nil
			}
			select {
			case batches <- b:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case b = <-free:
				b.buf, b.ends = b.buf[:0], b.ends[:0]
			default:
				b = &rawBatch{}
			}
			return nil
		}
		for _, t := range targets {
			collections++
			scope := p.Scope(t.a, h.cfg.DefaultTLP)
			oq := &vigie.ObjectQuery{Collection: t.c.ID, Scope: scope, Types: []string{"indicator"}}
			err := h.store.EachObject(ctx, oq, func(o *vigie.Object) error {
				if !vigie.CanRead(scope, o.Sharing) {
					return vigie.Errorf(vigie.EINTERNAL, "store returned %s, which the reader may not read", o.ID)
				}
				if !h.mayExport(p, t.a, o) {
					kept++
					return nil
				}
				if o.TLP.Effective(h.cfg.DefaultTLP) > max {
					aboveTLP++
					return nil
				}
				b.buf = append(b.buf, o.Raw...)
				b.ends = append(b.ends, len(b.buf))
				if len(b.ends) == exportBatch {
					return send()
				}
				return nil
			})
			if err != nil {
				readErr = err
				return
			}
		}
		readErr = send()
	}()

	// An indicator published in several collections is exported once:
	// the hashes of the ids seen, when there is more than one collection.
	var seen map[uint64]struct{}
	seed := maphash.MakeSeed()
	if len(targets) > 1 {
		seen = map[uint64]struct{}{}
	}
	var out export.Indicator
	var fnErr error
	for b := range batches {
		start := 0
		for _, end := range b.ends {
			raw := b.buf[start:end]
			start = end
			if fnErr != nil {
				break // drain: the reader stops at the cancellation
			}
			ind, err := sensor.ParseIndicator(raw)
			if err != nil {
				st.Unreadable++
				continue
			}
			if ind.Revoked || ind.Expired(now) || ind.ValidFrom.After(now) {
				st.Inactive++
				continue
			}
			if seen != nil {
				k := maphash.String(seed, ind.ID)
				if _, dup := seen[k]; dup {
					st.Duplicates++
					continue
				}
				seen[k] = struct{}{}
			}
			out = export.Indicator{ID: ind.ID, Name: ind.Name, PatternType: ind.PatternType, Pattern: ind.Pattern}
			st.Indicators++
			if fnErr = fn(&out); fnErr != nil {
				cancel()
			}
		}
		select {
		case free <- b:
		default:
		}
	}
	// The reader has returned (batches is closed): its counts are final.
	st.Collections, st.AboveTLP, st.KeptOnHub = collections, aboveTLP, kept
	if fnErr != nil {
		return st, fnErr
	}
	return st, readErr
}

// exportBatch is how many raw indicators the store reader hands over at
// once.
const exportBatch = 512

// rawBatch holds raw indicators end to end: the i-th is
// buf[ends[i-1]:ends[i]].
type rawBatch struct {
	buf  []byte
	ends []int
}
