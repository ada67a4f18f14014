package misp_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/misp"
)

// recorder collects what Read finds.
type recorder struct {
	events []*misp.Event
	attrs  map[string]*misp.Attribute // by uuid, top-level attributes
	owner  map[string]string          // attribute uuid -> event uuid
	objs   map[string]*misp.Object
}

func newRecorder() *recorder {
	return &recorder{attrs: map[string]*misp.Attribute{}, owner: map[string]string{}, objs: map[string]*misp.Object{}}
}
func (r *recorder) Event(e *misp.Event) error { r.events = append(r.events, e); return nil }
func (r *recorder) Attribute(e *misp.Event, a *misp.Attribute) error {
	r.attrs[a.UUID] = a
	r.owner[a.UUID] = e.UUID
	return nil
}
func (r *recorder) Object(e *misp.Event, o *misp.Object) error { r.objs[o.UUID] = o; return nil }
func (r *recorder) EventEnd(*misp.Event) error                 { return nil }
func (r *recorder) ItemError(*misp.Event, *misp.ItemError) error {
	return nil
}

func readDoc(t *testing.T, b []byte) *recorder {
	t.Helper()
	r := newRecorder()
	if err := misp.Read(bytes.NewReader(b), r); err != nil {
		t.Fatalf("read back: %v", err)
	}
	return r
}

func tlpTag(tags []misp.Tag) string {
	for _, t := range tags {
		if strings.HasPrefix(strings.ToLower(t.Name), "tlp:") {
			return strings.ToLower(t.Name)
		}
	}
	return ""
}

// sameValue: the converter normalises hashes (lower case), MAC addresses
// and registry hives (HKLM -> HKEY_LOCAL_MACHINE); anything else is kept
// byte for byte.
func sameValue(typ, a, b string) bool {
	if a == b {
		return true
	}
	if strings.HasPrefix(typ, "regkey") {
		a = strings.Replace(a, "HKLM\\", "HKEY_LOCAL_MACHINE\\", 1)
		a = strings.Replace(a, "HKCU\\", "HKEY_CURRENT_USER\\", 1)
	}
	return strings.EqualFold(a, b)
}

// TestFeedRoundTrip: every event of the testdata, converted to STIX and
// written back as a MISP feed, parses back to the same attribute values,
// types, UUIDs, event UUIDs and TLP tags.
func TestFeedRoundTrip(t *testing.T) {
	var files []string
	for _, g := range []string{"testdata/events/pymisp/*.json", "testdata/feed/chrome-mal-ids/*-*.json", "testdata/scenarios/*.json", "testdata/misp-stix/tests/test_events_collection_*.json"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			orig, _ := os.ReadFile(path)
			want := readDoc(t, orig)
			_, objs := convertFile(t, path)
			feed := misp.NewFeed(nil)
			for _, o := range objs {
				raw, _ := json.Marshal(o)
				if err := feed.Add(raw, "identity--11111111-2222-4333-8444-555555555555"); err != nil {
					t.Fatal(err)
				}
			}
			events := feed.Events()
			got := newRecorder()
			for _, e := range events {
				b, err := misp.EventJSON(e)
				if err != nil {
					t.Fatal(err)
				}
				r := readDoc(t, b)
				got.events = append(got.events, r.events...)
				for k, v := range r.attrs {
					got.attrs[k], got.owner[k] = v, r.owner[k]
				}
				for k, v := range r.objs {
					got.objs[k] = v
				}
			}
			evTLP := map[string]string{}
			for _, e := range want.events {
				evTLP[e.UUID] = tlpTag(e.Tags)
			}
			checked := 0
			for id, a := range want.attrs {
				if bool(a.Deleted) || !misp.Mapped(a.Type) {
					continue
				}
				b := got.attrs[id]
				if b == nil {
					if sum := mustConvertOne(a); sum {
						t.Errorf("attribute %s (%s %q) is not in the feed", id, a.Type, a.Value)
					}
					continue
				}
				checked++
				if b.Type != a.Type || !sameValue(a.Type, a.Value, b.Value) {
					t.Errorf("attribute %s: %s %q came back as %s %q", id, a.Type, a.Value, b.Type, b.Value)
				}
				if want.owner[id] != "" && got.owner[id] != want.owner[id] {
					t.Errorf("attribute %s: in event %s, came back in %s", id, want.owner[id], got.owner[id])
				}
				wantTLP := tlpTag(a.Tags)
				if wantTLP == "" {
					wantTLP = evTLP[want.owner[id]]
				}
				if g := tlpTag(b.Tags); g != wantTLP {
					t.Errorf("attribute %s: TLP %q came back as %q", id, wantTLP, g)
				}
			}
			for id, o := range want.objs {
				if o.Deleted {
					continue
				}
				if g := got.objs[id]; g == nil {
					live := 0
					for _, a := range o.Attributes {
						if !bool(a.Deleted) && misp.Mapped(a.Type) {
							live++
						}
					}
					if live > 0 {
						t.Errorf("object %s (%s) is not in the feed", id, o.Name)
					}
				} else {
					if g.Name != o.Name {
						t.Errorf("object %s: name %q came back as %q", id, o.Name, g.Name)
					}
					var wantVals, gotVals []string
					for _, a := range o.Attributes {
						if !bool(a.Deleted) && mustConvertOne(&a) {
							wantVals = append(wantVals, strings.ToLower(a.Value))
						}
					}
					for _, a := range g.Attributes {
						gotVals = append(gotVals, strings.ToLower(a.Value))
					}
					slices.Sort(wantVals)
					slices.Sort(gotVals)
					if !slices.Equal(wantVals, gotVals) {
						t.Errorf("object %s: values %q came back as %q", id, wantVals, gotVals)
					}
				}
			}
			for _, e := range want.events {
				if e.UUID == "" {
					continue
				}
				found := false
				for _, g := range got.events {
					if g.UUID == e.UUID {
						found = true
						if tlpTag(g.Tags) != tlpTag(e.Tags) {
							t.Errorf("event %s: TLP %q came back as %q", e.UUID, tlpTag(e.Tags), tlpTag(g.Tags))
						}
					}
				}
				if !found {
					t.Errorf("event %s is not in the feed", e.UUID)
				}
			}
			t.Logf("%d attributes compared", checked)
		})
	}
}

// mustConvertOne reports whether a valid attribute of a mapped type
// converts (a bad value is reported at import, so it is not in the feed).
func mustConvertOne(a *misp.Attribute) bool {
	doc, _ := json.Marshal(map[string]any{"Event": map[string]any{"uuid": "5e1b4c1e-1111-4a4a-9c9c-0123456789ab", "Attribute": []any{a}}})
	sum, _, err := convertString(string(doc))
	return err == nil && sum.Attributes.Mapped == 1
}

// TestFeedDirFormat: WriteDir writes what a MISP instance reads: a
// manifest naming each event file, the event files, and hashes.csv with
// the MD5 of each value and its event.
func TestFeedDirFormat(t *testing.T) {
	_, objs := convertFile(t, "testdata/scenarios/published_amber.json")
	feed := misp.NewFeed(map[string]string{"identity--11111111-2222-4333-8444-555555555555": "CERT-Nord"})
	for _, o := range objs {
		raw, _ := json.Marshal(o)
		feed.Add(raw, "identity--11111111-2222-4333-8444-555555555555")
	}
	dir := t.TempDir()
	if err := misp.WriteDir(dir, feed.Events()); err != nil {
		t.Fatal(err)
	}
	files, err := misp.FeedFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || filepath.Base(files[0]) != "5e1b4c1e-1111-4a4a-9c9c-0123456789ab.json" {
		t.Fatalf("event files: %v", files)
	}
	mf, _ := os.Open(filepath.Join(dir, "manifest.json"))
	defer mf.Close()
	m, err := misp.ParseManifest(mf)
	if err != nil {
		t.Fatal(err)
	}
	e := m["5e1b4c1e-1111-4a4a-9c9c-0123456789ab"]
	if e.Info != "Lantern C2 infrastructure" || e.Timestamp == 0 || e.Orgc.Name != "CIRCL" || tlpTag(e.Tag) != "tlp:amber" {
		t.Errorf("manifest entry: %+v", e)
	}
	hashes, _ := os.ReadFile(filepath.Join(dir, "hashes.csv"))
	// md5("203.0.113.7")
	if !strings.Contains(string(hashes), "\n") || !bytes.Contains(hashes, []byte(md5hex("203.0.113.7")+",5e1b4c1e-1111-4a4a-9c9c-0123456789ab\n")) {
		t.Errorf("hashes.csv has no line for 203.0.113.7:\n%s", hashes)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

// TestReadFeedDirectory: the chrome-mal-ids feed reads through its
// manifest, every event converted.
func TestReadFeedDirectory(t *testing.T) {
	files, err := misp.FeedFiles("testdata/feed/chrome-mal-ids")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 14 {
		t.Fatalf("%d event files, want 14", len(files))
	}
}

// TestManifestMalformed: a manifest that is not a map of UUIDs is refused.
func TestManifestMalformed(t *testing.T) {
	for _, doc := range []string{``, `[]`, `{"not-a-uuid": {}}`, `{"5e1b4c1e-1111-4a4a-9c9c-0123456789ab": {"timestamp": "soon"}}`} {
		if _, err := misp.ParseManifest(strings.NewReader(doc)); err == nil {
			t.Errorf("%q: accepted", doc)
		}
	}
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
