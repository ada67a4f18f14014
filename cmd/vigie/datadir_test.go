package main

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mustNotExist fails the test when path exists.
func mustNotExist(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err == nil {
		t.Errorf("%s was created", path)
	}
}

// TestAdminRefusesNoHub runs admin commands on a mistyped directory, and on
// an empty one: each is refused, and nothing is created.
func TestAdminRefusesNoHub(t *testing.T) {
	t.Setenv("VIGIE_DB", "")
	empty := t.TempDir()
	missing := filepath.Join(t.TempDir(), "hbu")
	for _, dir := range []string{missing, empty} {
		for _, args := range [][]string{
			{"org", "list"},
			{"org", "add", "CERT-Nord"},
			{"key", "list"},
			{"collection", "list"},
		} {
			code, out, errs := run(t, append([]string{"admin", "--data", dir}, args...)...)
			want := "vigie admin: no hub at " + dir + "; \"vigie serve --data " + dir + "\" creates one\n"
			if code != 2 || errs != want || out != "" {
				t.Errorf("%s %v: exit %d, stdout %q, stderr %q; want 2 and %q", dir, args, code, out, errs, want)
			}
		}
	}
	mustNotExist(t, missing)
	mustNotExist(t, filepath.Join(empty, "vigie.db"))
	code, _, errs := run(t, "advisory", "import", "--data", missing, "--org", "CERT-Nord", "--root", "r", "--collection", "c", "testdata/go-vulndb/GO-2020-0001.json")
	if code != 2 || !strings.Contains(errs, "no hub at "+missing) {
		t.Errorf("advisory import --data: exit %d, %q", code, errs)
	}
	mustNotExist(t, missing)
}

// TestAdminInit creates a hub with "admin init", which the other commands
// then use, and refuses what is not a new or empty directory.
func TestAdminInit(t *testing.T) {
	t.Setenv("VIGIE_DB", "")
	dir := filepath.Join(t.TempDir(), "hub")
	if out := mustRun(t, "admin", "--data", dir, "init"); out != "created a new hub in "+dir+"\n" {
		t.Errorf("init printed %q", out)
	}
	mustRun(t, "admin", "--data", dir, "org", "add", "CERT-Nord")
	if out := mustRun(t, "admin", "--data", dir, "org", "list"); !strings.Contains(out, "CERT-Nord") {
		t.Errorf("org list after init:\n%s", out)
	}
	// "admin init --data DIR" reads the same.
	other := filepath.Join(t.TempDir(), "other")
	mustRun(t, "admin", "init", "--data", other)

	notEmpty := t.TempDir()
	if err := os.WriteFile(filepath.Join(notEmpty, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	deep := filepath.Join(t.TempDir(), "no", "such", "dir")
	for _, tc := range []struct {
		name, dir, msg string
	}{
		{"a hub already", dir, dir + " already holds a hub"},
		{"a directory holding other files", notEmpty, notEmpty + " holds files but no hub"},
		{"a path whose parent is missing", deep, "no directory " + filepath.Dir(deep) + " to create " + deep + " in"},
	} {
		code, _, errs := run(t, "admin", "--data", tc.dir, "init")
		if code != 2 || !strings.Contains(errs, tc.msg) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", tc.name, code, errs, tc.msg)
		}
	}
	mustNotExist(t, filepath.Join(notEmpty, "vigie.db"))
	mustNotExist(t, filepath.Dir(deep))
}

// serveOnce starts the hub in-process on a free port and stops it, and
// returns what it logged.
func serveOnce(t *testing.T, dir string) string {
	t.Helper()
	var errb syncBuffer
	m := newServeMain(Stdio{Out: io.Discard, Err: &errb})
	if err := m.ParseFlags([]string{"--data", dir, "--addr", "127.0.0.1:0", "--http", "--early-warning=false"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		t.Fatalf("serve: %v\n%s", err, errb.String())
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	return errb.String()
}

// TestServeNewHub starts serve on a missing directory, then on the hub it
// made: the first start says, in its first line, that it creates a hub.
func TestServeNewHub(t *testing.T) {
	t.Setenv("VIGIE_DB", "")
	dir := filepath.Join(t.TempDir(), "hub")
	first := serveOnce(t, dir)
	want := "vigie: no hub at " + dir + " yet: creating a new one"
	if line, _, _ := strings.Cut(first, "\n"); line != want {
		t.Errorf("first line %q, want %q\n%s", line, want, first)
	}
	if _, err := os.Stat(filepath.Join(dir, "vigie.db")); err != nil {
		t.Errorf("no hub made: %v", err)
	}
	if again := serveOnce(t, dir); strings.Contains(again, "creating") {
		t.Errorf("second start:\n%s", again)
	}
	// An empty directory takes a new hub too.
	if out := serveOnce(t, t.TempDir()); !strings.Contains(out, "creating a new one") {
		t.Errorf("empty directory:\n%s", out)
	}
}

// TestServeChecksFirst gives serve mistakes: each is refused before the
// data directory is created.
func TestServeChecksFirst(t *testing.T) {
	t.Setenv("VIGIE_DB", "")
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	notEmpty := t.TempDir()
	if err := os.WriteFile(filepath.Join(notEmpty, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	dir := filepath.Join(base, "hub")
	for _, tc := range []struct {
		name string
		args []string
		msg  string
	}{
		{"busy address", []string{"--data", dir, "--addr", busy.Addr().String(), "--http"}, "address already in use"},
		{"bad address", []string{"--data", dir, "--addr", "127.0.0.1:99999", "--http"}, "invalid port"},
		{"bad default TLP", []string{"--data", dir, "--addr", "127.0.0.1:0", "--http", "--default-tlp", "PURPLE"}, "PURPLE"},
		{"bad webhook range", []string{"--data", dir, "--addr", "127.0.0.1:0", "--http", "--webhook-allow", "10.0.0.0/99"}, "--webhook-allow"},
		{"missing certificate", []string{"--data", dir, "--addr", "127.0.0.1:0", "--cert", filepath.Join(base, "c.pem"), "--key", filepath.Join(base, "k.pem")}, "TLS certificate"},
		{"deep missing path", []string{"--data", filepath.Join(base, "x", "y"), "--addr", "127.0.0.1:0", "--http"}, "no directory " + filepath.Join(base, "x")},
		{"directory of other files", []string{"--data", notEmpty, "--addr", "127.0.0.1:0", "--http"}, "holds files but no hub"},
	} {
		code, _, errs := run(t, append([]string{"serve"}, tc.args...)...)
		if code != 2 || !strings.Contains(errs, tc.msg) || strings.Count(errs, "vigie serve:") != 1 {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q once prefixed", tc.name, code, errs, tc.msg)
		}
	}
	mustNotExist(t, dir)
	mustNotExist(t, filepath.Join(base, "x"))
	mustNotExist(t, filepath.Join(notEmpty, "vigie.db"))
}
