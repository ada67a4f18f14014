package totp

import (
	"encoding/base32"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The SHA-1 test vectors of RFC 6238 Appendix B (8 digits there; the
// last 6 digits are the 6-digit codes), key "12345678901234567890".
func TestRFC6238Vectors(t *testing.T) {
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	for _, tc := range []struct {
		unix int64
		want string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	} {
		got, err := Code(secret, time.Unix(tc.unix, 0))
		if err != nil || got != tc.want[2:] {
			t.Errorf("Code(T=%d) = %q, %v; want %q", tc.unix, got, err, tc.want[2:])
		}
	}
}

func TestVerify(t *testing.T) {
	s := NewSecret()
	now := time.Unix(1_700_000_000, 0)
	c, _ := Code(s, now)
	for _, tc := range []struct {
		name string
		code string
		at   time.Time
		want bool
	}{
		{"now", c, now, true},
		{"with spaces", c[:3] + " " + c[3:], now, true},
		{"one step late", c, now.Add(Step), true},
		{"two steps late", c, now.Add(2 * Step), false},
		{"two steps early", c, now.Add(-2 * Step), false},
		{"wrong", "000000", now, c == "000000"},
		{"short", c[:5], now, false},
		{"empty", "", now, false},
	} {
		if got := Verify(s, tc.code, tc.at); got != tc.want {
			t.Errorf("%s: Verify = %v, want %v", tc.name, got, tc.want)
		}
	}
	for _, bad := range []string{"", "!!!!", "ABC", "AAAAAAAA"} {
		if Verify(bad, "123456", now) {
			t.Errorf("Verify accepted secret %q", bad)
		}
		if _, err := Code(bad, now); err == nil {
			t.Errorf("Code(%q) gave no error", bad)
		}
	}
}

func TestURI(t *testing.T) {
	u := URI("JBSWY3DPEHPK3PXP", "vigie", "ana@helios.example")
	if !strings.HasPrefix(u, "otpauth://totp/vigie:ana@helios.example?") || !strings.Contains(u, "secret=JBSWY3DPEHPK3PXP") {
		t.Errorf("URI = %s", u)
	}
	// Read back as an app does: spaces and "+" survive, every parameter is there.
	u = URI("JBSWY3DPEHPK3PXP", "vigie CERT hub", "ana+otp@helios.example")
	if strings.Contains(u, "+") {
		t.Errorf("URI %s has a '+', which apps may show as is", u)
	}
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := p.Query()
	if p.Scheme != "otpauth" || p.Host != "totp" || p.Path != "/vigie CERT hub:ana+otp@helios.example" {
		t.Errorf("URI %s: scheme %q, type %q, label %q", u, p.Scheme, p.Host, p.Path)
	}
	for k, want := range map[string]string{"secret": "JBSWY3DPEHPK3PXP", "issuer": "vigie CERT hub", "algorithm": "SHA1", "digits": "6", "period": "30"} {
		if q.Get(k) != want {
			t.Errorf("URI %s: %s = %q, want %q", u, k, q.Get(k), want)
		}
	}
}

func FuzzVerify(f *testing.F) {
	f.Add("JBSWY3DPEHPK3PXP", "123456", int64(0))
	f.Fuzz(func(t *testing.T, secret, code string, unix int64) {
		Verify(secret, code, time.Unix(unix, 0))
	})
}
