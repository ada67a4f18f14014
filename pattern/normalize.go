package pattern

import "strings"

// appendLowerASCII appends s with ASCII letters lowered.
func appendLowerASCII(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
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
	if colon <= 0 || !isIdentStart(s[0]) {
		return append(dst, s...)
	}
	for i := 1; i < colon; i++ {
		c := s[i]
		if !isIdentChar(c) && c != '+' && c != '-' && c != '.' {
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
		end := strings.IndexAny(rest, "/?")
		if end < 0 {
			end = len(rest)
		}
		auth := rest[:end]
		rest = rest[end:]
		if at := strings.LastIndexByte(auth, '@'); at >= 0 {
			dst = append(dst, auth[:at+1]...)
			auth = auth[at+1:]
		}
		host, port := auth, ""
		if i := strings.LastIndexByte(auth, ':'); i >= 0 && !strings.Contains(auth[i:], "]") {
			host, port = auth[:i], auth[i+1:]
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
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' || i+2 >= len(s) || !isHexDigit(s[i+1]) || !isHexDigit(s[i+2]) {
			dst = append(dst, c)
			continue
		}
		v := unhex(s[i+1])<<4 | unhex(s[i+2])
		if isUnreserved(v) {
			dst = append(dst, v)
		} else {
			dst = append(dst, '%', upperHex(s[i+1]), upperHex(s[i+2]))
		}
		i += 2
	}
	return dst
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
	return isIdentChar(c) || c == '-' || c == '.' || c == '~'
}

// appendDomainKey appends the form under which Lookup searches a domain
// name: lower case, without a final dot.
func appendDomainKey(dst []byte, s string) []byte {
	s = strings.TrimSuffix(s, ".")
	return appendLowerASCII(dst, s)
}
