package triage

import (
	"bytes"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/vigie-cti/vigie/sensor"
	"github.com/vigie-cti/vigie/sensor/logs"
)

const (
	minStringLen      = 5    // characters of a string worth reading
	maxStringLen      = 4096 // longer runs are read in pieces of this size
	maxObservables    = 1000
	maxInteresting    = 300
	maxInterestingLen = 300
)

// StringsInfo counts a file's strings and keeps those of interest (the
// ones observables were found in).
type StringsInfo struct {
	ASCII       int      `json:"ascii"`
	UTF16       int      `json:"utf16le"`
	Interesting []string `json:"interesting,omitempty"`
}

// Observable is a candidate observable found in a file's strings.
type Observable struct {
	// Kind is "url", "domain", "ip", "email", "hash", "registry-key" or
	// "mutex".
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// stringScan is the state of one pass over a file's strings.
type stringScan struct {
	info   StringsInfo
	obs    []Observable
	seen   map[Observable]bool
	text   logs.Parser
	notes  *notes
	cutObs bool
}

// scanStrings reads the printable ASCII and UTF-16LE strings of data,
// counts every byte value on the way (for the entropy), and extracts
// observables with the sensor's plain-text extractors.
func scanStrings(data []byte, counts *[256]uint64, n *notes) (StringsInfo, []Observable) {
	s := &stringScan{seen: map[Observable]bool{}, text: logs.Text{}.NewParser(), notes: n}
	start := -1
	for i, c := range data {
		counts[c]++
		if isPrintable(c) {
			if start < 0 {
				start = i
			}
			if i-start+1 == maxStringLen {
				s.found(data[start:i+1], false)
				start = -1
			}
			continue
		}
		if start >= 0 && i-start >= minStringLen {
			s.found(data[start:i], false)
		}
		start = -1
	}
	if start >= 0 && len(data)-start >= minStringLen {
		s.found(data[start:], false)
	}
	// UTF-16LE strings: a printable byte then a zero, repeated. Zero
	// bytes are found with bytes.IndexByte (vectorised), and a run is
	// tried from the byte before each zero not already in a run.
	var buf []byte
	for pos := 0; pos < len(data); {
		k := bytes.IndexByte(data[pos:], 0)
		if k < 0 {
			break
		}
		z := pos + k
		i := z - 1
		if i < pos || !isPrintable(data[i]) {
			pos = z + 1
			continue
		}
		buf = buf[:0]
		j := i
		for j+1 < len(data) && data[j+1] == 0 && isPrintable(data[j]) {
			buf = append(buf, data[j])
			j += 2
			if len(buf) == maxStringLen {
				s.found(buf, true)
				buf = buf[:0]
			}
		}
		if len(buf) >= minStringLen {
			s.found(buf, true)
		}
		pos = max(j, z+1)
	}
	return s.info, s.obs
}

var printableByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c >= 0x20 && c < 0x7f || c == '\t'
	}
	return t
}()

func isPrintable(c byte) bool { return printableByte[c] }

// found handles one string.
func (s *stringScan) found(str []byte, utf16 bool) {
	if utf16 {
		s.info.UTF16++
	} else {
		s.info.ASCII++
	}
	before := len(s.obs)
	s.text.Parse(str, func(kind sensor.Kind, v []byte) {
		switch kind {
		case sensor.KindDomain:
			if !isRealDomain(v) {
				return
			}
		case sensor.KindEmail:
			at := bytes.LastIndexByte(v, '@')
			if at < 0 || !isRealDomain(v[at+1:]) {
				return
			}
		}
		s.add(kind.String(), string(v))
	})
	if k, v := windowsObservable(str); k != "" {
		s.add(k, v)
	}
	if len(s.obs) > before && len(s.info.Interesting) < maxInteresting {
		v := string(str)
		if len(v) > maxInterestingLen {
			v = v[:maxInterestingLen] + "..."
		}
		s.info.Interesting = append(s.info.Interesting, v)
	}
}

func (s *stringScan) add(kind, value string) {
	o := Observable{Kind: kind, Value: value}
	if s.seen[o] {
		return
	}
	if len(s.obs) >= maxObservables {
		if !s.cutObs {
			s.notes.add("strings: more than %d observables, the rest left out", maxObservables)
			s.cutObs = true
		}
		return
	}
	s.seen[o] = true
	s.obs = append(s.obs, o)
}

// isRealDomain keeps the domain-shaped strings whose top of the name is
// a public suffix run by a registry (ICANN), so that "kernel32.dll" or
// "runtime.main" in a binary are not taken for domains.
func isRealDomain(v []byte) bool {
	d := strings.ToLower(strings.TrimSuffix(string(v), "."))
	suffix, icann := publicsuffix.PublicSuffix(d)
	// The top-level names reserved for documentation and tests (RFC 2606)
	// count too: exercises and the demo use them.
	icann = icann || suffix == "example" || suffix == "test"
	return icann && suffix != d && !strings.HasSuffix(d, ".dll") && !strings.HasSuffix(d, ".exe")
}

var registryRoots = []string{
	`hkey_local_machine\`, `hkey_current_user\`, `hkey_classes_root\`, `hkey_users\`,
	`hkey_current_config\`, `hklm\`, `hkcu\`, `hkcr\`, `hku\`,
	`software\microsoft\windows\currentversion\`, `system\currentcontrolset\`,
}

// windowsObservable recognises a registry key or a named kernel object
// (mutex, event: "Global\name", "Local\name") in a string.
func windowsObservable(str []byte) (kind, value string) {
	lower := bytes.ToLower(str)
	for _, root := range registryRoots {
		if i := bytes.Index(lower, []byte(root)); i >= 0 && (i == 0 || !isWordByte(lower[i-1])) {
			return "registry-key", strings.TrimRight(string(str[i:]), ` "'`)
		}
	}
	for _, prefix := range []string{`global\`, `local\`, `\basenamedobjects\`} {
		if bytes.HasPrefix(lower, []byte(prefix)) && len(str) > len(prefix)+2 && !bytes.ContainsAny(str, " /") {
			return "mutex", string(str)
		}
	}
	return "", ""
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
}
