package federation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/client"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/taxii"
)

// root is the API root of the client: the peer URL is the API root itself.
const root = "."

// puller pulls from one peer.
type puller struct {
	hub   *hub.Hub
	peer  *vigie.Peer
	opts  Options
	log   *slog.Logger
	state vigie.PeerState

	sightingsNext     time.Time // when sightings are next sent back (sightings.go)
	sightingsFailures int
}

func newPuller(h *hub.Hub, p *vigie.Peer, opts Options) *puller {
	return &puller{hub: h, peer: p, opts: opts, state: p.State,
		log: opts.Logger.With(slog.String("peer", p.Name))}
}

// errGone stops a puller whose peer was removed.
var errGone = errors.New("peer removed")

// run pulls until ctx ends: catch up, wait for news, again; on failure,
// back off with jitter.
func (p *puller) run(ctx context.Context) {
	tc, err := p.client()
	if err != nil {
		p.fail(ctx, err)
		return // the configuration is wrong: a change restarts the puller
	}
	failures := 0
	for ctx.Err() == nil {
		err := p.catchUp(ctx, tc)
		if err == nil {
			failures = 0
			p.sightingsRound(ctx, tc)
			err = p.waitForNews(ctx, tc)
		}
		if errors.Is(err, errGone) || ctx.Err() != nil {
			return
		}
		if err != nil {
			failures++
			p.fail(ctx, err)
			if !sleep(ctx, backoff(p.opts.MinBackoff, p.opts.MaxBackoff, failures)) {
				return
			}
		}
	}
}

// client returns the TAXII client of the peer, with its own connections
// (at most two at a time) and the peer's certificate checks.
func (p *puller) client() (*taxii.Client, error) {
	t := client.TLS{Fingerprint: p.peer.Fingerprint, CAPEM: []byte(p.peer.CAPEM), Insecure: p.opts.Insecure && strings.HasPrefix(p.peer.URL, "https:")}
	if len(t.CAPEM) == 0 {
		t.CAPEM = nil
	}
	hc, err := client.NewHTTPClient(p.peer.URL, t, 0) // each request has its own deadline
	if err != nil {
		return nil, err
	}
	if tr, ok := unwrapTransport(hc.Transport); ok {
		tr.MaxConnsPerHost = 2
	}
	return taxii.NewClient(p.peer.URL, p.peer.Key.Reveal(), hc)
}

// catchUp relays every page of objects, then of tombstones, after the
// cursors, saving the cursors after each page.
func (p *puller) catchUp(ctx context.Context, tc *taxii.Client) error {
	before := p.state
	ctx, stop := context.WithCancel(ctx)
	defer stop() // a page fetched ahead is dropped when relaying fails
	fetched := p.fetchObjects(ctx, tc, p.state.Cursor, "")
	for {
		got := <-fetched
		if got.err != nil {
			return got.err
		}
		env, page := got.env, got.page
		if len(env.Objects) != len(env.Records) {
			return fmt.Errorf("the peer sent %d objects with %d provenance records: is the key a key of role peer on a vigie hub?", len(env.Objects), len(env.Records))
		}
		more := env.More && env.Next != "" && len(env.Objects) > 0
		if more {
			// The next page is asked for while this one is relayed: the
			// peer serves it as this hub stores. The request is the one a
			// strictly serial pull would make after this page.
			cursor := p.state.Cursor
			if !page.DateAddedLast.IsZero() {
				cursor = page.DateAddedLast
			}
			fetched = p.fetchObjects(ctx, tc, cursor, env.Next)
		}
		if len(env.Objects) > 0 {
			items := make([]hub.RelayItem, len(env.Objects))
			for i, raw := range env.Objects {
				r := env.Records[i]
				items[i] = hub.RelayItem{ID: r.ID, Raw: raw, OriginHub: r.OriginHub, OriginOrg: r.OriginOrg, OriginOrgName: r.OriginOrgName}
			}
			stats, err := p.hub.Relay(ctx, hub.Console(), p.peer, items)
			if err != nil {
				return fmt.Errorf("relaying: %w", err)
			}
			p.state.Stats.Add(stats)
			if !page.DateAddedLast.IsZero() {
				p.state.Cursor = page.DateAddedLast
			}
		}
		p.state.CaughtUp = !env.More
		p.state.Backlog = 0
		if env.More {
			p.state.Backlog = int64(len(env.Objects)) // at least another page
		}
		if len(env.Objects) > 0 {
			if err := p.save(ctx); err != nil {
				return err
			}
		}
		if !more {
			break
		}
	}
	next := ""
	for {
		rctx, cancel := context.WithTimeout(ctx, p.opts.RequestTimeout)
		ts, page, err := tc.Tombstones(rctx, root, p.peer.RemoteCollection, p.state.TombCursor, p.opts.PageSize, next)
		cancel()
		if err != nil {
			return fmt.Errorf("tombstones: %w", err)
		}
		if len(ts.Tombstones) > 0 {
			list := make([]hub.RelayTombstone, len(ts.Tombstones))
			for i, t := range ts.Tombstones {
				list[i] = hub.RelayTombstone{ID: t.ID, Version: t.Version, Kind: t.Kind, OriginHub: t.OriginHub, OriginOrg: t.OriginOrg}
			}
			n, err := p.hub.RelayTombstones(ctx, hub.Console(), p.peer, list)
			if err != nil {
				return fmt.Errorf("relaying tombstones: %w", err)
			}
			p.state.Stats.Retracted += n
			if !page.DateAddedLast.IsZero() {
				p.state.TombCursor = page.DateAddedLast
			}
		}
		if !ts.More || ts.Next == "" || len(ts.Tombstones) == 0 {
			break
		}
		if err := p.save(ctx); err != nil {
			return err
		}
		next = ts.Next
	}
	// A round that found nothing new writes nothing, but once a minute
	// (LastSync for "peer list"): idle peers cost no writes.
	idle := p.state.Cursor.Equal(before.Cursor) && p.state.TombCursor.Equal(before.TombCursor) && p.state.Stats == before.Stats &&
		p.state.CaughtUp == before.CaughtUp && before.LastError == "" && time.Since(before.LastSync) < time.Minute
	if idle {
		return nil
	}
	p.state.LastSync, p.state.LastError, p.state.ErrorAt = time.Now().UTC(), "", time.Time{}
	return p.save(ctx)
}

// recheck is how long a puller waits on long polls that say "nothing new"
// before it pages again all the same.
const recheck = 5 * time.Minute

// objectsPage is one page of the peer's objects, or why it could not be
// read.
type objectsPage struct {
	env  *taxii.Envelope
	page taxii.Page
	err  error
}

// fetchObjects reads one page of the peer's objects (every version added
// after cursor, from the opaque next) in the background; the channel
// gives the page once.
func (p *puller) fetchObjects(ctx context.Context, tc *taxii.Client, cursor time.Time, next string) <-chan objectsPage {
	out := make(chan objectsPage, 1)
	go func() {
		rctx, cancel := context.WithTimeout(ctx, p.opts.RequestTimeout)
		defer cancel()
		env, page, err := tc.Objects(rctx, root, p.peer.RemoteCollection,
			taxii.Filter{AddedAfter: cursor, Limit: p.opts.PageSize, Versions: vigie.VersionFilter{All: true}}, next)
		out <- objectsPage{env: env, page: page, err: err}
	}()
	return out
}

// waitForNews holds on the peer's wake-up long poll, again and again,
// until it says there is news for us (each poll checks before it waits,
// so nothing is missed between two), or recheck passes. A hub without the
// long poll is polled every 5 s.
func (p *puller) waitForNews(ctx context.Context, tc *taxii.Client) error {
	since := time.Now()
	for time.Since(since) < recheck && ctx.Err() == nil {
		p.sightingsRound(ctx, tc)
		rctx, cancel := context.WithTimeout(ctx, p.opts.WaitTimeout+p.opts.RequestTimeout)
		changed, err := tc.Wait(rctx, root, p.peer.RemoteCollection, p.state.Cursor, p.state.TombCursor, p.opts.WaitTimeout)
		cancel()
		var te *taxii.Error
		if errors.As(err, &te) && te.HTTPStatus == "404" {
			sleep(ctx, 5*time.Second)
			return nil
		}
		if err != nil || changed {
			return err
		}
	}
	return nil
}

// save records the state; a removed peer stops its puller.
func (p *puller) save(ctx context.Context) error {
	err := p.hub.SavePeerState(ctx, hub.Console(), p.peer.Name, p.state)
	if vigie.ErrorCode(err) == vigie.ENOTFOUND {
		return errGone
	}
	return err
}

// fail records and logs a failure, never with the peer's key.
func (p *puller) fail(ctx context.Context, err error) {
	msg := err.Error()
	if k := p.peer.Key.Reveal(); k != "" {
		msg = strings.ReplaceAll(msg, k, p.peer.Key.String())
	}
	p.state.LastError, p.state.ErrorAt = clip(msg, 500), time.Now().UTC()
	p.log.Warn("federation: pulling from peer failed", slog.String("err", p.state.LastError))
	if ctx.Err() == nil {
		p.save(ctx)
	}
}

// backoff returns the delay before retry n (from 1): min doubling to max,
// with jitter (half of it random) so that peers do not retry in step.
func backoff(lo, hi time.Duration, n int) time.Duration {
	d := lo
	for i := 1; i < n && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	return d/2 + rand.N(d/2+1)
}

// sleep waits d, or less when ctx ends (then it returns false).
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// unwrapTransport finds the *http.Transport under the client's wrappers.
func unwrapTransport(rt http.RoundTripper) (*http.Transport, bool) {
	for range 4 {
		switch t := rt.(type) {
		case *http.Transport:
			return t, true
		case interface{ Unwrap() http.RoundTripper }:
			rt = t.Unwrap()
		default:
			return nil, false
		}
	}
	return nil, false
}
