package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie"
)

// testEachObject holds EachObject to Objects: for every reader, the same
// versions (the last each may read), in the same order, with the same
// bodies; and an error from fn stops the walk.
func testEachObject(t *testing.T, s vigie.Store) {
	ctx := context.Background()
	orgs := []*vigie.Org{MustOrg(t, s, "A"), MustOrg(t, s, "B")}
	c := MustCollection(t, s, nil, nil)
	levels := []vigie.TLP{vigie.TLPNone, vigie.TLPClear, vigie.TLPGreen, vigie.TLPAmber, vigie.TLPAmberStrict, vigie.TLPRed}
	n := 0
	for _, pub := range orgs {
		for li, l := range levels {
			id := stixID("indicator", n)
			n++
			MustAdd(t, s, c, pub.ID, NewIndicator(id, t0, pub.ID, l), NewIndicator(id, t0.Add(time.Hour), pub.ID, levels[(li+2)%len(levels)]))
		}
	}
	readers := []vigie.ReadScope{{DefaultTLP: vigie.TLPGreen}}
	for _, o := range orgs {
		for _, m := range []bool{false, true} {
			readers = append(readers, vigie.ReadScope{OrgID: o.ID, Member: m, DefaultTLP: vigie.TLPGreen})
		}
	}
	for _, r := range readers {
		page := mustQuery(t, s, &vigie.ObjectQuery{Collection: c.ID, Scope: r, Limit: 10000, Types: []string{"indicator"}})
		var want, got []string
		for _, o := range page.Objects {
			want = append(want, o.ID+"@"+o.Version+" "+string(o.Raw))
		}
		err := s.EachObject(ctx, &vigie.ObjectQuery{Collection: c.ID, Scope: r, Types: []string{"indicator"}}, func(o *vigie.Object) error {
			if !vigie.CanRead(r, o.Sharing) {
				t.Errorf("reader %+v got %s at %s", r, o.ID, o.TLP)
			}
			got = append(got, o.ID+"@"+o.Version+" "+string(o.Raw))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("reader %+v (-Objects +EachObject):\n%s", r, diff)
		}
	}
	stop := errors.New("stop")
	calls := 0
	err := s.EachObject(ctx, &vigie.ObjectQuery{Collection: c.ID, Scope: vigie.ReadScope{All: true}}, func(*vigie.Object) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("EachObject after an error from fn: %d calls, error %v", calls, err)
	}
	err = s.EachObject(ctx, &vigie.ObjectQuery{Collection: "collection--nope", Scope: vigie.ReadScope{All: true}}, func(*vigie.Object) error {
		return fmt.Errorf("called for a collection that does not exist")
	})
	if err != nil {
		t.Error(err)
	}
}
