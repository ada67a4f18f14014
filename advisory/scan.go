package advisory

import (
	"bytes"
	"encoding/json"
)

// scanPackages finds the "package" objects of an OSV record without
// decoding the record, and asks want about each (ecosystem, name). It
// reports whether want accepted one, and ok false when it could not read
// the record's packages (no "package" key, or one it could not follow), in
// which case the caller decodes the record.
func scanPackages(data []byte, want func(ecosystem, name string) bool) (wanted, ok bool) {
	key := []byte(`"package"`)
	found := false
	for i := 0; ; {
		j := bytes.Index(data[i:], key)
		if j < 0 {
			break
		}
		p := i + j + len(key)
		i = p
		p = skipSpace(data, p)
		if p >= len(data) || data[p] != ':' {
			continue
		}
		p = skipSpace(data, p+1)
		if p >= len(data) || data[p] != '{' {
			return false, false
		}
		eco, name, end, good := readPackageObject(data, p)
		if !good || eco == "" || name == "" {
			return false, false
		}
		found = true
		if want(eco, name) {
			return true, true
		}
		i = end
	}
	return false, found
}

func skipSpace(data []byte, p int) int {
	for p < len(data) && (data[p] == ' ' || data[p] == '\n' || data[p] == '\r' || data[p] == '\t') {
		p++
	}
	return p
}

// readPackageObject reads the object starting at data[p] == '{' and returns
// its "ecosystem" and "name" string members and the offset after it.
func readPackageObject(data []byte, p int) (eco, name string, end int, ok bool) {
	p++
	for {
		p = skipSpace(data, p)
		if p >= len(data) {
			return "", "", 0, false
		}
		if data[p] == '}' {
			return eco, name, p + 1, true
		}
		if data[p] == ',' {
			p++
			continue
		}
		k, next, good := readString(data, p)
		if !good {
			return "", "", 0, false
		}
		p = skipSpace(data, next)
		if p >= len(data) || data[p] != ':' {
			return "", "", 0, false
		}
		p = skipSpace(data, p+1)
		if p >= len(data) {
			return "", "", 0, false
		}
		if data[p] != '"' {
			// A package's members are strings; anything else is left
			// to the decoder.
			return "", "", 0, false
		}
		v, next, good := readString(data, p)
		if !good {
			return "", "", 0, false
		}
		switch k {
		case "ecosystem":
			eco = v
		case "name":
			name = v
		}
		p = next
	}
}

// readString reads the JSON string starting at data[p] == '"'.
func readString(data []byte, p int) (string, int, bool) {
	if p >= len(data) || data[p] != '"' {
		return "", 0, false
	}
	escaped := false
	for q := p + 1; q < len(data); q++ {
		switch data[q] {
		case '\\':
			escaped = true
			q++
		case '"':
			if !escaped {
				return string(data[p+1 : q]), q + 1, true
			}
			var s string
			if json.Unmarshal(data[p:q+1], &s) != nil {
				return "", 0, false
			}
			return s, q + 1, true
		}
	}
	return "", 0, false
}
