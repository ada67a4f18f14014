package export

import (
	"strings"
	"unicode/utf8"

	"github.com/vigie-cti/vigie/pattern"
)

// ValuesOf returns Values of the pattern src, or the reason it has none
// (ReasonBadPattern when it does not parse). Most indicators are one
// equality written plainly ("[ipv4-addr:value = '198.51.100.7']"): those
// are read without building a syntax tree, by a reader that accepts only
// a strict subset of the grammar (no escapes, no spacing variants) and
// gives exactly what Values(pattern.Parse(src)) gives, as
// TestValuesOfAgreesWithParse and FuzzValuesOf check; anything else is
// parsed in full.
func ValuesOf(src string, buf []Value) ([]Value, string) {
	if v, ok := simpleEquality(src); ok {
		return append(buf[:0], v), ""
	}
	p, err := pattern.Parse(src)
	if err != nil {
		return nil, ReasonBadPattern
	}
	return Values(p)
}

// simpleEquality reads "[TYPE:PROP = 'VALUE']" where TYPE and PROP are
// plain identifiers (PROP may be hashes.NAME or hashes.'NAME') and VALUE
// holds no quote or backslash, and returns its value when the path is one
// Values knows.
func simpleEquality(src string) (Value, bool) {
	rest, ok := strings.CutPrefix(src, "[")
	if !ok || len(src) > pattern.MaxPatternLength || !utf8.ValidString(src) {
		return Value{}, false
	}
	colon := strings.IndexByte(rest, ':')
	if colon <= 0 || !ident(rest[:colon], true) {
		return Value{}, false
	}
	typ := rest[:colon]
	rest = rest[colon+1:]
	eq := strings.Index(rest, " = '")
	if eq <= 0 || len(rest) < eq+6 || !strings.HasSuffix(rest, "']") {
		return Value{}, false
	}
	prop, lit := rest[:eq], rest[eq+4:len(rest)-2]
	if strings.ContainsAny(lit, `'\`) {
		return Value{}, false
	}
	var kind Kind
	switch {
	case prop == "value":
		switch typ {
		case "ipv4-addr":
			kind = KindIPv4
		case "ipv6-addr":
			kind = KindIPv6
		case "domain-name":
			kind = KindDomain
		case "url":
			kind = KindURL
		case "email-addr":
			kind = KindEmail
		default:
			return Value{}, false
		}
	case prop == "name" && typ == "file":
		kind = KindFileName
	case prop == "name" && typ == "software":
		kind = KindSoftware
	case strings.HasPrefix(prop, "hashes.") && (typ == "file" || typ == "artifact" || typ == "x509-certificate"):
		alg := prop[len("hashes."):]
		if q, ok := strings.CutPrefix(alg, "'"); ok {
			alg, ok = strings.CutSuffix(q, "'")
			if !ok || strings.ContainsAny(alg, `'\`) || alg == "" {
				return Value{}, false
			}
		} else if !ident(alg, false) {
			return Value{}, false
		}
		switch a := pattern.HashAlgorithm(alg); {
		case typ == "x509-certificate" && a == "SHA-1":
			kind = KindCertSHA1
		case typ == "x509-certificate":
			return Value{}, false
		case a == "MD5":
			kind = KindMD5
		case a == "SHA-1":
			kind = KindSHA1
		case a == "SHA-256":
			kind = KindSHA256
		default:
			return Value{}, false
		}
	default:
		return Value{}, false
	}
	// An address of the wrong family: let the parser decide.
	return literalValue(kind, lit)
}

// ident reports whether s is an identifier of the pattern grammar: a
// letter or '_' first, then letters, digits, '_' and, in object types,
// '-'.
func ident(s string, dash bool) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && c >= '0' && c <= '9':
		case i > 0 && dash && c == '-':
		default:
			return false
		}
	}
	return true
}
