package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/totp"
)

var (
	pendingSecret = regexp.MustCompile(`name="secret" value="([A-Z2-7]+)"`)
	otpauthURI    = regexp.MustCompile(`id="otpauth">([^<]+)<`)
)

// pendingTOTP returns the key and the otpauth URI an /account page offers.
func pendingTOTP(t *testing.T, page string) (secret string, uri *url.URL) {
	t.Helper()
	s, u := pendingSecret.FindStringSubmatch(page), otpauthURI.FindStringSubmatch(page)
	if s == nil || u == nil {
		t.Fatalf("the account page shows no key or no otpauth URI")
	}
	uri, err := url.Parse(html.UnescapeString(u[1]))
	if err != nil {
		t.Fatalf("the otpauth URI does not parse: %v", err)
	}
	return s[1], uri
}

// The TOTP key is offered as text, as an otpauth URI an app reads back,
// and as an inline SVG QR code of that URI, on a page never cached, to
// the signed-in user only, each time a new key; none once TOTP is on.
func TestAccountTOTPQRCode(t *testing.T) {
	c := newCoalition(t)
	helios := c.signIn("Helios")
	res, page := helios.get("/account")
	if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET /account: %s, Cache-Control %q", res.Status, res.Header.Get("Cache-Control"))
	}
	if csp := res.Header.Get("Content-Security-Policy"); strings.Contains(csp, "data:") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "img-src 'self'") {
		t.Errorf("the account page's CSP was loosened: %s", csp)
	}
	if !strings.Contains(page, `<svg xmlns="http://www.w3.org/2000/svg" class="qr" role="img" aria-label="QR code of the TOTP key`) {
		t.Error("the account page has no QR code")
	}
	if !strings.Contains(page, "<svg") {
		t.Fatal("no svg on the account page")
	}
	svg := page[strings.Index(page, "<svg"):]
	svg = svg[:strings.Index(svg, "</svg>")]
	if strings.Contains(svg, "<script") || strings.Contains(svg, "style") || strings.Contains(svg, "data:") || strings.Contains(svg, "href") {
		t.Errorf("the QR code needs inline script, style or another resource: %.200s", svg)
	}
	secret, uri := pendingTOTP(t, page)
	q := uri.Query()
	if uri.Scheme != "otpauth" || uri.Host != "totp" || uri.Path != "/vigie test hub:"+c.emails["Helios"] {
		t.Errorf("otpauth URI %s: scheme %q, type %q, label %q", uri, uri.Scheme, uri.Host, uri.Path)
	}
	for k, want := range map[string]string{"secret": secret, "issuer": "vigie test hub", "algorithm": "SHA1", "digits": "6", "period": "30"} {
		if q.Get(k) != want {
			t.Errorf("otpauth URI %s: %s = %q, want %q", uri, k, q.Get(k), want)
		}
	}

	// A reload makes a new key; another user's page holds only its own.
	_, again := helios.get("/account")
	if s, _ := pendingTOTP(t, again); s == secret || strings.Contains(again, secret) {
		t.Error("the account page offers the same key twice")
	}
	_, bankPage := c.signIn("Bank").get("/account")
	if s, u := pendingTOTP(t, bankPage); s == secret || strings.Contains(bankPage, secret) || !strings.HasSuffix(u.Path, ":"+c.emails["Bank"]) {
		t.Errorf("Bank's account page: key %s for %s", s, u.Path)
	}

	// Signed out: no key, no QR code, the sign-in page.
	anon := &browser{t: t, c: c, hc: c.client()}
	res, page = anon.get("/account")
	if res.StatusCode != http.StatusSeeOther || strings.Contains(page, "<svg") || strings.Contains(page, "otpauth") {
		t.Errorf("GET /account signed out: %s", res.Status)
	}

	// The key read back from the URI turns TOTP on; then no key is shown.
	code, err := totp.Code(q.Get("secret"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	res, page = helios.post("/account/totp", url.Values{"csrf": {csrfOf(again)}, "secret": {secret}, "code": {code}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("turning TOTP on with the URI's key: %s\n%s", res.Status, errorLine(page))
	}
	_, page = helios.get("/account")
	if strings.Contains(page, "<svg") || strings.Contains(page, "otpauth") || pendingSecret.MatchString(page) {
		t.Error("with TOTP on, the account page still shows a key")
	}
}
