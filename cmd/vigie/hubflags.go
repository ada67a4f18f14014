package main

import (
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/vigie-cti/vigie/client"
)

// hubFlagsHelp ends the help of every command that talks to a hub.
const hubFlagsHelp = `
The hub is --hub or $VIGIE_HUB. The API key is read from --key-file FILE
("-": standard input), else --key, else $VIGIE_KEY: prefer the file or the
variable, since other users of this machine can read a key given on the
command line (ps, /proc/PID/cmdline) and it stays in the shell's history.
--ca FILE or --fingerprint (as "vigie serve" prints it) trust a hub
certificate the system does not.`

// hubFlags are the flags of the commands that talk to a hub: where it is,
// the API key, and how its certificate is trusted.
type hubFlags struct {
	URL     string
	Key     string
	KeyFile string
	TLS     client.TLS
}

// register adds --hub, --key, --key-file, --ca, --fingerprint and
// --insecure to fs. Their defaults come from the environment only in
// resolve, after parsing, so that --help never prints a key.
func (h *hubFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&h.URL, "hub", "", "hub URL, e.g. https://hub.example:8443 (default $VIGIE_HUB)")
	fs.StringVar(&h.Key, "key", "", "API key (default $VIGIE_KEY); other local users can see a key given on the command line: prefer --key-file or $VIGIE_KEY")
	fs.StringVar(&h.KeyFile, "key-file", "", "read the API key from this file (\"-\": standard input)")
	fs.StringVar(&h.TLS.CAFile, "ca", "", "PEM file of the CA (or self-signed certificate) the hub's certificate must chain to")
	fs.StringVar(&h.TLS.Fingerprint, "fingerprint", "", "SHA-256 fingerprint of the hub's certificate, as \"vigie serve\" prints it (pins it)")
	fs.BoolVar(&h.TLS.Insecure, "insecure", false, "do not verify the hub's certificate (tests only)")
}

// resolve completes the flags after parsing: the hub from $VIGIE_HUB, the
// key from --key-file (stdin for "-") or else $VIGIE_KEY.
func (h *hubFlags) resolve(stdin io.Reader) error {
	if h.URL == "" {
		h.URL = os.Getenv("VIGIE_HUB")
	}
	switch {
	case h.KeyFile != "" && h.Key != "":
		return errors.New("give --key or --key-file, not both")
	case h.KeyFile != "":
		key, err := client.ReadKeyFile(h.KeyFile, stdin)
		if err != nil {
			return err
		}
		h.Key = key
	case h.Key == "":
		h.Key = os.Getenv("VIGIE_KEY")
	}
	return nil
}

// require resolves the flags and checks that both a hub and a key are
// known.
func (h *hubFlags) require(stdin io.Reader) error {
	if err := h.resolve(stdin); err != nil {
		return err
	}
	if h.URL == "" || h.Key == "" {
		return errors.New("--hub and --key are required (or $VIGIE_HUB, and --key-file or $VIGIE_KEY)")
	}
	return nil
}

// httpClient resolves the flags and returns the HTTP client of the hub,
// with a timeout per request.
func (h *hubFlags) httpClient(stdin io.Reader, timeout time.Duration) (*http.Client, error) {
	if err := h.require(stdin); err != nil {
		return nil, err
	}
	return client.NewHTTPClient(h.URL, h.TLS, timeout)
}

// apiClient resolves the flags and returns a client of the hub's /api/v1.
func (h *hubFlags) apiClient(stdin io.Reader) (*client.Client, error) {
	hc, err := h.httpClient(stdin, 30*time.Second)
	if err != nil {
		return nil, err
	}
	return client.New(h.URL, h.Key, hc)
}
