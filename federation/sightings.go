package federation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	now := time.Now()
	if now.Before(p.sightingsNext) {
		return
	}
	if err := p.sendSightings(ctx, tc); err != nil {
		if errGoneOrDone(ctx, err) {
			return
		}
		p.sightingsFailures++
		p.sightingsNext = now.Add(backoff(p.opts.MinBackoff, p.opts.MaxBackoff, p.sightingsFailures))
		p.fail(ctx, fmt.Errorf("sending sightings back: %w", err))
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
	stream := streamName(coll)
	for {
		after := p.state.SightingStreams[stream]
		var from time.Time
		if after > 0 {
			from = time.UnixMicro(after)
		}
		list, through, more, err := p.hub.SightingsBack(ctx, hub.Console(), p.peer, coll, from, min(p.opts.PageSize, sightingsPage))
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

// sightingsPage bounds the object versions scanned for one report, so
// that a report stays well under any API root's request limit.
const sightingsPage = 2000

// streamName names a local collection's stream to the peer without giving
// its id.
func streamName(coll string) string {
	sum := sha256.Sum256([]byte("vigie sightings stream\x00" + coll))
	return hex.EncodeToString(sum[:12])
}
