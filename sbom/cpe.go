package sbom

import (
	"fmt"
	"net/url"
	"strings"
)

// CPE is the part of a CPE name that matching uses: part ("a", "o", "h"),
// vendor, product and version, unescaped and in lower case. A field that is
// "*" (ANY) or "-" (NA) in the name is "*" or "-" here.
type CPE struct {
	Part    string
	Vendor  string
	Product string
	Version string
	Update  string
}

// ParseCPE parses a CPE 2.3 formatted string ("cpe:2.3:a:vendor:product:1.0:*:...")
// or a CPE 2.2 URI ("cpe:/a:vendor:product:1.0").
func ParseCPE(s string) (CPE, error) {
	s = strings.TrimSpace(s)
	var fields []string
	switch {
	case strings.HasPrefix(strings.ToLower(s), "cpe:2.3:"):
		fields = splitEscaped(s[len("cpe:2.3:"):])
		for i, f := range fields {
			fields[i] = unescapeCPE23(f)
		}
	case strings.HasPrefix(strings.ToLower(s), "cpe:/"):
		fields = strings.Split(s[len("cpe:/"):], ":")
		for i, f := range fields {
			u, err := url.PathUnescape(f)
			if err != nil {
				return CPE{}, fmt.Errorf("invalid cpe %q: %w", s, err)
			}
			if u == "" {
				u = "*"
			}
			fields[i] = u
		}
	default:
		return CPE{}, fmt.Errorf("invalid cpe %q: neither a CPE 2.3 string nor a CPE 2.2 URI", s)
	}
	for len(fields) < 5 {
		fields = append(fields, "*")
	}
	c := CPE{
		Part:    strings.ToLower(fields[0]),
		Vendor:  strings.ToLower(fields[1]),
		Product: strings.ToLower(fields[2]),
		Version: strings.ToLower(fields[3]),
		Update:  strings.ToLower(fields[4]),
	}
	if c.Part != "a" && c.Part != "o" && c.Part != "h" && c.Part != "*" {
		return CPE{}, fmt.Errorf("invalid cpe %q: part %q is not a, o or h", s, c.Part)
	}
	if c.Vendor == "" || c.Product == "" || c.Vendor == "*" || c.Product == "*" {
		return CPE{}, fmt.Errorf("invalid cpe %q: no vendor or product", s)
	}
	return c, nil
}

// Package returns the CPE's package identity for the index: the CPE
// pseudo-ecosystem and "vendor:product".
func (c CPE) Package() Package {
	return Package{Ecosystem: CPEEcosystem, Name: c.Vendor + ":" + c.Product}
}

// AnyVersion reports whether the CPE names every version of the product.
func (c CPE) AnyVersion() bool {
	return c.Version == "*" || c.Version == "-" || c.Version == ""
}

// splitEscaped splits a CPE 2.3 string on the colons that are not escaped
// with a backslash.
func splitEscaped(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ':':
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// unescapeCPE23 removes the backslash quoting of a CPE 2.3 field.
func unescapeCPE23(f string) string {
	if !strings.Contains(f, `\`) {
		return f
	}
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] == '\\' && i+1 < len(f) {
			i++
		}
		b.WriteByte(f[i])
	}
	return b.String()
}
