package storetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
)

// moveCursor sets the engine's cursor of collection c as a batch does.
func moveCursor(t *testing.T, s vigie.Store, c *vigie.Collection, to time.Time) {
	t.Helper()
	name := "engine:" + c.ID
	from, err := s.Cursor(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordAlerts(ctx, &vigie.AlertBatch{Now: t0, CursorsFrom: map[string]int64{name: from}, CursorsTo: map[string]int64{name: to.UnixMicro()}}); err != nil {
		t.Fatalf("RecordAlerts: %v", err)
	}
}

func testStats(t *testing.T, s vigie.Store) {
	a := MustOrg(t, s, "A")
	c := MustCollection(t, s, nil, nil)
	MustAdd(t, s, c, a.ID, NewIndicator(stixID("indicator", 1), t0, a.ID, 0), NewIndicator(stixID("indicator", 2), t0, a.ID, 0))
	now := time.Now().Add(time.Minute)
	got, err := s.Stats(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if got.Rows["objects"] != 2 || got.Rows["statuses"] != 1 || got.Bytes <= 0 || len(got.Collections) != 1 {
		t.Fatalf("Stats: %+v", got)
	}
	cs := got.Collections[0]
	if cs.ID != c.ID || cs.Objects != 2 || cs.EngineBehind != 2 || cs.EngineLag < time.Minute {
		t.Errorf("before the engine ran: %+v", cs)
	}
	moveCursor(t, s, c, now)
	got, err = s.Stats(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if cs := got.Collections[0]; cs.EngineBehind != 0 || cs.EngineLag != 0 {
		t.Errorf("after the engine ran: %+v", cs)
	}
}

// stixObject returns a stored version of a STIX object with extra
// properties.
func stixObject(id, typ string, modified time.Time, publisher string, props map[string]any) *vigie.Object {
	version := modified.UTC().Format("2006-01-02T15:04:05.000Z")
	m := map[string]any{"type": typ, "spec_version": "2.1", "id": id, "created": "2026-01-01T00:00:00.000Z", "modified": version}
	for k, v := range props {
		m[k] = v
	}
	raw, _ := json.Marshal(m)
	return &vigie.Object{ID: id, Type: typ, SpecVersion: "2.1", Version: version, VersionKey: vigie.VersionKey(modified),
		Sharing: vigie.Sharing{Publisher: publisher}, Owner: publisher, Raw: raw}
}

func testPrune(t *testing.T, s vigie.Store) {
	a := MustOrg(t, s, "A")
	c, fresh := MustCollection(t, s, nil, nil), MustCollection(t, s, nil, nil)
	versioned, single, expired, revoked, valid := stixID("indicator", 1), stixID("indicator", 2), stixID("indicator", 3), stixID("malware", 4), stixID("indicator", 5)
	for i := 0; i < 3; i++ {
		MustAdd(t, s, c, a.ID, stixObject(versioned, "indicator", t0.Add(time.Duration(i)*time.Hour), a.ID, nil))
	}
	MustAdd(t, s, c, a.ID,
		stixObject(single, "indicator", t0, a.ID, nil),
		stixObject(expired, "indicator", t0, a.ID, map[string]any{"valid_until": "2026-01-02T00:00:00Z"}),
		stixObject(revoked, "malware", t0, a.ID, map[string]any{"revoked": true}),
		stixObject(valid, "indicator", t0, a.ID, map[string]any{"valid_until": "2999-01-01T00:00:00Z"}))
	MustAdd(t, s, c, a.ID, stixObject(expired, "indicator", t0.Add(time.Hour), a.ID, map[string]any{"valid_until": "2026-01-02T00:00:00Z"}))
	// The other collection: versions the engine has not evaluated yet.
	for i := 0; i < 2; i++ {
		MustAdd(t, s, fresh, a.ID, stixObject(versioned, "indicator", t0.Add(time.Duration(i)*time.Hour), a.ID, nil))
	}
	later := time.Now().Add(48 * time.Hour)
	moveCursor(t, s, c, later)

	if _, err := s.Prune(ctx, &vigie.RetentionPolicy{Collections: map[string]vigie.CollectionRetention{"no-such": {Versions: time.Hour}}}, later); vigie.ErrorCode(err) != vigie.EINVALID {
		t.Errorf("unknown collection: %v, want EINVALID", err)
	}
	// Defaults keep everything.
	if rep, err := s.Prune(ctx, &vigie.RetentionPolicy{}, later); err != nil || *rep != (vigie.PruneReport{}) {
		t.Errorf("empty policy: %+v %v", rep, err)
	}
	rep, err := s.Prune(ctx, &vigie.RetentionPolicy{
		Collections: map[string]vigie.CollectionRetention{"*": {Versions: 24 * time.Hour, Expired: 24 * time.Hour}},
		Statuses:    24 * time.Hour, Sightings: 24 * time.Hour, Deliveries: 24 * time.Hour,
	}, later)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Versions != 3 || rep.Expired != 2 || rep.Statuses != 7 {
		t.Errorf("report %+v, want 3 old versions (2 of one id, 1 of the expired one), 2 expired versions (the expired and the revoked one's latest), 7 statuses", rep)
	}
	all := func(coll *vigie.Collection) map[string]int {
		p := mustQuery(t, s, &vigie.ObjectQuery{Collection: coll.ID, Scope: vigie.ReadScope{All: true}, Versions: vigie.VersionFilter{All: true}, Limit: 100})
		out := map[string]int{}
		for _, o := range p.Objects {
			out[o.ID]++
		}
		return out
	}
	got := all(c)
	want := map[string]int{versioned: 1, single: 1, valid: 1}
	if len(got) != len(want) || got[versioned] != 1 || got[single] != 1 || got[valid] != 1 {
		t.Errorf("kept %v, want %v", got, want)
	}
	if p := mustQuery(t, s, &vigie.ObjectQuery{Collection: c.ID, Scope: vigie.ReadScope{All: true}, IDs: []string{versioned}}); len(p.Objects) != 1 || p.Objects[0].Version != t0.Add(2*time.Hour).Format("2006-01-02T15:04:05.000Z") {
		t.Errorf("the latest version is not the one kept: %v", ids(p))
	}
	if got := all(fresh); got[versioned] != 2 {
		t.Errorf("versions the engine has not evaluated were pruned: %v", got)
	}
	// Federation peers are told: a tombstone per pruned version.
	tp, err := s.Tombstones(ctx, &vigie.TombstoneQuery{Collection: c.ID, Scope: vigie.ReadScope{All: true}, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(tp.Tombstones) != rep.Versions+rep.Expired {
		t.Errorf("%d tombstones, want one per pruned version (%d)", len(tp.Tombstones), rep.Versions+rep.Expired)
	}
	// Removed ids stay owned: another organisation cannot claim them.
	owners, err := s.ObjectOwners(ctx, []string{expired, revoked})
	if err != nil || owners[expired].Owner != a.ID || owners[revoked].Owner != a.ID {
		t.Errorf("ownership records after pruning: %+v %v", owners, err)
	}
	if n, err := s.Compact(ctx); err != nil || n < 0 {
		t.Errorf("Compact: %d %v", n, err)
	}
}

func testPruneAudit(t *testing.T, s vigie.Store) {
	for i := 0; i < 5; i++ {
		if err := s.AppendAudit(ctx, entry("A", vigie.AuditWatchAdd, i*60)); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := s.Prune(ctx, &vigie.RetentionPolicy{Audit: 150 * time.Minute}, t0.Add(5*time.Hour))
	if err != nil || rep.Audit != 3 {
		t.Fatalf("prune: %+v %v, want 3 audit entries (t0, +1h, +2h are over 2.5 h before +5h)", rep, err)
	}
	if seq, hash, err := s.AuditCheckpoint(ctx); err != nil || seq != 3 || len(hash) != 64 {
		t.Errorf("checkpoint %d %q %v", seq, hash, err)
	}
	if err := MustVerifyAudit(t, s); err != nil {
		t.Errorf("the pruned log does not verify: %v", err)
	}
	es, _ := s.AuditEntries(ctx, &vigie.AuditQuery{})
	if len(es) != 2 || es[0].Seq != 4 {
		t.Errorf("entries kept: %d, first %+v", len(es), es)
	}
	// The last entry is never pruned: the head must chain to something.
	if rep, err := s.Prune(ctx, &vigie.RetentionPolicy{Audit: time.Minute}, t0.Add(100*time.Hour)); err != nil || rep.Audit != 1 {
		t.Errorf("prune all: %+v %v, want 1 (the last kept)", rep, err)
	}
	if err := MustVerifyAudit(t, s); err != nil {
		t.Errorf("after pruning all but the last: %v", err)
	}
	if err := s.AppendAudit(ctx, entry("A", vigie.AuditWatchAdd, 6000)); err != nil {
		t.Fatal(err)
	}
	if err := MustVerifyAudit(t, s); err != nil {
		t.Errorf("appending after pruning: %v", err)
	}
}

// ClockBackward checks that date_added strictly increases when the
// clock jumps backward: exec (a statement behind the store's back) moves
// the collection's last date_added an hour ahead of the clock, as if the
// clock had been an hour fast and was then set right; the next objects
// still get later dates, and a reader paging with added_after from the
// last date it saw misses none of them.
func ClockBackward(t *testing.T, s vigie.Store, exec func(stmt string) error) {
	a := MustOrg(t, s, "A")
	c := MustCollection(t, s, nil, nil)
	MustAdd(t, s, c, a.ID, NewIndicator(stixID("indicator", 1), t0, a.ID, 0))
	ahead := time.Now().Add(time.Hour).UnixMicro()
	if err := exec(`UPDATE collections SET last_added = ` + itoa(ahead) + ` WHERE id = '` + c.ID + `'`); err != nil {
		t.Fatal(err)
	}
	seen := mustQuery(t, s, &vigie.ObjectQuery{Collection: c.ID, Scope: member(a.ID), Limit: 10})
	last := seen.Objects[len(seen.Objects)-1].DateAdded
	MustAdd(t, s, c, a.ID, NewIndicator(stixID("indicator", 2), t0, a.ID, 0), NewIndicator(stixID("indicator", 3), t0, a.ID, 0))
	MustAdd(t, s, c, a.ID, NewIndicator(stixID("indicator", 4), t0, a.ID, 0))
	p := mustQuery(t, s, &vigie.ObjectQuery{Collection: c.ID, Scope: member(a.ID), AddedAfter: last, Limit: 10})
	if len(p.Objects) != 3 {
		t.Fatalf("after the clock jumped back, a reader from the last date it saw gets %v, want the 3 new objects", ids(p))
	}
	prev := last
	for _, o := range p.Objects {
		if !o.DateAdded.After(prev) || o.DateAdded.UnixMicro() <= ahead {
			t.Errorf("date_added %v of %s does not follow %v (the collection's last was %v)", o.DateAdded, o.ID, prev, time.UnixMicro(ahead).UTC())
		}
		prev = o.DateAdded
	}
}

func itoa(n int64) string { return fmt.Sprint(n) }
