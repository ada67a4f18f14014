package hub_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/store/sqlite"
)

// BenchmarkPostureReport: the report of a product of 1,000 components
// against the CRA catalog, with its SBOM and a questionnaire,
// result, on a hub holding 10,000 other products (the goal: under
// 200 ms).
func BenchmarkPostureReport(b *testing.B) {
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "vigie.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	h := hub.New(st, hub.Config{}, func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) })
	if _, err := h.AddOrg(ctx, hub.Console(), "A", []string{"energy"}, "FR"); err != nil {
		b.Fatal(err)
	}
	_, tok, err := h.AddKey(ctx, hub.Console(), "A", vigie.RolePublisher, "bench", time.Time{})
	if err != nil {
		b.Fatal(err)
	}
	p, err := h.Authenticate(ctx, tok, "192.0.2.1")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := h.ImportCatalog(ctx, hub.Console(), map[string][]byte{"cra.yaml": readCatalog(b)}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 10000; i++ {
		if _, err := h.Product(ctx, p, fmt.Sprintf("other-%d@1.0", i), "", true); err != nil {
			b.Fatal(err)
		}
	}
	var cs []string
	for i := 0; i < 1000; i++ {
		cs = append(cs, fmt.Sprintf(`{"type":"library","name":"c%d","version":"1.%d.0","purl":"pkg:npm/vendor-%d/c%d@1.%d.0","supplier":{"name":"Vendor %d"}}`, i, i, i%50, i, i, i%50))
	}
	bom := `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{"component":{"type":"application","name":"big","version":"1.0"}},"components":[` + strings.Join(cs, ",") + `]}`
	prod, err := h.Product(ctx, p, "big@1.0", "", true)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := h.UploadSBOM(ctx, p, prod, []byte(bom), hub.Share{}); err != nil {
		b.Fatal(err)
	}
	if _, err := h.PublishQuestionnaire(ctx, p, hub.AttestationSpec{Product: "big@1.0"}, []byte("format: vigie-questionnaire/1\ncatalog: cra-annex-i\nsupplier: A\nexpires: 2027-06-30T00:00:00Z\nanswers:\n  - {requirement: CRA-II-5, answer: yes}\n")); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		r, err := h.PostureReport(ctx, p, "big@1.0", "cra-annex-i", hub.Share{})
		if err != nil || len(r.Requirements) == 0 {
			b.Fatal(err)
		}
	}
}
