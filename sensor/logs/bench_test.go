package logs_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/bench/scan/scandata"
	"github.com/vigie-cti/vigie/sensor"
	"github.com/vigie-cti/vigie/sensor/logs"
)

// benchMatcher compiles n generated indicator values.
func benchMatcher(b *testing.B, n int) (*sensor.Matcher, *scandata.Values) {
	b.Helper()
	v := scandata.New(1).Values(n)
	var inds []*sensor.Indicator
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	v.Each(func(p, _ string) {
		inds = append(inds, &sensor.Indicator{ID: fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", len(inds)),
			PatternType: "stix", Pattern: p, ValidFrom: from})
	})
	m, errs := sensor.NewMatcher(inds, sensor.MatcherOptions{Now: from.AddDate(0, 3, 0)})
	if len(errs) > 0 {
		b.Fatal(errs[0])
	}
	return m, v
}

func benchScan(b *testing.B, data []byte, m *sensor.Matcher, workers int) {
	s := &logs.Scanner{NewLookup: func() logs.Lookup { return m.NewSession() }, Workers: workers}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	hits := 0
	cpu := cpuTime()
	for b.Loop() {
		st := s.Scan(context.Background(), "bench", bytes.NewReader(data), func(sensor.Hit) { hits++ })
		if st.ErrorCount > 0 {
			b.Fatal(st.Errors[0])
		}
	}
	// CPU time (user and system, the whole process) is what a loaded
	// machine distorts least: the wall-clock MB/s includes the time spent
	// waiting for a core.
	b.ReportMetric(float64(len(data))*float64(b.N)/1e6/(cpuTime()-cpu).Seconds(), "MB/cpu-s")
	b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
}

// cpuTime returns the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchLog scans a generated log of the given lines, in which one line in
// 1,000 names one of 1,000,000 indicators, with 1 and 2 workers.
func benchLog(b *testing.B, seed uint64, lines int, write func(*scandata.Gen, io.Writer, *scandata.Values, scandata.LogOptions) error) {
	m, v := benchMatcher(b, 1_000_000)
	var buf bytes.Buffer
	if err := write(scandata.New(seed), &buf, v, scandata.LogOptions{Lines: lines, HitRate: 0.001}); err != nil {
		b.Fatal(err)
	}
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) { benchScan(b, buf.Bytes(), m, w) })
	}
}

// BenchmarkScanZeekConn scans a Zeek conn.log.
func BenchmarkScanZeekConn(b *testing.B) { benchLog(b, 2, 400_000, (*scandata.Gen).ZeekConn) }

// BenchmarkScanZeekDNS scans a Zeek dns.log: more observables per byte
// than conn.log (the query, its parent domains, the answers).
func BenchmarkScanZeekDNS(b *testing.B) { benchLog(b, 4, 300_000, (*scandata.Gen).ZeekDNS) }

// BenchmarkScanEVE scans Suricata EVE JSON.
func BenchmarkScanEVE(b *testing.B) { benchLog(b, 3, 150_000, (*scandata.Gen).EVE) }

// benchParse parses every line with a no-op emit: the cost of the format
// alone, without lookups.
func benchParse(b *testing.B, f logs.Format, data []byte) {
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	emitted := 0
	emit := func(sensor.Kind, []byte) { emitted++ }
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		p := f.NewParser()
		for _, l := range lines {
			p.Parse(l, emit)
		}
	}
}

// BenchmarkParse measures the parsers alone on generated logs.
func BenchmarkParse(b *testing.B) {
	v := scandata.New(1).Values(10_000)
	var conn, eve bytes.Buffer
	scandata.New(2).ZeekConn(&conn, v, scandata.LogOptions{Lines: 100_000, HitRate: 0.001})
	scandata.New(3).EVE(&eve, v, scandata.LogOptions{Lines: 40_000, HitRate: 0.001})
	b.Run("zeek-conn", func(b *testing.B) { benchParse(b, logs.ZeekTSV{}, conn.Bytes()) })
	b.Run("eve", func(b *testing.B) { benchParse(b, logs.EVE{}, eve.Bytes()) })
}
