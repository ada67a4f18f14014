package storetest

import (
	"sync"
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

// testOwnerFirstVersionDeleted checks that the author recorded for an id
// stays the first version's when that version is deleted before the others.
func testOwnerFirstVersionDeleted(t *testing.T, s vigie.Store) {
	a := MustOrg(t, s, "A")
	c := MustCollection(t, s, nil, nil)
	id := stixID("indicator", 7)
	v1, v2 := NewIndicator(id, t0, a.ID, 0), NewIndicator(id, t0.Add(time.Hour), a.ID, 0)
	v1.Owner, v1.Author = a.ID, "identity--first"
	v2.Owner, v2.Author = a.ID, "identity--second"
	MustAdd(t, s, c, a.ID, v1)
	MustAdd(t, s, c, a.ID, v2)
	n, err := s.DeleteObjects(ctx, &vigie.ObjectQuery{Collection: c.ID, Scope: member(a.ID), IDs: []string{id}, Versions: vigie.VersionFilter{First: true}})
	if err != nil || n != 1 {
		t.Fatalf("DeleteObjects(first version) = %d, %v; want 1", n, err)
	}
	for _, step := range []string{"after deleting the first version", "after deleting every version"} {
		got, err := s.ObjectOwners(ctx, []string{id})
		if err != nil {
			t.Fatal(err)
		}
		if w := got[id]; w.Owner != a.ID || w.Author != "identity--first" {
			t.Errorf("%s: ObjectOwners = %+v, want owner %s and the first version's author", step, w, a.ID)
		}
		if _, err := s.DeleteObjects(ctx, &vigie.ObjectQuery{Collection: c.ID, Scope: member(a.ID), IDs: []string{id}, Versions: vigie.VersionFilter{All: true}}); err != nil {
			t.Fatal(err)
		}
	}
}

// testConcurrentClaims has two organisations publish the first versions of
// the same ids, at the same time, into two collections: each id ends with
// one owner, and every call either stores all of its objects or fails with
// ECONFLICT storing none.
func testConcurrentClaims(t *testing.T, s vigie.Store) {
	orgs := []*vigie.Org{MustOrg(t, s, "A"), MustOrg(t, s, "B")}
	colls := []*vigie.Collection{MustCollection(t, s, nil, nil), MustCollection(t, s, nil, nil)}
	const rounds, perCall = 20, 50
	type result struct {
		org  int
		ids  []string
		err  error
		coll *vigie.Collection
	}
	results := make(chan result, 2*rounds)
	var wg sync.WaitGroup
	for w := range orgs {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				var objs []*vigie.Object
				var ids []string
				for i := 0; i < perCall; i++ {
					// The two writers name the ids of a round in opposite orders.
					n := r*perCall + i
					if w == 1 {
						n = r*perCall + perCall - 1 - i
					}
					id := stixID("indicator", 5000+n)
					o := NewIndicator(id, t0, orgs[w].ID, 0)
					o.Owner = orgs[w].ID
					objs = append(objs, o)
					ids = append(ids, id)
				}
				st := &vigie.Status{ID: vigie.NewUUID(), Root: colls[w].Root, OrgID: orgs[w].ID, RequestTime: t0, Total: len(objs)}
				err := s.AddObjects(ctx, colls[w].ID, objs, st)
				results <- result{w, ids, err, colls[w]}
			}
		}(w)
	}
	wg.Wait()
	close(results)
	for res := range results {
		if res.err != nil && vigie.ErrorCode(res.err) != vigie.ECONFLICT {
			t.Fatalf("AddObjects: %v, want success or ECONFLICT", res.err)
		}
		p := mustQuery(t, s, &vigie.ObjectQuery{Collection: res.coll.ID, Scope: member(orgs[res.org].ID), IDs: res.ids, Limit: 1000})
		if stored := len(p.Objects); (res.err == nil && stored != perCall) || (res.err != nil && stored != 0) {
			t.Errorf("call of %s: err %v, stored %d of %d", orgs[res.org].Name, res.err, stored, perCall)
		}
		owners, err := s.ObjectOwners(ctx, res.ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range p.Objects {
			if owners[o.ID].Owner != orgs[res.org].ID {
				t.Errorf("%s stored by %s is owned by %q", o.ID, orgs[res.org].Name, owners[o.ID].Owner)
			}
		}
	}
}
