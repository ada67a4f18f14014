package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/netguard"
	"github.com/vigie-cti/vigie/store/postgres"
	"github.com/vigie-cti/vigie/store/sqlite"
)

// defaultDataDir is where the hub keeps its files unless --data says.
const defaultDataDir = "vigie-data"

// dbFlagHelp documents --db wherever it is accepted.
const dbFlagHelp = `database: "sqlite:PATH", or "postgres://user@host:5432/db" (pool settings as URL parameters: pool_max_conns, pool_max_idle, pool_max_lifetime); default: $VIGIE_DB, else SQLite in the data directory`

// hubStore is a store that can also say whether the database answers.
type hubStore interface {
	vigie.Store
	Ping(ctx context.Context) error
}

// openStore opens the database named by db ("" for the default: $VIGIE_DB,
// else SQLite in the data directory, which is created if needed).
func openStore(ctx context.Context, dataDir, db string) (hubStore, error) {
	if db == "" {
		db = os.Getenv("VIGIE_DB")
	}
	switch {
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"):
		return postgres.Open(ctx, db)
	case strings.HasPrefix(db, "sqlite:"):
		path := strings.TrimPrefix(db, "sqlite:")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("database directory: %w", err)
		}
		return openSQLite(ctx, path)
	case db == "":
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		return openSQLite(ctx, filepath.Join(dataDir, "vigie.db"))
	}
	return nil, fmt.Errorf("--db %q: want sqlite:PATH or a postgres:// URL", db)
}

// openSQLite opens a SQLite store, saying so plainly when its directory
// is read-only (SQLite only says it cannot open the file).
func openSQLite(ctx context.Context, path string) (hubStore, error) {
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		if f, werr := os.CreateTemp(filepath.Dir(path), ".vigie-write-check-"); werr != nil {
			return nil, fmt.Errorf("%w (the directory %s is not writable: %v; the hub writes its database and journal there)", err, filepath.Dir(path), errors.Unwrap(werr))
		} else {
			f.Close()
			os.Remove(f.Name())
		}
		return nil, err
	}
	return s, nil
}

// sqliteFile returns the SQLite database file of the hub that dataDir and
// db name, or "" when its database is on PostgreSQL (or db is malformed,
// which openStore reports).
func sqliteFile(dataDir, db string) string {
	if db == "" {
		db = os.Getenv("VIGIE_DB")
	}
	switch {
	case strings.HasPrefix(db, "sqlite:"):
		return strings.TrimPrefix(db, "sqlite:")
	case db == "":
		return filepath.Join(dataDir, "vigie.db")
	}
	return ""
}

// hubPlace names where the hub of dataDir and db lives, as the flag that
// names it: "--data DIR", or "--db sqlite:PATH".
func hubPlace(dataDir, db string) (where, flag string) {
	if db == "" {
		db = os.Getenv("VIGIE_DB")
	}
	if strings.HasPrefix(db, "sqlite:") {
		return strings.TrimPrefix(db, "sqlite:"), "--db " + db
	}
	return dataDir, "--data " + dataDir
}

// requireHub returns an error when dataDir (or db) holds no hub, so that a
// mistyped directory is never taken for a new, empty hub. A PostgreSQL
// database always passes: opening it creates the hub's tables.
func requireHub(dataDir, db string) error {
	f := sqliteFile(dataDir, db)
	if f == "" {
		return nil
	}
	_, err := os.Stat(f)
	if err == nil {
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("data directory: %w", err)
	}
	where, flag := hubPlace(dataDir, db)
	return fmt.Errorf("no hub at %s; \"vigie serve %s\" creates one", where, flag)
}

// prepareHub finds the hub of dataDir (or db), or makes room for a new one,
// and reports whether the hub is new. A new hub goes only into a missing or
// empty data directory; a missing one is created only when its parent
// exists, so that a mistyped path is refused rather than built.
func prepareHub(dataDir, db string) (created bool, err error) {
	f := sqliteFile(dataDir, db)
	if f == "" {
		return false, nil
	}
	if _, err := os.Stat(f); err == nil {
		return false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("data directory: %w", err)
	}
	dir := filepath.Dir(f)
	entries, err := os.ReadDir(dir)
	switch {
	case err == nil:
		if len(entries) > 0 && f == filepath.Join(dataDir, "vigie.db") {
			return false, fmt.Errorf("%s holds files but no hub (no vigie.db); a new hub goes only into a new or empty directory", dir)
		}
	case errors.Is(err, fs.ErrNotExist):
		parent := filepath.Dir(dir)
		if st, err := os.Stat(parent); err != nil || !st.IsDir() {
			return false, fmt.Errorf("no directory %s to create %s in; create it first if it is meant", parent, dir)
		}
		if err := os.Mkdir(dir, 0o700); err != nil {
			return false, fmt.Errorf("data directory: %w", err)
		}
	default:
		return false, fmt.Errorf("data directory: %w", err)
	}
	return true, nil
}

// initHub is "vigie admin init": it creates a new hub, as "vigie serve"
// does on first start, without serving it.
func initHub(ctx context.Context, stdio Stdio, dataDir, db string, args []string) error {
	fs := newFlagSet(stdio, "admin init", "vigie admin --data DIR init",
		"Create a new hub in DIR, which must be missing (its parent existing) or empty.\nThe other admin commands and \"vigie serve\" then use it.")
	fs.StringVar(&dataDir, "data", dataDir, "data directory of the new hub")
	fs.StringVar(&db, "db", db, dbFlagHelp)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError(fs, fmt.Sprintf("unexpected argument %q", pos[0]))
	}
	created, err := prepareHub(dataDir, db)
	if err != nil {
		return err
	}
	where, _ := hubPlace(dataDir, db)
	if !created && sqliteFile(dataDir, db) != "" {
		return fmt.Errorf("%s already holds a hub", where)
	}
	s, err := openStore(ctx, dataDir, db)
	if err != nil {
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	if sqliteFile(dataDir, db) == "" {
		where = "the database"
	}
	fmt.Fprintf(stdio.Out, "created a new hub in %s\n", where)
	return nil
}

// prepare checks, before anything is created, the flags and the listen
// address (which it binds), then finds the hub of the data directory or
// makes room for a new one, saying so in the first line it logs.
func (m *serveMain) prepare() error {
	if _, err := vigie.ParseTLP(m.DefaultTLP); err != nil {
		return domainError(err)
	}
	if _, err := netguard.ParsePrefixes(m.WebhookAllow); err != nil {
		return fmt.Errorf("--webhook-allow: %w", err)
	}
	if _, err := netguard.ParsePrefixes(m.WebhookDeny); err != nil {
		return fmt.Errorf("--webhook-deny: %w", err)
	}
	if m.CertFile != "" {
		if _, err := tls.LoadX509KeyPair(m.CertFile, m.KeyFile); err != nil {
			return fmt.Errorf("TLS certificate: %w", err)
		}
	}
	ln, err := net.Listen("tcp", m.Addr)
	if err != nil {
		return err // names the address
	}
	created, err := prepareHub(m.DataDir, m.DB)
	if err != nil {
		ln.Close()
		return err
	}
	if created {
		where, _ := hubPlace(m.DataDir, m.DB)
		fmt.Fprintf(m.stdio.Err, "vigie: no hub at %s yet: creating a new one\n", where)
	}
	m.ln = ln
	return nil
}
