// Package sqldb is the one implementation of vigie.Store over database/sql
// that store/sqlite and store/postgres share: they open the database, run
// their own migrations and supply a Dialect for what differs.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vigie-cti/vigie"
)

// Dialect is what differs between the SQL databases.
type Dialect struct {
	Rebind   bool                            // "$n" placeholders instead of "?"
	Greatest string                          // the SQL function of the larger of two values
	Contains func(hay, needle string) string // SQL expression: needle occurs in hay
	// ContainsBytes is Contains for a binary column and a binary needle.
	ContainsBytes func(hay, needle string) string
	IsUnique      func(error) bool // a UNIQUE or PRIMARY KEY violation
	IsForeignKey  func(error) bool // a FOREIGN KEY violation
	Unavailable   func(error) bool // the database cannot be reached right now
	SkipLocked    string           // suffix of a locking subquery that skips locked rows
	// InsertOrIgnore stores objects with INSERT OR IGNORE rather than
	// ON CONFLICT (coll, id, version_key) DO NOTHING. In SQLite no
	// constraint can then abort a multi-row INSERT half-way, so it needs
	// no statement journal (a copy of every page it changes). The other
	// unique key, (coll, date_added), never conflicts: AddObjects hands
	// out date_added values above every stored one.
	InsertOrIgnore bool
	// LockIDs takes, until the end of tx, locks on object ids, so that
	// requests claiming the same ids in different collections are
	// serialised; nil where one writer at a time holds the whole database.
	LockIDs func(ctx context.Context, tx *sql.Tx, ids []string) error
	// Lead takes a lock that makes one process the runner of a job; nil
	// for databases one process uses at a time.
	Lead func(ctx context.Context, db *sql.DB, name string) (release func(), ok bool, err error)
	// Size is a query of two integers: the database's size on disk in
	// bytes, and how many of those are free pages (ops: Stats).
	Size string
	// Compact returns the database's free pages to the file system and
	// says by how many bytes it shrank (nil: nothing to do).
	Compact func(ctx context.Context, w *sql.DB) (int64, error)
	// Text is the text index of object versions.
	Text TextIndex
	// ByteOrder, after a text column, makes comparisons byte by byte
	// ("" where they are already).
	ByteOrder string
	// LockRow is the suffix of a SELECT that locks the rows it reads
	// until commit ("" where one writer holds the whole database).
	LockRow string
	// Strings is a subquery of the strings of a JSON array passed as one
	// parameter: a list of any length in a statement whose text does not
	// change, so the database parses it quickly.
	Strings string
	// Rows is a FROM item over a JSON array of arrays passed as one
	// parameter, one row per array in a column named value (value ->> 0
	// is its first element as text).
	Rows string
}

// DB implements vigie.Store. w is used for writes, r for reads: SQLite
// gives them separate pools, PostgreSQL one.
type DB struct {
	w, r *sql.DB
	d    Dialect

	leadMu  sync.Mutex
	leaders map[string]bool
}

// New returns a store over open database handles.
func New(w, r *sql.DB, d Dialect) *DB { return &DB{w: w, r: r, d: d} }

// Close closes the database handles.
func (s *DB) Close() error {
	if s.r == s.w {
		return s.w.Close()
	}
	return errors.Join(s.r.Close(), s.w.Close())
}

// Ping checks that the database answers (readiness).
func (s *DB) Ping(ctx context.Context) error {
	return s.wrap("ping", s.r.PingContext(ctx))
}

// q adapts a statement written with "?" placeholders to the dialect.
func (s *DB) q(stmt string) string {
	if s.d.Rebind {
		return Rebind(stmt)
	}
	return stmt
}

// wrap adds context to a database error and turns "cannot reach the
// database" into EUNAVAILABLE (HTTP 503: retry later).
func (s *DB) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if s.d.Unavailable != nil && s.d.Unavailable(err) {
		return fmt.Errorf("store: %s: %v: %w", op, err, vigie.Errorf(vigie.EUNAVAILABLE, "the database is unavailable; retry shortly"))
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// Migrate runs, in name order and each in its own transaction, the .sql
// files of fsys that the database has not applied yet. lock, if not empty,
// is run first in each transaction to keep concurrent processes apart.
func Migrate(ctx context.Context, db *sql.DB, fsys fs.FS, lock string, rebind bool) error {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	q := func(s string) string {
		if rebind {
			return Rebind(s)
		}
		return s
	}
	for _, name := range names {
		err := func() error {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			if lock != "" {
				if _, err := tx.ExecContext(ctx, lock); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied BIGINT NOT NULL)`); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, q(`SELECT count(*) FROM schema_migrations WHERE name = ?`), name).Scan(&n); err != nil || n > 0 {
				return err
			}
			body, err := fs.ReadFile(fsys, name)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, q(`INSERT INTO schema_migrations (name, applied) VALUES (?, ?)`), name, time.Now().UnixMicro()); err != nil {
				return err
			}
			return tx.Commit()
		}()
		if err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

// micros returns t as integer microseconds since the epoch; 0 for zero t.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros is the inverse of micros.
func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
