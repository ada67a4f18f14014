// Package web is the dashboard: server-rendered pages for the people of
// member organisations and for the hub's operators. It is one more
// adapter over hub, with no access rules of its own: every page resolves
// the signed-in user to a vigie.Principal (hub.UserSession) and asks the
// hub, which applies the roles and the TLP rules as it does for TAXII and
// the API.
//
// Pages work without JavaScript; the one script (assets/live.js) only
// adds alerts to the inbox as they arrive. Templates, style sheet and
// script are embedded; answers carry a strict Content-Security-Policy
// (no inline script or style), X-Frame-Options DENY and no-referrer.
// Sessions are cookies (HttpOnly, Secure, SameSite=Strict) whose secret
// the store keeps only hashed; every form that changes state carries a
// CSRF token derived from the session, and requests a browser marks as
// cross-site are refused.
package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Cookie names.
const (
	sessionCookie = "vigie_session" // the session secret
	preCookie     = "vigie_pre"     // a random value binding the sign-in forms' CSRF token to the browser
)

// maxForm bounds a form's body.
const maxForm = 1 << 20

// Options configure the dashboard.
type Options struct {
	Title  string       // shown in the header (default "vigie")
	Logger *slog.Logger // internal errors (nil: discarded)
	Now    func() time.Time
	// Addr returns the source address of a request for the audit log
	// (nil: the connection's address).
	Addr func(*http.Request) string
	OIDC []OIDCProvider // "Sign in with" providers (oidc.go)
}

// Dashboard serves the pages. It is safe for concurrent use.
type Dashboard struct {
	hub    *hub.Hub
	opts   Options
	pages  map[string]*template.Template
	assets map[string]string // name -> URL with its checksum
	oidc   map[string]*oidcClient
	flows  oidcFlows
}

// New returns the dashboard over h.
func New(h *hub.Hub, opts Options) *Dashboard {
	if opts.Title == "" {
		opts.Title = "vigie"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Addr == nil {
		opts.Addr = func(r *http.Request) string {
			if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
				return host
			}
			return r.RemoteAddr
		}
	}
	d := &Dashboard{hub: h, opts: opts, assets: map[string]string{}, oidc: map[string]*oidcClient{}}
	for _, p := range opts.OIDC {
		d.oidc[p.Name] = &oidcClient{cfg: p}
	}
	entries, _ := fs.ReadDir(assetFS, "assets")
	for _, e := range entries {
		b, _ := fs.ReadFile(assetFS, "assets/"+e.Name())
		sum := sha256.Sum256(b)
		d.assets[e.Name()] = "/assets/" + e.Name() + "?v=" + hex.EncodeToString(sum[:6])
	}
	d.pages = d.parse()
	return d
}

// Register adds the dashboard's routes to mux. Paths never end with a
// slash, so they do not collide with TAXII's /{root}/ paths.
func (d *Dashboard) Register(mux *http.ServeMux) {
	for pattern, h := range d.routes() {
		mux.Handle(pattern, d.secure(h))
	}
}

// routes is every URL of the dashboard.
func (d *Dashboard) routes() map[string]http.Handler {
	m := map[string]http.Handler{
		"GET /{$}":                    http.HandlerFunc(d.home),
		"GET /assets/{name}":          http.HandlerFunc(d.asset),
		"GET /signin":                 d.public(d.signinForm),
		"POST /signin":                d.public(d.signinPost),
		"GET /signin/link":            d.public(d.linkForm),
		"GET /signin/oidc/{name}":     d.public(d.oidcStart),
		"GET /signin/oidc/callback":   d.public(d.oidcCallback),
		"POST /signin/oidc/code":      d.public(d.oidcCode),
		"POST /signin/link":           d.public(d.linkPost),
		"POST /signout":               d.page(vigie.RoleReader, d.signout),
		"GET /account":                d.page(vigie.RoleReader, d.account),
		"POST /account/totp":          d.page(vigie.RoleReader, d.accountTOTP),
		"GET /alerts":                 d.page(vigie.RoleReader, d.alertList),
		"GET /alerts/live":            d.page(vigie.RoleReader, d.alertLive),
		"GET /alerts/{id}":            d.page(vigie.RoleReader, d.alertGet),
		"POST /alerts/{id}/state":     d.page(vigie.RoleReader, d.alertState),
		"GET /search":                 d.page(vigie.RoleReader, d.search),
		"GET /objects/{id}":           d.page(vigie.RoleReader, d.objectGet),
		"POST /objects/{id}/sighting": d.page(vigie.RolePublisher, d.sighting),
		"GET /publish":                d.page(vigie.RolePublisher, d.publishForm),
		"POST /publish":               d.page(vigie.RolePublisher, d.publishPost),
		"GET /watchlist":              d.page(vigie.RoleReader, d.watchList),
		"GET /products":               d.page(vigie.RoleReader, d.productList),
		"GET /products/{id}":          d.page(vigie.RoleReader, d.productGet),
		"POST /watchlist":             d.page(vigie.RolePublisher, d.watchAdd),
		"POST /watchlist/{id}/delete": d.page(vigie.RolePublisher, d.watchDelete),
		"GET /admin/orgs":             d.page(vigie.RoleOperator, d.adminOrgs),
		"GET /admin/users":            d.page(vigie.RoleAdmin, d.adminUsers),
		"POST /admin/users":           d.page(vigie.RoleAdmin, d.adminUserAdd),
		"GET /admin/keys":             d.page(vigie.RoleOperator, d.adminKeys),
		"GET /admin/communities":      d.page(vigie.RoleOperator, d.adminCommunities),
		"GET /admin/collections":      d.page(vigie.RoleOperator, d.adminCollections),
		"GET /admin/audit":            d.page(vigie.RoleAdmin, d.adminAudit),
		"GET /products/upload":        d.page(vigie.RolePublisher, d.sbomForm),
		"POST /products/upload":       d.page(vigie.RolePublisher, d.sbomPost),
		"POST /products/{id}/vex":     d.page(vigie.RolePublisher, d.vexPost),
		"POST /publish/bundle":        d.page(vigie.RolePublisher, d.bundlePost),
		"GET /charts":                 d.page(vigie.RoleReader, d.charts),
		"GET /charts/alerts":          d.page(vigie.RoleReader, d.chartAlerts),
		"GET /charts/sighted":         d.page(vigie.RoleReader, d.chartSighted),
	}
	maps.Copy(m, d.manageRoutes()) // page_operator.go
	return m
}

// contentSecurityPolicy allows the dashboard's own script, style sheet
// and images, and nothing inline or from elsewhere.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// secure sets the security headers of every answer and refuses requests
// that change state from another site (Sec-Fetch-Site), before anything
// else runs.
func (d *Dashboard) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
				d.fail(w, r, nil, vigie.Errorf(vigie.EFORBIDDEN, "a form of another site may not act here"))
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, bodyLimit(r))
		}
		next.ServeHTTP(w, r)
	})
}

// me is the signed-in user as pages show it.
type me struct {
	Email, Org, Role string
	Publisher        bool // may publish (and sight, and edit the watchlist)
	Admin            bool // an organisation's admin: its users and audit log
	Operator         bool // the hub's staff: every administration page
	TOTP             bool
}

// view is what every page template receives.
type view struct {
	Title string // the page's title
	Hub   string // the hub's title
	Nav   string // the menu entry to mark current
	Me    *me
	CSRF  string // the token of this session's forms
	Flash string // a one-line confirmation
	Error string // a one-line problem, shown above the page
	Data  any
}

// req is a signed-in request: the principal the hub receives, the user,
// and the page's view.
type req struct {
	p      vigie.Principal
	user   *vigie.User
	secret string // the session secret (for the CSRF token)
	v      *view
}

type pageFunc func(w http.ResponseWriter, r *http.Request, q *req) error

// page wraps a handler for signed-in users with at least role: it
// resolves the session cookie through the hub (a GET without one goes to
// the sign-in page), checks the CSRF token of every POST, and shows
// errors as a page. The role check only picks a helpful answer early:
// the hub applies the rules again on every call.
func (d *Dashboard) page(role vigie.Role, h pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		c, err := r.Cookie(sessionCookie)
		var p vigie.Principal
		var u *vigie.User
		if err == nil {
			p, u, err = d.hub.UserSession(r.Context(), c.Value, d.opts.Addr(r))
		}
		if err != nil {
			if errors.Is(err, http.ErrNoCookie) || vigie.ErrorCode(err) == vigie.EUNAUTHORIZED {
				if c != nil {
					clearCookie(w, sessionCookie)
				}
				if r.Method == http.MethodGet && r.URL.Path != "/alerts/live" {
					http.Redirect(w, r, "/signin?"+url.Values{"next": {r.URL.RequestURI()}}.Encode(), http.StatusSeeOther)
					return
				}
				err = vigie.Errorf(vigie.EUNAUTHORIZED, "sign in first")
			}
			d.fail(w, r, nil, err)
			return
		}
		q := &req{p: p, user: u, secret: c.Value}
		orgName := p.OrgID
		if o, err := d.hub.Whoami(r.Context(), p); err == nil {
			orgName = o.Name
		}
		q.v = &view{Hub: d.opts.Title, Me: &me{Email: u.Email, Org: orgName, Role: string(u.Role),
			Publisher: u.Role.Allows(vigie.RolePublisher), Admin: u.Role.Allows(vigie.RoleAdmin), Operator: u.Role.Allows(vigie.RoleOperator), TOTP: u.TOTP != ""},
			CSRF: csrfToken(c.Value, "session")}
		if r.Method == http.MethodPost {
			if err := parseForm(r); err != nil {
				d.fail(w, r, q.v, err)
				return
			}
		}
		if r.Method == http.MethodPost && !validCSRF(r.PostFormValue("csrf"), c.Value, "session") {
			d.fail(w, r, q.v, vigie.Errorf(vigie.EFORBIDDEN, "this form is stale or was not made by this hub (missing or wrong CSRF token): reload the page and try again"))
			return
		}
		if err := hub.Allow(p, role); err != nil {
			d.fail(w, r, q.v, err)
			return
		}
		if err := h(w, r, q); err != nil {
			d.fail(w, r, q.v, err)
		}
	})
}

// public wraps the sign-in pages: no session needed; their forms carry a
// CSRF token bound to a random pre-session cookie instead.
func (d *Dashboard) public(h func(w http.ResponseWriter, r *http.Request, v *view, pre string) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		v := &view{Hub: d.opts.Title}
		pre := ""
		if c, err := r.Cookie(preCookie); err == nil && len(c.Value) == 43 {
			pre = c.Value
		}
		if r.Method == http.MethodPost {
			if pre == "" || !validCSRF(r.PostFormValue("csrf"), pre, "signin") {
				d.fail(w, r, v, vigie.Errorf(vigie.EFORBIDDEN, "this form is stale or was not made by this hub (missing or wrong CSRF token): reload the page and try again"))
				return
			}
		} else if pre == "" {
			pre = randomToken()
			http.SetCookie(w, &http.Cookie{Name: preCookie, Value: pre, Path: "/", MaxAge: 3600, HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
		}
		v.CSRF = csrfToken(pre, "signin")
		if err := h(w, r, v, pre); err != nil {
			d.fail(w, r, v, err)
		}
	})
}

func randomToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// csrfToken derives the CSRF token of forms from a secret the browser
// holds in an HttpOnly cookie: another site can neither read the cookie
// nor compute the token.
func csrfToken(secret, purpose string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("vigie csrf " + purpose))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func validCSRF(got, secret, purpose string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(csrfToken(secret, purpose))) == 1
}

func setSession(w http.ResponseWriter, s *hub.Session, now time.Time) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.Secret, Path: "/", Expires: s.Expires,
		MaxAge: int(s.Expires.Sub(now).Seconds()), HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
}

func clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
}

// statusOf maps an error code to the page's HTTP status.
func statusOf(code string) int {
	switch code {
	case vigie.EINVALID, vigie.EUNPROCESSABLE:
		return http.StatusBadRequest
	case vigie.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case vigie.EFORBIDDEN:
		return http.StatusForbidden
	case vigie.ENOTFOUND:
		return http.StatusNotFound
	case vigie.ECONFLICT:
		return http.StatusConflict
	case vigie.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case vigie.ETOOMANY:
		return http.StatusTooManyRequests
	case vigie.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// fail shows an error page. Internal errors are logged and shown as
// "internal error"; the others show the hub's message.
func (d *Dashboard) fail(w http.ResponseWriter, r *http.Request, v *view, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = vigie.Errorf(vigie.ETOOLARGE, "the form is larger than %d bytes", maxForm)
	}
	code := vigie.ErrorCode(err)
	if code == vigie.EINTERNAL {
		d.opts.Logger.Error("dashboard", slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	if v == nil {
		v = &view{Hub: d.opts.Title}
	}
	v.Title, v.Error, v.Data = http.StatusText(statusOf(code)), vigie.ErrorMessage(err), nil
	d.render(w, statusOf(code), "error.html", v)
}

// render writes a page.
func (d *Dashboard) render(w http.ResponseWriter, status int, name string, v *view) {
	t, ok := d.pages[name]
	if !ok {
		http.Error(w, "no page "+name, http.StatusInternalServerError)
		return
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		d.opts.Logger.Error("dashboard: render", slog.String("page", name), slog.Any("err", err))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprint(w, b.String())
}

// home sends signed-in users to their inbox and others to sign in.
func (d *Dashboard) home(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/alerts", http.StatusSeeOther)
}

// asset serves an embedded file; its URL carries a checksum, so it may be
// cached for a year.
func (d *Dashboard) asset(w http.ResponseWriter, r *http.Request) {
	name := path.Base(r.PathValue("name"))
	b, err := fs.ReadFile(assetFS, "assets/"+name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	switch path.Ext(name) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case ".svg":
		w.Header().Set("Content-Type", "image/svg+xml")
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(b)
}

// safeNext returns next if it is a path of this site, else "/alerts": a
// sign-in link must not send the user to another site (no scheme, no
// host, no "//" or backslash that browsers read as one, no control
// character that browsers strip).
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') || len(next) > 2000 {
		return "/alerts"
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return "/alerts"
		}
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(u.Path, "//") {
		return "/alerts"
	}
	return next
}
