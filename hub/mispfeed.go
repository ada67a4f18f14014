package hub

import (
	"context"
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
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	c, a, err := h.Collection(ctx, p, root, collection)
	if err != nil {
		return nil, err
	}
	if !a.Read {
		return nil, vigie.Errorf(vigie.EFORBIDDEN, "you may not read collection %s", collection)
	}
	orgs, err := h.store.ListOrgs(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(orgs))
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	feed := misp.NewFeed(names)
	var after time.Time
	for {
		page, err := h.Objects(ctx, p, a, &vigie.ObjectQuery{Collection: c.ID, AddedAfter: after})
		if err != nil {
			return nil, err
		}
		for _, o := range page.Objects {
			after = o.DateAdded
			if !h.mayExport(p, a, o) {
				continue
			}
			if err := feed.Add(o.Raw, o.Publisher); err != nil {
				return nil, err
			}
		}
		if !page.More || len(page.Objects) == 0 {
			break
		}
	}
	return feed.Events(), nil
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
