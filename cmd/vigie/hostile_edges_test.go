package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/taxii"
)

// TestPublicURL: discovery names --public-url whatever the Host header
// says, and a malformed --public-url is refused.
func TestPublicURL(t *testing.T) {
	e := newEarlyWarning(t)
	for _, bad := range []string{"hub.example", "ftp://hub.example", "https://hub.example/taxii2/", "https://u:p@hub.example", "https://hub.example?x=1"} {
		m := newServeMain(Stdio{Out: io.Discard, Err: io.Discard})
		if err := m.ParseFlags([]string{"--data", e.dir, "--public-url", bad}); err == nil {
			t.Errorf("--public-url %q accepted", bad)
		}
	}
	m := mustServe(t, e.dir, "--public-url", "https://hub.example:8443/", "--default-root", "coalition")
	req, _ := http.NewRequest("GET", m.URL()+"/taxii2/", nil)
	req.Host = "evil.example"
	req.Header.Set("X-Forwarded-Host", "evil.example")
	res, err := testHTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var d taxii.Discovery
	if err := json.Unmarshal(b, &d); err != nil || strings.Contains(string(b), "evil") ||
		d.Default != "https://hub.example:8443/coalition/" || len(d.APIRoots) != 1 || d.APIRoots[0] != d.Default {
		t.Errorf("discovery with a forged Host: %s", b)
	}
}
