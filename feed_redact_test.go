package vigie_test

import (
	"strings"
	"testing"

	"github.com/vigie-cti/vigie"
)

// TestFeedRedact: what a feed's last error shows never holds the parts of
// its URL that may be secrets (user, password, path, query).
func TestFeedRedact(t *testing.T) {
	for _, tc := range []struct {
		url, err, origin string
		secrets          []string
	}{
		{"https://feeds.example/misp/tok3nPath", `manifest: Get "https://feeds.example/misp/tok3nPath/manifest.json": dial tcp: refused`,
			"https://feeds.example", []string{"tok3nPath"}},
		{"https://feeds.example/list.csv?apikey=s3cretKey", "https://feeds.example/list.csv?apikey=s3cretKey answered 403 Forbidden",
			"https://feeds.example", []string{"s3cretKey"}},
		{"https://bob:hunter22@feeds.example/x/", `Get "https://bob:***@feeds.example/x/manifest.json": EOF`,
			"https://feeds.example", []string{"hunter22", "bob"}},
		{"https://feeds.example/x?k=abcd1234", "something quoted only the query: abcd1234",
			"https://feeds.example", []string{"abcd1234"}},
	} {
		f := &vigie.Feed{URL: tc.url}
		if got := f.Origin(); got != tc.origin {
			t.Errorf("Origin(%s) = %q, want %q", tc.url, got, tc.origin)
		}
		got := f.Redact(tc.err)
		for _, s := range tc.secrets {
			if strings.Contains(got, s) {
				t.Errorf("Redact(%q) = %q, still holds %q", tc.err, got, s)
			}
		}
		if !strings.Contains(got, "feeds.example") && !strings.Contains(tc.err, "only the query") {
			t.Errorf("Redact(%q) = %q: the host, which helps, is gone", tc.err, got)
		}
	}
}
