package main

import (
	"net"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/store/postgres/pgtest"
	"github.com/vigie-cti/vigie/taxii"
)

// Federation between real "vigie serve" processes on loopback, set up
// with the admin commands only (the in-process tests of package federation
// cover the same rules one level down).

// TestFederationChainProcesses: B → A → C, three processes on SQLite.
func TestFederationChainProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hub processes")
	}
	testChainProcesses(t, "", "")
}

// TestFederationChainProcessesPostgres is the chain with A and C on
// PostgreSQL (each its own schema), B on SQLite.
func TestFederationChainProcessesPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hub processes")
	}
	testChainProcesses(t, pgtest.URL(t), pgtest.URL(t))
}

// testChainProcesses: C pulls from A, which pulls from B. B's GREEN object
// reaches C attributed to B's hub and CERT; its AMBER and RED ones reach
// neither A nor C (their members' TAXII and /api/v1 export, and the
// counters of "peer list", which never shows a key); a revocation, a
// deletion and a marking narrowed to AMBER on B follow to C; C stopped
// for a while catches up when it comes back.
func testChainProcesses(t *testing.T, dbA, dbC string) {
	b, a, c := newProcHub(t, "B", ""), newProcHub(t, "A", dbA), newProcHub(t, "C", dbC)
	b.start()
	a.start()
	c.start()
	peerKey := pull(a, b)
	pull(c, a)

	green, greenToo := b.indicator(1, vigie.MarkingGreen), b.indicator(2, vigie.MarkingGreen)
	narrowed, deleted := b.indicator(3, vigie.MarkingGreen), b.indicator(4, vigie.MarkingClear)
	amber, strict := b.indicator(5, vigie.MarkingAmber), b.indicator(6, vigie.MarkingAmberStrict)
	red := b.indicator(7, vigie.MarkingRed)
	red[vigie.RecipientsProperty] = []string{b.org}
	b.publish(amber, strict, red, green, greenToo, narrowed, deleted)
	crossing := []map[string]any{green, greenToo, narrowed, deleted}
	waitUntil(t, "B's CLEAR and GREEN objects on C", func() bool { return len(c.versionsOf()) == len(crossing) })

	// A member of B reads B's AMBER object: the same key on A or C would
	// read it too, were it there.
	if !b.has(amber["id"].(string)) {
		t.Fatal("B's member does not read B's AMBER object: the checks below would prove nothing")
	}
	bID := b.hubID()
	for _, h := range []*procHub{a, c} {
		got := h.versionsOf()
		for _, o := range crossing {
			if len(got[o["id"].(string)]) != 1 {
				t.Errorf("%s's member reads %v of %s, want one version", h.name, got[o["id"].(string)], o["id"])
			}
		}
		for _, o := range []map[string]any{amber, strict, red} {
			if got[o["id"].(string)] != nil {
				t.Errorf("%s holds B's %v object %s", h.name, o["object_marking_refs"], o["id"])
			}
		}
		// The member's /api/v1 export: B's GREEN indicator, none of the others.
		csv := h.export(h.reader)
		if !strings.Contains(csv, green["id"].(string)) {
			t.Errorf("%s's export lacks B's GREEN indicator:\n%s", h.name, csv)
		}
		for _, o := range []map[string]any{amber, strict, red} {
			if strings.Contains(csv, o["id"].(string)) {
				t.Errorf("%s's export holds B's %v indicator", h.name, o["object_marking_refs"])
			}
		}
		// C reads it through A, attributed to B's hub and CERT all the same.
		for _, r := range h.manifest(h.reader) {
			if r.ID == green["id"] && (r.OriginHub != bID || r.OriginOrg != b.org || r.OriginOrgName != "CERT-B") {
				t.Errorf("%s's manifest names the origin %s / %s (%s); want hub %s, CERT-B (%s)", h.name, r.OriginHub, r.OriginOrg, r.OriginOrgName, bID, b.org)
			}
		}
	}
	// The counters: exactly the four objects that may leave crossed each
	// hop; nothing above GREEN was even sent.
	for _, hop := range []struct {
		h    *procHub
		peer string
	}{{a, "hub-B"}, {c, "hub-A"}} {
		waitUntil(t, hop.h.name+"'s counters", func() bool { return hop.h.stats(hop.peer).Stored == 4 })
		if st := hop.h.stats(hop.peer); st.Received != 4 || st.TooRestricted != 0 || st.Spoofed != 0 || st.NotOwner != 0 {
			t.Errorf("%s's counters of %s: %+v; want 4 received and stored, nothing refused", hop.h.name, hop.peer, st)
		}
	}
	_, secret, _ := vigie.SplitToken(peerKey)
	for _, h := range []*procHub{a, c} {
		out := h.admin("peer", "list") + h.admin("peer", "list", "--json")
		if !strings.Contains(out, "up-to-date") || secret == "" || strings.Contains(out, secret) {
			t.Errorf("%s's peer list (up to date, no key):\n%s", h.name, out)
		}
	}

	// Revocation, deletion, narrowing on B follow to the end of the chain.
	revoked := b.indicator(1, vigie.MarkingGreen)
	revoked["modified"], revoked["revoked"] = "2026-01-05T00:00:00.000Z", true
	narrowedAmber := b.indicator(3, vigie.MarkingAmber)
	narrowedAmber["modified"] = "2026-01-05T00:00:00.000Z"
	b.publish(revoked, narrowedAmber)
	if code := call(t, "DELETE", b.url+"/coalition/collections/"+b.coll+"/objects/"+deleted["id"].(string)+"/", b.publisher, nil, nil); code != 200 {
		t.Fatalf("DELETE on B: %d", code)
	}
	for _, h := range []*procHub{a, c} {
		waitUntil(t, h.name+" to follow the deletion and the narrowing", func() bool {
			got := h.versionsOf()
			return got[deleted["id"].(string)] == nil && got[narrowed["id"].(string)] == nil && len(got[green["id"].(string)]) == 2
		})
		if o := h.latest(green["id"].(string)); o["revoked"] != true {
			t.Errorf("%s's member reads %v; want the revoked version", h.name, o)
		}
	}
	waitUntil(t, "C to count the retracted versions", func() bool { return c.stats("hub-A").Retracted >= 2 })
	if st := c.stats("hub-A"); st.Retracted != 2 {
		t.Errorf("C retracted %d versions, want 2 (the deleted one and the narrowed one)", st.Retracted)
	}

	// C is down while B publishes; it catches up when it comes back.
	c.signal(syscall.SIGTERM)
	var later []map[string]any
	for i := 100; i < 150; i++ {
		later = append(later, b.indicator(i, vigie.MarkingGreen))
	}
	b.publish(later...)
	waitUntil(t, "A to hold what B published while C was down", func() bool { return a.has(later[len(later)-1]["id"].(string)) })
	c.start()
	waitUntil(t, "C to catch up", func() bool { return len(c.versionsOf()) == 2+len(later) })
}

// TestFederationTriangleProcesses: A, B and C each pull from the other two.
// Every version published anywhere is stored exactly once on each hub (its
// versions endpoint, and "peer list": stored once, the other copies
// counted as duplicates or, back home, as loops).
func TestFederationTriangleProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hub processes")
	}
	hubs := []*procHub{newProcHub(t, "A", ""), newProcHub(t, "B", ""), newProcHub(t, "C", "")}
	for _, h := range hubs {
		h.start()
	}
	for _, dst := range hubs {
		for _, src := range hubs {
			if dst != src {
				pull(dst, src)
			}
		}
	}
	want := map[string][]string{} // id → its versions
	for i, h := range hubs {
		o := h.indicator(i+1, vigie.MarkingGreen)
		h.publish(o)
		want[o["id"].(string)] = []string{o["modified"].(string)}
	}
	a2 := hubs[0].indicator(1, vigie.MarkingGreen)
	a2["modified"] = "2026-01-03T00:00:00.000Z"
	hubs[0].publish(a2)
	want[a2["id"].(string)] = append(want[a2["id"].(string)], a2["modified"].(string))

	for i, h := range hubs {
		// Stored: the versions of the two other hubs' objects, once.
		foreign := 2
		if i > 0 {
			foreign = 3
		}
		waitUntil(t, h.name+" to store the others' versions and see its own come back", func() bool {
			var stored, looped int64
			for _, p := range h.peers() {
				stored += p.Detail.Stats.Stored
				looped += p.Detail.Stats.Looped
			}
			return stored >= int64(foreign) && looped >= 2
		})
		var stored int64
		for name, p := range h.peers() {
			stored += p.Detail.Stats.Stored
			if st := p.Detail.Stats; st.Spoofed+st.NotOwner+st.TooRestricted+st.Invalid != 0 {
				t.Errorf("%s's counters of %s: %+v; want nothing refused", h.name, name, st)
			}
		}
		if stored != int64(foreign) {
			t.Errorf("%s stored %d versions from its peers, want %d (each once)", h.name, stored, foreign)
		}
		for id, versions := range want {
			var vs taxii.Versions
			if code := call(t, "GET", h.url+"/coalition/collections/"+h.coll+"/objects/"+id+"/versions/", h.reader, nil, &vs); code != 200 || !slices.Equal(vs.Versions, versions) {
				t.Errorf("%s's versions of %s: %d %v, want %v", h.name, id, code, vs.Versions, versions)
			}
		}
		if n := len(h.manifest(h.reader)); n != 4 {
			t.Errorf("%s's manifest holds %d versions, want 4", h.name, n)
		}
	}
}

// TestFederationSlowPeerProcesses: four processes. A pulls from B, from a
// hub D stopped with SIGSTOP after A's first exchange with it, and from a
// listener that accepts and never answers; C pulls from A. What B
// publishes, and what A's CERT publishes, still reaches C.
func TestFederationSlowPeerProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hub processes")
	}
	b, a, c, d := newProcHub(t, "B", ""), newProcHub(t, "A", ""), newProcHub(t, "C", ""), newProcHub(t, "D", "")
	for _, h := range []*procHub{b, a, c, d} {
		h.start()
	}
	pull(a, d)
	waitUntil(t, "A's first exchange with D", func() bool { return a.peers()["hub-D"].State == "up-to-date" })
	d.signal(syscall.SIGSTOP) // A's long poll on D now hangs
	hung, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hung.Close() })
	go func() {
		var held []net.Conn // never answered, never closed until the test ends
		for {
			conn, err := hung.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
				return
			}
			held = append(held, conn)
		}
	}()
	a.addPeer("hung", "http://"+hung.Addr().String()+"/coalition/", "vigie_abcdefgh_notarealkeyvalue", vigie.NewUUID())
	pull(a, b)
	pull(c, a)

	fromB, fromA := b.indicator(1, vigie.MarkingGreen), a.indicator(2, vigie.MarkingGreen)
	b.publish(fromB)
	a.publish(fromA)
	waitWithin(t, "B's and A's objects on C, past the hung peers", 30*time.Second, func() bool {
		return c.has(fromB["id"].(string)) && c.has(fromA["id"].(string))
	})
}

// TestFederationKill9Processes: A is killed with SIGKILL while it pulls a
// backlog of 20,000 objects from B, and restarted; then B is killed while
// A pulls more, and restarted. A ends with every object of B exactly
// once: nothing lost, no version twice.
func TestFederationKill9Processes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hub processes")
	}
	b, a := newProcHub(t, "B", ""), newProcHub(t, "A", "")
	b.start()
	publishMany := func(from, n int) {
		for start := from; start < from+n; start += 10000 {
			var objs []map[string]any
			for i := start; i < min(start+10000, from+n); i++ {
				objs = append(objs, b.indicator(i, vigie.MarkingClear))
			}
			b.publish(objs...)
		}
	}
	const n, more = 20000, 5000
	publishMany(0, n)
	pull(a, b)
	a.start()
	waitUntil(t, "A to be part-way through the backlog", func() bool {
		var m taxii.Manifest
		return call(t, "GET", a.url+"/coalition/collections/"+a.coll+"/manifest/?limit=1", a.reader, nil, &m) == 200 && len(m.Objects) > 0
	})
	a.signal(syscall.SIGKILL)
	t.Logf("A killed with %d of %d versions counted as stored", a.stats("hub-B").Stored, n)
	a.start()

	publishMany(n, more)
	b.signal(syscall.SIGKILL)
	b.start()
	total := int64(n + more)
	waitUntil(t, "A to catch up after both kills", func() bool {
		st := a.peers()["hub-B"]
		return st.Detail.CaughtUp && st.Detail.Stats.Stored+st.Detail.Stats.Duplicates >= total
	})
	got, want := a.manifest(a.reader), b.manifest(b.reader)
	seen := map[string]bool{}
	for _, r := range got {
		if seen[r.ID+"|"+r.Version] {
			t.Errorf("%s version %s stored twice on A", r.ID, r.Version)
		}
		seen[r.ID+"|"+r.Version] = true
	}
	if len(got) != len(want) || len(want) != int(total) {
		t.Errorf("A holds %d versions, B %d; want %d on both", len(got), len(want), total)
	}
}
