package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vigie-cti/vigie"
)

func testHubIdentity(t *testing.T, s vigie.Store) {
	first, err := s.HubIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.HubIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if first.ID == "" || first.ID != again.ID {
		t.Errorf("HubIdentity ids %q then %q: want one stable id", first.ID, again.ID)
	}
	wantCode(t, s.SetHubOperator(ctx, "identity--missing"), vigie.ENOTFOUND, "SetHubOperator(missing)")
	org := MustOrg(t, s, "CERT")
	if err := s.SetHubOperator(ctx, org.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.HubIdentity(ctx); got.Operator != org.ID || got.ID != first.ID {
		t.Errorf("after SetHubOperator: %+v; want operator %s, id %s", got, org.ID, first.ID)
	}
}

func testPeers(t *testing.T, s vigie.Store) {
	p := &vigie.Peer{Name: "hub-b", URL: "https://hub-b:8443/coalition/", Key: "vigie_abc_secret", KeyID: "abc",
		RemoteCollection: vigie.NewUUID(), LocalCollection: vigie.NewUUID(), Push: true, Created: t0}
	if err := s.CreatePeer(ctx, p); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.CreatePeer(ctx, p), vigie.ECONFLICT, "CreatePeer twice")
	st := vigie.PeerState{Cursor: t0.Add(time.Microsecond), CaughtUp: true, Stats: vigie.RelayStats{Received: 3, Looped: 1}}
	if err := s.SavePeerState(ctx, "hub-b", st); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPeerPaused(ctx, "hub-b", true); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindPeer(ctx, "hub-b")
	if err != nil {
		t.Fatal(err)
	}
	want := *p
	want.Paused, want.State = true, st
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("FindPeer (-want +got):\n%s", diff)
	}
	if got.Key.Reveal() != "vigie_abc_secret" {
		t.Errorf("stored key does not reveal the key given")
	}
	list, err := s.ListPeers(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("ListPeers = %d peers, %v; want 1", len(list), err)
	}
	if err := s.DeletePeer(ctx, "hub-b"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeletePeer(ctx, "hub-b"), vigie.ENOTFOUND, "DeletePeer twice")
	wantCode(t, s.SavePeerState(ctx, "hub-b", st), vigie.ENOTFOUND, "SavePeerState(deleted)")
	_, err = s.FindPeer(ctx, "hub-b")
	wantCode(t, err, vigie.ENOTFOUND, "FindPeer(deleted)")
}

func testOrigins(t *testing.T, s vigie.Store) {
	id := stixID("indicator", 1)
	if err := s.RecordOrigins(ctx, []vigie.Origin{{ID: id, Hub: "hub-1", Org: "identity--x", OrgName: "X", Peer: "b"}}); err != nil {
		t.Fatal(err)
	}
	// An origin never changes: a later claim through another peer is ignored.
	if err := s.RecordOrigins(ctx, []vigie.Origin{{ID: id, Hub: "hub-2", Org: "identity--y", Peer: "c"}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Origins(ctx, []string{id, stixID("indicator", 2)})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]vigie.Origin{id: {ID: id, Hub: "hub-1", Org: "identity--x", OrgName: "X", Peer: "b"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Origins (-want +got):\n%s", diff)
	}
}

// testTombstones: deleting writes one tombstone per version, visible only
// to those who could read the version; retracting writes them too.
func testTombstones(t *testing.T, s vigie.Store) {
	a, b := MustOrg(t, s, "A"), MustOrg(t, s, "B")
	c := MustCollection(t, s, nil, nil)
	green, amber := stixID("indicator", 1), stixID("indicator", 2)
	MustAdd(t, s, c, a.ID, NewIndicator(green, t0, a.ID, vigie.TLPGreen), NewIndicator(green, t0.Add(time.Hour), a.ID, vigie.TLPGreen),
		NewIndicator(amber, t0, a.ID, vigie.TLPAmber))
	for _, id := range []string{green, amber} {
		q := &vigie.ObjectQuery{Collection: c.ID, Scope: vigie.ReadScope{All: true}, IDs: []string{id}, Versions: vigie.VersionFilter{All: true}}
		if _, err := s.DeleteObjects(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	tombs := func(scope vigie.ReadScope, after time.Time) []string {
		p, err := s.Tombstones(ctx, &vigie.TombstoneQuery{Collection: c.ID, Scope: scope, AddedAfter: after, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tb := range p.Tombstones {
			out = append(out, tb.ID+"@"+tb.Version+" "+tb.Kind)
		}
		return out
	}
	g1, g2 := green+"@2026-03-01T12:00:00.000Z deleted", green+"@2026-03-01T13:00:00.000Z deleted"
	peer := vigie.ReadScope{OrgID: b.ID, Member: true, DefaultTLP: vigie.TLPGreen, Egress: true}
	if diff := cmp.Diff([]string{g1, g2}, tombs(peer, time.Time{})); diff != "" {
		t.Errorf("a peer's tombstones (-want +got): the AMBER one must not show\n%s", diff)
	}
	if diff := cmp.Diff([]string{g1, g2, amber + "@2026-03-01T12:00:00.000Z deleted"}, tombs(member(b.ID), time.Time{})); diff != "" {
		t.Errorf("a member's tombstones (-want +got):\n%s", diff)
	}
	if got := tombs(vigie.ReadScope{DefaultTLP: vigie.TLPGreen}, time.Time{}); len(got) != 0 {
		t.Errorf("an anonymous reader's tombstones = %v; want none", got)
	}
	p, _ := s.Tombstones(ctx, &vigie.TombstoneQuery{Collection: c.ID, Scope: peer, Limit: 1})
	if !p.More || len(p.Tombstones) != 1 {
		t.Fatalf("page of 1: %d tombstones, more %v", len(p.Tombstones), p.More)
	}
	if diff := cmp.Diff([]string{g2}, tombs(peer, p.Tombstones[0].DateAdded)); diff != "" {
		t.Errorf("after the first tombstone (-want +got):\n%s", diff)
	}

	id := stixID("indicator", 3)
	MustAdd(t, s, c, a.ID, NewIndicator(id, t0, a.ID, vigie.TLPClear))
	if err := s.RetractVersions(ctx, c.ID, []vigie.VersionRef{{ID: id, VersionKey: vigie.VersionKey(t0)}}); err != nil {
		t.Fatal(err)
	}
	last := tombs(peer, time.Time{})
	if want := id + "@2026-03-01T12:00:00.000Z retracted"; len(last) != 3 || last[2] != want {
		t.Errorf("after RetractVersions: %v; want %s last", last, want)
	}
}
