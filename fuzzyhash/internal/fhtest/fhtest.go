// Package fhtest holds what the fuzzy-hash tests share: deterministic
// inputs the tests build themselves (so that expected digests computed once
// by the reference tools can be committed), and a corpus of the machine's
// own binaries for the comparisons against the tools when they are
// installed.
package fhtest

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Input is one named test input.
type Input struct {
	Name string
	Data []byte
}

var words = strings.Fields(`the lookout on the mast of a ship warns the crew
of rocks storms and other ships coalition members share indicators samples
reports and advisories under traffic light protocol markings kernel driver
loader beacon command control persistence registry mutex payload encrypted
configuration domain address mail certificate signature section import export`)

// Generated returns deterministic inputs of several sizes and kinds (random
// bytes, word-like text), each with a mutated variant (a few bytes changed
// and a run inserted), so that distances and scores between related and
// unrelated inputs are exercised. The same call always returns the same
// bytes (PCG with fixed seeds).
func Generated() []Input {
	var out []Input
	for i, size := range []int{0, 1, 7, 63, 200, 256, 300, 1000, 4096, 20000, 100000, 700000} {
		r := rand.New(rand.NewPCG(uint64(i), 0x76696769))
		b := make([]byte, size)
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		out = append(out, Input{fmt.Sprintf("random-%d", size), b})
		out = append(out, Input{fmt.Sprintf("random-%d-mutated", size), mutate(b, r)})
	}
	for i, size := range []int{300, 3000, 30000, 300000} {
		r := rand.New(rand.NewPCG(uint64(100+i), 0x74657874))
		var buf bytes.Buffer
		for buf.Len() < size {
			buf.WriteString(words[r.IntN(len(words))])
			if r.IntN(12) == 0 {
				buf.WriteString(".\n")
			} else {
				buf.WriteByte(' ')
			}
		}
		b := buf.Bytes()[:size]
		out = append(out, Input{fmt.Sprintf("text-%d", size), b})
		out = append(out, Input{fmt.Sprintf("text-%d-mutated", size), mutate(b, r)})
	}
	zeros := make([]byte, 5000)
	out = append(out, Input{"zeros-5000", zeros})
	out = append(out, Input{"pattern-5000", bytes.Repeat([]byte("abcd"), 1250)})
	return out
}

// mutate returns a copy of b with about 1% of its bytes changed and 16
// bytes inserted in the middle.
func mutate(b []byte, r *rand.Rand) []byte {
	c := slices.Clone(b)
	for range len(c)/100 + 1 {
		if len(c) == 0 {
			break
		}
		c[r.IntN(len(c))] ^= byte(r.IntN(255) + 1)
	}
	mid := len(c) / 2
	ins := bytes.Repeat([]byte{0x5a}, 16)
	return slices.Concat(c[:mid], ins, c[mid:])
}

// Corpus returns up to n regular files of the machine's own binaries (in
// /usr/bin, /usr/sbin, /usr/lib/x86_64-linux-gnu), at least minSize and at
// most 8 MiB each, in a stable order. It skips the test if it finds none.
func Corpus(tb testing.TB, n int, minSize int64) []string {
	tb.Helper()
	var files []string
	for _, dir := range []string{"/usr/bin", "/usr/sbin", "/usr/lib/x86_64-linux-gnu"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			info, err := e.Info()
			if err != nil || info.Size() < minSize || info.Size() > 8<<20 || info.Mode()&fs.ModePerm&0o444 == 0 {
				continue
			}
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	if len(files) == 0 {
		tb.Skip("no system binaries found for the corpus")
	}
	// Spread the picks over the whole list rather than the first names.
	if len(files) > n {
		step := len(files) / n
		picked := make([]string, 0, n)
		for i := 0; i < len(files) && len(picked) < n; i += step {
			picked = append(picked, files[i])
		}
		files = picked
	}
	return files
}

// NeedTool skips the test, saying why, when the command is not installed.
func NeedTool(tb testing.TB, name, debianPackage string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		tb.Skipf("%s is not installed (Debian package %s; scripts/setup.sh installs it): skipping the comparison with the reference tool", name, debianPackage)
	}
	return p
}

// WriteInputs writes the inputs as files named after them in dir and
// returns their paths.
func WriteInputs(tb testing.TB, dir string, in []Input) []string {
	tb.Helper()
	paths := make([]string, len(in))
	for i, x := range in {
		paths[i] = filepath.Join(dir, x.Name)
		if err := os.WriteFile(paths[i], x.Data, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return paths
}

// ReadTSV reads a tab-separated file of at least cols columns, skipping
// blank lines and lines starting with #.
func ReadTSV(tb testing.TB, path string, cols int) [][]string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) < cols {
			tb.Fatalf("%s: line %q: want %d columns", path, line, cols)
		}
		rows = append(rows, fields)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return rows
}
