package federation_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/store/postgres/pgtest"
	"github.com/vigie-cti/vigie/taxii"
)

// publishAs posts objects into h's collection with key.
func (h *testHub) publishAs(key string, objs ...map[string]any) {
	h.t.Helper()
	c, err := taxii.NewClient(h.srv.URL, key, &http.Client{Timeout: 30 * time.Second})
	if err != nil {
		h.t.Fatal(err)
	}
	raws := make([]json.RawMessage, len(objs))
	for i, o := range objs {
		raws[i], _ = json.Marshal(o)
	}
	st, err := c.AddObjects(ctx, "api1", h.coll.ID, raws)
	if err != nil || st.FailureCount > 0 {
		h.t.Fatalf("%s: publishing: %+v %v", h.name, st, err)
	}
}

// malware returns a malware object of h's organisation at level marking.
func (h *testHub) malware(n int, marking string) map[string]any {
	o := h.indicator(n, map[string]any{"type": "malware", "is_family": true, "pattern": nil, "pattern_type": nil, "valid_from": nil,
		"object_marking_refs": []string{marking}})
	o["id"] = "malware" + o["id"].(string)[len("indicator"):]
	return o
}

// TestPullWithPolicy: B narrows what hub A may read (indicators only, a
// CLEAR ceiling, nothing of B's organisation "B Sud" nor of objects B
// relays from C's CERT); A pulls, in a chain C → B → A, and holds only
// what the policy lets leave B.
func TestPullWithPolicy(t *testing.T) {
	testPullWithPolicy(t, newTestHub(t, "A"), newTestHub(t, "B"), newTestHub(t, "C"))
}

// TestPullWithPolicyPostgres is TestPullWithPolicy with B, which applies
// the policy, on PostgreSQL.
func TestPullWithPolicyPostgres(t *testing.T) {
	testPullWithPolicy(t, newTestHub(t, "A"), newTestHubOn(t, "B", true, pgtest.URL(t)), newTestHub(t, "C"))
}

func testPullWithPolicy(t *testing.T, a, b, c *testHub) {
	sud, err := b.hub.AddOrg(ctx, hub.Console(), "B Sud", nil, "FR")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.hub.SetCommunityMember(ctx, hub.Console(), "coalition", sud.ID, true); err != nil {
		t.Fatal(err)
	}
	_, sudKey, err := b.hub.AddKey(ctx, hub.Console(), sud.ID, vigie.RolePublisher, "", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	b.pullFrom(c)
	a.pullFrom(b) // grants "hub A" on B
	if _, _, err := b.hub.SetEgressPolicy(ctx, hub.Console(), "hub A", vigie.EgressPolicy{Types: []string{"indicator"}, MaxTLP: vigie.TLPClear,
		ExcludeOrgs: []string{"B Sud", c.org.ID}}); err != nil {
		t.Fatal(err)
	}
	clear := map[string]any{"object_marking_refs": []string{vigie.MarkingClear}}
	fromC := c.indicator(1, clear)
	c.publish(fromC)
	b.startRunner()
	waitFor(t, "B to relay C's indicator", func() bool { return b.has(v(fromC)) })

	allowed := b.indicator(1, clear)
	green := b.indicator(2, nil)
	amber := b.indicator(3, map[string]any{"object_marking_refs": []string{vigie.MarkingAmber}})
	mal := b.malware(4, vigie.MarkingClear)
	bySud := b.indicator(5, map[string]any{"object_marking_refs": []string{vigie.MarkingClear}, "created_by_ref": nil})
	last := b.indicator(6, clear) // published last: once on A, everything before was offered
	b.publish(allowed, green, amber, mal)
	b.publishAs(sudKey, bySud)
	b.publish(last)
	a.startRunner()
	waitFor(t, "A to hold B's last allowed indicator", func() bool { return a.has(v(last)) })
	if got, want := a.versions(), []string{v(allowed), v(last)}; !slices.Equal(got, want) {
		t.Errorf("A holds %v; want only %v (GREEN, AMBER, malware, B Sud's and C's relayed indicator filtered)", got, want)
	}
	// A peer without a policy (C pulling from B) gets what the grants allow.
	c.pullFrom(b)
	c.startRunner()
	waitFor(t, "C to hold B's objects", func() bool { return c.has(v(last)) })
	for _, o := range []map[string]any{green, mal, bySud} {
		if !c.has(v(o)) {
			t.Errorf("C (no policy) lacks %s", v(o))
		}
	}
	if st := a.peerState("B"); st.Stats.TooRestricted != 0 || st.LastError != "" {
		t.Errorf("A's state of B = %+v; the policy must filter at B, not be dropped at A", st)
	}
}

// TestPushWithPolicy: A pushes to B under a policy (a CLEAR ceiling, no
// malware): only what it lets leave reaches B; a policy changed with
// SetPeerPolicy applies to what is pushed from then on.
func TestPushWithPolicy(t *testing.T) {
	a, b := newTestHub(t, "A"), newTestHub(t, "B")
	key := b.grantPush(a)
	if err := a.hub.AddPeer(ctx, hub.Console(), &vigie.Peer{Name: "B", URL: b.srv.URL + "/api1/", Key: vigie.Secret(key),
		RemoteCollection: b.coll.ID, LocalCollection: a.coll.ID, Push: true,
		Policy: vigie.EgressPolicy{MaxTLP: vigie.TLPClear, DenyTypes: []string{"malware"}}}); err != nil {
		t.Fatal(err)
	}
	a.startRunner()
	clear := map[string]any{"object_marking_refs": []string{vigie.MarkingClear}}
	allowed, green, mal, last := a.indicator(1, clear), a.indicator(2, nil), a.malware(3, vigie.MarkingClear), a.indicator(4, clear)
	a.publish(allowed, green, mal, last)
	waitFor(t, "B to receive A's last allowed indicator", func() bool { return b.has(v(last)) })
	if got, want := b.versions(), []string{v(allowed), v(last)}; !slices.Equal(got, want) {
		t.Errorf("B holds %v; want only %v", got, want)
	}
	// Deleting the GREEN one writes a tombstone the policy hides too.
	a.delete(green["id"].(string))
	if _, err := a.hub.SetPeerPolicy(ctx, hub.Console(), "B", vigie.EgressPolicy{DenyTypes: []string{"malware"}}); err != nil {
		t.Fatal(err)
	}
	green2 := a.indicator(5, nil)
	a.publish(green2)
	waitFor(t, "B to receive a GREEN indicator once the ceiling is lifted", func() bool { return b.has(v(green2)) })
	if b.has(v(mal)) || b.has(v(green)) {
		t.Errorf("B holds %v: the malware, or the GREEN indicator pushed before the change", b.versions())
	}
	if st := a.peerState("B"); st.LastError != "" || st.Stats.Stored != 3 {
		t.Errorf("A's state of the push = %+v; want 3 stored, no error", st)
	}
}

// TestPolicyNarrowedRetracted: B's object is CLEAR, then GREEN. Hub A,
// whose policy on B stops at CLEAR, follows the retraction (and C, which
// pulls from A, follows A's deletion); hub D, without a policy, keeps
// both versions.
func TestPolicyNarrowedRetracted(t *testing.T) {
	a, b, c, d := newTestHub(t, "A"), newTestHub(t, "B"), newTestHub(t, "C"), newTestHub(t, "D")
	a.pullFrom(b)
	d.pullFrom(b)
	c.pullFrom(a)
	if _, _, err := b.hub.SetEgressPolicy(ctx, hub.Console(), "hub A", vigie.EgressPolicy{MaxTLP: vigie.TLPClear}); err != nil {
		t.Fatal(err)
	}
	for _, h := range []*testHub{a, c, d} {
		h.startRunner()
	}
	v1 := b.indicator(1, map[string]any{"object_marking_refs": []string{vigie.MarkingClear}})
	b.publish(v1)
	waitFor(t, "C to hold the CLEAR version through A", func() bool { return c.has(v(v1)) })
	v2 := b.indicator(1, map[string]any{"modified": "2026-01-02T00:00:00.000Z"}) // GREEN
	b.publish(v2)
	waitFor(t, "D to hold the GREEN version", func() bool { return d.has(v(v2)) })
	waitFor(t, "A and C to follow the retraction", func() bool { return len(a.versions()) == 0 && len(c.versions()) == 0 })
	if got, want := d.versions(), []string{v(v1), v(v2)}; !slices.Equal(got, want) {
		t.Errorf("D (no policy) holds %v, want %v", got, want)
	}
	if st := a.peerState("B"); st.Stats.Retracted != 1 {
		t.Errorf("A's state of B = %+v; want 1 retracted", st.Stats)
	}
}
