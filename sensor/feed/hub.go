package feed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/vigie-cti/vigie/api"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/vigie-cti/vigie/taxii"
)

// TLSOptions says how to trust a hub's certificate beyond the system's
// roots: not at all (Insecure), or by its SHA-256 fingerprint, which
// vigie serve prints as colon-separated hex.
type TLSOptions struct {
	Insecure    bool
	Fingerprint string
}

// NewHTTPClient returns an HTTP client with a timeout for one hub. With a
// fingerprint, the hub's leaf certificate must have that SHA-256 digest
// and nothing else is checked (self-signed certificates pin this way).
func NewHTTPClient(o TLSOptions, timeout time.Duration) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	switch {
	case o.Fingerprint != "":
		want, err := ParseFingerprint(o.Fingerprint)
		if err != nil {
			return nil, err
		}
		tr.TLSClientConfig = &tls.Config{
			InsecureSkipVerify: true, // replaced by the pin below
			VerifyConnection: func(cs tls.ConnectionState) error {
				if len(cs.PeerCertificates) == 0 {
					return errors.New("hub sent no certificate")
				}
				got := sha256.Sum256(cs.PeerCertificates[0].Raw)
				if !bytes.Equal(got[:], want) {
					return fmt.Errorf("hub certificate fingerprint %s is not the pinned %s", FormatFingerprint(got[:]), FormatFingerprint(want))
				}
				return nil
			},
		}
	case o.Insecure:
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	return &http.Client{Timeout: timeout, Transport: tr}, nil
}

// ParseFingerprint reads a SHA-256 fingerprint in hex, with or without
// colons, in any case.
func ParseFingerprint(s string) ([]byte, error) {
	h := strings.ReplaceAll(strings.TrimSpace(s), ":", "")
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != sha256.Size {
		return nil, fmt.Errorf("fingerprint %q: want the 32-byte SHA-256 of the certificate in hex, like AB:CD:...", s)
	}
	return b, nil
}

// FormatFingerprint writes a digest as upper-case colon-separated hex.
func FormatFingerprint(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02X", c)
	}
	return strings.Join(parts, ":")
}

// Identity is who an API key acts for, as GET /api/v1/whoami says.
type Identity = api.Whoami

// Whoami asks the hub at base who key acts for.
func Whoami(ctx context.Context, hc *http.Client, base, key string) (*Identity, error) {
	u := strings.TrimSuffix(base, "/") + "/api/v1/whoami"
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return nil, fmt.Errorf("whoami: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Accept", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("whoami: %w", err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("whoami: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("whoami: %s: %s", res.Status, strings.TrimSpace(string(b[:min(len(b), 300)])))
	}
	var id Identity
	if err := json.Unmarshal(b, &id); err != nil || !strings.HasPrefix(id.OrgID, "identity--") {
		return nil, fmt.Errorf("whoami: the answer names no organisation identity")
	}
	return &id, nil
}

// DefaultRoot returns the API root a hub's discovery names as the
// default, or its first one.
func DefaultRoot(ctx context.Context, cl *taxii.Client) (string, error) {
	d, err := cl.Discovery(ctx)
	if err != nil {
		return "", err
	}
	if d.Default != "" {
		return d.Default, nil
	}
	if len(d.APIRoots) == 0 {
		return "", errors.New("the hub's discovery lists no API root")
	}
	return d.APIRoots[0], nil
}

// MaxReportBatch is how many sightings go in one POST.
const MaxReportBatch = 500

// Report posts objects to a collection in batches and returns how many
// the hub accepted; the failures it names are returned as one error.
func Report(ctx context.Context, cl *taxii.Client, col Collection, objs []json.RawMessage) (int, error) {
	ok := 0
	var errs []error
	for lo := 0; lo < len(objs); lo += MaxReportBatch {
		batch := objs[lo:min(lo+MaxReportBatch, len(objs))]
		st, err := cl.AddObjects(ctx, col.Root, col.ID, batch)
		if err != nil {
			return ok, fmt.Errorf("post sightings: %w", err)
		}
		ok += st.SuccessCount + st.PendingCount
		for _, f := range st.Failures {
			errs = append(errs, fmt.Errorf("%s refused: %s", f.ID, f.Message))
		}
	}
	return ok, errors.Join(errs...)
}

// ReportCollection chooses where sightings go: the collection named
// explicitly, else the first of preferred (the collections indicators
// were pulled from) that the key may write, else, when no collection is
// preferred, the first writable collection of the API root.
func ReportCollection(ctx context.Context, cl *taxii.Client, root, explicit string, preferred []string) (Collection, error) {
	if explicit != "" {
		return Collection{Root: root, ID: explicit}, nil
	}
	list, err := cl.Collections(ctx, root)
	if err != nil {
		return Collection{}, fmt.Errorf("list collections: %w", err)
	}
	writable := map[string]bool{}
	var first string
	for _, c := range list {
		if c.CanWrite {
			writable[c.ID] = true
			if first == "" {
				first = c.ID
			}
		}
	}
	for _, id := range preferred {
		if writable[id] {
			return Collection{Root: root, ID: id}, nil
		}
	}
	if len(preferred) == 0 && first != "" {
		return Collection{Root: root, ID: first}, nil
	}
	return Collection{}, errors.New("--report: your key may write none of these collections; give --report-collection")
}
