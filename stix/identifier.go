package stix

import "strings"

// Name limits of STIX 2.1: type names and property names are 3 to 250
// ASCII characters long.
const (
	minNameLength = 3
	maxNameLength = 250
	uuidLength    = 36
)

// IsIdentifier reports whether s is a STIX identifier: a valid type name,
// "--", and an RFC 4122 UUID (version 1 to 5, variant 10xx), as the official
// schemas' identifier pattern states. Upper-case hexadecimal digits are
// accepted, as the schemas accept them.
func IsIdentifier(s string) bool {
	return identifierProblem(s) == ""
}

// identifierType returns the type part of identifier s; s must be valid.
func identifierType(s string) string {
	return s[:len(s)-uuidLength-2]
}

// identifierProblem explains why s is not an identifier, or returns "".
func identifierProblem(s string) string {
	if sep := len(s) - uuidLength - 2; sep >= minNameLength && s[sep] == '-' && s[sep+1] == '-' && isUUID(s[sep+2:]) && isTypeName(s[:sep]) {
		return "" // the common case, without building a message
	}
	if len(s) < minNameLength+2+uuidLength {
		if strings.Contains(s, "--") {
			return "the part after \"--\" must be a UUID like 8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
		}
		return "must look like \"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\": a type name, \"--\" and a UUID"
	}
	sep := len(s) - uuidLength - 2
	if s[sep:sep+2] != "--" {
		if !strings.Contains(s, "--") {
			return "must look like \"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\": a type name, \"--\" and a UUID"
		}
		return "the part after \"--\" must be a UUID like 8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
	}
	if p := typeNameProblem(s[:sep]); p != "" {
		return "the type part " + quote(s[:sep]) + " is not a valid type name: " + p
	}
	if p := uuidProblem(s[sep+2:]); p != "" {
		return "the UUID part " + p
	}
	return ""
}

// isUUID reports whether u is an RFC 4122 UUID in the canonical form, with
// a version from 1 to 5.
func isUUID(u string) bool {
	if len(u) != uuidLength || u[8] != '-' || u[13] != '-' || u[18] != '-' || u[23] != '-' {
		return false
	}
	for _, part := range [...]string{u[0:8], u[9:13], u[14:18], u[19:23], u[24:36]} {
		for i := 0; i < len(part); i++ {
			if !isHexDigit(part[i]) {
				return false
			}
		}
	}
	return u[14]-'1' < 5 && (u[19]|0x20 == 'a' || u[19]|0x20 == 'b' || u[19] == '8' || u[19] == '9')
}

// uuidProblem explains why u is not an RFC 4122 UUID in the canonical
// 8-4-4-4-12 form, or returns "".
func uuidProblem(u string) string {
	if len(u) != uuidLength {
		return "must be 36 characters in the form 8-4-4-4-12 hexadecimal digits"
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return "must be in the form 8-4-4-4-12 hexadecimal digits separated by \"-\""
			}
			continue
		}
		if !isHexDigit(c) {
			return "must contain only hexadecimal digits and \"-\""
		}
	}
	if v := u[14]; v < '1' || v > '5' {
		return "is not an RFC 4122 UUID: its version digit (the 13th hexadecimal digit) must be 1 to 5, found " + quote(string(v))
	}
	switch u[19] {
	case '8', '9', 'a', 'b', 'A', 'B':
	default:
		return "is not an RFC 4122 UUID: its variant digit (the 17th hexadecimal digit) must be 8, 9, a or b, found " + quote(u[19:20])
	}
	return ""
}

// isTypeName reports whether t is a valid STIX type name.
func isTypeName(t string) bool {
	return typeNameProblem(t) == ""
}

// typeNameProblem explains why t is not a valid type name, or returns "".
// A type name is 3 to 250 characters of a-z, 0-9 and "-", starts with a
// letter, does not end with "-" and has no "--" (the identifier separator).
func typeNameProblem(t string) string {
	if len(t) < minNameLength || len(t) > maxNameLength {
		return "type names are 3 to 250 characters long"
	}
	if t[0] < 'a' || t[0] > 'z' {
		return "type names start with a lower-case letter"
	}
	for i := 1; i < len(t); i++ {
		c := t[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-':
			if t[i-1] == '-' {
				return "type names must not contain \"--\""
			}
		default:
			return "type names contain only a-z, 0-9 and \"-\""
		}
	}
	if t[len(t)-1] == '-' {
		return "type names must not end with \"-\""
	}
	return ""
}

// isPropertyName reports whether n follows the STIX 2.1 naming rule for
// properties: 3 to 250 characters of a-z, 0-9 and "_", starting with a
// letter. The one shorter predefined name, "id", is handled by the callers.
func isPropertyName(n string) bool {
	if len(n) < minNameLength || len(n) > maxNameLength || n[0] < 'a' || n[0] > 'z' {
		return false
	}
	for i := 1; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// isDictionaryKey reports whether k is a valid dictionary key: at most 250
// characters of a-z, A-Z, 0-9, "-" and "_".
func isDictionaryKey(k string) bool {
	if len(k) > maxNameLength {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return c-'0' < 10 || (c|0x20)-'a' < 6 // |0x20 lowers A-F
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
