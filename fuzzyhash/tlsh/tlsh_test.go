package tlsh_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/fuzzyhash/internal/fhtest"
	"github.com/vigie-cti/vigie/fuzzyhash/tlsh"
)

var update = flag.Bool("update", false, "rewrite testdata/expected-*.tsv with the output of the reference tlsh tool")

const (
	digestsFile   = "testdata/expected-digests.tsv"
	distancesFile = "testdata/expected-distances.tsv"
)

// TestExpectedDigests checks the digests of the generated inputs against
// those Debian's tlsh 3.4.4 printed for the same bytes (committed, so the
// check runs where the tool is absent; -update recomputes them with it).
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
	valid := 0
	for _, row := range rows {
		name, want := row[0], row[1]
		d, err := tlsh.Sum(byName[name])
		got := "-"
		if err == nil {
			got = d.Hex()
			valid++
		}
		if got != want {
			t.Errorf("%s: digest %s, the tool printed %s (err %v)", name, got, want, err)
		}
	}
	if valid < len(rows)/2 {
		t.Errorf("only %d of %d inputs have a digest: the expected file looks wrong", valid, len(rows))
	}
	for _, row := range fhtest.ReadTSV(t, distancesFile, 3) {
		a, b := mustParse(t, row[0]), mustParse(t, row[1])
		want, _ := strconv.Atoi(row[2])
		if got := tlsh.Distance(a, b); got != want {
			t.Errorf("distance %s %s = %d, the tool printed %d", row[0], row[1], got, want)
		}
	}
}

func writeExpected(t *testing.T, in []fhtest.Input) {
	tool := fhtest.NeedTool(t, "tlsh", "tlsh-tools")
	paths := fhtest.WriteInputs(t, t.TempDir(), in)
	var digests, list bytes.Buffer
	digests.WriteString("# name\tdigest printed by Debian's tlsh 3.4.4 (tlsh -f FILE), - for none\n")
	for i, p := range paths {
		out, _ := exec.Command(tool, "-f", p).Output()
		d := "-"
		if f := strings.Fields(string(out)); len(f) == 2 {
			d = f[0]
			fmt.Fprintf(&list, "%s\t%s\n", d, in[i].Name)
		}
		fmt.Fprintf(&digests, "%s\t%s\n", in[i].Name, d)
	}
	listPath := filepath.Join(t.TempDir(), "list")
	if err := os.WriteFile(listPath, list.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-xref", "-l", listPath).Output()
	if err != nil {
		t.Fatalf("tlsh -xref: %v", err)
	}
	digestOf := map[string]string{}
	for _, line := range strings.Split(list.String(), "\n") {
		if d, name, ok := strings.Cut(line, "\t"); ok {
			digestOf[name] = d
		}
	}
	var distances bytes.Buffer
	distances.WriteString("# digest\tdigest\tdistance printed by tlsh -xref\n")
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			continue
		}
		fmt.Fprintf(&distances, "%s\t%s\t%s\n", digestOf[f[0]], digestOf[f[1]], strings.TrimSpace(f[2]))
	}
	if err := os.WriteFile(digestsFile, digests.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(distancesFile, distances.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAgreesWithTool computes the digests of system binaries and the
// distance between every pair, and checks them against Debian's tlsh.
func TestAgreesWithTool(t *testing.T) {
	tool := fhtest.NeedTool(t, "tlsh", "tlsh-tools")
	n := 60
	if testing.Short() {
		n = 15
	}
	files := fhtest.Corpus(t, n, 512)
	var list bytes.Buffer
	digests := map[string]tlsh.Digest{}
	for _, f := range files {
		out, err := exec.Command(tool, "-f", f).Output()
		if err != nil {
			t.Fatalf("tlsh -f %s: %v", f, err)
		}
		fields := strings.Fields(string(out))
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d, err := tlsh.Sum(data)
		if len(fields) != 2 {
			if err == nil {
				t.Errorf("%s: digest %s, the tool printed none (%q)", f, d.Hex(), out)
			}
			continue
		}
		if err != nil || d.Hex() != fields[0] {
			t.Errorf("%s: digest %s (err %v), the tool printed %s", f, d.Hex(), err, fields[0])
			continue
		}
		digests[f] = d
		fmt.Fprintf(&list, "%s\t%s\n", fields[0], f)
	}
	listPath := filepath.Join(t.TempDir(), "list")
	if err := os.WriteFile(listPath, list.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-xref", "-l", listPath).Output()
	if err != nil {
		t.Fatalf("tlsh -xref: %v", err)
	}
	pairs := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			t.Fatalf("tlsh -xref line %q", line)
		}
		want, err := strconv.Atoi(strings.TrimSpace(f[2]))
		if err != nil {
			t.Fatal(err)
		}
		if got := tlsh.Distance(digests[f[0]], digests[f[1]]); got != want {
			t.Errorf("distance %s %s = %d, the tool printed %d", f[0], f[1], got, want)
		}
		pairs++
	}
	if pairs < len(digests)*(len(digests)-1)/2 {
		t.Errorf("the tool compared %d pairs, want %d", pairs, len(digests)*(len(digests)-1)/2)
	}
	t.Logf("%d files, %d distances agree with %s", len(digests), pairs, tool)
}

func mustParse(t *testing.T, s string) tlsh.Digest {
	t.Helper()
	d, err := tlsh.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestFormsAndParse(t *testing.T) {
	data := fhtest.Generated()[15].Data // random-1000-mutated
	d, err := tlsh.Sum(data)
	if err != nil {
		t.Fatal(err)
	}
	s := d.String()
	if !strings.HasPrefix(s, "T1") || len(s) != 72 || s[2:] != d.Hex() {
		t.Fatalf("String() = %q, want T1 and the 70 digits of Hex() %q", s, d.Hex())
	}
	for _, form := range []string{s, d.Hex(), strings.ToLower(s)} {
		p, err := tlsh.Parse(form)
		if err != nil || p != d {
			t.Errorf("Parse(%q) = %v, %v; want the digest back", form, p, err)
		}
	}
	if got := tlsh.Distance(d, d); got != 0 {
		t.Errorf("distance to itself = %d", got)
	}
	text, _ := d.MarshalText()
	var back tlsh.Digest
	if err := back.UnmarshalText(text); err != nil || back != d {
		t.Errorf("text round trip: %v, %v", back, err)
	}
}

func TestParseMalformed(t *testing.T) {
	valid := "8CE34A07B69314FDC692857095AB96627E3078644721BF3B7A8CA7342F16F306F0AB71"
	for name, s := range map[string]string{
		"empty":         "",
		"short":         valid[:68],
		"long":          valid + "00",
		"not hex":       "ZZ" + valid[2:],
		"T2 prefix":     "T2" + valid,
		"T1 and short":  "T1" + valid[:60],
		"space inside":  valid[:30] + " " + valid[31:],
		"only a prefix": "T1",
	} {
		if _, err := tlsh.Parse(s); err == nil {
			t.Errorf("%s: Parse(%q) succeeded", name, s)
		}
	}
}

func TestNoDigest(t *testing.T) {
	if _, err := tlsh.Sum(make([]byte, 255)); !errors.Is(err, tlsh.ErrTooShort) {
		t.Errorf("255 bytes: err %v, want ErrTooShort", err)
	}
	if _, err := tlsh.Sum(nil); !errors.Is(err, tlsh.ErrTooShort) {
		t.Errorf("no bytes: err %v, want ErrTooShort", err)
	}
	if _, err := tlsh.Sum(make([]byte, 10000)); !errors.Is(err, tlsh.ErrTooUniform) {
		t.Errorf("zeros: err %v, want ErrTooUniform", err)
	}
}

// TestStreaming checks that writing in pieces gives the digest of the whole.
func TestStreaming(t *testing.T) {
	data := fhtest.Generated()[20].Data // random-20000
	want, err := tlsh.Sum(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, piece := range []int{1, 3, 4, 5, 7, 1000} {
		var h tlsh.Hasher
		for i := 0; i < len(data); i += piece {
			h.Write(data[i:min(i+piece, len(data))])
		}
		got, err := h.Digest()
		if err != nil || got != want {
			t.Errorf("pieces of %d: %v, %v; want %v", piece, got, err, want)
		}
	}
}

func TestDistanceRelated(t *testing.T) {
	in := fhtest.Generated()
	byName := map[string][]byte{}
	for _, x := range in {
		byName[x.Name] = x.Data
	}
	a, _ := tlsh.Sum(byName["text-30000"])
	b, _ := tlsh.Sum(byName["text-30000-mutated"])
	c, _ := tlsh.Sum(byName["random-20000"])
	if near, far := tlsh.Distance(a, b), tlsh.Distance(a, c); near >= far || near > 50 {
		t.Errorf("variant at %d, unrelated at %d: want the variant close and closer", near, far)
	}
	if got, want := tlsh.HeaderDistance(a, c)+tlsh.BodyDistance(a, c), tlsh.Distance(a, c); got != want {
		t.Errorf("header+body = %d, distance %d", got, want)
	}
	if tlsh.DistanceNoLength(a, c) > tlsh.Distance(a, c) {
		t.Error("distance without length larger than with it")
	}
}

func FuzzSum(f *testing.F) {
	for _, x := range fhtest.Generated()[:16] {
		f.Add(x.Data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := tlsh.Sum(data)
		if err != nil {
			if len(data) >= tlsh.MinLength && !errors.Is(err, tlsh.ErrTooUniform) {
				t.Fatalf("%d bytes: %v", len(data), err)
			}
			return
		}
		p, err := tlsh.Parse(d.String())
		if err != nil || p != d {
			t.Fatalf("round trip of %s: %v, %v", d, p, err)
		}
		if tlsh.Distance(d, p) != 0 {
			t.Fatal("distance to itself not 0")
		}
	})
}

func FuzzParse(f *testing.F) {
	f.Add("T18CE34A07B69314FDC692857095AB96627E3078644721BF3B7A8CA7342F16F306F0AB71")
	f.Add("8CE34A07B69314FDC692857095AB96627E3078644721BF3B7A8CA7342F16F306F0AB71")
	f.Add("T1")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := tlsh.Parse(s)
		if err != nil {
			return
		}
		again, err := tlsh.Parse(d.String())
		if err != nil || again != d {
			t.Fatalf("%q: reparse %v, %v", s, again, err)
		}
		if x := tlsh.Distance(d, again); x != 0 {
			t.Fatalf("distance to itself %d", x)
		}
	})
}

func BenchmarkSum10MiB(b *testing.B) {
	data := make([]byte, 10<<20)
	for i := range data {
		data[i] = byte(i*7 + i>>9)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		tlsh.Sum(data)
	}
}

func BenchmarkDistance(b *testing.B) {
	in := fhtest.Generated()
	x, _ := tlsh.Sum(in[20].Data)
	y, _ := tlsh.Sum(in[22].Data)
	for b.Loop() {
		tlsh.Distance(x, y)
	}
}
