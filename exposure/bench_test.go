package exposure_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/advisory"
	"github.com/vigie-cti/vigie/bench/sbom/synth"
	"github.com/vigie-cti/vigie/exposure"
	"github.com/vigie-cti/vigie/internal/corpus"
	"github.com/vigie-cti/vigie/sbom"
)

// heapMB returns the live heap after a collection, in MB.
func heapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

// hubSBOM returns the components of one of the hub's SBOMs: 1,000 npm
// packages, about a hundred of them from a core every product shares (as
// everyone uses the same few popular packages), the rest from a long tail
// of 50,000, each at one of a few versions.
func hubSBOM(r *rand.Rand) *sbom.Document {
	doc := &sbom.Document{Format: sbom.CycloneDXJSON, Components: make([]sbom.Component, 0, 1000)}
	seen := map[int]bool{}
	for len(doc.Components) < 1000 {
		var pkg int
		if len(doc.Components) < 100 {
			pkg = r.IntN(200) // the core
		} else {
			pkg = 200 + r.IntN(50_000)
		}
		if seen[pkg] {
			continue
		}
		seen[pkg] = true
		name := synth.Name("npm", pkg)
		v := fmt.Sprintf("%d.%d.0", r.IntN(3), r.IntN(4))
		purl := "pkg:npm/" + name + "@" + v
		doc.Components = append(doc.Components, sbom.Component{
			Ref: purl, Type: "library", Name: name, Version: v, PURL: purl,
			Ecosystem: "npm", PackageName: name, MatchVersion: v, Dependency: sbom.Transitive,
		})
	}
	return doc
}

// BenchmarkNewAdvisory10kSBOMs measures the time from a new advisory to the
// list of exposed products, on an index of 10,000 SBOMs of 1,000
// components each (10 million component entries). Each advisory names one
// of the core packages, present in about half of the SBOMs, so it is the
// expensive case. It reports the live heap of the index and how many SBOMs
// each advisory exposes.
func BenchmarkNewAdvisory10kSBOMs(b *testing.B) {
	const sboms = 10_000
	r := synth.NewRand(11)
	ix := exposure.NewIndex()
	start := time.Now()
	for i := range sboms {
		ix.AddSBOM(exposure.SBOMRef{ID: fmt.Sprintf("sbom-%05d", i), Org: fmt.Sprintf("org-%03d", i%300)}, hubSBOM(r))
	}
	st := ix.Stats()
	if st.Components != sboms*1000 {
		b.Fatalf("%d component entries", st.Components)
	}
	heap := heapMB()
	b.Logf("index of %d SBOMs, %d component entries, %d identities, %d packages built in %s",
		st.SBOMs, st.Components, st.Identities, st.Packages, time.Since(start).Round(time.Millisecond))
	modified := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	n, exposed := 0, 0
	for b.Loop() {
		n++
		modified = modified.Add(time.Second)
		a := advisory.Advisory{
			ID: fmt.Sprintf("BENCH-%d", n), Modified: modified, Summary: "prototype pollution",
			Affected: []advisory.Affected{{Ecosystem: "npm", Name: synth.Name("npm", n%200), Ranges: []advisory.Range{{
				Type: "SEMVER", Events: []advisory.Event{{Introduced: "0"}, {Fixed: "1.2.0"}},
			}}}},
		}
		u := ix.AddAdvisory(a)
		seen := map[string]bool{}
		for _, f := range u.Added {
			seen[f.SBOM.ID] = true
		}
		exposed += len(seen)
	}
	b.ReportMetric(float64(exposed)/float64(n), "exposed-SBOMs/op")
	b.ReportMetric(heap, "index-heap-MB")
}

// BenchmarkUploadSBOM10k measures an SBOM upload: reading a 10,000-component
// CycloneDX JSON SBOM (decoding, normalisation) and indexing it, in an
// index that holds the Go vulnerability database (the whole of it when the
// shared test data is beside the repository, else the part in testdata).
func BenchmarkUploadSBOM10k(b *testing.B) {
	ix := exposure.NewIndex()
	db, ok := corpus.Find("osv/golang-vulndb/data/osv")
	if !ok {
		b.Logf("whole Go vulnerability database absent (%s): using the part in testdata", db)
		db = goVulnDB
	}
	ix.AddAdvisories(MustLoad(b, db, nil))
	r := synth.NewRand(3)
	ecos := []string{"Go", "npm", "PyPI", "Maven"}
	pkgs := make([]synth.Package, 10_000)
	for i := range pkgs {
		eco := ecos[i%len(ecos)]
		v := synth.SemVer(r)
		if eco == "Go" {
			v = "v" + v
		}
		pkgs[i] = synth.Package{Ecosystem: eco, Name: synth.Name(eco, i), Version: v}
	}
	pkgs[0] = synth.Package{Ecosystem: "Go", Name: "golang.org/x/net", Version: "v0.0.0-20210405180319-a5a99cb37ef4"}
	data := synth.CycloneDX("upload", "1.0.0", pkgs, r)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		doc, err := sbom.Parse(data, sbom.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if fs := ix.AddSBOM(exposure.SBOMRef{ID: "upload"}, doc); len(fs) == 0 {
			b.Fatal("no findings")
		}
		ix.RemoveSBOM("upload")
	}
}
