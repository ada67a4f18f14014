package hub_test

import (
	"os"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

func TestCatalogImport(t *testing.T) {
	f := newFixture(t)
	cra, err := os.ReadFile("../catalog/catalogs/cra-annex-i.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"cra-annex-i.yaml": cra}
	for _, role := range []vigie.Role{vigie.RoleReader, vigie.RolePublisher, vigie.RoleAdmin} {
		_, tok := f.key(t, "A", role, time.Time{})
		p := f.login(t, tok)
		if _, err := f.hub.ImportCatalog(ctx, p, files); vigie.ErrorCode(err) != vigie.EFORBIDDEN {
			t.Errorf("a member's %s key imports a hub-wide catalog: %v, want EFORBIDDEN", role, err)
		}
	}
	if _, err := f.hub.ImportCatalog(ctx, vigie.Principal{}, files); vigie.ErrorCode(err) != vigie.EUNAUTHORIZED {
		t.Errorf("anonymous import: %v", err)
	}
	if _, err := f.hub.ImportCatalog(ctx, hub.Console(), map[string][]byte{"x.yaml": []byte("format: vigie-catalog/1\nid: x\ntitle: X\nrequirements: [{id: R}, {id: R}]\n")}); vigie.ErrorCode(err) != vigie.EINVALID {
		t.Errorf("duplicate ids: %v, want EINVALID", err)
	}
	recs, err := f.hub.ImportCatalog(ctx, hub.Console(), files)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].ID != "cra-annex-i" || recs[0].Requirements != 25 {
		t.Fatalf("imported %+v", recs)
	}
	_, tok := f.key(t, "B", vigie.RoleReader, time.Time{})
	b := f.login(t, tok)
	list, err := f.hub.Catalogs(ctx, b)
	if err != nil || len(list) != 1 {
		t.Fatalf("Catalogs = %v, %v", list, err)
	}
	c, err := f.hub.Catalog(ctx, b, "cra-annex-i")
	if err != nil {
		t.Fatal(err)
	}
	if r := c.Find("1.2a"); r == nil || r.ID != "CRA-I-2(a)" || r.Reference != "Annex I, Part I, point (2)(a)" {
		t.Errorf("CRA-I-2(a) after a round trip: %+v", r)
	}
	if _, err := f.hub.Catalog(ctx, b, "nope"); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("missing catalog: %v", err)
	}
	entries, err := f.hub.Audit(ctx, hub.Console(), vigie.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Action == vigie.AuditCatalogImport {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d catalog.import audit entries, want 1 (refusals are not imports)", n)
	}
}

func readCatalog(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../catalog/catalogs/cra-annex-i.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}
