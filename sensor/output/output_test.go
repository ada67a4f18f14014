package output_test

import (
	"bytes"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/sensor"
	"github.com/vigie-cti/vigie/sensor/output"
)

var hit = sensor.Hit{
	Time:       time.Date(2024, 3, 1, 10, 0, 1, 500, time.UTC),
	Source:     "/var/log/zeek/dns.log",
	Line:       19,
	Observable: sensor.Observable{Kind: sensor.KindDomain, Value: "evil.example"},
	Indicator:  &sensor.Indicator{ID: "indicator--1", Name: "Evil", TLP: vigie.TLPAmber},
}

func TestJSON(t *testing.T) {
	var b bytes.Buffer
	w := output.NewJSON(&b)
	w.Hit(hit)
	h2 := hit
	h2.Line, h2.Indicator = 0, &sensor.Indicator{ID: "indicator--2"}
	w.Hit(h2)
	w.Flush()
	want := `{"time":"2024-03-01T10:00:01.0000005Z","source":"/var/log/zeek/dns.log","line":19,"observable":{"kind":"domain","value":"evil.example"},"indicator_id":"indicator--1","indicator_name":"Evil","tlp":"AMBER"}
{"time":"2024-03-01T10:00:01.0000005Z","source":"/var/log/zeek/dns.log","observable":{"kind":"domain","value":"evil.example"},"indicator_id":"indicator--2","tlp":"NONE"}
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}
}

// TestTableEscapes checks that a hostile value cannot put terminal
// escapes or line breaks in the table.
func TestTableEscapes(t *testing.T) {
	var b bytes.Buffer
	w := output.NewTable(&b, 1)
	h := hit
	h.Observable.Value = "evil.example\x1b[2J\nFAKE LINE"
	w.Hit(h)
	w.Flush()
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2 || strings.ContainsRune(b.String(), 0x1b) || !strings.Contains(lines[1], `evil.example\x1b[2J\nFAKE LINE`) {
		t.Errorf("table:\n%q", b.String())
	}
	if !strings.Contains(lines[1], "TLP:AMBER") || !strings.Contains(lines[1], "/var/log/zeek/dns.log:19") || !strings.Contains(lines[1], "Evil (indicator--1)") {
		t.Errorf("row %q", lines[1])
	}
}

// countingWriter counts the writes that reach it, as system calls would.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.writes++
	return c.Buffer.Write(p)
}

// TestTableWritesInBlocks: a table of many hits reaches its file in large
// writes, not one per cell (a scan with millions of hits spent most of its
// time in write system calls), and every row is there.
func TestTableWritesInBlocks(t *testing.T) {
	var c countingWriter
	w := output.NewTable(&c, 1000)
	const rows = 20000
	for i := 0; i < rows; i++ {
		w.Hit(hit)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(c.String(), "\n"); n != rows+1 {
		t.Errorf("%d lines, want %d", n, rows+1)
	}
	// One write per 64 KiB block, plus the flushes every 1,000 rows.
	if limit := c.Len()/(64<<10) + rows/1000 + 2; c.writes > limit {
		t.Errorf("%d writes for %d bytes, want at most %d", c.writes, c.Len(), limit)
	}
}

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 3 << 30: "3.0 GiB"} {
		if got := output.Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestProgressLine(t *testing.T) {
	var mu sync.Mutex
	var b bytes.Buffer
	w := lockedWriter{&mu, &b}
	p := &sensor.Progress{}
	p.Files.Store(3)
	p.Bytes.Store(3 << 20)
	var hits atomic.Int64
	hits.Store(2)
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { clock = clock.Add(time.Second); return clock }
	pl := output.StartProgress(w, p, &hits, time.Millisecond, now)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(w.String(), "scanning: 3 files, 3.0 MiB,") && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	table := pl.Around(output.NewTable(w, 1))
	table.Hit(hit)
	pl.Stop()
	got := w.String()
	last := got[strings.LastIndex(got, "scanning:"):]
	if !strings.Contains(got, "2 hits") || !strings.Contains(last, "\r\x1b[K") || !strings.Contains(got, "\r\x1b[KTIME") {
		t.Errorf("progress output %q: want the line, erased before the table and at the end", got)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
