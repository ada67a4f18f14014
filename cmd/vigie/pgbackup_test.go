package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/store/postgres/pgtest"
	"github.com/vigie-cti/vigie/taxii"
)

// TestPostgresDumpRestore runs the pg_dump and pg_restore commands the
// README gives against a running hub's database, restores into a new
// database, and checks that a hub on it serves the same objects and keys
// and that its audit log verifies.
func TestPostgresDumpRestore(t *testing.T) {
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (Debian: postgresql-client): the PostgreSQL backup commands were not run", tool)
		}
	}
	db := pgtest.URL(t)
	c := newCoalition(t, db)
	m := mustServe(t, c.dir, "--db", db)
	base := "/coalition/collections/" + c.collection + "/objects/"
	var objs []map[string]any
	for i := 0; i < 50; i++ {
		objs = append(objs, indicatorJSON(i, c.orgA))
	}
	body, _ := json.Marshal(map[string]any{"objects": objs})
	var st taxii.Status
	if code := call(t, "POST", m.URL()+base, c.keyA, body, &st); code != 202 || st.SuccessCount != 50 {
		t.Fatalf("POST: %d %+v", code, st)
	}

	// The hub's schema, and the server without the search_path parameter
	// (libpq does not know it).
	u, _ := url.Parse(db)
	q := u.Query()
	schema := q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	dump := filepath.Join(t.TempDir(), "vigie.dump")
	pgRun(t, "pg_dump", "--format=custom", "--schema="+schema, "--file="+dump, u.String())

	var b [6]byte
	rand.Read(b[:])
	newDB := "vigie_restore_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE DATABASE ` + newDB); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+newDB+` WITH (FORCE)`)
	})
	r := *u
	r.Path = "/" + newDB
	pgRun(t, "pg_restore", "--no-owner", "--dbname="+r.String(), dump)

	rq := r.Query()
	rq.Set("search_path", schema)
	r.RawQuery = rq.Encode()
	restored := r.String()
	if out := mustRun(t, "admin", "--db", restored, "audit", "verify"); !strings.Contains(out, "intact") {
		t.Errorf("audit verify of the restored database: %s", out)
	}
	h := mustServe(t, t.TempDir(), "--db", restored)
	var env taxii.Envelope
	if code := call(t, "GET", h.URL()+base+"?limit=1000", c.keyB, nil, &env); code != 200 || len(env.Objects) != 50 {
		t.Errorf("the restored hub serves %d objects to B (%d), want 50", len(env.Objects), code)
	}
}

// pgRun runs a PostgreSQL client tool and fails the test with its output.
func pgRun(t *testing.T, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}
