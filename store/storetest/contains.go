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

// testAlertPaging checks paging alerts by (updated, id): alerts updated
// at the same instant are neither skipped nor repeated across pages.
func testAlertPaging(t *testing.T, s vigie.Store) {
	a := MustOrg(t, s, "A")
	var batch []*vigie.Alert
	for i := range 7 {
		batch = append(batch, newAlert(a.ID, "same-instant-"+string(rune('a'+i)), vigie.SeverityMedium, "indicator--1"))
	}
	if _, err := s.RecordAlerts(ctx, &vigie.AlertBatch{Now: t0, Alerts: batch}); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	q := vigie.AlertQuery{OrgID: a.ID, Limit: 3}
	for page := 0; page < 5; page++ {
		l, err := s.ListAlerts(ctx, &q)
		if err != nil {
			t.Fatal(err)
		}
		for _, al := range l {
			if seen[al.ID] {
				t.Errorf("alert %s on two pages", al.ID)
			}
			seen[al.ID] = true
		}
		if len(l) < q.Limit {
			break
		}
		q.UpdatedBefore, q.AfterID = l[len(l)-1].Updated, l[len(l)-1].ID
	}
	if len(seen) != 7 {
		t.Errorf("paged through %d alerts, want 7", len(seen))
	}
}

func testLastAlertEvent(t *testing.T, s vigie.Store) {
	a, b := MustOrg(t, s, "A"), MustOrg(t, s, "B")
	if n, err := s.LastAlertEvent(ctx, a.ID); err != nil || n != 0 {
		t.Errorf("LastAlertEvent(no events) = %d, %v; want 0", n, err)
	}
	evs, err := s.RecordAlerts(ctx, &vigie.AlertBatch{Now: t0, Alerts: []*vigie.Alert{newAlert(a.ID, "k1", vigie.SeverityLow), newAlert(b.ID, "k1", vigie.SeverityLow), newAlert(a.ID, "k2", vigie.SeverityLow)}})
	if err != nil {
		t.Fatal(err)
	}
	want := int64(0)
	for _, ev := range evs {
		if ev.OrgID == a.ID {
			want = max(want, ev.Seq)
		}
	}
	if n, err := s.LastAlertEvent(ctx, a.ID); err != nil || n != want {
		t.Errorf("LastAlertEvent(A) = %d, %v; want %d", n, err, want)
	}
}
