package sbom_test

import (
	"fmt"
	"testing"

	"github.com/vigie-cti/vigie/bench/sbom/synth"
	"github.com/vigie-cti/vigie/sbom"
)

// syntheticBOM returns a CycloneDX JSON SBOM of n components of four
// ecosystems, each with two hashes and a license, with a dependency graph.
func syntheticBOM(n int) []byte {
	r := synth.NewRand(7)
	ecos := []string{"Go", "npm", "PyPI", "Maven"}
	pkgs := make([]synth.Package, n)
	for i := range pkgs {
		eco := ecos[i%len(ecos)]
		v := synth.SemVer(r)
		if eco == "Go" {
			v = "v" + v
		}
		pkgs[i] = synth.Package{Ecosystem: eco, Name: synth.Name(eco, i), Version: v}
	}
	return synth.CycloneDX("bench", "1.0.0", pkgs, r)
}

// BenchmarkParseCycloneDX10k reads a 10,000-component CycloneDX JSON SBOM:
// decoding, purl normalisation, ecosystem mapping, dependency graph.
func BenchmarkParseCycloneDX10k(b *testing.B) {
	data := syntheticBOM(10_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		doc, err := sbom.Parse(data, sbom.Options{})
		if err != nil || len(doc.Components) != 10_000 {
			b.Fatal(err, len(doc.Components))
		}
	}
}

func BenchmarkParsePURL(b *testing.B) {
	purls := make([]string, 1000)
	for i := range purls {
		purls[i] = fmt.Sprintf("pkg:maven/org.example%d/artifact-%d@1.%d.0?type=jar", i%50, i, i%30)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, _, _, err := sbom.ParsePURL(purls[i%len(purls)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
