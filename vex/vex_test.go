package vex_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/vex"
)

// cdxVEX holds the CycloneDX VEX examples.
const cdxVEX = "testdata/cyclonedx-vex"

// MustRead reads the VEX document at path or fails the test.
func MustRead(tb testing.TB, path string) *vex.Document {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	doc, err := vex.Read(f, vex.Options{})
	if err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	return doc
}

// summary writes a statement on one line: vulnerability, status,
// justification and products.
func summary(st vex.Statement) string {
	var ps []string
	for _, p := range st.Products {
		ps = append(ps, product(p))
	}
	s := st.Vulnerability + " " + string(st.Status)
	if st.Justification != "" {
		s += " (" + st.Justification + ")"
	}
	return s + " " + strings.Join(ps, " ")
}

func product(p vex.Product) string {
	id := p.Ref
	if id == "" {
		id = p.PURL
	}
	if id == "" {
		id = p.CPE
	}
	if id == "" {
		id = p.Name
	}
	var vs []string
	vs = append(vs, p.Versions...)
	for _, r := range p.Ranges {
		vs = append(vs, fmt.Sprint(r.Constraints))
	}
	if len(vs) > 0 {
		id += "@" + strings.Join(vs, ",")
	}
	for _, sc := range p.Subcomponents {
		id += "{" + product(sc) + "}"
	}
	return "[" + id + "]"
}

func summaries(d *vex.Document) []string {
	var out []string
	for _, st := range d.Statements {
		out = append(out, summary(st))
	}
	return out
}

// TestReadCycloneDXCISA reads the CycloneDX documents of the CISA VEX use
// cases.
func TestReadCycloneDXCISA(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"CISA-Use-Cases/Case-1/vex-fixed.json", []string{"CVE-2021-44228 fixed [product-DEF@1.1]"}},
		{"CISA-Use-Cases/Case-1/vex-not_affected.json", []string{"CVE-2021-44228 not_affected (code_not_present) [product-ABC@4.2]"}},
		{"CISA-Use-Cases/Case-1/vex-under_investigation.json", []string{"CVE-2021-44228 under_investigation [product-GHI@17.4]"}},
		{"CISA-Use-Cases/Case-6/vex.json", []string{
			"CVE-2021-44228 affected [product-ABC@2.4,2.6,[{>= 2.9} {<= 4.1}]]",
			"CVE-2021-44228 not_affected (code_not_present) [product-ABC@2.5,4.2,[{>= 1.0} {<= 2.3}],[{>= 2.7} {<= 2.8}]]",
		}},
		{"CISA-Use-Cases/Case-8/vex.json", []string{
			"CVE-2021-44228 affected [urn:cdx:cbb2cd68-2857-43b8-a10b-e8c03d277d18/1#product-ABC@2.4,2.6,[{>= 2.9} {<= 4.1}]] [urn:cdx:e4c3eedc-4978-470c-ad02-6ffff63738ff/1#product-JKL@[{>= 4.5} {<= 5.0}]]",
			"CVE-2021-44228 not_affected (code_not_present) [urn:cdx:cbb2cd68-2857-43b8-a10b-e8c03d277d18/1#product-ABC@2.5,4.2,[{>= 1.0} {<= 2.3}],[{>= 2.7} {<= 2.8}]]",
			"CVE-2021-44228 not_affected (code_not_present) [urn:cdx:e4c3eedc-4978-470c-ad02-6ffff63738ff/1#product-JKL@[{>= 1.0} {<= 4.4}]]",
			"CVE-2021-44228 fixed [urn:cdx:e4c3eedc-4978-470c-ad02-6ffff63738ff/1#product-JKL@5.1,5.2]",
			"CVE-2021-45105 affected [urn:cdx:cbb2cd68-2857-43b8-a10b-e8c03d277d18/1#product-ABC@2.4,2.6,[{>= 2.9} {<= 4.1}]] [urn:cdx:e4c3eedc-4978-470c-ad02-6ffff63738ff/1#product-JKL@5.1,[{>= 4.5} {<= 5.0}]]",
			"CVE-2021-45105 not_affected (code_not_present) [urn:cdx:cbb2cd68-2857-43b8-a10b-e8c03d277d18/1#product-ABC@2.5,4.2,[{>= 1.0} {<= 2.3}],[{>= 2.7} {<= 2.8}]] [urn:cdx:e4c3eedc-4978-470c-ad02-6ffff63738ff/1#product-JKL@5.2,[{>= 1.0} {<= 4.4}]]",
			"CVE-2021-45105 not_affected (code_not_present) [urn:cdx:e4c3eedc-4978-470c-ad02-6ffff63738ff/1#product-JKL@[{>= 1.0} {<= 4.4}]]",
			"CVE-2021-45105 fixed [urn:cdx:e4c3eedc-4978-470c-ad02-6ffff63738ff/1#product-JKL@5.2]",
		}},
		{"Use-Cases/Case-7/vex.json", []string{"CVE-2020-25649 not_affected (code_not_reachable) "}},
		{"vex.json", []string{
			"CVE-2020-25649 not_affected (code_not_reachable) [urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar]",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			doc := MustRead(t, filepath.Join(cdxVEX, tt.file))
			if doc.Format != vex.CycloneDX {
				t.Errorf("format %s", doc.Format)
			}
			if diff := cmp.Diff(tt.want, summaries(doc)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadAllCycloneDXVEX reads every CycloneDX VEX example.
func TestReadAllCycloneDXVEX(t *testing.T) {
	files, _ := filepath.Glob(cdxVEX + "/*/*/vex*.json")
	if len(files) != 24 {
		t.Fatalf("%d VEX files, want 24", len(files))
	}
	for _, f := range files {
		doc := MustRead(t, f)
		if len(doc.Statements) == 0 {
			t.Errorf("%s: no statements", f)
		}
	}
}

func TestReadOpenVEX(t *testing.T) {
	doc := MustRead(t, "testdata/openvex-acme-portal.json")
	want := []string{
		"GO-2022-0969 not_affected (vulnerable_code_not_in_execute_path) [pkg:golang/acme.example/portal@v3.0.0{[pkg:golang/golang.org/x/net@v0.0.0-20210405180319-a5a99cb37ef4]}]",
		"CVE-2023-44487 under_investigation [pkg:golang/acme.example/portal@v3.0.0]",
		"GO-2021-0113 fixed [pkg:golang/golang.org/x/text]",
		"GO-2020-0001 affected [pkg:golang/acme.example/portal@v3.0.0]",
	}
	if diff := cmp.Diff(want, summaries(doc)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if doc.Statements[0].ImpactStatement == "" || doc.Statements[3].ActionStatement != "Upgrade to portal 3.0.1." ||
		doc.Statements[2].ImpactStatement != "Backported the upstream fix in our fork." {
		t.Errorf("statements: %+v", doc.Statements)
	}
	if diff := cmp.Diff([]string{"CVE-2022-27664", "GHSA-69cg-p879-7622"}, doc.Statements[0].Aliases); diff != "" {
		t.Errorf("aliases (-want +got):\n%s", diff)
	}

	legacy := MustRead(t, "testdata/openvex-v0.0.1-legacy.json")
	if diff := cmp.Diff([]string{
		"CVE-2022-41716 not_affected (vulnerable_code_not_present) [pkg:oci/acme-portal@sha256%3A5dbc7d3e{[pkg:golang/stdlib@1.19.2]}]",
	}, summaries(legacy)); diff != "" {
		t.Errorf("v0.0.1 (-want +got):\n%s", diff)
	}
}

func TestReadCSAFVEX(t *testing.T) {
	doc := MustRead(t, "testdata/csaf-vex-acme-gateway.json")
	want := []string{
		"CVE-2023-0286 not_affected (vulnerable_code_cannot_be_controlled_by_adversary) [GW-5.1@5.1{[OPENSSL-1.1.1n]}]",
		"CVE-2023-0286 fixed [GW-5.2@5.2]",
		"CVE-2023-0215 under_investigation [GW-5.1@5.1]",
		"CVE-2023-0215 affected [GW-5.2@5.2]",
	}
	if diff := cmp.Diff(want, summaries(doc)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	st := doc.Statements[0]
	if st.ImpactStatement != "The gateway never checks CRLs, the only path to the flaw." ||
		doc.Statements[3].ActionStatement != "Upgrade to gateway 5.3." || st.Aliases[0] != "DSA-5343-1" {
		t.Errorf("statement details: %+v", doc.Statements)
	}
	if doc.Format != vex.CSAF || doc.ID != "ACME-VEX-2024-003" || doc.Author != "ACME PSIRT" {
		t.Errorf("document %s %s %s", doc.Format, doc.ID, doc.Author)
	}
}

func TestReadMalformed(t *testing.T) {
	tests := []struct {
		name, data string
		want       error
	}{
		{"empty", "", vex.ErrNotVEX},
		{"text", "not_affected", vex.ErrNotVEX},
		{"other JSON", `{"hello": "world"}`, vex.ErrNotVEX},
		{"an SBOM without vulnerabilities", `{"bomFormat": "CycloneDX", "specVersion": "1.4", "version": 1, "components": []}`, vex.ErrNotVEX},
		{"truncated CycloneDX", `{"bomFormat": "CycloneDX", "specVersion": "1.4", "vulnerabilities": [`, vex.ErrMalformed},
		{"CycloneDX XML with a DTD", `<!DOCTYPE bom [<!ENTITY x "y">]><bom xmlns="http://cyclonedx.org/schema/bom/1.4"/>`, vex.ErrMalformed},
		{"OpenVEX with a bad status", `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "CVE-1"}, "status": "maybe"}]}`, vex.ErrMalformed},
		{"OpenVEX without vulnerability", `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"status": "affected"}]}`, vex.ErrMalformed},
		{"OpenVEX of another context", `{"@context": "https://example.com/openvex-like", "statements": []}`, vex.ErrNotVEX},
		{"legacy OpenVEX with a bad status", `{"@context": "https://openvex.dev/ns", "statements": [{"vulnerability": "CVE-1", "status": "nope"}]}`, vex.ErrMalformed},
		{"CSAF 2.1", `{"document": {"csaf_version": "2.1", "tracking": {"id": "X"}}}`, vex.ErrNotVEX},
		{"CSAF without tracking id", `{"document": {"csaf_version": "2.0"}}`, vex.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := vex.Read(strings.NewReader(tt.data), vex.Options{})
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	_, err := vex.Read(strings.NewReader(`{"bomFormat": "CycloneDX", "vulnerabilities": []}`), vex.Options{MaxBytes: 10})
	if !errors.Is(err, vex.ErrTooLarge) {
		t.Errorf("over the size limit: %v", err)
	}
}
