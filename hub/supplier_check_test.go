package hub_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/posture"
	"github.com/vigie-cti/vigie/store/sqlite"
)

// answers is a questionnaire of Acme about CRA-II-5, expiring at exp.
func answers(answer, exp string) []byte {
	return []byte("format: vigie-questionnaire/1\ncatalog: cra-annex-i\nsupplier: Acme\nexpires: " + exp +
		"\nanswers:\n  - {requirement: CRA-II-5, answer: " + answer + "}\n")
}

func supplierAlerts(t *testing.T, f *fixture, p vigie.Principal) []*vigie.Alert {
	t.Helper()
	as, err := f.hub.Alerts(ctx, p, vigie.AlertQuery{Trigger: vigie.TriggerSupplier})
	if err != nil {
		t.Fatal(err)
	}
	return as
}

// TestCheckSuppliers: B is warned once when an attestation it relies on
// nears expiry, and when a requirement it passed now fails; C, which
// cannot read the supplier's attestations, is warned of nothing; the
// check is the operator's.
func TestCheckSuppliers(t *testing.T) {
	f, ps := supplierFixture(t)
	a, b := ps["A"], ps["B"]
	_, tok := f.key(t, "C", vigie.RolePublisher, time.Time{})
	c := f.login(t, tok)
	if _, err := f.hub.ImportCatalog(ctx, hub.Console(), map[string][]byte{"cra.yaml": readCatalog(t)}); err != nil {
		t.Fatal(err)
	}
	shared, err := f.hub.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "api1", Title: "ab", Read: []string{"community:ab"}, Write: []string{"org:" + f.orgs["A"].ID}})
	if err != nil {
		t.Fatal(err)
	}
	share := hub.AttestationSpec{Product: "gateway@2.0", Share: hub.Share{Root: "api1", Collection: shared.ID, TLP: vigie.TLPAmber}}
	// The fixture's clock is 2026-12-01: this one expires in 20 days.
	if _, err := f.hub.PublishQuestionnaire(ctx, a, share, answers("yes", "2026-12-21T00:00:00Z")); err != nil {
		t.Fatal(err)
	}
	for _, who := range []vigie.Principal{b, c} {
		if _, err := f.hub.Product(ctx, who, "gateway@2.0", "", true); err != nil {
			t.Fatal(err)
		}
		if _, err := f.hub.AddSupplier(ctx, who, hub.SupplierSpec{Name: "Acme", MemberOrg: "A"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.hub.LinkSupplier(ctx, who, "gateway@2.0", "Acme"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.hub.CheckSuppliers(ctx, b); vigie.ErrorCode(err) != vigie.EFORBIDDEN {
		t.Errorf("a member runs the check: %v", err)
	}
	n, err := f.hub.CheckSuppliers(ctx, hub.Console())
	if err != nil {
		t.Fatal(err)
	}
	got := supplierAlerts(t, f, b)
	if n != 1 || len(got) != 1 || !strings.Contains(got[0].Title, "expires on 2026-12-21") {
		t.Fatalf("first check: %d raised, B's alerts %+v; want the expiry warning only", n, got)
	}
	if n, err := f.hub.CheckSuppliers(ctx, hub.Console()); err != nil || n != 0 {
		t.Errorf("second check raised %d (%v); want none: nothing changed", n, err)
	}
	// Acme now answers no: CRA-II-5, which passed, fails.
	if _, err := f.hub.PublishQuestionnaire(ctx, a, share, answers("no", "2027-06-30T00:00:00Z")); err != nil {
		t.Fatal(err)
	}
	if n, err = f.hub.CheckSuppliers(ctx, hub.Console()); err != nil || n != 1 {
		t.Fatalf("after the change: %d raised (%v), want 1", n, err)
	}
	got = supplierAlerts(t, f, b)
	lost := false
	for _, al := range got {
		lost = lost || (strings.Contains(al.Title, "no longer meets CRA-II-5") && al.Severity == vigie.SeverityHigh)
	}
	if !lost {
		t.Errorf("B's alerts %+v: no lost-requirement alert", got)
	}
	if got := supplierAlerts(t, f, c); len(got) != 0 {
		t.Errorf("C, outside the community, was warned: %+v", got)
	}
	if got := supplierAlerts(t, f, a); len(got) != 0 {
		t.Errorf("A, with no linked product, was warned: %+v", got)
	}
}

// TestCheckSuppliersVEXOverdue: an advisory affecting B's product that its
// supplier has left without VEX for more than 30 days warns B once, and
// the posture report lists it and fails CRA-II-2 on it; an advisory
// answered with VEX, or too recent, warns nobody.
func TestCheckSuppliersVEXOverdue(t *testing.T) {
	f, ps := supplierFixture(t)
	b := ps["B"]
	if _, err := f.hub.ImportCatalog(ctx, hub.Console(), map[string][]byte{"cra.yaml": readCatalog(t)}); err != nil {
		t.Fatal(err)
	}
	prod, err := f.hub.Product(ctx, b, "gateway@2.0", "", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.hub.AddSupplier(ctx, b, hub.SupplierSpec{Name: "Acme", MemberOrg: "A"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.hub.LinkSupplier(ctx, b, "gateway@2.0", "Acme"); err != nil {
		t.Fatal(err)
	}
	// The findings as the engine records them (the fixture's clock is
	// 2026-12-01): one published 61 days before without VEX, one answered
	// with VEX, one published 10 days before.
	finding := func(id, state, published, vexAt string) *vigie.Finding {
		doc := `{"id":"` + id + `","published":"` + published + `","state":"` + state + `"`
		if vexAt != "" {
			doc += `,"vex":{"status":"not_affected","timestamp":"` + vexAt + `"}`
		}
		return &vigie.Finding{SBOMID: prod.SBOMID, Key: id + "/pkg:npm/left-pad@1.3.0", OrgID: prod.OrgID, ProductID: prod.ID,
			State: state, Severity: "high", Doc: []byte(doc + "}"), Updated: f.clock.now()}
	}
	st, err := sqlite.Open(ctx, f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	batch := &vigie.AlertBatch{Now: f.clock.now(), FindingsPut: []*vigie.Finding{
		finding("CVE-2026-1001", "affected", "2026-10-01T00:00:00Z", ""),
		finding("CVE-2026-1002", "suppressed", "2026-09-01T00:00:00Z", "2026-09-04T00:00:00Z"),
		finding("CVE-2026-1003", "affected", "2026-11-21T00:00:00Z", ""),
	}}
	if _, err := st.RecordAlerts(ctx, batch); err != nil {
		t.Fatal(err)
	}

	r, err := f.hub.PostureReport(ctx, b, "gateway@2.0", "cra-annex-i", hub.Share{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.VEXOverdue) != 1 || r.VEXOverdue[0].ID != "CVE-2026-1001/pkg:npm/left-pad@1.3.0" || r.VEXOverdue[0].Days != 61 {
		t.Errorf("report's vex_overdue = %+v, want CVE-2026-1001 at 61 days", r.VEXOverdue)
	}
	var vexFact string
	for _, q := range r.Requirements {
		if q.ID != "CRA-II-2" {
			continue
		}
		for _, fc := range q.Facts {
			if fc.Kind == "vex-response" && fc.Status == posture.Fail {
				vexFact = fc.Detail
			}
		}
	}
	if !strings.Contains(vexFact, "1 advisories without VEX after 30 days") || !strings.Contains(vexFact, "median time to VEX 3 days") {
		t.Errorf("CRA-II-2's vex-response fact = %q", vexFact)
	}

	n, err := f.hub.CheckSuppliers(ctx, hub.Console())
	if err != nil {
		t.Fatal(err)
	}
	var overdue []*vigie.Alert
	for _, al := range supplierAlerts(t, f, b) {
		if strings.Contains(al.Title, "with VEX") {
			overdue = append(overdue, al)
		}
	}
	if n < 1 || len(overdue) != 1 || !strings.Contains(overdue[0].Title, "supplier Acme has not answered CVE-2026-1001") {
		t.Fatalf("first check: %d raised, B's VEX alerts %+v; want one about CVE-2026-1001", n, overdue)
	}
	if n, err := f.hub.CheckSuppliers(ctx, hub.Console()); err != nil || n != 0 {
		t.Errorf("second check raised %d (%v); want none: warned once", n, err)
	}
	if got := supplierAlerts(t, f, ps["A"]); len(got) != 0 {
		t.Errorf("A, whose product this is not, was warned: %+v", got)
	}
}
