package federation_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/taxii"
)

// fakePeer is a hostile or broken hub: it answers the first page of
// objects with what it was given, its tombstone feed with tombs, and
// its wake-up after a pause; with hang, it never answers at all.
type fakePeer struct {
	srv     *httptest.Server
	objs    []map[string]any
	records []taxii.Record
	tombs   []taxii.Tombstone
	hang    chan struct{} // non-nil: every request waits on it
	keySeen chan string
}

func newFakePeer(t *testing.T, hang bool) *fakePeer {
	f := &fakePeer{keySeen: make(chan string, 100)}
	if hang {
		f.hang = make(chan struct{})
	}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case f.keySeen <- r.Header.Get("Authorization"):
		default:
		}
		if f.hang != nil {
			select {
			case <-f.hang:
			case <-r.Context().Done():
			}
			return
		}
		w.Header().Set("Content-Type", taxii.MediaType)
		switch {
		case strings.HasSuffix(r.URL.Path, "/objects/"):
			env := taxii.Envelope{}
			if r.URL.Query().Get("added_after") == "" {
				for _, o := range f.objs {
					b, _ := json.Marshal(o)
					env.Objects = append(env.Objects, b)
				}
				env.Records = f.records
				w.Header().Set(taxii.HeaderDateAddedLast, taxii.FormatTimestamp(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)))
			}
			json.NewEncoder(w).Encode(env)
		case strings.HasSuffix(r.URL.Path, "/x-vigie-tombstones/"):
			ts := taxii.Tombstones{}
			if r.URL.Query().Get("added_after") == "" {
				ts.Tombstones = f.tombs
				w.Header().Set(taxii.HeaderDateAddedLast, taxii.FormatTimestamp(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)))
			}
			json.NewEncoder(w).Encode(ts)
		case strings.HasSuffix(r.URL.Path, "/x-vigie-wait/"):
			time.Sleep(100 * time.Millisecond)
			json.NewEncoder(w).Encode(taxii.WaitResult{})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(func() {
		if f.hang != nil {
			close(f.hang)
		}
		f.srv.Close()
	})
	return f
}

// TestSpoofedOrigin: a peer that lies about where objects come from gets
// nothing past A's rules: loops, claims of A's organisations (as origin,
// author or identity), versions of an id another organisation owns, and
// AMBER objects are dropped and counted; its tombstones delete neither A's
// own objects nor objects that reached A through another peer.
func TestSpoofedOrigin(t *testing.T) {
	a, b := newTestHub(t, "A"), newTestHub(t, "B")
	a.pullFrom(b)
	mine := a.indicator(1, nil)
	a.publish(mine)
	fromB := b.indicator(1, nil)
	b.publish(fromB)
	a.startRunner()
	waitFor(t, "B's object on A", func() bool { return a.has(v(fromB)) })

	aHub, _ := a.hub.HubIdentity(ctx)
	bHub, _ := b.hub.HubIdentity(ctx)
	m := newFakePeer(t, false)
	const mHub, mOrg = "0badc0de-0000-4000-8000-000000000000", "identity--0badc0de-0000-4000-8000-000000000001"
	mk := func(n int, props map[string]any) map[string]any {
		o := b.indicator(900+n, map[string]any{"created_by_ref": mOrg})
		for k, val := range props {
			o[k] = val
		}
		return o
	}
	add := func(o map[string]any, hub, org string) {
		m.objs = append(m.objs, o)
		m.records = append(m.records, taxii.Record{ID: o["id"].(string), OriginHub: hub, OriginOrg: org, OriginOrgName: "M"})
	}
	looped := mk(1, nil)
	add(looped, aHub.ID, mOrg)
	claimsOrg := mk(2, map[string]any{"created_by_ref": a.org.ID})
	add(claimsOrg, mHub, a.org.ID)
	claimsAuthor := mk(3, map[string]any{"created_by_ref": a.org.ID})
	add(claimsAuthor, mHub, mOrg)
	identity := map[string]any{"type": "identity", "spec_version": "2.1", "id": a.org.ID, "created": "2026-01-01T00:00:00.000Z",
		"modified": "2026-01-09T00:00:00.000Z", "name": "A CERT (forged)", "identity_class": "organization"}
	add(identity, mHub, mOrg)
	forgedVersion := b.indicator(1, map[string]any{"modified": "2026-01-09T00:00:00.000Z", "created_by_ref": mOrg, "name": "forged"})
	add(forgedVersion, mHub, mOrg)
	amber := mk(4, map[string]any{"object_marking_refs": []string{vigie.MarkingAmber}})
	add(amber, mHub, mOrg)
	good := mk(5, nil)
	add(good, mHub, mOrg)
	m.tombs = []taxii.Tombstone{
		{ID: mine["id"].(string), Version: "2026-01-01T00:00:00.000Z", Kind: "deleted", OriginHub: aHub.ID, OriginOrg: a.org.ID},
		{ID: mine["id"].(string), Version: "2026-01-01T00:00:00.000Z", Kind: "deleted", OriginHub: mHub, OriginOrg: a.org.ID},
		{ID: fromB["id"].(string), Version: "2026-01-01T00:00:00.000Z", Kind: "deleted", OriginHub: bHub.ID, OriginOrg: b.org.ID},
	}
	a.addPeer("M", m.srv.URL+"/api1/", "vigie_mkey_notasecretfortests", vigie.NewUUID())
	waitFor(t, "M's page to be relayed", func() bool {
		return a.peerState("M").Stats.Received == int64(len(m.objs)) && a.peerState("M").LastSync.After(time.Time{})
	})

	st := a.peerState("M").Stats
	want := vigie.RelayStats{Received: 7, Stored: 1, Looped: 1, Spoofed: 3, NotOwner: 1, TooRestricted: 1}
	if st != want {
		t.Errorf("A's counts for M = %+v\nwant %+v", st, want)
	}
	if !a.has(v(good)) {
		t.Error("M's own valid object was not relayed")
	}
	for _, o := range []map[string]any{looped, claimsOrg, claimsAuthor, forgedVersion, amber} {
		if a.has(v(o)) {
			t.Errorf("A stored %s", v(o))
		}
	}
	if !a.has(v(mine)) || !a.has(v(fromB)) {
		t.Errorf("M's tombstones deleted A's own object or B's: %v", a.versions())
	}
}

// TestSlowPeerDoesNotBlock: A pulls from a peer that never answers and
// from B; B's objects still arrive, and A's members still publish.
func TestSlowPeerDoesNotBlock(t *testing.T) {
	a, b := newTestHub(t, "A"), newTestHub(t, "B")
	a.opts.RequestTimeout = time.Hour // the hung peer holds its requests
	hung := newFakePeer(t, true)
	a.addPeer("hung", hung.srv.URL+"/api1/", "vigie_hkey_notasecretfortests", vigie.NewUUID())
	a.pullFrom(b)
	a.startRunner()
	<-hung.keySeen // the hung peer holds a request now
	o := b.indicator(1, nil)
	b.publish(o)
	waitFor(t, "B's object while the other peer hangs", func() bool { return a.has(v(o)) })
	local := a.indicator(2, nil)
	a.publish(local)
	if !a.has(v(local)) {
		t.Error("A's member could not publish while a peer hangs")
	}
}

// TestPeerKeyNeverShown: the key A holds for a peer is presented to the
// peer but appears in no error, state or log.
func TestPeerKeyNeverShown(t *testing.T) {
	a := newTestHub(t, "A")
	const key = "vigie_abcdefgh_s3cr3t-peer-key-value"
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A hostile peer echoes the key in its error answer.
		http.Error(w, "denied: "+r.Header.Get("Authorization"), http.StatusForbidden)
	}))
	t.Cleanup(bad.Close)
	var logs lockedBuffer
	a.opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	a.addPeer("echo", bad.URL+"/api1/", key, vigie.NewUUID())
	a.startRunner()
	waitFor(t, "the failure to be recorded", func() bool { return a.peerState("echo").LastError != "" })
	p, err := a.hub.Peer(ctx, hub.Console(), "echo")
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(p)
	a.stopRunner()
	if !strings.Contains(logs.String(), "echo") {
		t.Errorf("the failure was not logged: %q", logs.String())
	}
	for what, s := range map[string]string{"last error": p.State.LastError, "JSON": string(out), "log": logs.String(), "%v": fmt.Sprintf("%v %+v", p, p)} {
		if strings.Contains(s, "s3cr3t") {
			t.Errorf("the peer key shows in the %s: %s", what, s)
		}
	}
	if !strings.Contains(p.State.LastError, "403") {
		t.Errorf("last error %q does not say what happened", p.State.LastError)
	}
}

// lockedBuffer is a bytes.Buffer safe for the logger's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
