package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie"
)

// testOwners checks the ownership records: AddObjects records the first
// owner of an id across collections, keeps it when the objects are
// deleted, refuses (ECONFLICT, storing nothing) an object whose Owner
// disagrees with the record, and stores the author of each version.
func testOwners(t *testing.T, s vigie.Store) {
	a, b := MustOrg(t, s, "A"), MustOrg(t, s, "B")
	c1, c2 := MustCollection(t, s, nil, nil), MustCollection(t, s, nil, nil)
	id, sco := stixID("indicator", 1), "ipv4-addr--00000000-0000-5000-8000-000000000001"
	owned := func(o *vigie.Object, owner, author, digest string) *vigie.Object {
		o.Owner, o.Author, o.Digest = owner, author, digest
		return o
	}
	scoObj := &vigie.Object{ID: sco, Type: "ipv4-addr", SpecVersion: "2.1", VersionKey: "0000-00-00T00:00:00.000000000Z",
		Sharing: vigie.Sharing{Publisher: a.ID}, Raw: []byte(`{"type":"ipv4-addr","id":"` + sco + `","value":"198.51.100.7"}`)}
	MustAdd(t, s, c1, a.ID, owned(NewIndicator(id, t0, a.ID, 0), a.ID, "identity--mitre", ""), owned(scoObj, a.ID, "", "d1"))

	got, err := s.ObjectOwners(ctx, []string{id, sco, "indicator--unknown"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]vigie.Ownership{
		id:  {ID: id, Owner: a.ID, Author: "identity--mitre"},
		sco: {ID: sco, Owner: a.ID, Digest: "d1"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ObjectOwners (-want +got):\n%s", diff)
	}
	p := mustQuery(t, s, &vigie.ObjectQuery{Collection: c1.ID, Scope: member(a.ID), IDs: []string{id}})
	if len(p.Objects) != 1 || p.Objects[0].Author != "identity--mitre" {
		t.Errorf("Objects: the version's author is lost: %+v", p.Objects)
	}

	// A version under another owner than the record's: ECONFLICT, and
	// nothing of the call is stored, not even its other objects.
	other := stixID("indicator", 2)
	st := &vigie.Status{ID: vigie.NewUUID(), Root: c2.Root, OrgID: b.ID, RequestTime: t0, Total: 2}
	err = s.AddObjects(ctx, c2.ID, []*vigie.Object{
		owned(NewIndicator(other, t0, b.ID, 0), b.ID, "", ""),
		owned(NewIndicator(id, t0.Add(time.Hour), b.ID, 0), b.ID, "", ""),
	}, st)
	wantCode(t, err, vigie.ECONFLICT, "AddObjects(another owner's id)")
	if p := mustQuery(t, s, &vigie.ObjectQuery{Collection: c2.ID, Scope: member(b.ID), Versions: vigie.VersionFilter{All: true}}); len(p.Objects) != 0 {
		t.Errorf("after ECONFLICT, stored %v", ids(p))
	}
	if _, err := s.FindStatus(ctx, st.ID); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("after ECONFLICT, the status was stored (%v)", err)
	}
	got, _ = s.ObjectOwners(ctx, []string{other})
	if len(got) != 0 {
		t.Errorf("after ECONFLICT, %s has an owner: %+v", other, got)
	}

	// A copy by B that names the record's owner is stored, in another
	// collection; the record does not change.
	cp := *scoObj
	cp.Publisher = b.ID
	MustAdd(t, s, c2, b.ID, owned(&cp, a.ID, "", "d1"))
	// Objects without Owner (the TLP definitions) get no record.
	tlp := NewIndicator(vigie.MarkingRed, t0, b.ID, 0)
	MustAdd(t, s, c2, b.ID, tlp)

	// Deleting every version keeps the record: a tombstone.
	n, err := s.DeleteObjects(ctx, &vigie.ObjectQuery{Collection: c1.ID, Scope: member(a.ID), IDs: []string{id, sco}, Versions: vigie.VersionFilter{All: true}})
	if err != nil || n != 2 {
		t.Fatalf("DeleteObjects = %d, %v; want 2", n, err)
	}
	got, err = s.ObjectOwners(ctx, []string{id, sco, vigie.MarkingRed})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ObjectOwners after deletion (-want +got):\n%s", diff)
	}
	// The owner publishes the id again.
	MustAdd(t, s, c1, a.ID, owned(NewIndicator(id, t0, a.ID, 0), a.ID, "", ""))

	// Many ids in one look-up.
	var many []*vigie.Object
	var manyIDs []string
	for i := 100; i < 1300; i++ {
		many = append(many, owned(NewIndicator(stixID("indicator", i), t0, b.ID, 0), b.ID, "", ""))
		manyIDs = append(manyIDs, stixID("indicator", i))
	}
	MustAdd(t, s, c2, b.ID, many...)
	got, err = s.ObjectOwners(ctx, manyIDs)
	if err != nil || len(got) != len(manyIDs) {
		t.Errorf("ObjectOwners of %d ids = %d records, %v", len(manyIDs), len(got), err)
	}
}
