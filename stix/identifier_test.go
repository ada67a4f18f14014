package stix_test

import (
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/stix"
)

func TestIsIdentifier(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", true},
		{"x-acme-asset--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", true},
		{"abc--8E2E2D2B-17D4-4CBF-938F-98EE46B3CD3F", true},
		{"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd", true},  // UUIDv5
		{"file--12345678-1234-1234-a234-123456789abc", true},       // UUIDv1
		{"indicator--8e2e2d2b-17d4-6cbf-938f-98ee46b3cd3f", false}, // version 6
		{"indicator--8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f", false}, // version 0
		{"indicator--8e2e2d2b-17d4-4cbf-738f-98ee46b3cd3f", false}, // NCS variant
		{"indicator--00000000-0000-0000-0000-000000000000", false}, // nil UUID
		{"indicator--8e2e2d2b17d44cbf938f98ee46b3cd3f", false},
		{"indicator--{8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f}", false},
		{"indicator-8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", false},
		{"Indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", false},
		{"ab--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", false},
		{"a--b--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", false},
		{"abc---8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", false},
		{"1abc--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", false},
		{"abc_d--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", false},
		{strings.Repeat("a", 250) + "--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", true},
		{strings.Repeat("a", 251) + "--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", false},
		{"--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", false},
		{"", false},
		{"indicator--", false},
	}
	for _, tt := range tests {
		if got := stix.IsIdentifier(tt.id); got != tt.want {
			t.Errorf("IsIdentifier(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

func TestTypeClasses(t *testing.T) {
	sdos := []string{"attack-pattern", "campaign", "course-of-action", "grouping", "identity",
		"incident", "indicator", "infrastructure", "intrusion-set", "location", "malware",
		"malware-analysis", "note", "observed-data", "opinion", "report", "threat-actor", "tool",
		"vulnerability"}
	sros := []string{"relationship", "sighting"}
	scos := []string{"artifact", "autonomous-system", "directory", "domain-name", "email-addr",
		"email-message", "file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex", "network-traffic",
		"process", "software", "url", "user-account", "windows-registry-key", "x509-certificate"}
	others := []string{"marking-definition", "language-content", "extension-definition", "bundle",
		"x-acme-asset", "Indicator", ""}
	classes := []struct {
		name string
		is   func(string) bool
		want []string
	}{
		{"IsSDOType", stix.IsSDOType, sdos},
		{"IsSROType", stix.IsSROType, sros},
		{"IsSCOType", stix.IsSCOType, scos},
	}
	all := append(append(append(append([]string{}, sdos...), sros...), scos...), others...)
	for _, c := range classes {
		want := map[string]bool{}
		for _, typ := range c.want {
			want[typ] = true
		}
		for _, typ := range all {
			if got := c.is(typ); got != want[typ] {
				t.Errorf("%s(%q) = %v, want %v", c.name, typ, got, want[typ])
			}
		}
	}
	if len(sdos) != 19 || len(scos) != 18 {
		t.Errorf("the spec defines 19 SDO and 18 SCO types, the test lists %d and %d", len(sdos), len(scos))
	}
}

// FuzzIsIdentifier checks IsIdentifier against the official schemas'
// identifier pattern: what it accepts, the pattern accepts; what the
// pattern accepts, it accepts unless the type part has "--" or is longer
// than 250 characters, which the spec's type names forbid.
func FuzzIsIdentifier(f *testing.F) {
	for _, s := range []string{
		"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "a--b--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"abc--8E2E2D2B-17D4-4CBF-938F-98EE46B3CD3F", "x--", "",
	} {
		f.Add(s)
	}
	pattern := schemaPattern(f, "identifier.json")
	f.Fuzz(func(t *testing.T, s string) {
		got := stix.IsIdentifier(s)
		want := pattern.MatchString(s)
		if got && !want {
			t.Fatalf("IsIdentifier(%q) = true, the schema pattern refuses it", s)
		}
		if !got && want {
			typ := s[:len(s)-38]
			if !strings.Contains(typ, "--") && len(typ) <= 250 {
				t.Fatalf("IsIdentifier(%q) = false, the schema pattern accepts it", s)
			}
		}
	})
}
