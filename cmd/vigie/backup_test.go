package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/taxii"
)

// TestBackupRestoreUnderLoad backs up a running hub while a member
// publishes, restores the backup into a new directory, serves it, and
// checks that the restored hub has every object acknowledged before the
// backup began, the alert, the keys and the TLS certificate, and that its
// audit log verifies.
func TestBackupRestoreUnderLoad(t *testing.T) {
	e := newEarlyWarning(t)
	m := mustServe(t, e.dir)
	_, fingerprint, err := loadOrCreateCert(e.dir, "", "", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	hubB := []string{"--hub", m.URL(), "--key", e.keyB}
	mustRun(t, append([]string{"watch", "add", "cidr", "198.51.100.0/24"}, hubB...)...)
	publishIndicator(t, m.URL(), e.keyA, e.collection, e.orgA, "[ipv4-addr:value = '198.51.100.7']", 1)
	var alertID string
	for deadline := time.Now().Add(10 * time.Second); alertID == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var a struct{ ID string }
		if out := strings.TrimSpace(mustRun(t, append([]string{"alerts", "--json"}, hubB...)...)); out != "" {
			json.Unmarshal([]byte(strings.Split(out, "\n")[0]), &a)
			alertID = a.ID
		}
	}
	if alertID == "" {
		t.Fatal("no alert raised")
	}

	// Load: batches of 20 indicators until stopped.
	base := m.URL() + "/coalition/collections/" + e.collection
	var mu sync.Mutex
	acked := map[string]bool{}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for batch := 0; ; batch++ {
			select {
			case <-stop:
				return
			default:
			}
			var objs []map[string]any
			for i := 0; i < 20; i++ {
				objs = append(objs, indicatorJSON(1000+batch*20+i, e.orgA))
			}
			body, _ := json.Marshal(map[string]any{"objects": objs})
			var st taxii.Status
			if call(t, "POST", base+"/objects/", e.keyA, body, &st) == 202 {
				mu.Lock()
				for _, s := range st.Successes {
					acked[s.ID] = true
				}
				mu.Unlock()
			}
		}
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 200 || time.Now().After(deadline) {
			break
		}
	}
	mu.Lock()
	before := make(map[string]bool, len(acked))
	for id := range acked {
		before[id] = true
	}
	mu.Unlock()
	file := filepath.Join(t.TempDir(), "hub.tar.gz")
	out := mustRun(t, "admin", "--data", e.dir, "backup", file)
	close(stop)
	<-done
	if !strings.Contains(out, "backup "+file) {
		t.Errorf("backup printed %q", out)
	}
	if code, _, stderr := run(t, "admin", "--data", e.dir, "backup", file); code != 2 || !strings.Contains(stderr, "exists") {
		t.Errorf("backup over an existing file: %d %s", code, stderr)
	}

	restored := filepath.Join(t.TempDir(), "restored")
	out = mustRun(t, "admin", "restore", file, "--data", restored)
	if !strings.Contains(out, "audit log intact") {
		t.Errorf("restore printed %q", out)
	}
	if code, _, stderr := run(t, "admin", "restore", file, "--data", restored); code != 2 || !strings.Contains(stderr, "not empty") {
		t.Errorf("restore over a hub: %d %s", code, stderr)
	}
	if out := mustRun(t, "admin", "--data", restored, "audit", "verify"); !strings.Contains(out, "intact") {
		t.Errorf("audit verify of the restored hub: %s", out)
	}
	if _, fp, err := loadOrCreateCert(restored, "", "", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}); err != nil || fp != fingerprint {
		t.Errorf("restored certificate %s (%v), want %s", fp, err, fingerprint)
	}

	r := mustServe(t, restored)
	var got []string
	for next := ""; ; {
		var env taxii.Envelope
		url := r.URL() + "/coalition/collections/" + e.collection + "/objects/?limit=1000"
		if next != "" {
			url += "&next=" + next
		}
		if code := call(t, "GET", url, e.keyB, nil, &env); code != 200 {
			t.Fatalf("read the restored hub with B's key: %d", code)
		}
		for _, o := range env.Objects {
			var v struct{ ID string }
			json.Unmarshal(o, &v)
			got = append(got, v.ID)
		}
		if !env.More {
			break
		}
		next = env.Next
	}
	have := map[string]bool{}
	for _, id := range got {
		have[id] = true
	}
	for id := range before {
		if !have[id] {
			t.Errorf("%s, acknowledged before the backup, is not in the restored hub", id)
		}
	}
	mu.Lock()
	for id := range have {
		if !acked[id] && id != indicatorJSON(1, "")["id"] {
			t.Errorf("the restored hub has %s, which the hub never acknowledged", id)
		}
	}
	t.Logf("%d objects acknowledged before the backup, %d in all, %d restored", len(before), len(acked), len(got))
	mu.Unlock()
	if out := mustRun(t, "alerts", "--json", "--hub", r.URL(), "--key", e.keyB); !strings.Contains(out, alertID) {
		t.Errorf("the restored hub lacks alert %s:\n%s", alertID, out)
	}
	if code := call(t, "GET", r.URL()+"/coalition/collections/"+e.collection+"/objects/?limit=1", e.keyA, nil, nil); code != 200 {
		t.Errorf("A's key on the restored hub: %d", code)
	}
}

// TestRestoreRefusesDamage: a truncated backup restores nothing.
func TestRestoreRefusesDamage(t *testing.T) {
	c := newCoalition(t)
	file := filepath.Join(t.TempDir(), "hub.tar.gz")
	mustRun(t, "admin", "--data", c.dir, "backup", file)
	b, _ := os.ReadFile(file)
	cut := filepath.Join(t.TempDir(), "cut.tar.gz")
	os.WriteFile(cut, b[:len(b)*2/3], 0o600)
	parent := t.TempDir()
	code, _, stderr := run(t, "admin", "restore", cut, "--data", filepath.Join(parent, "new"))
	if code != 2 || stderr == "" {
		t.Errorf("restore of a truncated backup: %d %q", code, stderr)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("a failed restore left %v", entries)
	}
	if code, _, stderr := run(t, "admin", "--db", "postgres://x@127.0.0.1/none", "backup", file+"2"); code != 2 || !strings.Contains(stderr, "pg_dump") {
		t.Errorf("backup of a PostgreSQL hub: %d %s", code, stderr)
	}
}
