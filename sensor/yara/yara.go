// Package yara compiles the YARA rules of indicators (pattern_type
// "yara") and runs them with the real YARA engine, libyara, through cgo
// (github.com/hillu/go-yara). Each indicator's rules are compiled in a
// namespace named by the indicator's id, so that rule names of different
// publishers never collide; a rule that does not compile is refused with
// the compiler's message and the others are still used.
//
// Building needs libyara 4.2 or later and pkg-config (Debian: apt-get
// install libyara-dev pkg-config). Build with -tags noyara (or with
// CGO_ENABLED=0) for a pure-Go binary: Available is then false and
// Compile returns ErrUnavailable.
package yara

import (
	"errors"
	"fmt"
)

// Source is the rule text of one indicator.
type Source struct {
	// Namespace names the indicator whose rules these are (its id).
	Namespace string
	Text      string
}

// CompileError is a rule the compiler refused.
type CompileError struct {
	Namespace string
	Line      int
	Message   string
}

// Error returns the compiler's message with its line.
func (e *CompileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("yara rule of %s, line %d: %s", e.Namespace, e.Line, e.Message)
	}
	return fmt.Sprintf("yara rule of %s: %s", e.Namespace, e.Message)
}

// ErrUnavailable is returned by Compile in a build without YARA.
var ErrUnavailable = errors.New("this vigie was built without YARA (build tag noyara, or no cgo)")

// MaxTimeout bounds the time one file may take to scan, so that a costly
// rule from another organisation cannot stall a scan.
const MaxTimeout = 60
