package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vigie-cti/vigie"
)

// testRelayedSightings: a report is added once per stream position; its
// counts add up per member and day; Sighters counts peer hubs' members
// as pseudonyms; the engine's cursor sees each change; pruning drops old
// ones.
func testRelayedSightings(t *testing.T, s vigie.Store) {
	ind, other := stixID("indicator", 1), stixID("indicator", 2)
	local := MustOrg(t, s, "Local")
	day := vigie.SightingDay(t0)
	sg := func(id, observer string, count int64) vigie.RelayedSighting {
		return vigie.RelayedSighting{IndicatorID: id, Observer: observer, Day: day, Count: count, FirstSeen: t0, LastSeen: t0.Add(time.Minute)}
	}
	add := func(peer string, r *vigie.SightingReport, wantPos int64, wantAdded bool) {
		t.Helper()
		pos, added, err := s.AddRelayedSightings(ctx, peer, r)
		if err != nil || pos != wantPos || added != wantAdded {
			t.Fatalf("AddRelayedSightings(%s, %s %d..%d) = %d, %v, %v; want %d, %v", peer, r.Stream, r.After, r.Through, pos, added, err, wantPos, wantAdded)
		}
	}
	add("identity--peer-a", &vigie.SightingReport{Stream: "s1", After: 0, Through: 10, Sightings: []vigie.RelayedSighting{sg(ind, "aa", 3), sg(ind, "bb", 1)}}, 10, true)
	ids, pos, err := s.RelayedSightingsAfter(ctx, 0, 10)
	if err != nil || !cmp.Equal(ids, []string{ind}) || pos == 0 {
		t.Fatalf("RelayedSightingsAfter(0) = %v, %d, %v", ids, pos, err)
	}
	// The same report again, and one overlapping it: not added.
	add("identity--peer-a", &vigie.SightingReport{Stream: "s1", After: 0, Through: 10, Sightings: []vigie.RelayedSighting{sg(ind, "aa", 3)}}, 10, false)
	add("identity--peer-a", &vigie.SightingReport{Stream: "s1", After: 5, Through: 20, Sightings: []vigie.RelayedSighting{sg(ind, "aa", 3)}}, 10, false)
	// The next one (a gap is no matter: the sender had nothing to send).
	add("identity--peer-a", &vigie.SightingReport{Stream: "s1", After: 15, Through: 30, Sightings: []vigie.RelayedSighting{sg(ind, "aa", 2), sg(other, "cc", 1)}}, 30, true)
	// Another stream, another peer: their own positions.
	add("identity--peer-a", &vigie.SightingReport{Stream: "s2", After: 0, Through: 5}, 5, true)
	add("identity--peer-b", &vigie.SightingReport{Stream: "s1", After: 0, Through: 3, Sightings: []vigie.RelayedSighting{sg(ind, "aa", 7)}}, 3, true)

	if rc, err := s.RelayedCounts(ctx, ind, t0.Add(-time.Hour)); err != nil || rc != (vigie.RelayedCount{Count: 13, Observers: 3}) {
		t.Errorf("RelayedCounts = %+v, %v; want 13 by 3 (aa and bb of peer A, aa of peer B)", rc, err)
	}
	if rc, _ := s.RelayedCounts(ctx, ind, t0.Add(time.Hour)); rc != (vigie.RelayedCount{}) {
		t.Errorf("RelayedCounts since later = %+v; want none", rc)
	}
	if _, err := s.RecordAlerts(ctx, &vigie.AlertBatch{Now: t0, Sightings: []vigie.Sighting{{IndicatorID: ind, OrgID: local.ID, SightingID: "sighting--1", Seen: t0}}}); err != nil {
		t.Fatal(err)
	}
	who, err := s.Sighters(ctx, ind, t0.Add(-time.Hour))
	want := []string{local.ID, "peer:identity--peer-a:aa", "peer:identity--peer-a:bb", "peer:identity--peer-b:aa"}
	if err != nil || !cmp.Equal(who, want) {
		t.Errorf("Sighters = %v, %v; want %v", who, err, want)
	}
	// The engine's cursor: the changes after the first report, whole.
	ids, pos2, err := s.RelayedSightingsAfter(ctx, pos, 10)
	if err != nil || !cmp.Equal(ids, []string{ind, other}) || pos2 <= pos {
		t.Errorf("RelayedSightingsAfter(first) = %v, %d, %v; want both indicators", ids, pos2, err)
	}
	if ids, end, _ := s.RelayedSightingsAfter(ctx, pos2, 10); len(ids) != 0 || end != pos2 {
		t.Errorf("RelayedSightingsAfter(last) = %v, %d; want nothing, %d", ids, end, pos2)
	}
	rep, err := s.Prune(ctx, &vigie.RetentionPolicy{Sightings: time.Hour}, t0.Add(48*time.Hour))
	if err != nil || rep.Sightings < 4 {
		t.Errorf("Prune = %+v, %v; want the relayed sightings gone", rep, err)
	}
	if rc, _ := s.RelayedCounts(ctx, ind, time.Time{}); rc.Count != 0 {
		t.Errorf("after pruning: %+v", rc)
	}
}

// testHubSecret: a hub secret is made once, 32 random bytes, one per name.
func testHubSecret(t *testing.T, s vigie.Store) {
	a, err := s.HubSecret(ctx, "one")
	if err != nil || len(a) != 32 {
		t.Fatalf("HubSecret = %x, %v; want 32 bytes", a, err)
	}
	again, _ := s.HubSecret(ctx, "one")
	other, _ := s.HubSecret(ctx, "two")
	if !bytes.Equal(a, again) || bytes.Equal(a, other) {
		t.Errorf("HubSecret: %x then %x; other name %x: want the same for one name, another for another", a, again, other)
	}
}
