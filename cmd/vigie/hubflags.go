package main

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/vigie-cti/vigie/client"
)

// hubFlags are the flags of the commands that talk to a hub.
type hubFlags struct {
	URL         string
	Key         string
	CA          string
	Fingerprint string
	Insecure    bool
}

// register adds --hub, --key, --ca, --fingerprint and --insecure to fs;
// --hub and --key default to $VIGIE_HUB and $VIGIE_KEY.
func (h *hubFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&h.URL, "hub", os.Getenv("VIGIE_HUB"), "hub URL, e.g. https://hub.example:8443 (default $VIGIE_HUB)")
	fs.StringVar(&h.Key, "key", os.Getenv("VIGIE_KEY"), "API key (default $VIGIE_KEY)")
	fs.StringVar(&h.CA, "ca", "", "PEM file of the CA (or self-signed certificate) the hub's certificate must chain to")
	fs.StringVar(&h.Fingerprint, "fingerprint", "", "SHA-256 fingerprint of the hub's certificate, as \"vigie serve\" prints it (pins it)")
	fs.BoolVar(&h.Insecure, "insecure", false, "do not verify the hub's certificate (tests only)")
}

// httpClient returns an HTTP client for the hub with the TLS settings of
// the flags.
func (h *hubFlags) httpClient(timeout time.Duration) (*http.Client, error) {
	if h.URL == "" || h.Key == "" {
		return nil, errors.New("--hub and --key are required (or $VIGIE_HUB and $VIGIE_KEY)")
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if h.CA != "" {
		pem, err := os.ReadFile(h.CA)
		if err != nil {
			return nil, fmt.Errorf("--ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca %s: no PEM certificate in it", h.CA)
		}
		cfg.RootCAs = pool
	}
	if h.Fingerprint != "" {
		want, err := hex.DecodeString(strings.ReplaceAll(strings.ToLower(h.Fingerprint), ":", ""))
		if err != nil || len(want) != sha256.Size {
			return nil, fmt.Errorf("--fingerprint %q: want 32 hex bytes, e.g. AB:CD:...", h.Fingerprint)
		}
		// The pin replaces the chain check: the certificate must be this one.
		cfg.InsecureSkipVerify = true
		cfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("the hub sent no certificate")
			}
			sum := sha256.Sum256(raw[0])
			if string(sum[:]) != string(want) {
				return fmt.Errorf("the hub's certificate has fingerprint %s, not the pinned one", fingerprint(sum[:]))
			}
			return nil
		}
	}
	if h.Insecure {
		cfg.InsecureSkipVerify = true
	}
	return &http.Client{Timeout: timeout, Transport: &http.Transport{TLSClientConfig: cfg, Proxy: http.ProxyFromEnvironment}}, nil
}

// apiClient returns a client of the hub's /api/v1.
func (h *hubFlags) apiClient() (*client.Client, error) {
	hc, err := h.httpClient(30 * time.Second)
	if err != nil {
		return nil, err
	}
	return client.New(h.URL, h.Key, hc)
}
