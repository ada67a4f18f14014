package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/advisory"
	"github.com/vigie-cti/vigie/hub"
)

// An advisory about left-pad before 1.3.1, an SBOM holding left-pad
// 1.3.0, and a VEX saying the product is not affected.
const (
	leftPadOSV = `{"schema_version":"1.6.0","id":"GHSA-lp42-aaaa-bbbb","aliases":["CVE-2026-4242"],"summary":"Prototype pollution in left-pad",
"modified":"2026-11-01T00:00:00Z","published":"2026-11-01T00:00:00Z",
"affected":[{"package":{"ecosystem":"npm","name":"left-pad"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.3.1"}]}]}]}`
	leftPadSBOM = `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[
{"type":"library","name":"left-pad","version":"1.3.0","purl":"pkg:npm/left-pad@1.3.0"},
{"type":"library","name":"right-pad","version":"2.0.0","purl":"pkg:npm/right-pad@2.0.0"}]}`
	leftPadVEX = `{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://helios.example/vex/1","author":"Helios","timestamp":"2026-11-02T00:00:00Z","version":1,
"statements":[{"vulnerability":{"name":"GHSA-lp42-aaaa-bbbb"},"products":[{"@id":"pkg:npm/left-pad@1.3.0"}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]}`
)

// importLeftPad publishes the left-pad advisory at TLP:CLEAR in the
// coalition collection, as CERT.
func (c *coalition) importLeftPad() {
	c.t.Helper()
	adv, err := advisory.ParseOSV([]byte(leftPadOSV))
	if err != nil {
		c.t.Fatal(err)
	}
	cert, err := c.hub.ActAs(ctx, hub.Console(), "CERT", vigie.RolePublisher)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := c.hub.ImportAdvisories(ctx, cert, "hub", c.colls["coalition"].ID, []advisory.Advisory{adv}, vigie.TLPClear); err != nil {
		c.t.Fatal(err)
	}
}

// postFile posts a multipart form with one file, as a browser does.
func (b *browser) postFile(path string, form url.Values, field, name string, content []byte) (*http.Response, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if field != "" {
		fw, _ := mw.CreateFormFile(field, name)
		fw.Write(content)
	}
	mw.Close()
	res, err := b.hc.Post(b.c.srv.URL+path, mw.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res, string(out)
}

var productLocation = regexp.MustCompile(`^/products/([0-9a-f-]{36})\?`)

func TestSBOMAndVEXUpload(t *testing.T) {
	c := newCoalition(t)
	c.importLeftPad()
	helios := c.signIn("Helios")

	res, page := helios.get("/products")
	if !strings.Contains(page, `href="/products/upload"`) {
		t.Error("the products page has no upload link for a publisher")
	}
	res, page = helios.get("/products/upload")
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `enctype="multipart/form-data"`) || !strings.Contains(page, `<label for="sbom">`) {
		t.Fatalf("GET /products/upload: %s", res.Status)
	}
	csrf := csrfOf(page)
	res, body := helios.postFile("/products/upload", url.Values{"csrf": {csrf}, "name": {"gateway"}, "version": {"3.0"}, "supplier": {"Acme Industrial"}}, "sbom", "bom.json", []byte(leftPadSBOM))
	m := productLocation.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("SBOM upload: %s %s\n%s", res.Status, res.Header.Get("Location"), body)
	}
	prodID := m[1]
	c.index() // the early-warning engine matches the SBOM, as vigie serve does
	res, page = helios.get(res.Header.Get("Location"))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("product page: %s", res.Status)
	}
	for _, want := range []string{"gateway@3.0", "Acme Industrial", "SBOM uploaded: 2 components", "GHSA-lp42-aaaa-bbbb", "CVE-2026-4242", "pkg:npm/left-pad@1.3.0", `<td class="state">affected</td>`, "1.3.1"} {
		if !strings.Contains(page, want) {
			t.Errorf("after the SBOM upload, the product page lacks %q", want)
		}
	}

	// VEX: the finding is kept, suppressed, with the justification.
	res, body = helios.postFile("/products/"+prodID+"/vex", url.Values{"csrf": {csrfOf(page)}}, "vex", "vex.json", []byte(leftPadVEX))
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/products/"+prodID+"?") {
		t.Fatalf("VEX upload: %s\n%s", res.Status, body)
	}
	c.index()
	_, page = helios.get(res.Header.Get("Location"))
	for _, want := range []string{"VEX uploaded: 1 statements", "GHSA-lp42-aaaa-bbbb", `<td class="state">suppressed</td>`, "not_affected", "vulnerable_code_not_in_execute_path"} {
		if !strings.Contains(page, want) {
			t.Errorf("after the VEX upload, the product page lacks %q", want)
		}
	}

	// A second SBOM of an existing product, chosen in the list.
	res, _ = helios.postFile("/products/upload", url.Values{"csrf": {csrf}, "product": {prodID}}, "sbom", "bom.json", []byte(leftPadSBOM))
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/products/"+prodID+"?") {
		t.Errorf("a new SBOM of an existing product: %s %s", res.Status, res.Header.Get("Location"))
	}

	// Bad input: the form again, with the reason, and nothing stored.
	before, _ := c.hub.Products(ctx, c.principal("Helios"))
	for name, tc := range map[string]struct {
		form    url.Values
		file    []byte
		status  int
		message string
	}{
		"not an SBOM":     {url.Values{"name": {"junk"}, "version": {"1"}}, []byte(`{"hello":"world"}`), http.StatusBadRequest, "SBOM"},
		"no file":         {url.Values{"name": {"junk"}, "version": {"1"}}, nil, http.StatusBadRequest, "choose a file"},
		"no product":      {url.Values{}, []byte(leftPadSBOM), http.StatusBadRequest, "give the new product"},
		"version with @":  {url.Values{"name": {"junk"}, "version": {"1@2"}}, []byte(leftPadSBOM), http.StatusBadRequest, "give the new product"},
		"oversized (33M)": {url.Values{"name": {"big"}, "version": {"1"}}, bytes.Repeat([]byte(" "), 33<<20), http.StatusRequestEntityTooLarge, "larger than 32 MiB"},
	} {
		tc.form.Set("csrf", csrf)
		var file []byte
		field := ""
		if tc.file != nil {
			field, file = "sbom", tc.file
		}
		res, body := helios.postFile("/products/upload", tc.form, field, "bom.json", file)
		if res.StatusCode != tc.status || !strings.Contains(body, tc.message) {
			t.Errorf("%s: %s, want %d with %q\n%s", name, res.Status, tc.status, tc.message, errorLine(body))
		}
	}
	if after, _ := c.hub.Products(ctx, c.principal("Helios")); len(after) != len(before) {
		t.Errorf("refused uploads registered %d products", len(after)-len(before))
	}

	// A form without its CSRF token changes nothing.
	res, body = helios.postFile("/products/upload", url.Values{"name": {"forged"}, "version": {"1"}}, "sbom", "bom.json", []byte(leftPadSBOM))
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "CSRF") {
		t.Errorf("SBOM upload without CSRF token: %s", res.Status)
	}
	res, _ = helios.postFile("/products/"+prodID+"/vex", url.Values{"csrf": {"forged"}}, "vex", "vex.json", []byte(leftPadVEX))
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("VEX upload with a wrong CSRF token: %s", res.Status)
	}
	if _, err := c.hub.Product(ctx, c.principal("Helios"), "forged@1", "", false); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("the forged upload registered a product: %v", err)
	}

	// A reader may read its products but not upload.
	bank := c.signIn("Bank")
	bankProd := c.product("Bank", "teller@1.1")
	if res, _ := bank.get("/products/upload"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a reader's upload form: %s, want 403", res.Status)
	}
	_, bankPage := bank.get("/products/" + bankProd.ID)
	if strings.Contains(bankPage, "upload-vex") {
		t.Error("a reader's product page offers the VEX upload")
	}
	if res, _ := bank.postFile("/products/"+bankProd.ID+"/vex", url.Values{"csrf": {csrfOf(bankPage)}}, "vex", "vex.json", []byte(leftPadVEX)); res.StatusCode != http.StatusForbidden {
		t.Errorf("a reader's VEX upload: %s, want 403", res.Status)
	}

	// Another organisation's publisher (CERT's operator) cannot upload to
	// Helios's product: the same answer as a product that does not exist.
	cert := c.signIn("CERT")
	_, certPage := cert.get("/products/upload")
	certCSRF := csrfOf(certPage)
	missing := vigie.NewUUID()
	for _, tc := range []struct{ what, other, missing, field string }{
		{"VEX", "/products/" + prodID + "/vex", "/products/" + missing + "/vex", "vex"},
		{"SBOM", "/products/upload", "/products/upload", "sbom"},
	} {
		otherForm := url.Values{"csrf": {certCSRF}, "product": {prodID}}
		missingForm := url.Values{"csrf": {certCSRF}, "product": {missing}}
		file := []byte(leftPadVEX)
		if tc.field == "sbom" {
			file = []byte(leftPadSBOM)
		}
		o, oBody := cert.postFile(tc.other, otherForm, tc.field, "f.json", file)
		mi, mBody := cert.postFile(tc.missing, missingForm, tc.field, "f.json", file)
		if o.StatusCode != http.StatusNotFound || mi.StatusCode != http.StatusNotFound {
			t.Errorf("%s upload to another organisation's product: %s; to a missing one: %s; want 404 for both", tc.what, o.Status, mi.Status)
		}
		if strings.ReplaceAll(oBody, prodID, "ID") != strings.ReplaceAll(mBody, missing, "ID") {
			t.Errorf("%s upload: another organisation's product and a missing one answer differently:\n%s\n---\n%s", tc.what, errorLine(oBody), errorLine(mBody))
		}
	}
	if prods, _ := c.hub.Products(ctx, c.principal("CERT")); len(prods) != 0 {
		t.Errorf("CERT's refused uploads registered %d products", len(prods))
	}
	_, page = helios.get("/products/" + prodID)
	if !strings.Contains(page, `<td class="state">suppressed</td>`) {
		t.Error("Helios's finding changed after CERT's refused uploads")
	}
}

// errorLine is the error paragraph of a page, for test messages.
func errorLine(page string) string {
	i := strings.Index(page, `id="error">`)
	if i < 0 {
		return "(no error shown)"
	}
	s := page[i:]
	return s[:strings.Index(s, "</p>")]
}

// bundle returns a STIX bundle of objects.
func bundle(objs ...map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--" + vigie.NewUUID(), "objects": objs})
	return b
}

// indicatorObj is an indicator of value by org's identity, with markings.
func indicatorObj(org, value string, markings ...string) map[string]any {
	ts := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	o := map[string]any{"type": "indicator", "spec_version": "2.1", "id": "indicator--" + vigie.NewUUID(), "created": ts, "modified": ts,
		"created_by_ref": org, "name": "Bundle " + value, "pattern": "[ipv4-addr:value = '" + value + "']", "pattern_type": "stix", "valid_from": ts}
	if len(markings) > 0 {
		o["object_marking_refs"] = markings
	}
	return o
}

func TestBundleUploadAndRedRecipients(t *testing.T) {
	c := newCoalition(t)
	helios := c.signIn("Helios")
	hid := c.orgs["Helios"].ID
	_, page := helios.get("/publish")
	for _, want := range []string{`action="/publish/bundle"`, `enctype="multipart/form-data"`, `<label for="bundle">`, `name="recipient" value="` + c.orgs["Bank"].ID + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the publish page lacks %q", want)
		}
	}
	if strings.Contains(page, `name="recipient" value="`+hid+`"`) {
		t.Error("the publish page offers the user's own organisation as a recipient")
	}
	csrf := csrfOf(page)
	coalition := "hub/" + c.colls["coalition"].ID
	readable := func(org, id string) bool {
		_, err := c.hub.Object(ctx, c.principal(org), id)
		return err == nil
	}
	upload := func(tlp string, recipients []string, data []byte) (*http.Response, string) {
		return helios.postFile("/publish/bundle", url.Values{"csrf": {csrf}, "collection": {coalition}, "tlp": {tlp}, "recipient": recipients}, "bundle", "bundle.json", data)
	}

	// Unmarked objects and no TLP chosen: refused, nothing stored.
	unmarked, green := indicatorObj(hid, "203.0.113.50"), indicatorObj(hid, "203.0.113.51", vigie.MarkingGreen)
	res, body := upload("", nil, bundle(green, unmarked))
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "carry no TLP marking") || !strings.Contains(body, unmarked["id"].(string)) {
		t.Errorf("a bundle with an unmarked object and no TLP: %s %s", res.Status, errorLine(body))
	}
	if readable("Helios", green["id"].(string)) {
		t.Error("the refused bundle stored its marked object")
	}

	// AMBER chosen: the unmarked object is AMBER, the GREEN one stays GREEN.
	res, body = upload("AMBER", nil, bundle(green, unmarked))
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Bundle shared: 2 object(s).") || !strings.Contains(body, "2 object(s) stored, 0 refused.") {
		t.Fatalf("bundle at AMBER: %s %s", res.Status, errorLine(body))
	}
	if ov, err := c.hub.Object(ctx, c.principal("Helios"), unmarked["id"].(string)); err != nil || ov.Versions[0].TLP != vigie.TLPAmber {
		t.Errorf("the unmarked object: %v, want TLP:AMBER", err)
	}
	// Bank is in the collection's community: it reads both; Outside reads
	// only the public part (CLEAR), so neither.
	for org, want := range map[string]bool{"Bank": true, "Outside": false} {
		for _, o := range []map[string]any{green, unmarked} {
			if got := readable(org, o["id"].(string)); got != want {
				t.Errorf("%s reads %s: %v, want %v", org, o["name"], got, want)
			}
		}
	}

	// RED with a recipient: Bank reads it, Outside and CERT do not.
	red := indicatorObj(hid, "203.0.113.52")
	res, body = upload("RED", []string{c.orgs["Bank"].ID}, bundle(red))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("bundle at RED for Bank: %s %s", res.Status, errorLine(body))
	}
	for org, want := range map[string]bool{"Helios": true, "Bank": true, "CERT": false, "Outside": false} {
		if got := readable(org, red["id"].(string)); got != want {
			t.Errorf("%s reads the RED bundle object for Bank: %v, want %v", org, got, want)
		}
	}

	// Recipients without RED, unknown recipients, not a bundle, too big.
	for name, tc := range map[string]struct {
		tlp        string
		recipients []string
		data       []byte
		status     int
		message    string
	}{
		"recipients at AMBER": {"AMBER", []string{c.orgs["Bank"].ID}, bundle(indicatorObj(hid, "203.0.113.53")), http.StatusBadRequest, "recipients are for TLP:RED only"},
		"unknown recipient":   {"RED", []string{"identity--" + vigie.NewUUID()}, bundle(indicatorObj(hid, "203.0.113.54")), http.StatusBadRequest, "not an organisation of this hub"},
		"not a bundle":        {"AMBER", nil, []byte(`{"type":"indicator"}`), http.StatusBadRequest, "not a STIX bundle"},
		"not JSON":            {"AMBER", nil, []byte("hello"), http.StatusBadRequest, "not a STIX bundle"},
		"empty bundle":        {"AMBER", nil, []byte(`{"type":"bundle","id":"bundle--` + vigie.NewUUID() + `"}`), http.StatusBadRequest, "holds no objects"},
		"bad TLP":             {"BLUE", nil, bundle(indicatorObj(hid, "203.0.113.55")), http.StatusBadRequest, "BLUE"},
		"oversized (33M)":     {"AMBER", nil, bytes.Repeat([]byte(" "), 33<<20), http.StatusRequestEntityTooLarge, "larger than 32 MiB"},
	} {
		res, body := upload(tc.tlp, tc.recipients, tc.data)
		if res.StatusCode != tc.status || !strings.Contains(body, tc.message) {
			t.Errorf("%s: %s, want %d with %q; %s", name, res.Status, tc.status, tc.message, errorLine(body))
		}
	}
	// Another organisation's identity as author is refused by the hub, as
	// over TAXII.
	forged := indicatorObj(c.orgs["Bank"].ID, "203.0.113.56", vigie.MarkingGreen)
	if _, body := upload("", nil, bundle(forged)); !strings.Contains(body, "0 object(s) stored, 1 refused.") || readable("Helios", forged["id"].(string)) {
		t.Errorf("a bundle forging Bank as author: %s", errorLine(body))
	}

	// Without a CSRF token, or from a reader: refused.
	res, _ = helios.postFile("/publish/bundle", url.Values{"collection": {coalition}, "tlp": {"GREEN"}}, "bundle", "b.json", bundle(indicatorObj(hid, "203.0.113.57")))
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("bundle upload without CSRF token: %s", res.Status)
	}
	bank := c.signIn("Bank")
	_, bankPage := bank.get("/alerts")
	if res, _ := bank.postFile("/publish/bundle", url.Values{"csrf": {csrfOf(bankPage)}, "collection": {coalition}, "tlp": {"GREEN"}}, "bundle", "b.json", bundle(indicatorObj(c.orgs["Bank"].ID, "203.0.113.58"))); res.StatusCode != http.StatusForbidden {
		t.Errorf("a reader's bundle upload: %s, want 403", res.Status)
	}

	// The values form with RED recipients.
	res, body = helios.post("/publish", url.Values{"csrf": {csrf}, "values": {"203.0.113.60"}, "tlp": {"RED"}, "collection": {coalition}, "recipient": {c.orgs["CERT"].ID}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "1 object(s) stored, 0 refused.") {
		t.Fatalf("values at RED for CERT: %s %s", res.Status, errorLine(body))
	}
	id := objectLink.FindStringSubmatch(body)
	if id == nil {
		t.Fatal("no indicator in the result")
	}
	for org, want := range map[string]bool{"Helios": true, "CERT": true, "Bank": false, "Outside": false} {
		if got := readable(org, id[1]); got != want {
			t.Errorf("%s reads the RED values for CERT: %v, want %v", org, got, want)
		}
	}
	res, body = helios.post("/publish", url.Values{"csrf": {csrf}, "values": {"203.0.113.61"}, "tlp": {"GREEN"}, "collection": {coalition}, "recipient": {c.orgs["CERT"].ID}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "recipients are for TLP:RED only") || !strings.Contains(body, `value="`+c.orgs["CERT"].ID+`" checked`) {
		t.Errorf("values at GREEN with a recipient: %s %s", res.Status, errorLine(body))
	}
}
