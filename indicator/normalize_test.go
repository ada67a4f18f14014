package indicator_test

import (
	"testing"

	"github.com/vigie-cti/vigie/indicator"
)

func TestNormalizeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://example.com/foo", "http://example.com/foo"},
		{"HTTP://Example.COM/Foo", "http://example.com/Foo"},
		{"http://example.com:80/a", "http://example.com/a"},
		{"https://example.com:443/a", "https://example.com/a"},
		{"https://example.com:80/a", "https://example.com:80/a"},
		{"ftp://example.com:21/f", "ftp://example.com/f"},
		{"http://example.com", "http://example.com/"},
		{"http://example.com?q=1", "http://example.com/?q=1"},
		{"http://example.com/a#frag", "http://example.com/a"},
		{"http://example.com/%7euser/%2f%41", "http://example.com/~user/%2FA"},
		{"http://User:Pass@Example.com:8080/x", "http://User:Pass@example.com:8080/x"},
		{"http://[2001:DB8::1]:80/x", "http://[2001:db8::1]/x"},
		{"http://[2001:DB8::1]/x", "http://[2001:db8::1]/x"},
		{"mailto:Someone@Example.com", "mailto:Someone@Example.com"},
		{"example.com/path", "example.com/path"},
		{"", ""},
		{"http://example.com/50%", "http://example.com/50%"},
	}
	for _, tt := range tests {
		if got := indicator.NormalizeURL(tt.in); got != tt.want {
			t.Errorf("NormalizeURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := indicator.NormalizeURL(tt.want); again != tt.want {
			t.Errorf("NormalizeURL is not idempotent on %q: %q", tt.want, again)
		}
	}
}
