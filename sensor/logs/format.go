// Package logs reads logs line by line and yields the observables they
// hold: Zeek (TSV and JSON), Suricata EVE JSON, CEF, syslog (RFC 3164 and
// RFC 5424) and plain text. Each format is a plugin behind a tiny
// interface (a name, a cheap detection on the first bytes, a parser); the
// Scanner owns the streams (gzip is read transparently), splits them into
// blocks of whole lines that all cores parse in parallel, and reports hits
// in the order of the lines.
package logs

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/vigie-cti/vigie/sensor"
)

// Format is one log format.
type Format interface {
	// Name is the format's name for --format, such as "zeek-tsv".
	Name() string
	// Detect reports whether head, the first bytes of a stream (at most
	// DetectSize, cut anywhere), looks like this format.
	Detect(head []byte) bool
	// NewParser returns a parser for one stream.
	NewParser() Parser
}

// Parser reads the lines of one stream. A Parser is not safe for
// concurrent use: the Scanner gives each worker its own with Clone.
type Parser interface {
	// Parse reads one line (without its line terminator) and emits the
	// observables it holds. A malformed line is an error that says why;
	// the observables found before the problem may have been emitted.
	Parse(line []byte, emit sensor.Emit) error
	// Time returns the time of the event a line records, when the format
	// has one and the line holds a readable one.
	Time(line []byte) (time.Time, bool)
	// Clone returns an independent parser in the same state (a Zeek TSV
	// parser carries the columns of the last #fields header).
	Clone() Parser
}

// HeaderParser is a Parser whose state changes on some lines (headers).
// The Scanner feeds header lines to one parser as it reads, so that the
// blocks it hands to workers start with the right state.
type HeaderParser interface {
	Parser
	// HeaderPrefix is the byte a header line starts with.
	HeaderPrefix() byte
}

// DetectSize is how many bytes of a stream Detect is given.
const DetectSize = 64 << 10

// Formats returns the formats in the order Detect tries them: the plain
// text format, which accepts anything, comes last.
func Formats() []Format {
	return []Format{ZeekTSV{}, EVE{}, ZeekJSON{}, CEF{}, Syslog{}, Text{}}
}

// FormatByName returns the format called name.
func FormatByName(name string) (Format, error) {
	var names []string
	for _, f := range Formats() {
		if f.Name() == name {
			return f, nil
		}
		names = append(names, f.Name())
	}
	return nil, fmt.Errorf("unknown log format %q; the formats are %s", name, strings.Join(names, ", "))
}

// Detect returns the first of formats whose Detect accepts head, or nil.
func Detect(formats []Format, head []byte) Format {
	for _, f := range formats {
		if f.Detect(head) {
			return f
		}
	}
	return nil
}

// firstLine returns the first non-empty line of head, without its
// terminator, and whether it is complete (not cut by the end of head).
func firstLine(head []byte) ([]byte, bool) {
	for len(head) > 0 {
		i := bytes.IndexByte(head, '\n')
		if i < 0 {
			return trimCR(head), false
		}
		if l := trimCR(head[:i]); len(l) > 0 {
			return l, true
		}
		head = head[i+1:]
	}
	return nil, false
}

func trimCR(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\r' {
		return b[:len(b)-1]
	}
	return b
}
