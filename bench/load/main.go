// Command load runs a hub under a stated mix of work for a set time, all
// on loopback: publishers POSTing indicators (a share of them inside a
// member's watched range, so that alerts follow), readers paging objects
// and alerts, sensors POSTing sightings of recent indicators, live alert
// streams (SSE) and webhook receivers. It reports p50/p99 latency and
// errors per operation, the hub's memory over time and the early-warning
// engine's lag, read from the hub's own /metrics (on --metrics-addr).
//
// Every operation runs at a fixed rate with a fixed number of workers: when
// they are all busy a tick is skipped and counted as "late" rather than
// queued, so the program's memory and the hub's load stay bounded.
//
//	go build -o /tmp/vigie ./cmd/vigie && go run ./bench/load -vigie /tmp/vigie -duration 10m
//	go run ./bench/load -vigie /tmp/vigie -pg postgres://postgres@127.0.0.1:5432/test?sslmode=disable
package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/bench/gen"
	"github.com/vigie-cti/vigie/bench/internal/hubproc"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/store/postgres"
	"github.com/vigie-cti/vigie/store/sqlite"
	"github.com/vigie-cti/vigie/taxii"
)

type config struct {
	bin, pg                      string
	duration, every              time.Duration
	orgs, entries, webhooks, sse int
	publishRate, batch           int     // objects per second, objects per POST
	readRate, sightRate          float64 // pages per second, sightings per second
	hitEvery                     int     // one published indicator in hitEvery is inside a watched range
}

func main() {
	var c config
	flag.StringVar(&c.bin, "vigie", "vigie", "path to the vigie binary")
	flag.StringVar(&c.pg, "pg", "", "PostgreSQL server URL (a schema of its own is made and dropped); default: SQLite")
	flag.DurationVar(&c.duration, "duration", 10*time.Minute, "how long to run the mix")
	flag.DurationVar(&c.every, "every", 30*time.Second, "how often to print the hub's memory and engine lag")
	flag.IntVar(&c.orgs, "orgs", 1000, "organisations, each with a watchlist")
	flag.IntVar(&c.entries, "entries", 10, "watchlist entries per organisation")
	flag.IntVar(&c.webhooks, "webhooks", 50, "organisations with a webhook (to a receiver on loopback)")
	flag.IntVar(&c.sse, "sse", 50, "live alert streams (SSE clients), one per organisation")
	flag.IntVar(&c.publishRate, "publish", 500, "objects published per second")
	flag.IntVar(&c.batch, "batch", 50, "objects per POST")
	flag.Float64Var(&c.readRate, "read", 200, "pages read per second (objects pages 80%, alert lists 20%)")
	flag.Float64Var(&c.sightRate, "sightings", 20, "sightings posted per second, by sensors of 20 organisations")
	flag.IntVar(&c.hitEvery, "hit-every", 100, "one indicator in this many falls in a watched range (an alert)")
	flag.Parse()
	log.SetFlags(0)
	if err := run(c); err != nil {
		log.Fatal(err)
	}
}

// op collects the latencies and errors of one kind of operation.
type op struct {
	name         string
	mu           sync.Mutex
	lat          []time.Duration
	errs, late   atomic.Int64
	lastErr      atomic.Value
	workers      int
	rate         float64
	fn           func(rng *rand.Rand) error
	inflightSlot chan struct{}
}

func (o *op) record(d time.Duration, err error) {
	if err != nil {
		o.errs.Add(1)
		o.lastErr.Store(err.Error())
		return
	}
	o.mu.Lock()
	o.lat = append(o.lat, d)
	o.mu.Unlock()
}

// loop runs o at its rate until ctx ends.
func (o *op) loop(ctx context.Context, seed uint64, wg *sync.WaitGroup) {
	defer wg.Done()
	if o.rate <= 0 {
		return
	}
	o.inflightSlot = make(chan struct{}, o.workers)
	tick := time.NewTicker(time.Duration(float64(time.Second) / o.rate))
	defer tick.Stop()
	var n uint64
	for {
		select {
		case <-ctx.Done():
			for i := 0; i < o.workers; i++ { // wait for those in flight
				o.inflightSlot <- struct{}{}
			}
			return
		case <-tick.C:
		}
		select {
		case o.inflightSlot <- struct{}{}:
		default:
			o.late.Add(1)
			continue
		}
		n++
		rng := rand.New(rand.NewPCG(seed, n))
		go func() {
			defer func() { <-o.inflightSlot }()
			t := time.Now()
			err := o.fn(rng)
			o.record(time.Since(t), err)
		}()
	}
}

func (o *op) summary() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	lat := slices.Clone(o.lat)
	slices.Sort(lat)
	q := func(p float64) string {
		if len(lat) == 0 {
			return "-"
		}
		return lat[int(p*float64(len(lat)-1))].Round(100 * time.Microsecond).String()
	}
	s := fmt.Sprintf("%-16s %8d ok  p50 %-9s p99 %-9s max %-9s errors %d  late %d", o.name, len(lat), q(0.5), q(0.99), q(1), o.errs.Load(), o.late.Load())
	if e, ok := o.lastErr.Load().(string); ok {
		s += "  (last error: " + e + ")"
	}
	return s
}

// world is what setup made: the collection URL and keys.
type world struct {
	base             string // the collection's objects URL
	publishers       []string
	sensors, sensorO []string // keys and org ids of the sensors
	readers          []string // reader keys, one per organisation
	ranges           []string // watched /24 prefix of each organisation, "10.a.b."
}

func run(c config) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "vigie-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// Webhook receivers: one loopback server counting deliveries.
	var delivered atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		delivered.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	var st vigie.Store
	var serveDB []string
	if c.pg != "" {
		u, drop := newSchema(c.pg)
		defer drop()
		p, err := postgres.Open(ctx, u)
		if err != nil {
			return err
		}
		st, serveDB = p, []string{"--db", u}
	} else if st, err = sqlite.Open(ctx, filepath.Join(dir, "vigie.db")); err != nil {
		return err
	}
	w, err := setup(ctx, c, st, "http://"+ln.Addr().String()+"/hook")
	st.Close()
	if err != nil {
		return err
	}

	mln, _ := net.Listen("tcp", "127.0.0.1:0")
	metricsAddr := mln.Addr().String()
	mln.Close()
	cmd := exec.Command(c.bin, append([]string{"serve", "--data", dir, "--addr", "127.0.0.1:0", "--http", "--webhook-allow", "127.0.0.0/8",
		"--metrics-addr", metricsAddr, "--write-rate", "0", "--max-conns-per-ip", "0"}, serveDB...)...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer cmd.Process.Kill()
	url := hubproc.WaitURL(stderr)
	w.base = url + w.base
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}

	// Published indicators, for sightings to refer to.
	var recentMu sync.Mutex
	var recent []string
	var seq atomic.Int64
	ops := []*op{
		{name: "publish", workers: 8, rate: float64(c.publishRate) / float64(c.batch), fn: func(rng *rand.Rand) error {
			g := gen.New(rng.Uint64(), "")
			var objs []map[string]any
			var ids []string
			for i := 0; i < c.batch; i++ {
				o := g.Indicator()
				if seq.Add(1)%int64(c.hitEvery) == 0 {
					o["pattern"] = fmt.Sprintf("[ipv4-addr:value = '%s%d']", w.ranges[rng.IntN(len(w.ranges))], 1+rng.IntN(250))
				}
				objs = append(objs, o)
				ids = append(ids, o["id"].(string))
			}
			if err := post(client, w.base, w.publishers[rng.IntN(len(w.publishers))], objs); err != nil {
				return err
			}
			recentMu.Lock()
			recent = append(recent, ids...)
			if len(recent) > 5000 {
				recent = recent[len(recent)-5000:]
			}
			recentMu.Unlock()
			return nil
		}},
		{name: "sighting", workers: 8, rate: c.sightRate, fn: func(rng *rand.Rand) error {
			recentMu.Lock()
			if len(recent) == 0 {
				recentMu.Unlock()
				return nil
			}
			target := recent[rng.IntN(len(recent))]
			recentMu.Unlock()
			i := rng.IntN(len(w.sensors))
			now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
			s := map[string]any{"type": "sighting", "spec_version": "2.1", "id": "sighting--" + vigie.NewUUID(), "created": now, "modified": now,
				"sighting_of_ref": target, "where_sighted_refs": []string{w.sensorO[i]}, "count": 1, "first_seen": now, "last_seen": now}
			return post(client, w.base, w.sensors[i], []map[string]any{s})
		}},
		{name: "read objects", workers: 32, rate: c.readRate * 0.8, fn: func(rng *rand.Rand) error {
			return get(client, w.base+"?limit=100", w.readers[rng.IntN(len(w.readers))], taxii.MediaType)
		}},
		{name: "read alerts", workers: 16, rate: c.readRate * 0.2, fn: func(rng *rand.Rand) error {
			return get(client, url+"/api/v1/alerts?limit=50", w.readers[rng.IntN(len(w.readers))], "application/json")
		}},
	}

	// SSE clients: each holds a stream open and counts events.
	sctx, stopSSE := context.WithCancel(ctx)
	var events, sseErrs atomic.Int64
	var sseWG sync.WaitGroup
	for i := 0; i < min(c.sse, len(w.readers)); i++ {
		sseWG.Add(1)
		go func(key string) {
			defer sseWG.Done()
			for sctx.Err() == nil {
				if err := stream(sctx, url+"/api/v1/alerts/stream", key, &events); err != nil && sctx.Err() == nil {
					sseErrs.Add(1)
					time.Sleep(time.Second)
				}
			}
		}(w.readers[i])
	}

	fmt.Printf("mix: %d objects/s published in POSTs of %d (1 in %d in a watched range), %.0f pages/s read, %.0f sightings/s, %d SSE clients, %d webhooks; %d organisations x %d watchlist entries; %s; %v\n",
		c.publishRate, c.batch, c.hitEvery, c.readRate, c.sightRate, c.sse, c.webhooks, c.orgs, c.entries, map[bool]string{true: "PostgreSQL", false: "SQLite"}[c.pg != ""], c.duration)
	fmt.Printf("%8s %10s %10s %12s %12s %10s %10s %10s\n", "elapsed", "rss MB", "heap MB", "lag objects", "lag seconds", "alerts", "delivered", "sse events")
	rctx, stop := context.WithTimeout(ctx, c.duration)
	defer stop()
	var wg sync.WaitGroup
	for i, o := range ops {
		wg.Add(1)
		go o.loop(rctx, uint64(i+1), &wg)
	}
	start := time.Now()
	sample := func() {
		m := scrape(client, "http://"+metricsAddr+"/metrics")
		fmt.Printf("%8s %10.1f %10.1f %12.0f %12.2f %10.0f %10d %10d\n", time.Since(start).Round(time.Second),
			m["process_resident_memory_bytes"]/1e6, m["go_memstats_heap_inuse_bytes"]/1e6, m["vigie_engine_lag_objects"], m["vigie_engine_lag_seconds"],
			m["vigie_alert_events_total"], delivered.Load(), events.Load())
	}
	tick := time.NewTicker(c.every)
	for done := false; !done; {
		select {
		case <-rctx.Done():
			done = true
		case <-tick.C:
			sample()
		}
	}
	tick.Stop()
	wg.Wait()
	sample()
	// The engine catches up once publishing stops.
	caught := time.Now()
	for time.Since(caught) < 2*time.Minute {
		if m := scrape(client, "http://"+metricsAddr+"/metrics"); m["vigie_engine_lag_objects"] == 0 {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	fmt.Printf("engine caught up %v after the load stopped\n", time.Since(caught).Round(100*time.Millisecond))
	stopSSE()
	sseWG.Wait()
	fmt.Println()
	for _, o := range ops {
		fmt.Println(o.summary())
	}
	fmt.Printf("%-16s %8d events  stream errors %d\n", "sse", events.Load(), sseErrs.Load())
	fmt.Printf("%-16s %8d deliveries received\n", "webhooks", delivered.Load())
	return nil
}

// setup makes the hub's data directory with the store directly: the
// organisations, their watchlists (a /24 each) and webhooks, one
// community and collection, and keys.
func setup(ctx context.Context, c config, st vigie.Store, hookURL string) (*world, error) {
	t0 := time.Now()
	h := hub.New(st, hub.Config{}, time.Now)
	w := &world{}
	var names []string
	for i := 0; i < c.orgs; i++ {
		name := fmt.Sprintf("member%04d", i)
		o, err := h.AddOrg(ctx, hub.Console(), name, []string{"energy"}, "FR")
		if err != nil {
			return nil, err
		}
		names = append(names, name)
		prefix := fmt.Sprintf("10.%d.%d.", i/250, i%250)
		w.ranges = append(w.ranges, prefix)
		for j := 0; j < c.entries; j++ {
			e := &vigie.WatchEntry{ID: vigie.NewUUID(), OrgID: o.ID, Created: time.Now(), Kind: vigie.WatchDomain, Value: fmt.Sprintf("member%04d-site%d.example", i, j)}
			if j == 0 {
				e.Kind, e.Value = vigie.WatchCIDR, prefix+"0/24"
			}
			if err := st.CreateWatch(ctx, e); err != nil {
				return nil, err
			}
		}
		if i < c.webhooks {
			if err := st.CreateWebhook(ctx, &vigie.Webhook{ID: vigie.NewUUID(), OrgID: o.ID, URL: hookURL, Secret: "load-secret-0123456789", Created: time.Now()}); err != nil {
				return nil, err
			}
		}
		role := vigie.RoleReader
		if i < 20 {
			role = vigie.RolePublisher // the sensors' organisations, and the first 4 publish
		}
		_, key, err := h.AddKey(ctx, hub.Console(), name, role, "load", time.Time{})
		if err != nil {
			return nil, err
		}
		switch {
		case i < 4:
			w.publishers = append(w.publishers, key)
		case i < 20:
			w.sensors, w.sensorO = append(w.sensors, key), append(w.sensorO, o.ID)
		default:
			w.readers = append(w.readers, key)
		}
	}
	if _, err := h.AddCommunity(ctx, hub.Console(), "all", names); err != nil {
		return nil, err
	}
	col, err := h.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "load", Title: "all", Read: []string{"community:all"}, Write: []string{"community:all"}})
	if err != nil {
		return nil, err
	}
	w.base = "/load/collections/" + col.ID + "/objects/"
	fmt.Printf("setup: %d organisations in %v\n", c.orgs, time.Since(t0).Round(time.Millisecond))
	return w, nil
}

func post(c *http.Client, url, key string, objs []map[string]any) error {
	body, _ := json.Marshal(map[string]any{"objects": objs})
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", taxii.MediaType)
	req.Header.Set("Accept", taxii.MediaType)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var st taxii.Status
	json.NewDecoder(res.Body).Decode(&st)
	if res.StatusCode != 202 {
		return fmt.Errorf("POST: HTTP %d", res.StatusCode)
	}
	if st.FailureCount > 0 {
		return fmt.Errorf("POST: %d refused: %s", st.FailureCount, st.Failures[0].Message)
	}
	return nil
}

func get(c *http.Client, url, key, accept string) error {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", accept)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	if res.StatusCode != 200 {
		return fmt.Errorf("GET: HTTP %d", res.StatusCode)
	}
	return nil
}

// stream follows an alert stream until ctx ends, counting events.
func stream(ctx context.Context, url, key string, events *atomic.Int64) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		return fmt.Errorf("stream: HTTP %d", res.StatusCode)
	}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "data:") {
			events.Add(1)
		}
	}
	return sc.Err()
}

// newSchema creates a schema on a PostgreSQL server and returns a URL
// selecting it, and the function that drops it.
func newSchema(server string) (string, func()) {
	db, err := sql.Open("pgx", server)
	if err != nil {
		log.Fatal(err)
	}
	name := fmt.Sprintf("vigie_load_%d", time.Now().UnixNano())
	if _, err := db.Exec(`CREATE SCHEMA ` + name); err != nil {
		log.Fatalf("create schema: %v", err)
	}
	u, err := neturl.Parse(server)
	if err != nil {
		log.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String(), func() { db.Exec(`DROP SCHEMA ` + name + ` CASCADE`); db.Close() }
}

var sampleLine = regexp.MustCompile(`^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$`)

// scrape reads a Prometheus text page and sums each metric over its
// labels (the engine's lag is the largest, not the sum).
func scrape(c *http.Client, url string) map[string]float64 {
	out := map[string]float64{}
	res, err := c.Get(url)
	if err != nil {
		return out
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		m := sampleLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		v, _ := strconv.ParseFloat(m[3], 64)
		if m[1] == "vigie_engine_lag_seconds" {
			out[m[1]] = max(out[m[1]], v)
		} else {
			out[m[1]] += v
		}
	}
	return out
}
