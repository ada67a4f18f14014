package logs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/vigie-cti/vigie/sensor"
)

// Lookup matches observables for one worker; *sensor.Session is one.
type Lookup interface {
	Lookup(kind sensor.Kind, value []byte) []sensor.Match
}

// Correlator matches patterns over several lines (sensor/correlate). The
// Scanner hands it, in line order, every line that holds an observable of
// a kind it wants, and delivers the hits it returns like the others.
type Correlator interface {
	// Wants reports whether an observable can take part in a match.
	Wants(kind sensor.Kind, value []byte) bool
	Observe(ev sensor.Event) []sensor.Hit
}

// Defaults of the Scanner.
const (
	DefaultBlockSize = 1 << 20
	DefaultMaxLine   = 1 << 20
	DefaultPoll      = 250 * time.Millisecond
)

// Scanner reads log streams and matches the observables they hold. Each
// stream is cut into blocks of whole lines that Workers goroutines parse
// and match in parallel; hits are delivered in the order of the lines, on
// the goroutine that called Scan. A Scanner may scan several streams at
// once.
type Scanner struct {
	// NewLookup returns the lookup of one worker, such as
	// (*sensor.Matcher).NewSession. Required.
	NewLookup func() Lookup
	// Format is the format of every stream; nil detects it per stream
	// among Formats.
	Format Format
	// Workers is how many goroutines parse; 0 means GOMAXPROCS.
	Workers int
	// MaxLine is the longest line read; longer lines are reported and
	// skipped. 0 means DefaultMaxLine.
	MaxLine int
	// BlockSize is how much a worker takes at a time; 0 means
	// DefaultBlockSize.
	BlockSize int
	// Now gives the time of hits on lines that carry none; nil is
	// time.Now.
	Now func() time.Time
	// Progress, when set, counts the bytes read (after decompression)
	// and the streams finished.
	Progress *sensor.Progress
	// Follow reads files as they grow (tail -f), following rotation and
	// truncation, and hands out each line as soon as it is complete; a
	// scan ends when ctx is done. Standard input is read to its end.
	Follow bool
	// Poll is how often a followed file is checked for new data; 0 means
	// DefaultPoll.
	Poll time.Duration
	// Correlate, when set, matches the patterns over several lines.
	Correlate Correlator
}

// block is a run of whole lines and what the workers found in it.
type block struct {
	buf    []byte
	data   []byte
	line   int64
	parser Parser
	hits   []sensor.Hit
	events []sensor.Event // for Correlate, in line order
	errs   []sensor.LineError
	nerr   int
	done   chan struct{}
	// skipBytes and skipLines count a long line the reader skipped
	// before this block.
	skipBytes, skipLines int64
}

func (b *block) addErr(line int64, err error) {
	b.nerr++
	if len(b.errs) < sensor.MaxErrors {
		b.errs = append(b.errs, sensor.LineError{Line: line, Err: err})
	}
}

var gzipMagic = []byte{0x1f, 0x8b}

// Scan reads one stream, gzip-compressed or not, and calls hit for each
// hit in line order. Problems (a malformed line, a line longer than
// MaxLine, a truncated gzip stream, a read error) are recorded in the
// status with their line, and the scan goes on where it can.
func (s *Scanner) Scan(ctx context.Context, name string, r io.Reader, hit func(sensor.Hit)) sensor.FileStatus {
	st := sensor.FileStatus{Path: name}
	var magic [2]byte
	n, err := io.ReadFull(r, magic[:])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		st.AddError(0, err)
		return st
	}
	r = io.MultiReader(bytes.NewReader(magic[:n]), r)
	if n == 2 && bytes.Equal(magic[:], gzipMagic) {
		gz, err := gzip.NewReader(r)
		if err != nil {
			st.AddError(0, fmt.Errorf("gzip: %w", err))
			return st
		}
		defer gz.Close()
		r = gz
	}
	head := make([]byte, DetectSize)
	hn, herr := io.ReadAtLeast(r, head, 1)
	if herr != nil && herr != io.EOF {
		st.AddError(0, fmt.Errorf("read: %w", herr))
		return st
	}
	// A followed file is read only up to its first line: more may be
	// long in coming.
	for hn < len(head) && herr == nil && (!s.Follow || bytes.IndexByte(head[:hn], '\n') < 0) {
		var m int
		m, herr = r.Read(head[hn:])
		hn += m
		if m == 0 {
			break
		}
	}
	head = head[:hn]
	f := s.Format
	if f == nil {
		if bytes.IndexByte(head, 0) >= 0 {
			st.Skipped = "binary data (NUL bytes at the start); give --format to read it anyway"
			return st
		}
		f = Detect(Formats(), head)
	}
	st.Format = f.Name()
	rest := io.Reader(bytes.NewReader(head))
	if herr == nil {
		rest = io.MultiReader(rest, r)
	} else if herr != io.EOF {
		rest = io.MultiReader(rest, &errReader{herr})
	}
	s.run(ctx, name, rest, f, &st, hit)
	if s.Progress != nil {
		s.Progress.Files.Add(1)
	}
	return st
}

type errReader struct{ err error }

func (e *errReader) Read([]byte) (int, error) { return 0, e.err }

func (s *Scanner) run(ctx context.Context, name string, r io.Reader, f Format, st *sensor.FileStatus, hit func(sensor.Hit)) {
	workers := s.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	nblocks := 2*workers + 2
	free := make(chan *block, nblocks)
	for range nblocks {
		free <- &block{done: make(chan struct{}, 1)}
	}
	order := make(chan *block, nblocks)
	work := make(chan *block, nblocks)
	now := s.Now
	if now == nil {
		now = time.Now
	}
	var wg sync.WaitGroup
	for range workers {
		w := &worker{source: name, lookup: s.NewLookup(), now: now, maxLine: s.maxLine(), corr: s.Correlate}
		w.emitFn = w.emit
		var own Parser
		if _, ok := f.NewParser().(HeaderParser); !ok {
			own = f.NewParser()
		}
		wg.Go(func() {
			for b := range work {
				p := own
				if p == nil {
					p = b.parser
				}
				w.process(b, p)
				b.done <- struct{}{}
			}
		})
	}
	go s.read(ctx, r, f, free, order, work)
	for b := range order {
		<-b.done
		for _, h := range b.hits {
			hit(h)
		}
		st.Hits += len(b.hits)
		for _, ev := range b.events {
			for _, h := range s.Correlate.Observe(ev) {
				hit(h)
				st.Hits++
			}
		}
		clear(b.events)
		b.events = b.events[:0]
		for _, e := range b.errs {
			st.AddError(e.Line, e.Err)
		}
		st.ErrorCount += b.nerr - len(b.errs)
		st.Bytes += int64(len(b.data)) + b.skipBytes
		st.Lines += int64(bytes.Count(b.data, []byte{'\n'})) + b.skipLines
		if len(b.data) > 0 && b.data[len(b.data)-1] != '\n' {
			st.Lines++
		}
		if s.Progress != nil {
			s.Progress.Bytes.Add(int64(len(b.data)) + b.skipBytes)
		}
		clear(b.hits)
		b.hits, b.errs, b.nerr, b.data, b.parser = b.hits[:0], b.errs[:0], 0, nil, nil
		free <- b
	}
	wg.Wait()
}

// read cuts r into blocks of whole lines and hands them out in order. A
// line longer than MaxLine is reported and skipped here when it does not
// fit in a block, and by the workers when it does; either way it counts
// as one line and its bytes as read.
func (s *Scanner) read(ctx context.Context, r io.Reader, f Format, free, order, work chan *block) {
	defer close(work)
	defer close(order)
	bsize := s.BlockSize
	if bsize <= 0 {
		bsize = DefaultBlockSize
	}
	maxLine := s.maxLine()
	master, _ := f.NewParser().(HeaderParser)
	var carry []byte
	var pending []sensor.LineError
	var skipBytes, skipLines int64
	lineNo := int64(1)
	skipping := false
	for {
		var b *block
		select {
		case b = <-free:
		case <-ctx.Done():
			return
		}
		if cap(b.buf) < bsize {
			b.buf = make([]byte, bsize)
		}
		b.buf = b.buf[:cap(b.buf)]
	fill:
		if len(carry) >= len(b.buf) {
			size := max(2*len(b.buf), len(carry)+1)
			b.buf = make([]byte, min(size, max(maxLine+1, len(carry)+1)))
		}
		n := copy(b.buf, carry)
		carry = carry[:0]
		eof := false
		var rerr error
		for n < len(b.buf) {
			m, err := r.Read(b.buf[n:])
			n += m
			if err != nil {
				if err != io.EOF {
					rerr = err
				}
				eof = true
				break
			}
			if m == 0 || s.Follow && bytes.IndexByte(b.buf[n-m:n], '\n') >= 0 {
				break
			}
		}
		data := b.buf[:n]
		if skipping {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				skipBytes += int64(len(data))
				if !eof {
					goto fill
				}
				data = nil
			} else {
				skipBytes += int64(i + 1)
				data = data[i+1:]
			}
			skipping = false
			skipLines++
			lineNo++
		}
		complete := data
		if !eof {
			last := bytes.LastIndexByte(data, '\n')
			switch {
			case last >= 0:
				complete = data[:last+1]
				carry = append(carry, data[last+1:]...)
			case len(data) > maxLine:
				pending = append(pending, sensor.LineError{Line: lineNo, Err: errLongLine(maxLine)})
				skipBytes += int64(len(data))
				skipping = true
				goto fill
			default: // a part of a line: read on
				carry = append(carry, data...)
				goto fill
			}
		}
		if rerr != nil {
			// The last line was cut by the failure: it is not read.
			complete = complete[:bytes.LastIndexByte(complete, '\n')+1]
			pending = append(pending, sensor.LineError{Line: lineNo + int64(bytes.Count(complete, []byte{'\n'})),
				Err: fmt.Errorf("read stopped: %w", describeReadErr(rerr))})
		}
		b.data, b.line = complete, lineNo
		b.skipBytes, b.skipLines, skipBytes, skipLines = skipBytes, skipLines, 0, 0
		lineNo += int64(bytes.Count(complete, []byte{'\n'}))
		for _, e := range pending {
			b.addErr(e.Line, e.Err)
		}
		pending = pending[:0]
		if master != nil {
			b.parser = master.Clone()
			feedHeaders(master, complete, maxLine)
		}
		order <- b
		work <- b
		if eof {
			return
		}
	}
}

func (s *Scanner) maxLine() int {
	if s.MaxLine <= 0 {
		return DefaultMaxLine
	}
	return s.MaxLine
}

// errLongLine is the problem of a line longer than MaxLine.
func errLongLine(max int) error { return fmt.Errorf("line longer than %d bytes, skipped", max) }

// describeReadErr names the usual cause of a read error.
func describeReadErr(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("truncated compressed data: %w", err)
	}
	return err
}

// feedHeaders gives the header lines of data to p, except those too long
// to be read (the workers skip them too).
func feedHeaders(p HeaderParser, data []byte, maxLine int) {
	pre := p.HeaderPrefix()
	discard := func(sensor.Kind, []byte) {}
	for len(data) > 0 {
		if data[0] == pre {
			line := data
			if i := bytes.IndexByte(data, '\n'); i >= 0 {
				line = data[:i]
			}
			if line = trimCR(line); len(line) <= maxLine {
				_ = p.Parse(line, discard)
			}
		}
		i := bytes.Index(data, []byte{'\n', pre})
		if i < 0 {
			return
		}
		data = data[i+1:]
	}
}

// worker parses and matches blocks.
type worker struct {
	source  string
	lookup  Lookup
	corr    Correlator
	obs     []sensor.Observable // of the current line, for corr
	now     func() time.Time
	emitFn  sensor.Emit
	b       *block
	line    int64
	maxLine int
}

func (w *worker) emit(kind sensor.Kind, v []byte) {
	for _, m := range w.lookup.Lookup(kind, v) {
		w.b.hits = append(w.b.hits, sensor.Hit{Source: w.source, Line: w.line,
			Observable: sensor.Observable{Kind: m.Kind, Value: string(v)}, Indicator: m.Indicator})
	}
	if w.corr != nil && w.corr.Wants(kind, v) {
		w.obs = append(w.obs, sensor.Observable{Kind: kind, Value: string(v)})
	}
}

func (w *worker) process(b *block, p Parser) {
	w.b = b
	data := b.data
	w.line = b.line
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = trimCR(line)
		if len(line) > w.maxLine {
			b.addErr(w.line, errLongLine(w.maxLine))
			w.line++
			continue
		}
		first := len(b.hits)
		w.obs = w.obs[:0]
		if err := parseSafely(p, line, w.emitFn); err != nil {
			b.addErr(w.line, err)
		}
		if len(b.hits) > first {
			w.stamp(p, line, first)
		}
		if len(w.obs) > 0 {
			w.event(p, line)
		}
		w.line++
	}
	w.b = nil
}

// stamp sets the time of the hits of one line, and drops duplicates (a
// value emitted twice by the same line for the same indicator).
func (w *worker) stamp(p Parser, line []byte, first int) {
	t, ok := p.Time(line)
	if !ok {
		t = w.now()
	}
	hits := w.b.hits
	keep := first
	for i := first; i < len(hits); i++ {
		dup := false
		for j := first; j < keep; j++ {
			if hits[j].Indicator == hits[i].Indicator && hits[j].Observable == hits[i].Observable {
				dup = true
				break
			}
		}
		if !dup {
			hits[i].Time = t
			hits[keep] = hits[i]
			keep++
		}
	}
	w.b.hits = hits[:keep]
}

// event records the current line for the correlator.
func (w *worker) event(p Parser, line []byte) {
	t, ok := p.Time(line)
	if !ok {
		t = w.now()
	}
	ev := sensor.Event{Time: t, Source: w.source, Line: w.line, Observables: append([]sensor.Observable(nil), w.obs...)}
	if fp, ok := p.(FlowParser); ok {
		if f, ok := fp.Flow(line); ok {
			ev.Flow = &f
		}
	}
	w.b.events = append(w.b.events, ev)
}

// parseSafely runs a parser, turning a panic into an error so that one
// bad line cannot stop the scan.
func parseSafely(p Parser, line []byte, emit sensor.Emit) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("parser failed on this line: %v", r)
		}
	}()
	return p.Parse(line, emit)
}
