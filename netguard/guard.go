// Package netguard decides whether the hub may dial an address: the one
// place that knows which addresses are internal (the hub's own machine and
// networks), so that a member cannot make the hub call them (server-side
// request forgery). Webhook delivery uses it; so will any other outgoing
// connection a member can point the hub at.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/vigie-cti/vigie"
)

// DefaultDeny is the deny-list: the address ranges of the hub's own
// machine and networks, and ranges that are never a public receiver.
// IPv4 addresses embedded in IPv6 ones are checked as IPv4 (see Embedded),
// so the IPv4 ranges cover their IPv6 spellings too.
func DefaultDeny() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
		"::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

// Guard decides which addresses the hub may dial: an address is refused
// when it, or an IPv4 address embedded in it, is in the deny-list and not
// in the allow-list. Zoned IPv6 addresses (fe80::1%eth0) are always
// refused: a zone names one of the hub's own interfaces. A Guard is safe
// for concurrent use once built; do not change its fields afterwards.
type Guard struct {
	Deny, Allow []netip.Prefix
	Resolver    *net.Resolver
}

// New returns a guard with the default deny-list and the allow-list.
func New(allow []netip.Prefix) *Guard {
	return &Guard{Deny: DefaultDeny(), Allow: allow, Resolver: net.DefaultResolver}
}

// Permits reports whether the hub may connect to addr: addr and every IPv4
// address embedded in it must each be allowed or outside the deny-list.
func (g *Guard) Permits(addr netip.Addr) bool {
	if !addr.IsValid() || addr.Zone() != "" {
		return false
	}
	addr = addr.Unmap()
	if !g.permitsOne(addr) {
		return false
	}
	for _, v4 := range Embedded(addr) {
		if !g.permitsOne(v4) {
			return false
		}
	}
	return true
}

func (g *Guard) permitsOne(addr netip.Addr) bool {
	for _, p := range g.Allow {
		if p.Contains(addr) {
			return true
		}
	}
	for _, p := range g.Deny {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// Embedded returns the IPv4 addresses that an IPv6 address carries and
// that a packet to it may end up at: IPv4-mapped (::ffff:0:0/96) and
// IPv4-translated (::ffff:0:0:0/96), IPv4-compatible (::/96), 6to4
// (2002::/16), Teredo (2001::/32: the server, and the client, whose
// address is the last 32 bits inverted), NAT64 (64:ff9b::/96, and
// 64:ff9b:1::/48 read both as /48 and /96) and ISATAP interface ids
// (…:0:5efe:a.b.c.d). None for an IPv4 address.
func Embedded(addr netip.Addr) []netip.Addr {
	if addr.Is4In6() {
		return []netip.Addr{addr.Unmap()}
	}
	if !addr.Is6() {
		return nil
	}
	b := addr.As16()
	v4 := func(a, b2, c, d byte) netip.Addr { return netip.AddrFrom4([4]byte{a, b2, c, d}) }
	last := v4(b[12], b[13], b[14], b[15])
	var out []netip.Addr
	zero := func(from, to int) bool {
		for _, x := range b[from:to] {
			if x != 0 {
				return false
			}
		}
		return true
	}
	switch {
	case zero(0, 12): // IPv4-compatible, :: and ::1 included
		out = append(out, last)
	case zero(0, 8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0: // IPv4-translated
		out = append(out, last)
	case b[0] == 0x20 && b[1] == 0x02: // 6to4
		out = append(out, v4(b[2], b[3], b[4], b[5]))
	case b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0: // Teredo
		out = append(out, v4(b[4], b[5], b[6], b[7]), v4(^b[12], ^b[13], ^b[14], ^b[15]))
	case b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && zero(4, 12): // NAT64 well-known
		out = append(out, last)
	case b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 && b[5] == 1: // NAT64 local use
		out = append(out, v4(b[6], b[7], b[9], b[10]), last)
	}
	if (b[8]|0x02) == 0x02 && b[9] == 0 && b[10] == 0x5e && b[11] == 0xfe { // ISATAP
		out = append(out, last)
	}
	return out
}

// CheckURL validates a URL the hub is asked to call later: http or https,
// no credentials in it, a host that is a DNS name or a standard IP
// address (no zone, no decimal, octal or hex spellings of IPv4), and whose
// every address the guard permits. EINVALID otherwise. The message names
// the address only when the URL spelled it, so that the hub's internal DNS
// answers are not revealed.
func (g *Guard) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" || len(raw) > 2048 || u.Opaque != "" {
		return vigie.Errorf(vigie.EINVALID, "URL %q: want http(s)://host[:port]/path", raw)
	}
	if u.User != nil {
		return vigie.Errorf(vigie.EINVALID, "URL: no credentials in the URL; the signature authenticates the hub")
	}
	host := u.Hostname()
	if strings.Contains(host, "%") {
		return vigie.Errorf(vigie.EINVALID, "URL: %q is a zoned IPv6 address, which names one of the hub's own interfaces", host)
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if !g.Permits(a) {
			return vigie.Errorf(vigie.EINVALID, "URL: %s is an internal address this hub does not call (the operator may allow it with --webhook-allow)", a)
		}
		return nil
	}
	if numericHost(host) {
		return vigie.Errorf(vigie.EINVALID, "URL: host %q is not a DNS name nor a standard IP address (write IPv4 as four decimal numbers)", host)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ips, err := g.Resolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return vigie.Errorf(vigie.EINVALID, "URL: cannot resolve %q", host)
	}
	for _, a := range ips {
		if !g.Permits(a) {
			return vigie.Errorf(vigie.EINVALID, "URL: %s resolves to an internal address this hub does not call (the operator may allow it with --webhook-allow)", host)
		}
	}
	return nil
}

// numericHost reports whether host's last label is a number (decimal, or
// hex with 0x): such hosts are not DNS names (no top-level domain is
// numeric), but resolvers may read them as IPv4 in inet_aton's spellings
// (2130706433, 0177.1, 0x7f.1).
func numericHost(host string) bool {
	host = strings.TrimSuffix(host, ".")
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" {
		return true
	}
	digits := last
	if len(last) > 2 && (last[:2] == "0x" || last[:2] == "0X") {
		digits = last[2:]
		return strings.Trim(strings.ToLower(digits), "0123456789abcdef") == ""
	}
	return strings.Trim(digits, "0123456789") == ""
}

// Control is a net.Dialer Control function: it refuses a connection to an
// address the guard does not permit, after DNS resolution, so that a name
// that resolved to a public address when checked and to an internal one
// later (DNS rebinding) is still refused. Its error is the same whatever
// the state of the refused address and port, and names neither.
func (g *Guard) Control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !g.Permits(ap.Addr()) {
		return ErrInternal
	}
	return nil
}

// ErrInternal is the error of a connection the guard refused.
var ErrInternal = errors.New("internal address: this hub does not call it")

// ParsePrefixes reads comma-separated CIDRs (single addresses allowed).
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			a, aerr := netip.ParseAddr(part)
			if aerr != nil || a.Zone() != "" {
				return nil, fmt.Errorf("%q is not a CIDR such as 127.0.0.0/8", part)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
