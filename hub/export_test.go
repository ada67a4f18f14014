package hub_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/export"
	"github.com/vigie-cti/vigie/hub"
)

func exportIDs(t *testing.T, w *world, p vigie.Principal, q hub.ExportQuery) ([]string, hub.ExportStats, error) {
	t.Helper()
	var got []string
	st, err := w.h.ExportIndicators(ctx, p, q, func(ind *export.Indicator) error {
		got = append(got, ind.Name)
		return nil
	})
	slices.Sort(got)
	return got, st, err
}

func marked(n int, name string, marking string, props map[string]any) map[string]any {
	o := ind(fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", n), "2026-01-01T00:00:00.000Z", props)
	o["name"] = name
	o["pattern"] = fmt.Sprintf("[ipv4-addr:value = '198.51.100.%d']", n)
	if marking != "" {
		o["object_marking_refs"] = []string{marking}
	} else {
		delete(o, "object_marking_refs")
	}
	return o
}

// TestExportIndicatorsHostile: an export holds what the key's
// organisation may read and may take off the hub, active, up to the TLP
// asked for: another organisation's AMBER and RED never reach it, even
// when the organisation reads them on the hub.
func TestExportIndicatorsHostile(t *testing.T) {
	w := newWorld(t)
	charlie, err := w.h.AddOrg(ctx, hub.Console(), "charlie", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	revoked := marked(6, "alpha revoked", vigie.MarkingGreen, nil)
	revoked2 := marked(6, "alpha revoked", vigie.MarkingGreen, map[string]any{"modified": "2026-02-01T00:00:00.000Z", "revoked": true})
	out := w.publish(w.alpha, w.shared,
		marked(1, "alpha clear", vigie.MarkingClear, nil),
		marked(2, "alpha green", vigie.MarkingGreen, nil),
		marked(3, "alpha amber", vigie.MarkingAmber, nil),
		marked(4, "alpha red", vigie.MarkingRed, nil),
		marked(5, "alpha red for bravo", vigie.MarkingRed, map[string]any{vigie.RecipientsProperty: []string{w.bravo.ID}}),
		revoked, revoked2,
		marked(7, "alpha expired", vigie.MarkingGreen, map[string]any{"valid_until": "2026-06-01T00:00:00Z"}),
		marked(8, "alpha not yet valid", vigie.MarkingGreen, map[string]any{"valid_from": "2026-12-01T13:00:00Z"}),
		marked(9, "alpha unmarked", "", nil),
		marked(10, "alpha amber+strict", vigie.MarkingAmberStrict, map[string]any{"valid_until": "2027-01-01T00:00:00Z"}),
	)
	for i, o := range out {
		if o != "stored" {
			t.Fatalf("object %d: %s", i, o)
		}
	}
	b1 := marked(11, "bravo amber", vigie.MarkingAmber, nil)
	w.publish(w.bravo, w.bravoOnly, b1)
	w.publish(w.bravo, w.shared, b1) // the same indicator in a second collection

	alphaOwn := []string{"alpha amber", "alpha amber+strict", "alpha clear", "alpha green", "alpha red", "alpha red for bravo", "alpha unmarked"}
	// Bravo reads alpha's AMBER and the RED naming it, but they never
	// leave the hub: only CLEAR, GREEN (bravo reads as a community member)
	// and its own.
	bravoSees := []string{"alpha clear", "alpha green", "alpha unmarked", "bravo amber"}
	for _, tc := range []struct {
		name string
		p    vigie.Principal
		q    hub.ExportQuery
		want []string
		code string
	}{
		{"alpha: all its own, not bravo's AMBER", w.principal(w.alpha), hub.ExportQuery{}, alphaOwn, ""},
		{"alpha up to AMBER+STRICT", w.principal(w.alpha), hub.ExportQuery{MaxTLP: vigie.TLPAmberStrict}, []string{"alpha amber", "alpha amber+strict", "alpha clear", "alpha green", "alpha unmarked"}, ""},
		{"bravo", w.principal(w.bravo), hub.ExportQuery{}, bravoSees, ""},
		{"bravo asking for RED gets no more", w.principal(w.bravo), hub.ExportQuery{MaxTLP: vigie.TLPRed}, bravoSees, ""},
		{"bravo up to GREEN", w.principal(w.bravo), hub.ExportQuery{MaxTLP: vigie.TLPGreen}, []string{"alpha clear", "alpha green", "alpha unmarked"}, ""},
		{"bravo, its own collection", w.principal(w.bravo), hub.ExportQuery{Collections: []string{w.bravoOnly.ID}}, []string{"bravo amber"}, ""},
		{"alpha asks for bravo's collection", w.principal(w.alpha), hub.ExportQuery{Collections: []string{w.bravoOnly.ID}}, nil, vigie.ENOTFOUND},
		{"charlie, in no community", w.principal(charlie), hub.ExportQuery{MaxTLP: vigie.TLPRed}, nil, ""},
		{"charlie asks for the shared collection", w.principal(charlie), hub.ExportQuery{Collections: []string{w.shared.ID}}, nil, vigie.ENOTFOUND},
		{"anonymous", vigie.Principal{}, hub.ExportQuery{}, nil, vigie.EUNAUTHORIZED},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := exportIDs(t, w, tc.p, tc.q)
			if vigie.ErrorCode(err) != tc.code {
				t.Fatalf("error %v, want code %q", err, tc.code)
			}
			slices.Sort(tc.want)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	_, st, _ := exportIDs(t, w, w.principal(w.bravo), hub.ExportQuery{})
	want := hub.ExportStats{Collections: 2, Indicators: 4, Inactive: 3, KeptOnHub: 3, Duplicates: 1}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

// TestExportIndicatorsStops: an error from fn ends the export at once
// and is returned as it is, with the store's reader stopped.
func TestExportIndicatorsStops(t *testing.T) {
	w := newWorld(t)
	var objs []map[string]any
	for i := range 1500 {
		objs = append(objs, marked(100+i, fmt.Sprintf("ind %d", i), vigie.MarkingGreen, nil))
	}
	w.publish(w.alpha, w.shared, objs...)
	stop := fmt.Errorf("disk full")
	calls := 0
	st, err := w.h.ExportIndicators(ctx, w.principal(w.bravo), hub.ExportQuery{}, func(*export.Indicator) error {
		calls++
		if calls == 700 {
			return stop
		}
		return nil
	})
	if err != stop || calls != 700 || st.Indicators != 700 {
		t.Errorf("error %v after %d calls (%d counted), want %v after 700", err, calls, st.Indicators, stop)
	}
	got, st, err := exportIDs(t, w, w.principal(w.bravo), hub.ExportQuery{})
	if err != nil || len(got) != 1500 || st.Indicators != 1500 {
		t.Errorf("whole export: %d indicators, %v", len(got), err)
	}
}
