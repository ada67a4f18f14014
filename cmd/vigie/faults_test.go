package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/taxii"
)

// mountTmpfs mounts a tmpfs of size bytes on a new directory, or skips
// the test saying why it cannot.
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("disk-full test skipped: mounting a small tmpfs needs root")
	}
	dir := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("disk-full test skipped: cannot mount a tmpfs here (%v: %s)", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fill writes a file into dir until the file system is full.
func fill(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "filler")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return p
		}
	}
}

// envelope returns a POST body of n indicators from first, padded so that
// each takes about a kilobyte.
func envelope(first, n int, org string) []byte {
	var objs []map[string]any
	for i := first; i < first+n; i++ {
		o := indicatorJSON(i, org)
		o["description"] = strings.Repeat("x", 1000)
		objs = append(objs, o)
	}
	b, _ := json.Marshal(map[string]any{"objects": objs})
	return b
}

// TestDiskFull runs a hub whose database is on a small tmpfs, fills the
// file system, and checks that POSTs then fail with 503 (not 500, nothing
// half-stored), that reads go on, and that the hub stores again once
// space returns, with every acknowledged object still there.
func TestDiskFull(t *testing.T) {
	mnt := mountTmpfs(t, 16<<20)
	db := "sqlite:" + filepath.Join(mnt, "vigie.db")
	c := newCoalition(t, db)
	m := mustServe(t, c.dir, "--db", db)
	base := m.URL() + "/coalition/collections/" + c.collection + "/objects/"
	acked := map[string]bool{}
	post := func(first int) int {
		var st taxii.Status
		code := call(t, "POST", base, c.keyA, envelope(first, 50, c.orgA), &st)
		if code == 202 {
			for _, s := range st.Successes {
				acked[s.ID] = true
			}
		}
		return code
	}
	for i := 0; i < 4; i++ {
		if code := post(i * 50); code != 202 {
			t.Fatalf("POST before the disk is full: %d", code)
		}
	}
	filler := fill(t, mnt)
	refused := 0
	for i := 4; i < 14; i++ {
		switch code := post(i * 50); code {
		case 202:
		case 503, 507:
			refused++
		default:
			t.Fatalf("POST on a full disk: %d, want 202, 503 or 507", code)
		}
	}
	if refused == 0 {
		t.Fatal("no POST was refused on a full disk: the test did not fill it")
	}
	read := func() map[string]bool {
		var env taxii.Envelope
		if code := call(t, "GET", base+"?limit=10000", c.keyB, nil, &env); code != 200 {
			t.Fatalf("GET: %d", code)
		}
		got := map[string]bool{}
		for _, o := range env.Objects {
			var v struct{ ID string }
			json.Unmarshal(o, &v)
			got[v.ID] = true
		}
		return got
	}
	got := read() // reads go on while the disk is full
	for id := range acked {
		if !got[id] {
			t.Errorf("%s was acknowledged but is not served", id)
		}
	}
	if len(got) != len(acked) {
		t.Errorf("the hub serves %d objects, %d were acknowledged: a refused POST was half-stored", len(got), len(acked))
	}
	os.Remove(filler)
	if code := post(10000); code != 202 {
		t.Errorf("POST once space returned: %d, want 202", code)
	}
	got = read()
	if len(got) != len(acked) {
		t.Errorf("after recovery the hub serves %d objects, %d acknowledged", len(got), len(acked))
	}
	t.Logf("%d POSTs refused while full; %d objects acknowledged in all", refused, len(acked))
}

// readIDs returns the ids of every object of a collection, page by page.
func readIDs(t *testing.T, base, key string) map[string]bool {
	t.Helper()
	got := map[string]bool{}
	for next := ""; ; {
		var env taxii.Envelope
		u := base + "?limit=1000"
		if next != "" {
			u += "&next=" + next
		}
		if code := call(t, "GET", u, key, nil, &env); code != 200 {
			t.Fatalf("GET %s: %d", u, code)
		}
		for _, o := range env.Objects {
			var v struct{ ID string }
			json.Unmarshal(o, &v)
			got[v.ID] = true
		}
		if !env.More {
			return got
		}
		next = env.Next
	}
}

// TestSIGTERMDuringLargePOST sends SIGTERM to a hub process while it
// receives or stores an envelope of 3,000 objects, at a different moment
// each round, restarts it, and checks the envelope was stored whole or
// not at all, and whole if the client got 202.
func TestSIGTERMDuringLargePOST(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hub processes")
	}
	c := newCoalition(t)
	const n = 3000
	for round, delay := range []time.Duration{0, 5 * time.Millisecond, 30 * time.Millisecond, 120 * time.Millisecond} {
		cmd, url := startHubProcess(t, c.dir)
		base := url + "/coalition/collections/" + c.collection + "/objects/"
		first := 100000 * (round + 1)
		body := envelope(first, n, c.orgA)
		type answer struct {
			code int
			st   taxii.Status
			err  error
		}
		done := make(chan answer, 1)
		go func() {
			req, _ := http.NewRequest("POST", base, bytes.NewReader(body))
			req.Header.Set("Content-Type", taxii.MediaType)
			req.Header.Set("Accept", taxii.MediaType)
			req.Header.Set("Authorization", "Bearer "+c.keyA)
			res, err := testHTTPClient().Do(req)
			if err != nil {
				done <- answer{err: err}
				return
			}
			defer res.Body.Close()
			var a answer
			a.code = res.StatusCode
			a.err = json.NewDecoder(res.Body).Decode(&a.st)
			done <- a
		}()
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGTERM)
		a := <-done
		cmd.Wait()

		cmd, url = startHubProcess(t, c.dir)
		got := readIDs(t, url+"/coalition/collections/"+c.collection+"/objects/", c.keyB)
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		stored := 0
		for i := first; i < first+n; i++ {
			if got[indicatorJSON(i, "")["id"].(string)] {
				stored++
			}
		}
		t.Logf("round %d (SIGTERM after %v): answer %d (%v), %d of %d stored", round, delay, a.code, a.err, stored, n)
		switch {
		case stored != 0 && stored != n:
			t.Errorf("round %d: %d of %d objects stored: the envelope was half-stored", round, stored, n)
		case a.code == 202 && (a.st.SuccessCount != n || stored != n):
			t.Errorf("round %d: the client got 202 with %d successes, %d stored", round, a.st.SuccessCount, stored)
		case a.code != 0 && a.code != 202 && a.code != 503 && stored != 0:
			t.Errorf("round %d: the client got %d but the envelope was stored", round, a.code)
		}
	}
}

// TestReadOnlyDatabaseDirectory serves a hub whose data directory is a
// read-only bind mount of a real hub's: the start fails with an error
// that says so (rather than a half-working hub), the hub's data is
// intact, and it serves again from the writable directory.
func TestReadOnlyDatabaseDirectory(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("read-only directory test skipped: a read-only bind mount needs root (root ignores file modes)")
	}
	c := newCoalition(t)
	m := mustServe(t, c.dir)
	base := "/coalition/collections/" + c.collection + "/objects/"
	if code := call(t, "POST", m.URL()+base, c.keyA, envelope(0, 20, c.orgA), nil); code != 202 {
		t.Fatalf("POST: %d", code)
	}
	m.Close()
	ro := filepath.Join(t.TempDir(), "ro")
	os.Mkdir(ro, 0o700)
	if out, err := exec.Command("mount", "--bind", c.dir, ro).CombinedOutput(); err != nil {
		t.Skipf("read-only directory test skipped: bind mount: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", ro).Run() })
	if out, err := exec.Command("mount", "-o", "remount,bind,ro", ro).CombinedOutput(); err != nil {
		t.Skipf("read-only directory test skipped: remount read-only: %v %s", err, out)
	}
	var errb syncBuffer
	s := newServeMain(Stdio{Out: &errb, Err: &errb})
	if err := s.ParseFlags([]string{"--data", ro, "--addr", "127.0.0.1:0", "--http"}); err != nil {
		t.Fatal(err)
	}
	err := s.Run(context.Background())
	s.Close()
	if err == nil || !strings.Contains(err.Error(), "read-only file system") {
		t.Errorf("serving a read-only directory: %v, want an error that says it is read-only", err)
	} else {
		t.Logf("serving a read-only directory: %v", err)
	}
	if code, _, stderr := run(t, "admin", "--data", ro, "org", "add", "Nope"); code == 0 {
		t.Errorf("admin org add on a read-only hub succeeded: %s", stderr)
	}
	m = mustServe(t, c.dir)
	if got := readIDs(t, m.URL()+base, c.keyB); len(got) != 20 {
		t.Errorf("after the read-only attempt the hub serves %d objects, want 20", len(got))
	}
	if out := mustRun(t, "admin", "--data", c.dir, "audit", "verify"); !strings.Contains(out, "intact") {
		t.Errorf("audit verify: %s", out)
	}
}
