package main

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestAdminAudit lists the audit log the admin commands wrote, verifies
// it, then edits and removes an entry in the database: verify exits 1 and
// names the entry.
func TestAdminAudit(t *testing.T) {
	c := newCoalition(t)
	admin := func(args ...string) string { return mustRun(t, append([]string{"admin", "--data", c.dir}, args...)...) }
	out := admin("audit")
	for _, want := range []string{"org.add", "key.add", "community.add", "collection.add", "console", "operator", "CERT-Nord"} {
		if !strings.Contains(out, want) {
			t.Errorf("audit lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, c.keyA) || strings.Contains(out, c.keyB) {
		t.Errorf("audit prints a key:\n%s", out)
	}
	var es []struct {
		Seq       int64  `json:"seq"`
		Action    string `json:"action"`
		TargetOrg string `json:"target_org"`
	}
	if err := json.Unmarshal([]byte(admin("audit", "--org", "Helios", "--json")), &es); err != nil || len(es) == 0 {
		t.Fatalf("audit --org Helios --json: %v %+v", err, es)
	}
	for _, e := range es {
		if e.TargetOrg != c.orgB {
			t.Errorf("audit --org Helios lists %+v", e)
		}
	}
	if out := admin("audit", "--since", "2999-01-01", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("audit --since the future: %s", out)
	}
	if out := admin("audit", "verify"); !strings.Contains(out, "intact: 6 entries") {
		t.Errorf("audit verify: %s", out)
	}

	db, err := sql.Open("sqlite", "file:"+filepath.Join(c.dir, "vigie.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct{ stmt, want string }{
		{`UPDATE audit SET addr = '203.0.113.9' WHERE seq = 4`, "audit entry 4 does not match its hash"},
		{`DELETE FROM audit WHERE seq = 4`, "audit entry 5 follows entry 3"},
	} {
		if _, err := db.Exec(tc.stmt); err != nil {
			t.Fatal(err)
		}
		code, _, errs := run(t, "admin", "--data", c.dir, "audit", "verify")
		if code != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("after %s: exit %d, %q; want 1 and %q", tc.stmt, code, errs, tc.want)
		}
	}
}

// TestServeLogFormat checks --log-format: JSON lines, and a refused value.
func TestServeLogFormat(t *testing.T) {
	var errb strings.Builder
	m := newServeMain(Stdio{Out: &errb, Err: &errb})
	if err := m.ParseFlags([]string{"--log-format", "json"}); err != nil {
		t.Fatal(err)
	}
	m.newLogger().Info("request", "id", "abc")
	var line map[string]any
	if err := json.Unmarshal([]byte(errb.String()), &line); err != nil || line["id"] != "abc" {
		t.Errorf("--log-format json wrote %q (%v)", errb.String(), err)
	}
	if err := newServeMain(Stdio{Out: &errb, Err: &errb}).ParseFlags([]string{"--log-format", "xml"}); err == nil || !strings.Contains(err.Error(), "text or json") {
		t.Errorf("--log-format xml: %v", err)
	}
}
