package postgres_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/vigie-cti/vigie/store/postgres"
	"github.com/vigie-cti/vigie/store/postgres/pgtest"
	"github.com/vigie-cti/vigie/store/storetest"
)

// TestClockBackward: date_added keeps increasing when the clock jumps back.
func TestClockBackward(t *testing.T) {
	url := pgtest.URL(t)
	s, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.ClockBackward(t, s, func(stmt string) error {
		_, err := db.Exec(stmt)
		return err
	})
}
