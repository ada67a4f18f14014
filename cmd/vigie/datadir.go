package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vigie-cti/vigie"
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
		return sqlite.Open(ctx, path)
	case db == "":
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		return sqlite.Open(ctx, filepath.Join(dataDir, "vigie.db"))
	}
	return nil, fmt.Errorf("--db %q: want sqlite:PATH or a postgres:// URL", db)
}
