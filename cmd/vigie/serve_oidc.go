package main

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/vigie-cti/vigie/web"
)

// oidcFlags are serve's --oidc-* flags: one OpenID Connect provider
// people may sign in with (web/oidc.go).
type oidcFlags struct {
	name, issuer, clientID, secretFile, redirect string
	secret                                       string // read from secretFile, never printed
}

func (o *oidcFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&o.issuer, "oidc-issuer", "", "OpenID Connect issuer URL people may sign in with (their e-mail must be a user's; default: none)")
	fs.StringVar(&o.name, "oidc-name", "SSO", `name of that provider on the sign-in page ("Sign in with NAME")`)
	fs.StringVar(&o.clientID, "oidc-client-id", "", "this hub's client id at the OIDC provider")
	fs.StringVar(&o.secretFile, "oidc-client-secret-file", "", "file holding this hub's client secret at the OIDC provider")
	fs.StringVar(&o.redirect, "oidc-redirect-url", "", "redirect URL registered at the provider (default: PUBLIC-URL/signin/oidc/callback)")
}

var oidcNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$`)

// check validates the flags and reads the secret file.
func (o *oidcFlags) check(fs *flag.FlagSet) error {
	if o.issuer == "" {
		if o.clientID != "" || o.secretFile != "" || o.redirect != "" {
			return usageError(fs, "--oidc-client-id, --oidc-client-secret-file and --oidc-redirect-url need --oidc-issuer")
		}
		return nil
	}
	if u, err := url.Parse(o.issuer); err != nil || u.Scheme != "https" && !(u.Scheme == "http" && isLoopbackHost(u.Hostname())) || u.Host == "" {
		return usageError(fs, fmt.Sprintf("--oidc-issuer %q: want an https:// URL", o.issuer))
	}
	if o.redirect != "" {
		if u, err := url.Parse(o.redirect); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Path != "/signin/oidc/callback" {
			return usageError(fs, fmt.Sprintf("--oidc-redirect-url %q: want scheme://host[:port]/signin/oidc/callback", o.redirect))
		}
	}
	if !oidcNameRE.MatchString(o.name) || o.name == "callback" || o.name == "code" {
		return usageError(fs, fmt.Sprintf("--oidc-name %q: want letters, digits, '.', '_' or '-' (not callback or code)", o.name))
	}
	if o.clientID == "" || o.secretFile == "" {
		return usageError(fs, "--oidc-issuer needs --oidc-client-id and --oidc-client-secret-file")
	}
	b, err := os.ReadFile(o.secretFile)
	if err != nil {
		return fmt.Errorf("vigie: read --oidc-client-secret-file: %w", err)
	}
	if o.secret = strings.TrimSpace(string(b)); o.secret == "" {
		return fmt.Errorf("vigie: --oidc-client-secret-file %s is empty", o.secretFile)
	}
	return nil
}

func isLoopbackHost(h string) bool {
	return h == "localhost" || h == "127.0.0.1" || h == "::1"
}

// providers returns the dashboard's providers; public is the hub's URL.
func (o *oidcFlags) providers(public string) []web.OIDCProvider {
	if o.issuer == "" {
		return nil
	}
	redirect := o.redirect
	if redirect == "" {
		redirect = public + "/signin/oidc/callback"
	}
	return []web.OIDCProvider{{Name: o.name, Issuer: o.issuer, ClientID: o.clientID, ClientSecret: o.secret, RedirectURL: redirect}}
}
