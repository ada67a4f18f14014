package stix_test

import (
	"testing"

	"github.com/vigie-cti/vigie/stix"
)

// TestExamplesAccepted is the oracle: every object of the official example
// bundles, and of the valid corpus under testdata/valid, is accepted.
func TestExamplesAccepted(t *testing.T) {
	for _, dir := range []string{examplesDir, "testdata/valid"} {
		objects := mustReadObjects(t, dir)
		for _, s := range objects {
			if _, err := stix.Parse(s.raw); err != nil {
				t.Errorf("%s: Parse: %v", s.source, err)
			}
		}
		t.Logf("%s: %d objects accepted", dir, len(objects))
	}
}
