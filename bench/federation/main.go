// Command federation measures federation between real "vigie serve"
// processes on loopback, each on its own SQLite data directory prepared
// with the hub's Go API (fast):
//
//   - backlog (-n): hub B holds n TLP:GREEN indicators (published through
//     the hub's publish use case, in envelopes of 10,000); hub A starts and
//     pulls them. It reports objects/s from A's start to the last one
//     stored (as A's "peer list" counts them), the CPU time of both
//     processes per object, and their memory (peak RSS, and the resident
//     set split into heap and SQLite's memory-mapped file). The
//     early-warning engines are off, as in the federation package's
//     in-process benchmark.
//
//   - latency (-samples): chain B → A → C; a member of A and a member of C
//     watch 10.1.0.0/16 and have a webhook to a receiver on loopback. One
//     GREEN indicator at a time is published on B inside that range and
//     timed from B's 202 to each webhook's arrival: p50 and p99 at A (one
//     hop) and at C (two hops).
//
//     go build -o /tmp/vigie ./cmd/vigie && go run ./bench/federation -vigie /tmp/vigie -n 1000000 -samples 200
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/bench/gen"
	"github.com/vigie-cti/vigie/bench/internal/hubproc"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/store/sqlite"
	"github.com/vigie-cti/vigie/taxii"
)

var ctx = context.Background()

func main() {
	bin := flag.String("vigie", "vigie", "path to the vigie binary")
	n := flag.Int("n", 100000, "backlog objects on B (0: skip the backlog run)")
	samples := flag.Int("samples", 200, "publishes to time along B → A → C (0: skip the latency run)")
	flag.Parse()
	log.SetFlags(0)
	root, err := os.MkdirTemp("", "vigie-federation-bench-")
	check(err)
	defer os.RemoveAll(root)
	if *n > 0 {
		backlog(*bin, filepath.Join(root, "backlog"), *n)
	}
	if *samples > 0 {
		latency(*bin, filepath.Join(root, "latency"), *samples)
	}
}

// backlog times hub A pulling n objects from hub B.
func backlog(bin, root string, n int) {
	b, a := prepare(root, "B"), prepare(root, "A")
	peer(b, a)
	t0 := time.Now()
	g := gen.New(7, b.org.ID)
	access := vigie.Access{Read: true, Member: true, Write: true}
	principal := vigie.Principal{OrgID: b.org.ID, Role: vigie.RolePublisher}
	for done := 0; done < n; {
		raws := make([]json.RawMessage, 0, min(10000, n-done))
		for len(raws) < cap(raws) {
			o := g.Indicator()
			o["object_marking_refs"] = []string{vigie.MarkingGreen}
			raw, _ := json.Marshal(o)
			raws = append(raws, raw)
		}
		st, err := b.hub.Publish(ctx, principal, access, b.coll, raws)
		check(err)
		if len(st.Failures) > 0 {
			log.Fatalf("loading B: %d failures, first %+v", len(st.Failures), st.Failures[0])
		}
		done += len(raws)
	}
	b.close()
	a.close()
	fmt.Printf("backlog: loaded %d GREEN indicators on B in %v\n", n, time.Since(t0).Round(time.Second))

	pb := start(bin, b, "--early-warning=false")
	defer pb.Process.Kill()
	began, cpuB := time.Now(), cpu(pb.Process.Pid)
	pa := start(bin, a, "--early-warning=false")
	defer pa.Process.Kill()
	for stored := int64(0); stored < int64(n); time.Sleep(200 * time.Millisecond) {
		stored = peerStats(bin, a.dir).Stored
	}
	took := time.Since(began)
	spent := cpu(pb.Process.Pid) - cpuB + cpu(pa.Process.Pid)
	fmt.Printf("backlog: %d objects B → A in %v: %.0f objects/s; CPU of both hubs %.0f µs/object\n  B: %s\n  A: %s\n",
		n, took.Round(100*time.Millisecond), float64(n)/took.Seconds(), float64(spent.Microseconds())/float64(n),
		memory(pb.Process.Pid), memory(pa.Process.Pid))
}

// latency times publish on B → webhook at a member of A and of C.
func latency(bin, root string, samples int) {
	arrived := map[string]map[string]time.Time{"a": {}, "c": {}}
	var mu sync.Mutex
	notify := make(chan struct{}, 100)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		now := time.Now()
		var p struct {
			Alert struct{ Objects []struct{ ID string } }
		}
		json.Unmarshal(body, &p)
		mu.Lock()
		if got, ok := arrived[strings.Trim(r.URL.Path, "/")]; ok {
			for _, o := range p.Alert.Objects {
				if _, seen := got[o.ID]; !seen {
					got[o.ID] = now
				}
			}
		}
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
		select {
		case notify <- struct{}{}:
		default:
		}
	}))
	hook := "http://" + ln.Addr().String() + "/"

	b, a, c := prepare(root, "B"), prepare(root, "A"), prepare(root, "C")
	peer(b, a)
	peer(a, c)
	member(a, hook+"a")
	member(c, hook+"c")
	for _, h := range []*prepared{a, b, c} {
		h.close()
	}
	for _, h := range []*prepared{b, a, c} {
		p := start(bin, h, "--webhook-allow", "127.0.0.0/8")
		defer p.Process.Kill()
	}
	url := "http://127.0.0.1:" + b.port + "/coalition/collections/" + b.coll.ID + "/objects/"
	client := &http.Client{Timeout: time.Minute}
	var lat = map[string][]time.Duration{}
	for s := -1; s < samples; s++ { // the first, not timed, waits for the hubs to settle
		id := "indicator--" + vigie.NewUUID()
		now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
		obj := map[string]any{"type": "indicator", "spec_version": "2.1", "id": id, "created": now, "modified": now,
			"created_by_ref": b.org.ID, "name": "C2", "pattern": fmt.Sprintf("[ipv4-addr:value = '10.1.%d.%d']", s/250+1, s%250+1),
			"pattern_type": "stix", "valid_from": now, "object_marking_refs": []string{vigie.MarkingGreen}}
		acked := post(client, url, b.publisher, obj)
		wait := 30 * time.Second
		if s < 0 {
			wait = 2 * time.Minute
		}
		deadline := time.After(wait)
		for {
			mu.Lock()
			ta, okA := arrived["a"][id]
			tc, okC := arrived["c"][id]
			mu.Unlock()
			if okA && okC {
				if s >= 0 {
					lat["a"] = append(lat["a"], ta.Sub(acked))
					lat["c"] = append(lat["c"], tc.Sub(acked))
				}
				break
			}
			select {
			case <-notify:
			case <-deadline:
				log.Fatalf("no webhook at A (%v) or C (%v) for %s within %v", okA, okC, id, wait)
			}
		}
	}
	for _, k := range []string{"a", "c"} {
		l := lat[k]
		slices.Sort(l)
		q := func(p float64) time.Duration { return l[int(p*float64(len(l)-1))].Round(100 * time.Microsecond) }
		fmt.Printf("publish on B (202) -> webhook at a member of %s, %d alerts: p50 %v  p90 %v  p99 %v  max %v\n",
			strings.ToUpper(k), len(l), q(0.5), q(0.9), q(0.99), l[len(l)-1].Round(100*time.Microsecond))
	}
}

// prepared is a hub's data directory during set-up, with its store open.
type prepared struct {
	name, dir, port string
	st              *sqlite.Store
	hub             *hub.Hub
	org             *vigie.Org
	coll            *vigie.Collection
	publisher       string // a publisher key of the hub's CERT
}

// prepare makes a data directory where CERT-name operates the hub and
// publishes into "coalition", which the community "coalition" reads.
func prepare(root, name string) *prepared {
	p := &prepared{name: name, dir: filepath.Join(root, name), port: freePort()}
	check(os.MkdirAll(p.dir, 0o700))
	var err error
	p.st, err = sqlite.Open(ctx, filepath.Join(p.dir, "vigie.db"))
	check(err)
	p.hub = hub.New(p.st, hub.Config{}, time.Now)
	cert := "CERT-" + name
	p.org, err = p.hub.AddOrg(ctx, hub.Console(), cert, []string{"government-national"}, "FR")
	check(err)
	_, err = p.hub.SetHubOperator(ctx, hub.Console(), cert)
	check(err)
	_, err = p.hub.AddCommunity(ctx, hub.Console(), "coalition", []string{cert})
	check(err)
	p.coll, err = p.hub.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "coalition", Title: "Coalition",
		Read: []string{"community:coalition"}, Write: []string{"org:" + cert}})
	check(err)
	_, p.publisher, err = p.hub.AddKey(ctx, hub.Console(), cert, vigie.RolePublisher, "bench", time.Time{})
	check(err)
	return p
}

func (p *prepared) close() { check(p.st.Close()) }

// peer makes dst pull src's collection into its own: src grants hub-dst
// (an organisation, a key of role peer, membership of the community).
func peer(src, dst *prepared) {
	org := "hub-" + dst.name
	_, err := src.hub.AddOrg(ctx, hub.Console(), org, nil, "")
	check(err)
	_, key, err := src.hub.AddKey(ctx, hub.Console(), org, vigie.RolePeer, "federation", time.Time{})
	check(err)
	check(src.hub.SetCommunityMember(ctx, hub.Console(), "coalition", org, true))
	check(dst.hub.AddPeer(ctx, hub.Console(), &vigie.Peer{Name: "hub-" + src.name, URL: "http://127.0.0.1:" + src.port + "/coalition/",
		Key: vigie.Secret(key), RemoteCollection: src.coll.ID, LocalCollection: dst.coll.ID}))
}

// member adds an organisation of p that reads the collection, watches
// 10.1.0.0/16 and has a webhook to url.
func member(p *prepared, url string) {
	o, err := p.hub.AddOrg(ctx, hub.Console(), "Helios-"+p.name, []string{"energy"}, "FR")
	check(err)
	check(p.hub.SetCommunityMember(ctx, hub.Console(), "coalition", o.Name, true))
	check(p.st.CreateWatch(ctx, &vigie.WatchEntry{ID: vigie.NewUUID(), OrgID: o.ID, Kind: vigie.WatchCIDR, Value: "10.1.0.0/16", Created: time.Now()}))
	check(p.st.CreateWebhook(ctx, &vigie.Webhook{ID: vigie.NewUUID(), OrgID: o.ID, URL: url, Secret: "bench-secret-0123456789", Created: time.Now()}))
}

// start runs "vigie serve" on p's data directory and port.
func start(bin string, p *prepared, extra ...string) *exec.Cmd {
	cmd := exec.Command(bin, append([]string{"serve", "--data", p.dir, "--addr", "127.0.0.1:" + p.port, "--http"}, extra...)...)
	stderr, err := cmd.StderrPipe()
	check(err)
	check(cmd.Start())
	hubproc.WaitURL(stderr)
	return cmd
}

// peerStats reads the counters of dir's only peer with "peer list --json".
func peerStats(bin, dir string) vigie.RelayStats {
	out, err := exec.Command(bin, "admin", "--data", dir, "peer", "list", "--json").Output()
	check(err)
	var peers []struct{ Detail vigie.PeerState }
	check(json.Unmarshal(out, &peers))
	if len(peers) != 1 {
		log.Fatalf("peer list: %s", out)
	}
	return peers[0].Detail.Stats
}

// cpu returns the CPU time (user and system) a process has used so far.
func cpu(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	check(err)
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:])) // fields from the 3rd on
	var utime, stime int64
	fmt.Sscan(f[11], &utime)
	fmt.Sscan(f[12], &stime)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

// memory returns a process's memory in MiB, from /proc: its peak resident
// set (VmHWM), and the resident set now split into anonymous memory (the
// heap) and file pages (SQLite's memory-mapped database, page cache the
// kernel may reclaim).
func memory(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	check(err)
	v := map[string]int64{}
	for _, line := range strings.Split(string(b), "\n") {
		var name string
		var kb int64
		if _, err := fmt.Sscanf(line, "%s %d kB", &name, &kb); err == nil {
			v[strings.TrimSuffix(name, ":")] = kb >> 10
		}
	}
	return fmt.Sprintf("peak RSS %d MiB (now %d MiB anonymous + %d MiB file-mapped)", v["VmHWM"], v["RssAnon"], v["RssFile"])
}

// post publishes one object and returns when the 202 arrived.
func post(c *http.Client, url, key string, obj map[string]any) time.Time {
	body, _ := json.Marshal(map[string]any{"objects": []any{obj}})
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", taxii.MediaType)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := c.Do(req)
	check(err)
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 202 {
		log.Fatalf("POST: HTTP %d", res.StatusCode)
	}
	return time.Now()
}

// freePort returns a loopback port free now, so that peers can be given
// each other's URL before the hubs start.
func freePort() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
