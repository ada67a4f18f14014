package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeOIDCFlags: the --oidc-* flags are checked before the hub
// starts, and the client secret comes from its file, never the output.
func TestServeOIDCFlags(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("  the-client-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	ok := []string{"--oidc-issuer", "https://login.example.org", "--oidc-client-id", "vigie", "--oidc-client-secret-file", secret}
	for _, tc := range []struct {
		args []string
		want string // "" for no error
	}{
		{ok, ""},
		{append(ok, "--oidc-name", "Example", "--oidc-redirect-url", "https://hub.example/signin/oidc/callback"), ""},
		{[]string{"--oidc-issuer", "http://127.0.0.1:9000", "--oidc-client-id", "vigie", "--oidc-client-secret-file", secret}, ""},
		{[]string{"--oidc-client-id", "vigie"}, "need --oidc-issuer"},
		{[]string{"--oidc-issuer", "http://login.example.org", "--oidc-client-id", "vigie", "--oidc-client-secret-file", secret}, "https://"},
		{[]string{"--oidc-issuer", "login.example.org", "--oidc-client-id", "vigie", "--oidc-client-secret-file", secret}, "https://"},
		{[]string{"--oidc-issuer", "https://login.example.org", "--oidc-client-secret-file", secret}, "needs --oidc-client-id"},
		{[]string{"--oidc-issuer", "https://login.example.org", "--oidc-client-id", "vigie"}, "needs --oidc-client-id and --oidc-client-secret-file"},
		{append(ok, "--oidc-name", "callback"), "--oidc-name"},
		{append(ok, "--oidc-name", "a/b"), "--oidc-name"},
		{append(ok, "--oidc-redirect-url", "https://evil.example/x"), "/signin/oidc/callback"},
		{[]string{"--oidc-issuer", "https://login.example.org", "--oidc-client-id", "vigie", "--oidc-client-secret-file", filepath.Join(dir, "none")}, "read --oidc-client-secret-file"},
		{[]string{"--oidc-issuer", "https://login.example.org", "--oidc-client-id", "vigie", "--oidc-client-secret-file", empty}, "is empty"},
	} {
		var out bytes.Buffer
		m := newServeMain(Stdio{Out: &out, Err: &out})
		err := m.ParseFlags(append([]string{"--data", dir}, tc.args...))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v", tc.args, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q: error %v, want one saying %q", tc.args, err, tc.want)
		}
		if strings.Contains(out.String()+errString(err), "the-client-secret") {
			t.Errorf("%q: the secret is in the output", tc.args)
		}
		if tc.want == "" {
			ps := m.OIDC.providers("https://hub.example")
			if len(ps) != 1 || ps[0].ClientSecret != "the-client-secret" || !strings.HasSuffix(ps[0].RedirectURL, "/signin/oidc/callback") {
				t.Errorf("%q: %d providers, want one with the secret of the file and the callback URL", tc.args, len(ps))
			}
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestServeOIDCProviderDown: the hub starts with a provider that does not
// answer, offers it, and says so when someone picks it.
func TestServeOIDCProviderDown(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret") // not in the data directory, which must be empty
	os.WriteFile(secret, []byte("the-client-secret"), 0o600)
	m := mustServe(t, t.TempDir(), "--oidc-issuer", "http://127.0.0.1:1", "--oidc-name", "Example", "--oidc-client-id", "vigie", "--oidc-client-secret-file", secret)
	hc := testHTTPClient()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, tc := range []struct {
		path, want string
		status     int
	}{
		{"/signin", "Sign in with Example", http.StatusOK},
		{"/signin/oidc/Example", "does not answer", http.StatusServiceUnavailable},
		{"/signin/oidc/Other", "no sign-in provider", http.StatusNotFound},
	} {
		res, err := hc.Get(m.url + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET %s: %s, want %d and %q", tc.path, res.Status, tc.status, tc.want)
		}
		if strings.Contains(string(body), "the-client-secret") {
			t.Errorf("GET %s shows the client secret", tc.path)
		}
	}
}
