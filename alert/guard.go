package alert

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/vigie-cti/vigie"
)

// DefaultDeny is the deny-list of webhook targets: the address ranges of
// the hub's own machine and networks, which a member must not make the hub
// call (server-side request forgery). --webhook-allow opens ranges of it.
func DefaultDeny() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
		"::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "fc00::/7", "fe80::/10", "ff00::/8",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

// Guard decides which webhook targets the hub may call: an address in the
// deny-list is refused unless an allow-list range contains it. It checks
// URLs when webhooks are registered, and every address again when the
// dispatcher connects, so that DNS cannot be turned against it later.
type Guard struct {
	Deny, Allow []netip.Prefix
	Resolver    *net.Resolver
}

// NewGuard returns a guard with the default deny-list and allow.
func NewGuard(allow []netip.Prefix) *Guard {
	return &Guard{Deny: DefaultDeny(), Allow: allow, Resolver: net.DefaultResolver}
}

// Permits reports whether the hub may connect to addr.
func (g *Guard) Permits(addr netip.Addr) bool {
	addr = addr.Unmap()
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

// CheckURL validates a webhook URL: http or https, no credentials in it,
// and a host whose every address the guard permits. EINVALID otherwise.
func (g *Guard) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" || len(raw) > 2048 {
		return vigie.Errorf(vigie.EINVALID, "webhook URL %q: want http(s)://host[:port]/path", raw)
	}
	if u.User != nil {
		return vigie.Errorf(vigie.EINVALID, "webhook URL: no credentials in the URL; the signature authenticates the hub")
	}
	host := u.Hostname()
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		ips, err := g.Resolver.LookupNetIP(ctx, "ip", host)
		if err != nil || len(ips) == 0 {
			return vigie.Errorf(vigie.EINVALID, "webhook URL: cannot resolve %q", host)
		}
		addrs = ips
	}
	for _, a := range addrs {
		if !g.Permits(a) {
			return vigie.Errorf(vigie.EINVALID, "webhook URL: %s resolves to %s, an internal address this hub does not call (the operator may allow it with --webhook-allow)", host, a.Unmap())
		}
	}
	return nil
}

// control is a net.Dialer Control function refusing denied addresses.
func (g *Guard) control(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("webhook: %q is not an address", host)
	}
	if !g.Permits(a) {
		return fmt.Errorf("webhook: connection to %s refused: internal address", a.Unmap())
	}
	return nil
}

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
			if aerr != nil {
				return nil, fmt.Errorf("%q is not a CIDR such as 127.0.0.0/8", part)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
