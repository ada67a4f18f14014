package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie"
)

func testProducts(t *testing.T, s vigie.Store) {
	a, b := MustOrg(t, s, "A"), MustOrg(t, s, "B")
	p := &vigie.Product{ID: vigie.NewUUID(), OrgID: a.ID, Name: "bridge", Version: "1.8.0", Supplier: "Proton", SBOMID: "x-vigie-sbom--" + vigie.NewUUID(), Collection: vigie.NewUUID(), Created: t0}
	if err := s.CreateProduct(ctx, p); err != nil {
		t.Fatal(err)
	}
	dup := *p
	dup.ID = vigie.NewUUID()
	wantCode(t, s.CreateProduct(ctx, &dup), vigie.ECONFLICT, "same name and version")
	wantCode(t, s.CreateProduct(ctx, &vigie.Product{ID: vigie.NewUUID(), OrgID: a.ID, Name: "x", Created: t0}), vigie.EINVALID, "no version")
	for _, key := range []string{p.ID, "bridge@1.8.0"} {
		got, err := s.FindProduct(ctx, a.ID, key)
		if err != nil {
			t.Fatalf("FindProduct(%s): %v", key, err)
		}
		if diff := cmp.Diff(p, got); diff != "" {
			t.Errorf("FindProduct(%s) (-want +got):\n%s", key, diff)
		}
	}
	_, err := s.FindProduct(ctx, b.ID, p.ID)
	wantCode(t, err, vigie.ENOTFOUND, "another organisation's product")
	if list, _ := s.ListProducts(ctx, b.ID); len(list) != 0 {
		t.Errorf("B lists %d products", len(list))
	}

	doc := func(id string) json.RawMessage { return json.RawMessage(`{"id":"` + id + `"}`) }
	put := func(key, sev, state string, mal bool) *vigie.Finding {
		return &vigie.Finding{SBOMID: p.SBOMID, Key: key, OrgID: a.ID, ProductID: p.ID, State: state, Severity: sev, Malicious: mal, Doc: doc(key), Updated: t0}
	}
	b1 := &vigie.AlertBatch{Now: t0, FindingsPut: []*vigie.Finding{put("GO-1", "low", "affected", false), put("MAL-1", "", "affected", true), put("GO-2", "critical", "affected", false), put("GO-3", "high", "suppressed", false)}}
	if _, err := s.RecordAlerts(ctx, b1); err != nil {
		t.Fatal(err)
	}
	keys := func() []string {
		fs, err := s.ListFindings(ctx, a.ID, p.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range fs {
			out = append(out, f.Key)
		}
		return out
	}
	if diff := cmp.Diff([]string{"MAL-1", "GO-2", "GO-1", "GO-3"}, keys()); diff != "" {
		t.Errorf("findings order: malicious, by severity, suppressed last (-want +got):\n%s", diff)
	}
	b2 := &vigie.AlertBatch{Now: t0.Add(time.Hour), FindingsDelete: []vigie.Finding{{SBOMID: p.SBOMID, Key: "GO-1"}}, FindingsPut: []*vigie.Finding{put("GO-2", "critical", "suppressed", false)}}
	if _, err := s.RecordAlerts(ctx, b2); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"MAL-1", "GO-2", "GO-3"}, keys()); diff != "" {
		t.Errorf("after delete and update (-want +got):\n%s", diff)
	}
	if _, err := s.RecordAlerts(ctx, &vigie.AlertBatch{Now: t0, FindingsReset: []string{p.SBOMID}}); err != nil {
		t.Fatal(err)
	}
	if got := keys(); len(got) != 0 {
		t.Errorf("after reset: %v", got)
	}
	if fs, _ := s.ListFindings(ctx, b.ID, "", 0); len(fs) != 0 {
		t.Errorf("B sees %d findings", len(fs))
	}
}

func testLatestOfTypes(t *testing.T, s vigie.Store) {
	org := MustOrg(t, s, "A")
	c1, c2 := MustCollection(t, s, nil, nil), MustCollection(t, s, nil, nil)
	id := stixID("indicator", 1)
	MustAdd(t, s, c1, org.ID, NewIndicator(id, t0, org.ID, 0), NewIndicator(id, t0.Add(time.Hour), org.ID, 0))
	MustAdd(t, s, c2, org.ID, NewIndicator(id, t0, org.ID, 0), NewIndicator(stixID("indicator", 2), t0, org.ID, 0))
	var got []string
	var pos int64
	for {
		objs, next, err := s.LatestOfTypes(ctx, []string{"indicator"}, pos, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(objs) == 0 {
			break
		}
		for _, o := range objs {
			got = append(got, o.Collection+"/"+o.ID+"@"+o.Version)
		}
		pos = next
	}
	want := []string{c1.ID + "/" + id + "@2026-03-01T13:00:00.000Z", c2.ID + "/" + id + "@2026-03-01T12:00:00.000Z", c2.ID + "/" + stixID("indicator", 2) + "@2026-03-01T12:00:00.000Z"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LatestOfTypes (-want +got):\n%s", diff)
	}
	if objs, _, _ := s.LatestOfTypes(ctx, []string{"malware"}, 0, 10); len(objs) != 0 {
		t.Errorf("malware: %d objects", len(objs))
	}
}
