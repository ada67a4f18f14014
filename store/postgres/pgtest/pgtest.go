// Package pgtest gives tests a fresh PostgreSQL schema of their own. The
// server is taken from $VIGIE_TEST_POSTGRES (default: the local one,
// postgres://postgres@127.0.0.1:5432/test); where none answers, the test
// is skipped with a message that says so.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"github.com/vigie-cti/vigie/store/postgres"
)

// DefaultURL is the PostgreSQL the tests use unless $VIGIE_TEST_POSTGRES
// names another.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// URL creates a new, empty schema and returns a database URL whose
// search_path selects it; the schema is dropped when the test ends.
func URL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("VIGIE_TEST_POSTGRES")
	if base == "" {
		base = DefaultURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", base)
	if err == nil {
		err = admin.PingContext(ctx)
	}
	if err != nil {
		tb.Skipf("PostgreSQL tests skipped: no server at %s (%v); start one or set VIGIE_TEST_POSTGRES", base, err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "vigie_test_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a store on a new, empty schema, closed when the test ends.
func Open(tb testing.TB) *postgres.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), URL(tb))
	if err != nil {
		tb.Fatalf("postgres.Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}
