package logs

import (
	"time"

	"github.com/vigie-cti/vigie/internal/jsonscan"
	"github.com/vigie-cti/vigie/sensor"
)

// jsonLineParser parses JSON logs of one record per line (Suricata EVE,
// Zeek JSON). A format gives the action of each key path, the key of the
// record's time and how to read that time.
type jsonLineParser struct {
	js   jsonscan.Scanner
	url  httpURL
	out  sensor.Emit
	ts   []byte
	tsOK bool
	time bool // scanning for the time only

	fields    func(path []byte) uint8
	timeKey   string
	parseTime func([]byte) (time.Time, bool)
	flow      *flowKeys // nil: the format's records are not flows
}

func newJSONLineParser(fields func([]byte) uint8, timeKey string, parseTime func([]byte) (time.Time, bool)) *jsonLineParser {
	p := &jsonLineParser{fields: fields, timeKey: timeKey, parseTime: parseTime}
	p.js.Field = p.field
	p.js.Visit = p.visit
	return p
}

func (p *jsonLineParser) field(path []byte) uint8 {
	if p.time {
		if string(path) == p.timeKey {
			return aTime
		}
		return jsonscan.Skip
	}
	return p.fields(path)
}

func (p *jsonLineParser) visit(act uint8, v []byte, str bool) {
	if !str && act != aTime {
		return // a number or a literal where a string belongs
	}
	switch act {
	case aTime:
		p.ts, p.tsOK = append(p.ts[:0], v...), true
	case aURLHost:
		p.url.setHost(v)
		emitAction(act, v, p.out)
	case aURLPath:
		p.url.setTarget(v)
	default:
		emitAction(act, v, p.out)
	}
}

// Parse emits the observables of one record.
func (p *jsonLineParser) Parse(line []byte, emit sensor.Emit) error {
	p.out, p.time = emit, false
	p.url.reset()
	err := p.js.Scan(line)
	if err == nil {
		p.url.flush(emit)
	}
	p.out = nil
	return err
}

// Time reads the record's time.
func (p *jsonLineParser) Time(line []byte) (time.Time, bool) {
	p.time, p.tsOK = true, false
	err := p.js.Scan(line)
	p.time = false
	if err != nil || !p.tsOK {
		return time.Time{}, false
	}
	return p.parseTime(p.ts)
}

// Clone returns a new parser: the records carry no state from line to
// line.
func (p *jsonLineParser) Clone() Parser {
	c := newJSONLineParser(p.fields, p.timeKey, p.parseTime)
	c.flow = p.flow
	return c
}
