package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/store/internal/sqldb"
)

// TestMigrateOwnershipFromOldHub builds a hub database as vigie wrote it
// before ownership existed (migrations 0001 to 0003, rows written with SQL),
// then opens it: the later migrations must give every stored id its first
// publisher as owner, so that nobody else can publish a version of it.
func TestMigrateOwnershipFromOldHub(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vigie.db")
	old, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	early := fstest.MapFS{}
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	for _, name := range names {
		base := filepath.Base(name)
		if base < "0004" {
			body, _ := fs.ReadFile(migrations, name)
			early[base] = &fstest.MapFile{Data: body}
		}
	}
	if err := sqldb.Migrate(ctx, old, early, "", false); err != nil {
		t.Fatal(err)
	}
	const (
		alpha = "identity--a0000000-0000-4000-8000-000000000001"
		bravo = "identity--b0000000-0000-4000-8000-000000000002"
		ind   = "indicator--c0000000-0000-4000-8000-000000000003"
		ip    = "ipv4-addr--d0000000-0000-5000-8000-000000000004"
	)
	now := time.Now().UnixMicro()
	for _, stmt := range []string{
		`INSERT INTO orgs (id, name, created) VALUES ('` + alpha + `', 'alpha', 1), ('` + bravo + `', 'bravo', 1)`,
		`INSERT INTO api_roots (name, title, max_content_length) VALUES ('r', 'R', 1000000)`,
		`INSERT INTO collections (seq, id, api_root, title, created) VALUES (1, 'c1', 'r', 'C1', 1)`,
		`INSERT INTO objects (coll, id, type, spec_version, version, version_key, date_added, publisher, tlp, raw) VALUES
			(1, '` + ind + `', 'indicator', '2.1', 'v1', 'k1', 1, '` + alpha + `', 0, '{"created_by_ref":"` + alpha + `"}'),
			(1, '` + ind + `', 'indicator', '2.1', 'v2', 'k2', 2, '` + alpha + `', 0, '{"created_by_ref":"` + alpha + `"}'),
			(1, '` + ip + `', 'ipv4-addr', '2.1', '', 'k0', 3, '` + alpha + `', 0, '{}')`,
	} {
		if _, err := old.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", strings.Fields(stmt)[2], err)
		}
	}
	old.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("open an old hub's database: %v", err)
	}
	defer s.Close()
	got, err := s.ObjectOwners(ctx, []string{ind, ip})
	if err != nil {
		t.Fatal(err)
	}
	if w := got[ind]; w.Owner != alpha || w.Author != alpha {
		t.Errorf("indicator: ownership %+v, want owner and author alpha", w)
	}
	if w := got[ip]; w.Owner != alpha || w.Author != "" {
		t.Errorf("SCO: ownership %+v, want owner alpha and no author", w)
	}
	// Bravo's version of alpha's indicator is refused by the store itself.
	st := &vigie.Status{ID: vigie.NewUUID(), Root: "r", OrgID: bravo, RequestTime: time.UnixMicro(now), Total: 1}
	forged := &vigie.Object{ID: ind, Type: "indicator", SpecVersion: "2.1", Version: "v3", VersionKey: "k3",
		Sharing: vigie.Sharing{Publisher: bravo}, Owner: bravo, Raw: []byte(`{}`)}
	if err := s.AddObjects(ctx, "c1", []*vigie.Object{forged}, st); vigie.ErrorCode(err) != vigie.ECONFLICT {
		t.Errorf("bravo's version of alpha's migrated indicator: %v, want ECONFLICT", err)
	}
	// Alpha's own new version is stored.
	mine := *forged
	mine.Publisher, mine.Owner, mine.VersionKey = alpha, alpha, "k4"
	st.ID, st.OrgID = vigie.NewUUID(), alpha
	if err := s.AddObjects(ctx, "c1", []*vigie.Object{&mine}, st); err != nil {
		t.Errorf("alpha's new version of its migrated indicator: %v", err)
	}
}

// TestMigrateTextIndexFromOldHub builds a hub database as vigie wrote it
// before the text index (migrations up to 0014, rows written with SQL),
// then opens it: the objects stored before must be found by text search,
// across several batches of the back-fill.
func TestMigrateTextIndexFromOldHub(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vigie.db")
	old, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	early := fstest.MapFS{}
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	for _, name := range names {
		if base := filepath.Base(name); base < "0015" {
			body, _ := fs.ReadFile(migrations, name)
			early[base] = &fstest.MapFile{Data: body}
		}
	}
	if err := sqldb.Migrate(ctx, old, early, "", false); err != nil {
		t.Fatal(err)
	}
	const alpha = "identity--a0000000-0000-4000-8000-000000000001"
	n := 4010 // more than two batches of the back-fill
	for _, stmt := range []string{
		`INSERT INTO orgs (id, name, created) VALUES ('` + alpha + `', 'alpha', 1)`,
		`INSERT INTO api_roots (name, title, max_content_length) VALUES ('r', 'R', 1000000)`,
		`INSERT INTO collections (seq, id, api_root, title, created) VALUES (1, 'c1', 'r', 'C1', 1)`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ` + strconv.Itoa(n) + `)
		INSERT INTO objects (coll, id, type, spec_version, version, version_key, date_added, publisher, tlp, raw)
		SELECT 1, printf('indicator--c0000000-0000-4000-8000-%012d', i), 'indicator', '2.1', 'v1', 'k1', i, '` + alpha + `', 2,
			printf('{"name":"Object %d","description":"%s"}', i, CASE WHEN i IN (1, ` + strconv.Itoa(n) + `) THEN 'Quillwort' ELSE '' END) FROM n`,
	} {
		if _, err := old.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", strings.Fields(stmt)[2], err)
		}
	}
	old.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("open an old hub's database: %v", err)
	}
	defer s.Close()
	tq, _ := vigie.ParseTextQuery("quillwort")
	page, err := s.Objects(ctx, &vigie.ObjectQuery{Collection: "c1", Text: &tq, Scope: vigie.ReadScope{OrgID: alpha, Member: true}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range page.Objects {
		got = append(got, o.ID[len(o.ID)-4:])
	}
	if want := []string{strconv.Itoa(n), "0001"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("text search after the upgrade: objects %v, want %v (the first and the last stored)", got, want)
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var left int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM text_backfill`).Scan(&left); err != nil || left != 0 {
		t.Errorf("back-fill state: %d rows, %v; want none once done", left, err)
	}
}
