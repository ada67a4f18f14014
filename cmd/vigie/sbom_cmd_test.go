package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	protonBridge = "testdata/cyclonedx/proton-bridge-v1.8.0.bom.json" // a real CycloneDX SBOM of a Go program
	goVulnDB     = "testdata/go-vulndb"                               // the Go records naming its modules
	cdxVEX       = "testdata/cyclonedx-vex"                           // a CycloneDX VEX example
)

func TestSBOMCheckTable(t *testing.T) {
	code, out, errs := run(t, "sbom", "check", protonBridge, "--advisories", goVulnDB)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (findings)\nstderr: %s", code, errs)
	}
	want := "58 findings (58 affected, 0 under investigation, 0 suppressed by VEX) in 14 of 201 components; 0 components could not be matched (no version, purl or CPE)."
	if got := lastLine(out); got != want {
		t.Errorf("summary:\n got %s\nwant %s", got, want)
	}
	if !strings.Contains(out, "GO-2021-0113") || !strings.HasPrefix(out, "SEVERITY") {
		t.Errorf("table:\n%s", out)
	}
}

func TestSBOMCheckJSON(t *testing.T) {
	// Flags after the SBOM, before it, or around it read the same.
	code, out, errs := run(t, "sbom", "check", "--format", "json", protonBridge, "--advisories", goVulnDB)
	if code != 1 {
		t.Fatalf("exit %d\nstderr: %s", code, errs)
	}
	var report struct {
		SBOM struct {
			Format      string `json:"format"`
			SpecVersion string `json:"spec_version"`
			Name        string `json:"name"`
			Components  int    `json:"components"`
		} `json:"sbom"`
		Summary struct {
			Findings int `json:"findings"`
			Affected int `json:"affected"`
		} `json:"summary"`
		Findings []struct {
			ID        string `json:"id"`
			Component struct {
				Name    string `json:"name"`
				Version string `json:"version"`
			} `json:"component"`
			FixedVersion string `json:"fixed_version"`
			State        string `json:"state"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if report.SBOM.Format != "cyclonedx-json" || report.SBOM.SpecVersion != "1.2" || report.SBOM.Components != 201 ||
		report.SBOM.Name != "github.com/ProtonMail/proton-bridge" {
		t.Errorf("sbom %+v", report.SBOM)
	}
	if report.Summary.Findings != 58 || len(report.Findings) != 58 {
		t.Fatalf("summary %+v, %d findings", report.Summary, len(report.Findings))
	}
	found := false
	for _, f := range report.Findings {
		if f.ID == "GO-2021-0113" {
			found = f.Component.Name == "golang.org/x/text" && f.FixedVersion == "0.3.7" && f.State == "affected"
		}
	}
	if !found {
		t.Error("no GO-2021-0113 finding for golang.org/x/text fixed in 0.3.7")
	}
}

// TestSBOMCheckSARIF validates the structure code-scanning tools need.
func TestSBOMCheckSARIF(t *testing.T) {
	code, out, errs := run(t, "sbom", "check", protonBridge, "--advisories", goVulnDB, "--format", "sarif")
	if code != 1 {
		t.Fatalf("exit %d\nstderr: %s", code, errs)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID               string `json:"id"`
						ShortDescription struct {
							Text string `json:"text"`
						} `json:"shortDescription"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("version %q, %d runs", log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name != "vigie" || len(run.Tool.Driver.Rules) != 58 || len(run.Results) != 58 {
		t.Fatalf("driver %q with %d rules, %d results", run.Tool.Driver.Name, len(run.Tool.Driver.Rules), len(run.Results))
	}
	for _, r := range run.Results {
		rule := run.Tool.Driver.Rules[r.RuleIndex]
		if r.RuleID == "" || rule.ID != r.RuleID || rule.ShortDescription.Text == "" {
			t.Errorf("result %s: rule %+v", r.RuleID, rule)
		}
		if r.Level != "error" && r.Level != "warning" && r.Level != "note" {
			t.Errorf("result %s: level %q", r.RuleID, r.Level)
		}
		if len(r.Locations) != 1 || r.Locations[0].PhysicalLocation.ArtifactLocation.URI != protonBridge || r.Message.Text == "" {
			t.Errorf("result %s: locations %+v, message %q", r.RuleID, r.Locations, r.Message.Text)
		}
	}
}

// TestSBOMCheckVEX suppresses the only finding with the CycloneDX VEX: exit 0,
// the finding still listed with its justification.
func TestSBOMCheckVEX(t *testing.T) {
	bom := cdxVEX + "/bom.json"
	code, out, errs := run(t, "sbom", "check", bom, "--advisories", "testdata/sbom/GHSA-288c-cq4h-88gq.json")
	if code != 1 || !strings.Contains(out, "GHSA-288c-cq4h-88gq") {
		t.Fatalf("without VEX: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = run(t, "sbom", "check", bom, "--advisories", "testdata/sbom/GHSA-288c-cq4h-88gq.json",
		"--vex", cdxVEX+"/vex.json")
	if code != 0 {
		t.Fatalf("with VEX: exit %d, want 0\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "not_affected (code_not_reachable)") || !strings.Contains(lastLine(out), "1 findings (0 affected, 0 under investigation, 1 suppressed by VEX)") {
		t.Errorf("with VEX:\n%s", out)
	}
	// Under investigation stays open: exit 1.
	code, out, errs = run(t, "sbom", "check", "testdata/sbom/product-abc.cdx.json",
		"--advisories", "testdata/sbom/GHSA-jfh8-c2jp-5v3q.json", "--vex", "testdata/sbom/abc-under-investigation.openvex.json")
	if code != 1 || !strings.Contains(out, "under_investigation") {
		t.Errorf("under investigation: exit %d\n%s%s", code, out, errs)
	}
}

// TestSBOMCheckNoFindings exits 0 when nothing matches.
func TestSBOMCheckNoFindings(t *testing.T) {
	code, out, errs := run(t, "sbom", "check", "testdata/cyclonedx/laravel-7.12.0.bom.1.4.xml", "--advisories", goVulnDB)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	want := "0 findings (0 affected, 0 under investigation, 0 suppressed by VEX) in 0 of 62 components; 0 components could not be matched (no version, purl or CPE)."
	if got := lastLine(out); got != want {
		t.Errorf("got %s", got)
	}
}

func TestSBOMCheckStdin(t *testing.T) {
	data, err := os.ReadFile("testdata/sbom/product-abc.cdx.json")
	if err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	code := Run(context.Background(), []string{"sbom", "check", "-", "--advisories", "testdata/sbom/GHSA-jfh8-c2jp-5v3q.json"},
		Stdio{In: bytes.NewReader(data), Out: &out, Err: &errs})
	if code != 1 || !strings.Contains(out.String(), "GHSA-jfh8-c2jp-5v3q") {
		t.Errorf("exit %d\n%s%s", code, out.String(), errs.String())
	}
}

// TestSBOMCheckErrors exits 2 with a message on the errors a user makes.
func TestSBOMCheckErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"no advisories", []string{"sbom", "check", protonBridge}, "--advisories is required"},
		{"no SBOM", []string{"sbom", "check", "--advisories", goVulnDB}, "want exactly one SBOM"},
		{"two SBOMs", []string{"sbom", "check", protonBridge, protonBridge, "--advisories", goVulnDB}, "want exactly one SBOM"},
		{"missing SBOM file", []string{"sbom", "check", "testdata/sbom/none.json", "--advisories", goVulnDB}, "no such file"},
		{"not an SBOM", []string{"sbom", "check", "testdata/sbom/GHSA-288c-cq4h-88gq.json", "--advisories", goVulnDB}, "not an SBOM"},
		{"bad format", []string{"sbom", "check", protonBridge, "--advisories", goVulnDB, "--format", "xml"}, `--format "xml"`},
		{"missing advisories", []string{"sbom", "check", protonBridge, "--advisories", "testdata/sbom/none"}, "no such file"},
		{"no advisory in the path", []string{"sbom", "check", protonBridge, "--advisories", t.TempDir()}, "no advisory found"},
		{"only documents that are not advisories", []string{"sbom", "check", protonBridge, "--advisories", "testdata/sbom/product-abc.cdx.json"}, "no advisory could be read"},
		{"bad VEX", []string{"sbom", "check", protonBridge, "--advisories", goVulnDB, "--vex", protonBridge}, "not a VEX document"},
		{"upload without a hub", []string{"sbom", "upload", "--product", "bridge@1.8.0", protonBridge, "--hub", ""}, "--hub and --key are required"},
		{"unknown subcommand", []string{"sbom", "scan"}, `unknown command "scan"`},
		{"unknown flag", []string{"sbom", "check", "--severity", "high"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := run(t, tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2\nstdout: %s", code, out)
			}
			if !strings.Contains(errs, tt.msg) {
				t.Errorf("stderr %q, want it to mention %q", errs, tt.msg)
			}
		})
	}
}

// TestSBOMCheckZipIndex checks against a zip of the Go advisories twice:
// the first run indexes the zip in the cache directory, the second reads
// only the entries it needs, with the same result.
func TestSBOMCheckZipIndex(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // keep the default index out of the user's cache
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "all.zip")
	f, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	files, _ := filepath.Glob(goVulnDB + "/*.json")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := zw.Create(filepath.Base(p))
		w.Write(data)
	}
	zw.Close()
	f.Close()
	cache := filepath.Join(dir, "cache")
	var outs []string
	for range 2 {
		code, out, errs := run(t, "sbom", "check", protonBridge, "--advisories", zipPath, "--cache-dir", cache, "--format", "json")
		if code != 1 {
			t.Fatalf("exit %d\n%s", code, errs)
		}
		outs = append(outs, out)
	}
	if outs[0] != outs[1] {
		t.Error("the indexed run differs from the first")
	}
	if idx, _ := filepath.Glob(filepath.Join(cache, "*.idx")); len(idx) != 1 {
		t.Errorf("index files %v, want one", idx)
	}
	if !strings.Contains(outs[1], `"findings": 58`) {
		t.Errorf("summary of the indexed run:\n%.300s", outs[1])
	}
}

func TestSBOMHelp(t *testing.T) {
	out := mustRun(t, "sbom", "--help")
	if !strings.Contains(out, "check") || !strings.Contains(out, "upload") {
		t.Errorf("sbom --help:\n%s", out)
	}
	code, _, errs := run(t, "sbom", "check", "--help")
	if code != 0 || !strings.Contains(errs, "Examples:") || !strings.Contains(errs, "--advisories") {
		t.Errorf("sbom check --help: exit %d\n%s", code, errs)
	}
}
