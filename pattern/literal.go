package pattern

import (
	"encoding/base64"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"
)

// literal decodes the literal token t; src is the whole pattern, for errors.
func decodeLiteral(src string, t token) (Literal, *SyntaxError) {
	lit := Literal{Pos: t.pos}
	switch t.kind {
	case tString:
		lit.Kind = LitString
		lit.Str = unquote(t.text)
	case tInt:
		lit.Kind = LitInt
		n, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			return lit, errorAt(src, t.pos, "integer %s is out of range", t.text)
		}
		lit.Int = n
	case tFloat:
		lit.Kind = LitFloat
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil || math.IsInf(f, 0) {
			return lit, errorAt(src, t.pos, "float %s is out of range", t.text)
		}
		lit.Float = f
	case tBool:
		lit.Kind = LitBool
		lit.Bool = t.text == "true"
	case tBinary:
		lit.Kind = LitBinary
		b, err := decodeBase64Literal(src, t)
		if err != nil {
			return lit, err
		}
		lit.Bytes = b
	case tHex:
		lit.Kind = LitHex
		body := t.text[2 : len(t.text)-1]
		for i := 0; i < len(body); i++ {
			if !isHexDigit(body[i]) {
				return lit, errorAt(src, t.pos+2+i, "invalid hex literal: %q is not a hex digit", body[i])
			}
		}
		if len(body)%2 != 0 {
			return lit, errorAt(src, t.pos, "invalid hex literal: odd number of hex digits (%d)", len(body))
		}
		b, _ := hex.DecodeString(body)
		lit.Bytes = b
	case tTimestamp:
		lit.Kind = LitTimestamp
		ts, err := parseTimestampLiteral(src, t.pos+2, t.text[2:len(t.text)-1])
		if err != nil {
			return lit, err
		}
		lit.Time = ts
	}
	return lit, nil
}

// unquote strips the quotes of a string literal and resolves \' and \\.
func unquote(text string) string {
	body := text[1 : len(text)-1]
	if strings.IndexByte(body, '\\') < 0 {
		return body
	}
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); i++ {
		if body[i] == '\\' && i+1 < len(body) {
			i++
		}
		b.WriteByte(body[i])
	}
	return b.String()
}

func isHexDigit(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func isBase64Char(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '+' || c == '/'
}

// decodeBase64Literal checks b'...' against the grammar's BinaryLiteral
// rule (non-empty, groups of four, '=' padding only at the end) and decodes
// it.
func decodeBase64Literal(src string, t token) ([]byte, *SyntaxError) {
	body := t.text[2 : len(t.text)-1]
	start := t.pos + 2
	if body == "" {
		return nil, errorAt(src, t.pos, "invalid base64 literal: empty (the grammar needs at least one group of four characters)")
	}
	pad := 0
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '=':
			if i < len(body)-2 {
				return nil, errorAt(src, start+i, "invalid base64 literal: '=' padding before the end")
			}
			pad++
		case isBase64Char(c):
			if pad > 0 {
				return nil, errorAt(src, start+i, "invalid base64 literal: character after '=' padding")
			}
		default:
			return nil, errorAt(src, start+i, "invalid base64 literal: %q is not a base64 character", c)
		}
	}
	if len(body)%4 != 0 {
		return nil, errorAt(src, t.pos, "invalid base64 literal: length %d is not a multiple of 4", len(body))
	}
	b, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil, errorAt(src, t.pos, "invalid base64 literal: %v", err)
	}
	return b, nil
}

// parseTimestampLiteral parses the body of t'...' following the grammar's
// TimestampLiteral rule, YYYY-MM-DDTHH:MM:SS[.fraction]Z, and checks that
// the date exists. A leap second (:60) is accepted and normalised to the
// next minute. off is the offset of body in src.
func parseTimestampLiteral(src string, off int, body string) (time.Time, *SyntaxError) {
	const layout = "YYYY-MM-DDTHH:MM:SS"
	bad := func(i int, format string, args ...any) (time.Time, *SyntaxError) {
		return time.Time{}, errorAt(src, off+i, "invalid timestamp: "+format, args...)
	}
	for i := 0; i < len(layout) && i < len(body); i++ {
		want := layout[i]
		c := body[i]
		switch want {
		case 'Y', 'M', 'D', 'H', 'S':
			if !isDigit(c) {
				return bad(i, "%q at position %d should be a digit (form YYYY-MM-DDTHH:MM:SS[.fraction]Z)", c, i+1)
			}
		default:
			if c != want {
				return bad(i, "%q at position %d should be %q (form YYYY-MM-DDTHH:MM:SS[.fraction]Z)", c, i+1, want)
			}
		}
	}
	if len(body) < len(layout)+1 {
		return bad(0, "%q does not have the form YYYY-MM-DDTHH:MM:SS[.fraction]Z", body)
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(body[i : i+n]) {
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day := num(0, 4), num(5, 2), num(8, 2)
	hour, minute, sec := num(11, 2), num(14, 2), num(17, 2)
	rest := body[len(layout):]
	nanos := 0
	if rest[0] == '.' {
		i := 1
		for i < len(rest) && isDigit(rest[i]) {
			i++
		}
		if i == 1 {
			return bad(len(layout)+1, "a fraction of a second needs at least one digit")
		}
		frac := rest[1:i]
		for k := 0; k < 9; k++ {
			nanos *= 10
			if k < len(frac) {
				nanos += int(frac[k] - '0')
			}
		}
		rest = rest[i:]
	}
	if rest != "Z" {
		return bad(len(body)-len(rest), "timestamps must end with Z (UTC), found %q", rest)
	}
	switch {
	case month < 1 || month > 12:
		return bad(5, "month %02d is out of range", month)
	case day < 1 || day > daysIn(year, month):
		return bad(8, "day %02d does not exist in %04d-%02d", day, year, month)
	case hour > 23:
		return bad(11, "hour %02d is out of range", hour)
	case minute > 59:
		return bad(14, "minute %02d is out of range", minute)
	case sec > 60:
		return bad(17, "second %02d is out of range", sec)
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nanos, time.UTC), nil
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
