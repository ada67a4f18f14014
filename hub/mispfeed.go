package hub

import (
	"context"
	"encoding/json"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/misp"
)

// MISPFeed returns the MISP feed of a collection as p may take it off the
// hub: the last version of each object p may read that may also leave the
// hub for p's organisation (mayExport), as MISP events (see misp.Feed).
// It needs an organisation's key: a feed is per key. ENOTFOUND for a
// collection p may not read.
func (h *Hub) MISPFeed(ctx context.Context, p vigie.Principal, root, collection string) ([]*misp.FeedEvent, error) {
	c, a, feed, err := h.feedScope(ctx, p, root, collection)
	if err != nil {
		return nil, err
	}
	var after time.Time
	for {
		page, err := h.Objects(ctx, p, a, &vigie.ObjectQuery{Collection: c.ID, AddedAfter: after})
		if err != nil {
			return nil, err
		}
		for _, o := range page.Objects {
			after = o.DateAdded
			if err := h.addToFeed(feed, p, a, o); err != nil {
				return nil, err
			}
		}
		if !page.More || len(page.Objects) == 0 {
			break
		}
	}
	return feed.Events(), nil
}

// MISPFeedEvent returns one event of the collection's MISP feed (see
// MISPFeed). An event that is a report or grouping is built from that
// object and what it refers to, read by id, so that a MISP instance
// fetching the events of a large collection one by one does not make the
// hub read the whole collection for each; the feed's per-day events of
// loose indicators come from the whole feed. ENOTFOUND when the feed has
// no such event for p.
func (h *Hub) MISPFeedEvent(ctx context.Context, p vigie.Principal, root, collection, uuid string) (*misp.FeedEvent, error) {
	c, a, feed, err := h.feedScope(ctx, p, root, collection)
	if err != nil {
		return nil, err
	}
	ids := []string{"report--" + uuid, "grouping--" + uuid}
	found := false
	seen := map[string]bool{}
	for level := 0; level < 4 && len(ids) > 0; level++ {
		var next []string
		for start := 0; start < len(ids); start += 1000 {
			page, err := h.Objects(ctx, p, a, &vigie.ObjectQuery{Collection: c.ID, IDs: ids[start:min(start+1000, len(ids))]})
			if err != nil {
				return nil, err
			}
			for _, o := range page.Objects {
				if seen[o.ID] || !h.mayExport(p, a, o) {
					continue
				}
				seen[o.ID] = true
				found = found || level == 0
				if err := feed.Add(o.Raw, o.Publisher); err != nil {
					return nil, err
				}
				next = append(next, feedRefs(o.Raw, seen)...)
			}
		}
		if !found {
			break
		}
		ids = next
	}
	var events []*misp.FeedEvent
	if found {
		events = feed.Events()
	} else if events, err = h.MISPFeed(ctx, p, root, collection); err != nil {
		return nil, err
	}
	for _, e := range events {
		if e.UUID == uuid {
			return e, nil
		}
	}
	return nil, vigie.Errorf(vigie.ENOTFOUND, "no event %s in this feed", uuid)
}

// feedScope checks that p may read the collection and returns it, p's
// access, and an empty feed that names the hub's organisations.
func (h *Hub) feedScope(ctx context.Context, p vigie.Principal, root, collection string) (*vigie.Collection, vigie.Access, *misp.Feed, error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, vigie.Access{}, nil, err
	}
	c, a, err := h.Collection(ctx, p, root, collection)
	if err != nil {
		return nil, a, nil, err
	}
	if !a.Read {
		return nil, a, nil, vigie.Errorf(vigie.EFORBIDDEN, "you may not read collection %s", collection)
	}
	orgs, err := h.store.ListOrgs(ctx)
	if err != nil {
		return nil, a, nil, err
	}
	names := make(map[string]string, len(orgs))
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	return c, a, misp.NewFeed(names), nil
}

// addToFeed adds o to feed if it may leave the hub for p.
func (h *Hub) addToFeed(feed *misp.Feed, p vigie.Principal, a vigie.Access, o *vigie.Object) error {
	if !h.mayExport(p, a, o) {
		return nil
	}
	return feed.Add(o.Raw, o.Publisher)
}

// feedRefs returns the ids an object of a feed event leads to (its
// contents, its SCOs and the SCOs they refer to, its author) that are not
// in seen.
func feedRefs(raw json.RawMessage, seen map[string]bool) []string {
	var o struct {
		ObjectRefs []string `json:"object_refs"`
		ResolvesTo []string `json:"resolves_to_refs"`
		Src        string   `json:"src_ref"`
		Dst        string   `json:"dst_ref"`
		CreatedBy  string   `json:"created_by_ref"`
	}
	if json.Unmarshal(raw, &o) != nil {
		return nil
	}
	var out []string
	for _, id := range append(append(o.ObjectRefs, o.ResolvesTo...), o.Src, o.Dst, o.CreatedBy) {
		if id != "" && !seen[id] {
			out = append(out, id)
		}
	}
	return out
}

// mayExport reports whether an object p may read may also be copied off
// the hub for p: p's organisation's own objects, and those whose TLP may
// leave the hub (vigie.MayLeave) towards a member of the collection's
// communities: CLEAR, and GREEN when p reads as a member. Another
// organisation's AMBER, AMBER+STRICT and RED never leave, even for a
// named recipient.
func (h *Hub) mayExport(p vigie.Principal, a vigie.Access, o *vigie.Object) bool {
	if !p.Anonymous() && o.Publisher == p.OrgID {
		return true
	}
	return vigie.MayLeave(o.TLP.Effective(h.cfg.DefaultTLP), a.Member)
}
