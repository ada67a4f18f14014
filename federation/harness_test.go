package federation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/alert"
	"github.com/vigie-cti/vigie/federation"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/server"
	"github.com/vigie-cti/vigie/store/postgres"
	"github.com/vigie-cti/vigie/store/sqlite"
	"github.com/vigie-cti/vigie/taxii"
)

var ctx = context.Background()

// testHub is a real hub on loopback: a SQLite store in its own directory,
// the hub, the HTTP server of package server, and (once started) the
// federation runner. Its organisation "NAME CERT" publishes into the
// collection "Coalition", read and written by the community "coalition";
// peers granted GREEN join that community.
type testHub struct {
	t       testing.TB
	name    string
	dir     string
	store   vigie.Store
	hub     *hub.Hub
	srv     *httptest.Server
	handler struct {
		sync.RWMutex
		h http.Handler
	}
	org        *vigie.Org
	key        string // publisher key of org
	coll       *vigie.Collection
	opts       federation.Options
	stop       context.CancelFunc
	stopEngine func()
	noEngine   bool
	dsn        string // PostgreSQL, or "" for SQLite in dir
	done       chan struct{}
	closed     bool
}

// fastOptions make tests quick: peers picked up in 20 ms, short waits,
// short backoff.
var fastOptions = federation.Options{Rescan: 20 * time.Millisecond, WaitTimeout: 2 * time.Second,
	MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}

func newTestHub(t testing.TB, name string) *testHub {
	t.Helper()
	return newTestHubWith(t, name, true)
}

// newTestHubWith is newTestHub, with or without the early-warning engine.
func newTestHubWith(t testing.TB, name string, engine bool) *testHub {
	t.Helper()
	return newTestHubOn(t, name, engine, "")
}

// newTestHubOn is newTestHubWith on the PostgreSQL database at dsn
// (SQLite when "").
func newTestHubOn(t testing.TB, name string, engine bool, dsn string) *testHub {
	t.Helper()
	h := &testHub{t: t, name: name, dir: t.TempDir(), opts: fastOptions, noEngine: !engine, dsn: dsn}
	h.open()
	var err error
	if h.org, err = h.hub.AddOrg(ctx, hub.Console(), name+" CERT", []string{"government-national"}, "FR"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.hub.SetHubOperator(ctx, hub.Console(), h.org.ID); err != nil {
		t.Fatal(err)
	}
	if _, h.key, err = h.hub.AddKey(ctx, hub.Console(), h.org.ID, vigie.RolePublisher, "", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.hub.AddCommunity(ctx, hub.Console(), "coalition", []string{h.org.ID}); err != nil {
		t.Fatal(err)
	}
	if h.coll, err = h.hub.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "api1", Title: "Coalition",
		Read: []string{"community:coalition"}, Write: []string{"community:coalition"}}); err != nil {
		t.Fatal(err)
	}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.handler.RLock()
		next := h.handler.h
		h.handler.RUnlock()
		if next == nil {
			http.Error(w, "hub down", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { h.close(); h.srv.Close() })
	return h
}

// open opens the store and serves the hub (again, after close: a restart).
func (h *testHub) open() {
	var st vigie.Store
	var err error
	if h.dsn != "" {
		st, err = postgres.Open(ctx, h.dsn)
	} else {
		st, err = sqlite.Open(ctx, filepath.Join(h.dir, "vigie.db"))
	}
	if err != nil {
		h.t.Fatal(err)
	}
	h.store, h.closed = st, false
	// The early-warning engine, woken by publishes and relays alike.
	cfg := hub.Config{DefaultTLP: vigie.TLPGreen}
	h.stopEngine = func() {}
	if !h.noEngine {
		engine := alert.New(st, alert.Options{DefaultTLP: vigie.TLPGreen})
		ectx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); engine.Run(ectx) }()
		h.stopEngine = func() { cancel(); <-done }
		cfg.OnPublish = engine.Wake
	}
	h.hub = hub.New(st, cfg, time.Now)
	h.handler.Lock()
	h.handler.h = server.New(h.hub, server.Options{Title: h.name}).Handler()
	h.handler.Unlock()
}

// close stops the runner and the store (the listener stays, answering 503).
func (h *testHub) close() {
	if h.closed {
		return
	}
	h.stopRunner()
	h.stopEngine()
	h.handler.Lock()
	h.handler.h = nil
	h.handler.Unlock()
	h.store.Close()
	h.closed = true
}

func (h *testHub) restart() { h.close(); h.open(); h.startRunner() }

func (h *testHub) startRunner() {
	c, cancel := context.WithCancel(ctx)
	h.stop, h.done = cancel, make(chan struct{})
	r := federation.New(h.hub, h.opts)
	go func() { defer close(h.done); r.Run(c) }()
}

func (h *testHub) stopRunner() {
	if h.stop != nil {
		h.stop()
		<-h.done
		h.stop = nil
	}
}

// grant makes an organisation for hub other on h, with a key of role peer,
// in the coalition community (so it reads CLEAR and GREEN), and returns the key.
func (h *testHub) grant(other *testHub) string {
	h.t.Helper()
	o, err := h.hub.AddOrg(ctx, hub.Console(), "hub "+other.name, nil, "")
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.hub.SetCommunityMember(ctx, hub.Console(), "coalition", o.ID, true); err != nil {
		h.t.Fatal(err)
	}
	_, key, err := h.hub.AddKey(ctx, hub.Console(), o.ID, vigie.RolePeer, "federation", time.Time{})
	if err != nil {
		h.t.Fatal(err)
	}
	return key
}

// pullFrom makes h pull from remote's coalition collection into its own.
func (h *testHub) pullFrom(remote *testHub) {
	h.t.Helper()
	key := remote.grant(h)
	h.addPeer(remote.name, remote.srv.URL+"/api1/", key, remote.coll.ID)
}

func (h *testHub) addPeer(name, url, key, remoteColl string) {
	h.t.Helper()
	if err := h.hub.AddPeer(ctx, hub.Console(), &vigie.Peer{Name: name, URL: url, Key: vigie.Secret(key),
		RemoteCollection: remoteColl, LocalCollection: h.coll.ID}); err != nil {
		h.t.Fatal(err)
	}
}

// publish posts objects as h's organisation over TAXII and checks they were stored.
func (h *testHub) publish(objs ...map[string]any) {
	h.t.Helper()
	c, err := taxii.NewClient(h.srv.URL, h.key, &http.Client{Timeout: 30 * time.Second})
	if err != nil {
		h.t.Fatal(err)
	}
	raws := make([]json.RawMessage, len(objs))
	for i, o := range objs {
		if raws[i], err = json.Marshal(o); err != nil {
			h.t.Fatal(err)
		}
	}
	st, err := c.AddObjects(ctx, "api1", h.coll.ID, raws)
	if err != nil {
		h.t.Fatal(err)
	}
	if st.FailureCount > 0 {
		h.t.Fatalf("%s: publishing: %+v", h.name, st.Failures)
	}
}

// delete deletes an object of h's organisation over TAXII.
func (h *testHub) delete(id string) {
	h.t.Helper()
	req, _ := http.NewRequest("DELETE", h.srv.URL+"/api1/collections/"+h.coll.ID+"/objects/"+id+"/", nil)
	req.Header.Set("Authorization", "Bearer "+h.key)
	req.Header.Set("Accept", taxii.MediaType)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		h.t.Fatalf("%s: DELETE %s: %d", h.name, id, res.StatusCode)
	}
}

// versions returns every stored version in h's collection as "id@modified"
// (or "id" for an SCO), whatever its marking, in date_added order.
func (h *testHub) versions() []string {
	h.t.Helper()
	p, err := h.store.Objects(ctx, &vigie.ObjectQuery{Collection: h.coll.ID, Scope: vigie.ReadScope{All: true},
		Versions: vigie.VersionFilter{All: true}, Limit: 1 << 20, WithoutRaw: true})
	if err != nil {
		h.t.Fatal(err)
	}
	out := make([]string, len(p.Objects))
	for i, o := range p.Objects {
		out[i] = o.ID + "@" + o.Version
	}
	return out
}

func (h *testHub) has(v string) bool {
	for _, got := range h.versions() {
		if got == v {
			return true
		}
	}
	return false
}

func (h *testHub) peerState(name string) vigie.PeerState {
	h.t.Helper()
	p, err := h.hub.Peer(ctx, hub.Console(), name)
	if err != nil {
		h.t.Fatal(err)
	}
	return p.State
}

// waitFor polls cond until it holds, failing the test after 30 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// indicator returns an indicator of h's organisation; props override.
func (h *testHub) indicator(n int, props map[string]any) map[string]any {
	o := map[string]any{
		"type": "indicator", "spec_version": "2.1", "id": fmt.Sprintf("indicator--%08x-0000-4000-8000-%012d", hashName(h.name), n),
		"created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "created_by_ref": h.org.ID,
		"name": fmt.Sprintf("%s indicator %d", h.name, n), "pattern": fmt.Sprintf("[ipv4-addr:value = '198.51.100.%d']", n%250),
		"pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z", "object_marking_refs": []string{vigie.MarkingGreen},
	}
	for k, v := range props {
		if v == nil {
			delete(o, k)
		} else {
			o[k] = v
		}
	}
	return o
}

func hashName(s string) uint32 {
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

// v names version modified of object o as versions() lists it.
func v(o map[string]any) string { return o["id"].(string) + "@" + o["modified"].(string) }
