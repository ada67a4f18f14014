package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
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

	// A page's worth in one call: names any text may hold, and an id twice
	// (the first one wins).
	var batch []vigie.Origin
	var ids []string
	for i := 10; i < 260; i++ {
		o := vigie.Origin{ID: stixID("indicator", i), Hub: "hub-3", Org: "identity--z", OrgName: fmt.Sprintf(`CERT "Nord" \ Électricité ☢ %d`, i), Peer: "p'q"}
		batch, ids = append(batch, o), append(ids, o.ID)
	}
	batch = append(batch, vigie.Origin{ID: batch[0].ID, Hub: "hub-4", Org: "identity--w", Peer: "other"})
	if err := s.RecordOrigins(ctx, batch); err != nil {
		t.Fatal(err)
	}
	got, err = s.Origins(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ids) {
		t.Fatalf("%d origins recorded of %d", len(got), len(ids))
	}
	for _, o := range batch[:len(ids)] {
		if got[o.ID] != o {
			t.Errorf("origin of %s = %+v, want %+v", o.ID, got[o.ID], o)
		}
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
	if err := s.RetractVersions(ctx, c.ID, []vigie.VersionRef{{ID: id, VersionKey: vigie.VersionKey(t0)}}, vigie.TLPAmber); err != nil {
		t.Fatal(err)
	}
	last := tombs(peer, time.Time{})
	if want := id + "@2026-03-01T12:00:00.000Z retracted"; len(last) != 3 || last[2] != want {
		t.Errorf("after RetractVersions: %v; want %s last", last, want)
	}
}

// testEgressPolicies: an organisation's egress policy is stored, replaced
// and cleared; a push peer's is on its row; tombstones obey a policy like
// the versions they stand for (type, ceiling, publisher, owner).
func testEgressPolicies(t *testing.T, s vigie.Store) {
	a, b := MustOrg(t, s, "A"), MustOrg(t, s, "B")
	wantCode(t, s.SetEgressPolicy(ctx, "identity--missing", vigie.EgressPolicy{Types: []string{"indicator"}}), vigie.ENOTFOUND, "SetEgressPolicy(missing)")
	if got, err := s.EgressPolicy(ctx, b.ID); err != nil || !got.IsZero() {
		t.Fatalf("EgressPolicy before any = %+v, %v; want the zero policy", got, err)
	}
	pol := vigie.EgressPolicy{Types: []string{"indicator"}, DenyTypes: []string{"malware"}, MaxTLP: vigie.TLPClear, ExcludeOrgs: []string{a.ID}}
	for _, p := range []vigie.EgressPolicy{{Types: []string{"tool"}}, pol} { // the second replaces the first
		if err := s.SetEgressPolicy(ctx, b.ID, p); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.EgressPolicy(ctx, b.ID); err != nil || !cmp.Equal(got, pol) {
		t.Errorf("EgressPolicy = %+v, %v; want %+v", got, err, pol)
	}
	if err := s.SetEgressPolicy(ctx, b.ID, vigie.EgressPolicy{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.EgressPolicy(ctx, b.ID); !got.IsZero() {
		t.Errorf("after clearing: %+v", got)
	}

	p := &vigie.Peer{Name: "hub-c", URL: "https://hub-c:8443/x/", Key: "vigie_k_s", RemoteCollection: vigie.NewUUID(), LocalCollection: vigie.NewUUID(), Push: true, Created: t0, Policy: pol}
	if err := s.CreatePeer(ctx, p); err != nil {
		t.Fatal(err)
	}
	narrower := vigie.EgressPolicy{ExcludeOrgs: []string{b.ID}}
	if err := s.SetPeerPolicy(ctx, "hub-c", narrower); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FindPeer(ctx, "hub-c"); got == nil || !cmp.Equal(got.Policy, narrower) {
		t.Errorf("peer policy after SetPeerPolicy = %+v; want %+v", got, narrower)
	}
	wantCode(t, s.SetPeerPolicy(ctx, "missing", narrower), vigie.ENOTFOUND, "SetPeerPolicy(missing)")

	// Tombstones of: A's CLEAR indicator, A's GREEN indicator, B's CLEAR
	// malware, B's CLEAR indicator, and an indicator published by B but
	// owned by A (an SCO copy stands for it).
	c := MustCollection(t, s, nil, nil)
	clearA, greenA, malB, indB, ownedA := stixID("indicator", 11), stixID("indicator", 12), stixID("malware", 13), stixID("indicator", 14), stixID("indicator", 15)
	mal := NewIndicator(malB, t0, b.ID, vigie.TLPClear)
	mal.Type = "malware"
	owned := NewIndicator(ownedA, t0, b.ID, vigie.TLPClear)
	owned.Owner = a.ID
	MustAdd(t, s, c, a.ID, NewIndicator(clearA, t0, a.ID, vigie.TLPClear), NewIndicator(greenA, t0, a.ID, vigie.TLPGreen))
	MustAdd(t, s, c, b.ID, mal, NewIndicator(indB, t0, b.ID, vigie.TLPClear), owned)
	if _, err := s.DeleteObjects(ctx, &vigie.ObjectQuery{Collection: c.ID, Scope: vigie.ReadScope{All: true}, Versions: vigie.VersionFilter{All: true}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		pol  vigie.EgressPolicy
		want []string
	}{
		{vigie.EgressPolicy{}, []string{clearA, greenA, malB, indB, ownedA}},
		{vigie.EgressPolicy{MaxTLP: vigie.TLPClear}, []string{clearA, malB, indB, ownedA}},
		{vigie.EgressPolicy{Types: []string{"malware"}}, []string{malB}},
		{vigie.EgressPolicy{DenyTypes: []string{"malware"}}, []string{clearA, greenA, indB, ownedA}},
		{vigie.EgressPolicy{ExcludeOrgs: []string{a.ID}}, []string{malB, indB}},
		{vigie.EgressPolicy{ExcludeOrgs: []string{b.ID}}, []string{clearA, greenA}},
	} {
		scope := vigie.ReadScope{OrgID: b.ID, Member: true, DefaultTLP: vigie.TLPGreen, Egress: true, Policy: tc.pol}
		page, err := s.Tombstones(ctx, &vigie.TombstoneQuery{Collection: c.ID, Scope: scope, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tb := range page.Tombstones {
			got = append(got, tb.ID)
			if !vigie.MaySend(scope, tb.ID, tb.Owner, tb.Sharing) {
				t.Errorf("policy %+v: the store returned tombstone %s that MaySend refuses", tc.pol, tb.ID)
			}
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("policy %+v: tombstones (-want +got):\n%s", tc.pol, diff)
		}
	}

	// A retraction narrowed to GREEN concerns only the peers whose ceiling
	// is CLEAR: they stop reading the version and see the tombstone; a
	// peer reading GREEN does neither. One narrowed above GREEN concerns all.
	d := MustCollection(t, s, nil, nil)
	n1, n2 := stixID("indicator", 21), stixID("indicator", 22)
	MustAdd(t, s, d, a.ID, NewIndicator(n1, t0, a.ID, vigie.TLPClear), NewIndicator(n2, t0, a.ID, vigie.TLPClear))
	if err := s.RetractVersions(ctx, d.ID, []vigie.VersionRef{{ID: n1, VersionKey: vigie.VersionKey(t0)}}, vigie.TLPGreen); err != nil {
		t.Fatal(err)
	}
	if err := s.RetractVersions(ctx, d.ID, []vigie.VersionRef{{ID: n2, VersionKey: vigie.VersionKey(t0)}}, vigie.TLPAmber); err != nil {
		t.Fatal(err)
	}
	clearPeer := vigie.ReadScope{OrgID: b.ID, Member: true, DefaultTLP: vigie.TLPGreen, Egress: true, Policy: vigie.EgressPolicy{MaxTLP: vigie.TLPClear}}
	greenPeer := vigie.ReadScope{OrgID: b.ID, Member: true, DefaultTLP: vigie.TLPGreen, Egress: true}
	publicPeer := vigie.ReadScope{OrgID: b.ID, DefaultTLP: vigie.TLPGreen, Egress: true} // not a member: CLEAR only
	for _, tc := range []struct {
		name        string
		scope       vigie.ReadScope
		reads, tomb []string
	}{
		{"CLEAR ceiling", clearPeer, nil, []string{n1, n2}},
		{"not a member", publicPeer, nil, []string{n1, n2}},
		{"GREEN", greenPeer, []string{n1 + "@2026-03-01T12:00:00.000Z"}, []string{n2}},
	} {
		page := mustQuery(t, s, &vigie.ObjectQuery{Collection: d.ID, Scope: tc.scope, Limit: 100, Versions: vigie.VersionFilter{All: true}})
		if diff := cmp.Diff(tc.reads, ids(page), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: versions read after the retractions (-want +got):\n%s", tc.name, diff)
		}
		tp, err := s.Tombstones(ctx, &vigie.TombstoneQuery{Collection: d.ID, Scope: tc.scope, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tb := range tp.Tombstones {
			got = append(got, tb.ID)
			if !vigie.MaySendTombstone(tc.scope, tb) {
				t.Errorf("%s: the store returned tombstone %s (narrowed to %s) that MaySendTombstone refuses", tc.name, tb.ID, tb.NarrowedTo)
			}
		}
		if diff := cmp.Diff(tc.tomb, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: tombstones (-want +got):\n%s", tc.name, diff)
		}
	}
}
