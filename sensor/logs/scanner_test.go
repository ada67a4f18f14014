package logs_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/bench/scan/scandata"
	"github.com/vigie-cti/vigie/sensor"
	"github.com/vigie-cti/vigie/sensor/logs"
)

var scanNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// MustMatcher compiles one indicator per STIX pattern.
func MustMatcher(tb testing.TB, patterns ...string) *sensor.Matcher {
	tb.Helper()
	var inds []*sensor.Indicator
	for i, p := range patterns {
		inds = append(inds, &sensor.Indicator{ID: fmt.Sprintf("indicator--%d", i+1), Name: fmt.Sprintf("ind %d", i+1),
			PatternType: "stix", Pattern: p, ValidFrom: scanNow.AddDate(-5, 0, 0)})
	}
	m, errs := sensor.NewMatcher(inds, sensor.MatcherOptions{Now: scanNow})
	if len(errs) > 0 {
		tb.Fatal(errs[0])
	}
	return m
}

var testPatterns = []string{
	"[domain-name:value = 'evil-cdn.example']",
	"[ipv4-addr:value = '203.0.113.66']",
	"[url:value = 'http://download.evil-cdn.example/payload/stage2.bin?id=42']",
	"[file:hashes.'SHA-256' = '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f']",
	"[ipv6-addr:value ISSUBSET '2001:db8:bad::/48']",
}

func newScanner(m *sensor.Matcher) *logs.Scanner {
	return &logs.Scanner{NewLookup: func() logs.Lookup { return m.NewSession() }, Now: func() time.Time { return scanNow }}
}

// hitLines lists hits as "line kind value indicator".
func scanAll(t *testing.T, s *logs.Scanner, name string, data []byte) ([]string, sensor.FileStatus) {
	t.Helper()
	var got []string
	st := s.Scan(context.Background(), name, bytes.NewReader(data), func(h sensor.Hit) {
		got = append(got, fmt.Sprintf("%d %s %s %s %s", h.Line, h.Time.Format(time.RFC3339), h.Observable.Kind, h.Observable.Value, h.Indicator.ID))
	})
	return got, st
}

// TestScanBlocksInOrder scans the same data with one worker and large
// blocks, and with many workers and tiny blocks (headers of concatenated
// Zeek logs falling inside blocks): the hits must be the same, in line
// order.
func TestScanBlocksInOrder(t *testing.T) {
	m := MustMatcher(t, testPatterns...)
	v := scandata.New(7).Values(2000)
	var data bytes.Buffer
	g := scandata.New(8)
	for range 3 {
		g.ZeekConn(&data, v, scandata.LogOptions{Lines: 3000, HitRate: 0.01})
		z, _ := os.ReadFile("testdata/zeek/concatenated.log")
		data.Write(z)
		g.ZeekDNS(&data, v, scandata.LogOptions{Lines: 2000, HitRate: 0.01})
		g.ZeekHTTP(&data, v, scandata.LogOptions{Lines: 2000, HitRate: 0.01})
	}
	var inds []string
	v.Each(func(p, _ string) { inds = append(inds, p) })
	m = MustMatcher(t, append(inds, testPatterns...)...)

	one := newScanner(m)
	one.Workers = 1
	want, st := scanAll(t, one, "big", data.Bytes())
	if st.ErrorCount > 0 || st.Format != "zeek-tsv" || len(want) < 100 {
		t.Fatalf("reference scan: %d hits, format %s, errors %v", len(want), st.Format, st.Errors)
	}
	many := newScanner(m)
	many.Workers, many.BlockSize = 4, 4096
	got, st2 := scanAll(t, many, "big", data.Bytes())
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("4 workers, 4 KiB blocks (-want +got):\n%s", diff)
	}
	if st2.Lines != st.Lines || st2.Bytes != st.Bytes || st.Bytes != int64(data.Len()) {
		t.Errorf("lines %d/%d bytes %d/%d, want equal and %d bytes", st.Lines, st2.Lines, st.Bytes, st2.Bytes, data.Len())
	}
}

func TestScanGzipAndCRLF(t *testing.T) {
	m := MustMatcher(t, testPatterns...)
	plain, _ := os.ReadFile("testdata/eve/v7-v8-mixed.json")
	want, _ := scanAll(t, newScanner(m), "eve", plain)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(bytes.ReplaceAll(plain, []byte("\n"), []byte("\r\n")))
	zw.Close()
	got, st := scanAll(t, newScanner(m), "eve.gz", gz.Bytes())
	if diff := cmp.Diff(want, got); diff != "" || st.Format != "eve" || st.ErrorCount > 0 {
		t.Errorf("gzip with CRLF: format %s, errors %v (-want +got):\n%s", st.Format, st.Errors, diff)
	}
}

func TestScanTruncatedGzip(t *testing.T) {
	m := MustMatcher(t, testPatterns...)
	var plain bytes.Buffer
	for i := range 20000 {
		fmt.Fprintf(&plain, `{"timestamp":"2024-03-01T10:00:00.000000+0000","event_type":"flow","src_ip":"10.0.%d.%d","dest_ip":"203.0.113.66"}`+"\n", i/250%250, i%250)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain.Bytes())
	zw.Close()
	cut := gz.Bytes()[:gz.Len()/2]
	got, st := scanAll(t, newScanner(m), "cut.gz", cut)
	if len(got) == 0 || len(got) >= 20000 {
		t.Errorf("%d hits from half a gzip file, want some and not all", len(got))
	}
	if st.ErrorCount != 1 || !strings.Contains(st.Errors[0].Error(), "truncated compressed data") || st.Errors[0].Line != int64(len(got))+1 {
		t.Errorf("errors %v, want one truncation at line %d", st.Errors, len(got)+1)
	}
}

func TestScanLongAndBrokenLines(t *testing.T) {
	m := MustMatcher(t, testPatterns...)
	var data bytes.Buffer
	data.WriteString(`{"event_type":"dns","dns":{"rrname":"a.evil-cdn.example"}}` + "\n")
	data.WriteString(`{"event_type":"dns","dns":{"rrname":"b.evil-cdn.exa` + "\n") // broken
	data.WriteString(`{"event_type":"x","pad":"` + strings.Repeat("A", 3<<20) + `"}` + "\n")
	data.WriteString(`{"event_type":"dns","dns":{"rrname":"c.evil-cdn.example"}}` + "\n")
	data.WriteString("\x00\x01\x02 binary garbage \xff\xfe\n")
	data.WriteString(`{"event_type":"dns","dns":{"rrname":"d.evil-cdn.example"}}`) // no final newline
	s := newScanner(m)
	s.MaxLine, s.BlockSize = 1<<20, 64<<10
	got, st := scanAll(t, s, "eve", data.Bytes())
	want := []string{
		"1 2026-03-01T12:00:00Z domain a.evil-cdn.example indicator--1",
		"4 2026-03-01T12:00:00Z domain c.evil-cdn.example indicator--1",
		"6 2026-03-01T12:00:00Z domain d.evil-cdn.example indicator--1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hits (-want +got):\n%s", diff)
	}
	var errs []string
	for _, e := range st.Errors {
		errs = append(errs, e.Error())
	}
	wantErrs := []string{
		"line 2: malformed JSON at byte 37: unterminated string",
		"line 3: line longer than 1048576 bytes, skipped",
		"line 5: malformed JSON at byte 1: want one JSON object",
	}
	if diff := cmp.Diff(wantErrs, errs); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestScanBinaryAndEmpty(t *testing.T) {
	m := MustMatcher(t, testPatterns...)
	garbage := []byte("\x7fELF\x02\x01\x01\x00\x00\x00 evil-cdn.example \x00\x00")
	_, st := scanAll(t, newScanner(m), "a.out", garbage)
	if !strings.Contains(st.Skipped, "binary") {
		t.Errorf("binary file: skipped %q, want a reason naming binary data", st.Skipped)
	}
	s := newScanner(m)
	s.Format = logs.Text{}
	got, st := scanAll(t, s, "a.out", garbage)
	if len(got) != 1 || st.Skipped != "" {
		t.Errorf("binary file read as text: %v, skipped %q; want one hit", got, st.Skipped)
	}
	got, st = scanAll(t, newScanner(m), "empty", nil)
	if len(got) != 0 || st.ErrorCount != 0 || st.Lines != 0 {
		t.Errorf("empty stream: %v %+v", got, st)
	}
}

func TestScanFileStdinAndMissing(t *testing.T) {
	m := MustMatcher(t, testPatterns...)
	s := newScanner(m)
	n := 0
	st := s.ScanFile(context.Background(), "-", strings.NewReader("beacon to 203.0.113.66\n"), func(sensor.Hit) { n++ })
	if n != 1 || st.Path != "-" || st.Format != "text" {
		t.Errorf("stdin: %d hits, %+v", n, st)
	}
	st = s.ScanFile(context.Background(), filepath.Join(t.TempDir(), "missing.log"), nil, func(sensor.Hit) {})
	if !st.Failed() {
		t.Errorf("missing file: %+v, want a failure", st)
	}
}

// TestFollow appends to a followed file, then rotates it, and waits for
// the hits of the new lines.
func TestFollow(t *testing.T) {
	m := MustMatcher(t, testPatterns...)
	path := filepath.Join(t.TempDir(), "eve.json")
	os.WriteFile(path, []byte(`{"event_type":"flow","src_ip":"10.0.0.1","dest_ip":"192.0.2.1"}`+"\n"), 0o644)
	s := newScanner(m)
	s.Follow, s.Poll = true, 10*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hits := make(chan sensor.Hit, 10)
	done := make(chan sensor.FileStatus)
	go func() { done <- s.ScanFile(ctx, path, nil, func(h sensor.Hit) { hits <- h }) }()
	wait := func(want string) {
		t.Helper()
		select {
		case h := <-hits:
			if h.Observable.Value != want {
				t.Errorf("hit on %s, want %s", h.Observable.Value, want)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no hit on %s", want)
		}
	}
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"event_type":"flow","src_ip":"10.0.0.1","dest_ip":"203.0.113.66"}` + "\n")
	f.Close()
	wait("203.0.113.66")
	os.Rename(path, path+".1")
	os.WriteFile(path, []byte(`{"event_type":"tls","tls":{"sni":"x.evil-cdn.example"}}`+"\n"), 0o644)
	wait("x.evil-cdn.example")
	cancel()
	st := <-done
	if st.Format != "eve" || st.Lines != 3 || st.ErrorCount != 0 {
		t.Errorf("status %+v, want eve, 3 lines, no error", st)
	}
}
