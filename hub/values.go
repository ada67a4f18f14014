package hub

import (
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/vigie-cti/vigie"
)

// The kinds of values people paste into the dashboard.
const (
	ValueIPv4   = "ipv4"
	ValueIPv6   = "ipv6"
	ValueRange  = "range" // an address range (CIDR)
	ValueDomain = "domain"
	ValueURL    = "url"
	ValueEmail  = "email"
	ValueMD5    = "md5"
	ValueSHA1   = "sha1"
	ValueSHA256 = "sha256"
	ValueSHA512 = "sha512"
	ValueCVE    = "cve"
	ValuePURL   = "purl"
	ValueText   = "text" // anything else: searched as text
)

// Value is one value a person typed, classified.
type Value struct {
	Kind  string // one of the Value* constants
	Value string // normalised (lower-case domain, address in canonical form, ...)
}

var (
	hexOnly    = regexp.MustCompile(`^[0-9a-fA-F]+$`)
	cveID      = regexp.MustCompile(`^(?i)cve-\d{4}-\d{4,}$`)
	domainLike = regexp.MustCompile(`^(?i)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]\.?$`)
	emailLike  = regexp.MustCompile(`^[^@\s'"\\]{1,64}@([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,}$`)
	purlLike   = regexp.MustCompile(`^pkg:[a-zA-Z][a-zA-Z0-9.+-]*/\S+$`)
)

// ClassifyValue says what kind of value s is: an address, a range, a
// domain, a URL, a mail address, a hash (by length), a CVE id, a package
// URL, or text.
func ClassifyValue(s string) Value {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		if a.Is4() || a.Is4In6() {
			return Value{ValueIPv4, a.Unmap().String()}
		}
		return Value{ValueIPv6, a.String()}
	}
	if p, err := netip.ParsePrefix(s); err == nil {
		return Value{ValueRange, p.Masked().String()}
	}
	if hexOnly.MatchString(s) {
		switch len(s) {
		case 32:
			return Value{ValueMD5, strings.ToLower(s)}
		case 40:
			return Value{ValueSHA1, strings.ToLower(s)}
		case 64:
			return Value{ValueSHA256, strings.ToLower(s)}
		case 128:
			return Value{ValueSHA512, strings.ToLower(s)}
		}
	}
	switch {
	case cveID.MatchString(s):
		return Value{ValueCVE, strings.ToUpper(s)}
	case purlLike.MatchString(s):
		return Value{ValuePURL, s}
	case emailLike.MatchString(s):
		return Value{ValueEmail, strings.ToLower(s)}
	case domainLike.MatchString(s) && !strings.Contains(s, "..") && len(s) <= 253:
		return Value{ValueDomain, strings.TrimSuffix(strings.ToLower(s), ".")}
	}
	if u, err := url.Parse(s); err == nil && (u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "ftp") && u.Host != "" {
		return Value{ValueURL, s}
	}
	return Value{ValueText, s}
}

// needles returns the byte strings whose presence in an object's JSON
// makes it a hit for v. Addresses are looked for as whole quoted strings
// (a pattern's '198.51.100.7' or an SCO's "198.51.100.7"), so that
// 198.51.100.7 does not find 198.51.100.70; other values as substrings,
// in the case they were typed and in their normalised case.
func (v Value) needles(typed string) []string {
	typed = strings.TrimSpace(typed)
	switch v.Kind {
	case ValueIPv4, ValueIPv6, ValueRange:
		return []string{"'" + v.Value + "'", `"` + v.Value + `"`}
	case ValueMD5, ValueSHA1, ValueSHA256, ValueSHA512:
		return uniq(v.Value, strings.ToUpper(v.Value))
	case ValueText:
		// The JSON is matched byte for byte: try the common cases of
		// words as well (lantern, Lantern, LANTERN).
		lower := strings.ToLower(typed)
		title := lower
		if r := []rune(lower); len(r) > 0 {
			title = strings.ToUpper(string(r[0])) + string(r[1:])
		}
		return uniq(typed, lower, title, strings.ToUpper(typed))
	}
	return uniq(v.Value, typed)
}

func uniq(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" && !containsString(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// stixString quotes s as a STIX pattern string literal.
func stixString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// Pattern returns the STIX pattern that detects v, or an EINVALID error
// for a kind that an indicator does not describe (a CVE, a package URL,
// text).
func (v Value) Pattern() (string, error) {
	switch v.Kind {
	case ValueIPv4:
		return "[ipv4-addr:value = " + stixString(v.Value) + "]", nil
	case ValueIPv6:
		return "[ipv6-addr:value = " + stixString(v.Value) + "]", nil
	case ValueRange:
		if netip.MustParsePrefix(v.Value).Addr().Is4() {
			return "[ipv4-addr:value ISSUBSET " + stixString(v.Value) + "]", nil
		}
		return "[ipv6-addr:value ISSUBSET " + stixString(v.Value) + "]", nil
	case ValueDomain:
		return "[domain-name:value = " + stixString(v.Value) + "]", nil
	case ValueURL:
		return "[url:value = " + stixString(v.Value) + "]", nil
	case ValueEmail:
		return "[email-addr:value = " + stixString(v.Value) + "]", nil
	case ValueMD5:
		return "[file:hashes.MD5 = " + stixString(v.Value) + "]", nil
	case ValueSHA1:
		return "[file:hashes.'SHA-1' = " + stixString(v.Value) + "]", nil
	case ValueSHA256:
		return "[file:hashes.'SHA-256' = " + stixString(v.Value) + "]", nil
	case ValueSHA512:
		return "[file:hashes.'SHA-512' = " + stixString(v.Value) + "]", nil
	}
	return "", vigie.Errorf(vigie.EINVALID, "%q is a %s: an indicator needs an address, a range, a domain, a URL, a mail address or a file hash", v.Value, v.Kind)
}

// observableKeys returns the keys of the correlation index that the
// early-warning engine fills (vigie.ObservableRef; alert.Observable.Key
// writes them): "ip:198.51.100.7/32", "domain:evil.example",
// "hash:SHA-256:e3b0...". nil for a kind the index does not hold.
func (v Value) observableKeys() []string {
	switch v.Kind {
	case ValueIPv4:
		return []string{"ip:" + v.Value + "/32"}
	case ValueIPv6:
		return []string{"ip:" + v.Value + "/128"}
	case ValueRange:
		return []string{"ip:" + v.Value}
	case ValueDomain:
		return []string{"domain:" + v.Value}
	case ValueEmail:
		return []string{"email:" + v.Value}
	case ValueURL:
		if u, err := url.Parse(v.Value); err == nil {
			return []string{"url:" + strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + u.RequestURI()}
		}
	case ValueMD5:
		return []string{"hash:MD5:" + v.Value}
	case ValueSHA1:
		return []string{"hash:SHA-1:" + v.Value, "hash:SHA1:" + v.Value}
	case ValueSHA256:
		return []string{"hash:SHA-256:" + v.Value, "hash:SHA256:" + v.Value}
	case ValueSHA512:
		return []string{"hash:SHA-512:" + v.Value, "hash:SHA512:" + v.Value}
	}
	return nil
}

// maxRangeRefs bounds the correlation index entries a range search reads
// (the first ones in key order): each names an object to read.
const maxRangeRefs = 1000

// insideSpans returns, for an IPv4 range, the spans [from, to) of
// correlation index keys that name an address or a range inside it. A key
// is "ip:" and the address or range in dotted form, so the keys inside
// 10.1.2.0/24 are those that begin "ip:10.1.2."; a range that does not end
// on a whole octet is split into the whole-octet ranges it covers (at
// most 256: 10.1.0.0/20 is 10.1.0. to 10.1.15.). Nil for anything else.
func (v Value) insideSpans() [][2]string {
	if v.Kind != ValueRange {
		return nil
	}
	pfx, err := netip.ParsePrefix(v.Value)
	if err != nil || !pfx.Addr().Is4() || pfx.Bits() == 32 {
		return nil
	}
	octets := max((pfx.Bits()+7)/8, 1)
	n := 1 << (octets*8 - pfx.Bits())
	base := pfx.Addr().As4()
	spans := make([][2]string, 0, n)
	for i := range n {
		a := base
		a[octets-1] += byte(i)
		parts := make([]string, octets)
		for j := range octets {
			parts[j] = strconv.Itoa(int(a[j]))
		}
		head := "ip:" + strings.Join(parts, ".")
		if octets == 4 {
			spans = append(spans, [2]string{head + "/", head + "0"}) // "0" follows "/"
		} else {
			spans = append(spans, [2]string{head + ".", head + "/"}) // "/" follows "."
		}
	}
	return spans
}
