package sensor

import (
	"fmt"
	"sync/atomic"
	"time"
)

// Hit is one observable of a file or a log that matches an indicator.
type Hit struct {
	// Time is when the event happened, as the log line says, or when the
	// file was scanned.
	Time time.Time
	// Source is the file's path ("-" for standard input).
	Source string
	// Line is the 1-based line of a log; 0 for files.
	Line int64
	// Observable is what matched: for files, the hash, the name, or the
	// YARA rule's name (KindRule).
	Observable Observable
	// Indicator is the indicator matched.
	Indicator *Indicator
	// Events lists, for a pattern over several observations (FOLLOWEDBY,
	// REPEATS, AND of observation expressions...), every event that took
	// part, in time order; the hit's Time, Source, Line and Observable
	// are those of the last. Nil for a hit on one value.
	Events []Event
}

// Event is one line of a log as a correlator sees it: where and when, and
// the observables it holds.
type Event struct {
	Time        time.Time    `json:"time"`
	Source      string       `json:"source"`
	Line        int64        `json:"line,omitempty"`
	Observables []Observable `json:"observables"`
	// Flow is the connection the line records, for formats that say
	// which address and port is whose (Zeek, Suricata EVE).
	Flow *Flow `json:"flow,omitempty"`
}

// Flow is a network connection as a log records it: the pattern's
// network-traffic object, with src_ref and dst_ref.
type Flow struct {
	SrcIP   string `json:"src_ip,omitempty"`
	SrcPort int    `json:"src_port,omitempty"`
	DstIP   string `json:"dst_ip,omitempty"`
	DstPort int    `json:"dst_port,omitempty"`
	Proto   string `json:"proto,omitempty"` // lower case: tcp, udp, icmp...
}

// MaxErrors is how many problems a FileStatus keeps; it counts the rest.
const MaxErrors = 100

// LineError is a problem with one line of a log, or with a whole file
// (Line 0).
type LineError struct {
	Line int64
	Err  error
}

// Error returns the message with the line number.
func (e LineError) Error() string {
	if e.Line == 0 {
		return e.Err.Error()
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

// FileStatus is the outcome of scanning one file or stream: partial
// failure is data, and the scan goes on with the next file.
type FileStatus struct {
	Path   string
	Format string // the log format read; "" for files
	Bytes  int64  // bytes read (after decompression)
	Lines  int64
	Hits   int
	// Skipped says why the file was not scanned at all (too large, not a
	// regular file, binary), or is "".
	Skipped string
	// Errors holds the first MaxErrors problems; ErrorCount counts all.
	Errors     []LineError
	ErrorCount int
}

// AddError records a problem.
func (s *FileStatus) AddError(line int64, err error) {
	s.ErrorCount++
	if len(s.Errors) < MaxErrors {
		s.Errors = append(s.Errors, LineError{Line: line, Err: err})
	}
}

// Failed reports whether the file could not be read at all.
func (s *FileStatus) Failed() bool {
	return s.Bytes == 0 && s.ErrorCount > 0 && s.Errors[0].Line == 0
}

// RuleMatch is a YARA rule that matched: the namespace it was compiled in
// (the indicator's id) and its name.
type RuleMatch struct {
	Namespace, Rule string
}

// Progress counts what a scan has read so far; scanners add to it from
// their workers, and a display may read it at any time.
type Progress struct {
	Files atomic.Int64
	Bytes atomic.Int64
}
