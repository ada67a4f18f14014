package client_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/vigie-cti/vigie/client"
)

const testKey = "vigie_0123456789abcdefghijklmnopqrstuvwxyzABCDEF"

func TestReadKey(t *testing.T) {
	for _, in := range []string{testKey, testKey + "\n", "  " + testKey + "\r\n", "\n" + testKey + "\n\n"} {
		got, err := client.ReadKey(strings.NewReader(in))
		if err != nil || got != testKey {
			t.Errorf("ReadKey(%q) = %q, %v", in, got, err)
		}
	}
	malformed := []struct {
		name, in, wantErr string
	}{
		{"empty", "", "empty"},
		{"white space only", " \n\t\n", "empty"},
		{"two lines", testKey + "\n" + testKey + "\n", "more than one token"},
		{"two words", testKey + " " + testKey, "more than one token"},
		{"a control character", testKey + "\x00", "character"},
		{"non-ASCII", testKey + "é", "character"},
		{"too large", strings.Repeat("k", client.MaxKeyFile+1), "larger than"},
	}
	for _, tt := range malformed {
		t.Run(tt.name, func(t *testing.T) {
			got, err := client.ReadKey(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ReadKey = %q, %v; want an error with %q", got, err, tt.wantErr)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("the error quotes the key: %v", err)
			}
		})
	}
	if _, err := client.ReadKey(iotest.ErrReader(os.ErrClosed)); err == nil {
		t.Error("a read error is not reported")
	}
}

func TestReadKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key")
	if err := os.WriteFile(path, []byte(testKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := client.ReadKeyFile(path, nil); err != nil || got != testKey {
		t.Errorf("ReadKeyFile(file) = %q, %v", got, err)
	}
	if got, err := client.ReadKeyFile("-", strings.NewReader(testKey+"\n")); err != nil || got != testKey {
		t.Errorf("ReadKeyFile(-) = %q, %v", got, err)
	}
	if _, err := client.ReadKeyFile("-", nil); err == nil {
		t.Error("ReadKeyFile(-) without standard input: no error")
	}
	// A key given as the path by mistake is not printed.
	_, err := client.ReadKeyFile(testKey, nil)
	if err == nil || strings.Contains(err.Error(), testKey) || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("ReadKeyFile(a key) = %v; want a missing file, without the path", err)
	}
	_, err = client.ReadKeyFile(dir, nil)
	if err == nil || strings.Contains(err.Error(), dir) {
		t.Errorf("ReadKeyFile(a directory) = %v; want an error without the path", err)
	}
}

func FuzzReadKey(f *testing.F) {
	f.Add(testKey + "\n")
	f.Add(" a b ")
	f.Add("\xff")
	f.Fuzz(func(t *testing.T, in string) {
		key, err := client.ReadKey(strings.NewReader(in))
		if err != nil {
			return
		}
		if key == "" || strings.TrimSpace(key) != key || strings.ContainsAny(key, " \t\r\n") {
			t.Fatalf("ReadKey(%q) = %q", in, key)
		}
	})
}
