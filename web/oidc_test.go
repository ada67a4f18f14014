package web_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	cdp "github.com/chromedp/chromedp"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/totp"
	"github.com/vigie-cti/vigie/web"
)

const (
	idpClient = "vigie-hub"
	idpSecret = "s3cret-of-the-hub-at-the-idp"
)

// testIdP is a minimal OpenID Connect provider on loopback: discovery,
// JWKS, an authorization endpoint that signs in whoever it is told to
// (email, verified) at once, and a token endpoint that checks the
// client's secret, the code (once) and its PKCE verifier. Its knobs make
// it answer as a hostile or broken provider would.
type testIdP struct {
	t   *testing.T
	srv *httptest.Server
	key *rsa.PrivateKey // published in the JWKS

	mu       sync.Mutex
	codes    map[string]idpGrant
	email    string
	verified bool
	signWith *rsa.PrivateKey // nil: key
	aud      string          // "": the client id
	ttl      time.Duration   // of the ID token; 0: 5 minutes
	nonce    string          // "": the one the client sent
}

type idpGrant struct{ nonce, challenge, redirect string }

func newTestIdP(t *testing.T) *testIdP {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &testIdP{t: t, key: key, codes: map[string]idpGrant{}, verified: true}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		u := p.srv.URL
		json.NewEncoder(w).Encode(map[string]any{"issuer": u, "authorization_endpoint": u + "/authorize", "token_endpoint": u + "/token",
			"jwks_uri": u + "/jwks", "response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"}, "code_challenge_methods_supported": []string{"S256"}})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		b64 := base64.RawURLEncoding.EncodeToString
		json.NewEncoder(w).Encode(map[string]any{"keys": []any{map[string]string{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
			"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes())}}})
	})
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *testIdP) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("response_type") != "code" || q.Get("client_id") != idpClient || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" || !strings.Contains(q.Get("scope"), "openid") {
		http.Error(w, "bad authorization request: "+r.URL.RawQuery, http.StatusBadRequest)
		return
	}
	code := vigie.NewUUID()
	p.mu.Lock()
	p.codes[code] = idpGrant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri")}
	p.mu.Unlock()
	http.Redirect(w, r, q.Get("redirect_uri")+"?"+url.Values{"code": {code}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
}

func (p *testIdP) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	g, found := p.codes[r.PostFormValue("code")]
	delete(p.codes, r.PostFormValue("code")) // a code is used once
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	switch {
	case id != idpClient || secret != idpSecret:
		http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
		return
	case !found || g.redirect != r.PostFormValue("redirect_uri") || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
		return
	}
	nonce, aud, ttl, key := g.nonce, idpClient, 5*time.Minute, p.key
	if p.nonce != "" {
		nonce = p.nonce
	}
	if p.aud != "" {
		aud = p.aud
	}
	if p.ttl != 0 {
		ttl = p.ttl
	}
	if p.signWith != nil {
		key = p.signWith
	}
	now := time.Now()
	claims := map[string]any{"iss": p.srv.URL, "sub": "sub-" + p.email, "aud": aud, "exp": now.Add(ttl).Unix(), "iat": now.Add(-time.Minute).Unix(),
		"nonce": nonce, "email": p.email, "email_verified": p.verified}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"access_token": vigie.NewUUID(), "token_type": "Bearer", "expires_in": 300, "id_token": signJWT(p.t, key, claims)})
}

// signJWT returns claims as a compact RS256 JWS with key id k1.
func signJWT(t *testing.T, key *rsa.PrivateKey, claims map[string]any) string {
	h, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": "k1"})
	c, _ := json.Marshal(claims)
	in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	sum := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// set changes the provider's answers under its lock.
func (p *testIdP) set(f func(p *testIdP)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(p)
}

// oidcCoalition is the test coalition whose dashboard offers "Sign in
// with TestIdP".
func oidcCoalition(t *testing.T) (*coalition, *testIdP) {
	p := newTestIdP(t)
	c := newCoalitionWith(t, func(hubURL string) []web.OIDCProvider {
		return []web.OIDCProvider{{Name: "TestIdP", Issuer: p.srv.URL, ClientID: idpClient, ClientSecret: idpSecret,
			RedirectURL: hubURL + "/signin/oidc/callback", HTTPClient: p.srv.Client()}}
	})
	return c, p
}

// oidcStart clicks "Sign in with TestIdP" and follows the provider's
// redirect; it returns the callback URL the browser is sent back to.
func oidcStart(t *testing.T, b *browser, next string) string {
	t.Helper()
	res, _ := b.get("/signin/oidc/TestIdP?" + url.Values{"next": {next}}.Encode())
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in with: %s", res.Status)
	}
	res, err := b.hc.Get(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Fatalf("provider's authorization: %s", res.Status)
	}
	return res.Header.Get("Location")
}

// callback follows the provider's redirect back to the hub.
func callback(t *testing.T, b *browser, u string) (*http.Response, string) {
	t.Helper()
	return b.get(strings.TrimPrefix(u, b.c.srv.URL))
}

// signedInAs returns the e-mail the dashboard shows as signed in, or "".
func signedInAs(t *testing.T, b *browser) string {
	t.Helper()
	res, body := b.get("/account")
	if res.StatusCode != http.StatusOK {
		return ""
	}
	for _, e := range b.c.emails {
		if strings.Contains(body, e) {
			return e
		}
	}
	return "?"
}

func anonymous(c *coalition, org string) *browser {
	return &browser{t: c.t, c: c, hc: c.client(), org: org}
}

func TestOIDCSignIn(t *testing.T) {
	c, p := oidcCoalition(t)
	b := anonymous(c, "Helios")
	_, page := b.get("/signin")
	if !strings.Contains(page, "Sign in with TestIdP") {
		t.Fatal("the sign-in page does not offer the provider")
	}
	p.set(func(p *testIdP) { p.email = strings.ToUpper(c.emails["Helios"]) }) // e-mails match whatever their case
	res, _ := callback(t, b, oidcStart(t, b, "/search?q=198.51.100.1"))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/search?q=198.51.100.1" {
		t.Fatalf("callback: %s to %q, want 303 to the page asked for", res.Status, res.Header.Get("Location"))
	}
	if got := signedInAs(t, b); got != c.emails["Helios"] {
		t.Fatalf("signed in as %q, want %s", got, c.emails["Helios"])
	}
	// The session is the hub's usual one: Helios sees what Helios may.
	if _, body := b.get("/search?q=198.51.100.3"); !strings.Contains(body, "Lantern C2 198.51.100.3") {
		t.Error("Helios signed in with OIDC does not find its community's AMBER indicator")
	}
	es, err := c.hub.Audit(ctx, hub.Console(), vigie.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var ok bool
	for _, e := range es {
		if e.Action == vigie.AuditSignIn && e.Outcome == vigie.OutcomeSuccess && strings.Contains(string(e.Detail), `"method":"oidc"`) && e.OrgID == c.orgs["Helios"].ID {
			ok = true
		}
		if strings.Contains(string(e.Detail)+e.Reason+e.Target, idpSecret) {
			t.Errorf("audit entry holds the client secret: %s", e.Detail)
		}
	}
	if !ok {
		t.Error("no successful user.signin with method oidc in the audit log")
	}
	if strings.Contains(c.logs.String(), idpSecret) {
		t.Error("the server log holds the client secret")
	}
}

// TestOIDCRefused: every answer that does not check out signs no one in.
func TestOIDCRefused(t *testing.T) {
	c, p := oidcCoalition(t)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.hub.SetUserDisabled(ctx, hub.Console(), c.emails["Outside"], true); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		set    func(p *testIdP)
		tamper func(t *testing.T, b *browser, u string) string // the callback URL the browser goes to
	}{
		{"wrong state", nil, func(t *testing.T, b *browser, u string) string {
			return strings.Replace(u, "state=", "state=x", 1)
		}},
		{"replayed code", nil, func(t *testing.T, b *browser, u string) string {
			if res, _ := callback(t, b, u); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("first use of the code: %s", res.Status)
			}
			b.post("/signout", url.Values{"csrf": {csrfOf(mustGet(t, b, "/account"))}})
			// A new flow (its own state), with the old code.
			fresh, _ := url.Parse(oidcStart(t, b, "/alerts"))
			old, _ := url.Parse(u)
			q := fresh.Query()
			q.Set("code", old.Query().Get("code"))
			fresh.RawQuery = q.Encode()
			return fresh.String()
		}},
		{"wrong nonce", func(p *testIdP) { p.nonce = "not-the-one-sent" }, nil},
		{"wrong audience", func(p *testIdP) { p.aud = "another-client" }, nil},
		{"expired token", func(p *testIdP) { p.ttl = -time.Minute }, nil},
		{"signed by another key", func(p *testIdP) { p.signWith = other }, nil},
		{"unverified e-mail", func(p *testIdP) { p.verified = false }, nil},
		{"unknown e-mail", func(p *testIdP) { p.email = "nobody@helios.example" }, nil},
		{"disabled user", func(p *testIdP) { p.email = c.emails["Outside"] }, nil},
		{"provider error", nil, func(t *testing.T, b *browser, u string) string {
			v, _ := url.Parse(u)
			q := v.Query()
			q.Del("code")
			q.Set("error", "access_denied")
			v.RawQuery = q.Encode()
			return v.String()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p.set(func(p *testIdP) {
				p.email, p.verified, p.signWith, p.aud, p.ttl, p.nonce = c.emails["Bank"], true, nil, "", 0, ""
				if tc.set != nil {
					tc.set(p)
				}
			})
			b := anonymous(c, "Bank")
			u := oidcStart(t, b, "/alerts")
			if tc.tamper != nil {
				u = tc.tamper(t, b, u)
			}
			res, body := callback(t, b, u)
			if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "this sign-in was refused") {
				t.Errorf("callback: %s, want 401 and the refusal", res.Status)
			}
			if got := signedInAs(t, b); got != "" {
				t.Errorf("signed in as %s", got)
			}
		})
	}
}

var regexpToken = regexp.MustCompile(`name="token" value="([^"]+)"`)

func mustGet(t *testing.T, b *browser, path string) string {
	t.Helper()
	_, body := b.get(path)
	return body
}

// TestOIDCLoginCSRF: the callback of a flow an attacker started (with the
// attacker's account at the provider, here Outside's user) does not sign
// in, nor replace the session of, the victim's browser it is sent to.
func TestOIDCLoginCSRF(t *testing.T) {
	c, p := oidcCoalition(t)
	p.set(func(p *testIdP) { p.email = c.emails["Bank"] })
	attacker := anonymous(c, "Bank")
	u := oidcStart(t, attacker, "/alerts")
	victim := c.signIn("Helios")
	res, _ := callback(t, victim, u)
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("victim following the attacker's callback: %s, want 401", res.Status)
	}
	if got := signedInAs(t, victim); got != c.emails["Helios"] {
		t.Errorf("victim's browser is signed in as %q, want still %s", got, c.emails["Helios"])
	}
	// The flow was used up by the refused attempt: the attacker gets nothing either.
	if res, _ := callback(t, attacker, u); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("attacker's own callback after the victim's: %s, want 401", res.Status)
	}
}

// TestOIDCOpenRedirect: the return URL is a path of this hub, whatever the link says.
func TestOIDCOpenRedirect(t *testing.T) {
	c, p := oidcCoalition(t)
	p.set(func(p *testIdP) { p.email = c.emails["Bank"] })
	for _, next := range []string{"https://evil.example/", "//evil.example/x", `/\evil.example`, "javascript:alert(1)"} {
		b := anonymous(c, "Bank")
		res, _ := callback(t, b, oidcStart(t, b, next))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/alerts" {
			t.Errorf("next %q: %s to %q, want 303 to /alerts", next, res.Status, res.Header.Get("Location"))
		}
	}
}

// TestOIDCSecondFactor: a user with TOTP on gives its code after the provider.
func TestOIDCSecondFactor(t *testing.T) {
	c, p := oidcCoalition(t)
	b := c.signIn("Bank")
	secret := totp.NewSecret()
	code, _ := totp.Code(secret, time.Now())
	if res, _ := b.post("/account/totp", url.Values{"csrf": {csrfOf(mustGet(t, b, "/account"))}, "secret": {secret}, "code": {code}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("turning TOTP on: %s", res.Status)
	}
	p.set(func(p *testIdP) { p.email = c.emails["Bank"] })
	for _, tc := range []struct {
		code string
		ok   bool
	}{{"000000", false}, {"", false}, {code, true}} {
		if tc.code == "000000" && code == "000000" {
			continue
		}
		fresh := anonymous(c, "Bank")
		res, page := callback(t, fresh, oidcStart(t, fresh, "/alerts"))
		if res.StatusCode != http.StatusOK || !strings.Contains(page, "second factor") {
			t.Fatalf("callback for a TOTP user: %s, want the code form", res.Status)
		}
		if got := signedInAs(t, fresh); got != "" {
			t.Fatalf("signed in as %s before the code", got)
		}
		token := regexpToken.FindStringSubmatch(page)
		res, _ = fresh.post("/signin/oidc/code", url.Values{"csrf": {csrfOf(page)}, "token": {token[1]}, "code": {tc.code}})
		if got := signedInAs(t, fresh); (got == c.emails["Bank"]) != tc.ok {
			t.Errorf("code %q: %s, signed in as %q", tc.code, res.Status, got)
		}
		// The form is used once.
		if res, _ := fresh.post("/signin/oidc/code", url.Values{"csrf": {csrfOf(page)}, "token": {token[1]}, "code": {code}}); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("code form used twice: %s", res.Status)
		}
	}
}

// TestOIDCRateLimited: failed OIDC sign-ins count like failed passwords.
func TestOIDCRateLimited(t *testing.T) {
	c, p := oidcCoalition(t)
	p.set(func(p *testIdP) { p.email, p.verified = c.emails["Bank"], false })
	for range hub.SignInFailsPerUser {
		b := anonymous(c, "Bank")
		callback(t, b, oidcStart(t, b, "/alerts"))
	}
	p.set(func(p *testIdP) { p.verified = true })
	b := anonymous(c, "Bank")
	if res, _ := callback(t, b, oidcStart(t, b, "/alerts")); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("OIDC sign-in after %d failures: %s, want 429", hub.SignInFailsPerUser, res.Status)
	}
	// Failures before any user is named count against the address.
	for range hub.SignInFailsPerAddr {
		b := anonymous(c, "Helios")
		callback(t, b, strings.Replace(oidcStart(t, b, "/alerts"), "state=", "state=x", 1))
	}
	p.set(func(p *testIdP) { p.email = c.emails["Helios"] })
	b = anonymous(c, "Helios")
	if res, _ := callback(t, b, oidcStart(t, b, "/alerts")); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("OIDC sign-in after %d failures from the address: %s, want 429", hub.SignInFailsPerAddr, res.Status)
	}
}

// TestBrowserOIDCSignIn: in a real browser, "Sign in with TestIdP" on the
// sign-in page leads through the provider back to the page asked for.
func TestBrowserOIDCSignIn(t *testing.T) {
	c, p := oidcCoalition(t)
	ctx := newBrowser(t)
	p.set(func(p *testIdP) { p.email = c.emails["Helios"] })
	do(t, ctx, "sign in with the provider",
		cdp.Navigate(c.srv.URL+"/watchlist"), // not signed in: sent to the sign-in page
		cdp.WaitVisible(cdp.CSS(`a[href^="/signin/oidc/TestIdP"]`)),
		cdp.Click(cdp.CSS(`a[href^="/signin/oidc/TestIdP"]`)),
		cdp.WaitVisible(cdp.CSS("#me-org")),
	)
	if who := text(t, ctx, "#me-org"); who != "Helios" {
		t.Errorf("header shows organisation %q, want Helios", who)
	}
	if loc, _ := cdp.Run(ctx, cdp.Location()); loc != c.srv.URL+"/watchlist" {
		t.Errorf("landed on %s, want the watchlist asked for", loc)
	}
	screenshot(t, ctx, shots(t), "signin-oidc")
}

// TestOIDCFlowsBounded: one address cannot fill the memory of flows under
// way by starting sign-ins it never finishes.
func TestOIDCFlowsBounded(t *testing.T) {
	c, _ := oidcCoalition(t)
	b := anonymous(c, "Bank")
	n := 0
	for ; n < 100; n++ {
		if res, _ := b.get("/signin/oidc/TestIdP"); res.StatusCode != http.StatusSeeOther {
			if res.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("flow %d: %s, want 303 or 429", n+1, res.Status)
			}
			break
		}
	}
	if n == 0 || n == 100 {
		t.Errorf("%d flows started from one address, want a bound between 1 and 99", n)
	}
}
