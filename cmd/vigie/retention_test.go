package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/taxii"
)

// TestPruneAndCompactRunningHub publishes two versions of 300 objects to
// a running hub, prunes old versions and compacts with the admin
// commands while it runs, and checks what is left: the latest versions,
// a smaller database file, an audit log that verifies and records the run.
func TestPruneAndCompactRunningHub(t *testing.T) {
	c := newCoalition(t)
	m := mustServe(t, c.dir)
	base := m.URL() + "/coalition/collections/" + c.collection + "/objects/"
	for v := 0; v < 2; v++ {
		for b := 0; b < 3; b++ {
			var objs []map[string]any
			for i := 0; i < 100; i++ {
				o := indicatorJSON(b*100+i, c.orgA)
				o["modified"] = fmt.Sprintf("2026-01-0%dT00:00:00.000Z", 1+v)
				o["description"] = strings.Repeat("padding ", 250)
				objs = append(objs, o)
			}
			body, _ := json.Marshal(map[string]any{"objects": objs})
			var st taxii.Status
			if code := call(t, "POST", base, c.keyA, body, &st); code != 202 || st.SuccessCount != 100 {
				t.Fatalf("POST: %d, %d stored", code, st.SuccessCount)
			}
		}
	}
	// Old versions go only once the engine has evaluated them.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		st, err := m.store.Stats(context.Background(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if st.Collections[0].EngineBehind == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("engine still behind: %+v", st.Collections[0])
		}
	}
	time.Sleep(1100 * time.Millisecond)
	if code, _, stderr := run(t, "admin", "--data", c.dir, "prune", "--collection", "nope", "--versions", "1s"); code != 2 || !strings.Contains(stderr, "does not have") {
		t.Errorf("prune of an unknown collection: %d %s", code, stderr)
	}
	if code, _, stderr := run(t, "admin", "--data", c.dir, "prune", "--versions", "soon"); code != 2 || !strings.Contains(stderr, "90d") {
		t.Errorf("prune with a bad period: %d %s", code, stderr)
	}
	out := mustRun(t, "admin", "--data", c.dir, "prune", "--versions", "1s", "--statuses", "1s")
	if !strings.Contains(out, "pruned: 300 old versions") || !strings.Contains(out, "6 statuses") {
		t.Errorf("prune printed %q", out)
	}
	// On disk: the database file and its write-ahead log.
	disk := func() int64 {
		var n int64
		for _, f := range []string{"vigie.db", "vigie.db-wal"} {
			if st, err := os.Stat(filepath.Join(c.dir, f)); err == nil {
				n += st.Size()
			}
		}
		return n
	}
	before := disk()
	out = mustRun(t, "admin", "--data", c.dir, "compact")
	after := disk()
	if !strings.Contains(out, "compacted") || after >= before {
		t.Errorf("compact printed %q; on disk %d -> %d bytes", out, before, after)
	}
	t.Logf("compact: %d -> %d bytes on disk", before, after)

	var env taxii.Envelope
	if code := call(t, "GET", base+"?limit=1000&match[version]=all", c.keyB, nil, &env); code != 200 || len(env.Objects) != 300 {
		t.Errorf("after pruning, B reads %d versions (%d), want the 300 latest", len(env.Objects), code)
	}
	if out := mustRun(t, "admin", "--data", c.dir, "audit", "verify"); !strings.Contains(out, "intact") {
		t.Errorf("audit verify: %s", out)
	}
	if out := mustRun(t, "admin", "--data", c.dir, "audit", "--json"); !strings.Contains(out, `"retention.prune"`) {
		t.Error("the prune run is not in the audit log")
	}
	// Pruning the audit log keeps it verifiable.
	time.Sleep(1100 * time.Millisecond)
	if out := mustRun(t, "admin", "--data", c.dir, "prune", "--audit", "1s"); !strings.Contains(out, "audit entries") {
		t.Errorf("prune --audit printed %q", out)
	}
	if out := mustRun(t, "admin", "--data", c.dir, "audit", "verify"); !strings.Contains(out, "intact") {
		t.Errorf("audit verify after pruning it: %s", out)
	}
}
