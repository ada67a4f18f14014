package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vigie-cti/vigie"
)

// member reads every level but RED as a member of the collection.
func member(org string) vigie.ReadScope {
	return vigie.ReadScope{OrgID: org, Member: true, DefaultTLP: vigie.TLPGreen}
}

func testAddObjects(t *testing.T, s vigie.Store) {
	org := MustOrg(t, s, "A")
	c := MustCollection(t, s, nil, nil)
	ind := NewIndicator(stixID("indicator", 1), t0, org.ID, vigie.TLPGreen)
	st := MustAdd(t, s, c, org.ID, ind)
	if len(st.Successes) != 1 || st.Successes[0].Message != "" {
		t.Errorf("first add successes = %+v, want one without message", st.Successes)
	}
	again := NewIndicator(stixID("indicator", 1), t0, org.ID, vigie.TLPGreen)
	st = MustAdd(t, s, c, org.ID, again)
	if len(st.Successes) != 1 || st.Successes[0].Message == "" {
		t.Errorf("duplicate add successes = %+v, want one success saying it was stored already", st.Successes)
	}
	p := mustQuery(t, s, &vigie.ObjectQuery{Collection: c.ID, Scope: member(org.ID), Versions: vigie.VersionFilter{All: true}})
	if len(p.Objects) != 1 {
		t.Fatalf("after a duplicate: %d versions stored, want 1", len(p.Objects))
	}
	got := p.Objects[0]
	if string(got.Raw) != string(ind.Raw) {
		t.Errorf("raw JSON changed:\n got %s\nwant %s", got.Raw, ind.Raw)
	}
	if got.DateAdded.IsZero() || got.DateAdded.Nanosecond()%1000 != 0 {
		t.Errorf("DateAdded %v: want a microsecond timestamp", got.DateAdded)
	}
	// Two copies of a version in one envelope: the first is stored, the
	// second reported as stored already, between new versions.
	twice := stixID("indicator", 3)
	st = MustAdd(t, s, c, org.ID, NewIndicator(stixID("indicator", 4), t0, org.ID, 0), NewIndicator(twice, t0, org.ID, 0),
		NewIndicator(twice, t0, org.ID, 0), NewIndicator(stixID("indicator", 5), t0, org.ID, 0))
	var stored []bool
	for _, d := range st.Successes {
		stored = append(stored, d.Message == "")
	}
	if !slices.Equal(stored, []bool{true, true, false, true}) {
		t.Errorf("copies in one envelope: successes %+v, want only the second copy said to be stored already", st.Successes)
	}
	err := s.AddObjects(ctx, vigie.NewUUID(), []*vigie.Object{NewIndicator(stixID("indicator", 2), t0, org.ID, 0)}, &vigie.Status{ID: vigie.NewUUID()})
	wantCode(t, err, vigie.ENOTFOUND, "AddObjects(unknown collection)")
}

func testVersions(t *testing.T, s vigie.Store) {
	org := MustOrg(t, s, "A")
	c := MustCollection(t, s, nil, nil)
	id := stixID("indicator", 1)
	// Added out of order: the middle version last.
	MustAdd(t, s, c, org.ID, NewIndicator(id, t0, org.ID, 0), NewIndicator(id, t0.Add(2*time.Hour), org.ID, 0))
	MustAdd(t, s, c, org.ID, NewIndicator(id, t0.Add(time.Hour), org.ID, 0))
	v := func(d time.Duration) string { return id + "@" + t0.Add(d).Format("2006-01-02T15:04:05.000Z") }
	for _, tc := range []struct {
		name string
		f    vigie.VersionFilter
		want []string
	}{
		{"default is last", vigie.VersionFilter{}, []string{v(2 * time.Hour)}},
		{"last", vigie.VersionFilter{Last: true}, []string{v(2 * time.Hour)}},
		{"first", vigie.VersionFilter{First: true}, []string{v(0)}},
		{"first and last", vigie.VersionFilter{First: true, Last: true}, []string{v(0), v(2 * time.Hour)}},
		{"all, by date added", vigie.VersionFilter{All: true}, []string{v(0), v(2 * time.Hour), v(time.Hour)}},
		{"exact", vigie.VersionFilter{Exact: []string{vigie.VersionKey(t0.Add(time.Hour))}}, []string{v(time.Hour)}},
		{"exact, absent", vigie.VersionFilter{Exact: []string{vigie.VersionKey(t0.Add(time.Minute))}}, []string{}},
	} {
		p := mustQuery(t, s, &vigie.ObjectQuery{Collection: c.ID, Scope: member(org.ID), Versions: tc.f})
		if diff := cmp.Diff(tc.want, ids(p)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func testFilters(t *testing.T, s vigie.Store) {
	org := MustOrg(t, s, "A")
	c := MustCollection(t, s, nil, nil)
	ind := NewIndicator(stixID("indicator", 1), t0, org.ID, 0)
	mal := NewIndicator(stixID("malware", 2), t0, org.ID, 0)
	mal.Type = "malware"
	MustAdd(t, s, c, org.ID, ind)
	MustAdd(t, s, c, org.ID, mal)
	all := mustQuery(t, s, &vigie.ObjectQuery{Collection: c.ID, Scope: member(org.ID)})
	if len(all.Objects) != 2 {
		t.Fatalf("got %d objects, want 2", len(all.Objects))
	}
	at := func(v string) string { return v + "@2026-03-01T12:00:00.000Z" }
	for _, tc := range []struct {
		name string
		q    vigie.ObjectQuery
		want []string
	}{
		{"type", vigie.ObjectQuery{Types: []string{"malware"}}, []string{at(mal.ID)}},
		{"types", vigie.ObjectQuery{Types: []string{"malware", "indicator"}}, []string{at(ind.ID), at(mal.ID)}},
		{"id", vigie.ObjectQuery{IDs: []string{ind.ID}}, []string{at(ind.ID)}},
		{"id and type disagree", vigie.ObjectQuery{IDs: []string{ind.ID}, Types: []string{"malware"}}, []string{}},
		{"spec_version 2.1", vigie.ObjectQuery{SpecVersions: []string{"2.1"}}, []string{at(ind.ID), at(mal.ID)}},
		{"spec_version 2.0", vigie.ObjectQuery{SpecVersions: []string{"2.0"}}, []string{}},
		{"added_after the first", vigie.ObjectQuery{AddedAfter: all.Objects[0].DateAdded}, []string{at(mal.ID)}},
		{"added_after the last", vigie.ObjectQuery{AddedAfter: all.Objects[1].DateAdded}, []string{}},
		{"publisher", vigie.ObjectQuery{Publisher: "identity--other"}, []string{}},
	} {
		q := tc.q
		q.Collection, q.Scope = c.ID, member(org.ID)
		if diff := cmp.Diff(tc.want, ids(mustQuery(t, s, &q))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

// testPagination pages through a collection while another writer adds to
// it, and checks that no object is skipped or seen twice.
func testPagination(t *testing.T, s vigie.Store) {
	org := MustOrg(t, s, "A")
	c := MustCollection(t, s, nil, nil)
	const total = 300
	for i := 0; i < 100; i++ {
		MustAdd(t, s, c, org.ID, NewIndicator(stixID("indicator", i), t0, org.ID, 0))
	}
	seen := map[string]int{}
	var after time.Time
	var last time.Time
	added := 100
	for pages := 0; pages < 1000; pages++ {
		p := mustQuery(t, s, &vigie.ObjectQuery{Collection: c.ID, Scope: member(org.ID), AddedAfter: after, Limit: 7})
		for _, o := range p.Objects {
			seen[o.ID]++
			if !o.DateAdded.After(last) {
				t.Fatalf("date_added %v not after %v", o.DateAdded, last)
			}
			last = o.DateAdded
		}
		if len(p.Objects) > 0 {
			after = p.Objects[len(p.Objects)-1].DateAdded
		}
		// Writers keep adding between pages.
		for j := 0; j < 3 && added < total; j++ {
			MustAdd(t, s, c, org.ID, NewIndicator(stixID("indicator", added), t0, org.ID, 0))
			added++
		}
		if !p.More && added == total {
			p = mustQuery(t, s, &vigie.ObjectQuery{Collection: c.ID, Scope: member(org.ID), AddedAfter: after, Limit: 7})
			if len(p.Objects) == 0 {
				break
			}
			for _, o := range p.Objects {
				seen[o.ID]++
				after = o.DateAdded
			}
		}
	}
	if len(seen) != total {
		t.Errorf("saw %d distinct objects, want %d", len(seen), total)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s seen %d times", id, n)
		}
	}
}

// testConcurrentWriters checks that date_added stays unique and that a
// reader following added_after never misses an object committed late.
func testConcurrentWriters(t *testing.T, s vigie.Store) {
	org := MustOrg(t, s, "A")
	c := MustCollection(t, s, nil, nil)
	const writers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				o := NewIndicator(stixID("indicator", w*1000+i), t0, org.ID, 0)
				st := &vigie.Status{ID: vigie.NewUUID(), Root: c.Root, OrgID: org.ID, RequestTime: t0, Total: 1}
				if err := s.AddObjects(ctx, c.ID, []*vigie.Object{o}, st); err != nil {
					errs <- err
				}
			}
		}(w)
	}
	// A reader follows the collection while the writers run.
	seen := map[string]bool{}
	var after time.Time
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for finished := false; ; {
		select {
		case <-done:
			finished = true
		default:
		}
		p := mustQuery(t, s, &vigie.ObjectQuery{Collection: c.ID, Scope: member(org.ID), AddedAfter: after, Limit: 10})
		for _, o := range p.Objects {
			if seen[o.ID] {
				t.Fatalf("%s seen twice", o.ID)
			}
			seen[o.ID] = true
			after = o.DateAdded
		}
		if finished && !p.More && len(p.Objects) == 0 {
			break
		}
	}
	close(errs)
	for err := range errs {
		t.Errorf("AddObjects: %v", err)
	}
	if len(seen) != writers*each {
		t.Errorf("reader saw %d objects, want %d", len(seen), writers*each)
	}
}

func testDelete(t *testing.T, s vigie.Store) {
	a, b := MustOrg(t, s, "A"), MustOrg(t, s, "B")
	c := MustCollection(t, s, nil, nil)
	id := stixID("indicator", 1)
	MustAdd(t, s, c, a.ID, NewIndicator(id, t0, a.ID, 0), NewIndicator(id, t0.Add(time.Hour), a.ID, 0))
	q := &vigie.ObjectQuery{Collection: c.ID, Scope: member(b.ID), IDs: []string{id}, Versions: vigie.VersionFilter{All: true}, Publisher: b.ID}
	if n, err := s.DeleteObjects(ctx, q); err != nil || n != 0 {
		t.Errorf("DeleteObjects restricted to another publisher = %d, %v; want 0", n, err)
	}
	q = &vigie.ObjectQuery{Collection: c.ID, Scope: member(a.ID), IDs: []string{id}, Versions: vigie.VersionFilter{First: true}, Publisher: a.ID}
	if n, err := s.DeleteObjects(ctx, q); err != nil || n != 1 {
		t.Errorf("DeleteObjects(first) = %d, %v; want 1", n, err)
	}
	p := mustQuery(t, s, &vigie.ObjectQuery{Collection: c.ID, Scope: member(a.ID), Versions: vigie.VersionFilter{All: true}})
	if diff := cmp.Diff([]string{id + "@2026-03-01T13:00:00.000Z"}, ids(p)); diff != "" {
		t.Errorf("after deleting the first version (-want +got):\n%s", diff)
	}
}

func testStatuses(t *testing.T, s vigie.Store) {
	org := MustOrg(t, s, "A")
	c := MustCollection(t, s, nil, nil)
	st := &vigie.Status{ID: vigie.NewUUID(), Root: "root", OrgID: org.ID, RequestTime: t0, Total: 2,
		Failures: []vigie.StatusDetail{{ID: "indicator--bad", Message: `property "pattern": required`}}}
	if err := s.AddObjects(ctx, c.ID, []*vigie.Object{NewIndicator(stixID("indicator", 1), t0, org.ID, 0)}, st); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindStatus(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(st, got); diff != "" {
		t.Errorf("FindStatus (-want +got):\n%s", diff)
	}
	if n, err := s.PurgeStatuses(ctx, t0); err != nil || n != 0 {
		t.Errorf("PurgeStatuses(at request time) = %d, %v; want 0", n, err)
	}
	if n, err := s.PurgeStatuses(ctx, t0.Add(time.Second)); err != nil || n != 1 {
		t.Errorf("PurgeStatuses(after) = %d, %v; want 1", n, err)
	}
	_, err = s.FindStatus(ctx, st.ID)
	wantCode(t, err, vigie.ENOTFOUND, "FindStatus after purge")
}

// testVisibility stores every combination of publisher, TLP and
// recipients, and checks for every reader that the store returns exactly
// the versions vigie.CanRead allows, including which version is "last".
func testVisibility(t *testing.T, s vigie.Store) {
	orgs := []*vigie.Org{MustOrg(t, s, "A"), MustOrg(t, s, "B"), MustOrg(t, s, "C")}
	c := MustCollection(t, s, nil, nil)
	levels := []vigie.TLP{vigie.TLPNone, vigie.TLPClear, vigie.TLPGreen, vigie.TLPAmber, vigie.TLPAmberStrict, vigie.TLPRed}
	type version struct {
		obj  *vigie.Object
		from int
	}
	var stored []*vigie.Object
	n := 0
	for pi, pub := range orgs {
		for li, l := range levels {
			for ri := 0; ri < 2; ri++ {
				var rcpt []string
				if ri == 1 {
					rcpt = []string{orgs[(pi+1)%3].ID}
				}
				// Two versions of each object: the newer at another level,
				// so "last" depends on who reads.
				id := stixID("indicator", n)
				n++
				old := NewIndicator(id, t0, pub.ID, l, rcpt...)
				newer := NewIndicator(id, t0.Add(time.Hour), pub.ID, levels[(li+3)%len(levels)], rcpt...)
				stored = append(stored, old, newer)
				MustAdd(t, s, c, pub.ID, old, newer)
			}
		}
	}
	readers := []vigie.ReadScope{{DefaultTLP: vigie.TLPGreen}, {DefaultTLP: vigie.TLPClear}}
	for _, o := range orgs {
		for _, m := range []bool{false, true} {
			for _, def := range []vigie.TLP{vigie.TLPGreen, vigie.TLPAmber} {
				readers = append(readers, vigie.ReadScope{OrgID: o.ID, Member: m, DefaultTLP: def})
				// A peer hub's key of organisation o (it published some, and is
				// named as a RED recipient of others: neither counts).
				readers = append(readers, vigie.ReadScope{OrgID: o.ID, Member: m, DefaultTLP: def, Egress: true})
			}
		}
	}
	// Peer hubs held to egress policies: a CLEAR ceiling, excluded
	// publishers, allowed and denied types.
	for i, pol := range []vigie.EgressPolicy{
		{MaxTLP: vigie.TLPClear, ExcludeOrgs: []string{orgs[1].ID}},
		{Types: []string{"indicator"}, ExcludeOrgs: []string{orgs[0].ID, orgs[2].ID}},
		{Types: []string{"malware"}},
		{DenyTypes: []string{"indicator"}},
		{DenyTypes: []string{"malware"}, MaxTLP: vigie.TLPGreen},
	} {
		readers = append(readers, vigie.ReadScope{OrgID: orgs[i%3].ID, Member: true, DefaultTLP: vigie.TLPGreen, Egress: true, Policy: pol})
	}
	for _, r := range readers {
		var wantAll []string
		latest := map[string]*vigie.Object{}
		for _, o := range stored {
			if vigie.MaySend(r, o.ID, o.Owner, o.Sharing) {
				wantAll = append(wantAll, o.ID+"@"+o.Version)
				if l := latest[o.ID]; l == nil || o.VersionKey > l.VersionKey {
					latest[o.ID] = o
				}
			}
		}
		var wantLast []string
		for _, o := range stored {
			if latest[o.ID] == o {
				wantLast = append(wantLast, o.ID+"@"+o.Version)
			}
		}
		name := fmt.Sprintf("reader %+v", r)
		all := mustQuery(t, s, &vigie.ObjectQuery{Collection: c.ID, Scope: r, Limit: 10000, Versions: vigie.VersionFilter{All: true}})
		if diff := cmp.Diff(wantAll, ids(all), cmp.Comparer(func(a, b []string) bool { return fmt.Sprint(a) == fmt.Sprint(b) })); diff != "" {
			t.Errorf("%s, all versions (-want +got):\n%s", name, diff)
		}
		last := mustQuery(t, s, &vigie.ObjectQuery{Collection: c.ID, Scope: r, Limit: 10000})
		if diff := cmp.Diff(sorted(wantLast...), sorted(ids(last)...), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s, last versions (-want +got):\n%s", name, diff)
		}
	}
}
