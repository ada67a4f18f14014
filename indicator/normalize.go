package indicator

import (
	"encoding/binary"
	"strings"
)

// appendLowerASCII appends s with ASCII letters lowered, eight bytes at a
// time (see ones).
func appendLowerASCII(dst []byte, s string) []byte {
	n := len(dst)
	dst = append(dst, s...)
	b := dst[n:]
	for len(b) >= 8 {
		x := binary.LittleEndian.Uint64(b)
		y := x &^ highs // no carries, even from bytes of 0x80 and above
		upper := (y + (0x80-'A')*ones) &^ (y + (0x7f-'Z')*ones) &^ x & highs
		binary.LittleEndian.PutUint64(b, x|upper>>2)
		b = b[8:]
	}
	for i, c := range b {
		if c-'A' < 26 {
			b[i] = c + 'a' - 'A'
		}
	}
	return dst
}

// lowerASCII returns s with ASCII letters lowered, without copying when
// there are none.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return string(appendLowerASCII(make([]byte, 0, len(s)), s))
		}
	}
	return s
}

// hasUpperASCII reports whether s has an ASCII upper-case letter, eight
// bytes at a time (see ones).
func hasUpperASCII(s string) bool {
	var upper uint64
	for ; len(s) >= 8; s = s[8:] {
		x := load8(s)
		y := x &^ highs
		upper |= (y + (0x80-'A')*ones) &^ (y + (0x7f-'Z')*ones) &^ x
	}
	for i := 0; i < len(s); i++ {
		if s[i]-'A' < 26 {
			return true
		}
	}
	return upper&highs != 0
}

// isDomainKey reports whether a domain name is its own lookup key (see
// appendDomainKey): lower case, without a final dot.
func isDomainKey(s string) bool {
	return !strings.HasSuffix(s, ".") && !hasUpperASCII(s)
}

// Sets of ASCII bytes for isNormalURL, as bit sets of bytes 0-63 (Lo)
// and 64-127 (Hi): the bytes of a scheme after its first letter, and the
// bytes an authority must not have (upper case, user information, port,
// IPv6 brackets, end of the authority, escapes).
const (
	schemeLo  = 1<<'+' | 1<<'-' | 1<<'.' | (1<<10-1)<<'0'
	schemeHi  = (1<<26 - 1) << ('a' - 64)
	notHostLo = 1<<'#' | 1<<'%' | 1<<'/' | 1<<':' | 1<<'?'
	notHostHi = 1<<('@'-64) | (1<<26-1)<<('A'-64) | 1<<('['-64) | 1<<(']'-64)
)

// inByteSet reports whether c is in the bit set lo, hi of ASCII bytes.
func inByteSet(c byte, lo, hi uint64) bool {
	switch {
	case c < 64:
		return lo>>c&1 != 0
	case c < 128:
		return hi>>(c-64)&1 != 0
	}
	return false
}

// isNormalURL reports, in one pass, whether a URL is certainly in the
// form NormalizeURL gives (it may be so and still not be reported): a
// lower-case scheme, an authority without user information, port, upper
// case or escapes followed by a path, and no escape or fragment.
func isNormalURL(s string) bool {
	if len(s) == 0 || s[0]-'a' >= 26 {
		return false
	}
	i := 1
	for i < len(s) && inByteSet(s[i], schemeLo, schemeHi) {
		i++
	}
	if i == len(s) || s[i] != ':' {
		return false
	}
	rest := s[i+1:]
	if strings.HasPrefix(rest, "//") {
		j := 2
		for j < len(rest) && !inByteSet(rest[j], notHostLo, notHostHi) {
			j++
		}
		if j == len(rest) || rest[j] != '/' {
			return false // NormalizeURL adds a "/", or not a plain host
		}
		rest = rest[j:]
	}
	return !hasByte2(rest, '#', '%')
}

// hasByte2 reports whether s has byte a or byte b, both ASCII, eight
// bytes at a time (see ones).
func hasByte2(s string, a, b byte) bool {
	var found uint64
	for ; len(s) >= 8; s = s[8:] {
		x := load8(s)
		y := x &^ highs
		// A byte of ya is 0 when that byte of y is a; adding 0x7f sets
		// its high bit unless it is 0. Bytes of s of 0x80 and above are
		// neither a nor b (both ASCII).
		ya, yb := y^uint64(a)*ones, y^uint64(b)*ones
		found |= (^(ya + 0x7f*ones) | ^(yb + 0x7f*ones)) &^ x
	}
	for i := 0; i < len(s); i++ {
		if s[i] == a || s[i] == b {
			return true
		}
	}
	return found&highs != 0
}

// NormalizeURL returns the form of a URL under which the Index files and
// looks up url:value: the scheme and host are lower-cased, the default port
// of http (80), https (443), ftp (21), ws (80) and wss (443) is removed, an
// empty path after a host becomes "/", percent-escapes are upper-cased and
// those of unreserved characters (A-Z a-z 0-9 - . _ ~) decoded, and the
// fragment is dropped. Dot segments and query parameters are left as they
// are. A string without a scheme is returned unchanged.
func NormalizeURL(s string) string {
	return string(appendNormalizedURL(nil, s))
}

// appendNormalizedURL appends the normal form of a URL (see NormalizeURL).
func appendNormalizedURL(dst []byte, s string) []byte {
	colon := strings.IndexByte(s, ':')
	if colon <= 0 || !(isLetter(s[0]) || s[0] == '_') {
		return append(dst, s...)
	}
	for i := 1; i < colon; i++ {
		c := s[i]
		if !isWordByte(c) && c != '+' && c != '-' && c != '.' {
			return append(dst, s...)
		}
	}
	schemeStart := len(dst)
	dst = appendLowerASCII(dst, s[:colon])
	scheme := dst[schemeStart:]
	dst = append(dst, ':')
	rest := s[colon+1:]
	if hash := strings.IndexByte(rest, '#'); hash >= 0 {
		rest = rest[:hash]
	}
	if strings.HasPrefix(rest, "//") {
		dst = append(dst, "//"...)
		rest = rest[2:]
		end := 0
		for end < len(rest) && rest[end] != '/' && rest[end] != '?' {
			end++
		}
		auth := rest[:end]
		rest = rest[end:]
		// One pass from the end finds the user information (up to the
		// last '@') and a port (after the last ':', unless a ']' follows
		// it, as in "[::1]").
		at, colon, bracket := -1, -1, false
	scan:
		for i := len(auth) - 1; i >= 0; i-- {
			switch auth[i] {
			case '@':
				at = i
				break scan
			case ':':
				if colon < 0 {
					colon = i
				}
			case ']':
				bracket = bracket || colon < 0
			}
		}
		if at >= 0 {
			dst = append(dst, auth[:at+1]...)
		}
		host, port := auth[at+1:], ""
		if colon >= 0 && !bracket {
			host, port = auth[at+1:colon], auth[colon+1:]
		}
		dst = appendLowerASCII(dst, host)
		if port != "" && port != defaultPort(scheme) {
			dst = append(dst, ':')
			dst = append(dst, port...)
		}
		if rest == "" || rest[0] == '?' {
			dst = append(dst, '/')
		}
	}
	return appendPercentNormalized(dst, rest)
}

func defaultPort(scheme []byte) string {
	switch {
	case string(scheme) == "http", string(scheme) == "ws":
		return "80"
	case string(scheme) == "https", string(scheme) == "wss":
		return "443"
	case string(scheme) == "ftp":
		return "21"
	}
	return ""
}

// appendPercentNormalized upper-cases percent-escapes and decodes those of
// unreserved characters (RFC 3986 §6.2.2).
func appendPercentNormalized(dst []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, '%')
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i]...)
		s = s[i:]
		if len(s) < 3 || !isHexDigit(s[1]) || !isHexDigit(s[2]) {
			dst = append(dst, '%')
			s = s[1:]
			continue
		}
		v := unhex(s[1])<<4 | unhex(s[2])
		if isUnreserved(v) {
			dst = append(dst, v)
		} else {
			dst = append(dst, '%', upperHex(s[1]), upperHex(s[2]))
		}
		s = s[3:]
	}
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func upperHex(c byte) byte {
	if c >= 'a' && c <= 'f' {
		return c - 'a' + 'A'
	}
	return c
}

func isUnreserved(c byte) bool {
	return isWordByte(c) || c == '-' || c == '.' || c == '~'
}

// appendDomainKey appends the form under which Lookup searches a domain
// name: lower case, without a final dot.
func appendDomainKey(dst []byte, s string) []byte {
	s = strings.TrimSuffix(s, ".")
	return appendLowerASCII(dst, s)
}

// isLetter reports whether c is an ASCII letter.
func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// isWordByte reports whether c is an ASCII letter, digit or '_'.
func isWordByte(c byte) bool { return isLetter(c) || c >= '0' && c <= '9' || c == '_' }

// isHexDigit reports whether c is a hex digit of either case.
func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f'
}

// isHex reports whether s is a non-empty string of hex digits.
func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHexDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
