package ssdeep_test

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/fuzzyhash/internal/fhtest"
	"github.com/vigie-cti/vigie/fuzzyhash/ssdeep"
)

var update = flag.Bool("update", false, "rewrite testdata/expected-*.tsv with the output of the reference ssdeep tool")

const (
	digestsFile = "testdata/expected-digests.tsv"
	scoresFile  = "testdata/expected-scores.tsv"
)

// TestExpectedDigests checks the digests of the generated inputs, and the
// scores between them, against those Debian's ssdeep 2.14 printed
// (committed; -update recomputes them with the tool).
func TestExpectedDigests(t *testing.T) {
	in := fhtest.Generated()
	if *update {
		writeExpected(t, in)
	}
	byName := map[string][]byte{}
	for _, x := range in {
		byName[x.Name] = x.Data
	}
	rows := fhtest.ReadTSV(t, digestsFile, 2)
	if len(rows) != len(in) {
		t.Fatalf("%s has %d rows, want one per generated input (%d)", digestsFile, len(rows), len(in))
	}
	for _, row := range rows {
		got, err := ssdeep.Sum(byName[row[0]])
		if err != nil || got != row[1] {
			t.Errorf("%s: digest %s (err %v), the tool printed %s", row[0], got, err, row[1])
		}
	}
	nonzero := 0
	for _, row := range fhtest.ReadTSV(t, scoresFile, 3) {
		want, _ := strconv.Atoi(row[2])
		got, err := ssdeep.Compare(row[0], row[1])
		if err != nil || got != want {
			t.Errorf("score %s %s = %d (err %v), the tool printed %d", row[0], row[1], got, err, want)
		}
		if want > 0 {
			nonzero++
		}
	}
	if nonzero < 5 {
		t.Errorf("only %d non-zero scores in %s: the related inputs should match", nonzero, scoresFile)
	}
}

// sigFile writes digests in the tool's own file format (for ssdeep -x).
func sigFile(t *testing.T, digests, names []string) string {
	var b bytes.Buffer
	b.WriteString("ssdeep,1.1--blocksize:hash:hash,filename\n")
	for i := range digests {
		fmt.Fprintf(&b, "%s,\"%s\"\n", digests[i], names[i])
	}
	p := filepath.Join(t.TempDir(), "sigs")
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// matchLine is a line of "ssdeep -a -x": FILE:NAME matches FILE:NAME (SCORE).
var matchLine = regexp.MustCompile(`^[^:]*:(.*) matches [^:]*:(.*) \((\d+)\)$`)

// toolScores runs ssdeep -a -x on a signature file and returns the score of
// each pair of names.
func toolScores(t *testing.T, tool, sigs string) map[[2]string]int {
	out, err := exec.Command(tool, "-a", "-x", sigs).Output()
	if err != nil {
		t.Fatalf("ssdeep -x: %v", err)
	}
	scores := map[[2]string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		m := matchLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("ssdeep -x line %q", line)
		}
		n, _ := strconv.Atoi(m[3])
		scores[[2]string{m[1], m[2]}] = n
	}
	return scores
}

func writeExpected(t *testing.T, in []fhtest.Input) {
	tool := fhtest.NeedTool(t, "ssdeep", "ssdeep")
	paths := fhtest.WriteInputs(t, t.TempDir(), in)
	var digests bytes.Buffer
	digests.WriteString("# name\tdigest printed by Debian's ssdeep 2.14 (ssdeep -s -b FILE)\n")
	var ds, names []string
	for i, p := range paths {
		out, err := exec.Command(tool, "-s", "-b", p).Output()
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		d, _, _ := strings.Cut(lines[len(lines)-1], ",")
		fmt.Fprintf(&digests, "%s\t%s\n", in[i].Name, d)
		ds, names = append(ds, d), append(names, in[i].Name)
	}
	scores := toolScores(t, tool, sigFile(t, ds, names))
	digestOf := map[string]string{}
	for i := range ds {
		digestOf[names[i]] = ds[i]
	}
	var sc bytes.Buffer
	sc.WriteString("# digest\tdigest\tscore printed by ssdeep -a -x\n")
	for i := range names {
		for j := range names {
			if s, ok := scores[[2]string{names[i], names[j]}]; ok && i < j {
				fmt.Fprintf(&sc, "%s\t%s\t%d\n", ds[i], ds[j], s)
			}
		}
	}
	if err := os.WriteFile(digestsFile, digests.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(scoresFile, sc.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAgreesWithTool computes the digests of system binaries and the score
// of every pair, and checks them against Debian's ssdeep.
func TestAgreesWithTool(t *testing.T) {
	tool := fhtest.NeedTool(t, "ssdeep", "ssdeep")
	n := 120
	if testing.Short() {
		n = 20
	}
	files := fhtest.Corpus(t, n, 1)
	out, err := exec.Command(tool, append([]string{"-s"}, files...)...).Output()
	if err != nil {
		t.Fatalf("ssdeep: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")[1:]
	if len(lines) != len(files) {
		t.Fatalf("ssdeep printed %d digests for %d files", len(lines), len(files))
	}
	var ds []string
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ssdeep.Sum(data)
		want := fmt.Sprintf("%s,\"%s\"", got, f)
		if err != nil || lines[i] != want {
			t.Errorf("%s: %s (err %v), the tool printed %s", f, want, err, lines[i])
		}
		ds = append(ds, got)
	}
	scores := toolScores(t, tool, sigFile(t, ds, files))
	idx := map[string]int{}
	for i, f := range files {
		idx[f] = i
	}
	matched := 0
	for pair, want := range scores {
		got, err := ssdeep.Compare(ds[idx[pair[0]]], ds[idx[pair[1]]])
		if err != nil || got != want {
			t.Errorf("score %s %s = %d (err %v), the tool printed %d", pair[0], pair[1], got, err, want)
		}
		if want > 0 {
			matched++
		}
	}
	if len(scores) < len(files)*(len(files)-1)/2 {
		t.Errorf("the tool printed %d scores, want at least one per pair", len(scores))
	}
	t.Logf("%d files, %d scores (%d non-zero) agree with %s", len(files), len(scores), matched, tool)
}

func TestStreaming(t *testing.T) {
	data := fhtest.Generated()[22].Data // random-100000
	want, _ := ssdeep.Sum(data)
	for _, piece := range []int{1, 7, 4096} {
		h := ssdeep.New()
		for i := 0; i < len(data); i += piece {
			h.Write(data[i:min(i+piece, len(data))])
		}
		if got, _ := h.Digest(); got != want {
			t.Errorf("pieces of %d: %s, want %s", piece, got, want)
		}
	}
}

func TestCompareRules(t *testing.T) {
	for _, c := range []struct {
		name string
		a, b string
		want int
	}{
		{"identical", "3:abcdefgh:ijk", "3:abcdefgh:ijk", 100},
		{"identical after eliminating runs", "48:AAAAAAbcdefgh:xyz", "48:AAAbcdefgh:xyz", 100},
		{"incomparable block sizes", "3:abcdefghij:klm", "12:abcdefghij:klm", 0},
		{"no common 7-character run", "96:abcdefghijkl:mn", "96:abcdefXhijkl:mn", 0},
		// Edit distance 2 (one substitution) over 32 characters: 2*64/32=4,
		// 4*100/64=6, 100-6=94.
		{"one substitution", "96:abcdefghijklmnop:q", "96:abcdefghijklmnoX:q", 94},
		// Small block sizes cap the score at bs/3 * shortest length.
		{"small block size cap", "3:abcdefgh:", "3:abcdefgX:", 8},
	} {
		got, err := ssdeep.Compare(c.a, c.b)
		if err != nil || got != c.want {
			t.Errorf("%s: Compare(%q, %q) = %d, %v; want %d", c.name, c.a, c.b, got, err, c.want)
		}
	}
}

func TestParseMalformed(t *testing.T) {
	for name, s := range map[string]string{
		"empty":           "",
		"no parts":        "3",
		"one part":        "3:abc",
		"zero block size": "0:abc:def",
		"negative":        "-3:abc:def",
		"not a number":    "x:abc:def",
		"bad character":   "3:ab!c:def",
		"part too long":   "3:" + strings.Repeat("A", 65) + ":B",
		"block size huge": "99999999999999999999999:abc:def",
		"colon in part 2": "3:abc:de:f",
	} {
		if _, err := ssdeep.Parse(s); err == nil {
			t.Errorf("%s: Parse(%q) succeeded", name, s)
		}
		if _, err := ssdeep.Compare(s, "3:abc:def"); err == nil {
			t.Errorf("%s: Compare(%q, ...) succeeded", name, s)
		}
	}
	d, err := ssdeep.Parse(`3:abc:def,"file name"`)
	if err != nil || d.String() != "3:abc:def" {
		t.Errorf("digest with a file name: %v, %v", d, err)
	}
}

func FuzzSum(f *testing.F) {
	for _, x := range fhtest.Generated()[:16] {
		f.Add(x.Data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ssdeep.Sum(data)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ssdeep.Parse(d)
		if err != nil || p.String() != d {
			t.Fatalf("round trip of %q: %v, %v", d, p, err)
		}
		if s := ssdeep.Score(p, p); s != 100 {
			t.Fatalf("score with itself %d", s)
		}
	})
}

func FuzzCompare(f *testing.F) {
	f.Add("3:abcdefgh:ijk", "6:abcdefgh:ijk")
	f.Add("96:abcdefghijklmnop:q", "48:x:abcdefghijklmnoX")
	f.Fuzz(func(t *testing.T, a, b string) {
		s, err := ssdeep.Compare(a, b)
		if err != nil {
			return
		}
		if s < 0 || s > 100 {
			t.Fatalf("score %d out of range", s)
		}
		if r, _ := ssdeep.Compare(b, a); r != s {
			t.Fatalf("not symmetric: %d and %d", s, r)
		}
	})
}

func BenchmarkSum10MiB(b *testing.B) {
	data := make([]byte, 10<<20)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		ssdeep.Sum(data)
	}
}
