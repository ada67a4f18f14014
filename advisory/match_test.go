package advisory_test

import (
	"testing"

	"github.com/vigie-cti/vigie/advisory"
)

func semverRange(events ...advisory.Event) advisory.Range {
	return advisory.Range{Type: advisory.RangeSemver, Events: events}
}

func ecoRange(events ...advisory.Event) advisory.Range {
	return advisory.Range{Type: advisory.RangeEcosystem, Events: events}
}

func intro(v string) advisory.Event { return advisory.Event{Introduced: v} }
func fixed(v string) advisory.Event { return advisory.Event{Fixed: v} }
func last(v string) advisory.Event  { return advisory.Event{LastAffected: v} }
func limit(v string) advisory.Event { return advisory.Event{Limit: v} }

// TestMatcher checks the OSV evaluation rules, in each ecosystem's own
// version ordering.
func TestMatcher(t *testing.T) {
	type check struct {
		version  string
		affected bool
		fixed    string
	}
	tests := []struct {
		name   string
		af     advisory.Affected
		checks []check
	}{
		{
			name: "Go, introduced 0 and fixed, module versions with a v",
			af:   advisory.Affected{Ecosystem: "Go", Name: "github.com/gin-gonic/gin", Ranges: []advisory.Range{semverRange(intro("0"), fixed("1.6.0"))}},
			checks: []check{
				{"v1.4.0", true, "1.6.0"}, {"v1.5.99", true, "1.6.0"}, {"v1.6.0", false, ""}, {"v1.6.0-rc.1", true, "1.6.0"},
				{"v0.0.0-20190101000000-abcdef123456", true, "1.6.0"}, {"v2.0.0+incompatible", false, ""},
			},
		},
		{
			name: "Go pseudo-versions against a pseudo-version fix",
			af: advisory.Affected{Ecosystem: "Go", Name: "golang.org/x/net", Ranges: []advisory.Range{
				semverRange(intro("0"), fixed("0.0.0-20210520170846-37e1c6afe023"))}},
			checks: []check{
				{"v0.0.0-20210405180319-a5a99cb37ef4", true, "0.0.0-20210520170846-37e1c6afe023"},
				{"v0.0.0-20210520170846-37e1c6afe023", false, ""},
				{"v0.0.0-20211209124913-491a49abca63", false, ""},
				{"v0.1.0", false, ""},
			},
		},
		{
			name: "several intervals, events out of order",
			af: advisory.Affected{Ecosystem: "npm", Name: "a", Ranges: []advisory.Range{
				semverRange(fixed("3.2.5"), intro("3.0.0"), fixed("1.0.2"), intro("1.0.0"))}},
			checks: []check{
				{"0.9.0", false, ""}, {"1.0.0", true, "1.0.2"}, {"1.0.1", true, "1.0.2"}, {"1.0.2", false, ""},
				{"2.9.9", false, ""}, {"3.0.0", true, "3.2.5"}, {"3.2.5", false, ""},
			},
		},
		{
			name:   "last_affected is inclusive",
			af:     advisory.Affected{Ecosystem: "npm", Name: "a", Ranges: []advisory.Range{semverRange(intro("1.0.0"), last("1.4.2"))}},
			checks: []check{{"0.9.9", false, ""}, {"1.4.2", true, ""}, {"1.4.3", false, ""}},
		},
		{
			name:   "limit bounds the range",
			af:     advisory.Affected{Ecosystem: "npm", Name: "a", Ranges: []advisory.Range{semverRange(intro("0"), limit("2.0.0"))}},
			checks: []check{{"1.9.9", true, ""}, {"2.0.0", false, ""}, {"3.0.0", false, ""}},
		},
		{
			name:   "versions list, with the v Go adds",
			af:     advisory.Affected{Ecosystem: "Go", Name: "a", Versions: []string{"1.2.3", "1.2.5"}},
			checks: []check{{"v1.2.3", true, ""}, {"1.2.4", false, ""}, {"1.2.5", true, ""}},
		},
		{
			name: "versions list and ranges together",
			af: advisory.Affected{Ecosystem: "PyPI", Name: "requests", Versions: []string{"2.2.1"},
				Ranges: []advisory.Range{ecoRange(intro("2.3.0"), fixed("2.31.0"))}},
			checks: []check{{"2.2.1", true, "2.31.0"}, {"2.2.0", false, ""}, {"2.30.0", true, "2.31.0"}, {"2.31.0", false, ""}},
		},
		{
			name: "PyPI ordering: pre-releases and equal forms",
			af:   advisory.Affected{Ecosystem: "PyPI", Name: "django", Ranges: []advisory.Range{ecoRange(intro("4.0"), fixed("4.0.2"))}},
			checks: []check{
				{"4.0rc1", false, ""}, {"4.0", true, "4.0.2"}, {"4.0.0", true, "4.0.2"}, {"4.0.2rc1", true, "4.0.2"},
				{"4.0.2", false, ""}, {"4.0.10", false, ""},
			},
		},
		{
			name: "Maven ordering: four numbers, qualifiers",
			af: advisory.Affected{Ecosystem: "Maven", Name: "com.fasterxml.jackson.core:jackson-databind", Ranges: []advisory.Range{
				ecoRange(intro("2.9.0"), fixed("2.9.10.7"), intro("2.10.0"), fixed("2.10.5.1"))}},
			checks: []check{
				{"2.9.10.6", true, "2.9.10.7"}, {"2.9.10.7", false, ""}, {"2.10.0", true, "2.10.5.1"},
				{"2.10.5", true, "2.10.5.1"}, {"2.10.5.1", false, ""}, {"2.10.0-SNAPSHOT", false, ""},
			},
		},
		{
			name: "Debian ordering: epochs and tildes",
			af:   advisory.Affected{Ecosystem: "Debian:11", Name: "openssl", Ranges: []advisory.Range{ecoRange(intro("0"), fixed("1.1.1n-0+deb11u4"))}},
			checks: []check{
				{"1.1.1n-0+deb11u3", true, "1.1.1n-0+deb11u4"}, {"1.1.1n-0+deb11u4", false, ""},
				{"1.1.1n-0+deb11u4~bpo1", true, "1.1.1n-0+deb11u4"}, {"1:1.0.0", false, ""},
			},
		},
		{
			name: "Red Hat ordering with the written-out epoch",
			af: advisory.Affected{Ecosystem: "Red Hat:rhel_aus:8.6::appstream", Name: "git-lfs",
				Ranges: []advisory.Range{ecoRange(intro("0"), fixed("0:2.13.3-3.el8_6.1"))}},
			checks: []check{{"2.13.3-3.el8_6", true, "0:2.13.3-3.el8_6.1"}, {"2.13.3-3.el8_6.1", false, ""}, {"0:2.13.3-4.el8", false, ""}},
		},
		{
			name:   "Alpine ordering",
			af:     advisory.Affected{Ecosystem: "Alpine:v3.8", Name: "openssl", Ranges: []advisory.Range{ecoRange(intro("0"), fixed("1.0.2q-r0"))}},
			checks: []check{{"1.0.2p-r0", true, "1.0.2q-r0"}, {"1.0.2q-r0", false, ""}, {"1.0.2q-r1", false, ""}},
		},
		{
			name: "GIT ranges are skipped",
			af: advisory.Affected{Ecosystem: "PyPI", Name: "requests", Ranges: []advisory.Range{
				{Type: advisory.RangeGit, Events: []advisory.Event{intro("0"), fixed("74ea7cf7a6a27a4eeb2ae24e162bcc942a6706d5")}}}},
			checks: []check{{"2.30.0", false, ""}},
		},
		{
			name:   "no ranges nor versions: nothing is affected",
			af:     advisory.Affected{Ecosystem: "npm", Name: "a"},
			checks: []check{{"1.0.0", false, ""}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := advisory.NewMatcher(tt.af)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range tt.checks {
				got, fix, err := m.Affects(c.version)
				if err != nil {
					t.Errorf("Affects(%q): %v", c.version, err)
					continue
				}
				if got != c.affected || fix != c.fixed {
					t.Errorf("Affects(%q) = %v, %q; want %v, %q", c.version, got, fix, c.affected, c.fixed)
				}
			}
		})
	}
}

func TestMatcherSkipped(t *testing.T) {
	m, err := advisory.NewMatcher(advisory.Affected{Ecosystem: "Elm", Name: "a", Versions: []string{"1.0.0"}, Ranges: []advisory.Range{
		ecoRange(intro("0"), fixed("2.0.0")),
		{Type: advisory.RangeGit, Events: []advisory.Event{intro("0"), fixed("abc")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if m.Skipped != 2 {
		t.Errorf("Skipped = %d, want 2 (an ecosystem without ordering, a GIT range)", m.Skipped)
	}
	// The versions list still works without an ordering.
	if ok, _, _ := m.Affects("1.0.0"); !ok {
		t.Error("1.0.0 in the versions list not affected")
	}
	if ok, _, _ := m.Affects("1.5.0"); ok {
		t.Error("1.5.0 affected by a range of an ecosystem without ordering")
	}
}

func TestVers(t *testing.T) {
	tests := []struct {
		vers    string
		in, out []string
	}{
		{"vers:generic/>=2.9|<=4.1", []string{"2.9", "3.0", "4.1"}, []string{"2.8", "4.2", "10.0"}},
		{"vers:semver/<7.0.0|>=1.5.0", []string{"1.5.0", "6.9.9"}, []string{"1.4.9", "7.0.0"}},
		{"vers:semver/<1.5.0|>=7.0.0", []string{"1.4.0", "7.0.0", "8.1.0"}, []string{"1.5.0", "6.0.0"}},
		{"vers:semver/>=2.0.0|<=2.7.0", []string{"2.0.0", "2.7.0"}, []string{"2.7.1"}},
		{"vers:generic/2.4|2.6", []string{"2.4", "2.6"}, []string{"2.5"}},
		{"vers:npm/!=1.2.0|>=1.0.0|<2.0.0", []string{"1.0.0", "1.9.0"}, []string{"1.2.0", "2.0.0"}},
		{"vers:generic/*", []string{"0.1", "99"}, nil},
		{"<2.9", []string{"2.8.9"}, []string{"2.9"}},
	}
	for _, tt := range tests {
		vr, err := advisory.ParseVers(tt.vers)
		if err != nil {
			t.Errorf("ParseVers(%q): %v", tt.vers, err)
			continue
		}
		for _, v := range tt.in {
			if ok, err := vr.Contains(v); !ok || err != nil {
				t.Errorf("%q.Contains(%q) = %v, %v; want true", tt.vers, v, ok, err)
			}
		}
		for _, v := range tt.out {
			if ok, err := vr.Contains(v); ok || err != nil {
				t.Errorf("%q.Contains(%q) = %v, %v; want false", tt.vers, v, ok, err)
			}
		}
	}
	for _, bad := range []string{"vers:/1.0", "vers:semver/", "vers:semver/>=", ""} {
		if _, err := advisory.ParseVers(bad); err == nil {
			t.Errorf("ParseVers(%q) = nil error", bad)
		}
	}
}

func TestCVSS(t *testing.T) {
	for vector, want := range map[string]float64{
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H": 9.8,
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H": 10.0,
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H": 7.5,
		"CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N": 4.7,
		"CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N": 6.1,
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N": 0,
	} {
		got, err := advisory.CVSS3BaseScore(vector)
		if err != nil || got != want {
			t.Errorf("CVSS3BaseScore(%q) = %v, %v; want %v", vector, got, err, want)
		}
	}
	for vector, want := range map[string]float64{"AV:N/AC:L/Au:N/C:P/I:P/A:P": 7.5, "AV:N/AC:M/Au:N/C:N/I:P/A:N": 4.3} {
		got, err := advisory.CVSS2BaseScore(vector)
		if err != nil || got != want {
			t.Errorf("CVSS2BaseScore(%q) = %v, %v; want %v", vector, got, err, want)
		}
	}
	for _, bad := range []string{"", "CVSS:3.1/AV:N", "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV:N/AC:L/PR:N"} {
		if _, err := advisory.CVSS3BaseScore(bad); err == nil {
			t.Errorf("CVSS3BaseScore(%q) = nil error", bad)
		}
	}
}
