package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/catalog"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/posture"
)

// demoSBOM is a small CycloneDX SBOM of a product version.
func demoSBOM(name, version, supplier string, components ...string) []byte {
	cs := ""
	for i, purl := range components {
		if i > 0 {
			cs += ","
		}
		cs += `{"type":"library","name":"c` + fmt.Sprint(i) + `","purl":"` + purl + `"}`
	}
	return []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{"component":{"type":"application","name":"` + name +
		`","version":"` + version + `"},"supplier":{"name":"` + supplier + `"}},"components":[` + cs + `]}`)
}

// vegaAnswers are Vega Software's answers to the CRA's Annex I.
const vegaAnswers = `format: vigie-questionnaire/1
catalog: cra-annex-i
supplier: Vega Software
expires: 2027-12-31T00:00:00Z
answers:
  - {requirement: CRA-II-1, answer: yes, evidence: ["https://vega.example/sbom"]}
  - {requirement: CRA-II-3, answer: yes, rationale: "Yearly penetration test by a third party."}
  - {requirement: CRA-II-5, answer: yes, evidence: ["https://vega.example/security/cvd"]}
  - {requirement: CRA-II-6, answer: yes, evidence: ["https://vega.example/.well-known/security.txt"]}
  - {requirement: CRA-I-2(b), answer: yes}
  - {requirement: CRA-I-2(f), answer: yes, rationale: "Releases are signed."}
  - {requirement: CRA-I-2(m), answer: partial, rationale: "Factory reset; no export yet."}
`

// demoPostures seeds supplier trust: the CRA Annex I catalog; Vega
// Software (a member) answers it for its grid-scada@4.2 and shares the
// answers with Helios Energie; Helios runs grid-scada@4.2 and
// billing-portal@7.1 from Acme Cloud (not a member, nothing attested, no
// SBOM). It returns Helios's two posture reports.
func demoPostures(ctx context.Context, h *hub.Hub, c *demoCoalition) ([]*posture.Report, error) {
	files, err := catalog.BuiltinFiles()
	if err != nil {
		return nil, err
	}
	for n, b := range files {
		if _, err := h.ImportCatalog(ctx, hub.Console(), map[string][]byte{n: b}); err != nil {
			return nil, err
		}
	}
	helios, vega := c.orgs[1], c.orgs[4]
	col, err := h.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: demoRoot, Title: "Vega Software: attestations for customers",
		Read: []string{"org:" + helios.id, "org:" + vega.id}, Write: []string{"org:" + vega.id}})
	if err != nil {
		return nil, err
	}
	pv, err := h.Authenticate(ctx, vega.token, hub.ConsoleAddr)
	if err != nil {
		return nil, err
	}
	ph, err := h.Authenticate(ctx, helios.token, hub.ConsoleAddr)
	if err != nil {
		return nil, err
	}
	scada := demoSBOM("grid-scada", "4.2", "Vega Software", "pkg:golang/golang.org/x/net@v0.33.0", "pkg:golang/github.com/gorilla/websocket@v1.5.3")
	if _, err := demoProduct(ctx, h, pv, "grid-scada@4.2", scada); err != nil {
		return nil, err
	}
	if _, err := h.PublishQuestionnaire(ctx, pv, hub.AttestationSpec{Product: "grid-scada@4.2", Share: hub.Share{Root: demoRoot, Collection: col.ID, TLP: vigie.TLPAmber}}, []byte(vegaAnswers)); err != nil {
		return nil, err
	}
	if _, err := demoProduct(ctx, h, ph, "grid-scada@4.2", scada); err != nil {
		return nil, err
	}
	if _, err := h.Product(ctx, ph, "billing-portal@7.1", "Acme Cloud", true); err != nil {
		return nil, err
	}
	for _, s := range []hub.SupplierSpec{{Name: "Vega Software", URL: "https://vega.example", MemberOrg: vega.name}, {Name: "Acme Cloud", URL: "https://acme-cloud.example"}} {
		if _, err := h.AddSupplier(ctx, ph, s); err != nil {
			return nil, err
		}
	}
	var out []*posture.Report
	for product, supplier := range map[string]string{"grid-scada@4.2": "Vega Software", "billing-portal@7.1": "Acme Cloud"} {
		if _, _, err := h.LinkSupplier(ctx, ph, product, supplier); err != nil {
			return nil, err
		}
	}
	for _, product := range []string{"grid-scada@4.2", "billing-portal@7.1"} {
		r, err := h.PostureReport(ctx, ph, product, "cra-annex-i", hub.Share{})
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// demoProduct registers a product version of p's organisation and uploads
// its SBOM.
func demoProduct(ctx context.Context, h *hub.Hub, p vigie.Principal, nameAtVersion string, bom []byte) (*vigie.Product, error) {
	prod, err := h.Product(ctx, p, nameAtVersion, "", true)
	if err != nil {
		return nil, err
	}
	_, err = h.UploadSBOM(ctx, p, prod, bom, hub.Share{})
	return prod, err
}

// printPostures prints the supplier-trust part of the demo.
func printPostures(w io.Writer, url string, c *demoCoalition, rs []*posture.Report) {
	fmt.Fprintf(w, "\nSupplier trust (Helios Energie's suppliers against the CRA Annex I, %s)\n", time.Now().UTC().Format("2006-01-02"))
	for _, r := range rs {
		fmt.Fprintf(w, "  %-20s supplier %-14s %2d pass  %2d fail  %2d unknown  %d disagree\n", r.Product, r.Supplier, r.Summary.Pass, r.Summary.Fail, r.Summary.Unknown, r.Summary.Disagree)
		for _, q := range r.Requirements {
			if q.Disagree {
				fmt.Fprintf(w, "    %s %s: %s\n", q.ID, q.Status, q.Note)
			}
		}
	}
	fmt.Fprintf(w, "  vigie supplier report --hub %s --key %s --product grid-scada@4.2 --catalog cra-annex-i [--format html]\n", url, c.orgs[1].token)
}
