package indicator_test

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/indicator"
	"github.com/vigie-cti/vigie/pattern"
)

// corpus generates indicators of the mix the sensor sees: mostly hashes,
// addresses, domains and URLs, a few CIDR blocks and compound patterns.
type corpus struct {
	r *rand.Rand
}

func (c *corpus) hex(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(c.r.Uint32())
	}
	return hex.EncodeToString(b)
}

func (c *corpus) ipv4() string {
	v := c.r.Uint32()
	return fmt.Sprintf("%d.%d.%d.%d", byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

func (c *corpus) domain() string {
	return fmt.Sprintf("%s.%s", c.hex(5), []string{"com", "net", "org", "info", "ru"}[c.r.IntN(5)])
}

// observable returns the kind and value of an observable, and its pattern.
func (c *corpus) indicator() (indicator.ObservableKind, string, string) {
	switch n := c.r.IntN(100); {
	case n < 25:
		v := c.hex(32)
		return indicator.KindSHA256, v, "[file:hashes.'SHA-256' = '" + v + "']"
	case n < 35:
		v := c.hex(16)
		return indicator.KindMD5, v, "[file:hashes.MD5 = '" + v + "']"
	case n < 40:
		v := c.hex(20)
		return indicator.KindSHA1, v, "[file:hashes.'SHA-1' = '" + v + "']"
	case n < 60:
		v := c.ipv4()
		return indicator.KindIPv4, v, "[ipv4-addr:value = '" + v + "']"
	case n < 63:
		v := fmt.Sprintf("2001:db8:%x:%x::%x", c.r.Uint32()&0xffff, c.r.Uint32()&0xffff, c.r.Uint32()&0xffff)
		return indicator.KindIPv6, v, "[ipv6-addr:value = '" + v + "']"
	case n < 68:
		v := c.ipv4()
		return indicator.KindIPv4, v, "[ipv4-addr:value ISSUBSET '" + v + "/" + fmt.Sprint(16+c.r.IntN(13)) + "']"
	case n < 83:
		v := c.domain()
		return indicator.KindDomain, v, "[domain-name:value = '" + v + "']"
	case n < 95:
		v := "http://" + c.domain() + "/" + c.hex(6)
		return indicator.KindURL, v, "[url:value = '" + v + "']"
	case n < 97:
		v := c.hex(4) + "@" + c.domain()
		return indicator.KindEmail, v, "[email-addr:value = '" + v + "']"
	}
	v := c.ipv4()
	return indicator.KindIPv4, v, "[network-traffic:dst_ref.value = '" + v + "' AND network-traffic:dst_port = 443]"
}

// query returns a lookup that hits an indicator of the corpus half of the
// time.
type query struct {
	kind  indicator.ObservableKind
	value string
}

func buildIndex(tb testing.TB, n int, seed uint64) (*indicator.Index, []query, []*pattern.Pattern) {
	tb.Helper()
	c := &corpus{r: rand.New(rand.NewPCG(seed, 1))}
	ix := indicator.NewIndex(indicator.Options{})
	var hits []query
	var pats []*pattern.Pattern
	keep := n <= 100000
	for i := range n {
		kind, v, src := c.indicator()
		p, err := pattern.Parse(src)
		if err != nil {
			tb.Fatal(err)
		}
		if err := ix.Add(indicator.Indicator{ID: fmt.Sprintf("indicator--%08x-0000-4000-8000-%012x", i, i), Pattern: p}); err != nil {
			tb.Fatal(err)
		}
		if i%16 == 0 {
			hits = append(hits, query{kind, v})
		}
		if keep {
			pats = append(pats, p)
		}
	}
	// Interleave hits with misses of the same kinds. 4,096 queries keep
	// their bytes in cache, like a value the sensor has just read from a
	// log line, while the tables are as cold as their size makes them.
	misses := &corpus{r: rand.New(rand.NewPCG(seed, 2))}
	var qs []query
	for _, i := range rand.New(rand.NewPCG(seed, 3)).Perm(len(hits))[:min(len(hits), 2048)] {
		qs = append(qs, query{hits[i].kind, strings.Clone(hits[i].value)})
		kind, v, _ := misses.indicator()
		qs = append(qs, query{kind, v})
	}
	return ix, qs, pats
}

// cpuTime returns the CPU time the process has used. On a machine shared
// with other work, CPU time per operation measures the cost on one core
// better than the wall clock, which also counts time spent descheduled.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkIndexBuild1M builds an index of 1,000,000 mixed indicators
// (parsing included) and reports the time and the heap per indicator.
func BenchmarkIndexBuild1M(b *testing.B) {
	if testing.Short() {
		b.Skip("1M indicators: skipped with -short")
	}
	const n = 1_000_000
	for b.Loop() {
		before := heapInUse()
		ix, _, _ := buildIndex(b, n, 7)
		b.StopTimer()
		after := heapInUse()
		b.ReportMetric(float64(after-before)/n, "B/indicator")
		runtime.KeepAlive(ix)
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/indicator")
}

// BenchmarkIndexLookup1M looks observables up in an index of 1,000,000
// indicators, half of them hits, on one goroutine.
func BenchmarkIndexLookup1M(b *testing.B) {
	if testing.Short() {
		b.Skip("1M indicators: skipped with -short")
	}
	ix, qs, _ := buildIndex(b, 1_000_000, 7)
	benchLookup(b, ix, qs)
}

// BenchmarkIndexLookup10k is BenchmarkIndexLookup1M with 10,000
// indicators, for comparison with the naive loop.
func BenchmarkIndexLookup10k(b *testing.B) {
	ix, qs, _ := buildIndex(b, 10_000, 7)
	benchLookup(b, ix, qs)
}

func benchLookup(b *testing.B, ix *indicator.Index, qs []query) {
	found := 0
	fn := func(h indicator.Hit) bool { found++; return true }
	runtime.GC() // do not let the build's garbage collection share the timed loop
	b.ReportAllocs()
	cpu := cpuTime()
	i := 0
	for b.Loop() {
		q := qs[i%len(qs)]
		ix.Lookup(q.kind, q.value, now, fn)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
	b.ReportMetric(float64(b.N)/(cpuTime()-cpu).Seconds(), "lookups/cpu-s")
	if found == 0 {
		b.Fatal("no lookup hit")
	}
}

// observationOf builds the observation of one observable, as the sensor
// would from a log line.
func observationOf(q query) []pattern.Observation {
	obj := map[string]any{"id": "x--1"}
	switch q.kind {
	case indicator.KindIPv4:
		obj["type"], obj["value"] = "ipv4-addr", q.value
	case indicator.KindIPv6:
		obj["type"], obj["value"] = "ipv6-addr", q.value
	case indicator.KindDomain:
		obj["type"], obj["value"] = "domain-name", q.value
	case indicator.KindURL:
		obj["type"], obj["value"] = "url", q.value
	case indicator.KindEmail:
		obj["type"], obj["value"] = "email-addr", q.value
	case indicator.KindMD5:
		obj["type"], obj["hashes"] = "file", map[string]any{"MD5": q.value}
	case indicator.KindSHA1:
		obj["type"], obj["hashes"] = "file", map[string]any{"SHA-1": q.value}
	default:
		obj["type"], obj["hashes"] = "file", map[string]any{"SHA-256": q.value}
	}
	return []pattern.Observation{{ID: "observed-data--1", FirstObserved: now, LastObserved: now, NumberObserved: 1,
		Objects: map[string]map[string]any{"x--1": obj}, Roots: []string{"x--1"}}}
}

// BenchmarkNaiveLoop10k evaluates each of 10,000 patterns on every
// observation: the cost the index avoids. ns/indicator extrapolates to
// larger sets (1,000,000 indicators cost 100 times ns/op).
func BenchmarkNaiveLoop10k(b *testing.B) {
	_, qs, pats := buildIndex(b, 10_000, 7)
	var obs [][]pattern.Observation
	for _, q := range qs {
		obs = append(obs, observationOf(q))
	}
	runtime.GC()
	i := 0
	for b.Loop() {
		o := obs[i%len(obs)]
		for _, p := range pats {
			if _, err := p.Matches(o); err != nil {
				b.Fatal(err)
			}
		}
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(pats)), "ns/indicator")
}

// BenchmarkIndexMatch10k answers the naive loop's question with the
// index: the indicators an observation matches, with STIX semantics.
func BenchmarkIndexMatch10k(b *testing.B) {
	benchIndexMatch(b, 10_000)
}

// BenchmarkIndexMatch1M is BenchmarkIndexMatch10k with 1,000,000
// indicators.
func BenchmarkIndexMatch1M(b *testing.B) {
	if testing.Short() {
		b.Skip("1M indicators: skipped with -short")
	}
	benchIndexMatch(b, 1_000_000)
}

func benchIndexMatch(b *testing.B, n int) {
	ix, qs, _ := buildIndex(b, n, 7)
	var obs [][]pattern.Observation
	for _, q := range qs {
		obs = append(obs, observationOf(q))
	}
	matched := 0
	fn := func(indicator.Match) bool { matched++; return true }
	runtime.GC()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := ix.Match(obs[i%len(obs)], now, fn); err != nil {
			b.Fatal(err)
		}
		i++
	}
	if matched == 0 {
		b.Fatal("no match")
	}
}
