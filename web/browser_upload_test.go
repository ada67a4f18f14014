package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	cdp "github.com/chromedp/chromedp"

	"github.com/vigie-cti/vigie"
)

// TestBrowserUploads: Helios's analyst uploads an SBOM from the products
// page and sees the finding, uploads a VEX and sees it suppressed,
// uploads a STIX bundle at TLP:AMBER, and opens the charts.
func TestBrowserUploads(t *testing.T) {
	c := newCoalition(t)
	c.importLeftPad()
	c.sight("CERT", "coalition", "198.51.100.2", 4, vigie.TLPGreen)
	c.alert("Helios", "chart", "198.51.100.2", vigie.SeverityHigh)
	ctx := newBrowser(t)
	dir := shots(t)
	files := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(files, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	c.signInBrowser(t, ctx, "Helios")

	do(t, ctx, "SBOM form", cdp.Navigate(c.srv.URL+"/products"), cdp.Click(cdp.CSS("#upload-link")), cdp.WaitVisible(cdp.CSS("#sbom-form")),
		cdp.SetUploadFiles(cdp.CSS("#sbom"), []string{write("bom.json", leftPadSBOM)}),
		cdp.SendKeys(cdp.CSS("#name"), "gateway"), cdp.SendKeys(cdp.CSS("#version"), "3.0"), cdp.SendKeys(cdp.CSS("#supplier"), "Acme Industrial"))
	screenshot(t, ctx, dir, "sbom-upload")
	do(t, ctx, "upload the SBOM", cdp.Click(cdp.CSS("#upload-sbom")), cdp.WaitVisible(cdp.CSS(".flash")))
	if h1 := text(t, ctx, "h1"); h1 != "gateway@3.0" {
		t.Errorf("after the upload, page %q", h1)
	}
	c.index() // the early-warning engine matches the SBOM
	do(t, ctx, "reload", cdp.Reload(), cdp.WaitVisible(cdp.CSS("#findings")))
	if row := text(t, ctx, "#findings tbody"); !strings.Contains(row, "GHSA-lp42-aaaa-bbbb") || !strings.Contains(row, "affected") {
		t.Errorf("findings after the SBOM upload: %q", row)
	}
	// The product's page without the SBOM's confirmation, so that the
	// VEX's is the one waited for.
	loc, err := cdp.Run(ctx, cdp.Location())
	if err != nil {
		t.Fatal(err)
	}
	productURL, _, _ := strings.Cut(loc, "?")
	do(t, ctx, "upload a VEX", cdp.Navigate(productURL), cdp.SetUploadFiles(cdp.CSS("#vex"), []string{write("vex.json", leftPadVEX)}),
		cdp.Click(cdp.CSS("#upload-vex")), cdp.WaitVisible(cdp.CSS(".flash")))
	c.index()
	do(t, ctx, "reload", cdp.Reload(), cdp.WaitVisible(cdp.CSS("#findings")))
	if st := text(t, ctx, "#findings tbody td.state"); st != "suppressed" {
		t.Errorf("finding state after the VEX: %q", st)
	}
	if row := text(t, ctx, "#findings tbody"); !strings.Contains(row, "not_affected") {
		t.Errorf("findings after the VEX: %q", row)
	}
	screenshot(t, ctx, dir, "product-findings")

	marked, unmarked := indicatorObj(c.orgs["Helios"].ID, "203.0.113.70", vigie.MarkingGreen), indicatorObj(c.orgs["Helios"].ID, "203.0.113.71")
	do(t, ctx, "bundle", cdp.Navigate(c.srv.URL+"/publish"),
		cdp.SetUploadFiles(cdp.CSS("#bundle"), []string{write("bundle.json", string(bundle(marked, unmarked)))}),
		cdp.Click(cdp.CSS(`form[action="/publish/bundle"] input[name="tlp"][value="AMBER"]`)),
		cdp.SetValue(cdp.CSS("#bundle-collection"), "hub/"+c.colls["energy"].ID),
		cdp.Click(cdp.CSS("#upload-bundle")), cdp.WaitVisible(cdp.CSS("#publish-result")))
	if s := text(t, ctx, "#publish-result"); s != "2 object(s) stored, 0 refused." {
		t.Errorf("bundle result %q", s)
	}
	if ov, err := c.hub.Object(ctx, c.principal("CERT"), unmarked["id"].(string)); err != nil || ov.Versions[0].TLP != vigie.TLPAmber {
		t.Errorf("the bundle's unmarked object: %v, want TLP:AMBER", err)
	}
	if _, err := c.hub.Object(ctx, c.principal("Bank"), unmarked["id"].(string)); err == nil {
		t.Error("Bank reads the AMBER object shared in the energy collection")
	}

	do(t, ctx, "charts", cdp.Click(cdp.CSS(`a[href="/charts"]`)), cdp.WaitVisible(cdp.CSS("#alerts-chart svg")))
	if s, _ := cdp.Run(ctx, cdp.TextContent(cdp.CSS("#sighted-table tbody"))); !strings.Contains(s, "Lantern C2 198.51.100.2") { // in a closed details
		t.Errorf("top sighted table: %q", s)
	}
	screenshot(t, ctx, dir, "charts")
}
