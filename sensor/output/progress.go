package output

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigie-cti/vigie/sensor"
)

// ProgressLine redraws one status line on a terminal while a scan runs:
// files and bytes read, the rate, and the hits so far.
type ProgressLine struct {
	w     io.Writer
	p     *sensor.Progress
	hits  *atomic.Int64
	now   func() time.Time
	start time.Time
	mu    sync.Mutex
	shown bool
	stop  chan struct{}
	done  chan struct{}
}

// StartProgress draws the line every interval until Stop.
func StartProgress(w io.Writer, p *sensor.Progress, hits *atomic.Int64, interval time.Duration, now func() time.Time) *ProgressLine {
	pl := &ProgressLine{w: w, p: p, hits: hits, now: now, start: now(), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(pl.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-pl.stop:
				return
			case <-t.C:
				pl.draw()
			}
		}
	}()
	return pl
}

func (pl *ProgressLine) draw() {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	secs := pl.now().Sub(pl.start).Seconds()
	b := pl.p.Bytes.Load()
	rate := 0.0
	if secs > 0 {
		rate = float64(b) / secs
	}
	fmt.Fprintf(pl.w, "\r\033[Kscanning: %d files, %s, %s/s, %d hits", pl.p.Files.Load(), Bytes(b), Bytes(int64(rate)), pl.hits.Load())
	pl.shown = true
}

// clear erases the line; the caller holds mu.
func (pl *ProgressLine) clear() {
	if pl.shown {
		fmt.Fprint(pl.w, "\r\033[K")
		pl.shown = false
	}
}

// Stop erases the line and stops redrawing it.
func (pl *ProgressLine) Stop() {
	close(pl.stop)
	<-pl.done
	pl.mu.Lock()
	pl.clear()
	pl.mu.Unlock()
}

// Do erases the line and runs fn, which may write to the same terminal;
// the line is drawn again at the next interval.
func (pl *ProgressLine) Do(fn func()) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.clear()
	fn()
}

// Around returns a Writer that erases the progress line before each hit,
// so that hits and the line do not mix on one terminal.
func (pl *ProgressLine) Around(w Writer) Writer { return &aroundProgress{w: w, pl: pl} }

type aroundProgress struct {
	w  Writer
	pl *ProgressLine
}

func (a *aroundProgress) Hit(h sensor.Hit) error {
	a.pl.mu.Lock()
	defer a.pl.mu.Unlock()
	a.pl.clear()
	if err := a.w.Hit(h); err != nil {
		return err
	}
	return a.w.Flush()
}

func (a *aroundProgress) Flush() error {
	a.pl.mu.Lock()
	defer a.pl.mu.Unlock()
	return a.w.Flush()
}

// Bytes formats a size with a binary unit: "512 B", "3.2 MiB".
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
