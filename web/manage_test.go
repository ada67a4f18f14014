package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/server"
	"github.com/vigie-cti/vigie/web"
)

// addUser adds a user with a password, signed in later as c.signIn(as).
func (c *coalition) addUser(as, org, email string, role vigie.Role) *vigie.User {
	c.t.Helper()
	u, link, err := c.hub.AddUser(ctx, hub.Console(), org, email, role)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := c.hub.SetPassword(ctx, link, password, "192.0.2.1"); err != nil {
		c.t.Fatal(err)
	}
	c.emails[as] = email
	return u
}

// userOf returns the account of org's user of newCoalition.
func (c *coalition) userOf(org string) *vigie.User {
	c.t.Helper()
	us, err := c.hub.Users(ctx, hub.Console(), org)
	if err != nil {
		c.t.Fatal(err)
	}
	for _, u := range us {
		if u.Email == c.emails[org] {
			return u
		}
	}
	c.t.Fatalf("no user %s", c.emails[org])
	return nil
}

// postForm posts a form with the CSRF token of the user's session.
func (b *browser) postForm(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	_, page := b.get("/alerts")
	f := url.Values{"csrf": {csrfOf(page)}}
	for k, v := range form {
		f[k] = v
	}
	return b.post(path, f)
}

// TestOperatorPagesRefuseMembers: a reader, a publisher and an admin of
// member organisations get 403 on every operator page and form, and
// nothing changes.
func TestOperatorPagesRefuseMembers(t *testing.T) {
	c := newCoalition(t)
	c.addUser("Helios admin", "Helios", "boss@helios.example", vigie.RoleAdmin)
	k, _, err := c.hub.AddKey(ctx, hub.Console(), "Bank", vigie.RoleReader, "bank-sensor", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	comms, _ := c.hub.Communities(ctx, hub.Console())
	energy := comms[slices.IndexFunc(comms, func(x *vigie.Community) bool { return x.Name == "energy" })]
	forms := map[string]url.Values{
		"/admin/orgs":                     {"name": {"Evil Org"}},
		"/admin/keys":                     {"org": {c.orgs["Helios"].ID}, "role": {"operator"}},
		"/admin/keys/" + k.ID + "/revoke": {},
		"/admin/communities":              {"name": {"evil"}, "member": {c.orgs["Helios"].ID}},
		"/admin/communities/" + energy.ID + "/members":        {"org": {c.orgs["Bank"].ID}},
		"/admin/communities/" + energy.ID + "/members/remove": {"org": {c.orgs["CERT"].ID}},
		"/admin/collections":                                  {"root": {"hub"}, "title": {"evil"}, "read": {"public"}, "write": {"org:Helios"}},
		"/admin/peers/any/pause":                              {},
		"/admin/peers/any/resume":                             {},
	}
	for _, as := range []string{"Bank", "Helios", "Helios admin"} {
		b := c.signIn(as)
		for _, p := range []string{"/admin/orgs", "/admin/keys", "/admin/communities", "/admin/collections", "/admin/peers", "/admin/feeds"} {
			if res, _ := b.get(p); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %s, want 403", as, p, res.Status)
			}
		}
		for p, form := range forms {
			if res, _ := b.postForm(p, form); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s POST %s: %s, want 403", as, p, res.Status)
			}
		}
		if as != "Helios admin" { // readers and publishers disable no one
			if res, _ := b.postForm("/admin/users/"+c.userOf("Outside").ID+"/disable", nil); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s disabling a user: %s, want 403", as, res.Status)
			}
		}
		if _, page := b.get("/alerts"); strings.Contains(page, `href="/admin/keys"`) || strings.Contains(page, `href="/admin/peers"`) {
			t.Errorf("%s's menu offers operator pages", as)
		}
	}
	if !c.userOf("Outside").Disabled.IsZero() {
		t.Error("a member disabled another organisation's user")
	}
	if orgs, _ := c.hub.Orgs(ctx, hub.Console()); len(orgs) != 4 {
		t.Errorf("%d organisations, want the 4 of the test", len(orgs))
	}
	if keys, _ := c.hub.Keys(ctx, hub.Console(), ""); len(keys) != 1 || !keys[0].Revoked.IsZero() {
		t.Errorf("keys after the members' tries: %+v", keys)
	}
	if comms, _ := c.hub.Communities(ctx, hub.Console()); len(comms) != 2 || !slices.Equal(membersOf(comms, "energy"), membersOf([]*vigie.Community{energy}, "energy")) {
		t.Errorf("communities after the members' tries: %d, energy %v", len(comms), membersOf(comms, "energy"))
	}
	if cols, _ := c.hub.AllCollections(ctx, hub.Console()); slices.ContainsFunc(cols, func(x *vigie.Collection) bool { return x.Title == "evil" }) {
		t.Error("a member created a collection")
	}
}

func membersOf(cs []*vigie.Community, name string) []string {
	for _, c := range cs {
		if c.Name == name {
			m := slices.Clone(c.Members)
			slices.Sort(m)
			return m
		}
	}
	return nil
}

// TestOperatorCreates: the operator adds an organisation, a community
// with members (then removes and adds one), and a collection with
// grants; each change is the hub's, audited as `vigie admin` would be.
func TestOperatorCreates(t *testing.T) {
	c := newCoalition(t)
	cert := c.signIn("CERT")
	res, _ := cert.postForm("/admin/orgs", url.Values{"name": {"Nord Energie"}, "sectors": {"energy, utilities"}, "country": {"fr"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add org: %s", res.Status)
	}
	if _, page := cert.get(res.Header.Get("Location")); !strings.Contains(page, "Nord Energie") || !strings.Contains(page, "Organisation added.") {
		t.Error("the organisations page does not show the new one")
	}
	if res, page := cert.postForm("/admin/orgs", url.Values{"name": {"Nord Energie"}}); res.StatusCode != http.StatusConflict || !strings.Contains(page, `id="error"`) {
		t.Errorf("a taken name: %s", res.Status)
	}
	nord, err := c.hub.Whoami(ctx, vigie.Principal{OrgID: mustOrg(t, c, "Nord Energie").ID, Role: vigie.RoleReader})
	if err != nil || nord.Country != "FR" || !slices.Equal(nord.Sectors, []string{"energy", "utilities"}) {
		t.Fatalf("the new organisation: %+v, %v", nord, err)
	}
	if res, _ := cert.postForm("/admin/communities", url.Values{"name": {"nord"}, "member": {c.orgs["CERT"].ID, nord.ID}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add community: %s", res.Status)
	}
	comms, _ := c.hub.Communities(ctx, hub.Console())
	nc := comms[slices.IndexFunc(comms, func(x *vigie.Community) bool { return x.Name == "nord" })]
	if res, _ := cert.postForm("/admin/communities/"+nc.ID+"/members/remove", url.Values{"org": {c.orgs["CERT"].ID}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove member: %s", res.Status)
	}
	if res, _ := cert.postForm("/admin/communities/"+nc.ID+"/members", url.Values{"org": {c.orgs["Bank"].ID}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add member: %s", res.Status)
	}
	comms, _ = c.hub.Communities(ctx, hub.Console())
	want := []string{c.orgs["Bank"].ID, nord.ID}
	slices.Sort(want)
	if got := membersOf(comms, "nord"); !slices.Equal(got, want) {
		t.Errorf("nord's members %v, want Bank and Nord Energie", got)
	}
	res, _ = cert.postForm("/admin/collections", url.Values{"root": {"nord"}, "title": {"Nord sharing"},
		"read": {"public", "community:" + nc.ID}, "write": {"org:" + nord.ID}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add collection: %s", res.Status)
	}
	cols, _ := c.hub.AllCollections(ctx, hub.Console())
	i := slices.IndexFunc(cols, func(x *vigie.Collection) bool { return x.Title == "Nord sharing" })
	if i < 0 || cols[i].Root != "nord" || vigie.GrantsList(cols[i].Read) != "public,community:nord" || vigie.GrantsList(cols[i].Write) != "org:Nord Energie" {
		t.Fatalf("the new collection: %+v", cols)
	}
	if res, _ := cert.postForm("/admin/collections", url.Values{"root": {"nord"}, "title": {"Bad"}, "read": {"community:nobody"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("a grant to an unknown community: %s, want 404", res.Status)
	}
	_, audit := cert.get("/admin/audit")
	for _, action := range []string{"org.add", "community.add", "community.member.rm", "community.member.add", "collection.add"} {
		if !strings.Contains(audit, "<td>"+action+"</td>") {
			t.Errorf("the audit page lacks %s", action)
		}
	}
}

func mustOrg(t *testing.T, c *coalition, name string) *vigie.Org {
	t.Helper()
	orgs, _ := c.hub.Orgs(ctx, hub.Console())
	for _, o := range orgs {
		if o.Name == name {
			return o
		}
	}
	t.Fatalf("no organisation %s", name)
	return nil
}

var newKeySecret = regexp.MustCompile(`id="new-key-secret">([^<]+)<`)

// TestKeySecretShownOnce: a key's secret is in the answer that creates
// it, once, and never in the keys page, the audit page, the audit log or
// the logs; it works until revoked from the page.
func TestKeySecretShownOnce(t *testing.T) {
	c := newCoalition(t)
	var logs lockedBuffer // the dashboard's log and the server's
	d := web.New(c.hub, web.Options{Title: "vigie test hub", Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	c.srv.Config.Handler = server.New(c.hub, server.Options{Dashboard: d, Logger: slog.New(slog.NewTextHandler(&logs, nil))}).Handler()
	cert := c.signIn("CERT")
	res, page := cert.postForm("/admin/keys", url.Values{"org": {c.orgs["Helios"].ID}, "role": {"publisher"}, "name": {"soc-sensor"}, "expires": {"2030-01-31"}})
	m := newKeySecret.FindStringSubmatch(page)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("create key: %s, no secret shown", res.Status)
	}
	token := m[1]
	if n := strings.Count(page, token); n != 1 {
		t.Errorf("the creation page shows the secret %d times, want once", n)
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("the page with the secret may be cached: %q", res.Header.Get("Cache-Control"))
	}
	p, err := c.hub.Authenticate(ctx, token, "192.0.2.7")
	if err != nil || p.OrgID != c.orgs["Helios"].ID || p.Role != vigie.RolePublisher {
		t.Fatalf("the shown secret authenticates as %+v, %v", p, err)
	}
	_, secret, _ := vigie.SplitToken(token)
	_, keys := cert.get("/admin/keys")
	_, audit := cert.get("/admin/audit?since=all")
	entries, _ := c.hub.Audit(ctx, hub.Console(), vigie.AuditQuery{})
	stored, _ := json.Marshal(entries)
	for where, text := range map[string]string{"keys page": keys, "audit page": audit, "audit log": string(stored), "logs": logs.String()} {
		if strings.Contains(text, token) || (secret != "" && strings.Contains(text, secret)) {
			t.Errorf("the key's secret is in the %s", where)
		}
	}
	if !strings.Contains(audit, "key.add") || !strings.Contains(keys, "soc-sensor") || !strings.Contains(logs.String(), "/admin/keys") {
		t.Fatal("the pages or logs checked do not show the key at all: the check above proves nothing")
	}
	kid := p.KeyID
	if res, _ := cert.postForm("/admin/keys/"+kid+"/revoke", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %s", res.Status)
	}
	if _, err := c.hub.Authenticate(ctx, token, "192.0.2.7"); err == nil {
		t.Error("a revoked key still authenticates")
	}
	if res, _ := cert.postForm("/admin/keys", url.Values{"org": {c.orgs["Helios"].ID}, "role": {"reader"}, "expires": {"next week"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad expiry: %s, want 400", res.Status)
	}
}

// TestDisabledUserLocksOut: the operator disables a user: the user's open
// session is refused at once and sign-in fails with the one answer; once
// enabled, the user signs in again.
func TestDisabledUserLocksOut(t *testing.T) {
	c := newCoalition(t)
	bank := c.signIn("Bank")
	cert := c.signIn("CERT")
	u := c.userOf("Bank")
	if res, _ := cert.postForm("/admin/users/"+u.ID+"/disable", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %s", res.Status)
	}
	if res, _ := bank.get("/alerts"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
		t.Errorf("the disabled user's open session: %s, want a redirect to sign in", res.Status)
	}
	anon := &browser{t: t, c: c, hc: c.client()}
	_, page := anon.get("/signin")
	if res, body := anon.post("/signin", url.Values{"csrf": {csrfOf(page)}, "email": {c.emails["Bank"]}, "password": {password}}); res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "wrong e-mail, password or code") {
		t.Errorf("sign-in of a disabled user: %s", res.Status)
	}
	if _, users := cert.get("/admin/users"); !strings.Contains(users, "disabled since") {
		t.Error("the users page does not say the user is disabled")
	}
	if res, _ := cert.postForm("/admin/users/"+c.userOf("CERT").ID+"/disable", nil); res.StatusCode != http.StatusBadRequest {
		t.Errorf("the operator disabling itself: %s, want 400", res.Status)
	}
	if res, _ := cert.postForm("/admin/users/"+u.ID+"/enable", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable: %s", res.Status)
	}
	c.signIn("Bank") // fails the test if refused
}

// TestAdminDisablesOwnUsersOnly: an organisation's admin disables a user
// of its own organisation; another organisation's user answers 404, as
// an unknown one does, and stays enabled.
func TestAdminDisablesOwnUsersOnly(t *testing.T) {
	c := newCoalition(t)
	c.addUser("Helios admin", "Helios", "boss@helios.example", vigie.RoleAdmin)
	boss := c.signIn("Helios admin")
	if _, page := boss.get("/admin/users"); strings.Contains(page, c.emails["Bank"]) || !strings.Contains(page, c.emails["Helios"]) {
		t.Error("the admin's users page shows another organisation's users, or not its own")
	}
	for _, id := range []string{c.userOf("Bank").ID, vigie.NewUUID()} {
		if res, _ := boss.postForm("/admin/users/"+id+"/disable", nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("Helios's admin disabling user %s: %s, want 404", id, res.Status)
		}
	}
	if !c.userOf("Bank").Disabled.IsZero() {
		t.Error("Helios's admin disabled Bank's user")
	}
	if res, _ := boss.postForm("/admin/users/"+c.userOf("Helios").ID+"/disable", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("Helios's admin disabling Helios's publisher: %s", res.Status)
	}
}

// TestForgedOperatorForms: forms without the session's CSRF token, with
// another session's, or marked cross-site by the browser change nothing.
func TestForgedOperatorForms(t *testing.T) {
	c := newCoalition(t)
	cert := c.signIn("CERT")
	_, other := c.signIn("Helios").get("/alerts")
	u := c.userOf("Bank")
	for name, form := range map[string]url.Values{
		"no token":          {"org": {c.orgs["Helios"].ID}, "role": {"operator"}},
		"another session's": {"csrf": {csrfOf(other)}, "org": {c.orgs["Helios"].ID}, "role": {"operator"}},
		"a token made up":   {"csrf": {"AAAA"}, "org": {c.orgs["Helios"].ID}, "role": {"operator"}},
	} {
		for _, p := range []string{"/admin/keys", "/admin/users/" + u.ID + "/disable", "/admin/orgs"} {
			if res, _ := cert.post(p, form); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s POST %s: %s, want 403", name, p, res.Status)
			}
		}
	}
	_, page := cert.get("/admin/keys")
	req, _ := http.NewRequest("POST", c.srv.URL+"/admin/keys", strings.NewReader(url.Values{"csrf": {csrfOf(page)}, "org": {c.orgs["Helios"].ID}, "role": {"reader"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if res, err := cert.hc.Do(req); err != nil || res.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site POST with a good token: %v %v, want 403", res.Status, err)
	}
	if keys, _ := c.hub.Keys(ctx, hub.Console(), ""); len(keys) != 0 {
		t.Errorf("forged forms made %d keys", len(keys))
	}
	if !c.userOf("Bank").Disabled.IsZero() {
		t.Error("a forged form disabled a user")
	}
}

var newWebhookSecret = regexp.MustCompile(`id="new-webhook-secret">([^<]+)<`)

// TestWebhooksPage: a publisher adds its organisation's webhook (the
// address guard applies), sees the secret the hub made once, sends a
// test and removes it; another organisation's admin can neither see nor
// touch it (404, like an id that does not exist); a reader changes nothing.
func TestWebhooksPage(t *testing.T) {
	c := newCoalition(t)
	helios := c.signIn("Helios")
	res, page := helios.postForm("/webhooks", url.Values{"url": {"https://203.0.113.50/vigie"}})
	m := newWebhookSecret.FindStringSubmatch(page)
	if res.StatusCode != http.StatusOK || m == nil || strings.Count(page, m[1]) != 1 {
		t.Fatalf("add webhook: %s; secret shown once: %v", res.Status, m)
	}
	if _, list := helios.get("/webhooks"); strings.Contains(list, m[1]) || !strings.Contains(list, "https://203.0.113.50/vigie") {
		t.Error("the webhooks page shows the secret again, or not the webhook")
	}
	const chosen = "a-secret-chosen-by-helios"
	if _, page := helios.postForm("/webhooks", url.Values{"url": {"https://203.0.113.51/vigie"}, "secret": {chosen}}); strings.Contains(page, chosen) {
		t.Error("the page echoes the secret the member chose")
	}
	for _, bad := range []string{"http://127.0.0.1:8080/", "https://169.254.169.254/latest", "https://[::1]/x"} {
		if res, page := helios.postForm("/webhooks", url.Values{"url": {bad}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(page, "internal address") {
			t.Errorf("webhook to %s: %s", bad, res.Status)
		}
	}
	hooks, _ := c.hub.Webhooks(ctx, c.principal("Helios"))
	if len(hooks) != 2 {
		t.Fatalf("Helios has %d webhooks, want 2", len(hooks))
	}
	id := hooks[slices.IndexFunc(hooks, func(h *vigie.Webhook) bool { return h.URL == "https://203.0.113.50/vigie" })].ID
	if res, _ := helios.postForm("/webhooks/"+id+"/test", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("test: %s", res.Status)
	}
	if _, list := helios.get("/webhooks?done=tested"); !strings.Contains(list, "Test delivery queued") || !strings.Contains(list, "<td>test</td>") {
		t.Error("the page shows no test delivery")
	}

	c.addUser("Bank admin", "Bank", "boss@bank.example", vigie.RoleAdmin)
	for _, as := range []string{"Bank admin", "CERT"} {
		b := c.signIn(as)
		if _, list := b.get("/webhooks"); strings.Contains(list, "203.0.113.5") {
			t.Errorf("%s sees Helios's webhooks", as)
		}
		for _, action := range []string{"delete", "test"} {
			resTheirs, _ := b.postForm("/webhooks/"+id+"/"+action, nil)
			resNone, _ := b.postForm("/webhooks/"+vigie.NewUUID()+"/"+action, nil)
			if resTheirs.StatusCode != http.StatusNotFound || resNone.StatusCode != http.StatusNotFound {
				t.Errorf("%s: %s Helios's webhook: %s; an unknown one: %s; want 404 for both", as, action, resTheirs.Status, resNone.Status)
			}
		}
		if _, list := b.get("/webhooks"); strings.Contains(list, "<td>test</td>") {
			t.Errorf("%s sees Helios's test delivery", as)
		}
	}
	bank := c.signIn("Bank") // a reader
	if res, _ := bank.postForm("/webhooks", url.Values{"url": {"https://203.0.113.52/x"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a reader adding a webhook: %s, want 403", res.Status)
	}
	if ds, _ := c.hub.Deliveries(ctx, c.principal("Helios"), ""); len(ds) != 1 {
		t.Errorf("Helios has %d deliveries, want the one test", len(ds))
	}
	if res, _ := helios.postForm("/webhooks/"+id+"/delete", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %s", res.Status)
	}
	if hooks, _ := c.hub.Webhooks(ctx, c.principal("Helios")); len(hooks) != 1 {
		t.Errorf("Helios has %d webhooks after removing one, want 1", len(hooks))
	}
}

// failingFetcher fails every fetch quoting the URL, as an HTTP client does.
type failingFetcher struct{}

func (failingFetcher) Fetch(_ context.Context, url string, _ []string, _ io.Writer) error {
	return fmt.Errorf("%s answered 403 Forbidden", url)
}

// TestPeersAndFeedsPages: the operator sees peers (state, lag, last
// error) and pauses and resumes one, and feeds (state, age, last error);
// never a peer's key, a feed's header values or the secret parts of its
// URL.
func TestPeersAndFeedsPages(t *testing.T) {
	c := newCoalition(t)
	const peerKey = "vigie_peerkeyid1_Th1sIsThePeersSecretPart0000000000000"
	if err := c.hub.AddPeer(ctx, hub.Console(), &vigie.Peer{Name: "hub-b", URL: "https://hub-b.example:8443/coalition/", Key: vigie.Secret(peerKey),
		RemoteCollection: vigie.NewUUID(), LocalCollection: c.colls["coalition"].ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.hub.AddFeed(ctx, hub.Console(), hub.FeedSpec{Name: "abuse-list", URL: "https://feeds.example/x/t0kenInPath/list.csv?apikey=s3cretQueryKey",
		Format: vigie.FeedCSV, Root: "hub", Collection: c.colls["coalition"].ID, Org: "CERT", Headers: []string{"Authorization: Bearer h3aderSecret"},
		Columns: vigie.FeedColumns{Value: 1, Type: "ip-dst"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.hub.RunFeed(ctx, hub.Console(), "abuse-list", failingFetcher{}); err != nil {
		t.Fatal(err)
	}
	cert := c.signIn("CERT")
	_, peers := cert.get("/admin/peers")
	if !strings.Contains(peers, "hub-b") || !strings.Contains(peers, `<td class="peer-state">starting</td>`) {
		t.Errorf("the peers page lacks the peer or its state")
	}
	if strings.Contains(peers, "Th1sIsThePeersSecretPart") {
		t.Error("the peers page shows the peer's key")
	}
	if res, _ := cert.postForm("/admin/peers/hub-b/pause", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("pause: %s", res.Status)
	}
	if p, _ := c.hub.Peer(ctx, hub.Console(), "hub-b"); !p.Paused {
		t.Error("the peer is not paused")
	}
	if _, peers := cert.get("/admin/peers"); !strings.Contains(peers, `<td class="peer-state">paused</td>`) || !strings.Contains(peers, "Resume") {
		t.Error("the peers page does not show the pause")
	}
	if res, _ := cert.postForm("/admin/peers/hub-b/resume", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("resume: %s", res.Status)
	}
	if p, _ := c.hub.Peer(ctx, hub.Console(), "hub-b"); p.Paused {
		t.Error("the peer is still paused")
	}
	if res, _ := cert.postForm("/admin/peers/nobody/pause", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("pausing an unknown peer: %s, want 404", res.Status)
	}
	_, feeds := cert.get("/admin/feeds")
	if !strings.Contains(feeds, "abuse-list") || !strings.Contains(feeds, `<td class="feed-state">failing</td>`) || !strings.Contains(feeds, "answered 403 Forbidden") {
		t.Errorf("the feeds page lacks the feed, its state or its error")
	}
	for _, secret := range []string{"t0kenInPath", "s3cretQueryKey", "h3aderSecret"} {
		if strings.Contains(feeds, secret) {
			t.Errorf("the feeds page shows %q", secret)
		}
	}
}
