// Package output writes the hits of a scan for people (an aligned table)
// and for programs (one JSON object per hit), and keeps a progress line
// on a terminal while a long scan runs.
package output

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/sensor"
)

// Writer writes hits. Implementations are safe for concurrent use.
type Writer interface {
	Hit(h sensor.Hit) error
	// Flush writes what is buffered.
	Flush() error
}

// JSONHit is the JSON form of a hit, one object per line.
type JSONHit struct {
	Time          time.Time         `json:"time"`
	Source        string            `json:"source"`
	Line          int64             `json:"line,omitempty"`
	Observable    sensor.Observable `json:"observable"`
	IndicatorID   string            `json:"indicator_id"`
	IndicatorName string            `json:"indicator_name,omitempty"`
	TLP           string            `json:"tlp"` // CLEAR, GREEN, AMBER, AMBER+STRICT, RED or NONE
	// Events are the lines that took part in a match of a pattern over
	// several events, in time order.
	Events []sensor.Event `json:"events,omitempty"`
}

// NewJSONHit returns the JSON form of h.
func NewJSONHit(h sensor.Hit) JSONHit {
	return JSONHit{Time: h.Time.UTC(), Source: h.Source, Line: h.Line, Observable: h.Observable,
		IndicatorID: h.Indicator.ID, IndicatorName: h.Indicator.Name, TLP: h.Indicator.TLP.String(), Events: h.Events}
}

type jsonWriter struct {
	mu  sync.Mutex
	enc *json.Encoder
	bw  flusher
}

type flusher interface {
	io.Writer
	Flush() error
}

// NewJSON returns a Writer of one JSON object per line (JSONHit).
func NewJSON(w io.Writer) Writer {
	bw := newLineBuffer(w)
	return &jsonWriter{enc: json.NewEncoder(bw), bw: bw}
}

func (j *jsonWriter) Hit(h sensor.Hit) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.enc.Encode(NewJSONHit(h))
}

func (j *jsonWriter) Flush() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.bw.Flush()
}

type tableWriter struct {
	mu    sync.Mutex
	tw    *tabwriter.Writer
	out   *bufio.Writer // tabwriter writes cell by cell: one system call per 64 KiB instead
	rows  int
	every int
}

// NewTable returns a Writer of an aligned table; rows are flushed every
// flushEvery hits (1 for a live display).
func NewTable(w io.Writer, flushEvery int) Writer {
	out := bufio.NewWriterSize(w, 64<<10)
	t := &tableWriter{tw: tabwriter.NewWriter(out, 0, 0, 2, ' ', 0), out: out, every: max(flushEvery, 1)}
	fmt.Fprintln(t.tw, "TIME\tTLP\tSOURCE\tOBSERVABLE\tINDICATOR")
	return t
}

func (t *tableWriter) Hit(h sensor.Hit) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	src := h.Source
	if h.Line > 0 {
		src += ":" + strconv.FormatInt(h.Line, 10)
	}
	if len(h.Events) > 1 {
		src += fmt.Sprintf(" (+%d lines)", len(h.Events)-1)
	}
	ind := h.Indicator.ID
	if h.Indicator.Name != "" {
		ind = h.Indicator.Name + " (" + h.Indicator.ID + ")"
	}
	tlp := "-"
	if h.Indicator.TLP != vigie.TLPNone {
		tlp = "TLP:" + h.Indicator.TLP.String()
	}
	_, err := fmt.Fprintf(t.tw, "%s\t%s\t%s\t%s %s\t%s\n", h.Time.UTC().Format(time.RFC3339), tlp,
		clean(src), h.Observable.Kind, clean(h.Observable.Value), clean(ind))
	t.rows++
	if err == nil && t.rows%t.every == 0 {
		err = t.flush()
	}
	return err
}

func (t *tableWriter) Flush() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.flush()
}

func (t *tableWriter) flush() error {
	if err := t.tw.Flush(); err != nil {
		return err
	}
	return t.out.Flush()
}

// clean keeps a value from a log on one line of the table: control
// characters (a terminal escape in a hostile log) are escaped.
func clean(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) }) < 0 {
		return s
	}
	q := strconv.QuoteToGraphic(s)
	return q[1 : len(q)-1]
}

// lineBuffer buffers whole lines and is flushed on demand.
type lineBuffer struct {
	w   io.Writer
	buf []byte
}

func newLineBuffer(w io.Writer) *lineBuffer { return &lineBuffer{w: w} }

func (l *lineBuffer) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	if len(l.buf) >= 64<<10 {
		return len(p), l.Flush()
	}
	return len(p), nil
}

func (l *lineBuffer) Flush() error {
	if len(l.buf) == 0 {
		return nil
	}
	_, err := l.w.Write(l.buf)
	l.buf = l.buf[:0]
	return err
}
