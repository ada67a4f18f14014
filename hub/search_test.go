package hub_test

import (
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

func TestClassifyValue(t *testing.T) {
	for _, tc := range []struct{ in, kind, value string }{
		{"198.51.100.7", hub.ValueIPv4, "198.51.100.7"},
		{" 2001:DB8::1 ", hub.ValueIPv6, "2001:db8::1"},
		{"198.51.100.9/24", hub.ValueRange, "198.51.100.0/24"},
		{"Evil.Example.", hub.ValueDomain, "evil.example"},
		{"https://evil.example/a?b=c", hub.ValueURL, "https://evil.example/a?b=c"},
		{"Bad@Evil.example", hub.ValueEmail, "bad@evil.example"},
		{"D41D8CD98F00B204E9800998ECF8427E", hub.ValueMD5, "d41d8cd98f00b204e9800998ecf8427e"},
		{"da39a3ee5e6b4b0d3255bfef95601890afd80709", hub.ValueSHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hub.ValueSHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"cve-2024-3094", hub.ValueCVE, "CVE-2024-3094"},
		{"pkg:npm/left-pad@1.3.0", hub.ValuePURL, "pkg:npm/left-pad@1.3.0"},
		{"lantern", hub.ValueText, "lantern"},
		{"a..b.example", hub.ValueText, "a..b.example"},
		{"198.51.100.300", hub.ValueText, "198.51.100.300"},
		{"abc123", hub.ValueText, "abc123"},
	} {
		if got := hub.ClassifyValue(tc.in); got.Kind != tc.kind || got.Value != tc.value {
			t.Errorf("ClassifyValue(%q) = %+v, want %s %q", tc.in, got, tc.kind, tc.value)
		}
	}
	if p, err := hub.ClassifyValue("it's.example").Pattern(); err == nil {
		t.Errorf("a text value made pattern %s", p)
	}
	if p, _ := hub.ClassifyValue("https://x.example/it's").Pattern(); p != `[url:value = 'https://x.example/it\'s']` {
		t.Errorf("quote not escaped: %s", p)
	}
}

func FuzzClassifyValue(f *testing.F) {
	for _, s := range []string{"198.51.100.7", "evil.example", "x@y.example", "pkg:npm/a", "https://a.example/'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := hub.ClassifyValue(s)
		if p, err := v.Pattern(); err == nil && len(p) < 5 {
			t.Errorf("pattern %q", p)
		}
	})
}

// TestSearchFollowsTLP: A publishes the same address at GREEN and RED in
// a collection of community ab (A, B) that is also public; B finds only
// the GREEN one, C (reading as the public: CLEAR only) nothing, A both.
func TestSearchFollowsTLP(t *testing.T) {
	f := newFixture(t)
	col, err := f.hub.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "r", Title: "ab", Read: []string{"community:ab", "public"}, Write: []string{"community:ab"}})
	if err != nil {
		t.Fatal(err)
	}
	_, ka := f.key(t, "A", vigie.RolePublisher, time.Time{})
	_, kb := f.key(t, "B", vigie.RolePublisher, time.Time{})
	_, kc := f.key(t, "C", vigie.RoleReader, time.Time{})
	pa, pb, pc := f.login(t, ka), f.login(t, kb), f.login(t, kc)
	spec := hub.ValuesSpec{Root: "r", Collection: col.ID, Values: []string{"198.51.100.7", "", "evil.example"}, Description: "Lantern C2"}
	if _, err := f.hub.PublishValues(ctx, pa, spec); vigie.ErrorCode(err) != vigie.EINVALID {
		t.Errorf("publish without a TLP = %v, want EINVALID", err)
	}
	spec.TLP, spec.CourseOfAction = vigie.TLPGreen, "Block at the firewall"
	st, err := f.hub.PublishValues(ctx, pa, spec)
	if err != nil || len(st.Successes) != 5 || len(st.Failures) != 0 {
		t.Fatalf("PublishValues = %+v, %v; want 2 indicators, a course of action and 2 relationships", st, err)
	}
	spec.TLP, spec.Values, spec.CourseOfAction = vigie.TLPRed, []string{"198.51.100.7"}, ""
	if _, err := f.hub.PublishValues(ctx, pa, spec); err != nil {
		t.Fatal(err)
	}
	bad := spec
	bad.Values = []string{"198.51.100.8", "CVE-2024-3094"}
	if _, err := f.hub.PublishValues(ctx, pa, bad); vigie.ErrorCode(err) != vigie.EINVALID {
		t.Errorf("a CVE as an indicator = %v, want EINVALID", err)
	}
	if _, err := f.hub.PublishValues(ctx, pc, spec); vigie.ErrorCode(err) != vigie.EFORBIDDEN {
		t.Errorf("a reader publishing = %v, want EFORBIDDEN", err)
	}
	for _, tc := range []struct {
		who  string
		p    vigie.Principal
		want int
	}{{"A", pa, 2}, {"B", pb, 1}, {"C", pc, 0}} {
		res, err := f.hub.Search(ctx, tc.p, "198.51.100.7", 0, true)
		if err != nil || len(res.Hits) != tc.want || res.Value.Kind != hub.ValueIPv4 {
			t.Errorf("%s searching the address: %d hits, %v; want %d", tc.who, len(res.Hits), err, tc.want)
		}
		for _, o := range res.Hits {
			if o.TLP == vigie.TLPRed && tc.who != "A" {
				t.Errorf("%s found a RED object", tc.who)
			}
		}
	}
	if res, _ := f.hub.Search(ctx, pb, "198.51.100.70", 0, true); len(res.Hits) != 0 {
		t.Errorf("198.51.100.70 found %d objects about 198.51.100.7", len(res.Hits))
	}
	if res, _ := f.hub.Search(ctx, pb, "FIREWALL", 0, true); len(res.Hits) != 1 || res.Hits[0].Type != "course-of-action" {
		t.Errorf("text search found %v", res.Hits)
	}
	if _, err := f.hub.Search(ctx, pb, "ab", 0, true); vigie.ErrorCode(err) != vigie.EINVALID {
		t.Errorf("a 2-character search = %v, want EINVALID", err)
	}
	if _, err := f.hub.Search(ctx, vigie.Principal{}, "198.51.100.7", 0, true); vigie.ErrorCode(err) != vigie.EUNAUTHORIZED {
		t.Errorf("anonymous search = %v, want EUNAUTHORIZED", err)
	}

	// B sees the GREEN indicator, sights it; A's page of it counts B.
	res, _ := f.hub.Search(ctx, pb, "198.51.100.7", 0, true)
	id := res.Hits[0].ID
	if _, err := f.hub.Sight(ctx, pb, "r", col.ID, id, vigie.TLPAmber, "seen on our proxy"); err != nil {
		t.Fatal(err)
	}
	v, err := f.hub.Object(ctx, pa, id)
	if err != nil || v.Sightings != 1 || v.Sighters != 1 || len(v.Versions) != 1 {
		t.Fatalf("Object = %+v, %v", v, err)
	}
	if _, err := f.hub.Object(ctx, pc, id); vigie.ErrorCode(err) != vigie.ENOTFOUND {
		t.Errorf("C opening a GREEN object of the community = %v, want ENOTFOUND", err)
	}
	resA, _ := f.hub.Search(ctx, pa, "198.51.100.7", 0, true)
	for _, o := range resA.Hits {
		if o.TLP == vigie.TLPRed {
			if _, err := f.hub.Object(ctx, pb, o.ID); vigie.ErrorCode(err) != vigie.ENOTFOUND {
				t.Errorf("B opening A's RED object = %v, want ENOTFOUND", err)
			}
			if _, err := f.hub.Sight(ctx, pb, "r", col.ID, o.ID, vigie.TLPAmber, ""); vigie.ErrorCode(err) != vigie.ENOTFOUND {
				t.Errorf("B sighting A's RED object = %v, want ENOTFOUND", err)
			}
			if l, err := f.hub.Latest(ctx, pb, []string{o.ID, id}); err != nil || len(l) != 1 || l[id] == nil {
				t.Errorf("B's Latest of A's RED and the GREEN object = %v, %v; want the GREEN one only", l, err)
			}
		}
	}
}

// TestTextSearchMatrix: A publishes indicators described "Marigold" at
// every TLP in community ab's collection, and at CLEAR and GREEN in a
// public collection; each organisation's text search finds exactly what
// it may read (B: no RED; C, outside the community: the CLEAR one of the
// public collection), and a malformed query is a clear EINVALID.
func TestTextSearchMatrix(t *testing.T) {
	f := newFixture(t)
	ab, err := f.hub.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "r", Title: "ab", Read: []string{"community:ab"}, Write: []string{"community:ab"}})
	if err != nil {
		t.Fatal(err)
	}
	open, err := f.hub.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "r", Title: "open", Read: []string{"community:ab", "public"}, Write: []string{"community:ab"}})
	if err != nil {
		t.Fatal(err)
	}
	p := map[string]vigie.Principal{}
	for _, org := range []string{"A", "B", "C"} {
		_, k := f.key(t, org, vigie.RolePublisher, time.Time{})
		p[org] = f.login(t, k)
	}
	type cell struct {
		coll string
		tlp  vigie.TLP
	}
	published := []cell{{ab.ID, vigie.TLPClear}, {ab.ID, vigie.TLPGreen}, {ab.ID, vigie.TLPAmber}, {ab.ID, vigie.TLPAmberStrict}, {ab.ID, vigie.TLPRed},
		{open.ID, vigie.TLPClear}, {open.ID, vigie.TLPGreen}}
	for i, c := range published {
		spec := hub.ValuesSpec{Root: "r", Collection: c.coll, TLP: c.tlp, Values: []string{"198.51.100." + string(rune('1'+i))}, Description: "Marigold campaign relay"}
		if _, err := f.hub.PublishValues(ctx, p["A"], spec); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string][]cell{
		"A": published,
		"B": append(published[:4:4], cell{open.ID, vigie.TLPClear}),
		"C": {{open.ID, vigie.TLPClear}},
	}
	for org, cells := range want {
		res, err := f.hub.Search(ctx, p[org], "marigold relay", 0, false)
		if err != nil || !res.Text {
			t.Fatalf("%s: text search = %+v, %v", org, res, err)
		}
		got := map[cell]int{}
		for _, o := range res.Hits {
			got[cell{o.Collection, o.TLP}]++
		}
		for _, c := range cells {
			if got[c] != 1 {
				t.Errorf("%s: %d hits at %s in %s, want 1", org, got[c], c.tlp, c.coll[:8])
			}
			delete(got, c)
		}
		if org == "B" { // the public collection's GREEN: B reads it as a member or as the public, either may be right
			delete(got, cell{open.ID, vigie.TLPGreen})
		}
		if len(got) != 0 {
			t.Errorf("%s found objects it may not read: %v", org, got)
		}
	}
	for _, q := range []string{`"marigold relay`, "mari*gold", "m*", "~~~ !!!"} {
		if _, err := f.hub.Search(ctx, p["B"], q, 0, false); vigie.ErrorCode(err) != vigie.EINVALID {
			t.Errorf("text search %q = %v, want EINVALID", q, err)
		}
	}
}
