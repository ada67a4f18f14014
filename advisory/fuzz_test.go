package advisory_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigie-cti/vigie/advisory"
)

func addSeeds(f *testing.F, pattern string, max int) {
	files, _ := filepath.Glob(pattern)
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil && len(data) <= max {
			f.Add(data)
		}
	}
}

// FuzzParseOSV feeds ParseOSV arbitrary records: it returns an advisory or
// an error wrapping ErrMalformed, and what it accepts can be matched and
// converted to STIX without panicking.
func FuzzParseOSV(f *testing.F) {
	addSeeds(f, linter+"/*.json", 32<<10)
	f.Add([]byte(`{"id":"X","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Debian:11","name":"a"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"limit":"1:2.0"},{"last_affected":"1.0"}]}],"versions":["0.9"]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := advisory.ParseOSV(data)
		if err != nil {
			if !errors.Is(err, advisory.ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		exercise(t, a)
	})
}

// FuzzParseCSAF does the same for CSAF documents.
func FuzzParseCSAF(f *testing.F) {
	addSeeds(f, redhat+"/CSAF/*.json", 32<<10)
	f.Add([]byte(`{"document":{"csaf_version":"2.0","tracking":{"id":"A","current_release_date":"2024-01-01T00:00:00Z"}},"product_tree":{"branches":[{"category":"product_version_range","name":"vers:npm/<2|>=1","product":{"product_id":"P","name":"p","product_identification_helper":{"purl":"pkg:npm/p"}}}],"relationships":[{"product_reference":"P","relates_to_product_reference":"P","full_product_name":{"product_id":"Q"}}]},"vulnerabilities":[{"cve":"CVE-1","product_status":{"known_affected":["P","Q"],"fixed":["Q"]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := advisory.ParseCSAF(data)
		if err != nil {
			if !errors.Is(err, advisory.ErrMalformed) && !errors.Is(err, advisory.ErrUnsupported) {
				t.Fatalf("error wraps neither ErrMalformed nor ErrUnsupported: %v", err)
			}
			return
		}
		exercise(t, a)
	})
}

// exercise matches and converts an accepted advisory.
func exercise(t *testing.T, a advisory.Advisory) {
	for _, af := range a.Affected {
		m, err := advisory.NewMatcher(af)
		if err != nil {
			continue
		}
		for _, v := range append([]string{"0", "1.0.0", "v2.3.4-rc.1", "1:1.2-3", "", "99"}, af.Versions...) {
			m.Affects(v)
		}
	}
	a.Rating()
	if data, err := advisory.ToSTIXVulnerability(a); err == nil && !json.Valid(data) {
		t.Fatalf("invalid STIX JSON: %s", data)
	}
}

// FuzzVers parses and evaluates vers ranges.
func FuzzVers(f *testing.F) {
	for _, s := range []string{"vers:generic/>=2.9|<=4.1", "vers:semver/<7.0.0|>=1.5.0", "vers:npm/!=1.2.0|*", "<2.9", "vers:deb/>=1:1.0|<2"} {
		f.Add(s, "3.0")
	}
	f.Fuzz(func(t *testing.T, s, v string) {
		vr, err := advisory.ParseVers(s)
		if err != nil {
			return
		}
		vr.Contains(v)
		vr.Events()
	})
}
