package logs

import (
	"time"

	"github.com/vigie-cti/vigie/sensor"
)

// Text is any line-oriented text: the URLs, e-mail addresses, IP
// addresses, domain names and hex digests it holds are extracted (see the
// package's plain-text rules in extractText). It accepts any stream, so
// detection tries it last.
type Text struct{}

// Name returns "text".
func (Text) Name() string { return "text" }

// Detect accepts anything.
func (Text) Detect(head []byte) bool { return true }

// NewParser returns a parser for one text stream.
func (Text) NewParser() Parser { return textParser{} }

type textParser struct{}

// Parse emits what the line holds; text has no malformed lines.
func (textParser) Parse(line []byte, emit sensor.Emit) error {
	extractText(line, emit)
	return nil
}

// Time returns false: plain text has no known timestamp.
func (textParser) Time(line []byte) (time.Time, bool) { return time.Time{}, false }

// Clone returns the parser itself: it has no state.
func (p textParser) Clone() Parser { return p }
