package storetest

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie"
)

func testSuppliers(t *testing.T, s vigie.Store) {
	a, b := MustOrg(t, s, "A"), MustOrg(t, s, "B")
	sp := &vigie.Supplier{ID: vigie.NewUUID(), OrgID: a.ID, Name: "Apache Software Foundation", URL: "https://apache.org",
		PURLPrefixes: []string{"pkg:maven/org.apache.logging.log4j/", "pkg:maven/org.apache.commons/"}, CPEPrefixes: []string{"cpe:2.3:a:apache:"}, Keys: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", Created: t0}
	if err := s.CreateSupplier(ctx, sp); err != nil {
		t.Fatal(err)
	}
	dup := *sp
	dup.ID, dup.Name = vigie.NewUUID(), "apache software FOUNDATION"
	wantCode(t, s.CreateSupplier(ctx, &dup), vigie.ECONFLICT, "same name, other case")
	wantCode(t, s.CreateSupplier(ctx, &vigie.Supplier{ID: vigie.NewUUID(), OrgID: a.ID, Name: "x", PURLPrefixes: []string{"maven/"}, Created: t0}), vigie.EINVALID, "prefix without pkg:")
	wantCode(t, s.CreateSupplier(ctx, &vigie.Supplier{ID: vigie.NewUUID(), OrgID: "no-such-org", Name: "x", Created: t0}), vigie.ENOTFOUND, "no organisation")
	// B may keep a supplier of the same name: records are per organisation.
	spB := &vigie.Supplier{ID: vigie.NewUUID(), OrgID: b.ID, Name: "Apache Software Foundation", Created: t0}
	if err := s.CreateSupplier(ctx, spB); err != nil {
		t.Fatalf("same name in another organisation: %v", err)
	}
	for _, key := range []string{sp.ID, "apache software foundation"} {
		got, err := s.FindSupplier(ctx, a.ID, key)
		if err != nil {
			t.Fatalf("FindSupplier(%s): %v", key, err)
		}
		if diff := cmp.Diff(sp, got); diff != "" {
			t.Errorf("FindSupplier(%s) (-want +got):\n%s", key, diff)
		}
	}
	_, err := s.FindSupplier(ctx, b.ID, sp.ID)
	wantCode(t, err, vigie.ENOTFOUND, "another organisation's supplier by id")
	if list, _ := s.ListSuppliers(ctx, b.ID); len(list) != 1 || list[0].ID != spB.ID {
		t.Errorf("B lists %v, want only its own", list)
	}

	p := &vigie.Product{ID: vigie.NewUUID(), OrgID: a.ID, Name: "gateway", Version: "2.0", SBOMID: "x-vigie-sbom--" + vigie.NewUUID(), Collection: vigie.NewUUID(), Created: t0}
	if err := s.CreateProduct(ctx, p); err != nil {
		t.Fatal(err)
	}
	_, err = s.ProductSupplier(ctx, a.ID, p.ID)
	wantCode(t, err, vigie.ENOTFOUND, "no link yet")
	wantCode(t, s.LinkProductSupplier(ctx, a.ID, p.ID, spB.ID), vigie.ENOTFOUND, "link to another organisation's supplier")
	wantCode(t, s.LinkProductSupplier(ctx, b.ID, p.ID, spB.ID), vigie.ENOTFOUND, "link another organisation's product")
	if err := s.LinkProductSupplier(ctx, a.ID, p.ID, sp.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.ProductSupplier(ctx, a.ID, p.ID)
	if err != nil || got.ID != sp.ID {
		t.Fatalf("ProductSupplier = %v, %v; want %s", got, err, sp.ID)
	}
	_, err = s.ProductSupplier(ctx, b.ID, p.ID)
	wantCode(t, err, vigie.ENOTFOUND, "another organisation's product link")
	other := &vigie.Supplier{ID: vigie.NewUUID(), OrgID: a.ID, Name: "Other", Created: t0}
	if err := s.CreateSupplier(ctx, other); err != nil {
		t.Fatal(err)
	}
	if err := s.LinkProductSupplier(ctx, a.ID, p.ID, other.ID); err != nil {
		t.Fatalf("relink: %v", err)
	}
	if got, _ := s.ProductSupplier(ctx, a.ID, p.ID); got == nil || got.ID != other.ID {
		t.Errorf("relink kept %v, want %s", got, other.ID)
	}
}

func testCatalogs(t *testing.T, s vigie.Store) {
	c := &vigie.CatalogRecord{ID: "cra-annex-i", Title: "CRA", Format: "vigie", Requirements: 2, Doc: json.RawMessage(`{"id":"cra-annex-i"}`), Imported: t0}
	if err := s.PutCatalog(ctx, c); err != nil {
		t.Fatal(err)
	}
	c2 := *c
	c2.Title, c2.Requirements, c2.Doc = "CRA annex I", 21, json.RawMessage(`{"id":"cra-annex-i","v":2}`)
	if err := s.PutCatalog(ctx, &c2); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindCatalog(ctx, "cra-annex-i")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&c2, got); diff != "" {
		t.Errorf("FindCatalog after replace (-want +got):\n%s", diff)
	}
	_, err = s.FindCatalog(ctx, "nope")
	wantCode(t, err, vigie.ENOTFOUND, "missing catalog")
	wantCode(t, s.PutCatalog(ctx, &vigie.CatalogRecord{ID: "x"}), vigie.EINVALID, "no document")
	if err := s.PutCatalog(ctx, &vigie.CatalogRecord{ID: "a-first", Title: "A", Format: "cyclonedx", Doc: json.RawMessage(`{}`), Imported: t0}); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListCatalogs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range list {
		ids = append(ids, c.ID)
		if len(c.Doc) != 0 {
			t.Errorf("ListCatalogs returned the document of %s", c.ID)
		}
	}
	if diff := cmp.Diff([]string{"a-first", "cra-annex-i"}, ids); diff != "" {
		t.Errorf("ListCatalogs (-want +got):\n%s", diff)
	}
}

func testPostureStatuses(t *testing.T, s vigie.Store) {
	a := MustOrg(t, s, "A")
	got, err := s.PostureStatuses(ctx, a.ID, "p1", "cra")
	if err != nil || len(got) != 0 {
		t.Fatalf("before any check: %v, %v", got, err)
	}
	first := map[string]string{"CRA-II-1": "PASS", "expiry:x-vigie-attestation--1": "warned"}
	if err := s.SetPostureStatuses(ctx, a.ID, "p1", "cra", first); err != nil {
		t.Fatal(err)
	}
	second := map[string]string{"CRA-II-1": "FAIL"}
	if err := s.SetPostureStatuses(ctx, a.ID, "p1", "cra", second); err != nil {
		t.Fatal(err)
	}
	got, err = s.PostureStatuses(ctx, a.ID, "p1", "cra")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(second, got); diff != "" {
		t.Errorf("statuses replaced (-want +got):\n%s", diff)
	}
	if other, _ := s.PostureStatuses(ctx, "someone-else", "p1", "cra"); len(other) != 0 {
		t.Errorf("another organisation reads %v", other)
	}
}
