package vex_test

import (
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/stix"
	"github.com/vigie-cti/vigie/vex"
)

func TestSTIXRoundTrip(t *testing.T) {
	data, err := os.ReadFile("testdata/cyclonedx-vex/vex.json")
	if err != nil {
		t.Fatal(err)
	}
	d, err := vex.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := vex.ToSTIX(data, d, "x-vigie-vex--00000000-0000-4000-8000-000000000001", "identity--00000000-0000-4000-8000-000000000002",
		"x-vigie-sbom--00000000-0000-4000-8000-000000000003", nil, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stix.Parse(raw); err != nil {
		t.Fatalf("the hub would refuse the object: %v", err)
	}
	ref, back, err := vex.FromSTIX(raw)
	if err != nil || ref != "x-vigie-sbom--00000000-0000-4000-8000-000000000003" {
		t.Fatalf("FromSTIX = %q, %v", ref, err)
	}
	if diff := cmp.Diff(d, back); diff != "" {
		t.Errorf("statements (-want +got):\n%s", diff)
	}
	if _, _, err := vex.FromSTIX([]byte(`{"type":"x-vigie-vex","x_vigie_sbom_ref":"x","x_vigie_document_bin":"%%%"}`)); err == nil {
		t.Error("bad base64 accepted")
	}
}
