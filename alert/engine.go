// Package alert is vigie's early-warning engine: it reads every object the
// hub stores, in order, runs the triggers (watchlists, sightings,
// targeting, supply chain, correlation), keeps only what each receiving
// organisation may read, deduplicates, records the alerts with their
// events and delivery outbox in one transaction, and delivers them by
// signed webhooks and live streams.
package alert

import (
	"context"
	"fmt"
	"hash/maphash"
	"log/slog"
	"time"

	"github.com/vigie-cti/vigie"
)

// Options configure the engine. Zero values take the defaults.
type Options struct {
	DefaultTLP        vigie.TLP     // the level of unmarked objects (GREEN)
	SightingThreshold int           // distinct organisations that make a sighting alert (2)
	SightingWindow    time.Duration // how recent their sightings must be (24 h)
	BatchSize         int           // objects read per collection and round (500)
	Logger            *slog.Logger
	Now               func() time.Time
	// OnEvents is called with the events of each recorded batch, after
	// commit: the live streams and the webhook dispatcher listen here.
	OnEvents func([]vigie.AlertEvent)
}

// Engine runs the triggers over the objects the hub stores. One engine runs
// per process; on a shared database only one process leads at a time.
type Engine struct {
	store vigie.Store
	opts  Options
	wake  chan struct{}

	watch    *watchIndex
	watchGen int64
	watchOrg int
	supply   *supply // nil until loaded (by the leader)

	aud    *audience // who may read what, reloaded when the generation changes
	audGen int64

	// obsKeys holds a hash of every key in the correlation index, so that
	// observables nobody shared cost no database lookup; loaded with
	// supply. A false positive costs one lookup, never a wrong alert.
	obsKeys map[uint64]struct{}
	obsSeed maphash.Seed
}

// New returns an engine over store.
func New(store vigie.Store, opts Options) *Engine {
	if opts.DefaultTLP == vigie.TLPNone {
		opts.DefaultTLP = vigie.TLPGreen
	}
	if opts.SightingThreshold <= 0 {
		opts.SightingThreshold = 2
	}
	if opts.SightingWindow <= 0 {
		opts.SightingWindow = 24 * time.Hour
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 500
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Engine{store: store, opts: opts, wake: make(chan struct{}, 1), watchGen: -1, obsSeed: maphash.MakeSeed()}
}

// Wake tells the engine that objects were stored; it never blocks.
func (e *Engine) Wake() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Run evaluates new objects until ctx ends: at once when woken, and every
// second otherwise (objects stored by other processes, retries).
func (e *Engine) Run(ctx context.Context) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var release func()
	defer func() {
		if release != nil {
			release()
		}
	}()
	for {
		if release == nil {
			r, ok, err := e.store.TryLead(ctx, "alert-engine")
			if err != nil && ctx.Err() == nil {
				e.opts.Logger.Warn("alert engine: leadership", slog.Any("err", err))
			}
			if ok {
				release = r
			}
		}
		if release != nil {
			for {
				n, err := e.RunOnce(ctx)
				if err != nil {
					if ctx.Err() != nil {
						return nil
					}
					e.opts.Logger.Warn("alert engine: round failed; retrying", slog.Any("err", err))
					break
				}
				if n == 0 {
					break
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-e.wake:
		case <-tick.C:
		}
	}
}

// RunOnce evaluates one batch of new objects of each collection and returns
// how many objects it evaluated.
func (e *Engine) RunOnce(ctx context.Context) (int, error) {
	gen, err := e.store.Cursor(ctx, "audience_generation")
	if err != nil {
		return 0, err
	}
	if e.aud == nil || gen != e.audGen {
		if e.aud, err = loadAudience(ctx, e.store, e.opts.DefaultTLP); err != nil {
			return 0, err
		}
		e.audGen = gen
	}
	aud := e.aud
	if err := e.loadWatches(ctx, aud); err != nil {
		return 0, err
	}
	if e.supply == nil {
		if err := e.loadSupply(ctx, aud); err != nil {
			return 0, err
		}
		if err := e.loadObservableKeys(ctx); err != nil {
			return 0, err
		}
	}
	total := 0
	for _, c := range aud.collections {
		n, err := e.runCollection(ctx, aud, c)
		if err != nil {
			return total, err
		}
		total += n
	}
	n, err := e.runRelayedSightings(ctx, aud)
	return total + n, err
}

// loadWatches rebuilds the watch index when watchlists or organisations
// changed.
func (e *Engine) loadWatches(ctx context.Context, aud *audience) error {
	gen, err := e.store.WatchGeneration(ctx)
	if err != nil {
		return fmt.Errorf("alert: watch generation: %w", err)
	}
	if gen == e.watchGen && len(aud.orgs) == e.watchOrg && e.watch != nil {
		return nil
	}
	entries, err := e.store.ListWatches(ctx, "")
	if err != nil {
		return fmt.Errorf("alert: watchlists: %w", err)
	}
	e.watch, e.watchGen, e.watchOrg = newWatchIndex(entries, aud.orgs), gen, len(aud.orgs)
	return nil
}

// runCollection evaluates the next batch of one collection and records it.
func (e *Engine) runCollection(ctx context.Context, aud *audience, c *vigie.Collection) (int, error) {
	name := "engine:" + c.ID
	cur, err := e.store.Cursor(ctx, name)
	if err != nil {
		return 0, err
	}
	objs, err := e.store.ScanObjects(ctx, c.ID, fromMicros(cur), e.opts.BatchSize)
	if err != nil || len(objs) == 0 {
		return 0, err
	}
	b := &batch{engine: e, aud: aud, now: e.opts.Now().UTC()}
	if err := b.evaluate(ctx, objs); err != nil {
		return 0, err
	}
	rec := b.record()
	if err := e.nameOrigins(ctx, rec.Alerts); err != nil {
		return 0, err
	}
	rec.CursorsFrom = map[string]int64{name: cur}
	rec.CursorsTo = map[string]int64{name: objs[len(objs)-1].DateAdded.UnixMicro()}
	events, err := e.store.RecordAlerts(ctx, rec)
	if vigie.ErrorCode(err) == vigie.ECONFLICT {
		return 0, nil // another process recorded this batch
	} else if err != nil {
		// The exposure index saw this batch but the findings were not
		// stored: rebuild it from what was, and evaluate the batch again.
		e.supply = nil
		return 0, fmt.Errorf("alert: record: %w", err)
	}
	for _, o := range rec.Observables {
		e.obsKeys[e.keyHash(o.Key)] = struct{}{}
	}
	if len(events) > 0 && e.opts.OnEvents != nil {
		e.opts.OnEvents(events)
	}
	return len(objs), nil
}

// runRelayedSightings evaluates again the sighting early warnings of the
// indicators whose sightings peer hubs reported back since the last
// round (they are no objects: nothing else would wake them), and records
// the batch. It returns how many indicators it evaluated.
func (e *Engine) runRelayedSightings(ctx context.Context, aud *audience) (int, error) {
	const name = "engine:relayed-sightings"
	cur, err := e.store.Cursor(ctx, name)
	if err != nil {
		return 0, err
	}
	ids, pos, err := e.store.RelayedSightingsAfter(ctx, cur, e.opts.BatchSize)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	b := &batch{engine: e, aud: aud, now: e.opts.Now().UTC(), decoded: map[*vigie.Object]map[string]any{}, byID: map[string]map[string]any{},
		versions: map[string][]*vigie.Object{}, cands: map[string]*candidate{}, sighted: map[string]bool{}}
	for _, id := range ids {
		b.sighted[id] = true
	}
	if err := b.sightingAlerts(ctx); err != nil {
		return 0, err
	}
	if err := b.enrich(ctx); err != nil {
		return 0, err
	}
	rec := b.record()
	if err := e.nameOrigins(ctx, rec.Alerts); err != nil {
		return 0, err
	}
	rec.CursorsFrom, rec.CursorsTo = map[string]int64{name: cur}, map[string]int64{name: pos}
	events, err := e.store.RecordAlerts(ctx, rec)
	if vigie.ErrorCode(err) == vigie.ECONFLICT {
		return 0, nil // another process recorded this batch
	} else if err != nil {
		return 0, fmt.Errorf("alert: record relayed sightings: %w", err)
	}
	if len(events) > 0 && e.opts.OnEvents != nil {
		e.opts.OnEvents(events)
	}
	return len(ids), nil
}

// nameOrigins tells, on each object an alert names that was relayed
// from another hub, where it comes from (its origin hub, organisation and
// the peer it arrived through), and says so in the alert's detail.
func (e *Engine) nameOrigins(ctx context.Context, alerts []*vigie.Alert) error {
	var ids []string
	seen := map[string]bool{}
	for _, a := range alerts {
		for _, refs := range [][]vigie.ObjectRef{a.Objects, a.Countermeasures} {
			for _, r := range refs {
				if !seen[r.ID] {
					seen[r.ID] = true
					ids = append(ids, r.ID)
				}
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	origins, err := e.store.Origins(ctx, ids)
	if err != nil || len(origins) == 0 {
		return err
	}
	set := func(refs []vigie.ObjectRef) {
		for i := range refs {
			if o, ok := origins[refs[i].ID]; ok {
				refs[i].OriginHub, refs[i].OriginOrg, refs[i].ViaPeer = o.Hub, o.OrgName, o.Peer
			}
		}
	}
	for _, a := range alerts {
		set(a.Objects)
		set(a.Countermeasures)
		for _, r := range a.Objects {
			if r.OriginHub != "" {
				note := fmt.Sprintf("shared by %s on hub %s, relayed by peer %s", r.OriginOrg, r.OriginHub, r.ViaPeer)
				if a.Detail == "" {
					a.Detail = note
				} else {
					a.Detail += "; " + note
				}
				break
			}
		}
	}
	return nil
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// loadObservableKeys reads the keys of the correlation index.
func (e *Engine) loadObservableKeys(ctx context.Context) error {
	e.obsKeys = map[uint64]struct{}{}
	for pos := int64(0); ; {
		keys, next, err := e.store.ObservableKeys(ctx, pos, 10000)
		if err != nil {
			return fmt.Errorf("alert: correlation keys: %w", err)
		}
		if len(keys) == 0 {
			return nil
		}
		for _, k := range keys {
			e.obsKeys[e.keyHash(k)] = struct{}{}
		}
		pos = next
	}
}

// keyHash hashes a correlation key for obsKeys.
func (e *Engine) keyHash(k string) uint64 { return maphash.String(e.obsSeed, k) }

// mayHave reports whether the correlation index may hold key.
func (e *Engine) mayHave(k string) bool {
	_, ok := e.obsKeys[e.keyHash(k)]
	return ok
}
