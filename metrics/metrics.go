// Package metrics is the hub's Prometheus instrumentation: counters and
// histograms that the HTTP server, the early-warning engine and the
// webhook dispatcher feed as they work, figures read from the store at
// scrape time (sizes, engine lag, delivery queues, federation peers,
// feeds), and
// the Go runtime.
//
// No label carries a caller-chosen value: routes are the server's
// patterns, statuses HTTP codes, reasons error codes, triggers and states
// come from fixed lists (anything else is "other"), collection and webhook
// ids are made by the hub and the webhook label is bounded (MaxWebhooks),
// peer names are the operator's.
// Nothing here ever sees an API key or a secret.
package metrics

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vigie-cti/vigie"
)

// Source is where the scrape-time figures come from; vigie.OpsStore
// implementations are Sources.
type Source interface {
	Stats(ctx context.Context, now time.Time) (*vigie.StoreStats, error)
}

// PeerSource is where federation figures come from, if the Source is one
// too (vigie.FederationStore implementations are). Only each peer's name
// and state are read: never its key.
type PeerSource interface {
	ListPeers(ctx context.Context) ([]*vigie.Peer, error)
}

// FeedSource is where feed figures come from, if the Source is one too
// (vigie.FeedStore implementations are). Only each feed's name, creation
// and state are kept: never its URL or headers.
type FeedSource interface {
	ListFeeds(ctx context.Context) ([]*vigie.Feed, error)
}

// feedState is what the metrics keep of a feed.
type feedState struct {
	name    string
	created time.Time
	state   vigie.FeedState
}

// MaxWebhooks bounds the webhooks with their own queue-depth series: the
// deepest queues get one each, the others are summed as webhook="other".
const MaxWebhooks = 50

// StatsInterval is how long figures read from the store are reused, so
// that frequent scrapes do not load the database.
const StatsInterval = 10 * time.Second

// Metrics holds the hub's metrics. Its methods are safe for concurrent use;
// a nil *Metrics records nothing, so callers need not check.
type Metrics struct {
	reg *prometheus.Registry

	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	ingested   prometheus.Counter
	refused    *prometheus.CounterVec
	alerts     *prometheus.CounterVec
	deliveries *prometheus.CounterVec
}

// New returns the hub's metrics, with src's figures read at scrape time
// (src may be nil) and the Go runtime's.
func New(src Source) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigie_http_requests_total", Help: "HTTP requests answered, by route pattern and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vigie_http_request_duration_seconds", Help: "Time to answer HTTP requests, by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		ingested: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigie_objects_ingested_total", Help: "STIX objects accepted by POSTs to collections (new versions and repeats of stored ones).",
		}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigie_objects_refused_total", Help: "STIX objects refused in POSTs to collections, by reason (an error code).",
		}, []string{"reason"}),
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigie_alert_events_total", Help: "Alerts raised (kind=created) or raised again (kind=updated) by this process's engine, by trigger.",
		}, []string{"trigger", "kind"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigie_webhook_attempts_total", Help: "Webhook delivery attempts by this process, by outcome: delivered, retry (to try again later) or failed (given up).",
		}, []string{"outcome"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.ingested, m.refused, m.alerts, m.deliveries,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, r := range reasons {
		m.refused.WithLabelValues(r) // zero series, so that rate() works from the first refusal
	}
	for _, o := range outcomes {
		m.deliveries.WithLabelValues(o)
	}
	if src != nil {
		m.reg.MustRegister(newStoreCollector(src))
	}
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Timeout: 20 * time.Second})
}

// Registry returns the registry, for tests and for more collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// ObserveRequest records one answered request. route is the pattern that
// served it ("" when none did: the request was refused before routing).
func (m *Metrics) ObserveRequest(route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	if route == "" {
		route = "unrouted"
	}
	if status < 100 || status > 599 {
		status = 0
	}
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

// Ingested records the outcome of one POST of objects: how many were
// accepted, and how many refused by error code (hub.Config.OnIngest).
func (m *Metrics) Ingested(stored int, refused map[string]int) {
	if m == nil {
		return
	}
	m.ingested.Add(float64(stored))
	for code, n := range refused {
		m.refused.WithLabelValues(oneOf(code, reasons)).Add(float64(n))
	}
}

// AlertEvents records the events of one batch of the engine.
func (m *Metrics) AlertEvents(evs []vigie.AlertEvent) {
	if m == nil {
		return
	}
	for _, e := range evs {
		var a struct {
			Trigger string `json:"trigger"`
		}
		json.Unmarshal(e.Alert, &a) // a malformed alert counts as "other"
		m.alerts.WithLabelValues(oneOf(a.Trigger, triggers), oneOf(e.Kind, kinds)).Inc()
	}
}

// DeliveryAttempt records the outcome of one webhook delivery attempt:
// "delivered", "retry" or "failed".
func (m *Metrics) DeliveryAttempt(outcome string) {
	if m == nil {
		return
	}
	m.deliveries.WithLabelValues(oneOf(outcome, outcomes)).Inc()
}

// The fixed lists that label values come from.
var (
	reasons  = []string{vigie.EINVALID, vigie.EFORBIDDEN, vigie.ECONFLICT, vigie.ETOOLARGE, vigie.EUNPROCESSABLE, vigie.EINTERNAL, "other"}
	triggers = []string{vigie.TriggerWatchlist, vigie.TriggerSighting, vigie.TriggerTargeting, vigie.TriggerSupplyChain, vigie.TriggerCorrelation, vigie.TriggerSupplier, "other"}
	kinds    = []string{"created", "updated", "other"}
	outcomes = []string{"delivered", "retry", "failed", "other"}
	states   = []string{string(vigie.DeliveryPending), string(vigie.DeliveryDelivered), string(vigie.DeliveryFailed), "other"}
)

// oneOf returns v if it is in list, else "other".
func oneOf(v string, list []string) string {
	if slices.Contains(list, v) {
		return v
	}
	return "other"
}

// storeCollector reads the store's figures when scraped, at most once per
// StatsInterval.
type storeCollector struct {
	src Source

	mu     sync.Mutex
	last   time.Time
	stats  *vigie.StoreStats
	peers  []*vigie.Peer
	feeds  []feedState
	errors prometheus.Counter

	feedAge, feedFailing *prometheus.Desc

	peerLag, peerBacklog, peerCaughtUp, peerPaused, peerFailing, relayed *prometheus.Desc

	bytes, free, rows, collObjects, behind, lag, alerts, deliveries, queue, sightings *prometheus.Desc
}

func newStoreCollector(src Source) *storeCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &storeCollector{
		src:         src,
		errors:      prometheus.NewCounter(prometheus.CounterOpts{Name: "vigie_store_stats_errors_total", Help: "Scrapes whose store figures could not be read."}),
		bytes:       d("vigie_store_bytes", "Size of the database on disk."),
		free:        d("vigie_store_free_bytes", "Free pages inside the database file (SQLite), which vigie admin compact returns to the file system."),
		rows:        d("vigie_store_rows", "Rows stored, by table.", "table"),
		collObjects: d("vigie_collection_objects", "Object versions stored, by collection.", "collection"),
		behind:      d("vigie_engine_lag_objects", "Object versions the early-warning engine has not evaluated yet, by collection (counted up to 100000).", "collection"),
		lag:         d("vigie_engine_lag_seconds", "How long the oldest object version not yet evaluated by the engine has waited, by collection (0 when none waits).", "collection"),
		alerts:      d("vigie_alerts", "Alerts stored, by trigger.", "trigger"),
		deliveries:  d("vigie_deliveries", "Webhook deliveries stored, by state.", "state"),
		queue:       d("vigie_delivery_queue", "Pending webhook deliveries, by webhook id (the deepest 50; the rest as other).", "webhook"),
		sightings:   d("vigie_sightings", "Sightings of indicators recorded by the engine (one per sighting object and organisation)."),

		peerLag:      d("vigie_federation_peer_lag_seconds", "Time since the last successful exchange with a peer hub (since it was added, if never).", "peer"),
		peerBacklog:  d("vigie_federation_peer_backlog", "Objects a peer's last pages said were still to come (0 when caught up).", "peer"),
		peerCaughtUp: d("vigie_federation_peer_caught_up", "1 when the last page from a peer said there was no more.", "peer"),
		peerPaused:   d("vigie_federation_peer_paused", "1 when an operator paused a peer.", "peer"),
		peerFailing:  d("vigie_federation_peer_failing", "1 when the last exchange with a peer failed.", "peer"),
		feedAge:      d("vigie_feed_age_seconds", "Time since a feed was last fetched (since it was added, if never).", "feed"),
		feedFailing:  d("vigie_feed_failing", "1 when the last fetch of a feed failed.", "feed"),
		relayed:      d("vigie_federation_relayed_total", "Object versions received from a peer, by what became of them (received counts them all); sightings_sent (or _received from a peer pushed to), the counts of sightings sent back.", "peer", "outcome"),
	}
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.bytes, c.free, c.rows, c.collObjects, c.behind, c.lag, c.alerts, c.deliveries, c.queue, c.sightings,
		c.peerLag, c.peerBacklog, c.peerCaughtUp, c.peerPaused, c.peerFailing, c.relayed, c.feedAge, c.feedFailing} {
		ch <- d
	}
	c.errors.Describe(ch)
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	defer c.errors.Collect(ch)
	st, peers, feeds := c.read()
	if st == nil {
		return
	}
	g := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	b := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	for _, f := range feeds {
		since := f.state.LastRun
		if since.IsZero() {
			since = f.created
		}
		g(c.feedAge, max(time.Since(since).Seconds(), 0), f.name)
		g(c.feedFailing, b(f.state.LastError != ""), f.name)
	}
	for _, p := range peers {
		since := p.State.LastSync
		if since.IsZero() {
			since = p.Created
		}
		g(c.peerLag, max(time.Since(since).Seconds(), 0), p.Name)
		g(c.peerBacklog, float64(p.State.Backlog), p.Name)
		g(c.peerCaughtUp, b(p.State.CaughtUp), p.Name)
		g(c.peerPaused, b(p.Paused), p.Name)
		g(c.peerFailing, b(p.State.LastError != "" && !p.State.ErrorAt.Before(p.State.LastSync)), p.Name)
		rs := p.State.Stats
		for outcome, n := range map[string]int64{"received": rs.Received, "stored": rs.Stored, "duplicate": rs.Duplicates, "looped": rs.Looped,
			"spoofed": rs.Spoofed, "not_owner": rs.NotOwner, "too_restricted": rs.TooRestricted, "invalid": rs.Invalid, "retracted": rs.Retracted,
			"sightings_sent": rs.SightingsSent, "sightings_dropped": rs.SightingsDropped, "sightings_received": rs.SightingsReceived} {
			ch <- prometheus.MustNewConstMetric(c.relayed, prometheus.CounterValue, float64(n), p.Name, outcome)
		}
	}
	g(c.bytes, float64(st.Bytes))
	g(c.free, float64(st.FreeBytes))
	for t, n := range st.Rows {
		g(c.rows, float64(n), t)
	}
	g(c.sightings, float64(st.Rows["sightings"]))
	for _, cs := range st.Collections {
		g(c.collObjects, float64(cs.Objects), cs.ID)
		g(c.behind, float64(cs.EngineBehind), cs.ID)
		g(c.lag, cs.EngineLag.Seconds(), cs.ID)
	}
	sum := func(m map[string]int64, list []string) map[string]int64 {
		out := map[string]int64{}
		for _, v := range list {
			if v != "other" {
				out[v] = 0
			}
		}
		for k, n := range m {
			out[oneOf(k, list)] += n
		}
		return out
	}
	for t, n := range sum(st.AlertsByTrigger, triggers) {
		g(c.alerts, float64(n), t)
	}
	for s, n := range sum(st.DeliveriesByState, states) {
		g(c.deliveries, float64(n), s)
	}
	for w, n := range topN(st.QueueByWebhook, MaxWebhooks) {
		g(c.queue, float64(n), w)
	}
}

// read returns the store's figures and the federation peers, from the
// cache when recent enough; nil when they cannot be read.
func (c *storeCollector) read() (*vigie.StoreStats, []*vigie.Peer, []feedState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stats != nil && time.Since(c.last) < StatsInterval {
		return c.stats, c.peers, c.feeds
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	st, err := c.src.Stats(ctx, time.Now())
	if err != nil {
		c.errors.Inc()
		return nil, nil, nil
	}
	var peers []*vigie.Peer
	if ps, ok := c.src.(PeerSource); ok {
		all, err := ps.ListPeers(ctx)
		if err != nil {
			c.errors.Inc()
			return nil, nil, nil
		}
		for _, p := range all {
			p.Key = "" // never kept here
			peers = append(peers, p)
		}
	}
	var feeds []feedState
	if fs, ok := c.src.(FeedSource); ok {
		all, err := fs.ListFeeds(ctx)
		if err != nil {
			c.errors.Inc()
			return nil, nil, nil
		}
		for _, f := range all {
			feeds = append(feeds, feedState{name: f.Name, created: f.Created, state: vigie.FeedState{LastRun: f.State.LastRun, LastError: f.State.LastError}})
		}
	}
	c.stats, c.peers, c.feeds, c.last = st, peers, feeds, time.Now()
	return st, peers, feeds
}

// topN keeps the n largest entries of m and sums the rest as "other".
func topN(m map[string]int64, n int) map[string]int64 {
	if len(m) <= n {
		return m
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if c := cmp.Compare(m[b], m[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	out := map[string]int64{}
	for i, k := range keys {
		if i < n {
			out[k] = m[k]
		} else {
			out["other"] += m[k]
		}
	}
	return out
}
