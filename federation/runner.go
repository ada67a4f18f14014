// Package federation pulls objects from peer hubs into this one (and
// pushes to those that cannot reach it: pusher.go). For each
// peer (registered with "vigie admin peer add", kept in the store) a
// Runner keeps one goroutine that pages through the remote collection over
// TAXII 2.1 (added_after, next, X-TAXII-Date-Added-Last), follows its
// tombstone feed, and then waits on its wake-up long poll, so that a new
// object arrives within a second. What arrives goes through the hub's
// Relay use case (package hub), which applies every rule; this package
// only moves bytes and keeps cursors.
//
// One peer never holds up another, nor local publishing: each has its own
// goroutine, HTTP client and connections, every request a timeout, and
// failures back off with jitter (1 s doubling to 5 min).
package federation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// Options tune a Runner; the zero value is the production setting.
type Options struct {
	Rescan         time.Duration // how often the list of peers is read (2 s): a new peer starts within it
	PageSize       int           // objects and tombstones asked per page (10,000, the most a vigie hub answers)
	WaitTimeout    time.Duration // how long one wake-up long poll may hold (25 s)
	RequestTimeout time.Duration // one page request (60 s)
	MinBackoff     time.Duration // first retry delay after a failure (1 s)
	MaxBackoff     time.Duration // longest retry delay (5 min)
	SightingsEvery time.Duration // how often sightings are sent back to a pulled peer (30 s; between long polls)
	Logger         *slog.Logger  // nil: discarded
	// Insecure accepts any certificate from https peers (tests only).
	Insecure bool
}

func (o *Options) defaults() {
	if o.Rescan <= 0 {
		o.Rescan = 2 * time.Second
	}
	if o.PageSize <= 0 {
		o.PageSize = 10000
	}
	if o.WaitTimeout <= 0 {
		o.WaitTimeout = 25 * time.Second
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 60 * time.Second
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(5*time.Minute, o.MinBackoff)
	}
	if o.SightingsEvery <= 0 {
		o.SightingsEvery = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Runner pulls from every active peer of a hub. Run it once per process;
// with several processes on one database each pulls (a version is stored
// once whoever stores it first).
type Runner struct {
	hub  *hub.Hub
	opts Options

	mu      sync.Mutex
	running map[string]*pullerHandle
}

type pullerHandle struct {
	config string // what the puller was started with; a change restarts it
	cancel context.CancelFunc
	done   chan struct{}
}

// New returns a runner for h.
func New(h *hub.Hub, opts Options) *Runner {
	opts.defaults()
	return &Runner{hub: h, opts: opts, running: map[string]*pullerHandle{}}
}

// Run starts and stops pullers as peers are added, paused, resumed, changed
// or removed, until ctx ends; then it stops them all and returns. Of the
// processes sharing a database, one pulls at a time (the others take
// over when it stops).
func (r *Runner) Run(ctx context.Context) {
	t := time.NewTicker(r.opts.Rescan)
	defer t.Stop()
	var release func()
	defer func() {
		if release != nil {
			release()
		}
	}()
	for {
		if release == nil {
			rel, ok, err := r.hub.LeadFederation(ctx, hub.Console())
			if err != nil && ctx.Err() == nil {
				r.opts.Logger.Warn("federation: leadership", slog.Any("err", err))
			}
			if ok {
				release = rel
			}
		}
		if release != nil {
			r.reconcile(ctx)
		}
		select {
		case <-ctx.Done():
			r.stopAll()
			return
		case <-t.C:
		}
	}
}

// reconcile makes the running pullers match the stored peers.
func (r *Runner) reconcile(ctx context.Context) {
	peers, err := r.hub.Peers(ctx, hub.Console())
	if err != nil {
		if ctx.Err() == nil {
			r.opts.Logger.Warn("federation: listing peers", slog.Any("err", err))
		}
		return
	}
	want := map[string]*vigie.Peer{}
	for _, p := range peers {
		if !p.Paused {
			want[p.Name] = p
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, h := range r.running {
		if p, ok := want[name]; !ok || configOf(p) != h.config {
			h.cancel()
			<-h.done
			delete(r.running, name)
		}
	}
	for name, p := range want {
		if _, ok := r.running[name]; ok {
			continue
		}
		pctx, cancel := context.WithCancel(ctx)
		h := &pullerHandle{config: configOf(p), cancel: cancel, done: make(chan struct{})}
		r.running[name] = h
		go func() {
			defer close(h.done)
			newWorker(r.hub, p, r.opts).run(pctx)
		}()
	}
}

func (r *Runner) stopAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, h := range r.running {
		h.cancel()
		<-h.done
		delete(r.running, name)
	}
}

// Running returns the names of the peers being pulled from now.
func (r *Runner) Running() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for name := range r.running {
		out = append(out, name)
	}
	return out
}

// configOf sums up what a puller is started with (the key only hashed).
func configOf(p *vigie.Peer) string {
	h := sha256.New()
	for _, s := range []string{p.URL, p.Key.Reveal(), p.Fingerprint, p.CAPEM, p.RemoteCollection, p.LocalCollection, fmt.Sprint(p.Push), fmt.Sprint(p.Policy)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}
