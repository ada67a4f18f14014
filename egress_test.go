package vigie_test

import (
	"strings"
	"testing"

	"github.com/vigie-cti/vigie"
)

func TestParseCeiling(t *testing.T) {
	for in, want := range map[string]vigie.TLP{"clear": vigie.TLPClear, "CLEAR": vigie.TLPClear, "TLP:WHITE": vigie.TLPClear, " green ": vigie.TLPGreen, "tlp:green": vigie.TLPGreen} {
		if got, err := vigie.ParseCeiling(in); err != nil || got != want {
			t.Errorf("ParseCeiling(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, says := range map[string]string{
		"amber": "never reads above TLP:GREEN", "AMBER+STRICT": "never reads above", "red": "never reads above", "TLP:RED": "never reads above",
		"": "want clear or green", "blue": "want clear or green", "green,clear": "want clear or green", "none": "want clear or green",
	} {
		_, err := vigie.ParseCeiling(in)
		if vigie.ErrorCode(err) != vigie.EINVALID || !strings.Contains(err.Error(), says) {
			t.Errorf("ParseCeiling(%q) = %v; want EINVALID saying %q", in, err, says)
		}
	}
}

func FuzzParseCeiling(f *testing.F) {
	for _, s := range []string{"clear", "green", "amber", "TLP:RED", "", "tlp:white"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := vigie.ParseCeiling(s)
		if err == nil && got != vigie.TLPClear && got != vigie.TLPGreen {
			t.Fatalf("ParseCeiling(%q) = %v: a ceiling above GREEN or none", s, got)
		}
	})
}

func TestEgressPolicyValidate(t *testing.T) {
	org := "identity--0a0a0a0a-0000-4000-8000-000000000001"
	ok := []vigie.EgressPolicy{
		{},
		{Types: []string{"indicator", "malware", "x-acme-widget"}, DenyTypes: []string{"report"}, MaxTLP: vigie.TLPClear, ExcludeOrgs: []string{org}},
		{MaxTLP: vigie.TLPGreen},
	}
	for _, p := range ok {
		if err := p.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v", p, err)
		}
	}
	long := make([]string, vigie.MaxPolicyEntries+1)
	for i := range long {
		long[i] = "indicator"
	}
	for _, tc := range []struct {
		p    vigie.EgressPolicy
		says string
	}{
		{vigie.EgressPolicy{MaxTLP: vigie.TLPAmber}, "never reads above TLP:GREEN"},
		{vigie.EgressPolicy{MaxTLP: vigie.TLPRed}, "never reads above TLP:GREEN"},
		{vigie.EgressPolicy{MaxTLP: vigie.TLP(42)}, "never reads above"},
		{vigie.EgressPolicy{Types: []string{"Indicator"}}, "want a STIX type"},
		{vigie.EgressPolicy{Types: []string{"ind%"}}, "want a STIX type"},
		{vigie.EgressPolicy{Types: []string{"ind_x"}}, "want a STIX type"},
		{vigie.EgressPolicy{Types: []string{"a--b"}}, "want a STIX type"},
		{vigie.EgressPolicy{DenyTypes: []string{"ab"}}, "want a STIX type"},
		{vigie.EgressPolicy{Types: []string{"tool"}, DenyTypes: []string{"tool"}}, "both allowed and denied"},
		{vigie.EgressPolicy{ExcludeOrgs: []string{"CERT-Nord"}}, "identity--UUID"},
		{vigie.EgressPolicy{ExcludeOrgs: []string{"identity--x' OR 1=1"}}, "identity--UUID"},
		{vigie.EgressPolicy{Types: long}, "the limit is"},
	} {
		err := tc.p.Validate()
		if vigie.ErrorCode(err) != vigie.EINVALID || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("Validate(%+v) = %v; want EINVALID saying %q", tc.p, err, tc.says)
		}
	}
}

func TestEgressPolicyAdmits(t *testing.T) {
	a, b := "identity--0a0a0a0a-0000-4000-8000-00000000000a", "identity--0a0a0a0a-0000-4000-8000-00000000000b"
	p := vigie.EgressPolicy{Types: []string{"indicator", "ipv4-addr"}, ExcludeOrgs: []string{b}}
	for _, tc := range []struct {
		id, pub, owner string
		want           bool
	}{
		{"indicator--1", a, a, true},
		{"indicator--1", a, "", true},
		{"malware--1", a, a, false},
		{"indicator-x--1", a, a, false}, // the type is the whole prefix
		{"indicator--1", b, b, false},
		{"ipv4-addr--1", a, b, false}, // published by a, owned by b
		{"indicator--1", b, "", false},
	} {
		if got := p.Admits(tc.id, tc.pub, tc.owner); got != tc.want {
			t.Errorf("Admits(%s, %s, %s) = %v, want %v", tc.id, tc.pub, tc.owner, got, tc.want)
		}
	}
	deny := vigie.EgressPolicy{DenyTypes: []string{"malware"}}
	if deny.Admits("malware--1", a, a) || !deny.Admits("indicator--1", a, a) {
		t.Error("a deny list: malware must not pass, indicators must")
	}
	// The ceiling is CanRead's: a CLEAR ceiling hides GREEN from a member peer.
	r := vigie.ReadScope{Member: true, DefaultTLP: vigie.TLPGreen, Egress: true, Policy: vigie.EgressPolicy{MaxTLP: vigie.TLPClear}}
	if vigie.CanRead(r, vigie.Sharing{TLP: vigie.TLPGreen}) || vigie.CanRead(r, vigie.Sharing{}) || !vigie.CanRead(r, vigie.Sharing{TLP: vigie.TLPClear}) {
		t.Error("a CLEAR ceiling: GREEN and unmarked (default GREEN) must not pass, CLEAR must")
	}
	// A policy binds peers only: a member reads GREEN whatever policy the scope carries.
	m := vigie.ReadScope{Member: true, DefaultTLP: vigie.TLPGreen, Policy: vigie.EgressPolicy{MaxTLP: vigie.TLPClear, DenyTypes: []string{"indicator"}}}
	if !vigie.MaySend(m, "indicator--1", a, vigie.Sharing{TLP: vigie.TLPGreen}) {
		t.Error("a member's scope is narrowed by a policy")
	}
}
