package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vigie-cti/vigie/store/sqlite"
)

// defaultDataDir is where the hub keeps its files unless --data says.
const defaultDataDir = "vigie-data"

// openStore opens (creating it if needed) the SQLite store of a data
// directory.
func openStore(ctx context.Context, dir string) (*sqlite.Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	return sqlite.Open(ctx, filepath.Join(dir, "vigie.db"))
}
