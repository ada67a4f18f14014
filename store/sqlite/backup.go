package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// Backup writes a consistent copy of the database at path to dest, a new
// file, with VACUUM INTO: it reads one snapshot (WAL mode lets the hub
// keep writing meanwhile; what it commits after the snapshot began is not
// in the copy) and writes it compacted, without the write-ahead log. dest
// must not exist.
func Backup(ctx context.Context, path, dest string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("sqlite: backup: %s exists", dest)
	}
	if strings.ContainsRune(dest, 0) {
		return errors.New("sqlite: backup: bad destination name")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+url.Values{"_pragma": {"busy_timeout(" + strconv.FormatInt(BusyTimeout.Milliseconds(), 10) + ")"}}.Encode())
	if err != nil {
		return fmt.Errorf("sqlite: backup: open %s: %w", path, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		os.Remove(dest)
		return fmt.Errorf("sqlite: backup of %s: %w", path, err)
	}
	return nil
}

// Check runs SQLite's integrity check on the database file at path, which
// no process may be using, and returns an error naming the first problem.
func Check(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return fmt.Errorf("sqlite: check %s: %w", path, err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check(1)`).Scan(&res); err != nil {
		return fmt.Errorf("sqlite: check %s: %w", path, err)
	}
	if res != "ok" {
		return fmt.Errorf("sqlite: %s is damaged: %s", path, res)
	}
	return nil
}
