package advisory_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/advisory"
)

type entry struct {
	name string
	data []byte
	// claim, when set, is the uncompressed size the entry's header
	// claims (a lie, as in a crafted zip bomb).
	claim uint64
}

// writeZip writes a zip of the entries into dir.
func writeZip(tb testing.TB, dir, name string, entries ...entry) string {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		if e.claim == 0 {
			w, err := zw.Create(e.name)
			if err != nil {
				tb.Fatal(err)
			}
			w.Write(e.data)
			continue
		}
		var comp bytes.Buffer
		fw, _ := flate.NewWriter(&comp, flate.BestCompression)
		fw.Write(e.data)
		fw.Close()
		w, err := zw.CreateRaw(&zip.FileHeader{
			Name: e.name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(e.data),
			CompressedSize64: uint64(comp.Len()), UncompressedSize64: e.claim,
		})
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(comp.Bytes())
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

func readShared(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(linter, name))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// errorsOf lists a batch's errors as "entry: sentinel".
func errorsOf(b *advisory.Batch) []string {
	var out []string
	for _, e := range b.Errors {
		kind := "other"
		switch {
		case errors.Is(e, advisory.ErrTooLarge):
			kind = "too large"
		case errors.Is(e, advisory.ErrMalformed):
			kind = "malformed"
		case errors.Is(e, advisory.ErrUnsupported):
			kind = "unsupported"
		}
		origin := e.Origin
		if i := strings.LastIndex(origin, "!"); i >= 0 {
			origin = origin[i+1:]
		} else {
			origin = filepath.Base(origin)
		}
		out = append(out, origin+": "+kind)
	}
	return out
}

func ids(b *advisory.Batch) []string {
	var out []string
	for _, a := range b.Advisories {
		out = append(out, a.ID)
	}
	return out
}

func TestLoadZip(t *testing.T) {
	dir := t.TempDir()
	inner := writeZip(t, dir, "inner.zip", entry{name: "x.json", data: []byte("{}")})
	innerData, _ := os.ReadFile(inner)
	path := writeZip(t, dir, "all.zip",
		entry{name: "GO-2020-0001.json", data: readShared(t, "GO-2020-0001.json")},
		entry{name: "README.md", data: []byte("not an advisory")},
		entry{name: "broken.json", data: []byte(`{"id": "X-1", "modified": `)},
		entry{name: "nested.zip", data: innerData},
		entry{name: "bomb.json", data: bytes.Repeat([]byte(" "), 8<<20)},
		entry{name: "liar.json", data: bytes.Repeat([]byte(" "), 8<<20), claim: 100},
		entry{name: "dir/MAL-2024-10238.json", data: readShared(t, "MAL-2024-10238.json")},
	)
	b, err := advisory.Load(context.Background(), path, advisory.LoadOptions{MaxRecordBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"GO-2020-0001", "MAL-2024-10238"}, ids(b)); diff != "" {
		t.Errorf("advisories (-want +got):\n%s", diff)
	}
	// bomb.json says it is 8 MiB: refused before inflating. liar.json
	// says 100 bytes and inflates to 8 MiB: archive/zip stops at the
	// claimed size and reports a malformed entry.
	wantErrs := []string{"nested.zip: unsupported", "broken.json: malformed", "bomb.json: too large", "liar.json: malformed"}
	if diff := cmp.Diff(wantErrs, errorsOf(b)); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestLoadLimits(t *testing.T) {
	dir := t.TempDir()
	rec := readShared(t, "GO-2020-0001.json")
	var entries []entry
	for _, n := range []string{"a.json", "b.json", "c.json", "d.json"} {
		entries = append(entries, entry{name: n, data: rec})
	}
	path := writeZip(t, dir, "four.zip", entries...)

	b, err := advisory.Load(context.Background(), path, advisory.LoadOptions{MaxEntries: 3})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"four.zip: too large"}, errorsOf(b)); diff != "" || len(b.Advisories) != 0 {
		t.Errorf("entry limit: advisories %v, errors (-want +got):\n%s", ids(b), diff)
	}

	b, err = advisory.Load(context.Background(), path, advisory.LoadOptions{MaxTotalBytes: int64(2*len(rec) + 10), Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"c.json: too large", "d.json: too large"}, errorsOf(b)); diff != "" || len(b.Advisories) != 2 {
		t.Errorf("total limit: %d advisories, errors (-want +got):\n%s", len(b.Advisories), diff)
	}

	big := filepath.Join(dir, "big.json")
	os.WriteFile(big, bytes.Repeat([]byte(" "), 2<<20), 0o644)
	b, err = advisory.Load(context.Background(), big, advisory.LoadOptions{MaxRecordBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"big.json: too large"}, errorsOf(b)); diff != "" {
		t.Errorf("huge file (-want +got):\n%s", diff)
	}
}

func TestLoadDirectory(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "GO-2020-0001.json"), readShared(t, "GO-2020-0001.json"), 0o644)
	os.WriteFile(filepath.Join(dir, "sub", "PYSEC-2023-74.json"), readShared(t, "PYSEC-2023-74.json"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ignored"), 0o644)
	writeZip(t, dir, "npm.zip", entry{name: "MAL-2024-10238.json", data: readShared(t, "MAL-2024-10238.json")})
	b, err := advisory.Load(context.Background(), dir, advisory.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"GO-2020-0001", "MAL-2024-10238", "PYSEC-2023-74"}, ids(b)); diff != "" || len(b.Errors) != 0 {
		t.Errorf("errors %v, advisories (-want +got):\n%s", b.Errors, diff)
	}
	if _, err := advisory.Load(context.Background(), filepath.Join(dir, "missing"), advisory.LoadOptions{}); err == nil {
		t.Error("Load of a missing path: nil error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := advisory.Load(ctx, dir, advisory.LoadOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Load: %v", err)
	}
}

// TestLoadWants decodes only the records that name wanted packages.
func TestLoadWants(t *testing.T) {
	wants := func(eco, name string) bool {
		return eco == "Go" && name == "github.com/gin-gonic/gin"
	}
	b, err := advisory.Load(context.Background(), linter, advisory.LoadOptions{Wants: wants, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Decoded: GO-2020-0001 (wanted), and the records whose packages the
	// scan cannot see (no "package" at all: RHSA-2022_0216, SUSE-FU-…,
	// both CVE-2023-41045 files), which are decoded to report their errors.
	if diff := cmp.Diff([]string{"CVE-2023-41045", "GO-2020-0001"}, ids(b)); diff != "" {
		t.Errorf("advisories (-want +got):\n%s", diff)
	}
	if b.Skipped != 7 || b.Documents != 12 {
		t.Errorf("skipped %d of %d, want 7 of 12", b.Skipped, b.Documents)
	}
}

// TestLoadIndex reads a zip twice with an index directory: the second Load
// reads only the wanted entries, with the same advisories; a changed zip is
// indexed anew.
func TestLoadIndex(t *testing.T) {
	dir := t.TempDir()
	var entries []entry
	for _, n := range []string{"GO-2020-0001.json", "MAL-2024-10238.json", "PYSEC-2023-74.json", "GHSA-9v2f-6vcg-3hgv.json", "CVE-2018-5407.json"} {
		entries = append(entries, entry{name: n, data: readShared(t, n)})
	}
	entries = append(entries, entry{name: "broken.json", data: []byte(`{"id": `)})
	path := writeZip(t, dir, "all.zip", entries...)
	wants := func(eco, name string) bool { return eco == "PyPI" && (name == "requests" || name == "123bla") }
	opts := advisory.LoadOptions{Wants: wants, IndexDir: filepath.Join(dir, "index")}
	first, err := advisory.Load(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	second, err := advisory.Load(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"MAL-2024-10238", "PYSEC-2023-74"}
	if diff := cmp.Diff(want, ids(first)); diff != "" {
		t.Errorf("first load (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(ids(first), ids(second)); diff != "" {
		t.Errorf("indexed load (-first +second):\n%s", diff)
	}
	// The broken entry is decoded each time (its packages are unknown),
	// and reported each time.
	if diff := cmp.Diff(errorsOf(first), errorsOf(second)); diff != "" || len(errorsOf(second)) != 1 {
		t.Errorf("errors %v, then (-first +second):\n%s", errorsOf(first), diff)
	}
	if first.Documents != 6 || second.Documents != 6 || first.Skipped != 3 || second.Skipped != 3 {
		t.Errorf("documents %d/%d skipped %d/%d, want 6 and 3", first.Documents, second.Documents, first.Skipped, second.Skipped)
	}
	// A new version of the zip, with GO-2020-0001 out and a new record in.
	entries[0] = entry{name: "PYSEC-2099-1.json", data: []byte(`{"id": "PYSEC-2099-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"}, "versions": ["2.0.0"]}]}`)}
	path = writeZip(t, dir, "all.zip", entries...)
	os.Chtimes(path, time.Now().Add(time.Hour), time.Now().Add(time.Hour))
	third, err := advisory.Load(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"PYSEC-2099-1", "MAL-2024-10238", "PYSEC-2023-74"}, ids(third)); diff != "" {
		t.Errorf("changed zip (-want +got):\n%s", diff)
	}
	if idx, _ := filepath.Glob(filepath.Join(dir, "index", "*.idx")); len(idx) != 2 {
		t.Errorf("%d index files, want 2 (one per version of the zip)", len(idx))
	}
}
