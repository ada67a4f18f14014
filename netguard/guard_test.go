package netguard_test

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/netguard"
)

// TestPermits holds the guard to every spelling of an internal address it
// must refuse, and to public addresses it must let through.
func TestPermits(t *testing.T) {
	g := netguard.New(nil)
	for _, tc := range []struct {
		addr string
		want bool
		why  string
	}{
		{"127.0.0.1", false, "loopback"},
		{"127.255.255.254", false, "loopback"},
		{"10.1.2.3", false, "private"},
		{"172.16.0.1", false, "private"},
		{"192.168.1.1", false, "private"},
		{"169.254.169.254", false, "cloud metadata"},
		{"169.254.1.1", false, "link-local"},
		{"100.64.0.1", false, "CGNAT"},
		{"224.0.0.1", false, "multicast"},
		{"239.255.255.250", false, "multicast"},
		{"255.255.255.255", false, "broadcast"},
		{"0.0.0.0", false, "unspecified"},
		{"0.1.2.3", false, "this network"},
		{"198.18.0.1", false, "benchmarking"},
		{"::", false, "unspecified IPv6"},
		{"::1", false, "loopback IPv6"},
		{"fe80::1", false, "link-local IPv6"},
		{"fe80::1%lo", false, "zoned link-local"},
		{"::1%lo", false, "zoned loopback"},
		{"2001:4860:4860::8888%eth0", false, "zoned public: a zone names the hub's own interface"},
		{"fc00::1", false, "unique local"},
		{"fd12:3456::1", false, "unique local"},
		{"fec0::1", false, "site-local"},
		{"ff02::1", false, "multicast IPv6"},
		{"100::1", false, "discard-only"},
		{"::ffff:127.0.0.1", false, "IPv4-mapped loopback"},
		{"::ffff:10.0.0.1", false, "IPv4-mapped private"},
		{"::ffff:169.254.169.254", false, "IPv4-mapped metadata"},
		{"::ffff:0:127.0.0.1", false, "IPv4-translated loopback"},
		{"::127.0.0.1", false, "IPv4-compatible loopback"},
		{"::10.0.0.1", false, "IPv4-compatible private"},
		{"::169.254.169.254", false, "IPv4-compatible metadata"},
		{"2002:7f00:1::", false, "6to4 of 127.0.0.1"},
		{"2002:a9fe:a9fe::1", false, "6to4 of 169.254.169.254"},
		{"2002:c0a8:101:1::1", false, "6to4 of 192.168.1.1"},
		{"2001:0:4136:e378:8000:63bf:80ff:fffe", false, "Teredo, client 127.0.0.1 (inverted)"},
		{"2001:0:7f00:1::1", false, "Teredo, server 127.0.0.1"},
		{"2001:0:4136:e378:8000:63bf:f5ff:fffe", false, "Teredo, client 10.0.0.1 (inverted)"},
		{"64:ff9b::127.0.0.1", false, "NAT64 of loopback"},
		{"64:ff9b::a9fe:a9fe", false, "NAT64 of metadata"},
		{"64:ff9b:1::1", false, "NAT64 local use"},
		{"64:ff9b:1:7f00:1::", false, "NAT64 local use, /48 of 127.0.0.1"},
		{"2001:db8::5efe:127.0.0.1", false, "ISATAP of loopback"},
		{"8.8.8.8", true, "public"},
		{"198.51.100.7", true, "documentation, used by tests as public"},
		{"2001:4860:4860::8888", true, "public IPv6"},
		{"::ffff:8.8.8.8", true, "IPv4-mapped public"},
		{"::8.8.8.8", true, "IPv4-compatible public"},
		{"2002:808:808::1", true, "6to4 of a public address"},
		{"2001:0:4136:e378:8000:63bf:f7f7:f7f7", true, "Teredo of public server and client 8.8.8.8"},
		{"64:ff9b::8.8.8.8", true, "NAT64 of a public address"},
	} {
		a, err := netip.ParseAddr(tc.addr)
		if err != nil {
			t.Fatalf("%s: %v", tc.addr, err)
		}
		if got := g.Permits(a); got != tc.want {
			t.Errorf("Permits(%s) = %v, want %v (%s)", tc.addr, got, tc.want, tc.why)
		}
		// The dial-time check sees the same answer.
		err = g.Control("tcp", netip.AddrPortFrom(a, 443).String(), nil)
		if (err == nil) != tc.want {
			t.Errorf("Control(%s) = %v, want permitted %v (%s)", tc.addr, err, tc.want, tc.why)
		}
	}
}

// TestAllow checks that the allow-list opens exactly its ranges, also for
// IPv6 spellings of an allowed IPv4 address, and never for a zoned one.
func TestAllow(t *testing.T) {
	g := netguard.New([]netip.Prefix{netip.MustParsePrefix("10.9.0.0/16"), netip.MustParsePrefix("127.0.0.0/8")})
	for addr, want := range map[string]bool{
		"10.9.1.1": true, "10.8.1.1": false, "::ffff:10.9.1.1": true, "2002:a09:101::": true,
		"127.0.0.1": true, "::1": false, "::1%lo": false, "2002:a08:101::": false,
	} {
		if got := g.Permits(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Permits(%s) = %v, want %v", addr, got, want)
		}
	}
}

// TestCheckURL checks URL spellings: every internal form is refused with
// EINVALID and a message that says why.
func TestCheckURL(t *testing.T) {
	g := netguard.New(nil)
	// No DNS in tests: names resolve through a resolver that fails.
	g.Resolver = &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Err: net.UnknownNetworkError("no DNS in tests")}
	}}
	for _, tc := range []struct{ url, want string }{
		{"http://[::1%25lo]:8080/hook", "zoned"},
		{"http://[fe80::1%25eth0]/hook", "zoned"},
		{"http://[2001:4860:4860::8888%25eth0]/", "zoned"},
		{"http://127.0.0.1:9/hook", "internal address"},
		{"http://[::1]/x", "internal address"},
		{"http://[::127.0.0.1]/x", "internal address"},
		{"http://[::ffff:127.0.0.1]/x", "internal address"},
		{"http://[2002:7f00:1::]/x", "internal address"},
		{"http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/x", "internal address"},
		{"http://[64:ff9b::7f00:1]/x", "internal address"},
		{"http://[64:ff9b:1::a00:1]/x", "internal address"},
		{"http://169.254.169.254/latest/meta-data", "internal address"},
		{"http://100.64.0.1/", "internal address"},
		{"http://224.0.0.1/", "internal address"},
		{"http://0.0.0.0/", "internal address"},
		{"http://2130706433/", "standard IP"},
		{"http://0x7f000001/", "standard IP"},
		{"http://0x7f.0.0.1/", "standard IP"},
		{"http://0177.0.0.1/", "standard IP"},
		{"http://127.1/", "standard IP"},
		{"http://10.1/", "standard IP"},
		{"http://017700000001./", "standard IP"},
		{"http://localhost/x", "URL"}, // /etc/hosts: loopback; without it: cannot resolve
		{"http://vigie-test.invalid/x", "cannot resolve"},
		{"gopher://example.org/", "want http"},
		{"http:///x", "want http"},
		{"http:example.org", "want http"},
		{"http://u:p@example.org/", "credentials"},
		{"http://example.org/" + strings.Repeat("a", 2100), "want http"},
	} {
		err := g.CheckURL(context.Background(), tc.url)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckURL(%.60s) = %v, want an error naming %q", tc.url, err, tc.want)
		}
	}
	for _, u := range []string{"https://8.8.8.8/hook", "http://[2001:4860:4860::8888]:8443/x", "https://[64:ff9b::808:808]/"} {
		if err := g.CheckURL(context.Background(), u); err != nil {
			t.Errorf("CheckURL(%s) = %v, want nil", u, err)
		}
	}
}

// TestParsePrefixes checks the --webhook-allow syntax.
func TestParsePrefixes(t *testing.T) {
	ps, err := netguard.ParsePrefixes(" 127.0.0.0/8, ::1 ,10.1.2.3,")
	if err != nil || len(ps) != 3 || ps[1].String() != "::1/128" || ps[2].String() != "10.1.2.3/32" {
		t.Errorf("ParsePrefixes = %v, %v", ps, err)
	}
	for _, bad := range []string{"127.0.0.0/33", "localhost", "fe80::1%eth0", "1.2.3"} {
		if _, err := netguard.ParsePrefixes(bad); err == nil {
			t.Errorf("ParsePrefixes(%q) accepted", bad)
		}
	}
}

// FuzzPermits checks, for any address, that an IPv4 address and each of
// its IPv6 spellings get the same answer, and that zoned addresses and the
// dial-time check never disagree with Permits.
func FuzzPermits(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "8.8.8.8", "10.0.0.1", "169.254.169.254", "::1", "2002:7f00:1::", "fe80::1%lo", "64:ff9b::1"} {
		f.Add(s)
	}
	g := netguard.New(nil)
	f.Fuzz(func(t *testing.T, s string) {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return
		}
		got := g.Permits(a)
		if a.Zone() != "" && got {
			t.Fatalf("zoned %s permitted", a)
		}
		if cerr := g.Control("tcp", netip.AddrPortFrom(a, 80).String(), nil); (cerr == nil) != got {
			t.Fatalf("Control and Permits disagree on %s", a)
		}
		a = a.Unmap()
		if !a.Is4() {
			return
		}
		b := a.As4()
		teredoClient := [16]byte{0x20, 0x01, 0, 0, 8, 8, 8, 8, 0, 0, 0, 0, ^b[0], ^b[1], ^b[2], ^b[3]}
		for _, v6 := range []netip.Addr{
			netip.AddrFrom16([16]byte{8: 0xff, 9: 0xff, 12: b[0], 13: b[1], 14: b[2], 15: b[3]}),
			netip.AddrFrom16([16]byte{10: 0xff, 11: 0xff, 12: b[0], 13: b[1], 14: b[2], 15: b[3]}),
			netip.AddrFrom16([16]byte{12: b[0], 13: b[1], 14: b[2], 15: b[3]}),
			netip.AddrFrom16([16]byte{0: 0x20, 1: 0x02, 2: b[0], 3: b[1], 4: b[2], 5: b[3], 15: 1}),
			netip.AddrFrom16(teredoClient),
			netip.AddrFrom16([16]byte{1: 0x64, 2: 0xff, 3: 0x9b, 12: b[0], 13: b[1], 14: b[2], 15: b[3]}),
		} {
			if !got && g.Permits(v6) {
				t.Fatalf("%s refused but its IPv6 spelling %s permitted", a, v6)
			}
		}
	})
}

// FuzzCheckURL checks that no URL makes CheckURL panic, and that a URL it
// accepts without DNS names a permitted, unzoned address literal.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"http://[::1%25lo]:80/", "http://127.1/", "https://8.8.8.8/x", "http://[2002:7f00:1::]/", "http://0x7f.1/", "http://a.b/"} {
		f.Add(s)
	}
	g := netguard.New(nil)
	g.Resolver = &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Err: net.UnknownNetworkError("no DNS in tests")}
	}}
	f.Fuzz(func(t *testing.T, raw string) {
		if g.CheckURL(context.Background(), raw) != nil {
			return
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("accepted %q, which does not parse", raw)
		}
		a, err := netip.ParseAddr(u.Hostname())
		if err != nil {
			return // a name found in /etc/hosts
		}
		if a.Zone() != "" || !g.Permits(a) {
			t.Fatalf("accepted %q: %s", raw, a)
		}
	})
}
