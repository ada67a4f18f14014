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

// Sightings back: between its long polls, a puller sends the peer what
// this hub's members sighted of the indicators that came through it
// (hub.SightingsBack), once every Options.SightingsEvery. Each local
// collection is a stream with its own cursor in the peer's state; a report
// is sent, then the cursor moves. The peer adds a report only if it starts
// at or after the position it recorded for the stream, so a report sent
// again after a crash counts once.

// sightingsRound sends what is new if the time has come, and backs off
// after a failure; it never fails the pull.
func (p *puller) sightingsRound(ctx context.Context, tc *taxii.Client) {
	p.everySightings(ctx, func() error { return p.sendSightings(ctx, tc) })
}

// everySightings runs exchange (sending or fetching sightings) if the
// time has come, and backs off after a failure, which it records.
func (p *puller) everySightings(ctx context.Context, exchange func() error) {
	now := time.Now()
	if now.Before(p.sightingsNext) {
		return
	}
	if err := exchange(); err != nil {
		if errGoneOrDone(ctx, err) {
			return
		}
		p.sightingsFailures++
		p.sightingsNext = now.Add(backoff(p.opts.MinBackoff, p.opts.MaxBackoff, p.sightingsFailures))
		p.fail(ctx, fmt.Errorf("sightings back: %w", err))
		return
	}
	p.sightingsFailures = 0
	p.sightingsNext = now.Add(p.opts.SightingsEvery)
}

func errGoneOrDone(ctx context.Context, err error) bool {
	return errors.Is(err, errGone) || ctx.Err() != nil
}

// sendSightings sends every stream's new sightings.
func (p *puller) sendSightings(ctx context.Context, tc *taxii.Client) error {
	colls, err := p.hub.AllCollections(ctx, hub.Console())
	if err != nil {
		return err
	}
	for _, c := range colls {
		if err := p.sendStream(ctx, tc, c.ID); err != nil {
			return err
		}
	}
	return nil
}

// sendStream sends the sightings of one local collection page by page,
// moving its cursor after each page the peer took (or had already).
func (p *puller) sendStream(ctx context.Context, tc *taxii.Client, coll string) error {
	stream := hub.SightingStream(coll)
	for {
		after := p.state.SightingStreams[stream]
		var from time.Time
		if after > 0 {
			from = time.UnixMicro(after)
		}
		list, through, more, err := p.hub.SightingsBack(ctx, hub.Console(), p.peer, coll, from, min(p.opts.PageSize, hub.SightingsScan))
		if err != nil {
			return err
		}
		pos := through.UnixMicro()
		if through.IsZero() || pos <= after {
			return nil
		}
		if len(list) > 0 {
			if pos, err = p.report(ctx, tc, &vigie.SightingReport{Stream: stream, After: after, Through: pos, Sightings: list}); err != nil {
				return err
			}
		}
		if p.state.SightingStreams == nil {
			p.state.SightingStreams = map[string]int64{}
		}
		p.state.SightingStreams[stream] = max(pos, after)
		if err := p.save(ctx); err != nil {
			return err
		}
		if !more {
			return nil
		}
	}
}

// report posts one report and returns the stream's position on the peer:
// the report's end, or further if the peer had it already.
func (p *puller) report(ctx context.Context, tc *taxii.Client, r *vigie.SightingReport) (int64, error) {
	rctx, cancel := context.WithTimeout(ctx, p.opts.RequestTimeout)
	defer cancel()
	res, err := tc.ReportSightings(rctx, root, p.peer.RemoteCollection, r)
	if err != nil {
		return 0, err
	}
	if !res.Added {
		p.log.Info("federation: the peer had these sightings already", slog.Int64("position", res.Position))
		return res.Position, nil
	}
	for _, s := range r.Sightings {
		p.state.Stats.SightingsSent += s.Count
	}
	p.state.Stats.SightingsDropped += int64(res.Dropped)
	return r.Through, nil
}

// fetchSightings is the push direction: this hub cannot be reached, so
// it fetches from the peer it pushes to what the peer's members sighted of the indicators it pushed, stream
// by stream, and stores it (hub.AcceptPulledSightings) before moving the
// stream's cursor; this hub's record of the position makes a report
// fetched twice count once.
func (p pusher) fetchSightings(ctx context.Context, tc *taxii.Client) error {
	rctx, cancel := context.WithTimeout(ctx, p.opts.RequestTimeout)
	list, err := tc.FetchSightings(rctx, root, p.peer.RemoteCollection, "", 0)
	cancel()
	if err != nil {
		return err
	}
	for _, stream := range list.Streams {
		if err := p.fetchStream(ctx, tc, stream); err != nil {
			return err
		}
	}
	return nil
}

// fetchStream fetches and stores one stream's reports until it has no more.
func (p pusher) fetchStream(ctx context.Context, tc *taxii.Client, stream string) error {
	for {
		after := p.state.SightingStreams[stream]
		rctx, cancel := context.WithTimeout(ctx, p.opts.RequestTimeout)
		page, err := tc.FetchSightings(rctx, root, p.peer.RemoteCollection, stream, after)
		cancel()
		if err != nil {
			return err
		}
		r := page.Report
		if r == nil || r.Stream != stream || r.After != after || r.Through <= after {
			return nil // nothing new (or an answer that is not one)
		}
		pos := r.Through
		if len(r.Sightings) > 0 {
			res, err := p.hub.AcceptPulledSightings(ctx, hub.Console(), p.peer, r)
			if err != nil {
				return fmt.Errorf("storing sightings: %w", err)
			}
			if res.Added {
				for _, s := range r.Sightings {
					p.state.Stats.SightingsReceived += s.Count
				}
			}
			pos = max(pos, res.Position)
		}
		if p.state.SightingStreams == nil {
			p.state.SightingStreams = map[string]int64{}
		}
		p.state.SightingStreams[stream] = pos
		if err := p.save(ctx); err != nil {
			return err
		}
		if !page.More {
			return nil
		}
	}
}
