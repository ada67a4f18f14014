package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSupplierCommands: Helios records its suppliers, links its product
// and sees who supplies its components; CERT-Nord sees none of it. The
// operator imports the CRA catalog and the OSPS Baseline; members list
// and read them.
func TestSupplierCommands(t *testing.T) {
	e := newEarlyWarning(t)
	m := mustServe(t, e.dir)
	op := lastLine(mustRun(t, "admin", "--data", e.dir, "key", "add", "--org", "CERT-Nord", "--role", "operator"))
	helios := []string{"--hub", m.URL(), "--key", e.keyB}
	nord := []string{"--hub", m.URL(), "--key", e.keyA}
	mustRun(t, append([]string{"sbom", "upload", "--product", "bridge@1.8.0", "--wait", "0", protonBridge}, helios...)...)
	out := mustRun(t, append([]string{"supplier", "add", "--name", "Go team", "--url", "https://go.dev", "--purl", "pkg:golang/golang.org/x/"}, helios...)...)
	if !strings.Contains(out, "recorded supplier Go team") {
		t.Errorf("supplier add: %s", out)
	}
	mustRun(t, append([]string{"supplier", "add", "--name", "Proton AG", "--url", "https://proton.me"}, helios...)...)
	mustRun(t, append([]string{"supplier", "link", "--product", "bridge@1.8.0", "--supplier", "proton ag"}, helios...)...)
	out = mustRun(t, append([]string{"supplier", "show", "--product", "bridge@1.8.0"}, helios...)...)
	if !strings.Contains(out, "bridge@1.8.0 is supplied by Proton AG (from link)") || !strings.Contains(out, "Go team") || !strings.Contains(out, "COMPONENT SUPPLIER") {
		t.Errorf("supplier show:\n%s", out)
	}
	var ps struct {
		Components []struct {
			Name, Source string
			Components   int
		}
	}
	if err := json.Unmarshal([]byte(mustRun(t, append([]string{"supplier", "show", "--product", "bridge@1.8.0", "--json"}, helios...)...)), &ps); err != nil {
		t.Fatal(err)
	}
	if len(ps.Components) == 0 || ps.Components[0].Name != "Go team" || ps.Components[0].Source != "prefix" || ps.Components[0].Components < 2 {
		t.Errorf("supplier show --json: %+v", ps)
	}
	if out := mustRun(t, append([]string{"supplier", "list", "--json"}, nord...)...); strings.TrimSpace(out) != "[]" && strings.TrimSpace(out) != "null" {
		t.Errorf("CERT-Nord lists Helios's suppliers: %s", out)
	}
	if code, _, errs := run(t, append([]string{"supplier", "show", "--product", "bridge@1.8.0"}, nord...)...); code == 0 || !strings.Contains(errs, "no product") {
		t.Errorf("CERT-Nord shows Helios's product: exit %d, %s", code, errs)
	}

	if code, _, errs := run(t, append([]string{"catalog", "import", "--builtin"}, helios...)...); code == 0 || !strings.Contains(errs, "operator") {
		t.Errorf("a publisher imports a catalog: exit %d, %s", code, errs)
	}
	opFlags := []string{"--hub", m.URL(), "--key", op}
	out = mustRun(t, append([]string{"catalog", "import", "--builtin"}, opFlags...)...)
	if !strings.Contains(out, "imported catalog cra-annex-i") {
		t.Errorf("catalog import --builtin: %s", out)
	}
	out = mustRun(t, append([]string{"catalog", "import", "../../catalog/testdata/osps-main"}, opFlags...)...)
	if !strings.Contains(out, "imported catalog osps-baseline") || !strings.Contains(out, "106 requirements") {
		t.Errorf("catalog import osps: %s", out)
	}
	out = mustRun(t, append([]string{"catalog", "list"}, nord...)...)
	if !strings.Contains(out, "cra-annex-i") || !strings.Contains(out, "osps-baseline") {
		t.Errorf("catalog list:\n%s", out)
	}
	out = mustRun(t, append([]string{"catalog", "show", "osps-baseline"}, nord...)...)
	if !strings.Contains(out, "OSPS-VM-04.02") || !strings.Contains(out, "CRA:2.1") {
		t.Errorf("catalog show:\n%s", out)
	}
	code, _, errs := run(t, append([]string{"catalog", "import", "../../catalog/testdata/osps-v2026.02.19"}, opFlags...)...)
	if code == 0 || !strings.Contains(errs, "metadata.yaml") {
		t.Errorf("broken metadata.yaml imported: exit %d, %s", code, errs)
	}
	for _, k := range []string{op, e.keyA, e.keyB} {
		if strings.Contains(errs, k) {
			t.Error("an error prints a key")
		}
	}
}

// TestSupplierAttestCommands: verify offline with and without the VSA's
// key, then publish a Scorecard result about Helios's own product, and
// fail to publish one about another repository or another's product.
func TestSupplierAttestCommands(t *testing.T) {
	const (
		vsa = "../../attest/testdata/slsa/gke-gce-pre.bcid-vsa.jsonl"
		key = "../../attest/testdata/slsa/vsa_signing_public_key.pem"
		sc  = "../../attest/testdata/scorecard/valid-payload.json"
	)
	out := mustRun(t, "supplier", "verify", vsa)
	if !strings.Contains(out, "slsa-vsa: SLSA verification summary (PASSED)") || !strings.Contains(out, "signatures: unverified") {
		t.Errorf("verify without a key:\n%s", out)
	}
	out = mustRun(t, "supplier", "verify", "--trust", key, vsa)
	if !strings.Contains(out, "signatures: verified (key ") {
		t.Errorf("verify with the key:\n%s", out)
	}
	if code, out, _ := run(t, "supplier", "verify", "--trust", otherKeyFile(t), vsa); code != 1 || !strings.Contains(out, "signatures: invalid") {
		t.Errorf("verify with another key: exit %d\n%s", code, out)
	}

	e := newEarlyWarning(t)
	m := mustServe(t, e.dir)
	helios := []string{"--hub", m.URL(), "--key", e.keyB}
	nord := []string{"--hub", m.URL(), "--key", e.keyA}
	mustRun(t, append([]string{"sbom", "upload", "--product", "bridge@1.8.0", "--wait", "0", protonBridge}, helios...)...)
	out = mustRun(t, append([]string{"supplier", "attest", "--product", "bridge@1.8.0", "--repo", "https://github.com/ossf-tests/scorecard-action", sc}, helios...)...)
	if !strings.Contains(out, "published scorecard for bridge@1.8.0: OpenSSF Scorecard 5.8") {
		t.Errorf("attest:\n%s", out)
	}
	if code, _, errs := run(t, append([]string{"supplier", "attest", "--product", "bridge@1.8.0", "--repo", "https://github.com/proton/bridge", sc}, helios...)...); code == 0 || !strings.Contains(errs, "not the product's repository") {
		t.Errorf("Scorecard of another repository: exit %d %s", code, errs)
	}
	if code, _, errs := run(t, append([]string{"supplier", "attest", "--product", "bridge@1.8.0", "--repo", "https://github.com/ossf-tests/scorecard-action", sc}, nord...)...); code == 0 || !strings.Contains(errs, "no product") {
		t.Errorf("CERT-Nord attests Helios's product: exit %d %s", code, errs)
	}

	op := lastLine(mustRun(t, "admin", "--data", e.dir, "key", "add", "--org", "CERT-Nord", "--role", "operator"))
	mustRun(t, "catalog", "import", "--hub", m.URL(), "--key", op, "../../catalog/testdata/osps-main")
	answers := filepath.Join(t.TempDir(), "answers.yaml")
	os.WriteFile(answers, []byte("format: vigie-questionnaire/1\ncatalog: osps-baseline\nsupplier: Helios\nexpires: 2099-01-01T00:00:00Z\nanswers:\n  - {requirement: OSPS-GV-01.01, answer: yes, evidence: ['https://helios.example/governance']}\n"), 0o600)
	out = mustRun(t, append([]string{"supplier", "answer", "--product", "bridge@1.8.0", answers}, helios...)...)
	if !strings.Contains(out, "published cyclonedx-attestation for bridge@1.8.0") {
		t.Errorf("answer: %s", out)
	}
	code, out, _ := run(t, append([]string{"supplier", "report", "--product", "bridge@1.8.0", "--catalog", "osps-baseline"}, helios...)...)
	if code != 1 || !strings.Contains(out, "bridge@1.8.0 against osps-baseline:") || !strings.Contains(out, "Scorecard Security-Policy: 0/10") || !hasRow(out, "OSPS-GV-01.01", "PASS", "claimed", "pass") {
		t.Errorf("report table: exit %d\n%s", code, out)
	}
	_, out, _ = run(t, append([]string{"supplier", "report", "--product", "bridge@1.8.0", "--catalog", "osps-baseline", "--format", "json"}, helios...)...)
	var rep struct {
		Summary      struct{ Pass, Fail, Unknown int }
		Attestations []struct{ Kind string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report json: %v\n%s", err, out)
	}
	if rep.Summary.Fail == 0 || rep.Summary.Pass == 0 || len(rep.Attestations) != 2 {
		t.Errorf("report json: %+v", rep)
	}
	_, out, _ = run(t, append([]string{"supplier", "report", "--product", "bridge@1.8.0", "--catalog", "osps-baseline", "--format", "html"}, helios...)...)
	if !strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.Contains(out, "OSPS-VM-01.01") {
		t.Errorf("report html: %.300s", out)
	}
	mustRun(t, append([]string{"supplier", "add", "--name", "Proton AG", "--trust", "../../attest/testdata/slsa/vsa_signing_public_key.pem"}, helios...)...)
	mustRun(t, append([]string{"supplier", "link", "--product", "bridge@1.8.0", "--supplier", "Proton AG"}, helios...)...)
	code, out, _ = run(t, append([]string{"supplier", "report", "--supplier", "Proton AG", "--catalog", "osps-baseline"}, helios...)...)
	if code != 1 || !strings.Contains(out, "Proton AG against osps-baseline over 1 products:") || !strings.Contains(out, "bridge@1.8.0") {
		t.Errorf("supplier roll-up: exit %d\n%s", code, out)
	}
	if code, _, errs := run(t, append([]string{"supplier", "report", "--supplier", "Proton AG", "--catalog", "osps-baseline"}, nord...)...); code != 2 || !strings.Contains(errs, "no supplier") {
		t.Errorf("CERT-Nord rolls up Helios's supplier: exit %d %s", code, errs)
	}
	if code, _, errs := run(t, append([]string{"supplier", "report", "--product", "bridge@1.8.0", "--catalog", "osps-baseline"}, nord...)...); code != 2 || !strings.Contains(errs, "no product") {
		t.Errorf("CERT-Nord reports on Helios's product: exit %d %s", code, errs)
	}
}

// otherKeyFile writes a fresh P-256 public key that signed nothing.
func otherKeyFile(t *testing.T) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "other.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// hasRow reports whether a table line holds exactly these fields.
func hasRow(table string, fields ...string) bool {
	for _, l := range strings.Split(table, "\n") {
		if strings.Join(strings.Fields(l), " ") == strings.Join(fields, " ") {
			return true
		}
	}
	return false
}
