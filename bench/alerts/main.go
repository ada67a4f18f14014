// Command alerts measures early-warning latency: the time from a TAXII POST
// being acknowledged to the webhook request arriving at a receiver on
// loopback, on a hub with 1,000 organisations holding 10 watchlist entries
// each and -indicators indicators stored. It prepares the data directory
// with the store directly (fast), runs "vigie serve" as its own process,
// then publishes one indicator at a time inside a random organisation's
// watched range and waits for that organisation's webhook.
//
//	go build -o /tmp/vigie ./cmd/vigie && go run ./bench/alerts -vigie /tmp/vigie -indicators 1000000
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/bench/gen"
	"github.com/vigie-cti/vigie/bench/internal/hubproc"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/store/sqlite"
	"github.com/vigie-cti/vigie/taxii"
)

func main() {
	bin := flag.String("vigie", "vigie", "path to the vigie binary")
	orgs := flag.Int("orgs", 1000, "organisations")
	entries := flag.Int("entries", 10, "watchlist entries per organisation")
	indicators := flag.Int("indicators", 100000, "indicators stored before measuring")
	samples := flag.Int("samples", 200, "alerts to time")
	procs := flag.String("gomaxprocs", "", "GOMAXPROCS of the hub process (default: all)")
	flag.Parse()
	log.SetFlags(0)
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "vigie-alerts-bench-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// The receiver: records when each alert's webhook arrives.
	arrived := map[string]time.Time{}
	var mu sync.Mutex
	notify := make(chan struct{}, 1000)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		now := time.Now()
		var p struct {
			Alert struct {
				Objects []struct{ ID string }
			}
		}
		json.Unmarshal(body, &p)
		mu.Lock()
		for _, o := range p.Alert.Objects {
			if _, ok := arrived[o.ID]; !ok {
				arrived[o.ID] = now
			}
		}
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
		select {
		case notify <- struct{}{}:
		default:
		}
	}))
	hookURL := "http://" + ln.Addr().String() + "/hook"

	t0 := time.Now()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "vigie.db"))
	if err != nil {
		log.Fatal(err)
	}
	h := hub.New(st, hub.Config{}, time.Now)
	var names []string
	var ids []string
	for i := 0; i < *orgs; i++ {
		name := fmt.Sprintf("member%04d", i)
		o, err := h.AddOrg(ctx, hub.Console(), name, []string{"energy"}, "FR")
		if err != nil {
			log.Fatal(err)
		}
		names, ids = append(names, name), append(ids, o.ID)
		for j := 0; j < *entries; j++ {
			w := &vigie.WatchEntry{ID: vigie.NewUUID(), OrgID: o.ID, Created: time.Now()}
			switch j % 4 {
			case 0, 1:
				w.Kind, w.Value = vigie.WatchCIDR, fmt.Sprintf("10.%d.%d.0/24", i/250*4+j, i%250)
			case 2:
				w.Kind, w.Value = vigie.WatchDomain, fmt.Sprintf("member%04d-site%d.example", i, j)
			default:
				w.Kind, w.Value = vigie.WatchKeyword, fmt.Sprintf("codeword%04d-%d", i, j)
			}
			if err := st.CreateWatch(ctx, w); err != nil {
				log.Fatal(err)
			}
		}
		if err := st.CreateWebhook(ctx, &vigie.Webhook{ID: vigie.NewUUID(), OrgID: o.ID, URL: hookURL, Secret: "bench-secret-0123456789", Created: time.Now()}); err != nil {
			log.Fatal(err)
		}
	}
	if _, err := h.AddCommunity(ctx, hub.Console(), "all", names); err != nil {
		log.Fatal(err)
	}
	col, err := h.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "bench", Title: "all", Read: []string{"community:all"}, Write: []string{"community:all"}})
	if err != nil {
		log.Fatal(err)
	}
	_, key, err := h.AddKey(ctx, hub.Console(), names[0], vigie.RolePublisher, "bench", time.Time{})
	if err != nil {
		log.Fatal(err)
	}
	st.Close()
	fmt.Printf("setup: %d organisations x %d watchlist entries in %v\n", *orgs, *entries, time.Since(t0).Round(time.Millisecond))

	cmd := exec.Command(*bin, "serve", "--data", dir, "--addr", "127.0.0.1:0", "--http", "--webhook-allow", "127.0.0.0/8")
	if *procs != "" {
		cmd.Env = append(os.Environ(), "GOMAXPROCS="+*procs)
	}
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	defer cmd.Process.Kill()
	base := hubproc.WaitURL(stderr) + "/bench/collections/" + col.ID + "/objects/"
	client := &http.Client{Timeout: 5 * time.Minute}

	// Fill the store with indicators that touch nobody's watchlist.
	t0 = time.Now()
	g := gen.New(3, ids[0])
	for n := 0; n < *indicators; {
		batch := min(1000, *indicators-n)
		var objs []map[string]any
		for len(objs) < batch {
			objs = append(objs, g.Indicator())
		}
		post(client, base, key, objs)
		n += batch
	}
	fmt.Printf("stored %d indicators in %v\n", *indicators, time.Since(t0).Round(time.Millisecond))
	filled := time.Now()
	rng := rand.New(rand.NewPCG(1, 2))
	// One indicator at a time, inside a random member's range; the first
	// (not timed) waits until the engine has evaluated the whole fill.
	var lat []time.Duration
	for s := -1; s < *samples; s++ {
		i := 1 + rng.IntN(*orgs-1)
		id := "indicator--" + vigie.NewUUID()
		now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
		obj := map[string]any{"type": "indicator", "spec_version": "2.1", "id": id, "created": now, "modified": now,
			"name": "C2", "pattern": fmt.Sprintf("[ipv4-addr:value = '10.%d.%d.%d']", i/250*4, i%250, 1+rng.IntN(250)),
			"pattern_type": "stix", "valid_from": now}
		acked := post(client, base, key, []map[string]any{obj})
		wait := 10 * time.Second
		if s < 0 {
			wait = 30 * time.Minute
		}
		deadline := time.After(wait)
		for {
			mu.Lock()
			at, ok := arrived[id]
			mu.Unlock()
			if ok && s < 0 {
				fmt.Printf("the engine caught up with the fill %v after it ended\n", time.Since(filled).Round(time.Second))
				break
			}
			if ok {
				lat = append(lat, at.Sub(acked))
				break
			}
			select {
			case <-notify:
			case <-deadline:
				log.Fatalf("no webhook for %s within %v", id, wait)
			}
		}
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))].Round(100 * time.Microsecond) }
	fmt.Printf("POST acknowledged -> webhook received, %d alerts: p50 %v  p90 %v  p99 %v  max %v\n", len(lat), q(0.5), q(0.9), q(0.99), lat[len(lat)-1].Round(100*time.Microsecond))
}

// post publishes objects and returns when the 202 arrived.
func post(c *http.Client, url, key string, objs []map[string]any) time.Time {
	body, _ := json.Marshal(map[string]any{"objects": objs})
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", taxii.MediaType)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := c.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 202 {
		log.Fatalf("POST: HTTP %d", res.StatusCode)
	}
	return time.Now()
}
