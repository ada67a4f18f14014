package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFiles(t *testing.T, files map[string]string) []Source {
	t.Helper()
	dir := t.TempDir()
	var srcs []Source
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, Source{Name: name, Path: p})
	}
	return srcs
}

func TestRoundTrip(t *testing.T) {
	files := map[string]string{"vigie.db": strings.Repeat("db", 5000), "tls/cert.pem": "CERT", "tls/key.pem": "KEY"}
	var buf bytes.Buffer
	m, err := Write(&buf, writeFiles(t, files), "test", time.Now())
	if err != nil || len(m.Files) != 3 {
		t.Fatalf("write: %v %+v", err, m)
	}
	out := t.TempDir()
	got, err := Extract(&buf, out, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Files) != 3 || got.Version != "test" {
		t.Errorf("manifest %+v", got)
	}
	for name, body := range files {
		b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(name)))
		if err != nil || string(b) != body {
			t.Errorf("%s: %v %q", name, err, b)
		}
		if st, _ := os.Stat(filepath.Join(out, filepath.FromSlash(name))); st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", name, st.Mode())
		}
	}
}

// entry is one tar entry of a hand-made archive.
type entry struct {
	name, body string
	typ        byte
	link       string
}

func makeArchive(entries []entry, manifest *Manifest) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		tw.WriteHeader(&tar.Header{Name: e.name, Size: int64(len(e.body)), Mode: 0o600, Typeflag: typ, Linkname: e.link})
		tw.Write([]byte(e.body))
	}
	if manifest != nil {
		b, _ := json.Marshal(manifest)
		tw.WriteHeader(&tar.Header{Name: ManifestName, Size: int64(len(b)), Mode: 0o600, Typeflag: tar.TypeReg})
		tw.Write(b)
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func TestExtractRefuses(t *testing.T) {
	var good bytes.Buffer
	Write(&good, writeFiles(t, map[string]string{"vigie.db": "db"}), "", time.Now())
	goodBytes := good.Bytes()
	var m Manifest
	{
		out := t.TempDir()
		mm, err := Extract(bytes.NewReader(goodBytes), out, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		m = *mm
	}
	tampered := m
	tampered.Files = []File{{Name: "vigie.db", Size: 2, SHA256: strings.Repeat("0", 64)}}
	for _, tc := range []struct {
		name    string
		archive []byte
		want    string
	}{
		{"not gzip", []byte("hello"), "gzip"},
		{"truncated", goodBytes[:len(goodBytes)/2], ""},
		{"no manifest", makeArchive([]entry{{name: "vigie.db", body: "db"}}, nil), "no manifest"},
		{"parent path", makeArchive([]entry{{name: "../evil", body: "x"}}, &m), "plain relative path"},
		{"absolute path", makeArchive([]entry{{name: "/etc/evil", body: "x"}}, &m), "plain relative path"},
		{"dot path", makeArchive([]entry{{name: "a/./b", body: "x"}}, &m), "plain relative path"},
		{"symlink", makeArchive([]entry{{name: "vigie.db", typ: tar.TypeSymlink, link: "/etc/passwd"}}, &m), "not a regular file"},
		{"directory", makeArchive([]entry{{name: "tls", typ: tar.TypeDir}}, &m), "not a regular file"},
		{"hash differs", makeArchive([]entry{{name: "vigie.db", body: "db"}}, &tampered), "differs"},
		{"file not in manifest", makeArchive([]entry{{name: "vigie.db", body: "db"}, {name: "extra", body: "x"}}, &m), "names 1 files"},
		{"file missing", makeArchive(nil, &m), "names 1 files"},
		{"duplicate", makeArchive([]entry{{name: "vigie.db", body: "db"}, {name: "vigie.db", body: "db"}}, &m), "twice"},
		{"after manifest", makeArchive([]entry{{name: "vigie.db", body: "db"}, {name: ManifestName, body: "{}"}, {name: "x", body: "x"}}, nil), "after the manifest"},
		{"other format", makeArchive([]entry{{name: "vigie.db", body: "db"}}, &Manifest{Format: 99, Files: m.Files}), "format 99"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Extract(bytes.NewReader(tc.archive), t.TempDir(), Limits{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
	if _, err := Extract(bytes.NewReader(goodBytes), t.TempDir(), Limits{MaxBytes: 1}); err == nil || !strings.Contains(err.Error(), "over 1 bytes") {
		t.Errorf("size limit: %v", err)
	}
}

func FuzzExtract(f *testing.F) {
	var good bytes.Buffer
	dir := f.TempDir()
	os.WriteFile(filepath.Join(dir, "db"), []byte("db"), 0o600)
	Write(&good, []Source{{Name: "vigie.db", Path: filepath.Join(dir, "db")}}, "", time.Now())
	f.Add(good.Bytes())
	f.Add(makeArchive([]entry{{name: "../x", body: "x"}}, nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		out := t.TempDir()
		Extract(bytes.NewReader(data), out, Limits{MaxBytes: 1 << 20, MaxFiles: 10})
		// Whatever the archive, nothing is written outside out.
		filepath.WalkDir(filepath.Dir(out), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !strings.HasPrefix(p, out+string(filepath.Separator)) {
				t.Fatalf("wrote %s outside %s", p, out)
			}
			return nil
		})
	})
}
