// Package sqlite is the embedded store of vigie: one SQLite file, no server
// to run. It uses the pure-Go driver modernc.org/sqlite so that vigie builds
// and cross-compiles without a C toolchain for the store.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strconv"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/store/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// BusyTimeout is how long a writer waits for another process (an admin
// command next to a running hub) to release the database.
const BusyTimeout = 10 * time.Second

// Store is the SQLite implementation of vigie.Store. It is safe for
// concurrent use; writes go through one connection and reads through a
// pool, which is how SQLite in WAL mode performs best.
type Store struct {
	*sqldb.DB
}

var _ vigie.Store = (*Store)(nil)

// dialect is SQLite's SQL, for the shared implementation.
var dialect = sqldb.Dialect{
	Greatest:       "max",
	InsertOrIgnore: true,
	Contains:       func(hay, needle string) string { return "instr(" + hay + ", " + needle + ") > 0" },
	ContainsBytes:  func(hay, needle string) string { return "instr(" + hay + ", " + needle + ") > 0" },
	IsUnique: func(err error) bool {
		return code(err) == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code(err) == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	},
	IsForeignKey: func(err error) bool { return code(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY },
	Unavailable:  unavailable,
	Compact:      compact,
	Strings:      `SELECT value FROM json_each(?)`,
	Rows:         `json_each(?)`,
	Text: sqldb.TextIndex{
		Insert: `INSERT INTO objects_text (rowid, coll, body) SELECT value ->> 0, 'c' || (value ->> 1), value ->> 2 FROM json_each(?)`,
		From:   `objects_text CROSS JOIN objects o ON o.seq = objects_text.rowid`,
		Match:  `objects_text MATCH ('coll : c' || (SELECT seq FROM collections WHERE id = ?) || ' AND body : (' || ? || ')')`,
		Order:  `objects_text.rowid DESC`,
		Render: sqldb.RenderFTS5,
	},
	Size: `SELECT c.page_count * s.page_size, f.freelist_count * s.page_size FROM pragma_page_count() c, pragma_page_size() s, pragma_freelist_count() f`,
}

// unavailable reports whether err means the database cannot store now
// but may later: the disk is full, the file or its directory became
// read-only, an I/O error, or another process held the lock past
// BusyTimeout. Requests then fail with 503 (retry later) and nothing of
// them is stored: SQLite rolls the transaction back.
func unavailable(err error) bool {
	switch code(err) & 0xff { // the primary result code
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_LOCKED:
		return true
	}
	return false
}

// code returns the extended result code of an SQLite error, or -1.
func code(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()
	}
	return -1
}

// Open opens (creating if needed) the database file at path and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	common := []string{
		"busy_timeout(" + strconv.FormatInt(BusyTimeout.Milliseconds(), 10) + ")",
		"journal_mode(WAL)",
		"synchronous(FULL)", // an acknowledged POST survives a crash
		"foreign_keys(ON)",
	}
	// The writer keeps 64 MiB of pages so that index inserts stay in memory
	// as the store grows; each reader 16 MiB. The writer checkpoints every
	// 60,000 WAL pages (a WAL file of up to 240 MB): the random inserts of
	// the (id, coll, version_key) index dirty about one page per object, and
	// a longer WAL lets a checkpoint write a page changed by several commits
	// once, and sync the database file less often.
	// A new database gets incremental auto-vacuum (set before its first
	// table), so that "vigie admin compact" frees pages in small steps.
	writer := url.Values{"_pragma": append(append([]string{"auto_vacuum(INCREMENTAL)"}, common...), "cache_size(-65536)", "wal_autocheckpoint(60000)")}
	w, err := sql.Open("sqlite", "file:"+path+"?"+writer.Encode()+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	sub, _ := fs.Sub(migrations, "migrations")
	if err := sqldb.Migrate(ctx, w, sub, "", false); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	store := sqldb.New(w, nil, dialect)
	if err := store.BackfillText(ctx, nil); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	// Readers map the database file (up to 4 GiB) rather than read(2) each
	// page: a walk of a million objects (an export) spends most of its
	// time in page reads otherwise. Mapped pages are the kernel's page
	// cache, not the process's heap.
	reader := url.Values{"_pragma": append(common, "query_only(ON)", "cache_size(-16384)", "mmap_size(4294967296)")}
	r, err := sql.Open("sqlite", "file:"+path+"?"+reader.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	return &Store{sqldb.New(w, r, dialect)}, nil
}
