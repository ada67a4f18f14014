package vigie_test

import (
	"strings"
	"testing"

	"github.com/vigie-cti/vigie"
)

func TestPeerValidate(t *testing.T) {
	good := func() *vigie.Peer {
		return &vigie.Peer{Name: "hub-b", URL: "https://hub-b:8443/coalition/", Key: "vigie_abc_def",
			RemoteCollection: "5f0c1b2a-0000-4000-8000-000000000001", LocalCollection: "5f0c1b2a-0000-4000-8000-000000000002"}
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("a valid peer: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(p *vigie.Peer)
		want string
	}{
		{"empty name", func(p *vigie.Peer) { p.Name = "" }, "peer name"},
		{"name with a space", func(p *vigie.Peer) { p.Name = "hub b" }, "peer name"},
		{"name too long", func(p *vigie.Peer) { p.Name = strings.Repeat("a", 65) }, "peer name"},
		{"no scheme", func(p *vigie.Peer) { p.URL = "hub-b:8443/coalition/" }, "API root"},
		{"ftp", func(p *vigie.Peer) { p.URL = "ftp://hub-b/coalition/" }, "API root"},
		{"no API root", func(p *vigie.Peer) { p.URL = "https://hub-b:8443/" }, "names no API root"},
		{"credentials in the URL", func(p *vigie.Peer) { p.URL = "https://user:pw@hub-b/coalition/" }, "API root"},
		{"query", func(p *vigie.Peer) { p.URL = "https://hub-b/coalition/?x=1" }, "API root"},
		{"pin with http", func(p *vigie.Peer) { p.URL = "http://hub-b/coalition/"; p.Fingerprint = "AB" }, "plain http"},
		{"CA with http", func(p *vigie.Peer) { p.URL = "http://hub-b/coalition/"; p.CAPEM = "x" }, "plain http"},
		{"no key", func(p *vigie.Peer) { p.Key = "" }, "API key"},
		{"key on two lines", func(p *vigie.Peer) { p.Key = "vigie_a\nb" }, "one line"},
		{"remote not a UUID", func(p *vigie.Peer) { p.RemoteCollection = "coalition" }, "UUIDs"},
		{"local not a UUID", func(p *vigie.Peer) { p.LocalCollection = "" }, "UUIDs"},
	} {
		p := good()
		tc.edit(p)
		err := p.Validate()
		if vigie.ErrorCode(err) != vigie.EINVALID || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want EINVALID saying %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "vigie_abc_def") {
			t.Errorf("%s: the error shows the key: %v", tc.name, err)
		}
	}
}

func FuzzPeerValidate(f *testing.F) {
	f.Add("hub-b", "https://hub-b:8443/coalition/", "vigie_abc_def")
	f.Add("x", "http://[::1]:80/r/", "k")
	f.Fuzz(func(t *testing.T, name, url, key string) {
		p := &vigie.Peer{Name: name, URL: url, Key: vigie.Secret(key),
			RemoteCollection: "5f0c1b2a-0000-4000-8000-000000000001", LocalCollection: "5f0c1b2a-0000-4000-8000-000000000002"}
		if err := p.Validate(); err != nil && vigie.ErrorCode(err) != vigie.EINVALID {
			t.Fatalf("Validate: %v, want EINVALID or nil", err)
		}
	})
}
