package logs

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/vigie-cti/vigie/sensor"
)

// ZeekTSV is Zeek's ASCII log format: tab-separated values described by
// the #separator, #set_separator, #unset_field, #empty_field, #fields and
// #types headers, for any log (conn, dns, http, ssl, files, x509, smtp,
// notice, ...). Only the columns that hold observables are read; fields
// it does not know are skipped, and a file may hold several logs one
// after the other, each with its headers.
type ZeekTSV struct{}

// Name returns "zeek-tsv".
func (ZeekTSV) Name() string { return "zeek-tsv" }

// Detect accepts a stream that starts with a Zeek #separator or #fields
// header.
func (ZeekTSV) Detect(head []byte) bool {
	return bytes.HasPrefix(head, []byte("#separator ")) || bytes.HasPrefix(head, []byte("#fields\t"))
}

// NewParser returns a parser for one Zeek TSV stream.
func (ZeekTSV) NewParser() Parser {
	return &zeekTSVParser{s: &zeekSchema{sep: '\t', setSep: ',', unset: "-", empty: "(empty)", tsCol: -1}}
}

// zeekSchema is what the headers say. It is never modified once a parser
// uses it for records: a header makes a new one, so clones may share it.
type zeekSchema struct {
	sep, setSep  byte
	unset, empty string
	names        [][]byte
	cols         []zeekCol // the columns read, in order
	tsCol        int       // -1 without a ts column
}

type zeekCol struct {
	idx int
	act uint8
	set bool // a set or vector: elements separated by setSep
}

type zeekTSVParser struct {
	s   *zeekSchema
	url httpURL
	esc []byte
}

// HeaderPrefix returns '#'.
func (p *zeekTSVParser) HeaderPrefix() byte { return '#' }

// Clone returns a parser with the same headers.
func (p *zeekTSVParser) Clone() Parser { return &zeekTSVParser{s: p.s} }

var errNoFields = errors.New("zeek record before any #fields header")

// Parse reads a header or a record.
func (p *zeekTSVParser) Parse(line []byte, emit sensor.Emit) error {
	if len(line) > 0 && line[0] == '#' {
		return p.header(line)
	}
	s := p.s
	if s.names == nil {
		return errNoFields
	}
	if len(line) == 0 {
		return nil
	}
	p.url.reset()
	col, start := 0, 0
	for ci := range s.cols {
		c := &s.cols[ci]
		for col < c.idx {
			k := bytes.IndexByte(line[start:], s.sep)
			if k < 0 {
				return fmt.Errorf("zeek record has %d fields, the #fields header names %d", col+1, len(s.names))
			}
			start += k + 1
			col++
		}
		v := line[start:]
		if k := bytes.IndexByte(v, s.sep); k >= 0 {
			v = v[:k]
		}
		if string(v) == s.unset || string(v) == s.empty || len(v) == 0 {
			continue
		}
		if bytes.IndexByte(v, '\\') >= 0 {
			p.esc = unescapeZeek(p.esc[:0], v)
			v = p.esc
		}
		switch c.act {
		case aURLHost:
			p.url.setHost(v)
		case aURLPath:
			p.url.setTarget(v)
			continue
		}
		if !c.set {
			emitAction(c.act, v, emit)
			continue
		}
		for len(v) > 0 {
			k := bytes.IndexByte(v, s.setSep)
			if k < 0 {
				k = len(v)
			}
			emitAction(c.act, v[:k], emit)
			if k == len(v) {
				break
			}
			v = v[k+1:]
		}
	}
	p.url.flush(emit)
	return nil
}

// Time reads the ts column.
func (p *zeekTSVParser) Time(line []byte) (time.Time, bool) {
	s := p.s
	if s.tsCol < 0 || len(line) == 0 || line[0] == '#' {
		return time.Time{}, false
	}
	for i := 0; i < s.tsCol; i++ {
		k := bytes.IndexByte(line, s.sep)
		if k < 0 {
			return time.Time{}, false
		}
		line = line[k+1:]
	}
	if k := bytes.IndexByte(line, s.sep); k >= 0 {
		line = line[:k]
	}
	return parseZeekTime(line)
}

// header applies one header line.
func (p *zeekTSVParser) header(line []byte) error {
	name, val, ok := bytes.Cut(line[1:], []byte{p.s.sep})
	if !ok && bytes.HasPrefix(line, []byte("#separator ")) {
		name, val, ok = bytes.Cut(line[1:], []byte{' '})
	}
	if !ok {
		return nil // "#close" without a value and comments
	}
	ns := *p.s // a new schema: clones may share the old one
	switch string(name) {
	case "separator":
		sep := unescapeZeek(nil, val)
		if len(sep) != 1 {
			return fmt.Errorf("zeek #separator %q: want one byte", val)
		}
		ns.sep = sep[0]
	case "set_separator":
		sep := unescapeZeek(nil, val)
		if len(sep) != 1 {
			return fmt.Errorf("zeek #set_separator %q: want one byte", val)
		}
		ns.setSep = sep[0]
	case "unset_field":
		ns.unset = string(val)
	case "empty_field":
		ns.empty = string(val)
	case "fields":
		ns.names = bytes.Split(bytes.Clone(val), []byte{ns.sep})
		ns.cols, ns.tsCol = nil, -1
		for i, n := range ns.names {
			if string(n) == "ts" {
				ns.tsCol = i
			}
			if act := zeekField(n); act >= actReport {
				ns.cols = append(ns.cols, zeekCol{idx: i, act: act})
			}
		}
	case "types":
		types := bytes.Split(val, []byte{ns.sep})
		ns.cols = append([]zeekCol(nil), ns.cols...)
		for i := range ns.cols {
			c := &ns.cols[i]
			if c.idx < len(types) {
				t := types[c.idx]
				c.set = bytes.HasPrefix(t, []byte("set[")) || bytes.HasPrefix(t, []byte("vector["))
			}
		}
	default:
		return nil // #path, #open, #close: nothing to apply
	}
	p.s = &ns
	return nil
}

// unescapeZeek decodes the \xHH escapes Zeek writes for separators and
// unprintable bytes; other backslashes are kept.
func unescapeZeek(dst, v []byte) []byte {
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+4 <= len(v) && v[i+1] == 'x' {
			hi, ok1 := unhex(v[i+2])
			lo, ok2 := unhex(v[i+3])
			if ok1 && ok2 {
				dst = append(dst, hi<<4|lo)
				i += 3
				continue
			}
		}
		dst = append(dst, v[i])
	}
	return dst
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
