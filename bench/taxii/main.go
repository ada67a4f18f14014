// Command taxii measures the hub's TAXII 2.1 ingest and page latency: it
// sets up a hub with the vigie binary's admin commands, starts "vigie serve"
// as a separate process (GOMAXPROCS=1 by default: one core), posts
// envelopes of realistic objects until the store holds -n objects, then
// times pages of 1,000 objects with added_after and match[type], and reads
// the server's memory from /proc.
//
//	go build -o /tmp/vigie ./cmd/vigie && go run ./bench/taxii -vigie /tmp/vigie -n 1000000
package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"github.com/vigie-cti/vigie/bench/gen"
	"github.com/vigie-cti/vigie/bench/internal/hubproc"
	"github.com/vigie-cti/vigie/taxii"
)

func main() {
	bin := flag.String("vigie", "vigie", "path to the vigie binary")
	n := flag.Int("n", 100000, "objects to ingest")
	batch := flag.Int("batch", 1000, "objects per envelope")
	workers := flag.Int("workers", 2, "concurrent POSTs")
	procs := flag.String("gomaxprocs", "1", "GOMAXPROCS of the hub process")
	pages := flag.Int("pages", 300, "pages to time after ingest")
	dir := flag.String("data", "", "data directory (default: a new temporary one, removed after)")
	pg := flag.String("postgres", "", "PostgreSQL server URL: run the hubs on a new schema of it (dropped after) instead of SQLite")
	hubs := flag.Int("hubs", 1, "hub processes (with -postgres, several share the database)")
	engine := flag.Bool("early-warning", false, "run the hubs' early-warning engine too (it shares their cores)")
	flag.Parse()
	log.SetFlags(0)
	var dbArgs []string
	if *pg != "" {
		url, drop := newSchema(*pg)
		defer drop()
		dbArgs = []string{"--db", url}
	} else if *hubs > 1 {
		log.Fatal("several hubs need -postgres")
	}

	data := *dir
	if data == "" {
		var err error
		if data, err = os.MkdirTemp("", "vigie-bench-"); err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(data)
	}
	admin := func(args ...string) string {
		out, err := exec.Command(*bin, append(append([]string{"admin", "--data", data}, dbArgs...), args...)...).Output()
		if err != nil {
			log.Fatalf("vigie admin %v: %v", args, err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		return lines[len(lines)-1]
	}
	// A hub is created by "admin init" (older binaries, without it, created
	// one on first use: the error is ignored).
	exec.Command(*bin, append(append([]string{"admin", "--data", data}, dbArgs...), "init")...).Run()
	org := admin("org", "add", "Bench CERT", "--sector", "government-national", "--country", "FR")
	key := admin("key", "add", "--org", "Bench CERT", "--role", "publisher")
	coll := admin("collection", "add", "--root", "bench", "--title", "Bench", "--read", "org:Bench CERT", "--write", "org:Bench CERT")

	var bases []string
	var cmds []*exec.Cmd
	for i := 0; i < *hubs; i++ {
		args := append([]string{"serve", "--data", data, "--addr", "127.0.0.1:0", "--http", fmt.Sprintf("--early-warning=%v", *engine)}, dbArgs...)
		cmd := exec.Command(*bin, args...)
		cmd.Env = append(os.Environ(), "GOMAXPROCS="+*procs)
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			log.Fatal(err)
		}
		defer cmd.Process.Kill()
		cmds = append(cmds, cmd)
		bases = append(bases, hubproc.WaitURL(stderr)+"/bench/collections/"+coll)
	}
	base := bases[0]
	client := &http.Client{Timeout: 5 * time.Minute}

	// Ingest.
	envelopes := make(chan []byte, *workers*2)
	go func() {
		g := gen.New(1, org)
		for sent := 0; sent < *n; sent += *batch {
			envelopes <- g.Envelope(min(*batch, *n-sent))
		}
		close(envelopes)
	}()
	var stored, failed atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	lastReport := atomic.Int64{}
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		target := bases[w%len(bases)]
		go func() {
			defer wg.Done()
			for body := range envelopes {
				var st taxii.Status
				if code := do(client, "POST", target+"/objects/", key, body, &st); code != 202 {
					log.Fatalf("POST: HTTP %d", code)
				}
				stored.Add(int64(st.SuccessCount))
				failed.Add(int64(st.FailureCount))
				if s := stored.Load(); s/100000 > lastReport.Load() {
					lastReport.Store(s / 100000)
					el := time.Since(start)
					fmt.Printf("  %9d objects  %6.0f objects/s  rss %s\n", s, float64(s)/el.Seconds(), rss(cmds[0].Process.Pid))
				}
			}
		}()
	}
	wg.Wait()
	ingest := time.Since(start)
	end := time.Now()
	fmt.Printf("ingest: %d objects (%d refused) in %v: %.0f objects/s with %d hub process(es) at GOMAXPROCS=%s, %s, early warning %v\n",
		stored.Load(), failed.Load(), ingest.Round(time.Millisecond), float64(stored.Load())/ingest.Seconds(), *hubs, *procs, storeName(*pg), *engine)
	fmt.Printf("hub memory after ingest: %s; hub CPU %.1f s over %.1f s of ingest\n", rss(cmds[0].Process.Pid), cpuSeconds(cmds[0].Process.Pid), ingest.Seconds())

	// Pages of 1,000 indicators after a random point.
	var lat []time.Duration
	rng := rand.New(rand.NewPCG(2, 3))
	var got int
	for i := 0; i < *pages; i++ {
		at := start.Add(time.Duration(rng.Int64N(int64(end.Sub(start)))))
		url := base + "/objects/?limit=1000&match[type]=indicator&added_after=" + taxii.FormatTimestamp(at)
		t0 := time.Now()
		body, code := fetch(client, url, key)
		lat = append(lat, time.Since(t0)) // to the last byte; decoding is the client's
		if code != 200 {
			log.Fatalf("GET: HTTP %d", code)
		}
		var env taxii.Envelope
		if err := json.Unmarshal(body, &env); err != nil {
			log.Fatal(err)
		}
		got += len(env.Objects)
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))].Round(10 * time.Microsecond) }
	fmt.Printf("page of 1,000 (added_after + match[type]=indicator), request to last byte, %d pages, %.0f objects/page: p50 %v  p90 %v  p99 %v  max %v\n",
		len(lat), float64(got)/float64(len(lat)), q(0.5), q(0.9), q(0.99), lat[len(lat)-1].Round(10*time.Microsecond))
	fmt.Printf("hub memory after queries: %s\n", rss(cmds[0].Process.Pid))
	if fi, err := os.Stat(filepath.Join(data, "vigie.db")); err == nil {
		fmt.Printf("database file: %.0f MB\n", float64(fi.Size())/1e6)
	}
}

func do(c *http.Client, method, url, key string, body []byte, out any) int {
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	req.Header.Set("Accept", taxii.MediaType)
	req.Header.Set("Content-Type", taxii.MediaType)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := c.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		log.Fatalf("%s %s: %v", method, url, err)
	}
	return res.StatusCode
}

// fetch GETs url and returns the whole body.
func fetch(c *http.Client, url, key string) ([]byte, int) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", taxii.MediaType)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := c.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		log.Fatal(err)
	}
	return b, res.StatusCode
}

// cpuSeconds returns the user and system CPU time a process used so far.
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	if len(f) < 13 {
		return 0
	}
	var ut, st float64
	fmt.Sscan(f[11], &ut)
	fmt.Sscan(f[12], &st)
	return (ut + st) / 100 // clock ticks of 10 ms
}

// rss returns the resident and peak memory of a process.
func rss(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	var cur, peak string
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			cur = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			peak = strings.TrimSpace(v)
		}
	}
	return cur + " (peak " + peak + ")"
}

func storeName(pg string) string {
	if pg != "" {
		return "PostgreSQL"
	}
	return "SQLite"
}

// newSchema creates a schema on the server and returns a URL selecting it,
// and the function that drops it.
func newSchema(server string) (string, func()) {
	db, err := sql.Open("pgx", server)
	if err != nil {
		log.Fatal(err)
	}
	name := fmt.Sprintf("vigie_bench_%d", time.Now().UnixNano())
	if _, err := db.Exec(`CREATE SCHEMA ` + name); err != nil {
		log.Fatalf("create schema: %v", err)
	}
	u, err := url.Parse(server)
	if err != nil {
		log.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String(), func() { db.Exec(`DROP SCHEMA ` + name + ` CASCADE`); db.Close() }
}
