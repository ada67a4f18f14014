package server_test

import (
	"archive/zip"
	"bytes"
	"net/http"
	"os"
	"testing"

	"github.com/vigie-cti/vigie/api"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/server"
)

// TestSupplyAPI uploads an SBOM and imports a zip of advisories through
// /api/v1, and checks that the SBOM stays private to its organisation.
func TestSupplyAPI(t *testing.T) {
	f := newFixture(t)
	bom, err := os.ReadFile("testdata/cyclonedx/proton-bridge-v1.8.0.bom.json")
	if err != nil {
		t.Fatal(err)
	}
	r := f.do("POST", "/api/v1/sboms?product=bridge%401.8.0&supplier=Proton", "A", bom, "Content-Type", "application/octet-stream")
	if r.status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	var up hub.SBOMUpload
	r.decode(t, &up)
	if up.Product != "bridge@1.8.0" || up.Components < 100 || up.Format != "cyclonedx-json" {
		t.Errorf("upload: %+v", up)
	}
	// The SBOM object is in A's private collection: A reads it, B cannot
	// even see the collection.
	path := "/" + hub.PrivateRoot + "/collections/" + up.Collection + "/objects/" + up.SBOMID + "/"
	if r := f.do("GET", path, "A", nil); r.status != 200 {
		t.Errorf("A reads its SBOM: %d", r.status)
	}
	for _, who := range []string{"B", "C"} {
		if r := f.do("GET", path, who, nil); r.status != 404 {
			t.Errorf("%s reads A's SBOM: %d, want 404", who, r.status)
		}
	}
	var ps struct{ Products []api.Product }
	f.do("GET", "/api/v1/products", "A", nil).decode(t, &ps)
	if len(ps.Products) != 1 || ps.Products[0].SBOMID != up.SBOMID {
		t.Errorf("A's products: %+v", ps)
	}
	f.do("GET", "/api/v1/products", "B", nil).decode(t, &ps)
	if len(ps.Products) != 0 {
		t.Errorf("B sees A's products: %+v", ps)
	}
	for _, tc := range []struct {
		name, query string
		body        []byte
		status      int
	}{
		{"not an SBOM", "product=x%401", []byte(`{"hello":"world"}`), 400},
		{"no product", "", bom, 400},
		{"bad product", "product=noversion", bom, 400},
		{"empty body", "product=x%401", nil, 400},
		{"bad TLP", "product=x%401&tlp=PURPLE", bom, 400},
		{"collection without root", "product=x%401&collection=" + f.shared.ID, bom, 400},
		{"collection B may not write", "product=x%401&root=api1&collection=" + f.private.ID, bom, 404},
	} {
		if r := f.do("POST", "/api/v1/sboms?"+tc.query, "B", tc.body, "Content-Type", "application/octet-stream"); r.status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.body, tc.status)
		}
	}

	// Advisories as a zip.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, id := range []string{"GO-2020-0001", "GO-2022-0355", "GO-2021-0113"} {
		data, err := os.ReadFile("testdata/go-vulndb/" + id + ".json")
		if err != nil {
			t.Fatal(err)
		}
		w, _ := zw.Create(id + ".json")
		w.Write(data)
	}
	w, _ := zw.Create("broken.json")
	w.Write([]byte(`{"id": "GO-BROKEN", "affected": [`))
	zw.Close()
	r = f.do("POST", "/api/v1/advisories?root=api1&collection="+f.shared.ID, "A", buf.Bytes(), "Content-Type", "application/zip")
	if r.status != 200 {
		t.Fatalf("advisories: %d %s", r.status, r.body)
	}
	var imp server.AdvisoryImport
	r.decode(t, &imp)
	if imp.Read != 3 || imp.Stored != 3 || len(imp.Errors) != 1 {
		t.Errorf("import: %+v", imp)
	}
	// B reads them as STIX vulnerability objects over TAXII.
	var env struct{ Objects []map[string]any }
	f.do("GET", objectsPath(f.shared)+"?match[type]=vulnerability", "B", nil).decode(t, &env)
	if len(env.Objects) != 3 || env.Objects[0]["x_vigie_affected"] == nil {
		t.Errorf("B reads %d vulnerability objects", len(env.Objects))
	}
	if r := f.do("POST", "/api/v1/advisories?root=api1&collection="+f.public.ID, "B", buf.Bytes(), "Content-Type", "application/zip"); r.status != 403 {
		t.Errorf("importing into a collection B may only read: %d", r.status)
	}
}
