package web_test

import (
	"net/http"
	"strings"
	"testing"

	cdp "github.com/chromedp/chromedp"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// TestBrowserOperatorKeyAndUser: in a real browser, the operator creates
// a key for Helios (its secret shown once: gone on reload), revokes it,
// then disables Bank's user: Bank's open session is refused at once and
// Bank cannot sign in.
func TestBrowserOperatorKeyAndUser(t *testing.T) {
	c := newCoalition(t)
	bank := c.signIn("Bank") // an open session, outside the browser
	bctx := newBrowser(t)
	dir := shots(t)
	c.signInBrowser(t, bctx, "CERT")

	do(t, bctx, "create a key", cdp.Navigate(c.srv.URL+"/admin/keys"), cdp.WaitVisible(cdp.CSS("#key-add")),
		cdp.SetValue(cdp.CSS("#k-org"), c.orgs["Helios"].ID),
		cdp.SetValue(cdp.CSS("#k-role"), "publisher"),
		cdp.SendKeys(cdp.CSS("#k-name"), "helios-sensor"),
		cdp.Click(cdp.CSS("#key-add")), cdp.WaitVisible(cdp.CSS("#new-key-secret")))
	token := text(t, bctx, "#new-key-secret")
	p, err := c.hub.Authenticate(ctx, token, "192.0.2.7")
	if err != nil || p.OrgID != c.orgs["Helios"].ID || p.Role != vigie.RolePublisher {
		t.Fatalf("the secret the page showed authenticates as %+v, %v", p, err)
	}
	screenshot(t, bctx, dir, "admin-keys-created")
	do(t, bctx, "keys again", cdp.Navigate(c.srv.URL+"/admin/keys"), cdp.WaitVisible(cdp.CSS("#keys")))
	if body := text(t, bctx, "body"); strings.Contains(body, token) || !strings.Contains(body, "helios-sensor") {
		t.Error("the keys page shows the secret again, or not the key")
	}
	do(t, bctx, "revoke", cdp.Click(cdp.CSS(`tr[data-id="`+p.KeyID+`"] button`)), cdp.WaitVisible(cdp.CSS(".flash")))
	if _, err := c.hub.Authenticate(ctx, token, "192.0.2.7"); err == nil {
		t.Error("the key revoked from the page still authenticates")
	}

	row := `tr[data-email="` + c.emails["Bank"] + `"]`
	do(t, bctx, "disable Bank's user", cdp.Navigate(c.srv.URL+"/admin/users"), cdp.WaitVisible(cdp.CSS("#users")),
		cdp.Click(cdp.CSS(row+" button")), cdp.WaitVisible(cdp.CSS(".flash")))
	if st := text(t, bctx, row+" .user-status"); !strings.HasPrefix(st, "disabled since") {
		t.Errorf("Bank's user shows %q after disabling", st)
	}
	screenshot(t, bctx, dir, "admin-users")
	if res, _ := bank.get("/alerts"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("Bank's open session after disabling: %s, want a redirect to sign in", res.Status)
	}
	do(t, bctx, "sign out", cdp.Click(cdp.CSS("#signout")), cdp.WaitVisible(cdp.CSS("#signin")))
	do(t, bctx, "sign in as the disabled user",
		cdp.SendKeys(cdp.CSS("#email"), c.emails["Bank"]),
		cdp.SendKeys(cdp.CSS("#password"), password),
		cdp.Click(cdp.CSS("#signin")), cdp.WaitVisible(cdp.CSS("#error")))
	if msg := text(t, bctx, "#error"); !strings.Contains(msg, "wrong e-mail, password or code") {
		t.Errorf("the disabled user's sign-in says %q", msg)
	}
	if us, _ := c.hub.Users(ctx, hub.Console(), "Bank"); us[0].Disabled.IsZero() {
		t.Error("Bank's user is not disabled in the hub")
	}
}
