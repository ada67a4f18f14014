package client_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/client"
)

// newTLSHub starts a TLS server on loopback with a self-signed
// certificate of its own (for 127.0.0.1) and returns it and the
// certificate as a PEM file.
func newTLSHub(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "test hub"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true,

		BasicConstraintsValid: true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"org_id":"identity--0b6e5ab4-6cf1-4c9a-9a3e-3e8e2a1f0a01","org_name":"CERT-Nord","role":"reader"}`)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "hub.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return srv, ca
}

// get makes one request with a client built from tlsOpts, and returns
// NewHTTPClient's error or the request's.
func get(t *testing.T, url string, tlsOpts client.TLS) error {
	t.Helper()
	hc, err := client.NewHTTPClient(url, tlsOpts, 10*time.Second)
	if err != nil {
		return err
	}
	res, err := hc.Get(url)
	if err != nil {
		return err
	}
	res.Body.Close()
	return nil
}

func TestNewHTTPClientTrust(t *testing.T) {
	srv, ca := newTLSHub(t)
	other, otherCA := newTLSHub(t)
	pin := client.Fingerprint(srv.Certificate().Raw)
	wrongPin := client.Fingerprint(other.Certificate().Raw)
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(plain.Close)
	notPEM := filepath.Join(t.TempDir(), "not.pem")
	os.WriteFile(notPEM, []byte("not a certificate\n"), 0o644)

	tests := []struct {
		name    string
		url     string
		tls     client.TLS
		wantErr string // "" for success
	}{
		{"system roots refuse a self-signed certificate", srv.URL, client.TLS{}, "certificate"},
		{"pinned fingerprint", srv.URL, client.TLS{Fingerprint: pin}, ""},
		{"pinned fingerprint, lower case without colons", srv.URL, client.TLS{Fingerprint: strings.ToLower(strings.ReplaceAll(pin, ":", ""))}, ""},
		{"another certificate's fingerprint", srv.URL, client.TLS{Fingerprint: wrongPin}, "is not the pinned " + wrongPin},
		{"malformed fingerprint", srv.URL, client.TLS{Fingerprint: "AB:CD"}, "want the 32-byte SHA-256"},
		{"CA file", srv.URL, client.TLS{CAFile: ca}, ""},
		{"another CA file", srv.URL, client.TLS{CAFile: otherCA}, "certificate"},
		{"missing CA file", srv.URL, client.TLS{CAFile: filepath.Join(t.TempDir(), "none.pem")}, "no such file"},
		{"CA file without PEM", srv.URL, client.TLS{CAFile: notPEM}, "no PEM certificate"},
		{"pin and CA", srv.URL, client.TLS{CAFile: ca, Fingerprint: pin}, ""},
		{"pin, but another CA", srv.URL, client.TLS{CAFile: otherCA, Fingerprint: pin}, "pinned, but"},
		{"insecure", srv.URL, client.TLS{Insecure: true}, ""},
		{"insecure with a pin", srv.URL, client.TLS{Insecure: true, Fingerprint: pin}, "insecure"},
		{"plain http", plain.URL, client.TLS{}, ""},
		{"plain http with a pin", plain.URL, client.TLS{Fingerprint: pin}, "plain http"},
		{"plain http with a CA", plain.URL, client.TLS{CAFile: ca}, "plain http"},
		{"not a hub URL", "ftp://hub.example", client.TLS{}, "want http(s)://host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := get(t, tt.url, tt.tls)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("no error, want one with %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("error %q, want one with %q", err, tt.wantErr)
			}
		})
	}
}

// TestPinnedClientCallsTheAPI uses the pinned HTTP client for an API call,
// as every command does.
func TestPinnedClientCallsTheAPI(t *testing.T) {
	srv, _ := newTLSHub(t)
	hc, err := client.NewHTTPClient(srv.URL, client.TLS{Fingerprint: client.Fingerprint(srv.Certificate().Raw)}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(srv.URL, "vigie_testkey", hc)
	if err != nil {
		t.Fatal(err)
	}
	w, err := c.Whoami(context.Background())
	if err != nil || w.OrgName != "CERT-Nord" {
		t.Fatalf("Whoami = %+v, %v", w, err)
	}
}

func TestParseFingerprint(t *testing.T) {
	want := strings.Repeat("AB:", 31) + "CD"
	for _, in := range []string{want, strings.ToLower(want), strings.ReplaceAll(want, ":", ""), " " + want + "\n"} {
		b, err := client.ParseFingerprint(in)
		if err != nil || client.FormatFingerprint(b) != want {
			t.Errorf("ParseFingerprint(%q) = %x, %v", in, b, err)
		}
	}
	malformed := []string{
		"",
		"AB:CD",
		strings.Repeat("ZZ:", 31) + "ZZ",
		want + ":EF",
		strings.Repeat("AB:", 31) + "C",
		strings.Repeat("AB:", 32),
		strings.Repeat("AB:", 30) + "ABCD:",
		strings.Repeat("AB:", 30) + "A:BCD",
		strings.Repeat("AB::", 31) + "CD",
		"\x00" + want,
		strings.Repeat("é", 32),
	}
	for _, bad := range malformed {
		if _, err := client.ParseFingerprint(bad); err == nil {
			t.Errorf("ParseFingerprint(%q) accepted", bad)
		}
		if _, err := client.NewHTTPClient("https://hub.example", client.TLS{Fingerprint: bad}, 0); bad != "" && err == nil {
			t.Errorf("NewHTTPClient with fingerprint %q accepted", bad)
		}
	}
}

func FuzzParseFingerprint(f *testing.F) {
	f.Add(strings.Repeat("AB:", 31) + "CD")
	f.Add("ab")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := client.ParseFingerprint(s)
		if err != nil {
			return
		}
		if len(b) != 32 {
			t.Fatalf("ParseFingerprint(%q) gave %d bytes", s, len(b))
		}
		again, err := client.ParseFingerprint(client.FormatFingerprint(b))
		if err != nil || string(again) != string(b) {
			t.Fatalf("round trip of %q: %x, %v", s, again, err)
		}
	})
}
