package catalog_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vigie-cti/vigie/catalog"
)

// FuzzParse feeds one file to Parse: it must return catalogs that
// validate, or an error, and never panic.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"osps-main/OSPS-VM.yaml", "osps-v2026.02.19/OSPS-BR.yaml", "osps-main/metadata.yaml",
		"cyclonedx/valid-standard-1.6.json", "../catalogs/cra-annex-i.yaml"} {
		b, err := os.ReadFile(filepath.Join("testdata", p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(vigieHead + "requirements: [{id: R, aliases: [S]}, {id: S}]\n"))
	f.Add([]byte(`{"bomFormat":"CycloneDX","definitions":{"standards":[{"bom-ref":"s","name":"S","requirements":[{"bom-ref":"r","identifier":"X","parent":"r"}]}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := catalog.Parse(map[string][]byte{"f": b})
		if err != nil {
			return
		}
		for _, c := range cs {
			if err := c.Validate(); err != nil {
				t.Fatalf("Parse returned an invalid catalog: %v", err)
			}
			for _, r := range c.Requirements {
				c.MappingsOf(r.ID) // must terminate, even with a parent cycle
			}
		}
	})
}
