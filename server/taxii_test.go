package server_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/api"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/stix"
	"github.com/vigie-cti/vigie/taxii"
)

func TestDiscoveryAndRoots(t *testing.T) {
	f := newFixture(t)
	var d taxii.Discovery
	r := f.do("GET", "/taxii2/", "", nil)
	if r.status != 200 || r.header.Get("Content-Type") != taxii.MediaType {
		t.Fatalf("discovery: %d %q", r.status, r.header.Get("Content-Type"))
	}
	r.decode(t, &d)
	self, err := f.hub.HubIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := taxii.Discovery{Title: "test hub", Default: "/api1/", APIRoots: []string{"/api1/"}, // no PublicURL: paths
		Hub: &taxii.HubInfo{ID: self.ID}} // no operator set
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("discovery (-want +got):\n%s", diff)
	}
	var root taxii.APIRoot
	f.do("GET", "/api1/", "", nil).decode(t, &root)
	if root.MaxContentLength <= 0 || len(root.Versions) != 1 || root.Versions[0] != taxii.MediaType {
		t.Errorf("API root = %+v", root)
	}
	if r := f.do("GET", "/nope/", "", nil); r.status != 404 {
		t.Errorf("unknown API root: %d", r.status)
	}
}

func TestCollectionsListOnlyAccessible(t *testing.T) {
	f := newFixture(t)
	titles := func(who string) map[string][2]bool {
		var cs taxii.Collections
		f.do("GET", "/api1/collections/", who, nil).decode(t, &cs)
		out := map[string][2]bool{}
		for _, c := range cs.Collections {
			out[c.Title] = [2]bool{c.CanRead, c.CanWrite}
			if len(c.MediaTypes) == 0 || c.MediaTypes[0] != taxii.STIXMediaType {
				t.Errorf("collection %s media types %v", c.Title, c.MediaTypes)
			}
		}
		return out
	}
	for who, want := range map[string]map[string][2]bool{
		"A": {"Shared": {true, true}, "Public": {true, true}},
		"B": {"Shared": {true, true}, "Public": {true, false}},
		"C": {"Public": {true, false}, "C only": {true, true}},
		"":  {"Public": {true, false}},
	} {
		if diff := cmp.Diff(want, titles(who)); diff != "" {
			t.Errorf("collections seen by %q (-want +got):\n%s", who, diff)
		}
	}
	var c taxii.Collection
	f.do("GET", "/api1/collections/"+f.public.ID+"/", "", nil).decode(t, &c)
	if c.ID != f.public.ID || !c.CanRead || c.CanWrite {
		t.Errorf("public collection seen anonymously: %+v", c)
	}
}

func TestPostMixedEnvelope(t *testing.T) {
	f := newFixture(t)
	good := indicator("33333333-3333-4333-8333-333333333333", nil)
	noPattern := indicator("44444444-4444-4444-8444-444444444444", map[string]any{"pattern": nil})
	badPattern := indicator("55555555-5555-4555-8555-555555555555", map[string]any{"pattern": "[ipv4-addr:value = '1.2.3.4'"})
	otherOrg := indicator("66666666-6666-4666-8666-666666666666", map[string]any{"created_by_ref": f.orgs["B"].ID})
	own := indicator("77777777-7777-4777-8777-777777777777", map[string]any{"created_by_ref": f.orgs["A"].ID})
	st := f.post(f.shared, "A", good, noPattern, badPattern, otherOrg, own, good)
	if st.Status != "complete" || st.TotalCount != 6 || st.SuccessCount != 3 || st.FailureCount != 3 || st.PendingCount != 0 {
		t.Fatalf("status counts: %+v", st)
	}
	reasons := map[string]string{}
	for _, fl := range st.Failures {
		reasons[fl.ID] = fl.Message
	}
	for id, words := range map[string]string{
		noPattern["id"].(string):  "pattern",
		badPattern["id"].(string): "pattern",
		otherOrg["id"].(string):   "created_by_ref",
	} {
		if !strings.Contains(reasons[id], words) {
			t.Errorf("failure of %s = %q, want it to name %q", id, reasons[id], words)
		}
	}
	if st.Successes[2].Message == "" {
		t.Errorf("the re-posted duplicate should be a success that says so: %+v", st.Successes[2])
	}
	var env taxii.Envelope
	f.do("GET", objectsPath(f.shared), "A", nil).decode(t, &env)
	if len(env.Objects) != 2 {
		t.Errorf("stored %d objects, want the 2 valid ones", len(env.Objects))
	}
	// The status resource is kept and says the same.
	var again taxii.Status
	f.do("GET", "/api1/status/"+st.ID+"/", "A", nil).decode(t, &again)
	if diff := cmp.Diff(st, again); diff != "" {
		t.Errorf("GET status (-post +get):\n%s", diff)
	}
}

func TestStoredAsReceived(t *testing.T) {
	f := newFixture(t)
	raw := `{"objects":[{"type":"indicator",  "spec_version":"2.1","id":"indicator--88888888-8888-4888-8888-888888888888","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z","x_custom_thing":{"b":1,"a":[true,null]}}]}`
	if r := f.do("POST", objectsPath(f.shared), "A", []byte(raw)); r.status != 202 {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	r := f.do("GET", objectsPath(f.shared), "A", nil)
	obj := raw[len(`{"objects":[`) : len(raw)-2]
	if !bytes.Contains(r.body, []byte(obj)) {
		t.Errorf("object not returned byte for byte as received:\n got %s\nwant %s", r.body, obj)
	}
}

func TestPagination(t *testing.T) {
	f := newFixture(t)
	var objs []map[string]any
	for i := 0; i < 25; i++ {
		objs = append(objs, indicator(fmt.Sprintf("99999999-9999-4999-8999-%012d", i), nil))
	}
	f.post(f.shared, "A", objs...)
	seen := map[string]bool{}
	next := ""
	pages := 0
	lastAdded := ""
	for {
		path := objectsPath(f.shared) + "?limit=10"
		if next != "" {
			path += "&next=" + next
		}
		r := f.do("GET", path, "B", nil)
		var env taxii.Envelope
		r.decode(t, &env)
		pages++
		first, last := r.header.Get(taxii.HeaderDateAddedFirst), r.header.Get(taxii.HeaderDateAddedLast)
		if first == "" || last == "" || first > last || first <= lastAdded {
			t.Errorf("page %d: date added headers %q..%q after %q", pages, first, last, lastAdded)
		}
		lastAdded = last
		for _, o := range env.Objects {
			var head struct{ ID string }
			if err := jsonUnmarshal(o, &head); err != nil {
				t.Fatal(err)
			}
			seen[head.ID] = true
		}
		if !env.More {
			if env.Next != "" {
				t.Errorf("last page has next %q", env.Next)
			}
			break
		}
		if env.Next == "" || len(env.Objects) != 10 {
			t.Fatalf("page %d: more with %d objects and next %q", pages, len(env.Objects), env.Next)
		}
		next = env.Next
	}
	if pages != 3 || len(seen) != 25 {
		t.Errorf("%d pages, %d objects; want 3 pages and 25 objects", pages, len(seen))
	}
	// added_after the header value skips what was read.
	var env taxii.Envelope
	f.do("GET", objectsPath(f.shared)+"?added_after="+lastAdded, "B", nil).decode(t, &env)
	if len(env.Objects) != 0 {
		t.Errorf("added_after the last date: %d objects, want 0", len(env.Objects))
	}
	// The manifest pages the same way.
	var m taxii.Manifest
	f.do("GET", "/api1/collections/"+f.shared.ID+"/manifest/?limit=20", "B", nil).decode(t, &m)
	if !m.More || len(m.Objects) != 20 || m.Objects[0].MediaType != taxii.STIXMediaType || m.Objects[0].Version != "2026-01-01T00:00:00.000Z" {
		t.Errorf("manifest page: more=%v, %d records, first %+v", m.More, len(m.Objects), m.Objects[0])
	}
}

func TestVersionsAndFilters(t *testing.T) {
	f := newFixture(t)
	u := "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
	id := "indicator--" + u
	f.post(f.shared, "A",
		indicator(u, nil),
		indicator(u, map[string]any{"modified": "2026-03-01T00:00:00.000Z"}),
		indicator(u, map[string]any{"modified": "2026-02-01T00:00:00.000000Z"}),
		map[string]any{"type": "malware", "spec_version": "2.1", "id": "malware--bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
			"created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "name": "Lantern", "is_family": true},
		map[string]any{"type": "ipv4-addr", "spec_version": "2.1", "id": "ipv4-addr--cccccccc-cccc-5ccc-8ccc-cccccccccccc", "value": "198.51.100.7"},
	)
	modified := func(path string) []string {
		var env struct {
			Objects []map[string]any `json:"objects"`
		}
		r := f.do("GET", path, "A", nil)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		r.decode(t, &env)
		var out []string
		for _, o := range env.Objects {
			out = append(out, fmt.Sprint(o["type"], " ", o["modified"]))
		}
		return out
	}
	base := objectsPath(f.shared)
	for _, tc := range []struct {
		path string
		want []string
	}{
		{base + "?match[type]=indicator", []string{"indicator 2026-03-01T00:00:00.000Z"}},
		{base + "?match[type]=indicator&match[version]=first", []string{"indicator 2026-01-01T00:00:00.000Z"}},
		{base + "?match[type]=indicator&match[version]=all", []string{"indicator 2026-01-01T00:00:00.000Z", "indicator 2026-03-01T00:00:00.000Z", "indicator 2026-02-01T00:00:00.000000Z"}},
		{base + "?match[type]=indicator&match[version]=2026-02-01T00:00:00.000Z", []string{"indicator 2026-02-01T00:00:00.000000Z"}},
		{base + "?match[type]=indicator&match[version]=first,last", []string{"indicator 2026-01-01T00:00:00.000Z", "indicator 2026-03-01T00:00:00.000Z"}},
		{base + "?match[type]=malware,ipv4-addr", []string{"malware 2026-01-01T00:00:00.000Z", "ipv4-addr <nil>"}},
		{base + "?match[id]=malware--bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", []string{"malware 2026-01-01T00:00:00.000Z"}},
		{base + "?match[spec_version]=2.0", nil},
		{base + id + "/?match[version]=all", []string{"indicator 2026-01-01T00:00:00.000Z", "indicator 2026-03-01T00:00:00.000Z", "indicator 2026-02-01T00:00:00.000000Z"}},
	} {
		if diff := cmp.Diff(tc.want, modified(tc.path)); diff != "" {
			t.Errorf("GET %s (-want +got):\n%s", tc.path, diff)
		}
	}
	var vs taxii.Versions
	f.do("GET", base+id+"/versions/", "A", nil).decode(t, &vs)
	if diff := cmp.Diff([]string{"2026-01-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z", "2026-02-01T00:00:00.000000Z"}, vs.Versions); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	// DELETE with match[version] removes one version.
	if r := f.do("DELETE", base+id+"/?match[version]=first", "A", nil); r.status != 200 {
		t.Fatalf("DELETE first: %d %s", r.status, r.body)
	}
	f.do("GET", base+id+"/versions/", "A", nil).decode(t, &vs)
	if len(vs.Versions) != 2 {
		t.Errorf("after deleting the first version: %v", vs.Versions)
	}
}

func TestErrors(t *testing.T) {
	f := newFixture(t)
	objs := objectsPath(f.shared)
	valid := envelope(t, indicator("dddddddd-dddd-4ddd-8ddd-dddddddddddd", nil))
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("user:"+f.keys["A"]))
	for _, tc := range []struct {
		name    string
		method  string
		path    string
		who     string
		body    []byte
		headers []string
		status  int
		words   string
	}{
		{"unknown filter", "GET", objs + "?match[color]=red", "A", nil, nil, 400, "match[color]"},
		{"bad added_after", "GET", objs + "?added_after=yesterday", "A", nil, nil, 400, "added_after"},
		{"added_after not UTC", "GET", objs + "?added_after=2026-01-01T00:00:00%2B01:00", "A", nil, nil, 400, "UTC"},
		{"bad limit", "GET", objs + "?limit=-3", "A", nil, nil, 400, "limit"},
		{"bad next", "GET", objs + "?next=garbage", "A", nil, nil, 400, "next"},
		{"bad match[id]", "GET", objs + "?match[id]=indicator--not-a-uuid", "A", nil, nil, 400, "match[id]"},
		{"bad match[version]", "GET", objs + "?match[version]=latest", "A", nil, nil, 400, "match[version]"},
		{"bad object id", "GET", objs + "indicator--123/", "A", nil, nil, 400, "STIX identifier"},
		{"unknown collection", "GET", "/api1/collections/00000000-0000-4000-8000-000000000000/objects/", "A", nil, nil, 404, "collection"},
		{"unknown object", "GET", objs + "indicator--eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee/", "A", nil, nil, 404, "no object"},
		{"no such endpoint", "GET", "/api1/collections/" + f.shared.ID + "/nope/", "A", nil, nil, 404, ""},
		{"not acceptable", "GET", objs, "A", nil, []string{"Accept", "application/xml"}, 406, "Accept"},
		{"taxii 2.0 not acceptable", "GET", objs, "A", nil, []string{"Accept", "application/vnd.oasis.taxii+json; version=2.0"}, 406, ""},
		{"wildcard accepted", "GET", objs, "A", nil, []string{"Accept", "*/*"}, 200, ""},
		{"wrong content type", "POST", objs, "A", valid, []string{"Content-Type", "application/json"}, 415, "Content-Type"},
		{"malformed JSON", "POST", objs, "A", []byte(`{"objects": [`), nil, 400, "malformed JSON"},
		{"not an envelope", "POST", objs, "A", []byte(`{"objects": 3}`), nil, 422, "objects"},
		{"no objects", "POST", objs, "A", []byte(`{"more": false}`), nil, 422, "objects"},
		{"too many objects", "POST", objs, "A", manyObjects(t, 51), nil, 413, "limit"},
		{"anonymous POST", "POST", objs, "", valid, nil, 401, "API key"},
		{"reader of a public collection POSTs", "POST", objectsPath(f.public), "B", valid, nil, 403, "write"},
		{"unknown key", "GET", objs, "", nil, []string{"Authorization", "Bearer vigie_nope_nope"}, 401, "unknown API key"},
		{"malformed key", "GET", objs, "", nil, []string{"Authorization", "Bearer hello"}, 401, "malformed"},
		{"unsupported scheme", "GET", objs, "", nil, []string{"Authorization", "Digest x"}, 401, "Bearer"},
		{"basic with key as password", "GET", objs, "", nil, []string{"Authorization", basic}, 200, ""},
	} {
		r := f.do(tc.method, tc.path, tc.who, tc.body, tc.headers...)
		if r.status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.body, tc.status)
			continue
		}
		if tc.status < 400 {
			continue
		}
		var e taxii.Error
		r.decode(t, &e)
		if e.Title == "" || e.HTTPStatus != fmt.Sprint(tc.status) || !strings.Contains(e.Description, tc.words) {
			t.Errorf("%s: TAXII error %+v, want http_status %d and a description naming %q", tc.name, e, tc.status, tc.words)
		}
		if ct := r.header.Get("Content-Type"); ct != taxii.MediaType {
			t.Errorf("%s: error Content-Type %q", tc.name, ct)
		}
		if tc.status == 401 && len(r.header.Values("WWW-Authenticate")) == 0 {
			t.Errorf("%s: 401 without WWW-Authenticate", tc.name)
		}
	}
}

func manyObjects(t *testing.T, n int) []byte {
	var objs []map[string]any
	for i := 0; i < n; i++ {
		objs = append(objs, indicator(fmt.Sprintf("ffffffff-ffff-4fff-8fff-%012d", i), nil))
	}
	return envelope(t, objs...)
}

func TestBodyLimit(t *testing.T) {
	f := newFixture(t)
	root, _ := f.hub.APIRoot(ctx, vigie.Principal{}, "api1")
	big := bytes.Repeat([]byte(" "), int(root.MaxContentLength)+1)
	r := f.do("POST", objectsPath(f.shared), "A", big)
	if r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d, want 413", r.status)
	}
}

func TestRevokedAndExpiredKeys(t *testing.T) {
	f := newFixture(t)
	// The hub refuses to make a key that has expired already: store one
	// that has, as time would leave it.
	k, token := vigie.NewKey(f.orgs["A"].ID, vigie.RoleReader, "short", time.Now().Add(-time.Minute), time.Now().Add(-time.Hour))
	if err := f.store.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	f.keys["expired"] = token
	if r := f.do("GET", objectsPath(f.shared), "expired", nil); r.status != 401 || !strings.Contains(string(r.body), "expired") {
		t.Errorf("expired key %s: %d %s", k.ID, r.status, r.body)
	}
	k, token, _ = f.hub.AddKey(ctx, hub.Console(), "A", vigie.RoleReader, "revoked", time.Time{})
	f.keys["revoked"] = token
	if r := f.do("GET", objectsPath(f.shared), "revoked", nil); r.status != 200 {
		t.Fatalf("fresh key: %d", r.status)
	}
	if _, err := f.hub.RevokeKey(ctx, hub.Console(), k.ID); err != nil {
		t.Fatal(err)
	}
	if r := f.do("GET", objectsPath(f.shared), "revoked", nil); r.status != 401 || !strings.Contains(string(r.body), "revoked") {
		t.Errorf("revoked key: %d %s", r.status, r.body)
	}
	// A reader key may read but not publish.
	if r := f.do("POST", objectsPath(f.shared), "revoked", envelope(t, indicator("12121212-1212-4212-8212-121212121212", nil))); r.status != 401 {
		t.Errorf("revoked key POST: %d", r.status)
	}
	_, f.keys["reader"], _ = f.hub.AddKey(ctx, hub.Console(), "A", vigie.RoleReader, "reader", time.Time{})
	if r := f.do("POST", objectsPath(f.shared), "reader", envelope(t, indicator("13131313-1313-4313-8313-131313131313", nil))); r.status != 403 {
		t.Errorf("reader key POST: %d, want 403", r.status)
	}
}

func TestWhoami(t *testing.T) {
	f := newFixture(t)
	var w api.Whoami
	r := f.do("GET", "/api/v1/whoami", "B", nil)
	if r.status != 200 || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("whoami: %d %s", r.status, r.body)
	}
	r.decode(t, &w)
	if w.OrgID != f.orgs["B"].ID || w.OrgName != "B" || w.Role != "publisher" {
		t.Errorf("whoami = %+v", w)
	}
	if r := f.do("GET", "/api/v1/whoami", "", nil); r.status != 401 {
		t.Errorf("anonymous whoami: %d", r.status)
	}
}

func TestIdentities(t *testing.T) {
	f := newFixture(t)
	var b struct {
		Type    string            `json:"type"`
		Objects []json.RawMessage `json:"objects"`
	}
	f.do("GET", "/api/v1/identities", "C", nil).decode(t, &b)
	if b.Type != "bundle" || len(b.Objects) != 3 {
		t.Fatalf("identities: %+v", b)
	}
	for _, raw := range b.Objects {
		o, err := stix.Parse(raw)
		if err != nil || o.Type != "identity" || o.Props["identity_class"] != "organization" {
			t.Errorf("identity %s: %v", raw, err)
		}
	}
	if r := f.do("GET", "/api/v1/identities", "", nil); r.status != 401 {
		t.Errorf("anonymous: %d", r.status)
	}
}
