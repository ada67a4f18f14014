package storetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
)

// entry returns an audit entry of org at t0+min minutes.
func entry(org, action string, min int) *vigie.AuditEntry {
	return &vigie.AuditEntry{Time: t0.Add(time.Duration(min) * time.Minute), OrgID: org, KeyID: "k" + org, Role: vigie.RolePublisher,
		Addr: "192.0.2.1", Action: action, Target: "t", Outcome: vigie.OutcomeSuccess, Detail: []byte(`{"n":1}`)}
}

// MustVerifyAudit reads the whole log of s and checks its chain and
// head; it returns the first error found, nil when the log is intact.
func MustVerifyAudit(tb testing.TB, s vigie.Store) error {
	tb.Helper()
	var chain vigie.AuditChain
	after, hash, err := s.AuditCheckpoint(ctx) // where retention left the log's start
	if err != nil {
		tb.Fatalf("AuditCheckpoint: %v", err)
	}
	chain.StartAt(after, hash)
	for {
		es, err := s.AuditEntries(ctx, &vigie.AuditQuery{After: after, Limit: 3})
		if err != nil {
			tb.Fatalf("AuditEntries: %v", err)
		}
		for _, e := range es {
			if err := chain.Next(e); err != nil {
				return err
			}
			after = e.Seq
		}
		if len(es) < 3 {
			break
		}
	}
	seq, hash, err := s.AuditHead(ctx)
	if err != nil {
		tb.Fatalf("AuditHead: %v", err)
	}
	return chain.End(seq, hash)
}

func testAudit(t *testing.T, s vigie.Store) {
	if err := MustVerifyAudit(t, s); err != nil {
		t.Fatalf("empty log: %v", err)
	}
	if err := s.AppendAudit(ctx, entry("A", vigie.AuditWatchAdd, 0), entry("B", vigie.AuditWatchAdd, 1)); err != nil {
		t.Fatal(err)
	}
	e := entry("A", vigie.AuditKeyAdd, 2)
	e.OrgID, e.TargetOrg = "", "B"
	if err := s.AppendAudit(ctx, e); err != nil {
		t.Fatal(err)
	}
	if e.Seq != 3 || e.Prev == "" || len(e.Hash) != 64 {
		t.Errorf("sealed entry: seq %d prev %q hash %q", e.Seq, e.Prev, e.Hash)
	}
	if err := MustVerifyAudit(t, s); err != nil {
		t.Errorf("verify: %v", err)
	}
	all, err := s.AuditEntries(ctx, &vigie.AuditQuery{})
	if err != nil || len(all) != 3 {
		t.Fatalf("all entries: %d, %v", len(all), err)
	}
	if got := all[2]; got.Hash != e.Hash || !got.Time.Equal(e.Time) || string(got.Detail) != `{"n":1}` || got.TargetOrg != "B" || got.Role != vigie.RolePublisher {
		t.Errorf("read back %+v, want %+v", got, e)
	}
	for _, tc := range []struct {
		q    vigie.AuditQuery
		want []int64
	}{
		{vigie.AuditQuery{After: 1}, []int64{2, 3}},
		{vigie.AuditQuery{Since: t0.Add(time.Minute)}, []int64{2, 3}},
		{vigie.AuditQuery{OrgID: "A"}, []int64{1}},
		{vigie.AuditQuery{OrgID: "B"}, []int64{2, 3}}, // actor or target
		{vigie.AuditQuery{Limit: 1}, []int64{1}},
	} {
		es, err := s.AuditEntries(ctx, &tc.q)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, e := range es {
			got = append(got, e.Seq)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("AuditEntries(%+v) = %v, want %v", tc.q, got, tc.want)
		}
	}

	// A POST is audited in its own transaction: a failed one leaves no entry.
	org := MustOrg(t, s, "Org")
	c := MustCollection(t, s, nil, nil)
	st := &vigie.Status{ID: vigie.NewUUID(), Root: c.Root, OrgID: org.ID, RequestTime: t0, Total: 1}
	pub := entry(org.ID, vigie.AuditPublish, 3)
	if err := s.AddObjects(ctx, c.ID, []*vigie.Object{NewIndicator(stixID("indicator", 1), t0, org.ID, vigie.TLPGreen)}, st, pub); err != nil {
		t.Fatal(err)
	}
	if pub.Seq != 4 {
		t.Errorf("publish entry at %d, want 4", pub.Seq)
	}
	bad := entry(org.ID, vigie.AuditPublish, 4)
	err = s.AddObjects(ctx, vigie.NewUUID(), nil, &vigie.Status{ID: vigie.NewUUID(), Root: c.Root, OrgID: org.ID, RequestTime: t0}, bad)
	wantCode(t, err, vigie.ENOTFOUND, "AddObjects into no collection")
	if head, _, _ := s.AuditHead(ctx); head != 4 {
		t.Errorf("after a failed POST the head is %d, want 4", head)
	}

	// Appends of many writers form one chain.
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				if err := s.AppendAudit(ctx, entry(fmt.Sprint("W", w), vigie.AuditWatchAdd, i)); err != nil {
					t.Errorf("concurrent append: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if head, _, _ := s.AuditHead(ctx); head != 44 {
		t.Errorf("head %d after 40 concurrent appends, want 44", head)
	}
	if err := MustVerifyAudit(t, s); err != nil {
		t.Errorf("verify after concurrent appends: %v", err)
	}
}

// AuditTamper checks that editing or removing entries in the database
// breaks the chain, naming the entry. exec runs one SQL statement on the
// database of s, behind the store's back (as an intruder would).
func AuditTamper(t *testing.T, s vigie.Store, exec func(stmt string) error) {
	for i := 0; i < 6; i++ {
		if err := s.AppendAudit(ctx, entry("A", vigie.AuditWatchAdd, i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := MustVerifyAudit(t, s); err != nil {
		t.Fatalf("intact log: %v", err)
	}
	for _, tc := range []struct {
		stmt, want string
	}{
		{`UPDATE audit SET reason = 'nothing to see' WHERE seq = 2`, "audit entry 2 does not match its hash"},
		{`UPDATE audit SET reason = '' WHERE seq = 2`, ""}, // put back: intact again
		{`DELETE FROM audit WHERE seq = 4`, "audit entry 5 follows entry 3: entries 4 to 4 are missing"},
		{`DELETE FROM audit WHERE seq >= 4`, "head names entry 6: entries 4 to 6 were removed"},
	} {
		if err := exec(tc.stmt); err != nil {
			t.Fatalf("%s: %v", tc.stmt, err)
		}
		err := MustVerifyAudit(t, s)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("after %s: %v", tc.stmt, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("after %s: verify says %v, want %q", tc.stmt, err, tc.want)
		}
	}
}
