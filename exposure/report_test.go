package exposure_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/exposure"
)

// MustReport checks the mixed-ecosystems SBOM and returns its report.
func MustReport(tb testing.TB) *exposure.Report {
	tb.Helper()
	ix := exposure.NewIndex()
	ix.AddAdvisories(MustLoad(tb, mixed, nil))
	ix.AddAdvisories(MustLoadOwn(tb))
	doc := MustReadSBOM(tb, "testdata/mixed-ecosystems.cdx.json")
	ix.AddSBOM(exposure.SBOMRef{ID: "appliance"}, doc)
	r, ok := ix.Report("appliance")
	if !ok {
		tb.Fatal("no report")
	}
	r.Source, r.Format, r.SpecVersion, r.ToolName, r.ToolVersion = "testdata/mixed-ecosystems.cdx.json", string(doc.Format), doc.SpecVersion, "vigie", "test"
	return r
}

func TestWriteTable(t *testing.T) {
	r := MustReport(t)
	var buf bytes.Buffer
	if err := exposure.WriteTable(&buf, r); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 10 {
		t.Fatalf("%d lines, want a header, 8 findings and a summary:\n%s", len(lines), buf.String())
	}
	want := [][]string{
		{"SEVERITY", "ID", "ALIASES", "PACKAGE", "VERSION", "FIXED", "IN", "DEPENDENCY", "STATE"},
		{"MALICIOUS", "MAL-2024-10238", "-", "123bla", "0.0.1", "-", "direct", "affected"},
		{"critical", "GHSA-9v2f-6vcg-3hgv", "CVE-2024-39236", "gradio", "4.36.1", "-", "-", "affected"},
		{"critical", "ACME-SA-2024-007", "-", "gateway", "firmware", "4.2", "4.3", "direct", "affected"},
		{"high", "RHSA-2024:4546", "-", "git-lfs", "2.13.3-3.el8_6", "0:2.13.3-3.el8_6.1", "-", "affected"},
		{"medium", "CVE-2018-5407", "-", "openssl", "1.0.2p-r0", "1.0.2q-r0", "-", "affected"},
		{"unknown", "GO-2020-0001", "CVE-2020-36567,", "GHSA-6vm3-jj99-7229", "github.com/gin-gonic/gin", "v1.5.0", "1.6.0", "direct", "affected"},
		{"unknown", "GO-2024-2963", "CVE-2024-24791", "stdlib", "go1.22.3", "1.22.5", "-", "affected"},
		{"unknown", "PYSEC-2023-74", "CVE-2023-32681,", "GHSA-j8r2-6x86-q33q", "requests", "2.30.0", "2.31.0", "direct", "affected"},
	}
	var got [][]string
	for _, l := range lines[:len(lines)-1] {
		got = append(got, strings.Fields(l))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	wantSummary := "8 findings (8 affected, 0 under investigation, 0 suppressed by VEX, 1 malicious packages) in 8 of 10 components; 0 components could not be matched (no version, purl or CPE)."
	if got := lines[len(lines)-1]; got != wantSummary {
		t.Errorf("summary:\n got %s\nwant %s", got, wantSummary)
	}
}

func TestWriteJSON(t *testing.T) {
	r := MustReport(t)
	var buf bytes.Buffer
	if err := exposure.WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var got struct {
		SBOM struct {
			Source      string `json:"source"`
			Format      string `json:"format"`
			Components  int    `json:"components"`
			Unmatchable int    `json:"unmatchable"`
		} `json:"sbom"`
		Summary struct {
			Findings  int `json:"findings"`
			Affected  int `json:"affected"`
			Malicious int `json:"malicious"`
		} `json:"summary"`
		Findings []exposure.Finding `json:"findings"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.SBOM.Source != r.Source || got.SBOM.Format != "cyclonedx-json" || got.SBOM.Components != 10 ||
		got.Summary.Findings != 8 || got.Summary.Affected != 8 || got.Summary.Malicious != 1 {
		t.Errorf("header %+v %+v", got.SBOM, got.Summary)
	}
	if diff := cmp.Diff(r.Findings, got.Findings); diff != "" {
		t.Errorf("findings do not round-trip (-want +got):\n%s", diff)
	}
	var empty bytes.Buffer
	exposure.WriteJSON(&empty, &exposure.Report{})
	if !strings.Contains(empty.String(), `"findings": []`) {
		t.Errorf("no findings written as %s", empty.String())
	}
}

// TestWriteSARIF checks the SARIF 2.1.0 structure code-scanning tools rely
// on.
func TestWriteSARIF(t *testing.T) {
	r := MustReport(t)
	// Suppress one finding and put one under investigation, to see both in
	// SARIF.
	r.Findings[5].State = exposure.Suppressed
	r.Findings[5].VEX = &exposure.Decision{Status: "not_affected", Justification: "code_not_reachable"}
	r.Findings[6].State = exposure.UnderInvestigation
	r.Findings[6].VEX = &exposure.Decision{Status: "under_investigation"}
	var buf bytes.Buffer
	if err := exposure.WriteSARIF(&buf, r); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID               string                `json:"id"`
						ShortDescription struct{ Text string } `json:"shortDescription"`
						HelpURI          string                `json:"helpUri"`
						Properties       map[string]any        `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string                `json:"ruleId"`
				RuleIndex int                   `json:"ruleIndex"`
				Level     string                `json:"level"`
				Message   struct{ Text string } `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
						Region           struct{ StartLine int } `json:"region"`
					} `json:"physicalLocation"`
					LogicalLocations []struct{ Name, Kind, FullyQualifiedName string } `json:"logicalLocations"`
				} `json:"locations"`
				PartialFingerprints map[string]string                              `json:"partialFingerprints"`
				Suppressions        []struct{ Kind, Status, Justification string } `json:"suppressions"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif-2.1.0") || len(log.Runs) != 1 {
		t.Fatalf("version %q schema %q runs %d", log.Version, log.Schema, len(log.Runs))
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name != "vigie" || len(run.Tool.Driver.Rules) != 8 || len(run.Results) != 8 {
		t.Fatalf("driver %q, %d rules, %d results", run.Tool.Driver.Name, len(run.Tool.Driver.Rules), len(run.Results))
	}
	var levels []string
	for i, res := range run.Results {
		rule := run.Tool.Driver.Rules[res.RuleIndex]
		if rule.ID != res.RuleID || res.RuleID != r.Findings[i].ID {
			t.Errorf("result %d: rule %s at index %d, finding %s", i, res.RuleID, res.RuleIndex, r.Findings[i].ID)
		}
		if len(res.Locations) != 1 || res.Locations[0].PhysicalLocation.ArtifactLocation.URI != r.Source ||
			res.Locations[0].PhysicalLocation.Region.StartLine != 1 || res.Locations[0].LogicalLocations[0].Kind != "package" {
			t.Errorf("result %d locations %+v", i, res.Locations)
		}
		if res.Message.Text == "" || len(res.PartialFingerprints["vigieFinding/v1"]) != 32 {
			t.Errorf("result %d: message %q fingerprints %v", i, res.Message.Text, res.PartialFingerprints)
		}
		levels = append(levels, res.Level)
	}
	if diff := cmp.Diff([]string{"error", "error", "error", "error", "warning", "warning", "warning", "warning"}, levels); diff != "" {
		t.Errorf("levels (-want +got):\n%s", diff)
	}
	if s := run.Results[5].Suppressions; len(s) != 1 || s[0].Status != "accepted" || s[0].Kind != "external" ||
		s[0].Justification != "not_affected: code_not_reachable" {
		t.Errorf("suppressed result: %+v", s)
	}
	if s := run.Results[6].Suppressions; len(s) != 1 || s[0].Status != "underReview" {
		t.Errorf("under investigation result: %+v", s)
	}
	mal := run.Tool.Driver.Rules[0]
	if mal.Properties["security-severity"] != "10.0" || mal.HelpURI != "https://osv.dev/vulnerability/MAL-2024-10238" {
		t.Errorf("malicious rule %+v", mal)
	}
	gradio := run.Tool.Driver.Rules[1]
	if gradio.Properties["security-severity"] != "9.8" {
		t.Errorf("gradio rule properties %v", gradio.Properties)
	}
	want := "requests@2.30.0 is affected by PYSEC-2023-74 (CVE-2023-32681, GHSA-j8r2-6x86-q33q). Fixed in 2.31.0."
	if got := run.Results[7].Message.Text; got != want {
		t.Errorf("message:\n got %s\nwant %s", got, want)
	}
}

func TestWriteJSONUnmatched(t *testing.T) {
	doc := MustReadSBOM(t, "testdata/unmatchable.cdx.json")
	ix := exposure.NewIndex()
	ix.AddSBOM(exposure.SBOMRef{ID: "backoffice"}, doc)
	r, _ := ix.Report("backoffice")
	r.Unmatched = exposure.UnmatchedOf(doc)
	var buf bytes.Buffer
	if err := exposure.WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var got struct {
		SBOM struct {
			Unmatchable int                  `json:"unmatchable"`
			Unmatched   []exposure.Unmatched `json:"unmatched"`
		} `json:"sbom"`
	}
	json.Unmarshal(buf.Bytes(), &got)
	want := []exposure.Unmatched{
		{Name: "express", Reason: "no version"},
		{Name: "internal-utils", Version: "0.4.1", Reason: "no purl or cpe"},
		{Name: "vendored-zlib", Version: "1.2.11", Reason: "no advisory ecosystem for this purl type"},
	}
	if diff := cmp.Diff(want, got.SBOM.Unmatched); diff != "" || got.SBOM.Unmatchable != 3 {
		t.Errorf("unmatchable %d, unmatched (-want +got):\n%s", got.SBOM.Unmatchable, diff)
	}
}
