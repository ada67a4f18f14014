package export_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/export"
)

// Corpus returns n indicators of the mix a hub holds: hashes, addresses,
// domains, URLs, a few blocks and e-mail addresses.
func corpus(n int) []export.Indicator {
	r := rand.New(rand.NewPCG(7, 1))
	hex := func(k int) string {
		const digits = "0123456789abcdef"
		b := make([]byte, k)
		for i := range b {
			b[i] = digits[r.IntN(16)]
		}
		return string(b)
	}
	inds := make([]export.Indicator, n)
	for i := range inds {
		var p string
		switch k := r.IntN(100); {
		case k < 25:
			p = "[file:hashes.'SHA-256' = '" + hex(64) + "']"
		case k < 35:
			p = "[file:hashes.MD5 = '" + hex(32) + "']"
		case k < 55:
			p = fmt.Sprintf("[ipv4-addr:value = '%d.%d.%d.%d']", r.IntN(223)+1, r.IntN(256), r.IntN(256), r.IntN(256))
		case k < 60:
			p = fmt.Sprintf("[ipv4-addr:value ISSUBSET '%d.%d.0.0/16']", r.IntN(223)+1, r.IntN(256))
		case k < 80:
			p = "[domain-name:value = '" + hex(10) + ".example.com']"
		case k < 95:
			p = "[url:value = 'http://" + hex(8) + ".example.net/" + hex(12) + "']"
		default:
			p = "[email-addr:value = '" + hex(6) + "@example.org']"
		}
		inds[i] = export.Indicator{ID: fmt.Sprintf("indicator--%08x-0000-4000-8000-%012x", i, i), Name: "Lantern infrastructure", PatternType: "stix", Pattern: p}
	}
	return inds
}

// BenchmarkWriter1M writes 1,000,000 indicators in each format to
// io.Discard (pattern parsing included): the writer's share of an export.
func BenchmarkWriter1M(b *testing.B) {
	if testing.Short() {
		b.Skip("1M indicators: skipped with -short")
	}
	inds := corpus(1_000_000)
	for _, format := range []string{"zeek-intel", "suricata-domains", "rpz", "list-ip", "csv"} {
		b.Run(format, func(b *testing.B) {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			cpu := cpuTime()
			b.ReportAllocs()
			for b.Loop() {
				w, err := export.New(format, io.Discard, export.Options{})
				if err != nil {
					b.Fatal(err)
				}
				for i := range inds {
					if err := w.Write(&inds[i]); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(b.N)/1e6, "cpu-ns/indicator")
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ns/indicator")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/1e6, "B-alloc/indicator")
		})
	}
}

// cpuTime returns the CPU time the process has used: on a machine shared
// with other work, CPU time per indicator measures the cost on one core
// better than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
