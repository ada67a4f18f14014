package advisory_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/advisory"
)

const redhat = mixed + "/redhat"

// affectedSet lists an advisory's affected entries as comparable strings.
func affectedSet(a advisory.Advisory) []string {
	var out []string
	for _, af := range a.Affected {
		out = append(out, fmt.Sprintf("%s|%s|%s|%v|%v", af.Ecosystem, af.Name, af.PURL, af.Ranges, af.Versions))
	}
	sort.Strings(out)
	return out
}

// TestCSAFAgreesWithRedHatOSV converts Red Hat CSAF documents and compares
// the affected packages with Red Hat's own OSV conversion of them.
func TestCSAFAgreesWithRedHatOSV(t *testing.T) {
	for _, n := range []string{"4546", "6220"} {
		t.Run(n, func(t *testing.T) {
			csaf := MustParse(t, filepath.Join(redhat, "CSAF", "rhsa-2024_"+n+".json"))
			osv := MustParse(t, filepath.Join(redhat, "OSV", "RHSA-2024_"+n+".json"))
			if csaf.ID != osv.ID || csaf.Source != "csaf" {
				t.Errorf("id %q from %s, want %q from csaf", csaf.ID, csaf.Source, osv.ID)
			}
			if diff := cmp.Diff(affectedSet(osv), affectedSet(csaf)); diff != "" {
				t.Errorf("affected (-Red Hat's OSV +vigie):\n%s", diff)
			}
			if diff := cmp.Diff(osv.Upstream, csaf.Upstream[:1]); diff != "" {
				t.Errorf("upstream (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCSAFDocuments(t *testing.T) {
	tests := []struct {
		file     string
		id       string
		upstream []string
		affected int
		severity string
	}{
		{"rhsa-2003_315.json", "RHSA-2003:315", []string{"CVE-2003-0858", "1617096"}, 4, "low"},
		{"rhsa-2015_0008.json", "RHSA-2015:0008", []string{"CVE-2014-7823", "1160817"}, 84, "low"},
		{"rhsa-2024_4420.json", "RHSA-2024:4420", []string{"CVE-2024-4467", "2278875"}, 316, "high"},
		{"rhsa-2024_4546.json", "RHSA-2024:4546", []string{"CVE-2023-45288", "2268273"}, 9, "high"},
		{"rhsa-2024_6220.json", "RHSA-2024:6220", []string{"CVE-2024-6345", "2297771"}, 228, "high"},
	}
	for _, tt := range tests {
		a := MustParse(t, filepath.Join(redhat, "CSAF", tt.file))
		_, sev := a.Rating()
		if a.ID != tt.id || len(a.Affected) != tt.affected || sev != tt.severity {
			t.Errorf("%s: %s, %d affected, %s; want %s, %d, %s", tt.file, a.ID, len(a.Affected), sev, tt.id, tt.affected, tt.severity)
		}
		if diff := cmp.Diff(tt.upstream, a.Upstream); diff != "" {
			t.Errorf("%s upstream (-want +got):\n%s", tt.file, diff)
		}
	}
}

// TestCSAFProductTree converts a small vendor advisory: products known by
// purl, by CPE only, by a version range, and in a relationship.
func TestCSAFProductTree(t *testing.T) {
	doc := `{
  "document": {"category": "csaf_security_advisory", "csaf_version": "2.0", "title": "ACME widget advisory",
    "publisher": {"category": "vendor", "name": "ACME PSIRT", "namespace": "https://acme.example"},
    "tracking": {"id": "ACME-SA-2024-007", "status": "final", "version": "2",
      "initial_release_date": "2024-03-01T10:00:00Z", "current_release_date": "2024-03-05T10:00:00Z"},
    "notes": [{"category": "summary", "text": "Path traversal in the widget's file server."}]},
  "product_tree": {
    "branches": [{"category": "vendor", "name": "ACME", "branches": [
      {"category": "product_name", "name": "widget", "branches": [
        {"category": "product_version", "name": "2.1.0", "product": {"product_id": "W-2.1.0", "name": "ACME widget 2.1.0",
          "product_identification_helper": {"purl": "pkg:npm/%40acme/widget@2.1.0"}}},
        {"category": "product_version", "name": "2.2.0", "product": {"product_id": "W-2.2.0", "name": "ACME widget 2.2.0",
          "product_identification_helper": {"purl": "pkg:npm/%40acme/widget@2.2.0"}}},
        {"category": "product_version_range", "name": "vers:npm/>=1.0.0|<2.0.0", "product": {"product_id": "W-1.x", "name": "ACME widget 1.x",
          "product_identification_helper": {"purl": "pkg:npm/%40acme/widget"}}}]},
      {"category": "product_name", "name": "gateway", "branches": [
        {"category": "product_version", "name": "4.2", "product": {"product_id": "GW-4.2", "name": "ACME gateway 4.2",
          "product_identification_helper": {"cpe": "cpe:2.3:o:acme:gateway_firmware:4.2:*:*:*:*:*:*:*"}}}]}]}],
    "full_product_names": [{"product_id": "NAMELESS", "name": "a product known by name only"}],
    "relationships": [{"category": "installed_on", "product_reference": "W-2.1.0", "relates_to_product_reference": "GW-4.2",
      "full_product_name": {"product_id": "GW-4.2:W-2.1.0", "name": "widget 2.1.0 on gateway 4.2"}}]},
  "vulnerabilities": [{"cve": "CVE-2024-0007", "ids": [{"system_name": "ACME", "text": "ACME-BUG-77"}],
    "product_status": {"known_affected": ["W-2.1.0", "W-1.x", "GW-4.2", "NAMELESS"], "fixed": ["W-2.2.0"],
      "known_not_affected": ["GW-4.2:W-2.1.0"]},
    "scores": [{"cvss_v3": {"version": "3.1", "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "baseScore": 7.5, "baseSeverity": "HIGH"}, "products": ["W-2.1.0"]}]}]
}`
	a, err := advisory.ParseCSAF([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []advisory.Affected{
		{Ecosystem: "npm", Name: "@acme/widget", PURL: "pkg:npm/%40acme/widget",
			Versions: []string{"2.1.0"},
			Ranges: []advisory.Range{
				{Type: "ECOSYSTEM", Events: []advisory.Event{{Introduced: "1.0.0"}, {Fixed: "2.0.0"}}},
				{Type: "ECOSYSTEM", Events: []advisory.Event{{Introduced: "0"}, {Fixed: "2.2.0"}}},
			}},
		{Ecosystem: "CPE", Name: "acme:gateway_firmware", CPEs: []string{"cpe:2.3:o:acme:gateway_firmware:4.2:*:*:*:*:*:*:*"},
			Versions: []string{"4.2"}},
	}
	if diff := cmp.Diff(want, a.Affected); diff != "" {
		t.Errorf("affected (-want +got):\n%s", diff)
	}
	if a.Summary != "ACME widget advisory" || a.Details != "Path traversal in the widget's file server." {
		t.Errorf("summary %q details %q", a.Summary, a.Details)
	}
	if diff := cmp.Diff([]string{"CVE-2024-0007", "ACME-BUG-77"}, a.Upstream); diff != "" {
		t.Errorf("upstream (-want +got):\n%s", diff)
	}
	if score, sev := a.Rating(); score != 7.5 || sev != "high" {
		t.Errorf("rating %v %s", score, sev)
	}
}

func TestParseCSAFMalformed(t *testing.T) {
	const doc = `"document": {"category": "csaf_vex", "csaf_version": "2.0", "title": "t",
		"tracking": {"id": "X-1", "current_release_date": "2024-01-01T00:00:00Z"}}`
	tests := []struct {
		name, json string
		want       error
		msg        string
	}{
		{"not JSON", `{"document": `, advisory.ErrMalformed, "csaf json"},
		{"no csaf_version", `{"document": {"title": "t"}}`, advisory.ErrMalformed, "not a CSAF document"},
		{"CSAF 2.1", `{"document": {"csaf_version": "2.1", "tracking": {"id": "X-1"}}}`, advisory.ErrUnsupported, "CSAF 2.1"},
		{"no tracking id", `{"document": {"csaf_version": "2.0", "tracking": {}}}`, advisory.ErrMalformed, "tracking id"},
		{"no release date", `{"document": {"csaf_version": "2.0", "tracking": {"id": "X-1"}}, "vulnerabilities": [{}]}`, advisory.ErrMalformed, "current_release_date"},
		{"bad release date", `{"document": {"csaf_version": "2.0", "tracking": {"id": "X-1", "current_release_date": "2024-01-01"}}}`, advisory.ErrMalformed, "current_release_date"},
		{"no vulnerabilities", `{` + doc + `}`, advisory.ErrMalformed, "no vulnerabilities"},
		{"no product status", `{` + doc + `, "vulnerabilities": [{"cve": "CVE-2024-1"}]}`, advisory.ErrMalformed, "no product status"},
		{"product tree of the wrong shape", `{` + doc + `, "product_tree": {"branches": {}}, "vulnerabilities": [{"cve": "CVE-2024-1"}]}`, advisory.ErrMalformed, "csaf json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := advisory.ParseCSAF([]byte(tt.json))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %q, want it to mention %q", err, tt.msg)
			}
		})
	}
}

// TestCSAFRelationshipCycle does not loop on relationships that refer to
// each other.
func TestCSAFRelationshipCycle(t *testing.T) {
	doc := `{"document": {"csaf_version": "2.0", "tracking": {"id": "X-1", "current_release_date": "2024-01-01T00:00:00Z"}},
	"product_tree": {"relationships": [
		{"category": "default_component_of", "product_reference": "B", "relates_to_product_reference": "C", "full_product_name": {"product_id": "A", "name": "a"}},
		{"category": "default_component_of", "product_reference": "A", "relates_to_product_reference": "C", "full_product_name": {"product_id": "B", "name": "b"}}]},
	"vulnerabilities": [{"cve": "CVE-2024-1", "product_status": {"known_affected": ["A", "B"]}}]}`
	a, err := advisory.ParseCSAF([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Affected) != 0 {
		t.Errorf("affected %+v, want none", a.Affected)
	}
}
