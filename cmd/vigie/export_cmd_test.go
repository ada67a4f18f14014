package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/client"
)

// TestExportCommand: "vigie export" writes what the key may export, to
// standard output or atomically to a file, rewrites it only when the
// hub's export changed, writes every Suricata file, and never prints the
// key.
func TestExportCommand(t *testing.T) {
	e := newEarlyWarning(t)
	m := mustServe(t, e.dir)
	publishIndicator(t, m.URL(), e.keyA, e.collection, e.orgA, "[domain-name:value = 'lantern-c2.example.net']", 1)
	publishIndicator(t, m.URL(), e.keyA, e.collection, e.orgA, "[ipv4-addr:value = '198.51.100.7']", 2)
	hub := []string{"--hub", m.URL(), "--key", e.keyB}

	code, out, errOut := run(t, append([]string{"export", "zeek-intel"}, hub...)...)
	if code != 0 || !strings.HasPrefix(out, "#fields\tindicator\tindicator_type\tmeta.source") ||
		!strings.Contains(out, "lantern-c2.example.net\tIntel::DOMAIN\tindicator--") || !strings.Contains(out, "198.51.100.7\tIntel::ADDR\t") {
		t.Fatalf("export zeek-intel: %d\n%s\n%s", code, out, errOut)
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "vigie.intel")
	_, _, errOut = run(t, append([]string{"export", "rpz", "--out", file}, hub...)...)
	zone, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(zone), "*.lantern-c2.example.net CNAME . ; indicator--") {
		t.Fatalf("export rpz --out: %v\n%s\n%s", err, zone, errOut)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", fi.Mode().Perm())
	}
	if !strings.Contains(errOut, "wrote "+file) {
		t.Errorf("stderr: %s", errOut)
	}

	sdir := filepath.Join(dir, "suricata")
	mustRun(t, append([]string{"export", "suricata", "--out", sdir, "--sid", "1500000"}, hub...)...)
	for name, want := range map[string]string{
		"vigie.rules":       "sid:1500000;",
		"vigie-domains.lst": "bGFudGVybi1jMi5leGFtcGxlLm5ldA==\n",
		"vigie-ipv4.lst":    "198.51.100.7\n",
		"vigie-ipv6.lst":    "",
		"vigie-md5.lst":     "",
		"vigie-sha256.lst":  "",
	} {
		b, err := os.ReadFile(filepath.Join(sdir, name))
		if err != nil || !strings.Contains(string(b), want) {
			t.Errorf("%s: %v %q, want %q", name, err, b, want)
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// The --every loop: a second round with the ETag of the first leaves
	// the file alone; a new indicator rewrites it.
	c, err := client.New(m.URL(), e.keyB, mustHTTPClient(t))
	if err != nil {
		t.Fatal(err)
	}
	etags := map[string]string{}
	var log strings.Builder
	stdio := Stdio{Out: io.Discard, Err: &log}
	list := filepath.Join(dir, "domains.txt")
	for range 2 {
		if err := exportOnce(context.Background(), stdio, c, "list-domain", url.Values{}, list, etags); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := os.Stat(list)
	if !strings.Contains(log.String(), "unchanged") {
		t.Errorf("second round: %s", log.String())
	}
	publishIndicator(t, m.URL(), e.keyA, e.collection, e.orgA, "[domain-name:value = 'second.example.net']", 3)
	if err := exportOnce(context.Background(), stdio, c, "list-domain", url.Values{}, list, etags); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(list)
	b, _ := os.ReadFile(list)
	if os.SameFile(before, after) || string(b) != "lantern-c2.example.net\nsecond.example.net\n" {
		t.Errorf("after a new indicator: same file %v, %q", os.SameFile(before, after), b)
	}

	for _, bad := range [][]string{
		{"export", "stix"},
		{"export", "suricata"},
		{"export", "zeek-intel", "--every", "10m"},
		{"export", "zeek-intel", "--out", file, "--every", "1s"},
		{"export", "zeek-intel", "--tlp", "purple"},
	} {
		code, _, errOut := run(t, append(bad, hub...)...)
		if code != 2 || strings.Contains(errOut, e.keyB) {
			t.Errorf("%v: exit %d, stderr %s", bad, code, errOut)
		}
	}
	// A refused key ends --every at once rather than retrying forever.
	done := make(chan int, 1)
	go func() {
		done <- Run(context.Background(), []string{"export", "list-ip", "--hub", m.URL(), "--key", "vigie_x_" + strings.Repeat("s", 43), "--out", list, "--every", "1m"}, Stdio{Out: io.Discard, Err: io.Discard})
	}()
	select {
	case code := <-done:
		if code != 2 {
			t.Errorf("--every with a bad key: exit %d, want 2", code)
		}
	case <-time.After(30 * time.Second):
		t.Error("--every with a bad key kept running")
	}
	if strings.Contains(log.String()+errOut+out, e.keyB) {
		t.Error("the key was printed")
	}
}

func mustHTTPClient(t *testing.T) *http.Client {
	hc, err := client.NewHTTPClient("http://127.0.0.1", client.TLS{}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return hc
}
