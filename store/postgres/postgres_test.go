package postgres_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/store/postgres"
	"github.com/vigie-cti/vigie/store/postgres/pgtest"
	"github.com/vigie-cti/vigie/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) vigie.Store { return pgtest.Open(tb) })
}

// TestConcurrentOpen starts several processes' worth of stores on one new
// database at once: the migrations must run exactly once.
func TestConcurrentOpen(t *testing.T) {
	url := pgtest.URL(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := postgres.Open(context.Background(), url)
			if err != nil {
				errs <- err
				return
			}
			s.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Open: %v", err)
	}
}

func TestOpenRejectsBadURL(t *testing.T) {
	for _, u := range []string{"mysql://x", "postgres://h/db?pool_max_conns=many"} {
		if _, err := postgres.Open(context.Background(), u); err == nil {
			t.Errorf("Open(%q) accepted", u)
		}
	}
}

// TestNotifyReachesOtherStores checks that a notification sent through one
// store (process) reaches a listener on another.
func TestNotifyReachesOtherStores(t *testing.T) {
	url := pgtest.URL(t)
	a, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan string, 10)
	go b.Listen(ctx, []string{"vigie_test"}, func(c string) { got <- c })
	deadline := time.After(10 * time.Second)
	for {
		if err := a.Notify(ctx, "vigie_test"); err != nil {
			t.Fatal(err)
		}
		select {
		case c := <-got:
			if c != "vigie_test" {
				t.Errorf("channel %q", c)
			}
			return
		case <-time.After(100 * time.Millisecond): // the listener may not be up yet
		case <-deadline:
			t.Fatal("no notification received")
		}
	}
}

// TestAuditTamper edits and deletes audit entries with SQL, through a
// connection of its own, and checks that verification names them.
func TestAuditTamper(t *testing.T) {
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
	storetest.AuditTamper(t, s, func(stmt string) error {
		_, err := db.Exec(stmt)
		return err
	})
}

// TestLeadPerSchema: two hubs in two schemas of one database each lead
// their own jobs (advisory locks belong to the database), while two
// stores on one schema still share them.
func TestLeadPerSchema(t *testing.T) {
	ctx := context.Background()
	urlA := pgtest.URL(t)
	hubA, err := postgres.Open(ctx, urlA)
	if err != nil {
		t.Fatal(err)
	}
	defer hubA.Close()
	hubB := pgtest.Open(t)
	releaseA, ok, err := hubA.TryLead(ctx, "alert-engine")
	if err != nil || !ok {
		t.Fatalf("hub A: TryLead = %v, %v", ok, err)
	}
	defer releaseA()
	releaseB, ok, err := hubB.TryLead(ctx, "alert-engine")
	if err != nil || !ok {
		t.Fatalf("hub B, another schema, could not lead its own engine: %v, %v", ok, err)
	}
	defer releaseB()

	again, err := postgres.Open(ctx, urlA)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if r, ok, _ := again.TryLead(ctx, "alert-engine"); ok {
		r()
		t.Error("a second process on hub A's schema led the job hub A leads")
	}
}

func FuzzTextQuery(f *testing.F) { storetest.FuzzTextQuery(f, pgtest.Open(f)) }
