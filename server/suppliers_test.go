package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/api"
	"github.com/vigie-cti/vigie/hub"
)

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSupplierAPIHostile: each organisation's supplier records, links
// and the suppliers of its products are its own, whatever another
// organisation names (ids, collections); catalogs are imported only with
// an operator key; no answer carries a key.
func TestSupplierAPIHostile(t *testing.T) {
	f := newFixture(t)
	_, opToken, err := f.hub.AddKey(ctx, hub.Console(), "C", vigie.RoleOperator, "op", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	f.keys["op"] = opToken
	bom, err := os.ReadFile("testdata/cyclonedx/proton-bridge-v1.8.0.bom.json")
	if err != nil {
		t.Fatal(err)
	}
	if r := f.do("POST", "/api/v1/sboms?product=bridge%401.8.0", "A", bom, "Content-Type", "application/octet-stream"); r.status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	var sp api.Supplier
	r := f.do("POST", "/api/v1/suppliers", "A", mustJSON(t, api.Supplier{Name: "Go team", URL: "https://go.dev", PURLPrefixes: []string{"pkg:golang/golang.org/x/"}}), "Content-Type", "application/json")
	if r.status != http.StatusCreated {
		t.Fatalf("add supplier: %d %s", r.status, r.body)
	}
	r.decode(t, &sp)
	if r := f.do("POST", "/api/v1/suppliers/link", "A", mustJSON(t, api.SupplierLink{Product: "bridge@1.8.0", Supplier: "go team"}), "Content-Type", "application/json"); r.status != http.StatusOK {
		t.Fatalf("link: %d %s", r.status, r.body)
	}
	var prods struct{ Products []api.Product }
	f.do("GET", "/api/v1/products", "A", nil).decode(t, &prods)
	if len(prods.Products) != 1 {
		t.Fatalf("A's products: %+v", prods)
	}
	prod := prods.Products[0]

	var own api.ProductSuppliers
	r = f.do("GET", "/api/v1/product-suppliers?product=bridge%401.8.0", "A", nil)
	if r.status != http.StatusOK {
		t.Fatalf("A reads its product's suppliers: %d %s", r.status, r.body)
	}
	r.decode(t, &own)
	if own.Supplier == nil || own.Supplier.ID != sp.ID || len(own.Components) == 0 || own.Components[0].Name != "Go team" || own.Components[0].Source != "prefix" {
		t.Errorf("A's product suppliers: %+v", own)
	}

	cra, err := os.ReadFile("../catalog/catalogs/cra-annex-i.yaml")
	if err != nil {
		t.Fatal(err)
	}
	scorecard, err := os.ReadFile("../attest/testdata/scorecard/valid-payload.json")
	if err != nil {
		t.Fatal(err)
	}
	importBody := mustJSON(t, api.CatalogImport{Files: map[string]string{"cra-annex-i.yaml": string(cra)}})
	q := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	cases := []struct {
		name, method, path, who string
		body                    []byte
		status                  int
		absent                  string // must not be in the answer
	}{
		{"anonymous lists suppliers", "GET", "/api/v1/suppliers", "", nil, http.StatusUnauthorized, sp.ID},
		{"B lists suppliers", "GET", "/api/v1/suppliers", "B", nil, http.StatusOK, sp.ID},
		{"C lists suppliers", "GET", "/api/v1/suppliers", "C", nil, http.StatusOK, sp.ID},
		{"B reads A's product suppliers by id", "GET", "/api/v1/product-suppliers?" + q("product", prod.ID), "B", nil, http.StatusNotFound, "Go team"},
		{"B names A's private collection", "GET", "/api/v1/product-suppliers?" + q("product", prod.ID, "root", hub.PrivateRoot, "collection", prod.Collection), "B", nil, http.StatusNotFound, "Go team"},
		{"anonymous reads product suppliers", "GET", "/api/v1/product-suppliers?" + q("product", prod.ID), "", nil, http.StatusUnauthorized, "Go team"},
		{"B links A's product to A's supplier", "POST", "/api/v1/suppliers/link", "B", mustJSON(t, api.SupplierLink{Product: prod.ID, Supplier: sp.ID}), http.StatusNotFound, ""},
		{"anonymous adds a supplier", "POST", "/api/v1/suppliers", "", mustJSON(t, api.Supplier{Name: "x"}), http.StatusUnauthorized, ""},
		{"unknown field in a supplier", "POST", "/api/v1/suppliers", "B", []byte(`{"name":"x","org_id":"` + f.orgs["A"].ID + `"}`), http.StatusBadRequest, ""},
		{"publisher imports a catalog", "POST", "/api/v1/catalogs", "A", importBody, http.StatusForbidden, ""},
		{"anonymous imports a catalog", "POST", "/api/v1/catalogs", "", importBody, http.StatusUnauthorized, ""},
		{"operator imports a catalog", "POST", "/api/v1/catalogs", "op", importBody, http.StatusCreated, ""},
		{"operator imports a broken catalog", "POST", "/api/v1/catalogs", "op", []byte(`{"files":{"x.yaml":"controls: ["}}`), http.StatusBadRequest, ""},
		{"anonymous lists catalogs", "GET", "/api/v1/catalogs", "", nil, http.StatusUnauthorized, "cra-annex-i"},
		{"B lists catalogs", "GET", "/api/v1/catalogs", "B", nil, http.StatusOK, ""},
		{"B reads a catalog", "GET", "/api/v1/catalogs/cra-annex-i", "B", nil, http.StatusOK, ""},
		{"missing catalog", "GET", "/api/v1/catalogs/nope", "B", nil, http.StatusNotFound, ""},
		{"A attests its product", "POST", "/api/v1/attestations?" + q("product", "bridge@1.8.0", "repo", "github.com/ossf-tests/scorecard-action"), "A", scorecard, http.StatusCreated, ""},
		{"B attests A's product by id", "POST", "/api/v1/attestations?" + q("product", prod.ID, "repo", "github.com/ossf-tests/scorecard-action"), "B", scorecard, http.StatusNotFound, ""},
		{"anonymous attests", "POST", "/api/v1/attestations?" + q("product", prod.ID), "", scorecard, http.StatusUnauthorized, ""},
		{"A's posture report", "GET", "/api/v1/posture?" + q("product", "bridge@1.8.0", "catalog", "cra-annex-i"), "A", nil, http.StatusOK, ""},
		{"B's posture report on A's product", "GET", "/api/v1/posture?" + q("product", prod.ID, "catalog", "cra-annex-i"), "B", nil, http.StatusNotFound, "Go team"},
		{"anonymous posture report", "GET", "/api/v1/posture?" + q("product", prod.ID, "catalog", "cra-annex-i"), "", nil, http.StatusUnauthorized, ""},
		{"A attests another repository", "POST", "/api/v1/attestations?" + q("product", "bridge@1.8.0", "repo", "github.com/proton/bridge"), "A", scorecard, http.StatusBadRequest, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.do(c.method, c.path, c.who, c.body, "Content-Type", "application/json")
			if r.status != c.status {
				t.Errorf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if c.absent != "" && bytes.Contains(r.body, []byte(c.absent)) {
				t.Errorf("answer holds %q: %s", c.absent, r.body)
			}
			for who, k := range f.keys {
				if strings.Contains(string(r.body), k) {
					t.Errorf("answer holds %s's key", who)
				}
			}
		})
	}
	var cat struct {
		ID           string
		Requirements []struct{ ID, Reference string }
	}
	f.do("GET", "/api/v1/catalogs/cra-annex-i", "B", nil).decode(t, &cat)
	if cat.ID != "cra-annex-i" || len(cat.Requirements) != 25 {
		t.Errorf("catalog over HTTP: %s with %d requirements", cat.ID, len(cat.Requirements))
	}
}
