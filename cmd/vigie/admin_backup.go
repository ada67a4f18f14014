package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/backup"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/store/sqlite"
)

// pgBackupHint is what backup and restore say of a PostgreSQL hub.
const pgBackupHint = `this hub's database is PostgreSQL: back it up with pg_dump --format=custom and restore it with pg_restore (see "Backup and restore" in the README); "vigie admin backup" copies SQLite hubs`

// adminBackup is "vigie admin backup FILE": a consistent copy of a running
// or stopped SQLite hub and the other files of its data directory, in one
// archive.
func (a *admin) adminBackup(ctx context.Context, args []string) error {
	fs := a.flags("backup", "--data DIR backup FILE",
		"Write a backup of the hub to FILE (a new file; .tar.gz): a consistent copy of the database,\ntaken while the hub runs (SQLite's VACUUM INTO: one snapshot, writers are not stopped),\nand every other file of the data directory (the TLS certificate and key, ...).\n\"vigie admin restore FILE --data NEWDIR\" makes a hub of it.\n\nExample:\n  vigie admin --data /var/lib/vigie backup /backup/vigie-$(date +%F).tar.gz")
	arg, err := oneArg(fs, args, "want the backup FILE")
	if err != nil {
		return err
	}
	out := arg
	dbFile := sqliteFile(a.data, a.db)
	if dbFile == "" {
		return errors.New(pgBackupHint)
	}
	if err := requireHub(a.data, a.db); err != nil {
		return err
	}
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s exists; name a new file", out)
	}
	work, err := os.MkdirTemp(filepath.Dir(out), ".vigie-backup-")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(work)
	snap := filepath.Join(work, "vigie.db")
	start := time.Now()
	if err := sqlite.Backup(ctx, dbFile, snap); err != nil {
		return err
	}
	srcs := []backup.Source{{Name: "vigie.db", Path: snap}}
	others, err := dataFiles(a.data, dbFile, out)
	if err != nil {
		return err
	}
	srcs = append(srcs, others...)
	tmp := filepath.Join(work, "archive")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	m, err := backup.Write(f, srcs, buildVersion(), time.Now())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil { // the archive appears whole or not at all
		return fmt.Errorf("backup: %w", err)
	}
	st, _ := os.Stat(out)
	fmt.Fprintf(a.stdio.Out, "backup %s: %d files, %d bytes, in %s\n", out, len(m.Files), st.Size(), time.Since(start).Round(time.Millisecond))
	return nil
}

// dataFiles lists the files of the data directory to archive beside the
// database: every regular file but the database's own (and its WAL and
// journal files) and the backup being written. A missing directory has
// none (a --db sqlite:PATH hub may have no data directory).
func dataFiles(dir, dbFile, out string) ([]backup.Source, error) {
	skip := map[string]bool{}
	for _, p := range []string{dbFile, dbFile + "-wal", dbFile + "-shm", dbFile + "-journal", out} {
		if abs, err := filepath.Abs(p); err == nil {
			skip[abs] = true
		}
	}
	var srcs []backup.Source
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == dir {
			return filepath.SkipDir
		}
		if err != nil {
			return err
		}
		abs, _ := filepath.Abs(p)
		if !d.Type().IsRegular() || skip[abs] || strings.HasPrefix(d.Name(), ".vigie-backup-") {
			if d.IsDir() && strings.HasPrefix(d.Name(), ".vigie-backup-") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		srcs = append(srcs, backup.Source{Name: filepath.ToSlash(rel), Path: p})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup: data directory: %w", err)
	}
	return srcs, nil
}

// adminRestore is "vigie admin restore FILE --data NEWDIR".
func (a *admin) adminRestore(ctx context.Context, args []string) error {
	flags := a.flags("restore", "restore FILE --data NEWDIR",
		"Make a hub in NEWDIR (missing, its parent existing, or empty) from a backup written by\n\"vigie admin backup\". The archive is checked whole (every file's SHA-256, the database's\nintegrity, the audit log's chain) in a temporary directory beside NEWDIR, which becomes\nNEWDIR only when all is well: a damaged backup leaves nothing behind.\n\nExample:\n  vigie admin restore /backup/vigie-2026-12-06.tar.gz --data /var/lib/vigie-restored")
	pos, err := parseInterleaved(flags, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError(flags, "want the backup FILE")
	}
	if strings.HasPrefix(a.db, "postgres") {
		return errors.New(pgBackupHint)
	} else if a.db != "" {
		return usageError(flags, "restore makes NEWDIR/vigie.db: name NEWDIR with --data, not --db")
	}
	dest := filepath.Clean(a.data)
	if entries, err := os.ReadDir(dest); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty; restore into a new or empty directory", dest)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("restore: %w", err)
	}
	in, err := os.Open(pos[0])
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer in.Close()
	work, err := os.MkdirTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".restore-")
	if err != nil {
		return fmt.Errorf("restore: %w (does %s exist?)", err, filepath.Dir(dest))
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(work)
		}
	}()
	m, err := backup.Extract(in, work, backup.Limits{})
	if err != nil {
		return err
	}
	dbFile := filepath.Join(work, "vigie.db")
	if _, err := os.Stat(dbFile); err != nil {
		return errors.New("restore: the backup holds no vigie.db")
	}
	if err := sqlite.Check(ctx, dbFile); err != nil {
		return err
	}
	n, err := checkRestored(ctx, dbFile)
	if err != nil {
		return err
	}
	if err := os.Remove(dest); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("restore: %w", err)
	}
	if err := os.Rename(work, dest); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	ok = true
	fmt.Fprintf(a.stdio.Out, "restored %d files of the backup of %s into %s; audit log intact (%d entries)\n",
		len(m.Files), m.Created.Format(time.RFC3339), dest, n)
	return nil
}

// checkRestored opens a restored database (which brings its schema up to
// this version's) and verifies its audit log; it returns the number of
// entries checked.
func checkRestored(ctx context.Context, dbFile string) (int64, error) {
	s, err := sqlite.Open(ctx, dbFile)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	n, err := hub.New(s, hub.Config{}, time.Now).VerifyAudit(ctx, hub.Console())
	if vigie.ErrorCode(err) == vigie.EINVALID {
		return n, fmt.Errorf("restore: the backup's audit log is broken: %s", vigie.ErrorMessage(err))
	}
	return n, err
}
