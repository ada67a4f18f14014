// Package postgres is the store of large hubs: several vigie processes
// behind a load balancer share one PostgreSQL database through it, and
// behave exactly as one process on SQLite (both pass store/storetest).
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/store/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the PostgreSQL implementation of vigie.Store. It is safe for
// concurrent use, also by several processes sharing one database.
type Store struct {
	*sqldb.DB
	db *sql.DB
}

var _ vigie.Store = (*Store)(nil)

// dialect is PostgreSQL's SQL, for the shared implementation.
var dialect = sqldb.Dialect{
	Rebind:        true,
	Greatest:      "GREATEST",
	Contains:      func(hay, needle string) string { return "strpos(" + hay + ", " + needle + ") > 0" },
	ContainsBytes: func(hay, needle string) string { return "position(" + needle + "::bytea in " + hay + ") > 0" },
	IsUnique:      func(err error) bool { return sqlState(err) == "23505" },
	IsForeignKey:  func(err error) bool { return sqlState(err) == "23503" },
	Unavailable:   unavailable,
	SkipLocked:    " FOR UPDATE SKIP LOCKED",
	Lead:          lead,
	LockIDs:       lockIDs,
	Size:          `SELECT pg_database_size(current_database()), 0`,
	Strings:       `SELECT json_array_elements_text(?::json)`,
	Rows:          `json_array_elements(?::json) AS value`,
	LockRow:       " FOR UPDATE",
	ByteOrder:     ` COLLATE "C"`,
	Text: sqldb.TextIndex{
		Insert: `INSERT INTO object_text (seq, coll, doc) SELECT (e ->> 0)::bigint, (e ->> 1)::bigint, to_tsvector('simple', e ->> 2) FROM json_array_elements(?::json) AS e`,
		From:   `object_text t JOIN objects o ON o.seq = t.seq`,
		Match:  `t.coll = (SELECT seq FROM collections WHERE id = ?) AND t.doc @@ to_tsquery('simple', ?)`,
		Order:  `t.seq DESC`,
		Render: sqldb.RenderTSQuery,
	},
}

// lockIDs takes a transaction advisory lock per object id (on a 64-bit hash
// of it), in ascending order so that two requests never wait on each other
// in a cycle.
func lockIDs(ctx context.Context, tx *sql.Tx, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	keys := make([]int64, len(ids))
	for i, id := range ids {
		h := fnv.New64a()
		h.Write([]byte(id))
		keys[i] = int64(h.Sum64())
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(k, 10))
	}
	b.WriteByte('}')
	// A function scan returns the array's elements in order.
	_, err := tx.ExecContext(ctx, `SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::bigint[]) AS k`, b.String())
	return err
}

// lead takes a session advisory lock on a connection of its own: the
// process that holds it runs the job; if the connection dies, PostgreSQL
// releases the lock and another process takes over. Advisory locks belong
// to the database, so the key names the hub's schema too: two hubs in two
// schemas of one database each lead their own jobs.
func lead(ctx context.Context, db *sql.DB, name string) (func(), bool, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("postgres: lead %s: %w", name, err)
	}
	var schema string
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(current_schema(), '')`).Scan(&schema); err != nil {
		conn.Close()
		return nil, false, fmt.Errorf("postgres: lead %s: %w", name, err)
	}
	h := fnv.New64a()
	h.Write([]byte("vigie:" + schema + ":" + name))
	key := int64(h.Sum64())
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil || !ok {
		conn.Close()
		if err != nil {
			return nil, false, fmt.Errorf("postgres: lead %s: %w", name, err)
		}
		return nil, false, nil
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, key)
		conn.Close()
	}, true, nil
}

// Pool settings, read from the URL's query (and removed before it reaches
// the driver): pool_max_conns (default 20), pool_max_idle (default 10),
// pool_max_lifetime (a Go duration, default 30m).
const (
	defaultMaxConns    = 20
	defaultMaxIdle     = 10
	defaultMaxLifetime = 30 * time.Minute
)

// migrateLock is the advisory lock that keeps concurrent migrations apart.
const migrateLock = `SELECT pg_advisory_xact_lock(7361626967)`

// Open connects to the database named by a postgres:// URL and brings the
// schema up to date. Several processes may Open the same database at once.
func Open(ctx context.Context, dsn string) (*Store, error) {
	dsn, pool, err := poolSettings(dsn)
	if err != nil {
		return nil, err
	}
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if cfg.ConnectTimeout == 0 {
		dsn = withParam(dsn, "connect_timeout", "5")
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db.SetMaxOpenConns(pool.maxConns)
	db.SetMaxIdleConns(pool.maxIdle)
	db.SetConnMaxLifetime(pool.maxLifetime)
	sub, _ := fs.Sub(migrations, "migrations")
	if err := sqldb.Migrate(ctx, db, sub, migrateLock, true); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	store := sqldb.New(db, db, dialect)
	if err := store.BackfillText(ctx, nil); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &Store{DB: store, db: db}, nil
}

type poolConfig struct {
	maxConns, maxIdle int
	maxLifetime       time.Duration
}

// poolSettings takes vigie's pool_* parameters out of a URL.
func poolSettings(dsn string) (string, poolConfig, error) {
	p := poolConfig{defaultMaxConns, defaultMaxIdle, defaultMaxLifetime}
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", p, fmt.Errorf("postgres: want a postgres://user@host:port/database URL")
	}
	q := u.Query()
	for name, set := range map[string]func(string) error{
		"pool_max_conns": func(v string) (err error) { p.maxConns, err = strconv.Atoi(v); return },
		"pool_max_idle":  func(v string) (err error) { p.maxIdle, err = strconv.Atoi(v); return },
		"pool_max_lifetime": func(v string) (err error) {
			p.maxLifetime, err = time.ParseDuration(v)
			return
		},
	} {
		if v := q.Get(name); v != "" {
			if err := set(v); err != nil {
				return "", p, fmt.Errorf("postgres: %s=%q: %w", name, v, err)
			}
			q.Del(name)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), p, nil
}

func withParam(dsn, k, v string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	q.Set(k, v)
	u.RawQuery = q.Encode()
	return u.String()
}

// sqlState returns the SQLSTATE of a PostgreSQL error, or "".
func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// unavailable reports whether err means the database cannot be reached
// right now (down, restarting, connection lost), as opposed to a bad query.
func unavailable(err error) bool {
	if st := sqlState(err); st != "" {
		return strings.HasPrefix(st, "08") || st == "57P01" || st == "57P02" || st == "57P03"
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connErr) || errors.As(err, &netErr) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) ||
		errors.Is(err, sql.ErrConnDone) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		strings.Contains(err.Error(), "conn closed")
}
