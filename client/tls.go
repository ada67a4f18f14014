package client

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// TLS says how a client trusts a hub's certificate. The zero value trusts
// what the system's roots trust, as a browser would.
type TLS struct {
	// CAFile is a PEM file of the certificates (a CA, or the hub's own
	// self-signed certificate) the hub's certificate must chain to,
	// instead of the system's roots; the host name is checked too.
	CAFile string
	// CAPEM is CAFile's content, for a caller that keeps it elsewhere (a
	// federation peer's CA, kept in the store); used when CAFile is "".
	CAPEM []byte
	// Fingerprint pins the hub's certificate: the SHA-256 of its leaf
	// certificate in hex, colons optional, as "vigie serve" prints it.
	// The pin replaces the system's roots and the host name check (a
	// self-signed certificate is trusted this way); with CAFile, the
	// chain to the CA is checked as well.
	Fingerprint string
	// Insecure checks nothing: any certificate is taken (tests only).
	Insecure bool
}

// NewHTTPClient returns the HTTP client of a hub at hubURL, trusting its
// certificate as t says, with an overall timeout per request (0: none;
// Client.Stream has none anyway). It is the one HTTP client of every
// command that talks to a hub, and of the sensor; it removes the
// request's API key from error answers, so that no error message quotes
// it. A CA or a fingerprint given for a plain http:// hub is refused,
// since nothing would check it, and so is Insecure with either of them.
func NewHTTPClient(hubURL string, t TLS, timeout time.Duration) (*http.Client, error) {
	u, err := parseHubURL(hubURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "http" && (t.CAFile != "" || len(t.CAPEM) > 0 || t.Fingerprint != "") {
		return nil, fmt.Errorf("hub URL %s is plain http: a CA or a fingerprint needs https", u.Redacted())
	}
	if t.Insecure && (t.CAFile != "" || t.Fingerprint != "") {
		return nil, errors.New("insecure: it checks no certificate, so a CA or a fingerprint with it would be ignored")
	}
	cfg, err := t.config()
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = cfg
	return &http.Client{Timeout: timeout, Transport: redactingTransport{next: tr}}, nil
}

// config returns the TLS configuration of t.
func (t TLS) config() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if t.Insecure {
		cfg.InsecureSkipVerify = true
		return cfg, nil
	}
	if t.CAFile != "" || len(t.CAPEM) > 0 {
		pem, name := t.CAPEM, "CA"
		if t.CAFile != "" {
			var err error
			if pem, err = os.ReadFile(t.CAFile); err != nil {
				return nil, fmt.Errorf("CA file: %w", err)
			}
			name = "CA file " + t.CAFile
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no PEM certificate in it", name)
		}
		cfg.RootCAs = pool
	}
	if t.Fingerprint == "" {
		return cfg, nil
	}
	want, err := ParseFingerprint(t.Fingerprint)
	if err != nil {
		return nil, err
	}
	roots := cfg.RootCAs
	// The pin replaces the usual verification, which a self-signed
	// certificate would fail; VerifyConnection runs on every handshake,
	// resumed ones included.
	cfg.InsecureSkipVerify = true
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("the hub sent no certificate")
		}
		leaf := cs.PeerCertificates[0]
		got := sha256.Sum256(leaf.Raw)
		if !bytes.Equal(got[:], want) {
			return fmt.Errorf("hub certificate fingerprint %s is not the pinned %s", FormatFingerprint(got[:]), FormatFingerprint(want))
		}
		if roots == nil {
			return nil
		}
		inter := x509.NewCertPool()
		for _, c := range cs.PeerCertificates[1:] {
			inter.AddCert(c)
		}
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: cs.ServerName}); err != nil {
			return fmt.Errorf("hub certificate: pinned, but %w", err)
		}
		return nil
	}
	return cfg, nil
}

// parseHubURL checks that s is an http(s) URL with a host.
func parseHubURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("hub URL %q: want http(s)://host[:port]", s)
	}
	return u, nil
}

// Fingerprint returns the SHA-256 fingerprint of a DER certificate as
// upper-case colon-separated hex: what "vigie serve" prints and
// TLS.Fingerprint takes.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return FormatFingerprint(sum[:])
}

// FormatFingerprint writes a digest as upper-case colon-separated hex.
func FormatFingerprint(b []byte) string {
	h := strings.ToUpper(hex.EncodeToString(b))
	var sb strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			sb.WriteByte(':')
		}
		sb.WriteString(h[i : i+2])
	}
	return sb.String()
}

// ParseFingerprint reads a SHA-256 fingerprint in hex, either 64 digits or
// 32 pairs separated by colons, in any case, with surrounding white space.
func ParseFingerprint(s string) ([]byte, error) {
	h := strings.TrimSpace(s)
	if len(h) == 3*sha256.Size-1 {
		var sb strings.Builder
		for i := 0; i < len(h); i += 3 {
			if i+2 < len(h) && h[i+2] != ':' {
				break
			}
			sb.WriteString(h[i : i+2])
		}
		h = sb.String()
	}
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != sha256.Size {
		return nil, fmt.Errorf("fingerprint %q: want the 32-byte SHA-256 of the certificate in hex, like AB:CD:...", s)
	}
	return b, nil
}
