//go:build cgo && !noyara

package yara

// #cgo pkg-config: yara
// #include <yara.h>
import "C"

import (
	"fmt"
	"time"

	goyara "github.com/hillu/go-yara/v4"

	"github.com/vigie-cti/vigie/sensor"
)

// Available reports whether this build runs YARA rules.
const Available = true

// Version is the version of libyara this build uses.
func Version() string {
	return fmt.Sprintf("%d.%d.%d", C.YR_MAJOR_VERSION, C.YR_MINOR_VERSION, C.YR_MICRO_VERSION)
}

// Rules is a compiled set of rules, safe for concurrent use by Scanners.
type Rules struct {
	r *goyara.Rules
	n int
}

// Compile compiles each source on its own first, so that one bad rule
// does not take the others down (a libyara compiler is unusable after an
// error), then all the good ones together. Includes are disabled: rules
// come from other organisations and must not read local files. It
// returns nil Rules when no source compiles.
func Compile(srcs []Source) (*Rules, []*CompileError, error) {
	var good []Source
	var bad []*CompileError
	for _, s := range srcs {
		if cerr, err := check(s); err != nil {
			return nil, nil, err
		} else if cerr != nil {
			bad = append(bad, cerr)
			continue
		}
		good = append(good, s)
	}
	if len(good) == 0 {
		return nil, bad, nil
	}
	c, err := goyara.NewCompiler()
	if err != nil {
		return nil, bad, fmt.Errorf("yara: new compiler: %w", err)
	}
	defer c.Destroy()
	c.DisableIncludes()
	for _, s := range good {
		if err := c.AddString(s.Text, s.Namespace); err != nil {
			return nil, bad, fmt.Errorf("yara: rules of %s compiled alone but not together: %w", s.Namespace, err)
		}
	}
	r, err := c.GetRules()
	if err != nil {
		return nil, bad, fmt.Errorf("yara: get rules: %w", err)
	}
	return &Rules{r: r, n: len(good)}, bad, nil
}

// check compiles one source alone.
func check(s Source) (*CompileError, error) {
	c, err := goyara.NewCompiler()
	if err != nil {
		return nil, fmt.Errorf("yara: new compiler: %w", err)
	}
	defer c.Destroy()
	c.DisableIncludes()
	if err := c.AddString(s.Text, s.Namespace); err == nil {
		return nil, nil
	} else if len(c.Errors) == 0 {
		return &CompileError{Namespace: s.Namespace, Message: err.Error()}, nil
	}
	m := c.Errors[0]
	return &CompileError{Namespace: s.Namespace, Line: m.Line, Message: m.Text}, nil
}

// Len returns how many sources were compiled.
func (r *Rules) Len() int { return r.n }

// Destroy frees the rules; Scanners made from them must be closed first.
func (r *Rules) Destroy() { r.r.Destroy() }

// Scanner runs the rules over buffers. It is not safe for concurrent use:
// each goroutine needs its own.
type Scanner struct {
	s  *goyara.Scanner
	mr goyara.MatchRules
}

// NewScanner returns a Scanner whose scans time out after timeout (at
// most MaxTimeout seconds; 0 means MaxTimeout).
func (r *Rules) NewScanner(timeout time.Duration) (*Scanner, error) {
	s, err := goyara.NewScanner(r.r)
	if err != nil {
		return nil, fmt.Errorf("yara: new scanner: %w", err)
	}
	if timeout <= 0 || timeout > MaxTimeout*time.Second {
		timeout = MaxTimeout * time.Second
	}
	sc := &Scanner{s: s}
	s.SetTimeout(timeout)
	// Scans run over Go memory only, never over mapped files: YARA's
	// own SIGSEGV/SIGBUS handlers, which it installs process-wide around
	// each scan, are not wanted in a Go program (SCAN_FLAGS_NO_TRYCATCH).
	s.SetFlags(goyara.ScanFlags(C.SCAN_FLAGS_NO_TRYCATCH))
	s.SetCallback(&sc.mr)
	return sc, nil
}

// Scan runs the rules over data and returns the rules that matched.
func (s *Scanner) Scan(data []byte) ([]sensor.RuleMatch, error) {
	s.mr = s.mr[:0]
	if err := s.s.ScanMem(data); err != nil {
		return nil, fmt.Errorf("yara: %w", err)
	}
	if len(s.mr) == 0 {
		return nil, nil
	}
	out := make([]sensor.RuleMatch, len(s.mr))
	for i, m := range s.mr {
		out[i] = sensor.RuleMatch{Namespace: m.Namespace, Rule: m.Rule}
	}
	return out, nil
}

// Close frees the scanner.
func (s *Scanner) Close() { s.s.Destroy() }
