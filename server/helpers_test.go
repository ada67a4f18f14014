package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/server"
	"github.com/vigie-cti/vigie/store/sqlite"
	"github.com/vigie-cti/vigie/taxii"
)

var ctx = context.Background()

// fixture is a running hub with three organisations: A and B share the
// community "ab"; C is in no community.
type fixture struct {
	t       testing.TB
	hub     *hub.Hub
	store   vigie.Store // for what no use case does: recording alerts
	srv     *httptest.Server
	orgs    map[string]*vigie.Org
	keys    map[string]string // org name -> publisher token
	shared  *vigie.Collection // read+write community ab
	public  *vigie.Collection // read public, write org A
	private *vigie.Collection // read+write org C
}

// newFixture starts a hub over a fresh SQLite store, accepting at most 50
// objects per envelope.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureMax(t, 50)
}

// newFixtureMax is newFixture with another envelope limit.
func newFixtureMax(t testing.TB, maxObjects int) *fixture {
	t.Helper()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "vigie.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return newFixtureOn(t, st, maxObjects, "C")
}

// newFixtureOn builds the fixture over store st: organisations A, B and C
// with a publisher key each, A and B in community "ab", and the
// collections Shared (ab), Public (written by A) and one that only
// organisation private reads and writes.
func newFixtureOn(t testing.TB, st vigie.Store, maxObjects int, private string) *fixture {
	t.Helper()
	h := hub.New(st, hub.Config{DefaultTLP: vigie.TLPGreen, Limits: hub.Limits{MaxObjects: maxObjects}}, time.Now)
	f := &fixture{t: t, hub: h, store: st, orgs: map[string]*vigie.Org{}, keys: map[string]string{}}
	for _, name := range []string{"A", "B", "C"} {
		o, err := h.AddOrg(ctx, hub.Console(), name, []string{"energy"}, "FR")
		if err != nil {
			t.Fatal(err)
		}
		f.orgs[name] = o
		if _, f.keys[name], err = h.AddKey(ctx, hub.Console(), name, vigie.RolePublisher, "test", time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.AddCommunity(ctx, hub.Console(), "ab", []string{"A", "B"}); err != nil {
		t.Fatal(err)
	}
	f.shared = f.mustCollection("Shared", "community:ab", "community:ab")
	f.public = f.mustCollection("Public", "public", "org:A")
	f.private = f.mustCollection(private+" only", "org:"+private, "org:"+private)
	f.srv = httptest.NewServer(server.New(h, server.Options{Title: "test hub", DefaultRoot: "api1"}).Handler())
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) mustCollection(title, read, write string) *vigie.Collection {
	c, err := f.hub.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "api1", Title: title, Read: []string{read}, Write: []string{write}})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request as the organisation named by who ("" for anonymous).
func (f *fixture) do(method, path, who string, body []byte, headers ...string) response {
	f.t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Accept", taxii.MediaType)
	if body != nil {
		req.Header.Set("Content-Type", taxii.MediaType)
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+f.keys[who])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, b}
}

// decode unmarshals a response body, failing the test on bad JSON.
func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("response %d is not JSON (%v): %s", r.status, err, r.body)
	}
}

// objectsPath returns the objects URL of collection c.
func objectsPath(c *vigie.Collection) string {
	return "/" + c.Root + "/collections/" + c.ID + "/objects/"
}

// envelope builds a TAXII envelope of objects.
func envelope(t testing.TB, objs ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"objects": objs})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// post publishes objects as who and returns the status resource.
func (f *fixture) post(c *vigie.Collection, who string, objs ...map[string]any) taxii.Status {
	f.t.Helper()
	r := f.do("POST", objectsPath(c), who, envelope(f.t, objs...))
	if r.status != http.StatusAccepted {
		f.t.Fatalf("POST as %s: %d %s", who, r.status, r.body)
	}
	var st taxii.Status
	r.decode(f.t, &st)
	return st
}

// indicator returns a valid indicator; props override its properties.
func indicator(uuid string, props map[string]any) map[string]any {
	o := map[string]any{
		"type": "indicator", "spec_version": "2.1", "id": "indicator--" + uuid,
		"created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
		"name": "C2", "pattern": "[ipv4-addr:value = '198.51.100.7']", "pattern_type": "stix",
		"valid_from": "2026-01-01T00:00:00Z",
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
