package federation_test

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkBacklogReplication measures a hub catching up on a peer's
// backlog over loopback HTTP, both hubs on SQLite: objects/s from the
// first request to the last page relayed (validation, ownership, origins
// and storage included).
func BenchmarkBacklogReplication(b *testing.B) {
	for _, page := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("page=%d", page), func(b *testing.B) {
			const n = 20000
			src := newTestHub(b, "B")
			for start := 0; start < n; start += 5000 {
				var objs []map[string]any
				for i := start; i < start+5000; i++ {
					objs = append(objs, src.indicator(i, nil))
				}
				src.publish(objs...)
			}
			b.ResetTimer()
			var total time.Duration
			for i := range b.N {
				b.StopTimer()
				dst := newTestHub(b, fmt.Sprintf("A%d-%d", page, i))
				dst.opts.PageSize = page
				dst.pullFrom(src)
				b.StartTimer()
				began := time.Now()
				dst.startRunner()
				waitFor(b, "the backlog", func() bool { st := dst.peerState("B"); return st.Stats.Stored == n })
				total += time.Since(began)
				b.StopTimer()
				dst.close()
				b.StartTimer()
			}
			b.ReportMetric(float64(n*b.N)/total.Seconds(), "objects/s")
		})
	}
}
