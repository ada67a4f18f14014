package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// product registers org's product name@version through the hub (which
// gives it its SBOM id) and stores findings on it as the early-warning
// engine does, through the store's alert batch.
func (c *coalition) product(org, nameAtVersion string, findings ...string) *vigie.Product {
	c.t.Helper()
	p, err := c.hub.ActAs(ctx, hub.Console(), org, vigie.RolePublisher)
	if err != nil {
		c.t.Fatal(err)
	}
	prod, err := c.hub.Product(ctx, p, nameAtVersion, "Acme Industrial", true)
	if err != nil {
		c.t.Fatal(err)
	}
	batch := &vigie.AlertBatch{Now: time.Now()}
	for _, doc := range findings {
		f := &vigie.Finding{SBOMID: prod.SBOMID, OrgID: prod.OrgID, ProductID: prod.ID, Doc: []byte(doc), Updated: time.Now()}
		switch {
		case strings.Contains(doc, `"malicious":true`):
			f.Key, f.State, f.Severity, f.Malicious = "MAL-2026-77/pkg:npm/evil-pad@6.6.6", "affected", "critical", true
		case strings.Contains(doc, `"suppressed"`):
			f.Key, f.State, f.Severity = "CVE-2026-1002/pkg:npm/left-pad@1.3.0", "suppressed", "medium"
		default:
			f.Key, f.State, f.Severity = "CVE-2026-1001/pkg:npm/left-pad@1.3.0", "affected", "high"
		}
		batch.FindingsPut = append(batch.FindingsPut, f)
	}
	if _, err := c.store.RecordAlerts(ctx, batch); err != nil {
		c.t.Fatal(err)
	}
	return prod
}

const (
	findingAffected   = `{"id":"CVE-2026-1001","aliases":["GHSA-aaaa-bbbb-cccc"],"severity":"high","component":{"name":"left-pad","version":"1.3.0","purl":"pkg:npm/left-pad@1.3.0"},"fixed_version":"1.3.1","state":"affected","matched":["CVE-2026-1001"]}`
	findingSuppressed = `{"id":"CVE-2026-1002","severity":"medium","component":{"name":"left-pad","version":"1.3.0","purl":"pkg:npm/left-pad@1.3.0"},"state":"suppressed","vex":{"status":"not_affected","justification":"vulnerable_code_not_in_execute_path"},"matched":["CVE-2026-1002"]}`
	findingMalicious  = `{"id":"MAL-2026-77","malicious":true,"severity":"critical","component":{"name":"evil-pad","version":"6.6.6","purl":"pkg:npm/evil-pad@6.6.6"},"state":"affected","matched":["MAL-2026-77"]}`
)

func TestProductPages(t *testing.T) {
	c := newCoalition(t)
	prod := c.product("Helios", "gateway@2.0", findingAffected, findingSuppressed, findingMalicious)
	bankProd := c.product("Bank", "teller@1.1")

	helios := c.signIn("Helios")
	res, body := helios.get("/products")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /products: %s", res.Status)
	}
	row := body[strings.Index(body, `data-id="`+prod.ID+`"`):]
	row = row[:strings.Index(row, "</tr>")]
	for _, want := range []string{"gateway@2.0", "Acme Industrial", `class="affected">2<`, `class="under-investigation">0<`, `class="suppressed">1<`, `sev-critical">1<`, `href="/products/` + prod.ID + `"`} {
		if !strings.Contains(row, want) {
			t.Errorf("Helios's product row lacks %q:\n%s", want, row)
		}
	}
	if strings.Contains(body, "teller@1.1") {
		t.Error("Helios's product list shows Bank's product")
	}
	if !strings.Contains(body, `<a href="/products" aria-current="page">Products</a>`) {
		t.Error("the nav has no current Products link")
	}

	res, body = helios.get("/products/" + prod.ID)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /products/%s: %s", prod.ID, res.Status)
	}
	for _, want := range []string{"gateway@2.0", "CVE-2026-1001", "GHSA-aaaa-bbbb-cccc", "left-pad@1.3.0", "pkg:npm/left-pad@1.3.0", "1.3.1",
		`sev-high">high<`, "CVE-2026-1002", "not_affected", "vulnerable_code_not_in_execute_path", "MAL-2026-77", ">malicious<", prod.SBOMID} {
		if !strings.Contains(body, want) {
			t.Errorf("the product page lacks %q", want)
		}
	}
	// In the hub's order: malicious first, then by severity.
	if mal, high, med := strings.Index(body, "MAL-2026-77"), strings.Index(body, "CVE-2026-1001"), strings.Index(body, "CVE-2026-1002"); !(mal < high && high < med) {
		t.Errorf("findings out of the hub's order: malicious at %d, high at %d, medium at %d", mal, high, med)
	}

	// Another organisation: not in its list, and its id answers exactly as
	// a product that does not exist.
	bank := c.signIn("Bank") // a reader
	res, body = bank.get("/products")
	if res.StatusCode != http.StatusOK || strings.Contains(body, "gateway@2.0") || strings.Contains(body, prod.ID) {
		t.Errorf("Bank's product list: %s, shows Helios's product: %v", res.Status, strings.Contains(body, "gateway@2.0"))
	}
	if !strings.Contains(body, "teller@1.1") || !strings.Contains(body, "/products/"+bankProd.ID) {
		t.Error("a reader does not see its own organisation's product")
	}
	if res, body := bank.get("/products/" + bankProd.ID); res.StatusCode != http.StatusOK || !strings.Contains(body, "No advisory matches") {
		t.Errorf("a reader's own product page: %s", res.Status)
	}
	other, otherBody := bank.get("/products/" + prod.ID)
	missingID := vigie.NewUUID()
	missing, missingBody := bank.get("/products/" + missingID)
	if other.StatusCode != http.StatusNotFound || missing.StatusCode != http.StatusNotFound {
		t.Errorf("another organisation's product: %s; a missing one: %s; want 404 for both", other.Status, missing.Status)
	}
	if strings.Contains(otherBody, "gateway") || strings.Contains(otherBody, "CVE-2026-1001") {
		t.Error("the 404 page names the other organisation's product")
	}
	if strings.ReplaceAll(otherBody, prod.ID, "ID") != strings.ReplaceAll(missingBody, missingID, "ID") {
		t.Errorf("another organisation's product and a missing one answer differently:\n%s\n---\n%s", otherBody, missingBody)
	}
	if res, _ := bank.get("/products/gateway@2.0"); res.StatusCode != http.StatusNotFound {
		t.Errorf("another organisation's product by name: %s, want 404", res.Status)
	}

	anon := &browser{t: t, c: c, hc: c.client()}
	for _, path := range []string{"/products", "/products/" + prod.ID} {
		res, _ := anon.get(path)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin?next=") {
			t.Errorf("anonymous %s: %s %s, want a redirect to sign in", path, res.Status, res.Header.Get("Location"))
		}
	}

	logs := c.logs.String()
	if !strings.Contains(logs, "/products/"+prod.ID) {
		t.Fatalf("the request log has no line of the product page:\n%s", logs)
	}
	for _, b := range []*browser{helios, bank} {
		for _, ck := range b.hc.Jar.Cookies(mustURL(c.srv.URL)) {
			if len(ck.Value) >= 16 && strings.Contains(logs, ck.Value) {
				t.Errorf("cookie %s is in the request log", ck.Name)
			}
		}
	}
}
