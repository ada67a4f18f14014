package federation_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/store/postgres/pgtest"
	"github.com/vigie-cti/vigie/taxii"
)

// member adds an organisation to h's coalition community with a
// publisher key, and returns it and the key.
func (h *testHub) member(name string) (*vigie.Org, string) {
	h.t.Helper()
	o, err := h.hub.AddOrg(ctx, hub.Console(), name, []string{"energy"}, "FR")
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.hub.SetCommunityMember(ctx, hub.Console(), "coalition", o.ID, true); err != nil {
		h.t.Fatal(err)
	}
	_, key, err := h.hub.AddKey(ctx, hub.Console(), o.ID, vigie.RolePublisher, "", time.Time{})
	if err != nil {
		h.t.Fatal(err)
	}
	return o, key
}

// client returns a TAXII client of h with key.
func (h *testHub) client(key string) *taxii.Client {
	h.t.Helper()
	c, err := taxii.NewClient(h.srv.URL, key, &http.Client{Timeout: 30 * time.Second})
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

// publishWith posts objects into h's collection with key.
func (h *testHub) publishWith(key string, objs ...map[string]any) {
	h.t.Helper()
	raws := make([]json.RawMessage, len(objs))
	for i, o := range objs {
		raws[i], _ = json.Marshal(o)
	}
	st, err := h.client(key).AddObjects(ctx, "api1", h.coll.ID, raws)
	if err != nil || st.FailureCount > 0 {
		h.t.Fatalf("%s: publishing: %v %+v", h.name, err, st)
	}
}

// sighting returns a GREEN sighting by org of indicator ind, seen count
// times in the last minutes.
func sighting(n int, org *vigie.Org, ind string, count int) map[string]any {
	now := time.Now().UTC()
	return map[string]any{
		"type": "sighting", "spec_version": "2.1", "id": fmt.Sprintf("sighting--%08x-0000-4000-8000-%012d", hashName(org.Name), n),
		"created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "created_by_ref": org.ID,
		"sighting_of_ref": ind, "count": count, "object_marking_refs": []string{vigie.MarkingGreen},
		"first_seen": now.Add(-2 * time.Minute).Format(time.RFC3339), "last_seen": now.Add(-time.Minute).Format(time.RFC3339),
	}
}

// TestSightingsBack: B's indicator is relayed to A; two members of A
// sight it; B receives the counts attributed to hub A, its early warning
// counts them with B's own sighter ("sighted by 3 organisations"), and
// nothing on B names A's members. B's own sighting, relayed to A, and
// sightings of A's own indicators do not go to B.
// A crash between sending and moving the cursor counts nothing twice.
func TestSightingsBack(t *testing.T) {
	testSightingsBack(t, newTestHub(t, "A"), newTestHub(t, "B"))
}

// TestSightingsBackPostgres is TestSightingsBack with both hubs on
// PostgreSQL, in two schemas of one database, each running its own
// early-warning engine (their leadership locks name their schemas).
func TestSightingsBackPostgres(t *testing.T) {
	testSightingsBack(t, newTestHubOn(t, "A", true, pgtest.URL(t)), newTestHubOn(t, "B", true, pgtest.URL(t)))
}

func testSightingsBack(t *testing.T, a, b *testHub) {
	a.opts.SightingsEvery = 20 * time.Millisecond
	key := b.grant(a)
	a.addPeer("B", b.srv.URL+"/api1/", key, b.coll.ID)
	a.startRunner()
	ind := b.indicator(1, nil)
	id := ind["id"].(string)
	// B's own sighting crosses to A as a relayed object: A never sends it back.
	bSighting := sighting(9, b.org, id, 50)
	b.publish(ind, bSighting)
	waitFor(t, "A to hold B's indicator and sighting", func() bool { return a.has(v(ind)) && a.has(v(bSighting)) })
	// A's own indicator: its sightings stay on A.
	own := a.indicator(1, nil)
	a.publish(own)

	m1, k1 := a.member("Secret Member One")
	m2, k2 := a.member("Secret Member Two")
	a.publishWith(k1, sighting(1, m1, id, 3))
	a.publishWith(k2, sighting(1, m2, id, 4), sighting(2, m2, id, 1))
	// An AMBER sighting stays on A, even as a count.
	amber := sighting(3, m2, id, 100)
	amber["object_marking_refs"] = []string{vigie.MarkingAmber}
	a.publishWith(k2, amber)
	a.publishWith(k1, sighting(5, m1, own["id"].(string), 70))

	waitFor(t, "B to count A's sightings", func() bool {
		rc, err := b.store.RelayedCounts(ctx, id, time.Time{})
		return err == nil && rc.Count >= 8
	})
	waitFor(t, "A to record the sightings sent", func() bool { return a.peerState("B").Stats.SightingsSent == 8 })
	if rc, _ := b.store.RelayedCounts(ctx, id, time.Time{}); rc != (vigie.RelayedCount{Count: 8, Observers: 2}) {
		t.Errorf("B counts %+v of A's sightings; want 8 sightings by 2 members (not B's own, nor the AMBER one)", rc)
	}
	if st := a.peerState("B").Stats; st.SightingsDropped != 0 {
		t.Errorf("A sent B %d sightings B did not take (of A's own indicator?)", st.SightingsDropped)
	}
	// B's early warning counts A's two members, unnamed.
	var alert *vigie.Alert
	waitFor(t, "B's sighting alert", func() bool {
		as, err := b.hub.Alerts(ctx, vigie.Principal{OrgID: b.org.ID, Role: vigie.RoleReader}, vigie.AlertQuery{Trigger: vigie.TriggerSighting})
		if err == nil && len(as) > 0 {
			alert = as[0]
		}
		return alert != nil
	})
	waitFor(t, "B's alert to count A's members", func() bool {
		got, err := b.hub.Alerts(ctx, vigie.Principal{OrgID: b.org.ID, Role: vigie.RoleReader}, vigie.AlertQuery{Trigger: vigie.TriggerSighting})
		if err == nil && len(got) > 0 {
			alert = got[0]
		}
		return strings.Contains(alert.Detail, "2 of them")
	})
	if !strings.Contains(alert.Detail, "sighted by 3 organisations") || !strings.Contains(alert.Detail, "(2 of them members of peer hubs, unnamed)") {
		t.Errorf("B's alert %q (%s) does not count B CERT and A's two members", alert.Title, alert.Detail)
	}
	// B's object view counts them too.
	bp, err := b.hub.Authenticate(ctx, b.key, "")
	if err != nil {
		t.Fatal(err)
	}
	view, err := b.hub.Object(ctx, bp, id)
	if err != nil {
		t.Fatalf("B's view of the indicator: %v", err)
	}
	if view.Sightings != 58 || view.Sighters != 3 {
		t.Errorf("B's view of the indicator: %d sightings by %d organisations; want 58 by 3 (B's 50, A's 8 by two members)", view.Sightings, view.Sighters)
	}

	// A crash after sending, before the cursor moved: A sends again from
	// the start; B says it had it, and counts nothing twice.
	a.stopRunner()
	st := a.peerState("B")
	st.SightingStreams = nil
	if err := a.store.SavePeerState(ctx, "B", st); err != nil {
		t.Fatal(err)
	}
	a.startRunner()
	waitFor(t, "A to resume its sightings cursor", func() bool { return len(a.peerState("B").SightingStreams) > 0 })
	a.publishWith(k1, sighting(4, m1, id, 2))
	waitFor(t, "B to count the new sighting", func() bool {
		rc, _ := b.store.RelayedCounts(ctx, id, time.Time{})
		return rc.Count >= 10
	})
	a.stopRunner()
	if rc, _ := b.store.RelayedCounts(ctx, id, time.Time{}); rc != (vigie.RelayedCount{Count: 10, Observers: 2}) {
		t.Errorf("after A's restart B counts %+v; want 10 by 2 (nothing twice)", rc)
	}

	// Nothing on B names A's members: alerts, audit, the API, the database.
	secrets := []string{m1.ID, m2.ID, m1.Name, m2.Name}
	alerts, _ := b.hub.Alerts(ctx, vigie.Principal{OrgID: b.org.ID, Role: vigie.RoleReader}, vigie.AlertQuery{})
	audit, err := b.store.AuditEntries(ctx, &vigie.AuditQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, e := range audit {
		found += boolInt(e.Action == vigie.AuditSightingsIn)
	}
	if found == 0 {
		t.Error("B's audit log has no entry of the sightings received")
	}
	blob, _ := json.Marshal([]any{alerts, audit, view})
	for _, s := range secrets {
		if bytes.Contains(blob, []byte(s)) {
			t.Errorf("B's alerts, audit or object view name A's member %q", s)
		}
	}
	if a.dsn == "" {
		files, _ := filepath.Glob(filepath.Join(b.dir, "vigie.db*"))
		for _, f := range files {
			data, _ := os.ReadFile(f)
			for _, s := range secrets {
				if bytes.Contains(data, []byte(s)) {
					t.Errorf("B's database file %s holds A's member %q", filepath.Base(f), s)
				}
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
