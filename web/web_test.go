package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

func TestSignInSessionAndSignOut(t *testing.T) {
	c := newCoalition(t)
	anon := &browser{t: t, c: c, hc: c.client()}
	res, _ := anon.get("/alerts")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin?next=") {
		t.Fatalf("anonymous inbox: %s %s, want a redirect to sign in", res.Status, res.Header.Get("Location"))
	}
	_, page := anon.get("/signin")
	res, body := anon.post("/signin", url.Values{"csrf": {csrfOf(page)}, "email": {c.emails["Bank"]}, "password": {"wrong password here"}})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "wrong e-mail, password or code") {
		t.Errorf("wrong password: %s", res.Status)
	}
	b := c.signIn("Bank")
	var session *http.Cookie
	for _, ck := range b.hc.Jar.Cookies(mustURL(c.srv.URL)) {
		if ck.Name == "vigie_session" {
			session = ck
		}
	}
	if session == nil {
		t.Fatal("no session cookie")
	}
	res, body = b.get("/alerts")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "bank@bank.example") {
		t.Fatalf("inbox after sign-in: %s", res.Status)
	}
	res, _ = b.post("/signout", url.Values{"csrf": {csrfOf(body)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %s", res.Status)
	}
	// The old cookie, replayed, opens nothing: the session is gone from the store.
	thief := &browser{t: t, c: c, hc: c.client()}
	thief.hc.Jar.SetCookies(mustURL(c.srv.URL), []*http.Cookie{{Name: "vigie_session", Value: session.Value}})
	if res, _ := thief.get("/alerts"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a signed-out session cookie still opens the inbox: %s", res.Status)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestCookieAndSecurityHeaders(t *testing.T) {
	c := newCoalition(t)
	b := &browser{t: t, c: c, hc: c.client()}
	_, page := b.get("/signin")
	res, _ := b.post("/signin", url.Values{"csrf": {csrfOf(page)}, "email": {c.emails["Helios"]}, "password": {password}})
	var set string
	for _, h := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(h, "vigie_session=") {
			set = h
		}
	}
	for _, attr := range []string{"HttpOnly", "Secure", "SameSite=Strict", "Max-Age=", "Path=/"} {
		if !strings.Contains(set, attr) {
			t.Errorf("session cookie %q lacks %s", set, attr)
		}
	}
	res, _ = b.get("/alerts")
	for h, want := range map[string]string{
		"Content-Security-Policy": "script-src 'self'",
		"X-Frame-Options":         "DENY",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
	} {
		if got := res.Header.Get(h); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want %q in it", h, got, want)
		}
	}
	if csp := res.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q", csp)
	}
}

// TestCSRF: a form that changes state is refused without this session's
// token (a forged form from another site, or a token of another
// session), and nothing changes.
func TestCSRF(t *testing.T) {
	c := newCoalition(t)
	c.alert("Helios", "k1", "198.51.100.3", vigie.SeverityHigh)
	b := c.signIn("Helios")
	other := c.signIn("CERT")
	_, inbox := b.get("/alerts")
	_, otherPage := other.get("/alerts")
	alerts, _ := c.hub.Alerts(ctx, c.principal("Helios"), vigie.AlertQuery{})
	id := alerts[0].ID
	for name, form := range map[string]url.Values{
		"no token":              {"state": {"resolved"}},
		"empty token":           {"state": {"resolved"}, "csrf": {""}},
		"another session's one": {"state": {"resolved"}, "csrf": {csrfOf(otherPage)}},
		"a made-up one":         {"state": {"resolved"}, "csrf": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}},
	} {
		res, body := b.post("/alerts/"+id+"/state", form)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %s, want 403: %s", name, res.Status, body)
		}
	}
	// A browser says when a form comes from another site.
	req, _ := http.NewRequest(http.MethodPost, c.srv.URL+"/alerts/"+id+"/state", strings.NewReader(url.Values{"state": {"resolved"}, "csrf": {csrfOf(inbox)}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if res, err := b.hc.Do(req); err != nil || res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site form: %v %v, want 403", res.Status, err)
	}
	if a, _ := c.hub.Alert(ctx, c.principal("Helios"), id); a.State != vigie.AlertNew {
		t.Fatalf("a refused form changed the alert to %s", a.State)
	}
	res, _ := b.post("/alerts/"+id+"/state", url.Values{"state": {"resolved"}, "csrf": {csrfOf(inbox)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the page's own form: %s", res.Status)
	}
	if a, _ := c.hub.Alert(ctx, c.principal("Helios"), id); a.State != vigie.AlertResolved {
		t.Errorf("alert state %s after the real form", a.State)
	}
	// The sign-in form is protected too (login CSRF).
	anon := &browser{t: t, c: c, hc: c.client()}
	if res, _ := anon.post("/signin", url.Values{"email": {c.emails["Bank"]}, "password": {password}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in without token: %s, want 403", res.Status)
	}
}

// principal returns the principal of org's user, as the dashboard gets it.
func (c *coalition) principal(org string) vigie.Principal {
	s, err := c.hub.SignIn(ctx, c.emails[org], password, "", "192.0.2.1")
	if err != nil {
		c.t.Fatal(err)
	}
	p, _, err := c.hub.UserSession(ctx, s.Secret, "192.0.2.1")
	if err != nil {
		c.t.Fatal(err)
	}
	return p
}

// TestTLPMatrix: each organisation searches every value and opens every
// object page; it sees exactly what TLP lets it read, and the pages of
// the others are "not found".
func TestTLPMatrix(t *testing.T) {
	c := newCoalition(t)
	for org, want := range visible {
		b := c.signIn(org)
		for _, v := range allValues {
			_, page := b.get("/search?q=" + url.QueryEscape(v))
			_, fullPage := b.get("/search?full=1&q=" + url.QueryEscape(v))
			found, foundFull := strings.Contains(page, "/objects/"+c.ids[v]), strings.Contains(fullPage, "/objects/"+c.ids[v])
			res, obj := b.get("/objects/" + c.ids[v])
			if may := slices.Contains(want, v); found != may || foundFull != may || (res.StatusCode == http.StatusOK) != may {
				t.Errorf("%s and %s: search found=%v (indexed) %v (full), object page %s; want visible=%v", org, v, found, foundFull, res.Status, may)
			} else if may && !strings.Contains(obj, "Lantern C2 "+v) {
				t.Errorf("%s: object page of %s lacks its name", org, v)
			}
		}
	}
}

func TestRolesOnPages(t *testing.T) {
	c := newCoalition(t)
	bank := c.signIn("Bank") // a reader
	for _, p := range []string{"/admin/orgs", "/admin/keys", "/admin/users", "/admin/audit", "/publish"} {
		if res, _ := bank.get(p); res.StatusCode != http.StatusForbidden {
			t.Errorf("reader GET %s: %s, want 403", p, res.Status)
		}
	}
	_, page := bank.get("/alerts")
	if res, _ := bank.post("/publish", url.Values{"csrf": {csrfOf(page)}, "values": {"203.0.113.9"}, "tlp": {"GREEN"}, "collection": {"hub/" + c.colls["coalition"].ID}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("reader publishing: %s, want 403", res.Status)
	}
	cert := c.signIn("CERT")
	for _, p := range []string{"/admin/orgs", "/admin/keys", "/admin/users", "/admin/audit", "/admin/communities", "/admin/collections"} {
		if res, body := cert.get(p); res.StatusCode != http.StatusOK || !strings.Contains(body, "<table") {
			t.Errorf("operator GET %s: %s", p, res.Status)
		}
	}
	if _, body := cert.get("/admin/audit"); !strings.Contains(body, "user.signin") {
		t.Error("the audit page does not show the sign-ins")
	}
}

func TestPublishNeedsTLP(t *testing.T) {
	c := newCoalition(t)
	b := c.signIn("Helios")
	_, page := b.get("/publish")
	form := url.Values{"csrf": {csrfOf(page)}, "values": {"203.0.113.9\nevil-lantern.example"}, "collection": {"hub/" + c.colls["energy"].ID}, "description": {"Lantern C2"}}
	res, body := b.post("/publish", form)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "choose a TLP level") || !strings.Contains(body, "evil-lantern.example") {
		t.Errorf("publish without TLP: %s; want 400, the reason and the form kept", res.Status)
	}
	form.Set("tlp", "AMBER")
	res, body = b.post("/publish", form)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "2 object(s) stored, 0 refused") {
		t.Fatalf("publish: %s", res.Status)
	}
	c.index()
	res2, _ := c.hub.Search(ctx, c.principal("CERT"), "evil-lantern.example", 0, false)
	if len(res2.Hits) != 1 || res2.Hits[0].TLP != vigie.TLPAmber || res2.Hits[0].Publisher != c.orgs["Helios"].ID {
		t.Errorf("CERT finds %+v", res2.Hits)
	}
	res3, _ := c.hub.Search(ctx, c.principal("Bank"), "evil-lantern.example", 0, false)
	if len(res3.Hits) != 0 {
		t.Errorf("Bank (not in energy) finds the AMBER indicator")
	}
}

func TestInboxPaging(t *testing.T) {
	c := newCoalition(t)
	for i := range 120 {
		c.alert("Bank", "k"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+string(rune('a'+i/26)), "198.51.100.2", vigie.SeverityMedium)
	}
	c.alert("Helios", "theirs", "198.51.100.3", vigie.SeverityHigh)
	b := c.signIn("Bank")
	seen := map[string]bool{}
	next := "/alerts"
	for pages := 0; next != "" && pages < 10; pages++ {
		_, body := b.get(next)
		if strings.Contains(body, "theirs") {
			t.Fatal("Bank's inbox shows Helios's alert")
		}
		for _, m := range alertRow.FindAllStringSubmatch(body, -1) {
			if seen[m[1]] {
				t.Errorf("alert %s on two pages", m[1])
			}
			seen[m[1]] = true
		}
		next = ""
		if m := nextLink.FindStringSubmatch(body); m != nil {
			next = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if len(seen) != 120 {
		t.Errorf("paged through %d alerts, want 120", len(seen))
	}
	_ = hub.SessionTTL
}

// TestLiveStreamEndsWithSession: the live alert stream sends new alerts,
// and ends once its session is signed out.
func TestLiveStreamEndsWithSession(t *testing.T) {
	c := newCoalition(t)
	b := c.signIn("Helios")
	_, inbox := b.get("/alerts")
	res, err := b.hc.Get(c.srv.URL + "/alerts/live?after=0")
	if err != nil || res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("live: %v %v", res, err)
	}
	defer res.Body.Close()
	c.alert("Helios", "live", "198.51.100.3", vigie.SeverityHigh)
	buf := make([]byte, 64<<10)
	var got strings.Builder
	for !strings.Contains(got.String(), "event: alert.created") {
		n, err := res.Body.Read(buf)
		if err != nil {
			t.Fatalf("stream ended before the alert: %v (%q)", err, got.String())
		}
		got.Write(buf[:n])
	}
	if !strings.Contains(got.String(), "198.51.100.3 live") {
		t.Errorf("event: %q", got.String())
	}
	b.post("/signout", url.Values{"csrf": {csrfOf(inbox)}})
	done := make(chan error, 1)
	go func() {
		for {
			if _, err := res.Body.Read(buf); err != nil {
				done <- err
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Error("the live stream goes on after sign-out")
	}
}

// TestNoSecretInLogs: the sign-in link's token, the password and the
// session secret never reach the server's request log.
func TestNoSecretInLogs(t *testing.T) {
	c := newCoalition(t)
	_, link, err := c.hub.AddUser(ctx, hub.Console(), "Bank", "new@bank.example", vigie.RoleReader)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, c: c, hc: c.client()}
	res, page := b.get("/signin/link?token=" + url.QueryEscape(link))
	if res.StatusCode != http.StatusOK || !strings.Contains(page, "new@bank.example") {
		t.Fatalf("link page: %s", res.Status)
	}
	const pw = "a secret passphrase nobody logs"
	res, _ = b.post("/signin/link", url.Values{"csrf": {csrfOf(page)}, "token": {link}, "password": {pw}, "confirm": {pw}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set password: %s", res.Status)
	}
	var session string
	for _, ck := range b.hc.Jar.Cookies(mustURL(c.srv.URL)) {
		if ck.Name == "vigie_session" {
			session = ck.Value
		}
	}
	if res, _ := b.get("/alerts"); res.StatusCode != http.StatusOK || session == "" {
		t.Fatalf("signed in by the link: %s", res.Status)
	}
	// The link is used: it opens nothing now.
	if res, _ := b.get("/signin/link?token=" + url.QueryEscape(link)); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a used link: %s, want 401", res.Status)
	}
	logs := c.logs.String()
	if !strings.Contains(logs, "/signin/link") {
		t.Fatalf("the request log has no line of the link page:\n%s", logs)
	}
	for name, secret := range map[string]string{"link token": link, "password": pw, "session": session} {
		if strings.Contains(logs, secret) || strings.Contains(logs, url.QueryEscape(secret)) {
			t.Errorf("the %s is in the request log", name)
		}
	}
}

// TestAnotherOrganisationsThings: a member guessing the ids of another
// organisation's alert or watchlist entry gets "not found", and nothing
// changes.
func TestAnotherOrganisationsThings(t *testing.T) {
	c := newCoalition(t)
	c.alert("Helios", "theirs", "198.51.100.3", vigie.SeverityHigh)
	helios := c.principal("Helios")
	alerts, _ := c.hub.Alerts(ctx, helios, vigie.AlertQuery{})
	w, err := c.hub.AddWatch(ctx, helios, vigie.WatchDomain, "helios.example")
	if err != nil {
		t.Fatal(err)
	}
	bank := c.signIn("Bank")
	cert := c.signIn("CERT") // even the operator reads another organisation's alerts only through its own
	for _, b := range []*browser{bank, cert} {
		res, page := b.get("/alerts/" + alerts[0].ID)
		if res.StatusCode != http.StatusNotFound || strings.Contains(page, "198.51.100.3") {
			t.Errorf("%s opening Helios's alert: %s", b.org, res.Status)
		}
		_, inbox := b.get("/alerts")
		if res, _ := b.post("/alerts/"+alerts[0].ID+"/state", url.Values{"csrf": {csrfOf(inbox)}, "state": {"resolved"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s resolving Helios's alert: %s", b.org, res.Status)
		}
		if res, _ := b.post("/watchlist/"+w.ID+"/delete", url.Values{"csrf": {csrfOf(inbox)}}); res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusForbidden {
			t.Errorf("%s deleting Helios's watch entry: %s", b.org, res.Status)
		}
		if _, page := b.get("/watchlist"); strings.Contains(page, "helios.example") {
			t.Errorf("%s sees Helios's watchlist", b.org)
		}
	}
	if a, _ := c.hub.Alert(ctx, helios, alerts[0].ID); a.State != vigie.AlertNew {
		t.Errorf("Helios's alert is now %s", a.State)
	}
	if ws, _ := c.hub.Watchlist(ctx, helios); !slices.ContainsFunc(ws, func(e *vigie.WatchEntry) bool { return e.ID == w.ID }) {
		t.Error("Helios's watch entry was deleted by another organisation")
	}
}

// TestTextSearchPage: each organisation's text search lists exactly the
// objects it may read; the query syntax is explained on the page, and a
// malformed query gets its message, not an error page.
func TestTextSearchPage(t *testing.T) {
	c := newCoalition(t)
	for org, want := range visible {
		b := c.signIn(org)
		res, page := b.get("/search?q=" + url.QueryEscape(`"lantern c2" lant*`))
		if res.StatusCode != http.StatusOK || !strings.Contains(page, `id="search-syntax"`) || !strings.Contains(page, "From the text index") {
			t.Fatalf("%s: text search page %s lacks the syntax or the text index note", org, res.Status)
		}
		for _, v := range allValues {
			if found, may := strings.Contains(page, "/objects/"+c.ids[v]), slices.Contains(want, v); found != may {
				t.Errorf("%s searching text: found %s=%v, want %v", org, v, found, may)
			}
		}
	}
	b := c.signIn("Bank")
	for q, msg := range map[string]string{`"lantern c2`: "close the quote", "*lantern": "end of a word", "lantern --- ***": "end of a word"} {
		res, page := b.get("/search?q=" + url.QueryEscape(q))
		if res.StatusCode != http.StatusOK || !strings.Contains(page, msg) {
			t.Errorf("search %q: %s, page without %q", q, res.Status, msg)
		}
	}
}

// TestRangeSearch: searching an address range finds the objects whose
// values are inside it, as each organisation may read them (the same
// matrix as TestTLPMatrix), and nothing outside the range.
func TestRangeSearch(t *testing.T) {
	c := newCoalition(t)
	for _, tc := range []struct {
		cidr   string
		inside []string
	}{
		{"198.51.100.0/24", allValues},
		{"198.51.96.0/20", allValues}, // not on a whole octet: 198.51.96. to 198.51.111.
		{"198.51.100.4/30", []string{"198.51.100.4", "198.51.100.5"}},
		{"198.51.100.2/31", []string{"198.51.100.2", "198.51.100.3"}},
		{"198.51.128.0/17", nil},
		{"198.51.101.0/24", nil},
	} {
		for org, want := range visible {
			_, page := c.signIn(org).get("/search?q=" + url.QueryEscape(tc.cidr))
			for _, v := range allValues {
				may := slices.Contains(want, v) && slices.Contains(tc.inside, v)
				if found := strings.Contains(page, "/objects/"+c.ids[v]); found != may {
					t.Errorf("%s searching %s: found %s=%v, want %v", org, tc.cidr, v, found, may)
				}
			}
		}
	}
}
