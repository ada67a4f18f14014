package logs

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/vigie-cti/vigie/sensor"
)

// Syslog is syslog as servers write it to files or forward it: RFC 5424
// ("<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG") and RFC 3164 ("<PRI>Mmm
// dd hh:mm:ss HOST TAG: MSG", with or without the <PRI>, or with an RFC
// 3339 timestamp as rsyslog writes it). The message and the values of
// structured data are read as plain text; a message holding a CEF event
// is read as CEF.
type Syslog struct{}

// Name returns "syslog".
func (Syslog) Name() string { return "syslog" }

// Detect accepts a first line with a syslog header.
func (Syslog) Detect(head []byte) bool {
	l, _ := firstLine(head)
	_, _, err := splitSyslog(l)
	return err == nil
}

// NewParser returns a parser for one syslog stream.
func (Syslog) NewParser() Parser { return &syslogParser{} }

type syslogParser struct {
	cef cefParser
	esc []byte
}

// Clone returns a new parser: syslog lines carry no state.
func (p *syslogParser) Clone() Parser { return &syslogParser{} }

var errNotSyslog = errors.New("no syslog header (RFC 5424 or RFC 3164)")

// splitSyslog returns the structured data (RFC 5424 only) and the message
// of a syslog line.
func splitSyslog(l []byte) (sd, msg []byte, err error) {
	rest, v5424, err := syslogPRI(l)
	if err != nil {
		return nil, nil, err
	}
	if v5424 {
		// TIMESTAMP HOSTNAME APP-NAME PROCID MSGID, then SD.
		for f := 0; f < 5; f++ {
			sp := bytes.IndexByte(rest, ' ')
			if sp <= 0 {
				return nil, nil, fmt.Errorf("RFC 5424 header has %d of its 6 fields", f+1)
			}
			rest = rest[sp+1:]
		}
		sd, rest, err = splitSD(rest)
		if err != nil {
			return nil, nil, err
		}
		return sd, bytes.TrimPrefix(bytes.TrimPrefix(rest, []byte{' '}), []byte("\xef\xbb\xbf")), nil
	}
	n := timestamp3164(rest)
	if n == 0 {
		return nil, nil, errNotSyslog
	}
	rest = rest[n:]
	if len(rest) == 0 || rest[0] != ' ' {
		return nil, nil, errNotSyslog
	}
	return nil, rest[1:], nil
}

// syslogPRI reads an optional <PRI> and reports whether the RFC 5424
// version follows.
func syslogPRI(l []byte) (rest []byte, v5424 bool, err error) {
	if len(l) == 0 || l[0] != '<' {
		return l, false, nil
	}
	end := bytes.IndexByte(l, '>')
	if end < 2 || end > 4 {
		return nil, false, errors.New("syslog priority is not <0> to <191>")
	}
	pri := 0
	for _, c := range l[1:end] {
		if c < '0' || c > '9' {
			return nil, false, errors.New("syslog priority is not <0> to <191>")
		}
		pri = pri*10 + int(c-'0')
	}
	if pri > 191 {
		return nil, false, errors.New("syslog priority is not <0> to <191>")
	}
	rest = l[end+1:]
	if len(rest) >= 2 && rest[0] >= '1' && rest[0] <= '9' && rest[1] == ' ' {
		return rest[2:], true, nil
	}
	return rest, false, nil
}

// splitSD returns RFC 5424 structured data ("-" or [...][...]) and what
// follows.
func splitSD(b []byte) (sd, rest []byte, err error) {
	if len(b) > 0 && b[0] == '-' {
		return nil, b[1:], nil
	}
	i := 0
	for i < len(b) && b[i] == '[' {
		j := i + 1
		inQuote := false
		for ; j < len(b); j++ {
			c := b[j]
			if c == '\\' && inQuote {
				j++
				continue
			}
			if c == '"' {
				inQuote = !inQuote
			}
			if c == ']' && !inQuote {
				break
			}
		}
		if j >= len(b) {
			return nil, nil, errors.New("unterminated RFC 5424 structured data")
		}
		i = j + 1
	}
	if i == 0 {
		return nil, nil, errors.New(`RFC 5424 structured data is neither "-" nor [...]`)
	}
	return b[:i], b[i:], nil
}

// timestamp3164 returns the length of a "Mmm dd hh:mm:ss" or RFC 3339
// timestamp at the start of b, or 0.
func timestamp3164(b []byte) int {
	if len(b) >= 15 && isMonth(b[:3]) && b[3] == ' ' && (b[4] == ' ' || isDigit(b[4])) && isDigit(b[5]) &&
		b[6] == ' ' && isClock(b[7:15]) {
		return 15
	}
	if len(b) >= 20 && isDigit(b[0]) && b[4] == '-' && b[7] == '-' && b[10] == 'T' {
		sp := bytes.IndexByte(b, ' ')
		if sp < 0 {
			sp = len(b)
		}
		if _, err := time.Parse(time.RFC3339Nano, string(b[:sp])); err == nil {
			return sp
		}
	}
	return 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isClock(b []byte) bool {
	return isDigit(b[0]) && isDigit(b[1]) && b[2] == ':' && isDigit(b[3]) && isDigit(b[4]) && b[5] == ':' && isDigit(b[6]) && isDigit(b[7])
}

func isMonth(b []byte) bool {
	switch string(b) {
	case "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec":
		return true
	}
	return false
}

// Parse emits the observables of the message and structured data. A
// line without a syslog header is an error, and its text is still read.
func (p *syslogParser) Parse(line []byte, emit sensor.Emit) error {
	sd, msg, err := splitSyslog(line)
	if err != nil {
		extractText(line, emit)
		return err
	}
	if len(sd) > 0 {
		if bytes.IndexByte(sd, '\\') >= 0 {
			p.esc = p.esc[:0]
			for i := 0; i < len(sd); i++ {
				if sd[i] == '\\' && i+1 < len(sd) {
					i++
				}
				p.esc = append(p.esc, sd[i])
			}
			sd = p.esc
		}
		extractText(sd, emit)
	}
	if bytes.Contains(msg, []byte("CEF:")) {
		if err := p.cef.Parse(msg, emit); err == nil {
			return nil
		}
	}
	extractText(msg, emit)
	return nil
}

// Time reads the header's timestamp. RFC 3164 timestamps have no year:
// the year is the one that puts the time closest before now.
func (p *syslogParser) Time(line []byte) (time.Time, bool) {
	return syslogTime(line)
}

func syslogTime(line []byte) (time.Time, bool) {
	rest, v5424, err := syslogPRI(line)
	if err != nil {
		return time.Time{}, false
	}
	if v5424 {
		sp := bytes.IndexByte(rest, ' ')
		if sp < 0 {
			return time.Time{}, false
		}
		t, err := time.Parse(time.RFC3339Nano, string(rest[:sp]))
		return t.UTC(), err == nil
	}
	n := timestamp3164(rest)
	if n == 0 {
		return time.Time{}, false
	}
	if n != 15 {
		t, err := time.Parse(time.RFC3339Nano, string(rest[:n]))
		return t.UTC(), err == nil
	}
	t, err := time.Parse("Jan _2 15:04:05", string(rest[:15]))
	if err != nil {
		return time.Time{}, false
	}
	now := time.Now().UTC()
	t = t.AddDate(now.Year(), 0, 0)
	if t.After(now.Add(24 * time.Hour)) {
		t = t.AddDate(-1, 0, 0)
	}
	return t, true
}
