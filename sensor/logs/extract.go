package logs

import (
	"bytes"
	"net/netip"
	"unsafe"

	"github.com/vigie-cti/vigie/sensor"
)

// Byte classes of the plain-text extractor.
const (
	cAlpha   = 1 << iota // A-Z a-z
	cDigit               // 0-9
	cHex                 // 0-9 a-f A-F
	cToken               // may appear in an address, a name or an e-mail address
	cURLStop             // ends a URL
)

var textClass = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= cAlpha | cToken
		t[c-'a'+'A'] |= cAlpha | cToken
	}
	for c := '0'; c <= '9'; c++ {
		t[c] |= cDigit | cHex | cToken
	}
	for _, c := range "abcdefABCDEF" {
		t[c] |= cHex
	}
	for _, c := range ".-_:@+" {
		t[c] |= cToken
	}
	for c := 0; c <= ' '; c++ {
		t[c] |= cURLStop
	}
	for _, c := range "\"'<>`{}|\\^\x7f" {
		t[c] |= cURLStop
	}
	return t
}()

// extractText finds in free text the URLs, e-mail addresses, IP addresses
// (IPv4, IPv6, with or without a port), domain names and hex digests of
// 32, 40, 64 or 128 digits, and emits each. The parts of a URL are
// emitted too (its host as a domain or an address), so that a domain
// indicator matches a URL that names it.
func extractText(b []byte, emit sensor.Emit) {
	extractURLs(b, emit)
	for i := 0; i < len(b); {
		if textClass[b[i]]&cToken == 0 {
			i++
			continue
		}
		j := i + 1
		for j < len(b) && textClass[b[j]]&cToken != 0 {
			j++
		}
		classifyToken(b[i:j], emit)
		i = j
	}
}

// extractURLs emits every scheme://... run of b.
func extractURLs(b []byte, emit sensor.Emit) {
	for off := 0; ; {
		k := bytes.Index(b[off:], []byte("://"))
		if k < 0 {
			return
		}
		k += off
		s := k
		for s > 0 && textClass[b[s-1]]&(cAlpha|cDigit) != 0 || s > 0 && (b[s-1] == '+' || b[s-1] == '-' || b[s-1] == '.') {
			s--
		}
		for s < k && textClass[b[s]]&cAlpha == 0 {
			s++
		}
		e := k + 3
		for e < len(b) && textClass[b[e]]&cURLStop == 0 {
			e++
		}
		for e > k+3 && isTrailingPunct(b[e-1]) {
			e--
		}
		if s < k && e > k+3 {
			emit(sensor.KindURL, b[s:e])
		}
		off = k + 3
	}
}

func isTrailingPunct(c byte) bool {
	switch c {
	case '.', ',', ';', ':', ')', ']', '!', '?', '(', '[':
		return true
	}
	return false
}

// classifyToken emits the observable a run of token bytes is, if any.
func classifyToken(t []byte, emit sensor.Emit) {
	for len(t) > 0 && textClass[t[0]]&(cAlpha|cDigit) == 0 && !(t[0] == ':' && len(t) > 1 && t[1] == ':') {
		t = t[1:]
	}
	for len(t) > 0 && textClass[t[len(t)-1]]&(cAlpha|cDigit) == 0 && !(len(t) > 1 && t[len(t)-1] == ':' && t[len(t)-2] == ':') {
		t = t[:len(t)-1]
	}
	if len(t) < 4 {
		return
	}
	if at := bytes.LastIndexByte(t, '@'); at >= 0 {
		local, host := t[:at], t[at+1:]
		if i := bytes.LastIndexByte(local, '@'); i >= 0 {
			local = local[i+1:]
		}
		if c := bytes.IndexByte(local, ':'); c >= 0 {
			local = local[c+1:] // "mailto:x@y", "from:x@y"
		}
		if c := bytes.IndexByte(host, ':'); c >= 0 {
			host = host[:c]
		}
		if len(local) > 0 && isDomain(host) {
			emit(sensor.KindEmail, t[at-len(local):at+1+len(host)])
			emit(sensor.KindDomain, host)
		}
		return
	}
	if c := bytes.IndexByte(t, ':'); c >= 0 {
		if bytes.Count(t, []byte{':'}) >= 2 && isIPv6(t) {
			emit(sensor.KindIP, t)
			return
		}
		for len(t) > 0 {
			c := bytes.IndexByte(t, ':')
			if c < 0 {
				c = len(t)
			}
			classifyPlain(t[:c], emit)
			if c == len(t) {
				break
			}
			t = t[c+1:]
		}
		return
	}
	classifyPlain(t, emit)
}

// classifyPlain classifies a token without '@' or ':'.
func classifyPlain(t []byte, emit sensor.Emit) {
	if len(t) < 4 {
		return
	}
	hex, digitsDots, dots := true, true, 0
	for _, c := range t {
		cl := textClass[c]
		hex = hex && cl&cHex != 0
		if c == '.' {
			dots++
		} else if cl&cDigit == 0 {
			digitsDots = false
		}
	}
	switch {
	case hex && (len(t) == 32 || len(t) == 40 || len(t) == 64 || len(t) == 128):
		emit(sensor.KindHash, t)
	case digitsDots && dots == 3:
		if _, err := netip.ParseAddr(unsafeString(t)); err == nil {
			emit(sensor.KindIP, t)
		}
	case !digitsDots && dots > 0 && isDomain(t):
		emit(sensor.KindDomain, t)
	}
}

// isIPv6 reports whether t is an IPv6 address.
func isIPv6(t []byte) bool {
	a, err := netip.ParseAddr(unsafeString(t))
	return err == nil && a.Is6()
}

// isDomain reports whether t has the shape of a domain name with at least
// two labels and an alphabetic top-level label (or an IDNA "xn--" one).
func isDomain(t []byte) bool {
	if len(t) < 4 || len(t) > 253 {
		return false
	}
	label, alphaTLD := 0, true
	for i, c := range t {
		if c == '.' {
			if label == 0 || t[i-1] == '-' {
				return false
			}
			label, alphaTLD = 0, true
			continue
		}
		cl := textClass[c]
		if cl&(cAlpha|cDigit) == 0 && c != '-' && c != '_' {
			return false
		}
		if label == 0 && c == '-' {
			return false
		}
		alphaTLD = alphaTLD && cl&cAlpha != 0
		label++
		if label > 63 {
			return false
		}
	}
	last := t[bytes.LastIndexByte(t, '.')+1:]
	if len(last) < 2 || label == 0 {
		return false
	}
	return alphaTLD || bytes.HasPrefix(last, []byte("xn--"))
}

// unsafeString views b as a string for a call that does not keep it.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
