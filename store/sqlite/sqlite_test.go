package sqlite_test

import (
	"context"
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
