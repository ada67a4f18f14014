package hub_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/attest"
	"github.com/vigie-cti/vigie/hub"
)

func readAttest(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../attest/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// visibleAttestations returns the ids of the attestations p reads in c.
func visibleAttestations(t *testing.T, f *fixture, p vigie.Principal, c *vigie.Collection) []string {
	t.Helper()
	_, a, err := f.hub.Collection(ctx, p, c.Root, c.ID)
	if err != nil {
		return nil
	}
	page, err := f.hub.Objects(ctx, p, a, &vigie.ObjectQuery{Collection: c.ID, Types: []string{attest.STIXType}})
	if err != nil {
		return nil
	}
	var ids []string
	for _, o := range page.Objects {
		ids = append(ids, o.ID)
	}
	return ids
}

// TestAttestationsHostile: a supplier attests its own products only;
// nobody forges or re-versions its attestations; TLP decides who reads
// them; results about another repository, expired or unreadable
// attestations are refused, never counted.
func TestAttestationsHostile(t *testing.T) {
	f, ps := supplierFixture(t)
	a, b := ps["A"], ps["B"]
	_, tok := f.key(t, "C", vigie.RolePublisher, time.Time{})
	c := f.login(t, tok)
	shared, err := f.hub.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "api1", Title: "ab", Read: []string{"community:ab"}, Write: []string{"community:ab"}})
	if err != nil {
		t.Fatal(err)
	}
	share := func(tlp vigie.TLP) hub.Share { return hub.Share{Root: "api1", Collection: shared.ID, TLP: tlp} }
	scorecard := readAttest(t, "scorecard/valid-payload.json")

	amber, err := f.hub.PublishAttestation(ctx, a, hub.AttestationSpec{Product: "gateway@2.0", Repo: "https://github.com/ossf-tests/scorecard-action", Share: share(vigie.TLPAmber)}, scorecard)
	if err != nil {
		t.Fatal(err)
	}
	if amber.Kind != attest.KindScorecard || amber.Product != "gateway@2.0" {
		t.Errorf("published %+v", amber)
	}
	red, err := f.hub.PublishAttestation(ctx, a, hub.AttestationSpec{Product: "gateway@2.0", Share: share(vigie.TLPRed)}, readAttest(t, "slsa/gke-gce-pre.bcid-vsa.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if red.Kind != attest.KindVSA || red.Verification != attest.Unverified {
		t.Errorf("VSA published as %+v; want unverified (the hub trusts no key)", red)
	}
	if got := visibleAttestations(t, f, a, shared); len(got) != 2 {
		t.Errorf("A sees %v, want both of its attestations", got)
	}
	if got := visibleAttestations(t, f, b, shared); len(got) != 1 || got[0] != amber.ID {
		t.Errorf("B (community ab) sees %v, want only the AMBER one %s", got, amber.ID)
	}
	if got := visibleAttestations(t, f, c, shared); len(got) != 0 {
		t.Errorf("C (no community) sees %v", got)
	}

	prodA, err := f.hub.Product(ctx, a, "gateway@2.0", "", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.hub.Product(ctx, b, "gateway@2.0", "", true); err != nil {
		t.Fatal(err)
	}
	refusals := []struct {
		name string
		p    vigie.Principal
		spec hub.AttestationSpec
		doc  []byte
		code string
		msg  string
	}{
		{"B attests A's product by id", b, hub.AttestationSpec{Product: prodA.ID, Repo: "github.com/ossf-tests/scorecard-action"}, scorecard, vigie.ENOTFOUND, ""},
		{"reader key", ps["A-reader"], hub.AttestationSpec{Product: "gateway@2.0", Repo: "github.com/ossf-tests/scorecard-action"}, scorecard, vigie.EFORBIDDEN, ""},
		{"Scorecard of another repository", a, hub.AttestationSpec{Product: "gateway@2.0", Repo: "https://github.com/acme/gateway"}, scorecard, vigie.EINVALID, "not the product's repository"},
		{"Scorecard without the product's repository", a, hub.AttestationSpec{Product: "gateway@2.0"}, scorecard, vigie.EINVALID, "repo"},
		{"provenance of another repository", a, hub.AttestationSpec{Product: "gateway@2.0", Repo: "https://github.com/acme/gateway"}, readAttest(t, "slsa/rules_lint-v1.3.1.tar.gz.intoto.jsonl"), vigie.EINVALID, "aspect-build/rules_lint"},
		{"expired CycloneDX attestation", a, hub.AttestationSpec{Product: "gateway@2.0"}, readAttest(t, "cdxa/valid-attestation-1.6.json"), vigie.EINVALID, "expired"},
		{"unparseable", a, hub.AttestationSpec{Product: "gateway@2.0"}, []byte(`{"payloadType":"application/vnd.in-toto+json","payload":"!!"}`), vigie.EINVALID, "base64"},
		{"an SBOM is no attestation", a, hub.AttestationSpec{Product: "gateway@2.0"}, []byte(gatewaySBOM), vigie.EINVALID, "declarations"},
		{"B writes into a collection it cannot write", b, hub.AttestationSpec{Product: "gateway@2.0", Repo: "github.com/ossf-tests/scorecard-action", Share: hub.Share{Root: hub.PrivateRoot, Collection: prodA.Collection}}, scorecard, vigie.ENOTFOUND, ""},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			_, err := f.hub.PublishAttestation(ctx, r.p, r.spec, r.doc)
			if vigie.ErrorCode(err) != r.code || !strings.Contains(vigie.ErrorMessage(err), r.msg) {
				t.Errorf("err %v, want %s containing %q", err, r.code, r.msg)
			}
		})
	}

	// B forges: a new version of A's attestation, and a new attestation
	// that names A as its author. Both are refused by ownership.
	_, acc, err := f.hub.Collection(ctx, b, "api1", shared.ID)
	if err != nil {
		t.Fatal(err)
	}
	forge := func(id, createdBy string) json.RawMessage {
		raw, err := attest.ToSTIX(&attest.Document{Kind: attest.KindScorecard, Scorecard: &attest.Scorecard{Repo: "github.com/acme/gateway", Score: 10}},
			[]byte(`{}`), attest.STIXInfo{ID: id, CreatedBy: createdBy, Time: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), Product: "gateway", Version: "2.0"})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	forgeries := []struct {
		name string
		raw  json.RawMessage
		want string
	}{
		{"new version of A's attestation", forge(amber.ID, f.orgs["B"].ID), "belongs to another organisation"},
		{"attestation naming A as author", forge(attest.STIXType+"--"+vigie.NewUUID(), f.orgs["A"].ID), "another member organisation"},
	}
	for _, fg := range forgeries {
		st, err := f.hub.Publish(ctx, b, acc, shared, []json.RawMessage{fg.raw})
		if err != nil || len(st.Failures) != 1 || !strings.Contains(st.Failures[0].Message, fg.want) {
			t.Errorf("%s: %v %+v; want refused with %q", fg.name, err, st, fg.want)
		}
	}
	// The control: the same object under B's own id and name is accepted.
	if st, err := f.hub.Publish(ctx, b, acc, shared, []json.RawMessage{forge(attest.STIXType+"--"+vigie.NewUUID(), f.orgs["B"].ID)}); err != nil || len(st.Failures) != 0 {
		t.Fatalf("B's own attestation object refused: %v %+v", err, st)
	}
	if got := visibleAttestations(t, f, b, shared); len(got) != 2 {
		t.Errorf("after the forgeries and its own, B sees %v; want A's AMBER one and its own", got)
	}
}
