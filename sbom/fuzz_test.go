package sbom_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/sbom"
)

// FuzzRead feeds Read arbitrary documents: it must return a document or an
// error wrapping one of the package's errors, never panic (a panic the
// readers recover from is reported as a failure too, so the fuzzer finds
// them), and keep its counts consistent.
func FuzzRead(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil && len(data) < 64<<10 {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"library","name":"a","version":"1","purl":"pkg:npm/a@1"}],"dependencies":[{"ref":"x","dependsOn":["x"]}]}`))
	f.Add([]byte(`<bom xmlns="http://cyclonedx.org/schema/bom/1.2"><components><component type="library"><name>a</name><version>1</version><purl>pkg:maven/g/a@1</purl></component></components></bom>`))
	f.Add([]byte("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nPackageName: p\nSPDXID: SPDXRef-p\nPackageVersion: 1\nExternalRef: PACKAGE-MANAGER purl pkg:npm/p@1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := sbom.Options{MaxComponents: 1000, MaxDepth: 16}
		doc, err := sbom.Parse(data, opts)
		if err != nil {
			if !errors.Is(err, sbom.ErrNotSBOM) && !errors.Is(err, sbom.ErrMalformed) &&
				!errors.Is(err, sbom.ErrUnsupported) && !errors.Is(err, sbom.ErrTooLarge) {
				t.Fatalf("error wraps none of the package's errors: %v", err)
			}
			if strings.Contains(err.Error(), "the parser failed") {
				t.Fatalf("recovered panic: %v", err)
			}
			return
		}
		if len(doc.Components) > opts.MaxComponents {
			t.Fatalf("%d components over the limit", len(doc.Components))
		}
		n := 0
		for _, c := range doc.Components {
			if c.Unmatchable != "" {
				n++
			}
		}
		if n != doc.Unmatchable {
			t.Fatalf("Unmatchable = %d, %d components have a reason", doc.Unmatchable, n)
		}
	})
}
