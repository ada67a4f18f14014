package zipcrypto_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/zipcrypto"
)

func write(t *testing.T, data []byte) []byte {
	var b bytes.Buffer
	if err := zipcrypto.Write(&b, "infected", zipcrypto.File{Name: "sample.bin", Data: data, Modified: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRoundTrip(t *testing.T) {
	data := bytes.Repeat([]byte("MZ not really a program "), 1000)
	z := write(t, data)
	if bytes.Contains(z, []byte("not really")) {
		t.Fatal("the content is readable in the archive")
	}
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	f := zr.File[0]
	if f.Flags&1 == 0 || f.Name != "sample.bin" {
		t.Fatalf("member %s flags %x", f.Name, f.Flags)
	}
	got, err := zipcrypto.Open(f, "infected", 1<<20)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Open: %v", err)
	}
	if _, err := zipcrypto.Open(f, "wrong", 1<<20); !errors.Is(err, zipcrypto.ErrPassword) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := zipcrypto.Open(f, "infected", 100); err == nil {
		t.Error("over the limit: no error")
	}
}

// TestOtherReaders checks the archive with independent implementations:
// Python's zipfile and unzip, when installed.
func TestOtherReaders(t *testing.T) {
	data := []byte("harmless test content\n")
	path := filepath.Join(t.TempDir(), "s.zip")
	if err := os.WriteFile(path, write(t, data), 0o600); err != nil {
		t.Fatal(err)
	}
	ran := 0
	if py, err := exec.LookPath("python3"); err == nil {
		out, err := exec.Command(py, "-c", `import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("sample.bin", pwd=b"infected"))`, path).Output()
		if err != nil || !bytes.Equal(out, data) {
			t.Errorf("python zipfile: %q, %v", out, err)
		}
		ran++
	}
	if uz, err := exec.LookPath("unzip"); err == nil {
		out, err := exec.Command(uz, "-p", "-P", "infected", path, "sample.bin").Output()
		if err != nil || !bytes.Equal(out, data) {
			t.Errorf("unzip: %q, %v", out, err)
		}
		ran++
	}
	if ran == 0 {
		t.Skip("neither python3 nor unzip is installed: no independent reader to check with")
	}
}

func FuzzOpen(f *testing.F) {
	var b bytes.Buffer
	zipcrypto.Write(&b, "infected", zipcrypto.File{Name: "a", Data: []byte("hello hello hello")})
	f.Add(b.Bytes())
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		for _, file := range zr.File {
			if got, err := zipcrypto.Open(file, "infected", 1<<16); err == nil && len(got) > 1<<16 {
				t.Fatalf("%d bytes over the limit", len(got))
			}
		}
	})
}
