package federation_test

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// BenchmarkBacklogReplication measures a hub catching up on a peer's
// backlog over loopback HTTP, both hubs on SQLite: objects/s from the
// first request to the last page relayed (validation, ownership, origins
// and storage included; the early-warning engine, which reads the
// objects afterwards at its own pace, is not running).
func BenchmarkBacklogReplication(b *testing.B) {
	for _, page := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("page=%d", page), func(b *testing.B) {
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
