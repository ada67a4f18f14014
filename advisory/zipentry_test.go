package advisory_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/advisory"
)

// genRecord returns an OSV record of package pkg with details that do not
// compress away, its "affected" array first or last.
func genRecord(id, pkg string, affectedFirst bool) []byte {
	var details bytes.Buffer
	for i := range 20 {
		h := sha256.Sum256(fmt.Appendf(nil, "%s-%d", id, i))
		details.WriteString(hex.EncodeToString(h[:]) + " ")
	}
	affected := fmt.Sprintf(`"affected":[{"package":{"ecosystem":"npm","name":%q},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.3"}]}]}]`, pkg)
	rest := fmt.Sprintf(`"details":%q,"id":%q,"modified":"2024-01-01T00:00:00Z","references":[{"type":"WEB","url":"https://example.com/%s"}]`, details.String(), id, id)
	if affectedFirst {
		return []byte("{" + affected + "," + rest + "}")
	}
	return []byte("{" + rest + "," + affected + "}")
}

// TestLoadZipInPart loads the same records from a directory and from a
// zip, where most entries are read only in part: the advisories, the
// documents and the skipped counts agree, whether "affected" comes first
// (read in part) or last (the part proves too short; read whole).
func TestLoadZipInPart(t *testing.T) {
	for _, first := range []bool{true, false} {
		t.Run(fmt.Sprintf("affected first %v", first), func(t *testing.T) {
			dir := t.TempDir()
			files := filepath.Join(dir, "files")
			os.Mkdir(files, 0o755)
			var entries []entry
			for i := range 700 {
				id := fmt.Sprintf("GHSA-%04d", i)
				data := genRecord(id, fmt.Sprintf("pkg-%d", i%50), first)
				entries = append(entries, entry{name: id + ".json", data: data})
				os.WriteFile(filepath.Join(files, id+".json"), data, 0o644)
			}
			zipPath := writeZip(t, dir, "all.zip", entries...)
			wants := func(eco, name string) bool { return eco == "npm" && (name == "pkg-7" || name == "pkg-42") }
			fromFiles, err := advisory.Load(context.Background(), files, advisory.LoadOptions{Wants: wants})
			if err != nil {
				t.Fatal(err)
			}
			for _, indexDir := range []string{"", filepath.Join(dir, "index")} {
				fromZip, err := advisory.Load(context.Background(), zipPath, advisory.LoadOptions{Wants: wants, IndexDir: indexDir})
				if err != nil {
					t.Fatal(err)
				}
				want, got := ids(fromFiles), ids(fromZip)
				slices.Sort(want)
				slices.Sort(got)
				if diff := cmp.Diff(want, got); diff != "" || len(got) != 28 {
					t.Errorf("index %q: %d advisories, (-files +zip):\n%s", indexDir, len(got), diff)
				}
				if fromZip.Documents != 700 || fromZip.Skipped != fromFiles.Skipped || len(fromZip.Errors) != 0 {
					t.Errorf("index %q: documents %d, skipped %d (files: %d), errors %v", indexDir, fromZip.Documents, fromZip.Skipped, fromFiles.Skipped, fromZip.Errors)
				}
			}
			// The index written while reading in part serves the next Load.
			again, err := advisory.Load(context.Background(), zipPath, advisory.LoadOptions{Wants: wants, IndexDir: filepath.Join(dir, "index")})
			if err != nil {
				t.Fatal(err)
			}
			if len(again.Advisories) != 28 || again.Skipped != 672 {
				t.Errorf("indexed load: %d advisories, %d skipped, want 28 and 672", len(again.Advisories), again.Skipped)
			}
		})
	}
}

// TestLoadZipEntryChecks reads stored entries, and reports a wanted entry
// whose checksum is wrong.
func TestLoadZipEntryChecks(t *testing.T) {
	dir := t.TempDir()
	good := genRecord("GHSA-good", "pkg-7", true)
	bad := genRecord("GHSA-bad", "pkg-7", true)
	stored := genRecord("GHSA-stored", "pkg-7", true)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("good.json")
	w.Write(good)
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.DefaultCompression)
	fw.Write(bad)
	fw.Close()
	w, _ = zw.CreateRaw(&zip.FileHeader{Name: "bad.json", Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(bad) ^ 1,
		CompressedSize64: uint64(comp.Len()), UncompressedSize64: uint64(len(bad))})
	w.Write(comp.Bytes())
	w, _ = zw.CreateHeader(&zip.FileHeader{Name: "stored.json", Method: zip.Store})
	w.Write(stored)
	zw.Close()
	path := filepath.Join(dir, "all.zip")
	os.WriteFile(path, buf.Bytes(), 0o644)
	for _, wants := range []func(string, string) bool{nil, func(eco, name string) bool { return name == "pkg-7" }} {
		b, err := advisory.Load(context.Background(), path, advisory.LoadOptions{Wants: wants})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"GHSA-good", "GHSA-stored"}, ids(b)); diff != "" {
			t.Errorf("advisories (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"bad.json: malformed"}, errorsOf(b)); diff != "" {
			t.Errorf("errors (-want +got):\n%s", diff)
		}
	}
}

// TestLoadIndexCorrupt replaces the index of a zip with garbage, then with
// a truncated copy of itself: Load ignores it, reads the zip as on first
// use, and writes a good index again.
func TestLoadIndexCorrupt(t *testing.T) {
	dir := t.TempDir()
	var entries []entry
	for i := range 40 {
		id := fmt.Sprintf("GHSA-%04d", i)
		entries = append(entries, entry{name: id + ".json", data: genRecord(id, fmt.Sprintf("pkg-%d", i%10), true)})
	}
	path := writeZip(t, dir, "all.zip", entries...)
	indexDir := filepath.Join(dir, "index")
	opts := advisory.LoadOptions{Wants: func(eco, name string) bool { return name == "pkg-3" }, IndexDir: indexDir}
	first, err := advisory.Load(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	idx, _ := filepath.Glob(filepath.Join(indexDir, "*.idx"))
	if len(idx) != 1 {
		t.Fatalf("%d index files, want 1", len(idx))
	}
	saved, _ := os.ReadFile(idx[0])
	for name, corrupt := range map[string][]byte{
		"garbage":   []byte("not an index at all"),
		"truncated": saved[:len(saved)/2],
		"empty":     nil,
	} {
		os.WriteFile(idx[0], corrupt, 0o644)
		b, err := advisory.Load(context.Background(), path, opts)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(ids(first), ids(b)); diff != "" || len(b.Warnings) != 0 || b.Documents != 40 || b.Skipped != 36 {
			t.Errorf("%s index: documents %d, skipped %d, warnings %v, advisories (-first +got):\n%s", name, b.Documents, b.Skipped, b.Warnings, diff)
		}
		if now, _ := os.ReadFile(idx[0]); !bytes.Equal(now, saved) {
			t.Errorf("%s index: not rewritten as it was", name)
		}
	}
}
