package correlate_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/sensor"
	"github.com/vigie-cti/vigie/sensor/correlate"
)

// BenchmarkObserveKept measures a line that joins a pattern's full window
// (999 events, REPEATS 1000 never reached): the cost of the evaluation over the
// window per line, and the memory a kept event holds.
func BenchmarkObserveKept(b *testing.B) {
	c := newCorrelator(b, correlate.Options{MaxEvents: correlate.DefaultMaxEvents - 1, Window: 24 * time.Hour},
		`[ipv4-addr:value = '192.0.2.1'] REPEATS 1000 TIMES`)
	ev := sensor.Event{Time: t0, Source: "conn.log", Observables: []sensor.Observable{{Kind: sensor.KindIP, Value: "192.0.2.1"}, {Kind: sensor.KindIP, Value: "10.0.0.5"}},
		Flow: &sensor.Flow{SrcIP: "10.0.0.5", SrcPort: 50000, DstIP: "192.0.2.1", DstPort: 443, Proto: "tcp"}}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < correlate.DefaultMaxEvents; i++ {
		ev.Line = int64(i)
		c.Observe(ev)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ev.Line++
		ev.Time = ev.Time.Add(time.Millisecond)
		c.Observe(ev)
	}
	b.StopTimer()
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(correlate.DefaultMaxEvents-1), "B/kept-event")
}

// BenchmarkWantsMiss is the cost, per observable of a line, of finding that
// no pattern can use it (the common case).
func BenchmarkWantsMiss(b *testing.B) {
	c := newCorrelator(b, correlate.Options{}, `[ipv4-addr:value = '192.0.2.1'] REPEATS 3 TIMES`)
	v := []byte("198.51.100.77")
	for i := 0; i < b.N; i++ {
		if c.Wants(sensor.KindIP, v) {
			b.Fatal("wanted")
		}
	}
}
