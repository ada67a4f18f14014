package federation_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/taxii"
)

// grantPush makes an organisation for hub other on h, with a key of role
// peer and a write grant naming it on a new collection of h, and returns
// the key.
func (h *testHub) grantPush(other *testHub) string {
	h.t.Helper()
	key := h.grant(other) // read as a member of the coalition
	c, err := h.hub.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "api1", Title: "Pushed by " + other.name,
		Read: []string{"community:coalition"}, Write: []string{"org:hub " + other.name}})
	if err != nil {
		h.t.Fatal(err)
	}
	h.coll = c // what h's members read from now on
	return key
}

// TestPush: hub A cannot be reached, so it pushes to B. B receives A's
// CLEAR and GREEN objects with their origin (and never the AMBER one), and
// follows A's deletion and narrowed marking.
func TestPush(t *testing.T) {
	a, b := newTestHub(t, "A"), newTestHub(t, "B")
	key := b.grantPush(a)
	if err := a.hub.AddPeer(ctx, hub.Console(), &vigie.Peer{Name: "B", URL: b.srv.URL + "/api1/", Key: vigie.Secret(key),
		RemoteCollection: b.coll.ID, LocalCollection: a.coll.ID, Push: true}); err != nil {
		t.Fatal(err)
	}
	a.startRunner()
	green, amber, gone, narrowed := a.indicator(1, nil), a.indicator(2, map[string]any{"object_marking_refs": []string{vigie.MarkingAmber}}),
		a.indicator(3, nil), a.indicator(4, nil)
	a.publish(green, amber, gone, narrowed)
	waitFor(t, "A's GREEN objects on B", func() bool { return len(b.versions()) == 3 })
	if b.has(v(amber)) {
		t.Error("the AMBER object was pushed")
	}
	aHub, _ := a.hub.HubIdentity(ctx)
	og, _ := b.store.Origins(ctx, []string{green["id"].(string)})
	if o := og[green["id"].(string)]; o.Hub != aHub.ID || o.Org != a.org.ID {
		t.Errorf("B records the origin %+v; want A's hub and organisation", o)
	}
	a.delete(gone["id"].(string))
	a.publish(a.indicator(4, map[string]any{"modified": "2026-01-07T00:00:00.000Z", "object_marking_refs": []string{vigie.MarkingAmber}}))
	waitFor(t, "B to follow the deletion and the narrowing", func() bool {
		got := b.versions()
		return len(got) == 1 && got[0] == v(green)
	})
	if st := a.peerState("B"); st.Stats.Stored != 3 || st.LastError != "" {
		t.Errorf("A's state of the push = %+v", st)
	}
}

// TestPushRefused: only a key of role peer whose organisation a write
// grant names may push, and what it pushes meets the relay rules.
func TestPushRefused(t *testing.T) {
	a, b := newTestHub(t, "A"), newTestHub(t, "B")
	// A peer key whose organisation is in a community granted write: not
	// enough to push, which needs a grant naming the organisation.
	readOnly := b.grant(a)
	o := a.indicator(1, nil)
	raw, _ := json.Marshal(o)
	aHub, _ := a.hub.HubIdentity(ctx)
	body, _ := json.Marshal(taxii.Push{Objects: []json.RawMessage{raw}, Records: []taxii.Record{{ID: o["id"].(string), OriginHub: aHub.ID, OriginOrg: a.org.ID}}})
	post := func(key string, b2 []byte) int {
		req, _ := http.NewRequest("POST", b.srv.URL+"/api1/collections/"+b.coll.ID+"/"+taxii.PathPush, bytes.NewReader(b2))
		req.Header.Set("Content-Type", taxii.MediaType)
		req.Header.Set("Accept", taxii.MediaType)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := post(readOnly, body); got != http.StatusForbidden {
		t.Errorf("push with a peer key without a write grant: %d, want 403", got)
	}
	if got := post(b.key, body); got != http.StatusForbidden {
		t.Errorf("push with a publisher key: %d, want 403", got)
	}
	if got := post(readOnly, []byte(`{"objects":[{}]}`)); got != http.StatusForbidden && got != http.StatusUnprocessableEntity {
		t.Errorf("push of an object without a record: %d", got)
	}
	if len(b.versions()) != 0 {
		t.Errorf("B stored %v", b.versions())
	}
}
