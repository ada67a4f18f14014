package logs

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/vigie-cti/vigie/sensor"
)

// CEF is ArcSight's Common Event Format, alone on a line or after a
// syslog header: "CEF:0|Vendor|Product|Version|Class|Name|Severity|k=v
// k=v". Observables are read from the extension keys that hold addresses
// (src, dst, dvc, the translated and IPv6 ones), host names (shost,
// dhost, dvchost), URLs (request), files (fname, filePath, fileHash,
// oldFileHash), users (suser, duser, when they are e-mail addresses) and
// from the free text of msg, the custom strings and the event name.
type CEF struct{}

// Name returns "cef".
func (CEF) Name() string { return "cef" }

// Detect accepts a first line holding "CEF:" followed by a version and a
// '|'.
func (CEF) Detect(head []byte) bool {
	l, _ := firstLine(head)
	i := bytes.Index(l, []byte("CEF:"))
	return i >= 0 && i+5 < len(l) && l[i+4] >= '0' && l[i+4] <= '9' && bytes.IndexByte(l[i:], '|') > 0
}

// NewParser returns a parser for one CEF stream.
func (CEF) NewParser() Parser { return &cefParser{} }

type cefParser struct {
	esc []byte
}

// Clone returns a new parser: CEF lines carry no state.
func (p *cefParser) Clone() Parser { return &cefParser{} }

// cefKey returns the action of an extension key, by its short or its
// full name.
func cefKey(k []byte) uint8 {
	switch string(k) {
	case "src", "dst", "dvc", "sourceAddress", "destinationAddress", "deviceAddress",
		"sourceTranslatedAddress", "destinationTranslatedAddress", "deviceTranslatedAddress",
		"c6a1", "c6a2", "c6a3", "c6a4", "agt", "agentAddress":
		return aIP
	case "shost", "dhost", "dvchost", "sourceHostName", "destinationHostName", "deviceHostName", "ahost":
		return aHost
	case "fname", "filePath", "oldFileName", "oldFilePath", "fileName":
		return aFilePath
	case "fileHash", "oldFileHash":
		return aHash
	case "suser", "duser", "sourceUserName", "destinationUserName":
		return aEmail
	case "request", "requestURL", "msg", "message", "reason", "cs1", "cs2", "cs3", "cs4", "cs5", "cs6",
		"flexString1", "flexString2", "requestClientApplication", "destinationDnsDomain", "sourceDnsDomain":
		return aText
	}
	return actSkip
}

// Parse emits the observables of one CEF event.
func (p *cefParser) Parse(line []byte, emit sensor.Emit) error {
	i := bytes.Index(line, []byte("CEF:"))
	if i < 0 {
		return fmt.Errorf("no CEF header in the line")
	}
	rest := line[i+4:]
	var name []byte
	for f := 0; f < 7; f++ {
		end := cefHeaderEnd(rest)
		if end < 0 {
			return fmt.Errorf("CEF header has %d of its 8 fields", f+1)
		}
		if f == 5 {
			name = rest[:end]
		}
		rest = rest[end+1:]
	}
	extractText(name, emit)
	p.extension(rest, emit)
	return nil
}

// cefHeaderEnd returns the index of the first '|' not escaped by a
// backslash, or -1.
func cefHeaderEnd(b []byte) int {
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '|':
			return i
		}
	}
	return -1
}

// extension walks the key=value pairs: a value runs up to the space
// before the next key.
func (p *cefParser) extension(ext []byte, emit sensor.Emit) {
	p.eachPair(ext, func(k, v []byte) {
		if act := cefKey(k); act != actSkip {
			if bytes.IndexByte(v, '\\') >= 0 {
				p.esc = unescapeCEF(p.esc[:0], v)
				v = p.esc
			}
			emitAction(act, v, emit)
		}
	})
}

func (p *cefParser) eachPair(ext []byte, fn func(k, v []byte)) {
	var key []byte
	valStart := 0
	for i := 0; i < len(ext); i++ {
		switch ext[i] {
		case '\\':
			i++
			continue
		case '=':
		default:
			continue
		}
		ks := i
		for ks > valStart && isCEFKeyChar(ext[ks-1]) {
			ks--
		}
		if ks == i || (ks > 0 && ext[ks-1] != ' ') {
			continue // '=' inside a value
		}
		if key != nil {
			fn(key, bytes.TrimRight(ext[valStart:ks], " "))
		}
		key, valStart = ext[ks:i], i+1
	}
	if key != nil {
		fn(key, bytes.TrimRight(ext[valStart:], " \r"))
	}
}

func isCEFKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

// unescapeCEF decodes \= \\ \| \n and \r.
func unescapeCEF(dst, v []byte) []byte {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\\' && i+1 < len(v) {
			i++
			switch v[i] {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			default:
				c = v[i]
			}
		}
		dst = append(dst, c)
	}
	return dst
}

// Time reads the rt (receipt time) or end extension, as milliseconds
// since the epoch or as "Jan 02 2006 15:04:05"; else the time of a syslog
// header in front.
func (p *cefParser) Time(line []byte) (time.Time, bool) {
	i := bytes.Index(line, []byte("CEF:"))
	if i < 0 {
		return time.Time{}, false
	}
	rest := line[i+4:]
	for f := 0; f < 7; f++ {
		end := cefHeaderEnd(rest)
		if end < 0 {
			return time.Time{}, false
		}
		rest = rest[end+1:]
	}
	var t time.Time
	found := false
	p.eachPair(rest, func(k, v []byte) {
		if found || (string(k) != "rt" && string(k) != "end") {
			return
		}
		t, found = parseCEFTime(v)
	})
	if found {
		return t, true
	}
	if i > 0 {
		return syslogTime(line[:i])
	}
	return time.Time{}, false
}

func parseCEFTime(v []byte) (time.Time, bool) {
	if ms, err := strconv.ParseInt(string(v), 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), true
	}
	for _, layout := range []string{"Jan 02 2006 15:04:05.000", "Jan 02 2006 15:04:05", "Jan 02 2006 15:04:05 MST", time.RFC3339Nano} {
		if t, err := time.Parse(layout, string(v)); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
