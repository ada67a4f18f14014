package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/vex"
)

// An SBOM or VEX shared beyond the organisation's private collection from
// the upload forms: only collections the user may write are offered or
// accepted, a TLP is required and is never RED (no recipients), and the
// audience is the one the collection and TLP give.
func TestSBOMAndVEXShared(t *testing.T) {
	c := newCoalition(t)
	certOnly, err := c.hub.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "hub", Title: "CERT advisories",
		Read: []string{"community:all"}, Write: []string{"org:CERT"}}) // Helios may read it, not write it
	if err != nil {
		t.Fatal(err)
	}
	energy, coalition := "hub/"+c.colls["energy"].ID, "hub/"+c.colls["coalition"].ID
	helios := c.signIn("Helios")
	_, page := helios.get("/products/upload")
	for _, want := range []string{`<option value="` + energy + `"`, `<option value="` + coalition + `"`, `name="share_tlp" value="AMBER&#43;STRICT"`, `<label for="share">`} {
		if !strings.Contains(page, want) {
			t.Errorf("the upload form lacks %q", want)
		}
	}
	for _, not := range []string{certOnly.ID, `value="private/`, `name="share_tlp" value="RED"`} {
		if strings.Contains(page, not) {
			t.Errorf("the upload form offers %q", not)
		}
	}
	csrf := csrfOf(page)

	// Shared into the energy community at AMBER: CERT (a member) reads
	// the SBOM, Bank (not a member) does not.
	res, body := helios.postFile("/products/upload", url.Values{"csrf": {csrf}, "name": {"gateway"}, "version": {"4.0"}, "share": {energy}, "share_tlp": {"AMBER"}}, "sbom", "bom.json", []byte(leftPadSBOM))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("shared SBOM upload: %s\n%s", res.Status, errorLine(body))
	}
	prod, err := c.hub.Product(ctx, c.principal("Helios"), "gateway@4.0", "", false)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := c.hub.Object(ctx, c.principal("CERT"), prod.SBOMID); err != nil || v.Versions[0].TLP != vigie.TLPAmber {
		t.Errorf("CERT reading the SBOM shared with energy at AMBER: %v", err)
	}
	if _, err := c.hub.Object(ctx, c.principal("Bank"), prod.SBOMID); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("Bank, outside energy, reads the shared SBOM: %v", err)
	}

	// Refusals: the form again with the reason, nothing registered. A
	// collection Helios may read but not write answers as an unknown one.
	missing := "hub/" + vigie.NewUUID()
	refused := map[string]url.Values{
		"unknown collection":       {"share": {missing}, "share_tlp": {"GREEN"}},
		"collection not writable":  {"share": {"hub/" + certOnly.ID}, "share_tlp": {"GREEN"}},
		"private collection typed": {"share": {hub.PrivateRoot + "/" + prod.Collection}, "share_tlp": {"GREEN"}},
		"not root/id":              {"share": {"nonsense"}, "share_tlp": {"GREEN"}},
		"collection without TLP":   {"share": {energy}},
		"invalid TLP":              {"share": {energy}, "share_tlp": {"PURPLE"}},
		"TLP:RED, no recipients":   {"share": {energy}, "share_tlp": {"RED"}},
		"TLP without collection":   {"share_tlp": {"AMBER"}},
	}
	messages := map[string]string{}
	before, _ := c.hub.Products(ctx, c.principal("Helios"))
	for name, form := range refused {
		form.Set("csrf", csrf)
		form.Set("name", "refused")
		form.Set("version", "1")
		res, body := helios.postFile("/products/upload", form, "sbom", "bom.json", []byte(leftPadSBOM))
		messages[name] = errorLine(body)
		if res.StatusCode != http.StatusBadRequest || messages[name] == "(no error shown)" {
			t.Errorf("%s: %s, want 400 with a reason\n%s", name, res.Status, messages[name])
		}
	}
	for _, name := range []string{"collection not writable", "private collection typed", "not root/id"} {
		if messages[name] != messages["unknown collection"] {
			t.Errorf("%s answers %q, an unknown collection %q", name, messages[name], messages["unknown collection"])
		}
	}
	for name, want := range map[string]string{"collection without TLP": "choose a TLP level", "invalid TLP": "PURPLE", "TLP:RED, no recipients": "TLP:RED needs recipients"} {
		if !strings.Contains(messages[name], want) {
			t.Errorf("%s: %q lacks %q", name, messages[name], want)
		}
	}
	if after, _ := c.hub.Products(ctx, c.principal("Helios")); len(after) != len(before) {
		t.Errorf("refused shares registered %d products", len(after)-len(before))
	}

	// VEX from the product page, shared with the coalition at GREEN: Bank
	// (a member of "all") reads it.
	_, page = helios.get("/products/" + prod.ID)
	if !strings.Contains(page, `<option value="`+coalition+`"`) || strings.Contains(page, certOnly.ID) {
		t.Error("the product page's VEX form does not list exactly the writable collections")
	}
	vexID := vex.STIXType + "--" + vigie.NameUUID("vex/"+prod.ID)
	vexForm := func(share, tlp string) url.Values {
		return url.Values{"csrf": {csrfOf(page)}, "share": {share}, "share_tlp": {tlp}}
	}
	res, body = helios.postFile("/products/"+prod.ID+"/vex", vexForm("hub/"+certOnly.ID, "GREEN"), "vex", "vex.json", []byte(leftPadVEX))
	_, mBody := helios.postFile("/products/"+prod.ID+"/vex", vexForm(missing, "GREEN"), "vex", "vex.json", []byte(leftPadVEX))
	if res.StatusCode != http.StatusBadRequest || errorLine(body) != errorLine(mBody) {
		t.Errorf("VEX into a collection Helios may not write: %s %q; into an unknown one: %q", res.Status, errorLine(body), errorLine(mBody))
	}
	if res, body := helios.postFile("/products/"+prod.ID+"/vex", vexForm(coalition, "RED"), "vex", "vex.json", []byte(leftPadVEX)); res.StatusCode != http.StatusBadRequest {
		t.Errorf("VEX at TLP:RED without recipients: %s %s", res.Status, errorLine(body))
	}
	if _, err := c.hub.Object(ctx, c.principal("Helios"), vexID); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("a refused VEX was stored: %v", err)
	}
	res, body = helios.postFile("/products/"+prod.ID+"/vex", vexForm(coalition, "GREEN"), "vex", "vex.json", []byte(leftPadVEX))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("shared VEX upload: %s\n%s", res.Status, errorLine(body))
	}
	if v, err := c.hub.Object(ctx, c.principal("Bank"), vexID); err != nil || v.Versions[0].TLP != vigie.TLPGreen {
		t.Errorf("Bank reading the VEX shared with the coalition at GREEN: %v", err)
	}

	// Another organisation's product is still not found, whatever the share.
	cert := c.signIn("CERT")
	_, certPage := cert.get("/products/upload")
	res, _ = cert.postFile("/products/"+prod.ID+"/vex", url.Values{"csrf": {csrfOf(certPage)}, "share": {coalition}, "share_tlp": {"GREEN"}}, "vex", "vex.json", []byte(leftPadVEX))
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("CERT's shared VEX about Helios's product: %s, want 404", res.Status)
	}
	res, _ = cert.postFile("/products/upload", url.Values{"csrf": {csrfOf(certPage)}, "product": {prod.ID}, "share": {coalition}, "share_tlp": {"GREEN"}}, "sbom", "bom.json", []byte(leftPadSBOM))
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("CERT's shared SBOM of Helios's product: %s, want 404", res.Status)
	}
}
