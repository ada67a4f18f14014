package storetest

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/vigie-cti/vigie"
)

// testContains checks ObjectQuery.Contains (the dashboard's search): it
// matches bytes of the raw JSON, any of several needles, and never
// widens what the reader's scope lets it see.
func testContains(t *testing.T, s vigie.Store) {
	a, b := MustOrg(t, s, "A"), MustOrg(t, s, "B")
	c := MustCollection(t, s, []vigie.Grant{{Kind: vigie.GrantOrg, ID: a.ID}, {Kind: vigie.GrantOrg, ID: b.ID}}, nil)
	mk := func(n int, value string, tlp vigie.TLP) *vigie.Object {
		o := NewIndicator(stixID("indicator", n), t0, a.ID, tlp)
		var m map[string]any
		json.Unmarshal(o.Raw, &m)
		m["pattern"] = "[domain-name:value = '" + value + "']"
		o.Raw, _ = json.Marshal(m)
		return o
	}
	MustAdd(t, s, c, a.ID, mk(1, "evil.example", vigie.TLPGreen), mk(2, "good.example", vigie.TLPGreen), mk(3, "evil.example", vigie.TLPRed), mk(4, "Evil.Example", vigie.TLPGreen))
	scopeB := vigie.ReadScope{OrgID: b.ID, Member: true, DefaultTLP: vigie.TLPGreen}
	for _, tc := range []struct {
		needles []string
		scope   vigie.ReadScope
		want    []int
	}{
		{[]string{"evil.example"}, scopeB, []int{1}},                    // not the RED one
		{[]string{"evil.example", "Evil.Example"}, scopeB, []int{1, 4}}, // any of
		{[]string{"evil.example"}, vigie.ReadScope{OrgID: a.ID, Member: true}, []int{1, 3}},
		{[]string{"nowhere.example"}, scopeB, nil},
		{[]string{"'; DROP TABLE objects; --"}, scopeB, nil},
	} {
		p := mustQuery(t, s, &vigie.ObjectQuery{Collection: c.ID, Scope: tc.scope, Limit: 10, Contains: tc.needles})
		var got []int
		for _, o := range p.Objects {
			got = append(got, slices.Index([]string{"", stixID("indicator", 1), stixID("indicator", 2), stixID("indicator", 3), stixID("indicator", 4)}, o.ID))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Contains %q as %s: objects %v, want %v", tc.needles, tc.scope.OrgID[:12], got, tc.want)
		}
	}
}
