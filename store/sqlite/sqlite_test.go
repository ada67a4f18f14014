package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/store/sqlite"
	"github.com/vigie-cti/vigie/store/storetest"
)

// MustOpen opens a store in a new temporary directory.
func MustOpen(tb testing.TB) vigie.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "vigie.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) vigie.Store { return MustOpen(tb) })
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigie.db")
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	org := storetest.MustOrg(t, s, "A")
	s.Close()
	s, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen (migrations must be idempotent): %v", err)
	}
	defer s.Close()
	if _, err := s.FindOrg(ctx, org.ID); err != nil {
		t.Errorf("organisation lost after reopen: %v", err)
	}
}

// TestAuditTamper edits and deletes audit entries with SQL, through a
// connection of its own, and checks that verification names them.
func TestAuditTamper(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigie.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.AuditTamper(t, s, func(stmt string) error {
		_, err := db.Exec(stmt)
		return err
	})
}

func FuzzTextQuery(f *testing.F) { storetest.FuzzTextQuery(f, MustOpen(f)) }
