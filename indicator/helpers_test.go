package indicator_test

import (
	"os"
	"testing"

	"github.com/vigie-cti/vigie/pattern"
)

// MustParse parses a pattern or fails the test.
func MustParse(tb testing.TB, s string) *pattern.Pattern {
	tb.Helper()
	p, err := pattern.Parse(s)
	if err != nil {
		tb.Fatalf("Parse(%q): %v", s, err)
	}
	return p
}

// MustObservationsFile reads observations from a file of testdata.
func MustObservationsFile(tb testing.TB, name string) []pattern.Observation {
	tb.Helper()
	f, err := os.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	obs, err := pattern.ReadObservations(f)
	if err != nil {
		tb.Fatalf("ReadObservations(%s): %v", name, err)
	}
	return obs
}
