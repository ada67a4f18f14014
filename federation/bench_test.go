package federation_test

import (
	"fmt"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/federation"
	"github.com/vigie-cti/vigie/hub"
)

// BenchmarkBacklogReplication measures a hub catching up on a peer's
// backlog over loopback HTTP, both hubs on SQLite: objects/s from the
// first request to the last page relayed (validation, ownership, origins
// and storage included; the early-warning engine, which reads the
// objects afterwards at its own pace, is not running).
func BenchmarkBacklogReplication(b *testing.B) {
	for _, tc := range []struct {
		page   int
		policy bool
	}{{1000, false}, {10000, false}, {10000, true}} {
		page := tc.page
		name := fmt.Sprintf("page=%d", page)
		if tc.policy {
			name += "/policy" // an egress policy every object passes: its cost alone
		}
		b.Run(name, func(b *testing.B) {
			const n = 20000
			src := newTestHubWith(b, "B", false)
			for start := 0; start < n; start += 5000 {
				var objs []map[string]any
				for i := start; i < start+5000; i++ {
					objs = append(objs, src.indicator(i, nil))
				}
				src.publish(objs...)
			}
			b.ResetTimer()
			var total, cpu time.Duration
			for i := range b.N {
				b.StopTimer()
				dst := newTestHubWith(b, fmt.Sprintf("A%d-%d", page, i), false)
				dst.opts.PageSize = page
				dst.pullFrom(src)
				if tc.policy {
					pol := vigie.EgressPolicy{Types: []string{"indicator"}, DenyTypes: []string{"malware"}, ExcludeOrgs: []string{"identity--0f0f0f0f-0000-4000-8000-000000000001"}}
					if _, _, err := src.hub.SetEgressPolicy(ctx, hub.Console(), "hub "+dst.name, pol); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				began, cpu0 := time.Now(), cpuTime()
				dst.startRunner()
				waitFor(b, "the backlog", func() bool { st := dst.peerState("B"); return st.Stats.Stored == n })
				total += time.Since(began)
				cpu += cpuTime() - cpu0
				b.StopTimer()
				dst.close()
				b.StartTimer()
			}
			b.ReportMetric(float64(n*b.N)/total.Seconds(), "objects/s")
			// CPU of both hubs (one process), per object: the figure that
			// holds on a loaded machine; 1e6 / it is objects/s per core.
			b.ReportMetric(float64(cpu.Microseconds())/float64(n*b.N), "cpu-µs/object")
		})
	}
}

// cpuTime returns the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkIdlePeers measures what 100 idle peers cost: hub A pulls from
// 100 peers (all hub B, caught up, nothing new), and the process (both
// hubs) is watched for 30 s: CPU as a percentage of one core.
func BenchmarkIdlePeers(b *testing.B) {
	const peers = 100
	src := newTestHubWith(b, "B", false)
	src.publish(src.indicator(1, nil))
	dst := newTestHubWith(b, "A", false)
	dst.opts = federation.Options{} // the production settings (peers read every 2 s, long polls of 25 s)
	key := src.grant(dst)
	for i := range peers {
		dst.addPeer(fmt.Sprintf("B%03d", i), src.srv.URL+"/api1/", key, src.coll.ID)
	}
	dst.startRunner()
	waitFor(b, "every peer to catch up", func() bool {
		ps, err := dst.hub.Peers(ctx, hub.Console())
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range ps {
			if p.State.LastSync.IsZero() {
				return false
			}
		}
		return true
	})
	b.ResetTimer()
	var share float64
	for range b.N {
		began, cpu0 := time.Now(), cpuTime()
		time.Sleep(30 * time.Second) // more than one long poll timeout (25 s) of every peer
		share += float64(cpuTime()-cpu0) / float64(time.Since(began))
	}
	b.ReportMetric(100*share/float64(b.N), "%-of-a-core")
}

// BenchmarkPublishToRelay measures the wake-up: the time from a publish on
// hub B (its 202) to the object stored on hub A, which waits on B's long
// poll; p50 and p99 over b.N objects published one at a time.
func BenchmarkPublishToRelay(b *testing.B) {
	src := newTestHubWith(b, "B", false)
	dst := newTestHubWith(b, "A", false)
	dst.opts = federation.Options{}
	dst.pullFrom(src)
	dst.startRunner()
	warm := src.indicator(0, nil)
	src.publish(warm)
	waitFor(b, "the first object", func() bool { return dst.has(v(warm)) })
	var lat []time.Duration
	b.ResetTimer()
	for i := range b.N {
		o := src.indicator(i+1, nil)
		began := time.Now()
		src.publish(o)
		id := o["id"].(string)
		for {
			p, err := dst.store.Objects(ctx, &vigie.ObjectQuery{Collection: dst.coll.ID, Scope: vigie.ReadScope{All: true}, IDs: []string{id}, Limit: 1, WithoutRaw: true})
			if err != nil {
				b.Fatal(err)
			}
			if len(p.Objects) > 0 {
				break
			}
			time.Sleep(time.Millisecond)
		}
		lat = append(lat, time.Since(began))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
