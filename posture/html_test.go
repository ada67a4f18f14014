package posture_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/posture"
)

// TestWriteHTML: one page, nothing fetched, and what a supplier wrote is
// escaped.
func TestWriteHTML(t *testing.T) {
	r := posture.Evaluate(cra(t), `gateway<script>alert(1)</script>@2.0`, `Acme "Evil" <img src=x>`, posture.Evidence{Now: now, SBOM: true, Components: 3,
		Attestations: []posture.Attestation{{ID: "x-vigie-attestation--1", Doc: cdxa(t, `{"requirement":"CRA-II-5","claims":["c1"],"conformance":{"score":0.25}}`)}},
		Findings:     []posture.Finding{{ID: "CVE-2026-7<b>", Open: true, Published: now.AddDate(0, 0, -40)}}})
	var b bytes.Buffer
	if err := posture.WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, bad := range []string{"<script>", "<img", "src=\"http", "href=\"http", "<link"} {
		if strings.Contains(html, bad) {
			t.Errorf("page holds %q", bad)
		}
	}
	for _, want := range []string{"CRA-II-5", "conformance 25%", "Content-Security-Policy", "&lt;script&gt;",
		"not answered with VEX in time", "CVE-2026-7&lt;b&gt;: published 2026-10-26, 40 days ago"} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	var j bytes.Buffer
	if err := posture.WriteJSON(&j, r); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(j.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"product", "catalog", "summary", "requirements", "attestations", "unmatched_claims", "ignored", "generated", "vex_overdue"} {
		if _, ok := back[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
}
