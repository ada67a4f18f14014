package hub_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/api"
	"github.com/vigie-cti/vigie/hub"
)

// gatewaySBOM is a CycloneDX SBOM whose product names its supplier and
// whose components name theirs, or not.
const gatewaySBOM = `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
"metadata":{"component":{"type":"application","name":"gateway","version":"2.0"},"supplier":{"name":"Proton AG"}},
"components":[
 {"type":"library","name":"log4j-core","version":"2.14.1","purl":"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
 {"type":"library","name":"log4j-api","version":"2.14.1","purl":"pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1","supplier":{"name":"Someone Else"}},
 {"type":"library","name":"left-pad","version":"1.3.0","purl":"pkg:npm/left-pad@1.3.0","supplier":{"name":"Acme Widgets"}},
 {"type":"library","name":"orphan","version":"0.1.0","purl":"pkg:npm/orphan@0.1.0"}
]}`

// supplierFixture gives A a product with an SBOM; B and C have none.
func supplierFixture(t *testing.T) (*fixture, map[string]vigie.Principal) {
	t.Helper()
	f := newFixture(t)
	ps := map[string]vigie.Principal{}
	for _, org := range []string{"A", "B"} {
		_, tok := f.key(t, org, vigie.RolePublisher, time.Time{})
		ps[org] = f.login(t, tok)
		_, tok = f.key(t, org, vigie.RoleReader, time.Time{})
		ps[org+"-reader"] = f.login(t, tok)
	}
	prod, err := f.hub.Product(ctx, ps["A"], "gateway@2.0", "", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.hub.UploadSBOM(ctx, ps["A"], prod, []byte(gatewaySBOM), hub.Share{}); err != nil {
		t.Fatal(err)
	}
	return f, ps
}

func TestProductSuppliers(t *testing.T) {
	f, ps := supplierFixture(t)
	a := ps["A"]
	got, err := f.hub.ProductSuppliers(ctx, ps["A-reader"], "gateway@2.0", hub.Share{})
	if err != nil {
		t.Fatal(err)
	}
	want := &api.ProductSuppliers{Product: "gateway@2.0", Supplier: &api.SupplierRef{Name: "Proton AG", Source: "sbom"},
		Components: []api.ComponentSupplier{
			{SupplierRef: api.SupplierRef{Name: "Acme Widgets", Source: "sbom"}, Components: 1, Examples: []string{"pkg:npm/left-pad@1.3.0"}},
			{SupplierRef: api.SupplierRef{Name: "Someone Else", Source: "sbom"}, Components: 1, Examples: []string{"pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1"}},
		}, Unattributed: 2}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("before any record, suppliers from the SBOM only (-want +got):\n%s", diff)
	}

	asf, err := f.hub.AddSupplier(ctx, a, hub.SupplierSpec{Name: "Apache Software Foundation", URL: "https://apache.org", PURLPrefixes: []string{"pkg:maven/org.apache.logging.log4j/"}})
	if err != nil {
		t.Fatal(err)
	}
	proton, err := f.hub.AddSupplier(ctx, a, hub.SupplierSpec{Name: "Proton", MemberOrg: "C"})
	if err != nil {
		t.Fatal(err)
	}
	if proton.MemberOrg != f.orgs["C"].ID {
		t.Errorf("MemberOrg = %q, want C's id", proton.MemberOrg)
	}
	if _, _, err := f.hub.LinkSupplier(ctx, a, "gateway@2.0", "proton"); err != nil {
		t.Fatal(err)
	}
	got, err = f.hub.ProductSuppliers(ctx, a, "gateway@2.0", hub.Share{})
	if err != nil {
		t.Fatal(err)
	}
	want = &api.ProductSuppliers{Product: "gateway@2.0", Supplier: &api.SupplierRef{Name: "Proton", ID: proton.ID, Source: "link"},
		Components: []api.ComponentSupplier{
			// The organisation's record wins over the SBOM's supplier field.
			{SupplierRef: api.SupplierRef{Name: "Apache Software Foundation", ID: asf.ID, Source: "prefix"}, Components: 2,
				Examples: []string{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1"}},
			{SupplierRef: api.SupplierRef{Name: "Acme Widgets", Source: "sbom"}, Components: 1, Examples: []string{"pkg:npm/left-pad@1.3.0"}},
		}, Unattributed: 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("with records and a link (-want +got):\n%s", diff)
	}

	entries, err := f.hub.Audit(ctx, hub.Console(), vigie.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range entries {
		seen[e.Action]++
	}
	if seen[vigie.AuditSupplierAdd] != 2 || seen[vigie.AuditSupplierLink] != 1 {
		t.Errorf("audit: %d supplier.add, %d supplier.link; want 2 and 1", seen[vigie.AuditSupplierAdd], seen[vigie.AuditSupplierLink])
	}
}

// TestSuppliersHostile: supplier records, links and the suppliers of a
// product are the organisation's own; another organisation, a reader
// key or an anonymous caller gets nothing of them.
func TestSuppliersHostile(t *testing.T) {
	f, ps := supplierFixture(t)
	a, b := ps["A"], ps["B"]
	asf, err := f.hub.AddSupplier(ctx, a, hub.SupplierSpec{Name: "Apache Software Foundation"})
	if err != nil {
		t.Fatal(err)
	}
	prodA, err := f.hub.Product(ctx, a, "gateway@2.0", "", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.hub.AddSupplier(ctx, b, hub.SupplierSpec{Name: "Mine"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.hub.Product(ctx, b, "tool@1", "", true); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		call func() error
		code string
	}{
		{"reader adds a supplier", func() error {
			_, err := f.hub.AddSupplier(ctx, ps["A-reader"], hub.SupplierSpec{Name: "x"})
			return err
		}, vigie.EFORBIDDEN},
		{"anonymous lists suppliers", func() error { _, err := f.hub.Suppliers(ctx, vigie.Principal{}); return err }, vigie.EUNAUTHORIZED},
		{"operator console acts for no organisation", func() error {
			_, err := f.hub.AddSupplier(ctx, hub.Console(), hub.SupplierSpec{Name: "x"})
			return err
		}, vigie.EFORBIDDEN},
		{"unknown member organisation", func() error {
			_, err := f.hub.AddSupplier(ctx, a, hub.SupplierSpec{Name: "x", MemberOrg: "nobody"})
			return err
		}, vigie.ENOTFOUND},
		{"B links A's product by id", func() error { _, _, err := f.hub.LinkSupplier(ctx, b, prodA.ID, "Mine"); return err }, vigie.ENOTFOUND},
		{"B links its product to A's supplier by id", func() error { _, _, err := f.hub.LinkSupplier(ctx, b, "tool@1", asf.ID); return err }, vigie.ENOTFOUND},
		{"reader links", func() error {
			_, _, err := f.hub.LinkSupplier(ctx, ps["A-reader"], "gateway@2.0", asf.ID)
			return err
		}, vigie.EFORBIDDEN},
		{"B reads the suppliers of A's product by id", func() error {
			_, err := f.hub.ProductSuppliers(ctx, b, prodA.ID, hub.Share{})
			return err
		}, vigie.ENOTFOUND},
		{"B points at A's private collection", func() error {
			_, err := f.hub.ProductSuppliers(ctx, b, "tool@1", hub.Share{Root: hub.PrivateRoot, Collection: prodA.Collection})
			return err
		}, vigie.ENOTFOUND},
		{"invalid URL", func() error {
			_, err := f.hub.AddSupplier(ctx, a, hub.SupplierSpec{Name: "y", URL: "javascript:alert(1)"})
			return err
		}, vigie.EINVALID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := vigie.ErrorCode(c.call()); got != c.code {
				t.Errorf("code %q, want %q", got, c.code)
			}
		})
	}
	list, err := f.hub.Suppliers(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Name != "Mine" {
		t.Errorf("B lists %v: want only its own record", list)
	}
}

// TestDocumentShareNotRed: an SBOM or VEX names no RED recipients, so
// sharing one at TLP:RED is refused on every path (API, CLI, pages), and
// the refused upload registers no product; AMBER+STRICT is taken.
func TestDocumentShareNotRed(t *testing.T) {
	f, ps := supplierFixture(t)
	a := ps["A"]
	shared, err := f.hub.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "api1", Title: "ab", Read: []string{"community:ab"}, Write: []string{"community:ab"}})
	if err != nil {
		t.Fatal(err)
	}
	share := func(tlp vigie.TLP) hub.Share { return hub.Share{Root: "api1", Collection: shared.ID, TLP: tlp} }
	prod, err := f.hub.Product(ctx, a, "gateway@2.0", "", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.hub.UploadSBOM(ctx, a, prod, []byte(gatewaySBOM), share(vigie.TLPRed)); vigie.ErrorCode(err) != vigie.EINVALID {
		t.Errorf("SBOM at TLP:RED: %v, want EINVALID", err)
	}
	vexDoc := `{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.org/vex/1","author":"A","timestamp":"2026-01-01T00:00:00Z","version":1,"statements":[]}`
	if _, err := f.hub.UploadVEX(ctx, a, prod, []byte(vexDoc), share(vigie.TLPRed)); vigie.ErrorCode(err) != vigie.EINVALID {
		t.Errorf("VEX at TLP:RED: %v, want EINVALID", err)
	}
	if _, err := f.hub.UploadProductSBOM(ctx, a, "router@1.0", "", []byte(gatewaySBOM), share(vigie.TLPRed)); vigie.ErrorCode(err) != vigie.EINVALID {
		t.Errorf("new product's SBOM at TLP:RED: %v, want EINVALID", err)
	}
	if _, err := f.hub.Product(ctx, a, "router@1.0", "", false); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("a refused upload registered its product: %v", err)
	}
	if _, err := f.hub.UploadSBOM(ctx, a, prod, []byte(gatewaySBOM), share(vigie.TLPAmberStrict)); err != nil {
		t.Errorf("SBOM at TLP:AMBER+STRICT: %v", err)
	}
	if _, err := f.hub.UploadVEX(ctx, a, prod, []byte(vexDoc), share(vigie.TLPAmberStrict)); err != nil {
		t.Errorf("VEX at TLP:AMBER+STRICT: %v", err)
	}
}
