package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// OIDCProvider is an OpenID Connect provider people may sign in with.
// It only vouches for an e-mail: the user of that e-mail must exist.
type OIDCProvider struct {
	Name         string // shown as "Sign in with Name"; a URL path segment
	Issuer       string // its issuer URL (discovery at Issuer/.well-known/openid-configuration)
	ClientID     string
	ClientSecret string
	RedirectURL  string       // this hub's https://HOST/signin/oidc/callback
	HTTPClient   *http.Client // nil: a client with a 10 s timeout
}

// Limits of the OIDC flows kept in memory.
const (
	oidcFlowTTL  = 10 * time.Minute // from "Sign in with" to the callback, and to the second-factor code
	oidcMaxFlows = 10000
	oidcMaxPerIP = 30           // flows under way started from one address
	oidcCookie   = "vigie_oidc" // binds a flow to the browser that started it
)

// oidcFlow is a sign-in under way: what the callback checks.
type oidcFlow struct {
	client   *oidcClient
	binding  string // the value of the browser's oidcCookie
	nonce    string
	verifier string // PKCE code verifier
	next     string
	email    string // after the callback, while the second-factor code is asked
	addr     string // the address that started it
	expires  time.Time
}

// oidcClient is one provider, discovered on first use.
type oidcClient struct {
	cfg      OIDCProvider
	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
	oauth    *oauth2.Config
}

// oidcFlows holds the flows under way, by state (or second-factor token).
type oidcFlows struct {
	mu     sync.Mutex
	m      map[string]*oidcFlow
	byAddr map[string]int
}

func (f *oidcFlows) put(key string, fl *oidcFlow, now time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m, f.byAddr = map[string]*oidcFlow{}, map[string]int{}
	}
	if len(f.m) >= oidcMaxFlows || f.byAddr[fl.addr] >= oidcMaxPerIP {
		for k, v := range f.m {
			if !now.Before(v.expires) {
				f.remove(k, v)
			}
		}
	}
	if len(f.m) >= oidcMaxFlows || f.byAddr[fl.addr] >= oidcMaxPerIP {
		return vigie.Errorf(vigie.ETOOMANY, "too many sign-ins under way: try again in a few minutes")
	}
	f.m[key] = fl
	f.byAddr[fl.addr]++
	return nil
}

func (f *oidcFlows) remove(key string, fl *oidcFlow) {
	delete(f.m, key)
	if f.byAddr[fl.addr]--; f.byAddr[fl.addr] <= 0 {
		delete(f.byAddr, fl.addr)
	}
}

// take removes and returns the flow of key, if it has not expired.
func (f *oidcFlows) take(key string, now time.Time) *oidcFlow {
	f.mu.Lock()
	defer f.mu.Unlock()
	fl := f.m[key]
	if fl == nil {
		return nil
	}
	f.remove(key, fl)
	if !now.Before(fl.expires) {
		return nil
	}
	return fl
}

// setup discovers the provider (once it succeeds).
func (c *oidcClient) setup() (context.Context, error) {
	hc := c.cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	ctx := oidc.ClientContext(context.Background(), hc)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.verifier != nil {
		return ctx, nil
	}
	p, err := oidc.NewProvider(ctx, c.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("web: discover OIDC provider %s: %w", c.cfg.Name, err)
	}
	c.verifier = p.Verifier(&oidc.Config{ClientID: c.cfg.ClientID, SupportedSigningAlgs: []string{oidc.RS256, oidc.ES256, oidc.PS256, oidc.EdDSA}})
	c.oauth = &oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, RedirectURL: c.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email"}}
	return ctx, nil
}

// identity exchanges the code (with the PKCE verifier) and verifies the
// ID token: signature by the provider's keys, issuer, audience, expiry,
// and the flow's nonce.
func (c *oidcClient) identity(r *http.Request, fl *oidcFlow) (hub.OIDCIdentity, error) {
	id := hub.OIDCIdentity{Provider: c.cfg.Name}
	ctx, err := c.setup()
	if err != nil {
		return id, err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	tok, err := c.oauth.Exchange(ctx, r.URL.Query().Get("code"), oauth2.VerifierOption(fl.verifier))
	if err != nil {
		return id, fmt.Errorf("code exchange: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return id, errors.New("no ID token in the provider's answer")
	}
	t, err := c.verifier.Verify(ctx, raw)
	if err != nil {
		return id, err
	}
	if subtle.ConstantTimeCompare([]byte(t.Nonce), []byte(fl.nonce)) != 1 {
		return id, errors.New("wrong nonce in the ID token")
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified any    `json:"email_verified"`
	}
	if err := t.Claims(&claims); err != nil {
		return id, err
	}
	id.Email, id.EmailVerified = claims.Email, claims.EmailVerified == true
	return id, nil
}

// oidcStart sends the browser to the provider with a new state, nonce
// and PKCE challenge (S256).
func (d *Dashboard) oidcStart(w http.ResponseWriter, r *http.Request, _ *view, _ string) error {
	c := d.oidc[r.PathValue("name")]
	if c == nil {
		return vigie.Errorf(vigie.ENOTFOUND, "no sign-in provider %q", r.PathValue("name"))
	}
	if _, err := c.setup(); err != nil {
		d.opts.Logger.Warn("dashboard: OIDC", "err", err)
		return vigie.Errorf(vigie.EUNAVAILABLE, "the sign-in provider %s does not answer: try again later or sign in with your password", c.cfg.Name)
	}
	state := randomToken()
	fl := &oidcFlow{client: c, binding: randomToken(), nonce: randomToken(), verifier: oauth2.GenerateVerifier(),
		next: safeNext(r.URL.Query().Get("next")), addr: d.opts.Addr(r), expires: d.opts.Now().Add(oidcFlowTTL)}
	if err := d.flows.put(state, fl, d.opts.Now()); err != nil {
		return err
	}
	// Lax, not Strict: the provider's redirect back is a navigation from another site.
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: fl.binding, Path: "/signin/oidc", MaxAge: int(oidcFlowTTL.Seconds()),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, c.oauth.AuthCodeURL(state, oidc.Nonce(fl.nonce), oauth2.S256ChallengeOption(fl.verifier)), http.StatusSeeOther)
	return nil
}

// oidcCallback is where the provider sends the browser back: the flow of
// state must have been started by this browser, and the ID token must
// check out; then the hub maps its verified e-mail to a user.
func (d *Dashboard) oidcCallback(w http.ResponseWriter, r *http.Request, v *view, pre string) error {
	q := r.URL.Query()
	fl := d.flows.take(q.Get("state"), d.opts.Now())
	c, _ := r.Cookie(oidcCookie)
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: "/signin/oidc", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	id := hub.OIDCIdentity{}
	var err error
	switch {
	case fl == nil:
		err = errors.New("unknown, used or expired state")
	case c == nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(fl.binding)) != 1:
		err = errors.New("the flow was started by another browser")
	case q.Get("error") != "":
		id.Provider, err = fl.client.cfg.Name, fmt.Errorf("the provider answered %.100q", q.Get("error"))
	default:
		id, err = fl.client.identity(r, fl)
	}
	if err != nil {
		id.Failure = truncate(err.Error(), 300)
	}
	next := "/alerts"
	if fl != nil {
		next = fl.next
	}
	return d.oidcFinish(w, r, v, pre, id, "", next)
}

// oidcFinish asks the hub for a session; a user with a second factor is
// first shown a form for its code (oidcCode).
func (d *Dashboard) oidcFinish(w http.ResponseWriter, r *http.Request, v *view, pre string, id hub.OIDCIdentity, code, next string) error {
	s, err := d.hub.SignInOIDC(r.Context(), id, code, d.opts.Addr(r))
	if errors.Is(err, hub.ErrSecondFactor) {
		token := randomToken()
		fl := &oidcFlow{binding: pre, email: id.Email, next: next, addr: d.opts.Addr(r), expires: d.opts.Now().Add(oidcFlowTTL), client: d.oidc[id.Provider]}
		if err := d.flows.put("code:"+token, fl, d.opts.Now()); err != nil {
			return err
		}
		v.Title, v.Data = "Second factor", oidcCodeData{Token: token, Provider: id.Provider}
		d.render(w, http.StatusOK, "oidc_code.html", v)
		return nil
	}
	if c := vigie.ErrorCode(err); c == vigie.EUNAUTHORIZED || c == vigie.ETOOMANY {
		v.Title, v.Error, v.Data = "Sign in", vigie.ErrorMessage(err), signinData{Next: next, Providers: d.providerNames()}
		d.render(w, statusOf(c), "signin.html", v)
		return nil
	} else if err != nil {
		return err
	}
	setSession(w, s, d.opts.Now())
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

type oidcCodeData struct {
	Token, Provider string
}

// oidcCode takes the second-factor code of a user the provider vouched
// for; the form is bound to the browser's pre-session cookie and used once.
func (d *Dashboard) oidcCode(w http.ResponseWriter, r *http.Request, v *view, pre string) error {
	fl := d.flows.take("code:"+r.PostFormValue("token"), d.opts.Now())
	if fl == nil || fl.client == nil || subtle.ConstantTimeCompare([]byte(fl.binding), []byte(pre)) != 1 {
		return vigie.Errorf(vigie.EUNAUTHORIZED, "this sign-in expired: start again")
	}
	id := hub.OIDCIdentity{Provider: fl.client.cfg.Name, Email: fl.email, EmailVerified: true}
	code := r.PostFormValue("code")
	if code == "" {
		code = "-" // not "": an empty code is a wrong code here, not a question
	}
	return d.oidcFinish(w, r, v, pre, id, code, fl.next)
}

// providerNames lists the providers in the order they were configured.
func (d *Dashboard) providerNames() []string {
	var names []string
	for _, p := range d.opts.OIDC {
		names = append(names, p.Name)
	}
	return names
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
