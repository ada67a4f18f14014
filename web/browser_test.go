package web_test

// Browser tests: github.com/chromedp/chromedp drives Debian's chromium
// (scripts/setup.sh installs it). Without a browser they skip, saying so.
// Screenshots of the main pages go to $VIGIE_SCREENSHOTS, or to the
// test's temporary directory.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdp "github.com/chromedp/chromedp"

	"github.com/vigie-cti/vigie"
)

// chromium returns the path of a Chromium or Chrome, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("VIGIE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no browser: install Debian's chromium (scripts/setup.sh does) or set VIGIE_CHROMIUM to run the browser tests")
	return ""
}

// newBrowser starts a headless browser with its own profile (no cookies
// shared with another test's) and returns a tab's context.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(cdp.DefaultExecAllocatorOptions[:],
		cdp.ExecPath(chromium(t)),
		cdp.Flag("ignore-certificate-errors", true), // the test server's certificate
		cdp.Flag("no-sandbox", true),                // root in CI containers
		cdp.WindowSize(1280, 900),
		cdp.UserDataDir(t.TempDir()),
	)
	actx, cancelA := cdp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := cdp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	if err := cdp.Do(ctx, cdp.Navigate("about:blank")); err != nil {
		t.Skipf("the browser does not start (%v): the browser tests need a working chromium", err)
	}
	return ctx
}

// shots is where screenshots go.
func shots(t *testing.T) string {
	if d := os.Getenv("VIGIE_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := cdp.Run(ctx, cdp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func do(t *testing.T, ctx context.Context, what string, steps ...cdp.Action[cdp.Void]) {
	t.Helper()
	if err := cdp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := cdp.Run(ctx, cdp.Text(cdp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// signInBrowser signs the user of org in through the sign-in page.
func (c *coalition) signInBrowser(t *testing.T, ctx context.Context, org string) {
	t.Helper()
	do(t, ctx, "sign in as "+org,
		cdp.Navigate(c.srv.URL+"/alerts"), // not signed in: sent to the sign-in page
		cdp.WaitVisible(cdp.CSS("#email")),
		cdp.SendKeys(cdp.CSS("#email"), c.emails[org]),
		cdp.SendKeys(cdp.CSS("#password"), password),
		cdp.Click(cdp.CSS("#signin")),
		cdp.WaitVisible(cdp.CSS("#alerts")),
	)
}

// TestBrowserAnalystDay: Helios's analyst signs in, sees an alert arrive
// while the inbox is open, opens it, acknowledges it, searches an
// address, opens the object, shares values at TLP:AMBER, signs out.
func TestBrowserAnalystDay(t *testing.T) {
	c := newCoalition(t)
	ctx := newBrowser(t)
	dir := shots(t)
	c.alert("Helios", "earlier", "198.51.100.2", vigie.SeverityMedium)
	c.signInBrowser(t, ctx, "Helios")
	if who := text(t, ctx, "#me-org"); who != "Helios" {
		t.Errorf("header shows organisation %q", who)
	}
	// The live stream is connected before the alert is raised.
	do(t, ctx, "live stream", cdp.WaitReady(cdp.CSS(`#alerts[data-connected="yes"]`)))
	c.alert("Helios", "live", "198.51.100.3", vigie.SeverityHigh)
	do(t, ctx, "live alert", cdp.WaitVisible(cdp.CSS("#alerts tbody tr.fresh")))
	if row := text(t, ctx, "#alerts tbody tr.fresh"); !strings.Contains(row, "198.51.100.3 live") {
		t.Errorf("live row %q", row)
	}
	if st := text(t, ctx, "#live-status"); !strings.Contains(st, "1 alert arrived") {
		t.Errorf("live status %q", st)
	}
	screenshot(t, ctx, dir, "inbox")

	do(t, ctx, "open the alert", cdp.Click(cdp.CSS("#alerts tbody tr.fresh a")), cdp.WaitVisible(cdp.CSS("#alert-state")))
	screenshot(t, ctx, dir, "alert")
	do(t, ctx, "acknowledge", cdp.Click(cdp.CSS("#mark-acknowledged")), cdp.WaitVisible(cdp.CSS(".flash")))
	if st := text(t, ctx, "#alert-state"); st != "acknowledged" {
		t.Errorf("alert state %q after acknowledging", st)
	}

	do(t, ctx, "search", cdp.Navigate(c.srv.URL+"/search"), cdp.SendKeys(cdp.CSS("#q"), "198.51.100.3"),
		cdp.Click(cdp.CSS("#search-go")), cdp.WaitVisible(cdp.CSS("#search-summary")))
	if s := text(t, ctx, "#search-summary"); !strings.Contains(s, "IPv4 address: 1 object") {
		t.Errorf("search summary %q", s)
	}
	screenshot(t, ctx, dir, "search")
	do(t, ctx, "object page", cdp.Click(cdp.CSS("table.hits tbody a")), cdp.WaitVisible(cdp.CSS("#object-tlp")))
	if tlp := text(t, ctx, "#object-tlp"); tlp != "TLP:AMBER" {
		t.Errorf("object TLP label %q", tlp)
	}
	do(t, ctx, "we saw this", cdp.Click(cdp.CSS("#sight")), cdp.WaitVisible(cdp.CSS(".flash")))
	if s := text(t, ctx, "#sightings"); !strings.HasPrefix(s, "1 by 1") {
		t.Errorf("sightings after we saw it: %q", s)
	}
	// The form proposed the collection that holds the indicator: the
	// sighting does not name it to Bank, which may not read it.
	if res, _ := c.hub.Search(ctx, c.principal("Bank"), c.ids["198.51.100.3"], 0, false); len(res.Hits) != 0 {
		t.Errorf("Bank finds %d objects naming the AMBER energy indicator", len(res.Hits))
	}
	screenshot(t, ctx, dir, "object")

	do(t, ctx, "publish", cdp.Navigate(c.srv.URL+"/publish"),
		cdp.SendKeys(cdp.CSS("#values"), "203.0.113.10\n203.0.113.11\nlantern-c2.example"),
		cdp.Click(cdp.CSS(`input[name="tlp"][value="AMBER"]`)),
		cdp.SetValue(cdp.CSS("#collection"), "hub/"+c.colls["energy"].ID),
		cdp.SendKeys(cdp.CSS("#description"), "Lantern C2 seen at Helios"),
		cdp.SendKeys(cdp.CSS("#coa"), "Block these at the perimeter."))
	screenshot(t, ctx, dir, "publish")
	do(t, ctx, "share", cdp.Click(cdp.CSS("#publish")), cdp.WaitVisible(cdp.CSS("#publish-result")))
	if s := text(t, ctx, "#publish-result"); s != "7 object(s) stored, 0 refused." {
		t.Errorf("publish result %q", s)
	}
	c.index()
	if res, _ := c.hub.Search(ctx, c.principal("Bank"), "lantern-c2.example", 0, false); len(res.Hits) != 0 {
		t.Error("Bank reads Helios's AMBER share in the energy-only collection")
	}
	if res, _ := c.hub.Search(ctx, c.principal("CERT"), "lantern-c2.example", 0, false); len(res.Hits) != 1 || res.Hits[0].TLP != vigie.TLPAmber {
		t.Errorf("CERT (in energy) finds %v", res.Hits)
	}

	do(t, ctx, "sign out", cdp.Click(cdp.CSS("#signout")), cdp.WaitVisible(cdp.CSS("#signin")))
	do(t, ctx, "inbox after sign-out", cdp.Navigate(c.srv.URL+"/alerts"), cdp.WaitVisible(cdp.CSS("#signin")))
}

// TestBrowserTLPMatrix: in a real browser, each organisation's user sees
// in search and on object pages exactly what TLP allows.
func TestBrowserTLPMatrix(t *testing.T) {
	c := newCoalition(t)
	dir := shots(t)
	for _, org := range []string{"CERT", "Helios", "Bank", "Outside"} {
		t.Run(org, func(t *testing.T) {
			ctx := newBrowser(t)
			c.signInBrowser(t, ctx, org)
			for _, v := range allValues {
				do(t, ctx, "search "+v, cdp.Navigate(c.srv.URL+"/search?q="+v), cdp.WaitVisible(cdp.CSS("#search-summary")))
				n, err := cdp.Run(ctx, cdp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll('a[href="/objects/%s"]').length`, c.ids[v])))
				if err != nil {
					t.Fatal(err)
				}
				may := slices.Contains(visible[org], v)
				if (n > 0) != may {
					t.Errorf("%s searching %s: %d links, want visible=%v", org, v, n, may)
				}
				do(t, ctx, "object "+v, cdp.Navigate(c.srv.URL+"/objects/"+c.ids[v]), cdp.WaitVisible(cdp.CSS("h1")))
				title := text(t, ctx, "h1")
				if (title == "Lantern C2 "+v) != may || (title == "Not Found") == may {
					t.Errorf("%s opening %s: page %q, want visible=%v", org, v, title, may)
				}
			}
			if org == "CERT" {
				do(t, ctx, "audit", cdp.Navigate(c.srv.URL+"/admin/audit"), cdp.WaitVisible(cdp.CSS("table")))
				screenshot(t, ctx, dir, "audit")
			}
		})
	}
}

// TestBrowserForgedForm: a page on another site posts a form to the hub
// while the user is signed in. The browser does not send the session
// cookie (SameSite=Strict), the form has no CSRF token, and nothing
// changes.
func TestBrowserForgedForm(t *testing.T) {
	c := newCoalition(t)
	c.alert("Helios", "target", "198.51.100.3", vigie.SeverityHigh)
	alerts, _ := c.hub.Alerts(ctx, c.principal("Helios"), vigie.AlertQuery{})
	id := alerts[0].ID

	// Record what reaches the hub's form endpoint.
	var mu sync.Mutex
	var seen []string
	inner := c.srv.Config.Handler
	c.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/state") {
			_, err := r.Cookie("vigie_session")
			mu.Lock()
			seen = append(seen, fmt.Sprintf("cookie=%v site=%s", err == nil, r.Header.Get("Sec-Fetch-Site")))
			mu.Unlock()
		}
		inner.ServeHTTP(w, r)
	})
	// The attacker's site: another origin (plain HTTP, another port).
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!doctype html><title>free prize</title>
<form id="f" method="post" action="%s/alerts/%s/state"><input type="hidden" name="state" value="resolved"><button id="go">Claim</button></form>`, c.srv.URL, id)
	}))
	defer evil.Close()

	bctx := newBrowser(t)
	c.signInBrowser(t, bctx, "Helios")
	do(t, bctx, "forged form", cdp.Navigate(evil.URL), cdp.Click(cdp.CSS("#go")), cdp.WaitVisible(cdp.CSS("h1")))
	if h1 := text(t, bctx, "h1"); h1 != "Forbidden" {
		t.Errorf("the hub answered the forged form with %q, want Forbidden", h1)
	}
	mu.Lock()
	got := slices.Clone(seen)
	mu.Unlock()
	if len(got) != 1 || got[0] != "cookie=false site=cross-site" {
		t.Errorf("requests the forged form made: %v; want one, cross-site, without the session cookie", got)
	}
	if a, _ := c.hub.Alert(ctx, c.principal("Helios"), id); a.State != vigie.AlertNew {
		t.Errorf("the forged form changed the alert to %s", a.State)
	}
	// The user is still signed in, and the hub's own form works.
	do(t, bctx, "own form", cdp.Navigate(c.srv.URL+"/alerts/"+id), cdp.Click(cdp.CSS("#mark-resolved")), cdp.WaitVisible(cdp.CSS(".flash")))
	if a, _ := c.hub.Alert(ctx, c.principal("Helios"), id); a.State != vigie.AlertResolved {
		t.Errorf("the hub's own form left the alert %s", a.State)
	}
}
