package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSupplyChainEndToEnd: Helios uploads the SBOM of its product with
// the command line, CERT-Nord imports Go advisories into the coalition
// collection, and Helios's findings and alerts name exactly the advisories
// that affect it; its VEX then suppresses one.
func TestSupplyChainEndToEnd(t *testing.T) {
	e := newEarlyWarning(t)
	m := mustServe(t, e.dir)
	helios := []string{"--hub", m.URL(), "--key", e.keyB}
	out := mustRun(t, append([]string{"sbom", "upload", "--product", "bridge@1.8.0", "--supplier", "Proton", "--wait", "0",
		protonBridge}, helios...)...)
	if !strings.Contains(out, "uploaded bridge@1.8.0: cyclonedx-json") {
		t.Fatalf("sbom upload: %s", out)
	}
	dir := t.TempDir()
	for _, id := range []string{"GO-2020-0001", "GO-2022-0355", "GO-2021-0113"} {
		b, err := os.ReadFile(goVulnDB + "/" + id + ".json")
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, id+".json"), b, 0o600)
	}
	out = mustRun(t, "advisory", "import", "--hub", m.URL(), "--key", e.keyA, "--root", "coalition", "--collection", e.collection, dir)
	if !strings.Contains(out, "3 advisories stored, 0 refused") {
		t.Fatalf("advisory import: %s", out)
	}
	var findings []struct {
		ID    string `json:"id"`
		State string `json:"state"`
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(findings) < 3 && time.Now().Before(deadline) {
		code, out, _ := run(t, append([]string{"sbom", "findings", "--product", "bridge@1.8.0", "--format", "json"}, helios...)...)
		var doc struct {
			Findings []struct {
				ID    string `json:"id"`
				State string `json:"state"`
			} `json:"findings"`
		}
		json.Unmarshal([]byte(out), &doc)
		findings = doc.Findings
		if len(findings) == 3 && code != 1 {
			t.Errorf("findings exit %d, want 1 (open findings)", code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	ids := map[string]bool{}
	for _, f := range findings {
		ids[f.ID] = true
	}
	for _, id := range []string{"GO-2020-0001", "GO-2022-0355", "GO-2021-0113"} {
		if !ids[id] {
			t.Errorf("finding %s missing: %+v", id, findings)
		}
	}
	alerts := mustRun(t, append([]string{"alerts", "--json", "--trigger", "supply-chain"}, helios...)...)
	if n := strings.Count(strings.TrimSpace(alerts), "\n") + 1; n != 3 {
		t.Errorf("%d supply-chain alerts, want 3:\n%s", n, alerts)
	}
	if a := mustRun(t, "alerts", "--json", "--trigger", "supply-chain", "--hub", m.URL(), "--key", e.keyA); strings.TrimSpace(a) != "" {
		t.Errorf("CERT-Nord has supply-chain alerts about Helios's product: %s", a)
	}
	sarif, _ := os.CreateTemp(t.TempDir(), "*.sarif")
	code, out, _ := run(t, append([]string{"sbom", "findings", "--product", "bridge@1.8.0", "--format", "sarif"}, helios...)...)
	sarif.WriteString(out)
	var s struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []any `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil || s.Version != "2.1.0" || len(s.Runs) != 1 || len(s.Runs[0].Results) != 3 || code != 1 {
		t.Errorf("SARIF: exit %d, %v, %+v", code, err, s)
	}

	vex := filepath.Join(t.TempDir(), "vex.json")
	os.WriteFile(vex, []byte(`{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://helios.example/vex/1","author":"Helios","timestamp":"2026-11-01T00:00:00Z","version":1,
		"statements":[{"vulnerability":{"name":"GO-2022-0355"},"products":[{"@id":"pkg:golang/github.com/valyala/fasthttp@v1.6.0"}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]}`), 0o600)
	if out := mustRun(t, append([]string{"sbom", "vex", "--product", "bridge@1.8.0", vex}, helios...)...); !strings.Contains(out, "1 VEX statements") {
		t.Errorf("sbom vex: %s", out)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		_, out, _ := run(t, append([]string{"sbom", "findings", "--product", "bridge@1.8.0", "--format", "json"}, helios...)...)
		if strings.Contains(out, `"suppressed"`) {
			return
		}
	}
	t.Error("the VEX statement did not suppress the fasthttp finding")
}
