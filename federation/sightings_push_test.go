package federation_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// TestSightingsBackPush: A cannot be reached and pushes to B; two members
// of B sight A's indicator; A fetches the counts from B, attributed to hub
// B, and its early warning counts B's two members, unnamed. A crash
// between storing and moving the cursor counts nothing twice.
func TestSightingsBackPush(t *testing.T) {
	a, b := newTestHub(t, "A"), newTestHub(t, "B")
	a.opts.SightingsEvery = 20 * time.Millisecond
	coalition := b.coll // where B's members publish
	key := b.grantPush(a)
	if err := a.hub.AddPeer(ctx, hub.Console(), &vigie.Peer{Name: "B", URL: b.srv.URL + "/api1/", Key: vigie.Secret(key),
		RemoteCollection: b.coll.ID, LocalCollection: a.coll.ID, Push: true}); err != nil {
		t.Fatal(err)
	}
	a.startRunner()
	ind := a.indicator(1, nil)
	id := ind["id"].(string)
	a.publish(ind)
	waitFor(t, "A's indicator on B", func() bool { return b.has(v(ind)) })

	m1, k1 := b.member("Hidden Member One")
	m2, k2 := b.member("Hidden Member Two")
	b.coll = coalition
	b.publishWith(k1, sighting(1, m1, id, 3))
	b.publishWith(k2, sighting(1, m2, id, 4))
	waitFor(t, "A to count B's sightings", func() bool {
		rc, _ := a.store.RelayedCounts(ctx, id, time.Time{})
		return rc.Count >= 7
	})
	waitFor(t, "A to record them", func() bool { return a.peerState("B").Stats.SightingsReceived == 7 })
	if rc, _ := a.store.RelayedCounts(ctx, id, time.Time{}); rc != (vigie.RelayedCount{Count: 7, Observers: 2}) {
		t.Errorf("A counts %+v; want 7 by 2 members of B", rc)
	}
	var alert *vigie.Alert
	waitFor(t, "A's sighting alert", func() bool {
		got, err := a.hub.Alerts(ctx, vigie.Principal{OrgID: a.org.ID, Role: vigie.RoleReader}, vigie.AlertQuery{Trigger: vigie.TriggerSighting})
		if err == nil && len(got) > 0 {
			alert = got[0]
		}
		return alert != nil
	})
	if !strings.Contains(alert.Detail, "sighted by 2 organisations") || !strings.Contains(alert.Detail, "2 of them members of peer hubs") {
		t.Errorf("A's alert %q (%s) does not count B's two members", alert.Title, alert.Detail)
	}

	// A crash after storing a report, before the cursor moved.
	a.stopRunner()
	st := a.peerState("B")
	st.SightingStreams = nil
	if err := a.store.SavePeerState(ctx, "B", st); err != nil {
		t.Fatal(err)
	}
	a.startRunner()
	waitFor(t, "A to resume", func() bool { return len(a.peerState("B").SightingStreams) > 0 })
	b.publishWith(k1, sighting(2, m1, id, 2))
	waitFor(t, "A to count the new sighting", func() bool {
		rc, _ := a.store.RelayedCounts(ctx, id, time.Time{})
		return rc.Count >= 9
	})
	a.stopRunner()
	if rc, _ := a.store.RelayedCounts(ctx, id, time.Time{}); rc != (vigie.RelayedCount{Count: 9, Observers: 2}) {
		t.Errorf("after A's restart: %+v; want 9 by 2 (nothing twice)", rc)
	}
	a.close()
	files, _ := filepath.Glob(filepath.Join(a.dir, "vigie.db*"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		for _, s := range []string{m1.ID, m2.ID, m1.Name, m2.Name} {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("A's database file %s holds B's member %q", filepath.Base(f), s)
			}
		}
	}
}

// TestSightingsFetchRefused: only the pushing peer's key (a write grant
// naming its organisation) may fetch sightings; member keys and other
// peers may not.
func TestSightingsFetchRefused(t *testing.T) {
	a, b := newTestHub(t, "A"), newTestHub(t, "B")
	pushKey := b.grantPush(a)
	other := b.grant(&testHub{t: t, name: "C"}) // reads the collection, may not push into it
	if page, err := b.client(pushKey).FetchSightings(ctx, "api1", b.coll.ID, "", 0); err != nil || len(page.Streams) == 0 {
		t.Fatalf("the pushing peer: %v %+v; want B's streams", err, page)
	}
	if _, err := b.client(pushKey).FetchSightings(ctx, "api1", b.coll.ID, "nosuchstream", 0); status(err) != "400" {
		t.Errorf("an unknown stream: %v; want 400", err)
	}
	if _, err := b.client(other).FetchSightings(ctx, "api1", b.coll.ID, "", 0); status(err) != "403" {
		t.Errorf("a peer without the write grant: %v; want 403", err)
	}
	if _, err := b.client(b.key).FetchSightings(ctx, "api1", b.coll.ID, "", 0); status(err) != "403" {
		t.Errorf("a member key: %v; want 403", err)
	}
}
