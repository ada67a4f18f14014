package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// compactStep is how many pages one incremental vacuum frees: each step is
// a short write transaction, so that the hub's writers barely wait.
const compactStep = 2000

// compact returns free pages to the file system while the hub runs. A
// database with incremental auto-vacuum (those made by this version on)
// frees them compactStep pages at a time; an older one is switched to it
// by one VACUUM, which rewrites the file (writers wait for it, up to
// BusyTimeout, then get 503: run the first compact at a quiet time). The
// write-ahead log is then checkpointed and truncated.
func compact(ctx context.Context, w *sql.DB) (int64, error) {
	size := func() (int64, error) {
		var n int64
		err := w.QueryRowContext(ctx, `SELECT c.page_count * s.page_size FROM pragma_page_count() c, pragma_page_size() s`).Scan(&n)
		return n, err
	}
	before, err := size()
	if err != nil {
		return 0, fmt.Errorf("sqlite: compact: %w", err)
	}
	var mode int
	if err := w.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil {
		return 0, fmt.Errorf("sqlite: compact: %w", err)
	}
	if mode != 2 { // not incremental yet
		if _, err := w.ExecContext(ctx, `PRAGMA auto_vacuum = INCREMENTAL`); err != nil {
			return 0, fmt.Errorf("sqlite: compact: %w", err)
		}
		if _, err := w.ExecContext(ctx, `VACUUM`); err != nil {
			return 0, fmt.Errorf("sqlite: compact: vacuum: %w", err)
		}
	}
	for last := int64(-1); ; {
		var free int64
		if err := w.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&free); err != nil {
			return 0, fmt.Errorf("sqlite: compact: %w", err)
		}
		if free == 0 || free == last { // done, or the step freed nothing
			break
		}
		last = free
		if _, err := w.ExecContext(ctx, fmt.Sprintf(`PRAGMA incremental_vacuum(%d)`, compactStep)); err != nil {
			return 0, fmt.Errorf("sqlite: compact: incremental vacuum: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
	}
	if _, err := w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return 0, fmt.Errorf("sqlite: compact: checkpoint: %w", err)
	}
	after, err := size()
	if err != nil {
		return 0, fmt.Errorf("sqlite: compact: %w", err)
	}
	return before - after, nil
}
