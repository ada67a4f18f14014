package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/vigie-cti/vigie/store/sqlite"
	"github.com/vigie-cti/vigie/store/storetest"
)

// TestClockBackward: date_added keeps increasing when the clock jumps back.
func TestClockBackward(t *testing.T) {
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
	storetest.ClockBackward(t, s, func(stmt string) error {
		_, err := db.Exec(stmt)
		return err
	})
}
