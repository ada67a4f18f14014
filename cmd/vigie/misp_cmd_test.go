package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/misp"
)

const mispTestdata = "../../misp/testdata"

// mispHub is a hub with A (CERT-Nord) and B (Helios) in one community
// sharing one collection, and C (Outsider) in none, served over HTTP with
// its request log captured.
type mispHub struct {
	earlyWarning
	url, keyC string
	log       *syncBuffer
}

func newMISPHub(t *testing.T) *mispHub {
	t.Helper()
	h := &mispHub{earlyWarning: newEarlyWarning(t), log: &syncBuffer{}}
	mustRun(t, "admin", "--data", h.dir, "org", "add", "Outsider")
	h.keyC = lastLine(mustRun(t, "admin", "--data", h.dir, "key", "add", "--org", "Outsider", "--role", "publisher"))
	m := newServeMain(Stdio{Out: io.Discard, Err: h.log})
	if err := m.ParseFlags([]string{"--data", h.dir, "--addr", "127.0.0.1:0", "--http"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	h.url = m.URL()
	return h
}

func (h *mispHub) importJSON(t *testing.T, key string, paths ...string) (int, mispImportResult, string) {
	t.Helper()
	args := append([]string{"misp", "import", "--hub", h.url, "--key", key, "--root", "coalition", "--collection", h.collection, "--json"}, paths...)
	code, out, errOut := run(t, args...)
	var res mispImportResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("import: exit %d, not JSON: %v\n%s\n%s", code, err, out, errOut)
	}
	return code, res, errOut
}

// feedGet fetches a file of the MISP feed with the key sent as MISP
// sends it, "Authorization: KEY".
func (h *mispHub) feedGet(t *testing.T, key, file string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", h.url+"/feeds/misp/coalition/"+h.collection+"/"+file, nil)
	if key != "" {
		req.Header.Set("Authorization", key)
	}
	res, err := testHTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// wholeFeed returns every file of the key's feed, concatenated.
func (h *mispHub) wholeFeed(t *testing.T, key string) []byte {
	t.Helper()
	code, manifest := h.feedGet(t, key, "manifest.json")
	if code != 200 {
		t.Fatalf("manifest: %d %s", code, manifest)
	}
	m, err := misp.ParseManifest(bytes.NewReader(manifest))
	if err != nil {
		t.Fatal(err)
	}
	all := append([]byte{}, manifest...)
	for id := range m {
		code, b := h.feedGet(t, key, id+".json")
		if code != 200 {
			t.Fatalf("event %s: %d %s", id, code, b)
		}
		all = append(all, b...)
	}
	_, hashes := h.feedGet(t, key, "hashes.csv")
	return append(all, hashes...)
}

// TestMISPImportEveryTestdataEvent: every event of the testdata imports
// through the hub's TAXII API, each attribute accounted for (mapped + not
// mapped = total, per type), nothing refused by the hub.
func TestMISPImportEveryTestdataEvent(t *testing.T) {
	h := newMISPHub(t)
	code, res, errOut := h.importJSON(t, h.keyA,
		filepath.Join(mispTestdata, "events/pymisp"),
		filepath.Join(mispTestdata, "feed/chrome-mal-ids"),
		filepath.Join(mispTestdata, "misp-stix/tests/test_events_collection_1.json"),
		filepath.Join(mispTestdata, "misp-stix/tests/test_events_collection_2.json"),
		filepath.Join(mispTestdata, "scenarios/published_amber.json"))
	s := res.Summary
	if code != 0 || res.Refused != 0 || len(res.FileErrors) != 0 || s.ErrorCount != 0 {
		t.Fatalf("exit %d: %d refused %v, file errors %v, errors %v\n%s", code, res.Refused, res.Refusals, res.FileErrors, s.Errors, errOut)
	}
	if res.Files != 13+14+3 || s.Events != 13+14+4+1 {
		t.Errorf("%d files, %d events", res.Files, s.Events)
	}
	if s.Attributes.Mapped+s.Attributes.NotMapped != s.Attributes.Total || s.Attributes.Total != 949 {
		t.Errorf("attributes: %+v", s.Attributes)
	}
	for typ, n := range s.Types {
		if n.Mapped+n.NotMapped != n.Total {
			t.Errorf("%s: %+v", typ, n)
		}
	}
	if res.Stored != res.Sent || res.Sent == 0 {
		t.Errorf("sent %d, stored %d", res.Sent, res.Stored)
	}
	// The table for people names the types.
	_, out, _ := run(t, "misp", "import", "--hub", h.url, "--key", h.keyA, "--root", "coalition", "--collection", h.collection,
		filepath.Join(mispTestdata, "events/pymisp/long_event.json"))
	if !strings.Contains(out, "ATTRIBUTE TYPE") || !strings.Contains(out, "all attributes") || !strings.Contains(out, "370") {
		t.Errorf("table:\n%s", out)
	}
}

// TestMISPFeedRoundTrip: import, then the feed the hub serves, parsed
// back, holds the same values, UUIDs and TLP; "vigie misp export" writes
// the same files.
func TestMISPFeedRoundTrip(t *testing.T) {
	h := newMISPHub(t)
	src := filepath.Join(mispTestdata, "events/pymisp/galaxy_1.json")
	if code, res, errOut := h.importJSON(t, h.keyA, src); code != 0 {
		t.Fatalf("import: %d %+v %s", code, res, errOut)
	}
	want := readMISP(t, src)
	code, b := h.feedGet(t, h.keyA, "5acc88e9-265c-4f22-9d2b-b702950d210f.json")
	if code != 200 {
		t.Fatalf("event: %d %s", code, b)
	}
	got := readMISP(t, "", b)
	n := 0
	for id, a := range want.attrs {
		if !misp.Mapped(a.Type) {
			continue
		}
		g := got.attrs[id]
		if g == nil || g.Value != a.Value || g.Type != a.Type {
			t.Errorf("attribute %s %s %q came back as %+v", id, a.Type, a.Value, g)
			continue
		}
		if tlp(g.Tags) != "tlp:white" {
			t.Errorf("attribute %s: TLP %v", id, g.Tags)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no attribute compared")
	}
	if len(got.events) != 1 || got.events[0].UUID != want.events[0].UUID || tlp(got.events[0].Tags) != "tlp:white" {
		t.Errorf("event: %+v", got.events)
	}

	dir := t.TempDir()
	mustRun(t, "misp", "export", "--hub", h.url, "--key", h.keyA, "--root", "coalition", "--collection", h.collection, "--out", dir)
	for _, name := range []string{"manifest.json", "hashes.csv", "5acc88e9-265c-4f22-9d2b-b702950d210f.json"} {
		file, _ := os.ReadFile(filepath.Join(dir, name))
		_, served := h.feedGet(t, h.keyA, name)
		if len(file) == 0 || !bytes.Equal(file, served) {
			t.Errorf("%s: the exported file differs from the served one", name)
		}
	}
}

// TestMISPFeedHostile: another organisation's AMBER and RED never appear
// in any feed file, whoever is named as recipient; a key of an
// organisation outside the collection's communities gets nothing; no key,
// nothing; the key never reaches the log.
func TestMISPFeedHostile(t *testing.T) {
	h := newMISPHub(t)
	// A imports an AMBER event (one attribute of it RED).
	if code, res, errOut := h.importJSON(t, h.keyA, filepath.Join(mispTestdata, "scenarios/published_amber.json")); code != 0 {
		t.Fatalf("import: %d %+v %s", code, res, errOut)
	}
	// B publishes GREEN, AMBER, AMBER+STRICT and RED (naming A as recipient).
	marked := func(n int, value string, tlp vigie.TLP) map[string]any {
		o := indicatorJSON(n, h.orgB)
		o["pattern"] = "[domain-name:value = '" + value + "']"
		o["object_marking_refs"] = []string{vigie.MarkingRef(tlp)}
		if tlp == vigie.TLPRed {
			o[vigie.RecipientsProperty] = []string{h.orgA}
		}
		return o
	}
	body, _ := json.Marshal(map[string]any{"objects": []any{
		marked(1, "green-of-b.example", vigie.TLPGreen),
		marked(2, "amber-of-b.example", vigie.TLPAmber),
		marked(3, "strict-of-b.example", vigie.TLPAmberStrict),
		marked(4, "red-of-b.example", vigie.TLPRed),
	}})
	var st map[string]any
	if code := call(t, "POST", h.url+"/coalition/collections/"+h.collection+"/objects/", h.keyB, body, &st); code != 202 || st["success_count"] != float64(4) {
		t.Fatalf("publish: %d %v", code, st)
	}

	feedA := string(h.wholeFeed(t, h.keyA))
	if !strings.Contains(feedA, "green-of-b.example") {
		t.Error("A's feed lacks B's GREEN indicator")
	}
	if !strings.Contains(feedA, "203.0.113.7") {
		t.Error("A's feed lacks A's own AMBER import")
	}
	for _, leak := range []string{"amber-of-b.example", "strict-of-b.example", "red-of-b.example"} {
		if strings.Contains(feedA, leak) {
			t.Errorf("A's feed holds B's %s", leak)
		}
	}
	feedB := string(h.wholeFeed(t, h.keyB))
	for _, leak := range []string{"203.0.113.7", "lantern.example", "5e1b4c1e-1111-4a4a-9c9c-0123456789ab"} {
		if strings.Contains(feedB, leak) {
			t.Errorf("B's feed holds A's AMBER %s", leak)
		}
	}
	if !strings.Contains(feedB, "amber-of-b.example") {
		t.Error("B's feed lacks its own AMBER indicator")
	}

	// An organisation outside the communities, and nobody.
	for _, key := range []string{h.keyC, ""} {
		for _, f := range []string{"manifest.json", "hashes.csv", "5e1b4c1e-1111-4a4a-9c9c-0123456789ab.json"} {
			code, b := h.feedGet(t, key, f)
			if code == 200 || strings.Contains(string(b), "203.0.113") || strings.Contains(string(b), "of-b.example") {
				t.Errorf("key given %v, %s: %d %s", key != "", f, code, b)
			}
		}
	}
	// A forged key, and a key in the query string, are refused.
	if code, _ := h.feedGet(t, h.keyA+"x", "manifest.json"); code != 401 {
		t.Errorf("forged key: %d", code)
	}
	for _, key := range []string{h.keyA, h.keyB, h.keyC} {
		if strings.Contains(h.log.String(), key) {
			t.Fatal("a key is in the hub's log")
		}
	}
	if !strings.Contains(h.log.String(), "/feeds/misp/") {
		t.Error("the feed requests are not logged at all")
	}
}

// TestMISPFeedETag: an unchanged feed file answers 304 to If-None-Match.
func TestMISPFeedETag(t *testing.T) {
	h := newMISPHub(t)
	h.importJSON(t, h.keyA, filepath.Join(mispTestdata, "events/pymisp/misp_event.json"))
	req, _ := http.NewRequest("GET", h.url+"/feeds/misp/coalition/"+h.collection+"/manifest.json", nil)
	req.Header.Set("Authorization", "Bearer "+h.keyA)
	res, err := testHTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	etag := res.Header.Get("ETag")
	if res.StatusCode != 200 || etag == "" {
		t.Fatalf("%d, ETag %q", res.StatusCode, etag)
	}
	req.Header.Set("If-None-Match", etag)
	res, err = testHTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", res.StatusCode)
	}
}

// TestMISPImportBadFiles: a malformed file is reported and skipped, the
// others imported; the exit status says something went wrong.
func TestMISPImportBadFiles(t *testing.T) {
	h := newMISPHub(t)
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"Event": {"uuid": "5e1b4c1e-1111-4a4a-9c9c-0123456789ab", "Attribute": [`), 0o600)
	code, res, _ := h.importJSON(t, h.keyA, bad, filepath.Join(mispTestdata, "events/pymisp/misp_event.json"))
	if code != 1 || len(res.FileErrors) != 1 || !strings.Contains(res.FileErrors[0], "bad.json") || res.Stored == 0 {
		t.Errorf("exit %d, %+v", code, res)
	}
	if code, _, errOut := run(t, "misp", "import", "--hub", h.url, "--key", h.keyA, "--root", "coalition", filepath.Join(mispTestdata, "events")); code != 2 || !strings.Contains(errOut, "--collection") {
		t.Errorf("missing --collection: %d %s", code, errOut)
	}
}

type mispDoc struct {
	events []*misp.Event
	attrs  map[string]*misp.Attribute
}

func (d *mispDoc) Event(e *misp.Event) error { d.events = append(d.events, e); return nil }
func (d *mispDoc) Attribute(_ *misp.Event, a *misp.Attribute) error {
	d.attrs[a.UUID] = a
	return nil
}
func (d *mispDoc) Object(*misp.Event, *misp.Object) error       { return nil }
func (d *mispDoc) EventEnd(*misp.Event) error                   { return nil }
func (d *mispDoc) ItemError(*misp.Event, *misp.ItemError) error { return nil }

func readMISP(t *testing.T, path string, data ...[]byte) *mispDoc {
	t.Helper()
	var b []byte
	if path != "" {
		b, _ = os.ReadFile(path)
	} else {
		b = data[0]
	}
	d := &mispDoc{attrs: map[string]*misp.Attribute{}}
	if err := misp.Read(bytes.NewReader(b), d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return d
}

func tlp(tags []misp.Tag) string {
	for _, t := range tags {
		if strings.HasPrefix(t.Name, "tlp:") {
			return t.Name
		}
	}
	return fmt.Sprint(tags)
}

// TestMISPImportByTwoOrganisations: the first importer owns the MISP
// UUIDs. The same event imported again by another member is "already
// stored" (nothing stored in its name); a newer version of it from that
// member is refused, object by object.
func TestMISPImportByTwoOrganisations(t *testing.T) {
	h := newMISPHub(t)
	src := filepath.Join(mispTestdata, "events/pymisp/misp_event.json")
	if code, res, errOut := h.importJSON(t, h.keyA, src); code != 0 || res.Refused != 0 {
		t.Fatalf("A: %d %+v %s", code, res, errOut)
	}
	if code, res, _ := h.importJSON(t, h.keyB, src); code != 0 || res.Stored != res.Sent {
		t.Fatalf("B, same versions: exit %d, sent %d stored %d refused %d %v", code, res.Sent, res.Stored, res.Refused, res.Refusals)
	}
	b, _ := os.ReadFile(src)
	newer := filepath.Join(t.TempDir(), "newer.json")
	os.WriteFile(newer, bytes.ReplaceAll(b, []byte(`"timestamp": "14`), []byte(`"timestamp": "15`)), 0o600)
	code, res, _ := h.importJSON(t, h.keyB, newer)
	if code != 1 || res.Refused == 0 || !strings.Contains(res.Refusals[0].Message, "another organisation") {
		t.Fatalf("B, newer versions: exit %d, sent %d stored %d refused %d %v", code, res.Sent, res.Stored, res.Refused, res.Refusals)
	}
}
