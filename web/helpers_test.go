package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/alert"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/netguard"
	"github.com/vigie-cti/vigie/server"
	"github.com/vigie-cti/vigie/store/sqlite"
	"github.com/vigie-cti/vigie/web"
)

var ctx = context.Background()

const password = "correct horse battery staple"

// coalition is a hub behind the real server (TAXII, API and dashboard)
// on HTTPS, seeded with four organisations:
//
//	CERT    operator; in communities "energy" and "all"
//	Helios  publisher; in "energy" and "all"
//	Bank    reader; in "all" only
//	Outside reader; in no community
//
// and objects at every level, each with its own value so that a search
// tells which ones a reader sees:
//
//	198.51.100.1  CLEAR  in "coalition" (read: all, public)
//	198.51.100.2  GREEN  in "coalition"
//	198.51.100.3  AMBER  in "energy" (read: energy)
//	198.51.100.4  RED    in "coalition", recipient Helios
//	198.51.100.5  RED    in "coalition", no recipient
type coalition struct {
	t      testing.TB
	srv    *httptest.Server
	hub    *hub.Hub
	store  *sqlite.Store
	orgs   map[string]*vigie.Org
	emails map[string]string
	colls  map[string]*vigie.Collection
	ids    map[string]string // value -> indicator id
	engine *alert.Engine     // fills the correlation index search reads
	logs   lockedBuffer      // the server's request log
}

// lockedBuffer is a log destination safe for concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// index runs the early-warning engine over every object not yet seen, as
// vigie serve does after each publish: it fills the correlation index.
func (c *coalition) index() {
	c.t.Helper()
	for {
		n, err := c.engine.RunOnce(ctx)
		if err != nil {
			c.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// visible is, per organisation, the values of the matrix above it may
// read: the same rules as the TAXII tests.
var visible = map[string][]string{
	"CERT":    {"198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4", "198.51.100.5"}, // the publisher reads its own
	"Helios":  {"198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"},
	"Bank":    {"198.51.100.1", "198.51.100.2"},
	"Outside": {"198.51.100.1"}, // the public part of a public collection
}

var allValues = []string{"198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4", "198.51.100.5"}

func newCoalition(t testing.TB) *coalition {
	t.Helper()
	return newCoalitionWith(t, nil)
}

// newCoalitionWith is newCoalition whose dashboard offers the OIDC
// providers oidc returns for the hub's URL (nil: none).
func newCoalitionWith(t testing.TB, oidc func(hubURL string) []web.OIDCProvider) *coalition {
	t.Helper()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "vigie.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := hub.New(st, hub.Config{Guard: netguard.New(nil)}, time.Now) // webhooks to internal addresses refused
	c := &coalition{t: t, hub: h, store: st, orgs: map[string]*vigie.Org{}, emails: map[string]string{}, colls: map[string]*vigie.Collection{}, ids: map[string]string{}}
	roles := map[string]vigie.Role{"CERT": vigie.RoleOperator, "Helios": vigie.RolePublisher, "Bank": vigie.RoleReader, "Outside": vigie.RoleReader}
	for _, name := range []string{"CERT", "Helios", "Bank", "Outside"} {
		if c.orgs[name], err = h.AddOrg(ctx, hub.Console(), name, []string{"energy"}, "FR"); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = h.AddCommunity(ctx, hub.Console(), "energy", []string{"CERT", "Helios"})
	must(err)
	_, err = h.AddCommunity(ctx, hub.Console(), "all", []string{"CERT", "Helios", "Bank"})
	must(err)
	c.colls["coalition"], err = h.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "hub", Title: "Coalition", Read: []string{"community:all", "public"}, Write: []string{"community:all"}})
	must(err)
	c.colls["energy"], err = h.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "hub", Title: "Energy ISAC", Read: []string{"community:energy"}, Write: []string{"community:energy"}})
	must(err)
	cert, err := h.ActAs(ctx, hub.Console(), "CERT", vigie.RolePublisher)
	must(err)
	for _, tc := range []struct {
		value, coll string
		tlp         vigie.TLP
		recipients  []string
	}{
		{"198.51.100.1", "coalition", vigie.TLPClear, nil},
		{"198.51.100.2", "coalition", vigie.TLPGreen, nil},
		{"198.51.100.3", "energy", vigie.TLPAmber, nil},
		{"198.51.100.4", "coalition", vigie.TLPRed, []string{c.orgs["Helios"].ID}},
		{"198.51.100.5", "coalition", vigie.TLPRed, nil},
	} {
		id := "indicator--" + vigie.NewUUID()
		ts := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
		o := map[string]any{"type": "indicator", "spec_version": "2.1", "id": id, "created": ts, "modified": ts,
			"created_by_ref": c.orgs["CERT"].ID, "name": "Lantern C2 " + tc.value, "pattern": "[ipv4-addr:value = '" + tc.value + "']",
			"pattern_type": "stix", "valid_from": ts, "object_marking_refs": []string{vigie.MarkingRef(tc.tlp)}}
		if tc.recipients != nil {
			o[vigie.RecipientsProperty] = tc.recipients
		}
		raw, _ := json.Marshal(o)
		col, a, err := h.Collection(ctx, cert, "hub", c.colls[tc.coll].ID)
		must(err)
		st, err := h.Publish(ctx, cert, a, col, []json.RawMessage{raw})
		if err != nil || len(st.Failures) > 0 {
			t.Fatalf("seeding %s: %+v, %v", tc.value, st, err)
		}
		c.ids[tc.value] = id
	}
	c.engine = alert.New(st, alert.Options{DefaultTLP: vigie.TLPGreen})
	c.index()
	c.srv = httptest.NewUnstartedServer(nil)
	opts := web.Options{Title: "vigie test hub", Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil))}
	if oidc != nil {
		opts.OIDC = oidc("https://" + c.srv.Listener.Addr().String())
	}
	c.srv.Config.Handler = server.New(h, server.Options{Dashboard: web.New(h, opts), Logger: slog.New(slog.NewTextHandler(&c.logs, nil))}).Handler()
	c.srv.StartTLS()
	t.Cleanup(c.srv.Close)
	for name, role := range roles {
		email := strings.ToLower(name) + "@" + strings.ToLower(name) + ".example"
		_, link, err := h.AddUser(ctx, hub.Console(), name, email, role)
		must(err)
		_, err = h.SetPassword(ctx, link, password, "192.0.2.1")
		must(err)
		c.emails[name] = email
	}
	return c
}

// alert records an alert for org about the indicator of value.
func (c *coalition) alert(org, key, value string, sev vigie.Severity) {
	c.t.Helper()
	a := &vigie.Alert{OrgID: c.orgs[org].ID, Trigger: vigie.TriggerWatchlist, Severity: sev, DedupKey: key, Title: "Lantern C2 in your range: " + value + " " + key,
		Objects: []vigie.ObjectRef{{ID: c.ids[value], Type: "indicator", Name: "Lantern C2 " + value}}}
	if _, err := c.store.RecordAlerts(ctx, &vigie.AlertBatch{Now: time.Now(), Alerts: []*vigie.Alert{a}}); err != nil {
		c.t.Fatal(err)
	}
}

// browser is a signed-in HTTP client of the dashboard.
type browser struct {
	t   testing.TB
	c   *coalition
	hc  *http.Client
	org string
}

// client returns a client that keeps cookies and does not follow redirects.
func (c *coalition) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	hc := *c.srv.Client() // a copy: the server's client is shared
	hc.Jar = jar
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}

// signIn signs in the user of org through the sign-in form.
func (c *coalition) signIn(org string) *browser {
	c.t.Helper()
	b := &browser{t: c.t, c: c, hc: c.client(), org: org}
	_, body := b.get("/signin")
	res, _ := b.post("/signin", url.Values{"csrf": {csrfOf(body)}, "email": {c.emails[org]}, "password": {password}, "next": {"/alerts"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/alerts" {
		c.t.Fatalf("sign-in of %s: %s", org, res.Status)
	}
	return b
}

func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	res, err := b.hc.Get(b.c.srv.URL + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	res, err := b.hc.PostForm(b.c.srv.URL+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOf returns the CSRF token of the first form of a page.
func csrfOf(page string) string {
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return m[1]
}

var (
	alertRow = regexp.MustCompile(`<tr data-id="([^"]+)">`)
	nextLink = regexp.MustCompile(`<a href="(/alerts\?[^"]+)" rel="next">`)
)

// testWriter sends the dashboard's log to the test's.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
