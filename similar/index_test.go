package similar_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/fuzzyhash/ssdeep"
	"github.com/vigie-cti/vigie/fuzzyhash/tlsh"
	"github.com/vigie-cti/vigie/similar"
	"github.com/vigie-cti/vigie/triage"
	"github.com/vigie-cti/vigie/triage/triagetest"
)

// corpus generates n fingerprints in families of ten variants: a family
// shares a base TLSH body (each variant changes a few quartile values), a
// base ssdeep digest (a few characters changed) and, for one family in
// three, an imphash.
type corpus struct {
	fps    []similar.Fingerprint
	digest []tlsh.Digest
}

const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

func makeCorpus(n int, seed uint64) *corpus {
	r := rand.New(rand.NewPCG(seed, 9))
	c := &corpus{}
	var base tlsh.Digest
	var p1, p2 []byte
	var imp string
	for i := 0; i < n; i++ {
		if i%10 == 0 {
			for j := range base.Body {
				base.Body[j] = byte(r.Uint32())
			}
			base.Checksum, base.LValue = byte(r.Uint32()), byte(100+r.IntN(60))
			base.Q1Ratio, base.Q2Ratio = byte(r.IntN(16)), byte(r.IntN(16))
			p1, p2 = randB64(r, 40+r.IntN(24)), randB64(r, 20+r.IntN(12))
			imp = ""
			if r.IntN(3) == 0 {
				imp = fmt.Sprintf("%016x%016x", r.Uint64(), r.Uint64())
			}
		}
		d := base
		for range r.IntN(12) {
			k := r.IntN(128)
			d.Body[k/4] ^= byte(1+r.IntN(3)) << (2 * (k % 4))
		}
		d.Checksum = byte(r.Uint32())
		q1, q2 := slices.Clone(p1), slices.Clone(p2)
		for range r.IntN(4) {
			q1[r.IntN(len(q1))] = b64[r.IntN(64)]
		}
		c.digest = append(c.digest, d)
		c.fps = append(c.fps, similar.Fingerprint{
			ID: uint32(i + 1), TLSH: d.String(), SSDEEP: "96:" + string(q1) + ":" + string(q2), Imphash: imp,
		})
	}
	return c
}

func randB64(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = b64[r.IntN(64)]
	}
	return b
}

func build(t testing.TB, fps []similar.Fingerprint) *similar.Index {
	ix := similar.New()
	for _, fp := range fps {
		if err := ix.Add(fp); err != nil {
			t.Fatal(err)
		}
	}
	return ix
}

// TestTLSHExact checks the index against a scan of every sample: the
// same samples within the distance, with the same distances.
func TestTLSHExact(t *testing.T) {
	c := makeCorpus(5000, 1)
	ix := build(t, c.fps)
	for qi := 0; qi < 5000; qi += 97 {
		q := similar.Query{TLSH: c.fps[qi].TLSH, MaxDistance: 90, Limit: 20}
		got, err := ix.Search(q)
		if err != nil {
			t.Fatal(err)
		}
		type pair struct{ id, d int }
		var want []pair
		for i, d := range c.digest {
			if dist := tlsh.Distance(c.digest[qi], d); dist <= 90 {
				want = append(want, pair{i + 1, dist})
			}
		}
		sort.Slice(want, func(i, j int) bool {
			if want[i].d != want[j].d {
				return want[i].d < want[j].d
			}
			return want[i].id < want[j].id
		})
		var gotTLSH []int
		for _, m := range got {
			if m.Distance >= 0 && m.Distance <= 90 {
				gotTLSH = append(gotTLSH, m.Distance)
			}
		}
		var wantD []int
		for _, p := range want[:min(20, len(want))] {
			wantD = append(wantD, p.d)
		}
		if !slices.Equal(gotTLSH, wantD) {
			t.Fatalf("query %d: distances %v, a full scan finds %v", qi, gotTLSH, wantD)
		}
		if len(wantD) < 2 {
			t.Fatalf("query %d: the generated family should be within 90 (%v)", qi, wantD)
		}
	}
}

func TestSSDEEPAndImphash(t *testing.T) {
	c := makeCorpus(2000, 2)
	ix := build(t, c.fps)
	q := c.fps[1234]
	got, err := ix.Search(similar.Query{SSDEEP: q.SSDEEP, Exclude: q.ID})
	if err != nil {
		t.Fatal(err)
	}
	family := 0
	for _, m := range got {
		if m.ID == q.ID {
			t.Fatal("the excluded sample was returned")
		}
		if (m.ID-1)/10 == (q.ID-1)/10 {
			family++
			want, _ := ssdeep.Compare(q.SSDEEP, c.fps[m.ID-1].SSDEEP)
			if m.Score != want || m.Score == 0 {
				t.Errorf("score %d, ssdeep.Compare says %d", m.Score, want)
			}
		}
	}
	if family < 7 {
		t.Errorf("only %d of 9 family members found by ssdeep: %+v", family, got)
	}
	// Imphash: every member of a family that has one.
	var withImp similar.Fingerprint
	for _, fp := range c.fps {
		if fp.Imphash != "" {
			withImp = fp
			break
		}
	}
	got, _ = ix.Search(similar.Query{Imphash: withImp.Imphash, Exclude: withImp.ID})
	if len(got) != 9 {
		t.Errorf("imphash matches %d, want the 9 others of the family", len(got))
	}
	for _, m := range got {
		if !m.Imphash || m.Distance != -1 {
			t.Errorf("imphash match %+v", m)
		}
	}
}

// TestTriagedVariants indexes what triage says of the demo variants.
func TestTriagedVariants(t *testing.T) {
	ix := similar.New()
	var fps []similar.Fingerprint
	for v := 1; v <= 3; v++ {
		r := triage.Analyze(triagetest.Sample(v), triage.Options{})
		fp := similar.Fingerprint{ID: uint32(v), TLSH: r.TLSH, SSDEEP: r.SSDEEP, Imphash: r.PE.Imphash}
		fps = append(fps, fp)
		if err := ix.Add(fp); err != nil {
			t.Fatal(err)
		}
	}
	unrelated := triage.Analyze(triagetest.PE(triagetest.PEOptions{DataSize: 30000, Filler: 99}), triage.Options{})
	ix.Add(similar.Fingerprint{ID: 9, TLSH: unrelated.TLSH, SSDEEP: unrelated.SSDEEP})
	got, err := ix.Search(similar.Query{TLSH: fps[0].TLSH, SSDEEP: fps[0].SSDEEP, Imphash: fps[0].Imphash, Exclude: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Distance > 30 || got[0].Score < 50 || !got[0].Imphash {
		t.Fatalf("variants: %+v", got)
	}
	for _, m := range got {
		if m.ID == 9 {
			t.Errorf("an unrelated sample matched: %+v", m)
		}
	}
	ix.Remove(2)
	got, _ = ix.Search(similar.Query{TLSH: fps[0].TLSH, Exclude: 1})
	if len(got) != 1 || got[0].ID != 3 {
		t.Errorf("after Remove(2): %+v", got)
	}
	if ix.Len() != 3 {
		t.Errorf("Len %d", ix.Len())
	}
}

func TestBadInput(t *testing.T) {
	ix := similar.New()
	for _, fp := range []similar.Fingerprint{
		{ID: 0, TLSH: ""},
		{ID: 1, TLSH: "T1XYZ"},
		{ID: 1, SSDEEP: "nope"},
		{ID: 1, Imphash: "123"},
		{ID: 1, Imphash: "zz345678901234567890123456789012"},
	} {
		if err := ix.Add(fp); err == nil {
			t.Errorf("Add(%+v) accepted", fp)
		}
	}
	if ix.Len() != 0 {
		t.Errorf("a refused fingerprint was kept")
	}
	if _, err := ix.Search(similar.Query{TLSH: "bad"}); err == nil {
		t.Error("a bad query digest was accepted")
	}
}

func FuzzSearch(f *testing.F) {
	f.Add("T18CE34A07B69314FDC692857095AB96627E3078644721BF3B7A8CA7342F16F306F0AB71", "3:abcdefgh:ijk", "0123456789abcdef0123456789abcdef")
	f.Fuzz(func(t *testing.T, th, sd, imp string) {
		ix := similar.New()
		ix.Add(similar.Fingerprint{ID: 1, TLSH: th, SSDEEP: sd, Imphash: imp})
		ix.Search(similar.Query{TLSH: th, SSDEEP: sd, Imphash: imp})
	})
}

// cpuTime returns the CPU time the process has used: on a shared machine
// it measures the cost better than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSearch100k reports the time of a query among 100,000 samples
// and the heap the index takes per sample.
func BenchmarkSearch100k(b *testing.B) {
	const n = 100000
	c := makeCorpus(n, 3)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	ix := build(b, c.fps)
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	perSample := float64(after.HeapAlloc-before.HeapAlloc) / n
	r := rand.New(rand.NewPCG(4, 4))
	var lat []time.Duration
	cpu0 := cpuTime()
	for b.Loop() {
		q := c.fps[r.IntN(n)]
		start := time.Now()
		if _, err := ix.Search(similar.Query{TLSH: q.TLSH, SSDEEP: q.SSDEEP, Imphash: q.Imphash, Exclude: q.ID}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(perSample, "B/sample")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/query")
	runtime.KeepAlive(ix)
}
