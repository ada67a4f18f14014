package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/api"
	"github.com/vigie-cti/vigie/triage/triagetest"
	"github.com/vigie-cti/vigie/zipcrypto"
)

// TestSampleCommands: CERT-Nord and Helios submit two variants of a
// sample; Helios, second, sees CERT-Nord's as similar; CERT-Nord is
// alerted; downloads are zipped with "infected".
func TestSampleCommands(t *testing.T) {
	e := newEarlyWarning(t)
	m := mustServe(t, e.dir)
	dir := t.TempDir()
	v1, v2 := filepath.Join(dir, "lantern-v1.exe"), filepath.Join(dir, "lantern-v2.exe")
	os.WriteFile(v1, triagetest.Sample(1), 0o600)
	os.WriteFile(v2, triagetest.Sample(2), 0o600)
	nord := []string{"--hub", m.URL(), "--key", e.keyA}
	helios := []string{"--hub", m.URL(), "--key", e.keyB}
	where := []string{"--root", "coalition", "--collection", e.collection, "--tlp", "amber"}

	out := mustRun(t, append(append([]string{"sample", "submit", v1}, where...), nord...)...)
	if !strings.Contains(out, "imphash") || !strings.Contains(out, "no similar sample") || !strings.Contains(out, "mutex") {
		t.Errorf("first submission:\n%s", out)
	}
	var s api.Sample
	if err := json.Unmarshal([]byte(mustRun(t, append(append([]string{"sample", "submit", "--json", v2}, where...), helios...)...)), &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Similar) != 1 || s.Similar[0].TLSHDistance > 30 || s.Similar[0].Yours {
		t.Fatalf("Helios's submission should list CERT-Nord's variant: %+v", s.Similar)
	}
	out = mustRun(t, append([]string{"sample", "similar", v2}, helios...)...)
	if !strings.Contains(out, s.Similar[0].SHA256) || !strings.Contains(out, "same") {
		t.Errorf("sample similar FILE:\n%s", out)
	}
	out = mustRun(t, append([]string{"alerts"}, nord...)...)
	if !strings.Contains(out, "similar-sample") && !strings.Contains(out, "a sample similar to one you shared") {
		t.Errorf("CERT-Nord's alerts:\n%s", out)
	}
	if strings.Contains(out, "Helios") {
		t.Errorf("the alert names the submitter:\n%s", out)
	}
	zipPath := filepath.Join(dir, "dl.zip")
	mustRun(t, append([]string{"sample", "download", s.Similar[0].SHA256, "-o", zipPath}, helios...)...)
	z, _ := os.ReadFile(zipPath)
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := zipcrypto.Open(zr.File[0], "infected", 1<<30); err != nil || !bytes.Equal(got, triagetest.Sample(1)) {
		t.Errorf("downloaded zip: %v", err)
	}
	if st, _ := os.Stat(zipPath); st.Mode().Perm()&0o111 != 0 {
		t.Errorf("download written executable: %v", st.Mode())
	}
	if code, _, errs := run(t, append([]string{"sample", "download", "--raw", s.SHA256}, helios...)...); code == 0 || !strings.Contains(errs, "operator") {
		t.Errorf("raw download by a publisher: exit %d %s", code, errs)
	}
	if code, _, errs := run(t, append([]string{"sample", "submit", v1, "--tlp", "amber"}, nord...)...); code != 2 || !strings.Contains(errs, "--collection") {
		t.Errorf("submit without a collection: exit %d %s", code, errs)
	}
	out = mustRun(t, "sample", "triage", v1)
	if !strings.Contains(out, "6c86498118912ad58706110ac51307b4") || !strings.Contains(out, ".text") {
		t.Errorf("local triage:\n%s", out)
	}
}
