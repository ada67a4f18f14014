package hub_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/export"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/store/sqlite"
)

// cpuTime returns the user and system CPU time of the process so far
// (the hub benchmarks report per CPU second: the machine is shared).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakHeap samples the heap in use until stop is called, and returns the
// highest figure seen above the heap at the start.
func peakHeap() (stop func() uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > base && ms.HeapInuse-base > peak.Load() {
				peak.Store(ms.HeapInuse - base)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}

// BenchmarkExportHub1M exports 1,000,000 active indicators of a SQLite
// hub through hub.ExportIndicators: the store's stream, reading each
// indicator, and, in the sub-benchmarks that write, the writer. It
// reports wall and CPU time and the peak heap above the start.
func BenchmarkExportHub1M(b *testing.B) {
	if testing.Short() {
		b.Skip("1M indicators: skipped with -short")
	}
	n := 1_000_000
	if s := os.Getenv("VIGIE_EXPORT_BENCH_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	path := filepath.Join(b.TempDir(), "vigie.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	h := hub.New(st, hub.Config{}, func() time.Time { return now })
	org, err := h.AddOrg(ctx, hub.Console(), "A", nil, "")
	if err != nil {
		b.Fatal(err)
	}
	c, err := h.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "r", Title: "Bench", Read: []string{"org:A"}, Write: []string{"org:A"}})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	batch := make([]*vigie.Object, 0, 10000)
	for i := range n {
		id := fmt.Sprintf("indicator--%08x-0000-4000-8000-%012x", i, i)
		var pat string
		switch i % 4 {
		case 0:
			pat = fmt.Sprintf("[ipv4-addr:value = '10.%d.%d.%d']", i>>16&255, i>>8&255, i&255)
		case 1:
			pat = fmt.Sprintf("[domain-name:value = 'h%d.example.com']", i)
		case 2:
			pat = fmt.Sprintf("[file:hashes.'SHA-256' = '%064x']", i)
		default:
			pat = fmt.Sprintf("[url:value = 'http://h%d.example.net/x']", i)
		}
		raw, _ := json.Marshal(map[string]any{
			"type": "indicator", "spec_version": "2.1", "id": id, "created_by_ref": org.ID,
			"created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
			"name": "Lantern infrastructure", "description": "Command and control of the Frozen Lantern campaign.",
			"pattern": pat, "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z",
			"object_marking_refs": []string{vigie.MarkingGreen},
		})
		batch = append(batch, &vigie.Object{ID: id, Type: "indicator", SpecVersion: "2.1", Version: "2026-01-01T00:00:00.000Z",
			VersionKey: vigie.VersionKey(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), Sharing: vigie.Sharing{Publisher: org.ID, TLP: vigie.TLPGreen}, Raw: raw})
		if len(batch) == cap(batch) || i == n-1 {
			s := &vigie.Status{ID: vigie.NewUUID(), Root: "r", OrgID: org.ID, RequestTime: now, Total: len(batch)}
			if err := st.AddObjects(ctx, c.ID, batch, s); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	b.Logf("stored %d indicators in %v", n, time.Since(start))
	// A hub of a million indicators has long checkpointed its WAL into
	// the database file; the benchmark reads from the file too.
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		b.Fatal(err)
	}
	db.Close()
	p := vigie.Principal{OrgID: org.ID, KeyID: "k", Role: vigie.RoleReader}
	for _, v := range []vigie.VersionFilter{{}, {All: true}} {
		b.Run(fmt.Sprintf("store-all-%v", v.All), func(b *testing.B) {
			for b.Loop() {
				cpu := cpuTime()
				count := 0
				err := st.EachObject(ctx, &vigie.ObjectQuery{Collection: c.ID, Types: []string{"indicator"}, Versions: v, Scope: vigie.ReadScope{OrgID: org.ID, Member: true, DefaultTLP: vigie.TLPGreen}}, func(*vigie.Object) error { count++; return nil })
				if err != nil || count != n {
					b.Fatal(count, err)
				}
				b.ReportMetric((cpuTime() - cpu).Seconds(), "cpu-s")
			}
		})
	}
	for _, format := range []string{"", "zeek-intel", "list-ip", "rpz"} {
		name := format
		if name == "" {
			name = "read-only"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				stop := peakHeap()
				cpu := cpuTime()
				count := 0
				write := func(*export.Indicator) error { count++; return nil }
				var w export.Writer
				if format != "" {
					if w, err = export.New(format, io.Discard, export.Options{}); err != nil {
						b.Fatal(err)
					}
					write = w.Write
				}
				es, err := h.ExportIndicators(ctx, p, hub.ExportQuery{}, write)
				if err != nil || es.Indicators != n {
					b.Fatalf("%+v %v", es, err)
				}
				if w != nil {
					if err := w.Close(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(stop())/1e6, "peak-heap-MB")
				b.ReportMetric((cpuTime() - cpu).Seconds(), "cpu-s")
			}
		})
	}
}
