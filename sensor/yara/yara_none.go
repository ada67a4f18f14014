//go:build !cgo || noyara

package yara

import (
	"time"

	"github.com/vigie-cti/vigie/sensor"
)

// Available reports whether this build runs YARA rules.
const Available = false

// Version returns "" in a build without YARA.
func Version() string { return "" }

// Rules is never made in a build without YARA.
type Rules struct{}

// Compile returns ErrUnavailable.
func Compile(srcs []Source) (*Rules, []*CompileError, error) { return nil, nil, ErrUnavailable }

// Len returns 0.
func (r *Rules) Len() int { return 0 }

// Destroy does nothing.
func (r *Rules) Destroy() {}

// Scanner is never made in a build without YARA.
type Scanner struct{}

// NewScanner returns ErrUnavailable.
func (r *Rules) NewScanner(timeout time.Duration) (*Scanner, error) { return nil, ErrUnavailable }

// Scan returns ErrUnavailable.
func (s *Scanner) Scan(data []byte) ([]sensor.RuleMatch, error) { return nil, ErrUnavailable }

// Close does nothing.
func (s *Scanner) Close() {}
