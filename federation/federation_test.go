package federation_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/store/postgres/pgtest"
	"github.com/vigie-cti/vigie/taxii"
)

// TestChain: C pulls from A, which pulls from B. What B's organisation
// shares at CLEAR and GREEN reaches A and then C, attributed to B's
// organisation and B's hub; AMBER, AMBER+STRICT and RED never leave B.
func TestChain(t *testing.T) {
	testChain(t, newTestHub(t, "A"), newTestHub(t, "B"), newTestHub(t, "C"))
}

// TestChainPostgres is TestChain with A and C on PostgreSQL.
func TestChainPostgres(t *testing.T) {
	testChain(t, newTestHubOn(t, "A", true, pgtest.URL(t)), newTestHub(t, "B"), newTestHubOn(t, "C", true, pgtest.URL(t)))
}

func testChain(t *testing.T, a, b, c *testHub) {
	a.pullFrom(b)
	c.pullFrom(a)
	a.startRunner()
	c.startRunner()

	clear := b.indicator(1, map[string]any{"object_marking_refs": []string{vigie.MarkingClear}})
	green := b.indicator(2, nil)
	amber := b.indicator(3, map[string]any{"object_marking_refs": []string{vigie.MarkingAmber}})
	strict := b.indicator(4, map[string]any{"object_marking_refs": []string{vigie.MarkingAmberStrict}})
	red := b.indicator(5, map[string]any{"object_marking_refs": []string{vigie.MarkingRed}, vigie.RecipientsProperty: []string{b.org.ID}})
	unmarked := b.indicator(6, map[string]any{"object_marking_refs": nil}) // B's default: GREEN
	b.publish(amber, strict, red, clear, green, unmarked)

	want := []string{v(clear), v(green), v(unmarked)}
	waitFor(t, "C to hold B's CLEAR and GREEN objects", func() bool { return len(c.versions()) == len(want) })
	for _, h := range []*testHub{a, c} {
		if got := h.versions(); !slices.Equal(got, want) {
			t.Errorf("%s holds %v, want %v (in B's order)", h.name, got, want)
		}
	}
	bHub, _ := b.hub.HubIdentity(ctx)
	origins, err := c.store.Origins(ctx, []string{clear["id"].(string)})
	if err != nil {
		t.Fatal(err)
	}
	if og := origins[clear["id"].(string)]; og.Hub != bHub.ID || og.Org != b.org.ID || og.OrgName != "B CERT" || og.Peer != "A" {
		t.Errorf("C records the origin %+v; want hub %s, organisation B CERT (%s), through peer A", og, bHub.ID, b.org.ID)
	}
	// C's members see the origin in the manifest.
	tc, err := taxii.NewClient(c.srv.URL, c.key, &http.Client{Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := tc.Manifest(ctx, "api1", c.coll.ID, taxii.Filter{}, "")
	if err != nil || len(m.Objects) != 3 {
		t.Fatalf("C's manifest: %v %+v", err, m)
	}
	if r := m.Objects[0]; r.OriginHub != bHub.ID || r.OriginOrg != b.org.ID || r.OriginOrgName != "B CERT" {
		t.Errorf("C's manifest record %+v does not name B's hub and organisation", r)
	}
	// Ownership holds on C: the object is B's organisation's.
	owners, _ := c.store.ObjectOwners(ctx, []string{green["id"].(string)})
	if owners[green["id"].(string)].Owner != b.org.ID {
		t.Errorf("C's owner of B's object = %q, want B's organisation", owners[green["id"].(string)].Owner)
	}
	waitFor(t, "A's state to be saved", func() bool { return a.peerState("B").Stats.Stored >= 3 })
	if st := a.peerState("B"); st.Stats.Stored != 3 || st.Stats.TooRestricted != 0 || !st.CaughtUp || st.LastError != "" {
		t.Errorf("A's state of peer B = %+v; want 3 stored, caught up", st)
	}
	// A new version crosses both hops; the old one stays, like on B.
	green2 := b.indicator(2, map[string]any{"modified": "2026-01-02T00:00:00.000Z", "name": "corrected"})
	b.publish(green2)
	waitFor(t, "the correction to reach C", func() bool { return c.has(v(green2)) })
	if !c.has(v(green)) {
		t.Error("C lost the first version on receiving the second")
	}
}

// TestTriangle: A pulls from B, B from C, C from A. Each hub's object
// goes round once and stops where it started: each version is stored once
// on each hub, and the loop is counted.
func TestTriangle(t *testing.T) {
	a, b, c := newTestHub(t, "A"), newTestHub(t, "B"), newTestHub(t, "C")
	a.pullFrom(b)
	b.pullFrom(c)
	c.pullFrom(a)
	hubs := []*testHub{a, b, c}
	var all []string
	for _, h := range hubs {
		h.startRunner()
		o := h.indicator(1, nil)
		h.publish(o)
		all = append(all, v(o))
	}
	for _, h := range hubs {
		waitFor(t, h.name+" to hold the three objects", func() bool { return len(h.versions()) >= 3 })
	}
	// Each object comes back to its origin at the end of the loop.
	waitFor(t, "the loops to be dropped", func() bool {
		return a.peerState("B").Stats.Looped >= 1 && b.peerState("C").Stats.Looped >= 1 && c.peerState("A").Stats.Looped >= 1
	})
	// A new version goes round once more.
	a2 := a.indicator(1, map[string]any{"modified": "2026-01-03T00:00:00.000Z"})
	a.publish(a2)
	all = append(all, v(a2))
	for _, h := range hubs {
		waitFor(t, h.name+" to hold the new version", func() bool { return h.has(v(a2)) })
	}
	waitFor(t, "the new version to come back to A and be dropped", func() bool { return a.peerState("B").Stats.Looped >= 2 })
	for _, h := range hubs {
		got := h.versions()
		slices.Sort(got)
		want := slices.Clone(all)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s holds %v, want each version once: %v", h.name, got, want)
		}
	}
}

// TestRestartMidSync: A pulls a backlog from B in small pages and is
// restarted part-way; the cursor stored in A's store resumes the pull:
// nothing lost, nothing stored twice, the backlog not read again.
func TestRestartMidSync(t *testing.T) {
	a, b := newTestHub(t, "A"), newTestHub(t, "B")
	a.opts.PageSize = 7
	const n = 120
	var objs []map[string]any
	for i := range n {
		objs = append(objs, b.indicator(i, nil))
	}
	b.publish(objs...)
	a.pullFrom(b)
	a.startRunner()
	waitFor(t, "A to be part-way", func() bool { return len(a.versions()) >= 30 })
	a.restart()
	before := a.peerState("B")
	if before.Cursor.IsZero() {
		t.Fatal("no cursor stored before the restart")
	}
	waitFor(t, "A to catch up", func() bool { return len(a.versions()) == n && a.peerState("B").CaughtUp })
	after := a.peerState("B")
	// The page in flight when A stopped was stored but its cursor not
	// saved: read again, it is counted as duplicates, stored once.
	if got := after.Stats.Stored + after.Stats.Duplicates; got < n || after.Stats.Stored > n {
		t.Errorf("stored %d and %d duplicates, want %d stored once", after.Stats.Stored, after.Stats.Duplicates, n)
	}
	// At most the page in flight at the restart is received twice.
	if after.Stats.Received > n+int64(a.opts.PageSize) {
		t.Errorf("received %d versions for a backlog of %d: the restart re-read it", after.Stats.Received, n)
	}
	// B restarts too: A resumes after it, with nothing new to read.
	b.restart()
	extra := b.indicator(n+1, nil)
	b.publish(extra)
	waitFor(t, "the object published after B's restart", func() bool { return a.has(v(extra)) })
	if got := a.peerState("B").Stats.Received; got != after.Stats.Received+1 {
		t.Errorf("after B's restart A received %d more versions, want 1", got-after.Stats.Received)
	}
}

// TestRetraction: along the chain B → A → C, a revocation arrives as a
// version, a deletion removes the object, and a version narrowed from
// GREEN to AMBER takes the object back.
func TestRetraction(t *testing.T) {
	testRetraction(t, newTestHub(t, "A"), newTestHub(t, "B"), newTestHub(t, "C"))
}

// TestRetractionPostgres is TestRetraction with every hub on PostgreSQL.
func TestRetractionPostgres(t *testing.T) {
	testRetraction(t, newTestHubOn(t, "A", true, pgtest.URL(t)), newTestHubOn(t, "B", true, pgtest.URL(t)), newTestHubOn(t, "C", true, pgtest.URL(t)))
}

func testRetraction(t *testing.T, a, b, c *testHub) {
	a.pullFrom(b)
	c.pullFrom(a)
	a.startRunner()
	c.startRunner()
	revoked, deleted, narrowed, kept := b.indicator(1, nil), b.indicator(2, nil), b.indicator(3, nil), b.indicator(4, nil)
	b.publish(revoked, deleted, narrowed, kept)
	waitFor(t, "the four objects to reach C", func() bool { return len(c.versions()) == 4 })

	rev := b.indicator(1, map[string]any{"modified": "2026-01-05T00:00:00.000Z", "revoked": true})
	b.publish(rev)
	b.delete(deleted["id"].(string))
	amber := b.indicator(3, map[string]any{"modified": "2026-01-05T00:00:00.000Z", "object_marking_refs": []string{vigie.MarkingAmber}, "name": "now AMBER"})
	b.publish(amber)

	want := []string{v(revoked), v(kept), v(rev)}
	for _, h := range []*testHub{a, c} {
		waitFor(t, h.name+" to follow", func() bool { return slices.Equal(h.versions(), want) })
	}
	// The counter is saved after the page of tombstones it counts.
	waitFor(t, "C to count 2 retracted versions (the deleted and the narrowed)", func() bool { return c.peerState("A").Stats.Retracted >= 2 })
	if st := c.peerState("A"); st.Stats.Retracted != 2 {
		t.Errorf("C retracted %d versions, want 2 (the deleted and the narrowed)", st.Stats.Retracted)
	}
	// The narrowed object is AMBER on B, and nowhere else.
	for _, h := range []*testHub{a, c} {
		if h.has(v(amber)) {
			t.Errorf("%s holds the AMBER version", h.name)
		}
	}
}

// TestRelayedObjectsAlert: an object relayed from B goes through A's
// early-warning engine like a local publish: the member of A that watches
// the address is alerted, naming the object.
func TestRelayedObjectsAlert(t *testing.T) {
	a, b := newTestHub(t, "A"), newTestHub(t, "B")
	a.pullFrom(b)
	if _, err := a.hub.AddOrg(ctx, hub.Console(), "Helios", []string{"energy"}, "FR"); err != nil {
		t.Fatal(err)
	}
	if err := a.hub.SetCommunityMember(ctx, hub.Console(), "coalition", "Helios", true); err != nil {
		t.Fatal(err)
	}
	_, token, err := a.hub.AddKey(ctx, hub.Console(), "Helios", vigie.RolePublisher, "", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	helios, err := a.hub.Authenticate(ctx, token, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.hub.AddWatch(ctx, helios, vigie.WatchCIDR, "198.51.100.0/24"); err != nil {
		t.Fatal(err)
	}
	a.startRunner()
	o := b.indicator(7, nil) // [ipv4-addr:value = '198.51.100.7']
	b.publish(o)
	var alerts []*vigie.Alert
	waitFor(t, "Helios's alert on A", func() bool {
		alerts, err = a.hub.Alerts(ctx, helios, vigie.AlertQuery{})
		return err == nil && len(alerts) > 0
	})
	if alerts[0].Trigger != "watchlist" || len(alerts[0].Objects) == 0 || alerts[0].Objects[0].ID != o["id"] {
		t.Fatalf("alert = %+v; want a watchlist alert naming %s", alerts[0], o["id"])
	}
	// The alert names where the object comes from: B's hub and organisation.
	bID, err := b.hub.HubIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ref := alerts[0].Objects[0]
	if ref.OriginHub != bID.ID || ref.OriginOrg == "" || ref.ViaPeer == "" || !strings.Contains(alerts[0].Detail, "on hub "+bID.ID) {
		t.Errorf("alert object %+v, detail %q: want origin hub %s, its organisation and the peer", ref, alerts[0].Detail, bID.ID)
	}
}
