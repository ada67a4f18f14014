package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/taxii"
)

// peerSees is, for each object of the access matrix, whether a peer hub
// reads it as a member of the collection's audience and as a mere reader
// of a public collection, written out from the brief's table ("may it
// leave this hub?"): CLEAR to every peer, GREEN to peers of the same
// community, nothing else, whatever the grants.
var peerSees = map[string][2]bool{
	"unmarked (hub default GREEN)":       {true, false},
	"TLP:CLEAR":                          {true, true},
	"TLP 1.0 WHITE":                      {true, true},
	"TLP:GREEN":                          {true, false},
	"TLP 1.0 GREEN":                      {true, false},
	"TLP:AMBER":                          {false, false},
	"TLP 1.0 AMBER":                      {false, false},
	"TLP:AMBER+STRICT":                   {false, false},
	"TLP:RED to B":                       {false, false},
	"TLP:RED to C":                       {false, false},
	"TLP:RED to nobody":                  {false, false},
	"TLP 1.0 RED to B":                   {false, false},
	"CLEAR with a granular RED part":     {false, false},
	"CLEAR and AMBER: the stricter wins": {false, false},
}

// addPeerKey registers organisation name with a key of role peer (in
// community ab when member) and returns it under f.keys[name].
func (f *fixture) addPeerKey(name string, member bool) {
	f.t.Helper()
	o, err := f.hub.AddOrg(ctx, hub.Console(), name, nil, "")
	if err != nil {
		f.t.Fatal(err)
	}
	f.orgs[name] = o
	if member {
		if err := f.hub.SetCommunityMember(ctx, hub.Console(), "ab", name, true); err != nil {
			f.t.Fatal(err)
		}
	}
	if _, f.keys[name], err = f.hub.AddKey(ctx, hub.Console(), name, vigie.RolePeer, "hub", time.Time{}); err != nil {
		f.t.Fatal(err)
	}
}

// TestPeerAccessMatrix holds a peer hub's key to the policy on every read
// path (objects, object, versions, manifest, tombstones, wake-up): role
// peer × every marking × endpoint, as a member of the community collection
// (P) and as a reader of the public one (P and Q).
func TestPeerAccessMatrix(t *testing.T) {
	f := newFixture(t)
	f.addPeerKey("P", true)
	f.addPeerKey("Q", false)
	for ci, c := range []*vigie.Collection{f.shared, f.public} {
		var objs []map[string]any
		for i, m := range matrix {
			objs = append(objs, indicator(fmt.Sprintf("00000000-0000-4000-8000-%06d%06d", ci, i), m.props(f)))
		}
		// RED naming the peer's organisation as a recipient: still not for a peer key.
		redToPeer := indicator(fmt.Sprintf("00000000-0000-4000-8000-%06d999999", ci), redTo(vigie.MarkingRed, "P")(f))
		objs = append(objs, redToPeer)
		if st := f.post(c, "A", objs...); st.SuccessCount != len(objs) {
			t.Fatalf("publishing the matrix: %+v", st)
		}
		// AMBER the peer's own organisation published (as a member could
		// before its key became a peer key): still not for a peer key.
		ownAmber := indicator(fmt.Sprintf("00000000-0000-4000-8000-%06d888888", ci), marking(vigie.MarkingAmber)(f))
		raw, _ := json.Marshal(ownAmber)
		o := &vigie.Object{ID: ownAmber["id"].(string), Type: "indicator", SpecVersion: "2.1", Version: "2026-01-01T00:00:00.000Z",
			VersionKey: vigie.VersionKey(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), Raw: raw, Owner: f.orgs["P"].ID,
			Sharing: vigie.Sharing{Publisher: f.orgs["P"].ID, TLP: vigie.TLPAmber}}
		if err := f.store.AddObjects(ctx, c.ID, []*vigie.Object{o}, &vigie.Status{ID: vigie.NewUUID(), Root: c.Root}); err != nil {
			t.Fatal(err)
		}
	}
	for ci, c := range []*vigie.Collection{f.shared, f.public} {
		for i, m := range matrix {
			id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%06d%06d", ci, i)
			sees, ok := peerSees[m.name]
			if !ok {
				t.Fatalf("peerSees has no row for %q", m.name)
			}
			checkEndpoints(t, f, c, id, "P", sees[ci], fmt.Sprintf("%s/%s/peer P", c.Title, m.name))
			if c == f.public {
				checkEndpoints(t, f, c, id, "Q", sees[1], fmt.Sprintf("%s/%s/peer Q", c.Title, m.name))
			}
		}
		// RED naming the peer, and AMBER the peer's organisation published.
		for _, tag := range []string{"999999", "888888"} {
			id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%06d%s", ci, tag)
			checkEndpoints(t, f, c, id, "P", false, c.Title+"/"+id+"/peer P")
			// It exists: A published the RED one, and reads the AMBER one as a member of the community collection.
			checkEndpoints(t, f, c, id, "A", tag == "999999" || c == f.shared, c.Title+"/"+id+"/reader A")
		}
	}
	// The shared collection is not the public's: Q does not even see it.
	if r := f.do("GET", objectsPath(f.shared), "Q", nil); r.status != http.StatusNotFound {
		t.Errorf("Q reads the community collection: %d", r.status)
	}

	// Tombstones: delete everything; the peer sees the tombstones of what
	// it could read, and not one id of the others.
	for ci, c := range []*vigie.Collection{f.shared, f.public} {
		var want []string
		for i, m := range matrix {
			id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%06d%06d", ci, i)
			if r := f.do("DELETE", objectsPath(c)+id+"/", "A", nil); r.status != http.StatusOK {
				t.Fatalf("DELETE %s: %d %s", id, r.status, r.body)
			}
			if peerSees[m.name][ci] {
				want = append(want, id)
			}
		}
		for _, id := range []string{fmt.Sprintf("indicator--00000000-0000-4000-8000-%06d999999", ci)} {
			if r := f.do("DELETE", objectsPath(c)+id+"/", "A", nil); r.status != http.StatusOK {
				t.Fatalf("DELETE %s: %d", id, r.status)
			}
		}
		got := tombstoneIDs(t, f, c, "P")
		if !slices.Equal(got, want) {
			t.Errorf("%s: peer P's tombstones %v, want %v", c.Title, got, want)
		}
		if all := tombstoneIDs(t, f, c, "A"); len(all) != len(matrix)+1 {
			t.Errorf("%s: A (the publisher) sees %d tombstones, want %d", c.Title, len(all), len(matrix)+1)
		}
	}

	// The wake-up: AMBER news does not wake a peer; GREEN does.
	fresh := f.mustCollection("Fresh", "community:ab", "community:ab")
	since := taxii.FormatTimestamp(time.Now().Add(-time.Minute))
	f.post(fresh, "A", indicator("33333333-3333-4333-8333-333333333333", marking(vigie.MarkingAmber)(f)))
	waitPath := "/" + fresh.Root + "/collections/" + fresh.ID + "/x-vigie-wait/?timeout=0&added_after=" + since + "&tombstones_after=" + since
	if got := waitChanged(t, f, waitPath, "P"); got {
		t.Error("an AMBER object woke the peer")
	}
	if got := waitChanged(t, f, waitPath, "B"); !got {
		t.Error("an AMBER object did not wake member B")
	}
	f.post(fresh, "A", indicator("44444444-4444-4444-8444-444444444444", marking(vigie.MarkingGreen)(f)))
	if got := waitChanged(t, f, waitPath, "P"); !got {
		t.Error("a GREEN object did not wake the peer")
	}

	// A peer key is no member key: no publishing, no member API.
	if r := f.do("POST", objectsPath(f.shared), "P", envelope(t, indicator("55555555-5555-4555-8555-555555555555", nil))); r.status != http.StatusForbidden {
		t.Errorf("POST with a peer key: %d, want 403", r.status)
	}
	for _, path := range []string{"/api/v1/alerts", "/api/v1/identities", "/api/v1/watchlist", "/api/v1/whoami", "/api/v1/audit"} {
		if r := f.do("GET", path, "P", nil); r.status != http.StatusForbidden {
			t.Errorf("GET %s with a peer key: %d, want 403", path, r.status)
		}
	}
}

func tombstoneIDs(t *testing.T, f *fixture, c *vigie.Collection, who string) []string {
	t.Helper()
	r := f.do("GET", "/"+c.Root+"/collections/"+c.ID+"/x-vigie-tombstones/", who, nil)
	if r.status != http.StatusOK {
		t.Fatalf("tombstones as %s: %d %s", who, r.status, r.body)
	}
	var ts taxii.Tombstones
	r.decode(t, &ts)
	var ids []string
	for _, tb := range ts.Tombstones {
		ids = append(ids, tb.ID)
	}
	return ids
}

func waitChanged(t *testing.T, f *fixture, path, who string) bool {
	t.Helper()
	r := f.do("GET", path, who, nil)
	if r.status != http.StatusOK {
		t.Fatalf("wait as %s: %d %s", who, r.status, r.body)
	}
	var w taxii.WaitResult
	r.decode(t, &w)
	return w.Changed
}

// TestPeerRecordsAndNarrowing: a peer's envelope carries each object's
// provenance; a version narrowed from GREEN to AMBER retracts the GREEN
// one from the peer (gone from its reads, a tombstone in its feed) while
// members still read it.
func TestPeerRecordsAndNarrowing(t *testing.T) {
	f := newFixture(t)
	f.addPeerKey("P", true)
	self, err := f.hub.HubIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	uuid := "66666666-6666-4666-8666-666666666666"
	f.post(f.shared, "A", indicator(uuid, marking(vigie.MarkingGreen)(f)))
	var env taxii.Envelope
	f.do("GET", objectsPath(f.shared)+"?match[version]=all", "P", nil).decode(t, &env)
	if len(env.Records) != 1 || env.Records[0].OriginHub != self.ID || env.Records[0].OriginOrg != f.orgs["A"].ID || env.Records[0].OriginOrgName != "A" {
		t.Fatalf("peer records = %+v; want one naming hub %s and organisation A", env.Records, self.ID)
	}
	var plain taxii.Envelope
	f.do("GET", objectsPath(f.shared), "B", nil).decode(t, &plain)
	if len(plain.Records) != 0 {
		t.Errorf("a member's envelope carries peer records: %+v", plain.Records)
	}
	v2 := indicator(uuid, map[string]any{"object_marking_refs": []string{vigie.MarkingAmber}, "modified": "2026-02-01T00:00:00.000Z"})
	f.post(f.shared, "A", v2)
	id := "indicator--" + uuid
	checkEndpoints(t, f, f.shared, id, "P", false, "narrowed/peer P")
	checkEndpoints(t, f, f.shared, id, "B", true, "narrowed/member B")
	r := f.do("GET", "/"+f.shared.Root+"/collections/"+f.shared.ID+"/x-vigie-tombstones/", "P", nil)
	var ts taxii.Tombstones
	r.decode(t, &ts)
	if len(ts.Tombstones) != 1 || ts.Tombstones[0].ID != id || ts.Tombstones[0].Kind != vigie.TombstoneRetracted || ts.Tombstones[0].Version != "2026-01-01T00:00:00.000Z" {
		t.Errorf("peer tombstones after narrowing = %+v; want the GREEN version retracted", ts.Tombstones)
	}
	// Discovery names the hub.
	var d taxii.Discovery
	f.do("GET", "/taxii2/", "", nil).decode(t, &d)
	if d.Hub == nil || d.Hub.ID != self.ID {
		t.Errorf("discovery x_vigie_hub = %+v, want id %s", d.Hub, self.ID)
	}
}

// TestFederationParams: malformed parameters of the extensions are 400s
// that say what is wrong; the collections they name are as hidden as
// the objects endpoint's.
func TestFederationParams(t *testing.T) {
	f := newFixture(t)
	f.addPeerKey("P", true)
	base := "/" + f.shared.Root + "/collections/" + f.shared.ID
	for _, tc := range []struct{ path, want string }{
		{"/x-vigie-wait/?timeout=-1", "timeout"},
		{"/x-vigie-wait/?timeout=61", "timeout"},
		{"/x-vigie-wait/?timeout=soon", "timeout"},
		{"/x-vigie-wait/?added_after=yesterday", "timestamp"},
		{"/x-vigie-wait/?tombstones_after=2026-13-01T00:00:00Z", ""},
		{"/x-vigie-wait/?since=1", "unknown URL parameter"},
		{"/x-vigie-wait/?timeout=1&timeout=2", "given 2 times"},
		{"/x-vigie-tombstones/?match[id]=indicator--00000000-0000-4000-8000-000000000000", "unknown or unsupported"},
		{"/x-vigie-tombstones/?next=garbage", "next"},
		{"/x-vigie-tombstones/?limit=-5", "limit"},
	} {
		r := f.do("GET", base+tc.path, "P", nil)
		if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), tc.want) {
			t.Errorf("GET %s = %d %s; want 400 saying %q", tc.path, r.status, r.body, tc.want)
		}
	}
	for who, want := range map[string]int{"": http.StatusUnauthorized, "C": http.StatusNotFound} {
		for _, p := range []string{"/x-vigie-wait/?timeout=0", "/x-vigie-tombstones/"} {
			if r := f.do("GET", base+p, who, nil); r.status != want {
				t.Errorf("GET %s as %q = %d, want %d", p, who, r.status, want)
			}
		}
	}
}
