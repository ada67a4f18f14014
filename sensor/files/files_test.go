package files_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/sensor"
	"github.com/vigie-cti/vigie/sensor/files"
	"github.com/vigie-cti/vigie/sensor/yara"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// eicar returns the EICAR anti-virus test file, assembled here so that no
// scanner quarantines the source.
func eicar() []byte {
	return []byte(`X5O!P%@AP[4\PZX54(P^)7CC)7}$` + "EICAR-STANDARD-ANTIVIRUS" + `-TEST-FILE!$H+H*`)
}

func wide(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// flameSample builds a synthetic PE-looking file carrying the strings the
// Flame rule looks for, buried in filler.
func flameSample() []byte {
	var b bytes.Buffer
	b.WriteString("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")
	b.Write(bytes.Repeat([]byte{0}, 200))
	b.WriteString("This program cannot be run in DOS mode.\r\r\n$")
	for i := range 4096 {
		b.WriteByte(byte(i * 7))
	}
	b.Write(wide("C:\\Program Files\\Common Files\\Microsoft Shared\\MSSecurityMgr\\mssecmgr.ocx"))
	b.Write(bytes.Repeat([]byte{0xcc}, 300))
	b.Write(wide("%windir%\\system32\\advnetcfg.ocx"))
	b.WriteString("\x00\x00local BEETLEJUICE = require 'BEETLEJUICE'\x00MICROBE\x00GADGET\x00")
	b.WriteString("D:\\work\\mssecmgr\\Release\\mssecmgr.pdb\x00")
	b.Write(bytes.Repeat([]byte{0x90}, 1000))
	return b.Bytes()
}

func indicator(id, name, ptype, pattern string) *sensor.Indicator {
	return &sensor.Indicator{ID: id, Name: name, PatternType: ptype, Pattern: pattern, ValidFrom: now.AddDate(-1, 0, 0)}
}

// setup compiles the indicators, YARA ones included, and returns a
// Scanner over them.
func setup(t *testing.T, inds ...*sensor.Indicator) (*files.Scanner, []*yara.CompileError) {
	t.Helper()
	m, errs := sensor.NewMatcher(inds, sensor.MatcherOptions{Now: now})
	if len(errs) > 0 {
		t.Fatal(errs[0])
	}
	s := &files.Scanner{
		NewLookup:     func() files.Lookup { return m.NewSession() },
		Objects:       m.NeedsObjects(),
		Hashes:        m.Hashes(),
		RuleIndicator: m.Indicator,
		Workers:       3,
		Now:           func() time.Time { return now },
	}
	var bad []*yara.CompileError
	if ys := m.YARA(); len(ys) > 0 {
		var srcs []yara.Source
		for _, ind := range ys {
			srcs = append(srcs, yara.Source{Namespace: ind.ID, Text: ind.Pattern})
		}
		rules, cerrs, err := yara.Compile(srcs)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(rules.Destroy)
		bad = cerrs
		s.NewRuleScanner = func() (files.RuleScanner, error) { return rules.NewScanner(0) }
	}
	return s, bad
}

// scan runs s and returns the hits as "path kind value indicator" (paths
// relative to root) and the problems.
func scan(t *testing.T, s *files.Scanner, root string, paths ...string) ([]string, []string, files.Summary) {
	t.Helper()
	var hits, problems []string
	sum, err := s.Scan(context.Background(), paths, func(h sensor.Hit) {
		rel, _ := filepath.Rel(root, h.Source)
		hits = append(hits, fmt.Sprintf("%s %s %s %s", rel, h.Observable.Kind, h.Observable.Value, h.Indicator.ID))
	}, func(p files.Problem) {
		rel, _ := filepath.Rel(root, p.Path)
		msg := p.Skipped
		if msg == "" {
			msg = p.Errors[0].Error()
		}
		problems = append(problems, rel+": "+msg)
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(hits)
	slices.Sort(problems)
	return hits, problems, sum
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFlameAndEICAR is the Flame case: a YARA indicator for Flame's
// characteristic strings finds the synthetic sample among other files,
// EICAR is found by its SHA-256, a dropper by its name, and a rule that
// does not compile is refused with the compiler's message while the
// others still run.
func TestFlameAndEICAR(t *testing.T) {
	if !yara.Available {
		t.Skip("built without YARA")
	}
	rule, err := os.ReadFile("testdata/flame.yar")
	if err != nil {
		t.Fatal(err)
	}
	s, bad := setup(t,
		indicator("indicator--flame", "Flame (sKyWIper)", "yara", string(rule)),
		indicator("indicator--eicar", "EICAR test file", "stix", "[file:hashes.'SHA-256' = '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f']"),
		indicator("indicator--dropper", "Dropper name", "stix", "[file:name = 'wpgfilter.dat']"),
		indicator("indicator--broken", "Broken rule", "yara", "rule broken { strings: $a = \"x\" condition: $b }"),
	)
	if len(bad) != 1 || bad[0].Namespace != "indicator--broken" || !strings.Contains(bad[0].Message, `undefined string "$b"`) {
		t.Fatalf("compile errors %v, want the broken rule refused with the compiler's message", bad)
	}
	root := t.TempDir()
	write(t, filepath.Join(root, "share/tools/mssecmgr.ocx"), flameSample())
	write(t, filepath.Join(root, "share/eicar.com"), eicar())
	write(t, filepath.Join(root, "share/deep/er/wpgfilter.dat"), []byte("anything"))
	write(t, filepath.Join(root, "share/readme.txt"), []byte("nothing to see; mssecmgr.ocx alone is not enough"))
	write(t, filepath.Join(root, "share/empty"), nil)
	hits, problems, sum := scan(t, s, root, filepath.Join(root, "share"))
	want := []string{
		"share/deep/er/wpgfilter.dat file-name wpgfilter.dat indicator--dropper",
		"share/eicar.com sha256 275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f indicator--eicar",
		"share/tools/mssecmgr.ocx yara-rule vigie_flame_skywiper indicator--flame",
	}
	if diff := cmp.Diff(want, hits); diff != "" || len(problems) > 0 {
		t.Errorf("hits (-want +got):\n%s\nproblems: %v", diff, problems)
	}
	if sum.Files != 5 || sum.Hits != 3 {
		t.Errorf("summary %+v, want 5 files and 3 hits", sum)
	}
}

// TestWalkLimits covers what is skipped and why: links not followed
// unless asked (and then each directory once, loops included), files over
// the size limit, special files, paths that cannot be read.
func TestWalkLimits(t *testing.T) {
	s, _ := setup(t, indicator("indicator--eicar", "EICAR", "stix", "[file:hashes.MD5 = '44d88612fea8a8f36de82e1278abb02f']"))
	root := t.TempDir()
	write(t, filepath.Join(root, "a/eicar.com"), eicar())
	write(t, filepath.Join(root, "a/big.bin"), bytes.Repeat([]byte("x"), 4096))
	os.Symlink(filepath.Join(root, "a/eicar.com"), filepath.Join(root, "a/link-to-eicar"))
	os.Symlink(filepath.Join(root, "a"), filepath.Join(root, "a/loop"))
	os.Symlink(filepath.Join(root, "nowhere"), filepath.Join(root, "a/dangling"))
	if err := syscall.Mkfifo(filepath.Join(root, "a/fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.MaxSize = 1024
	hits, problems, sum := scan(t, s, root, filepath.Join(root, "a"), filepath.Join(root, "missing"))
	wantHits := []string{"a/eicar.com md5 44d88612fea8a8f36de82e1278abb02f indicator--eicar"}
	wantProblems := []string{
		"a/big.bin: larger than the size limit (4096 > 1024 bytes)",
		"a/fifo: not a regular file (p---------)",
		"missing: stat " + filepath.Join(root, "missing") + ": no such file or directory",
	}
	if diff := cmp.Diff(wantHits, hits); diff != "" {
		t.Errorf("hits without following links (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantProblems, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if sum.Symlinks != 3 {
		t.Errorf("%d links not followed, want 3", sum.Symlinks)
	}

	s.FollowSymlinks = true
	hits, problems, _ = scan(t, s, root, filepath.Join(root, "a"))
	wantHits = append(wantHits, "a/eicar.com md5 44d88612fea8a8f36de82e1278abb02f indicator--eicar") // through the link
	if diff := cmp.Diff(wantHits, hits); diff != "" {
		t.Errorf("hits following links (-want +got):\n%s", diff)
	}
	if len(problems) != 3 || !strings.Contains(problems[1], "a/dangling: stat") {
		t.Errorf("problems following links: %q, want big.bin, the dangling link and the fifo", problems)
	}
}

// TestReadOnly checks that a scan changes nothing: contents, modification
// and access times.
func TestReadOnly(t *testing.T) {
	s, _ := setup(t, indicator("indicator--eicar", "EICAR", "stix", "[file:hashes.'SHA-512' = 'cc805d5fab1fd71a4ab352a9c533e65fb2d5b885518f4e565e68847223b8e6b85cb48f3afad842726d99239c9e36505c64b0dc9a061d9e507d833277ada336ab']"))
	root := t.TempDir()
	path := filepath.Join(root, "eicar.com")
	write(t, path, eicar())
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	os.Chtimes(path, old, old)
	hits, _, _ := scan(t, s, root, root)
	if len(hits) != 1 {
		t.Fatalf("hits %v, want EICAR by SHA-512", hits)
	}
	fi, _ := os.Stat(path) // before reading it here
	st := fi.Sys().(*syscall.Stat_t)
	atime := time.Unix(st.Atim.Sec, st.Atim.Nsec)
	data, _ := os.ReadFile(path)
	if !bytes.Equal(data, eicar()) || !fi.ModTime().Equal(old) || !atime.Equal(old) {
		t.Errorf("after the scan: content changed %v, mtime %v, atime %v; want %v", !bytes.Equal(data, eicar()), fi.ModTime(), atime, old)
	}
}

// TestObjects matches whole file objects when a pattern needs more than
// one value of the file.
func TestObjects(t *testing.T) {
	s, _ := setup(t, indicator("indicator--both", "Name and hash", "stix",
		"[file:name = 'eicar.com' AND file:hashes.'SHA-1' = '3395856ce81f2b7382dee72602f798b642f14140']"))
	if !s.Objects || s.Hashes != sensor.SHA1 {
		t.Fatalf("Objects %v, Hashes %v; want whole objects and SHA-1", s.Objects, s.Hashes)
	}
	root := t.TempDir()
	write(t, filepath.Join(root, "eicar.com"), eicar())
	write(t, filepath.Join(root, "renamed.com"), eicar())
	hits, _, _ := scan(t, s, root, root)
	want := []string{"eicar.com file eicar.com indicator--both"}
	if diff := cmp.Diff(want, hits); diff != "" {
		t.Errorf("hits (-want +got):\n%s", diff)
	}
}

// TestLargeFileHash hashes a file large enough to be mapped rather than
// read, with all four algorithms.
func TestLargeFileHash(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 5<<20/16+3)
	sums := map[string]string{
		"MD5":       fmt.Sprintf("%x", md5.Sum(data)),
		"'SHA-1'":   fmt.Sprintf("%x", sha1.Sum(data)),
		"'SHA-256'": fmt.Sprintf("%x", sha256.Sum256(data)),
		"'SHA-512'": fmt.Sprintf("%x", sha512.Sum512(data)),
	}
	var inds []*sensor.Indicator
	for alg, sum := range sums {
		inds = append(inds, indicator("indicator--"+strings.Trim(alg, "'"), alg, "stix", "[file:hashes."+alg+" = '"+sum+"']"))
	}
	s, _ := setup(t, inds...)
	root := t.TempDir()
	write(t, filepath.Join(root, "big.bin"), data)
	hits, problems, sum := scan(t, s, root, root)
	if len(hits) != 4 || len(problems) > 0 || sum.Bytes != int64(len(data)) {
		t.Errorf("hits %v, problems %v, %d bytes; want the four hashes of %d bytes", hits, problems, sum.Bytes, len(data))
	}
}
