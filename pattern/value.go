package pattern

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// This file holds the comparison semantics of STIX 2.1 §9 (Comparison
// Operators) as vigie reads them:
//
//   - A comparison is evaluated on each value its object path reaches; the
//     comparison holds if it holds for at least one of them. A path that
//     reaches no value makes the comparison false, with or without NOT.
//   - The value and the constant must have compatible types: strings with
//     strings, numbers (integer or float) with numbers, booleans with
//     booleans, binary (properties named *_bin or *_hex, b'' and h''
//     constants) with binary or with a string whose characters are all
//     below U+0100, timestamps (t'' constants) with strings that are RFC
//     3339 timestamps. Any other pair is a type mismatch: "=" and the
//     ordering operators are false, and "!=" is true, since the value is
//     not equal to the constant. This is what the OASIS reference matcher
//     (cti-pattern-matcher) does; the choice is made in exactly one place,
//     the OpNotEqual case of test.
//   - NOT negates the result of the comparison for a value that exists, so
//     "NOT =" across types is true.
//   - A property whose value is JSON null has a value of no type: every
//     comparison with it is a type mismatch ("!=" true, the others false,
//     NOT negating them), but it does not EXISTS, and a path cannot step
//     through it.
//   - "=", "!=", the ordering operators and IN compare strings by code
//     point, without Unicode normalisation; LIKE and MATCHES compare the
//     NFC forms of the operand and of the value, so the same text written
//     composed or decomposed matches (as the reference matcher does).
//   - LIKE and MATCHES on a binary property apply to its decoded bytes,
//     byte n read as the character U+00nn (the rule of "=" between binary
//     and strings); an operand with characters above U+00FF never
//     matches bytes.
//   - Three properties compare by meaning rather than spelling: the value of an
//     ipv4-addr or ipv6-addr compares as an address block ('1.2.3.4' equals
//     '1.2.3.4/32'); the value of a domain-name compares without regard to
//     ASCII case (RFC 4343); a value in a hashes dictionary that is a hex
//     string compares with a hex constant without regard to case. A hashes
//     key that is not present is also looked up under its other spellings
//     ('sha256' for 'SHA-256').

// valueCtx describes where a value was found: the key that led to it, the
// object holding that key, and whether that object is a hashes dictionary.
type valueCtx struct {
	key    string
	parent map[string]any
	hashes bool
}

// parentType returns the type of the object holding the value, which
// decides whether strings compare as IP addresses or domain names.
func (c valueCtx) parentType() string {
	if c.parent == nil {
		return ""
	}
	t, _ := c.parent["type"].(string)
	return t
}

// binaryValue decodes the value of a binary property (*_bin as base64,
// *_hex as hex). ok is false for other properties; valid is false when the
// property is binary but its value cannot be decoded.
func binaryValue(v any, ctx valueCtx) (b []byte, ok, valid bool) {
	bin := strings.HasSuffix(ctx.key, "_bin")
	if !bin && !strings.HasSuffix(ctx.key, "_hex") {
		return nil, false, false
	}
	s, isStr := v.(string)
	if !isStr {
		return nil, true, false
	}
	var err error
	if bin {
		b, err = base64.StdEncoding.DecodeString(s)
	} else {
		b, err = hex.DecodeString(s)
	}
	return b, true, err == nil
}

// latin1 converts a string to bytes when every character is below U+0100,
// the rule for comparing strings with binary values.
func latin1(s string) ([]byte, bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return nil, false
		}
		b = append(b, byte(r))
	}
	return b, true
}

// latin1String maps each byte to the character of the same code point, so
// that a regular expression written with \xNN escapes matches bytes.
func latin1String(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) * 2)
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// nfc returns s in Unicode normalisation form C, without copying when it
// is in NFC already (ASCII always is).
func nfc(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			if norm.NFC.IsNormalString(s) {
				return s
			}
			return norm.NFC.String(s)
		}
	}
	return s
}

// num is a JSON or literal number, kept exact when it is an integer.
type num struct {
	i     int64
	f     float64
	isInt bool
}

func numericValue(v any) (num, bool) {
	switch v := v.(type) {
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<62 {
			return num{i: int64(v), f: v, isInt: true}, true
		}
		return num{f: v}, true
	case json.Number:
		if !strings.ContainsAny(string(v), ".eE") {
			if i, err := v.Int64(); err == nil {
				return num{i: i, f: float64(i), isInt: true}, true
			}
		}
		f, err := v.Float64()
		return num{f: f}, err == nil
	case int:
		return num{i: int64(v), f: float64(v), isInt: true}, true
	case int64:
		return num{i: v, f: float64(v), isInt: true}, true
	}
	return num{}, false
}

func literalNum(l *Literal) num {
	if l.Kind == LitInt {
		return num{i: l.Int, f: float64(l.Int), isInt: true}
	}
	return num{f: l.Float}
}

func compareNums(a, b num) int {
	if a.isInt && b.isInt {
		switch {
		case a.i < b.i:
			return -1
		case a.i > b.i:
			return 1
		}
		return 0
	}
	switch {
	case a.f < b.f:
		return -1
	case a.f > b.f:
		return 1
	}
	return 0
}

// parseJSONTime parses a timestamp property value for comparison with a
// t” constant.
func parseJSONTime(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// compareEqual reports whether the value equals the constant, and whether
// their types are comparable at all.
func compareEqual(v any, ctx valueCtx, lit *Literal) (eq, comparable bool) {
	bin, isBin, valid := binaryValue(v, ctx)
	if isBin && !valid {
		return false, false
	}
	switch lit.Kind {
	case LitString:
		if isBin {
			lb, ok := latin1(lit.Str)
			return ok && bytes.Equal(bin, lb), true
		}
		s, ok := v.(string)
		if !ok {
			return false, false
		}
		return stringsEqual(s, lit.Str, ctx), true
	case LitInt, LitFloat:
		n, ok := numericValue(v)
		if !ok {
			return false, false
		}
		return compareNums(n, literalNum(lit)) == 0, true
	case LitBool:
		b, ok := v.(bool)
		return ok && b == lit.Bool, ok
	case LitBinary, LitHex:
		if isBin {
			return bytes.Equal(bin, lit.Bytes), true
		}
		s, ok := v.(string)
		if !ok {
			return false, false
		}
		sb, ok := latin1(s)
		return ok && bytes.Equal(sb, lit.Bytes), true
	case LitTimestamp:
		if isBin {
			return false, false
		}
		t, ok := parseJSONTime(v)
		return ok && t.Equal(lit.Time), ok
	}
	return false, false
}

// stringsEqual compares a string property with a string constant, by
// meaning for IP addresses, domain names and hex hash values.
func stringsEqual(v, lit string, ctx valueCtx) bool {
	if v == lit {
		return true
	}
	if ctx.key == "value" {
		switch ctx.parentType() {
		case "ipv4-addr", "ipv6-addr":
			pv, ok1 := AddressBlock(v)
			pl, ok2 := AddressBlock(lit)
			return ok1 && ok2 && pv == pl
		case "domain-name":
			return equalFoldASCII(v, lit)
		}
	}
	if ctx.hashes && isHexString(v) && isHexString(lit) {
		return equalFoldASCII(v, lit)
	}
	return false
}

// compareOrder compares the value with the constant for <, <=, > and >=.
func compareOrder(v any, ctx valueCtx, lit *Literal) (cmp int, comparable bool) {
	bin, isBin, valid := binaryValue(v, ctx)
	if isBin && !valid {
		return 0, false
	}
	switch lit.Kind {
	case LitString:
		if isBin {
			lb, ok := latin1(lit.Str)
			if !ok {
				return 0, false
			}
			return bytes.Compare(bin, lb), true
		}
		s, ok := v.(string)
		if !ok {
			return 0, false
		}
		return strings.Compare(s, lit.Str), true
	case LitInt, LitFloat:
		n, ok := numericValue(v)
		if !ok {
			return 0, false
		}
		return compareNums(n, literalNum(lit)), true
	case LitBinary, LitHex:
		if isBin {
			return bytes.Compare(bin, lit.Bytes), true
		}
		s, ok := v.(string)
		if !ok {
			return 0, false
		}
		sb, ok := latin1(s)
		if !ok {
			return 0, false
		}
		return bytes.Compare(sb, lit.Bytes), true
	case LitTimestamp:
		if isBin {
			return 0, false
		}
		t, ok := parseJSONTime(v)
		if !ok {
			return 0, false
		}
		return t.Compare(lit.Time), true
	}
	return 0, false
}

// test evaluates the comparison on one value that its path reached.
func test(c *Comparison, v any, ctx valueCtx) bool {
	var r bool
	switch c.Op {
	case OpExists:
		r = true
	case OpEqual:
		eq, ok := compareEqual(v, ctx, &c.Value)
		r = ok && eq
	case OpNotEqual:
		eq, ok := compareEqual(v, ctx, &c.Value)
		r = !ok || !eq // values of different types are not equal
	case OpLess, OpLessEqual, OpGreater, OpGreaterEqual:
		cmp, ok := compareOrder(v, ctx, &c.Value)
		if ok {
			switch c.Op {
			case OpLess:
				r = cmp < 0
			case OpLessEqual:
				r = cmp <= 0
			case OpGreater:
				r = cmp > 0
			default:
				r = cmp >= 0
			}
		}
	case OpIn:
		r = inSet(c, v, ctx)
	case OpLike:
		if bin, isBin, valid := binaryValue(v, ctx); isBin {
			r = valid && c.like.match(latin1String(bin))
		} else if s, ok := v.(string); ok {
			r = c.like.match(nfc(s))
		}
	case OpMatches:
		if bin, isBin, valid := binaryValue(v, ctx); isBin {
			r = valid && c.re.MatchString(latin1String(bin))
		} else if s, ok := v.(string); ok {
			r = c.re.MatchString(nfc(s))
		}
	case OpIsSubset, OpIsSuperset:
		if _, isBin, _ := binaryValue(v, ctx); !isBin {
			if s, ok := v.(string); ok {
				if pv, ok := AddressBlock(s); ok {
					if c.Op == OpIsSubset {
						r = c.prefix.Bits() <= pv.Bits() && c.prefix.Contains(pv.Addr())
					} else {
						r = pv.Bits() <= c.prefix.Bits() && pv.Contains(c.prefix.Addr())
					}
				}
			}
		}
	}
	return r != c.Not
}

// inSet reports whether the value equals a member of the IN set.
func inSet(c *Comparison, v any, ctx valueCtx) bool {
	if c.strSet != nil {
		if s, ok := v.(string); ok && ctx.key != "value" && !ctx.hashes && !strings.HasSuffix(ctx.key, "_bin") && !strings.HasSuffix(ctx.key, "_hex") {
			_, found := c.strSet[s]
			return found
		}
	}
	for i := range c.Set {
		if eq, ok := compareEqual(v, ctx, &c.Set[i]); ok && eq {
			return true
		}
	}
	return false
}

// equalFoldASCII compares two strings ignoring the case of ASCII letters.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// isHexString reports whether s is a non-empty string of hex digits.
func isHexString(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isHexDigit(s[i]) {
			return false
		}
	}
	return true
}

// normalizeHashAlg folds a hash algorithm name for comparing spellings:
// upper case, without '-' and '_' ("sha-256", "SHA256" → "SHA256").
func normalizeHashAlg(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' || c == '_' || (c >= 'a' && c <= 'z') || c >= utf8.RuneSelf {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-' || c == '_':
		case c >= 'a' && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// HashKey returns the key of a hashes dictionary that a comparison on
// hashes.ALG reads: alg itself when present, else the smallest key that is
// another spelling of the same algorithm ('sha256' for 'SHA-256'); ok is
// false when there is none.
func HashKey(m map[string]any, alg string) (key string, ok bool) {
	if _, ok := m[alg]; ok {
		return alg, true
	}
	want := normalizeHashAlg(alg)
	for k := range m {
		if normalizeHashAlg(k) == want && (!ok || k < key) {
			key, ok = k, true
		}
	}
	return key, ok
}

// lookupHash finds key in a hashes dictionary: exactly, else under another
// spelling of the same algorithm (see HashKey).
func lookupHash(m map[string]any, key string) (any, bool) {
	k, ok := HashKey(m, key)
	if !ok {
		return nil, false
	}
	return m[k], true
}
