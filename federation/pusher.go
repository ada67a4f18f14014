package federation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/taxii"
)

// pusher posts what may leave the peer's local collection into its remote
// collection (push mode, for a peer that cannot reach this hub). The
// cursors are this hub's date_added of the last object and tombstone
// pushed.
type pusher struct{ *puller }

// run pushes until ctx ends: everything new, then wait for local news.
func (p pusher) run(ctx context.Context) {
	tc, err := p.client()
	if err != nil {
		p.fail(ctx, err)
		return
	}
	failures := 0
	for ctx.Err() == nil {
		err := p.pushAll(ctx, tc)
		if errors.Is(err, errGone) || ctx.Err() != nil {
			return
		}
		if err != nil {
			failures++
			p.fail(ctx, err)
			if !sleep(ctx, backoff(p.opts.MinBackoff, p.opts.MaxBackoff, failures)) {
				return
			}
			continue
		}
		failures = 0
		p.everySightings(ctx, func() error { return p.fetchSightings(ctx, tc) })
		p.hub.WaitLocal(ctx, p.opts.WaitTimeout)
	}
}

// pushAll pushes every page of objects, then of tombstones, after the
// cursors, saving them after each accepted page.
func (p pusher) pushAll(ctx context.Context, tc *taxii.Client) error {
	for {
		page, prov, err := p.hub.Egress(ctx, hub.Console(), p.peer, p.state.Cursor, p.opts.PageSize)
		if err != nil {
			return err
		}
		if len(page.Objects) == 0 {
			break
		}
		push := &taxii.Push{}
		for i, o := range page.Objects {
			push.Objects = append(push.Objects, o.Raw)
			push.Records = append(push.Records, taxii.Record{ID: o.ID, DateAdded: taxii.FormatTimestamp(o.DateAdded),
				OriginHub: prov[i].OriginHub, OriginOrg: prov[i].OriginOrg, OriginOrgName: prov[i].OriginOrgName})
		}
		if err := p.send(ctx, tc, push); err != nil {
			return err
		}
		p.state.Cursor = page.Objects[len(page.Objects)-1].DateAdded
		p.state.Backlog = 0
		if page.More {
			p.state.Backlog = int64(len(page.Objects))
		}
		if err := p.save(ctx); err != nil {
			return err
		}
		if !page.More {
			break
		}
	}
	for {
		page, prov, err := p.hub.EgressTombstones(ctx, hub.Console(), p.peer, p.state.TombCursor, p.opts.PageSize)
		if err != nil {
			return err
		}
		if len(page.Tombstones) == 0 {
			break
		}
		push := &taxii.Push{}
		for i, t := range page.Tombstones {
			push.Tombstones = append(push.Tombstones, taxii.Tombstone{ID: t.ID, Version: t.Version, DateAdded: taxii.FormatTimestamp(t.DateAdded),
				Kind: t.Kind, OriginHub: prov[i].OriginHub, OriginOrg: prov[i].OriginOrg})
		}
		if err := p.send(ctx, tc, push); err != nil {
			return err
		}
		p.state.TombCursor = page.Tombstones[len(page.Tombstones)-1].DateAdded
		if err := p.save(ctx); err != nil {
			return err
		}
		if !page.More {
			break
		}
	}
	p.state.CaughtUp, p.state.Backlog = true, 0
	p.state.LastSync, p.state.LastError, p.state.ErrorAt = time.Now().UTC(), "", time.Time{}
	return p.save(ctx)
}

// send posts one push and counts what the peer did with it.
func (p pusher) send(ctx context.Context, tc *taxii.Client, push *taxii.Push) error {
	rctx, cancel := context.WithTimeout(ctx, p.opts.RequestTimeout)
	defer cancel()
	res, err := tc.Push(rctx, root, p.peer.RemoteCollection, push)
	if err != nil {
		return fmt.Errorf("pushing: %w", err)
	}
	s := &p.state.Stats
	s.Received += int64(len(push.Objects))
	s.Stored += res.Stored
	s.Duplicates += res.Duplicates
	s.Invalid += res.Dropped // as the peer counted them (its reasons stay there)
	s.Retracted += res.Retracted
	if res.Dropped > 0 {
		p.log.Info("federation: the peer dropped pushed objects", slog.Int64("count", res.Dropped))
	}
	return nil
}

// newWorker returns the puller or pusher of a peer.
func newWorker(h *hub.Hub, peer *vigie.Peer, opts Options) interface{ run(context.Context) } {
	if peer.Push {
		return pusher{newPuller(h, peer, opts)}
	}
	return newPuller(h, peer, opts)
}
