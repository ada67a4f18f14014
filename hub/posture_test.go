package hub_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/posture"
)

// claimsDoc is a CycloneDX attestation claiming CRA requirements.
func claimsDoc(reqs ...string) []byte {
	m := ""
	for i, r := range reqs {
		if i > 0 {
			m += ","
		}
		m += `{"requirement":"` + r + `","claims":["c1"],"conformance":{"score":1}}`
	}
	return []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","declarations":{"attestations":[{"map":[` + m + `]}],
"claims":[{"bom-ref":"c1","predicate":"we do","evidence":["e1"]}],"evidence":[{"bom-ref":"e1","expires":"2027-06-01T00:00:00Z"}]}}`)
}

func status(r *posture.Report, id string) string {
	for _, q := range r.Requirements {
		if q.ID == id {
			return q.Status
		}
	}
	return "absent"
}

// TestPostureReportAudience: a customer's report uses the supplier's
// attestations it may read (AMBER in a shared community), never the RED
// one, and an organisation outside the community gets none.
func TestPostureReportAudience(t *testing.T) {
	f, ps := supplierFixture(t)
	a, b := ps["A"], ps["B"]
	_, tok := f.key(t, "C", vigie.RolePublisher, time.Time{})
	c := f.login(t, tok)
	if _, err := f.hub.ImportCatalog(ctx, hub.Console(), map[string][]byte{"cra.yaml": readCatalog(t)}); err != nil {
		t.Fatal(err)
	}
	shared, err := f.hub.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "api1", Title: "everyone", Read: []string{"community:ab"}, Write: []string{"org:" + f.orgs["A"].ID}})
	if err != nil {
		t.Fatal(err)
	}
	for tlp, reqs := range map[vigie.TLP][]string{vigie.TLPAmber: {"CRA-II-2", "CRA-II-5"}, vigie.TLPRed: {"CRA-I-2(g)"}} {
		if _, err := f.hub.PublishAttestation(ctx, a, hub.AttestationSpec{Product: "gateway@2.0", Share: hub.Share{Root: "api1", Collection: shared.ID, TLP: tlp}}, claimsDoc(reqs...)); err != nil {
			t.Fatal(err)
		}
	}
	for _, who := range []vigie.Principal{b, c} {
		prod, err := f.hub.Product(ctx, who, "gateway@2.0", "", true)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.hub.UploadSBOM(ctx, who, prod, []byte(gatewaySBOM), hub.Share{}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.hub.AddSupplier(ctx, who, hub.SupplierSpec{Name: "Acme", MemberOrg: "A"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.hub.LinkSupplier(ctx, who, "gateway@2.0", "Acme"); err != nil {
			t.Fatal(err)
		}
	}

	rb, err := f.hub.PostureReport(ctx, b, "gateway@2.0", "cra-annex-i", hub.Share{})
	if err != nil {
		t.Fatal(err)
	}
	if rb.Supplier != "Acme" || len(rb.Attestations) != 1 {
		t.Errorf("B's report: supplier %q, attestations %+v; want Acme's AMBER one only", rb.Supplier, rb.Attestations)
	}
	for id, want := range map[string]string{"CRA-II-5": posture.Pass, "CRA-II-1": posture.Pass, "CRA-I-2(g)": posture.Unknown, "CRA-II-2": posture.Pass} {
		if got := status(rb, id); got != want {
			t.Errorf("B's report: %s = %s, want %s", id, got, want)
		}
	}
	rc, err := f.hub.PostureReport(ctx, c, "gateway@2.0", "cra-annex-i", hub.Share{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rc.Attestations) != 0 || status(rc, "CRA-II-5") != posture.Unknown {
		t.Errorf("C (outside the community) used %+v; CRA-II-5 = %s", rc.Attestations, status(rc, "CRA-II-5"))
	}
	ra, err := f.hub.PostureReport(ctx, a, "gateway@2.0", "cra-annex-i", hub.Share{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ra.Attestations) != 2 || status(ra, "CRA-I-2(g)") != posture.Pass {
		t.Errorf("A's own report: %d attestations, CRA-I-2(g) = %s", len(ra.Attestations), status(ra, "CRA-I-2(g)"))
	}

	prodA, _ := f.hub.Product(ctx, a, "gateway@2.0", "", false)
	if _, err := f.hub.PostureReport(ctx, b, prodA.ID, "cra-annex-i", hub.Share{}); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("B's report on A's product by id: %v", err)
	}
	if _, err := f.hub.PostureReport(ctx, b, "gateway@2.0", "nope", hub.Share{}); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("unknown catalog: %v", err)
	}
	if _, err := f.hub.PostureReport(ctx, vigie.Principal{}, "gateway@2.0", "cra-annex-i", hub.Share{}); vigie.ErrorCode(err) != vigie.EUNAUTHORIZED {
		t.Errorf("anonymous: %v", err)
	}

	// The roll-up per supplier: B's one product linked to Acme.
	ru, err := f.hub.SupplierPosture(ctx, b, "acme", "cra-annex-i")
	if err != nil {
		t.Fatal(err)
	}
	if ru.Supplier != "Acme" || len(ru.Products) != 1 || ru.Summary != rb.Summary {
		t.Errorf("roll-up %+v, want B's one report's summary %+v", ru, rb.Summary)
	}
	bs, err := f.hub.Suppliers(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.hub.SupplierPosture(ctx, c, bs[0].ID, "cra-annex-i"); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("C rolls up B's supplier record by id: %v", err)
	}
}

// TestQuestionnaireToReport: answers published once count as claims in
// a customer's report; answers about requirements the catalog lacks are
// refused; an expired questionnaire is refused.
func TestQuestionnaireToReport(t *testing.T) {
	f, ps := supplierFixture(t)
	a := ps["A"]
	if _, err := f.hub.ImportCatalog(ctx, hub.Console(), map[string][]byte{"cra.yaml": readCatalog(t)}); err != nil {
		t.Fatal(err)
	}
	q := func(expires, req string) []byte {
		return []byte("format: vigie-questionnaire/1\ncatalog: cra-annex-i\nsupplier: Acme\nexpires: " + expires +
			"\nanswers:\n  - {requirement: CRA-II-5, answer: yes, evidence: ['https://acme.example/cvd']}\n  - {requirement: '" + req + "', answer: 'no'}\n")
	}
	if _, err := f.hub.PublishQuestionnaire(ctx, a, hub.AttestationSpec{Product: "gateway@2.0"}, q("2027-06-30T00:00:00Z", "CRA-X-99")); vigie.ErrorCode(err) != vigie.EINVALID || !strings.Contains(err.Error(), "CRA-X-99") {
		t.Errorf("answer about a requirement the catalog lacks: %v", err)
	}
	if _, err := f.hub.PublishQuestionnaire(ctx, a, hub.AttestationSpec{Product: "gateway@2.0"}, q("2026-01-01T00:00:00Z", "CRA-I-2(m)")); vigie.ErrorCode(err) != vigie.EINVALID || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired questionnaire: %v", err)
	}
	if _, err := f.hub.PublishQuestionnaire(ctx, ps["B"], hub.AttestationSpec{Product: "gateway@2.0"}, q("2027-06-30T00:00:00Z", "CRA-I-2(m)")); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("B answers for a product it does not have: %v", err)
	}
	up, err := f.hub.PublishQuestionnaire(ctx, a, hub.AttestationSpec{Product: "gateway@2.0"}, q("2027-06-30T00:00:00Z", "CRA-I-2(m)"))
	if err != nil {
		t.Fatal(err)
	}
	if up.Expires != "2027-06-30T00:00:00Z" {
		t.Errorf("published %+v", up)
	}
	r, err := f.hub.PostureReport(ctx, a, "gateway@2.0", "cra-annex-i", hub.Share{})
	if err != nil {
		t.Fatal(err)
	}
	if status(r, "CRA-II-5") != posture.Pass || status(r, "CRA-I-2(m)") != posture.Fail {
		t.Errorf("CRA-II-5 = %s, CRA-I-2(m) = %s; want PASS (answered yes) and FAIL (answered no)", status(r, "CRA-II-5"), status(r, "CRA-I-2(m)"))
	}
}

// TestPostureTrustedKeys: a VSA counts as verified for the member that
// trusts its key for the supplier, is ignored for one that trusts
// another key, and is unverified for one that trusts none.
func TestPostureTrustedKeys(t *testing.T) {
	f, ps := supplierFixture(t)
	a := ps["A"]
	if _, err := f.hub.ImportCatalog(ctx, hub.Console(), map[string][]byte{"cra.yaml": readCatalog(t)}); err != nil {
		t.Fatal(err)
	}
	shared, err := f.hub.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "api1", Title: "customers", Read: []string{"org:" + f.orgs["B"].ID, "org:" + f.orgs["C"].ID}, Write: []string{"org:" + f.orgs["A"].ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.hub.PublishAttestation(ctx, a, hub.AttestationSpec{Product: "gateway@2.0", Share: hub.Share{Root: "api1", Collection: shared.ID}}, readAttest(t, "slsa/gke-gce-pre.bcid-vsa.jsonl")); err != nil {
		t.Fatal(err)
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	other := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	_, tok := f.key(t, "C", vigie.RolePublisher, time.Time{})
	c := f.login(t, tok)
	cases := []struct {
		name   string
		p      vigie.Principal
		keys   []byte
		verify string // the VSA's verification in the report, "" when ignored
	}{
		{"B trusts the VSA key", ps["B"], readAttest(t, "slsa/vsa_signing_public_key.pem"), "verified"},
		{"C trusts another key", c, other, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.hub.Product(ctx, tc.p, "gateway@2.0", "", true); err != nil {
				t.Fatal(err)
			}
			if _, err := f.hub.AddSupplier(ctx, tc.p, hub.SupplierSpec{Name: "Acme", MemberOrg: "A", Keys: tc.keys}); err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.hub.LinkSupplier(ctx, tc.p, "gateway@2.0", "Acme"); err != nil {
				t.Fatal(err)
			}
			r, err := f.hub.PostureReport(ctx, tc.p, "gateway@2.0", "cra-annex-i", hub.Share{})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.verify == "" && (len(r.Attestations) != 0 || len(r.Ignored) != 1):
				t.Errorf("used %+v, ignored %v; want the VSA ignored", r.Attestations, r.Ignored)
			case tc.verify != "" && (len(r.Attestations) != 1 || r.Attestations[0].Verification != tc.verify):
				t.Errorf("used %+v; want the VSA %s", r.Attestations, tc.verify)
			}
		})
	}
	if _, err := f.hub.AddSupplier(ctx, a, hub.SupplierSpec{Name: "Bad keys", Keys: []byte("not PEM")}); vigie.ErrorCode(err) != vigie.EINVALID {
		t.Errorf("keys that are not PEM: %v", err)
	}
}
