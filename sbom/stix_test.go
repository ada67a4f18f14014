package sbom_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/sbom"
	"github.com/vigie-cti/vigie/stix"
)

// TestSTIXRoundTrip turns every real SBOM into the STIX object the hub
// shares and back: the hub must accept the object, and every component
// must come back as it was read.
func TestSTIXRoundTrip(t *testing.T) {
	for _, path := range []string{
		"proton-bridge-v1.8.0.bom.json",
		"dropwizard-1.3.15.bom.json",
		"laravel-7.12.0.bom.1.4.xml",
		"cern-lhc-vdm-editor-e564943.bom.json",
	} {
		doc := MustRead(t, filepath.Join(cyclonedx, path))
		p := sbom.ProductInfo{Name: "product", Version: "1.0", Supplier: "Vega Software"}
		raw, err := sbom.ToSTIX(doc, p, sbom.STIXObject{
			ID: "x-vigie-sbom--00000000-0000-4000-8000-000000000001", CreatedBy: "identity--00000000-0000-4000-8000-000000000002",
			Time: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if _, err := stix.Parse(raw); err != nil {
			t.Fatalf("%s: the hub would refuse the object: %v", path, err)
		}
		back, gotP, err := sbom.FromSTIX(raw)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(p, gotP); diff != "" {
			t.Errorf("%s product (-want +got):\n%s", path, diff)
		}
		if diff := cmp.Diff(doc.Components, back.Components); diff != "" {
			t.Errorf("%s components (-want +got):\n%s", path, diff)
		}
		if back.Unmatchable != doc.Unmatchable || back.Serial != doc.Serial || (doc.Product == nil) != (back.Product == nil) {
			t.Errorf("%s: document fields lost", path)
		}
	}
	if _, _, err := sbom.FromSTIX([]byte(`{"type":"indicator"}`)); err == nil {
		t.Error("an indicator read as an SBOM")
	}
}
