package storetest

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
)

// textObject returns an indicator whose JSON has the given properties
// besides the usual ones.
func textObject(n int, modified time.Time, publisher string, tlp vigie.TLP, props map[string]any, recipients ...string) *vigie.Object {
	o := NewIndicator(stixID("indicator", n), modified, publisher, tlp, recipients...)
	var m map[string]any
	json.Unmarshal(o.Raw, &m)
	for k, v := range props {
		m[k] = v
	}
	o.Raw, _ = json.Marshal(m)
	return o
}

// searchText returns the numbers (see stixID) of the objects a text
// search finds in c as scope, newest first.
func searchText(tb testing.TB, s vigie.Store, c *vigie.Collection, scope vigie.ReadScope, query string) []int {
	tb.Helper()
	tq, err := vigie.ParseTextQuery(query)
	if err != nil {
		tb.Fatalf("ParseTextQuery(%q): %v", query, err)
	}
	p := mustQuery(tb, s, &vigie.ObjectQuery{Collection: c.ID, Scope: scope, Limit: 50, Text: &tq})
	var got []int
	for _, o := range p.Objects {
		for n := 1; n < 100; n++ {
			if o.ID == stixID("indicator", n) {
				got = append(got, n)
			}
		}
	}
	return got
}

// testTextSearch checks ObjectQuery.Text: words of the name, description,
// pattern values, labels, aliases and reference ids are found (words,
// phrases, prefixes), JSON keys and ids are not, newest first, in the
// asked collection only.
func testTextSearch(t *testing.T, s vigie.Store) {
	a := MustOrg(t, s, "A")
	c := MustCollection(t, s, []vigie.Grant{{Kind: vigie.GrantOrg, ID: a.ID}}, nil)
	other := MustCollection(t, s, []vigie.Grant{{Kind: vigie.GrantOrg, ID: a.ID}}, nil)
	MustAdd(t, s, c, a.ID,
		textObject(1, t0, a.ID, vigie.TLPGreen, map[string]any{"name": "Lantern loader C2", "description": "Beacons to the Blue Harbor relay every hour."}),
		textObject(2, t0, a.ID, vigie.TLPGreen, map[string]any{"name": "Log4Shell exploitation", "external_references": []map[string]any{{"source_name": "cve", "external_id": "CVE-2021-44228"}}}),
		textObject(3, t0, a.ID, vigie.TLPGreen, map[string]any{"name": "Harbor phishing", "pattern": "[domain-name:value = 'login.blue-harbor.example']", "labels": []string{"phishing"}}),
		textObject(4, t0, a.ID, vigie.TLPGreen, map[string]any{"name": "Café crème", "aliases": []string{"Kettle Bear"}}),
	)
	MustAdd(t, s, other, a.ID, textObject(5, t0, a.ID, vigie.TLPGreen, map[string]any{"name": "Lantern elsewhere"}))
	scope := vigie.ReadScope{OrgID: a.ID, Member: true, DefaultTLP: vigie.TLPGreen}
	for _, tc := range []struct {
		query string
		want  []int
	}{
		{"lantern", []int{1}},          // a word of the name, any case; not the other collection's
		{"LANTERN Loader", []int{1}},   // every word
		{"lantern phishing", nil},      // every word, not any
		{"hourly", nil},                // words, not substrings
		{"hour", []int{1}},             // a word of the description
		{`"blue harbor"`, []int{3, 1}}, // a phrase: the pattern's value and the description, newest first
		{`"harbor blue"`, nil},         // a phrase is in order
		{"CVE-2021-44228", []int{2}},   // an external reference id
		{"cve-2021-4422*", []int{2}},   // a prefix
		{"lant*", []int{1}},            // a prefix
		{"login.blue-harbor.example", []int{3}},
		{"phishing", []int{3}},       // a label and a name
		{"kettle", []int{4}},         // an alias
		{"café", []int{4}},           // letters beyond ASCII
		{"pattern_type", nil},        // a JSON key
		{"valid_from stix", nil},     // keys and values of no interest
		{"indicator", nil},           // the type and the id are not words of the object
		{"ipv4", nil},                // a pattern's object path
		{"00000000", nil},            // an id
		{"c1 c2 c3", nil},            // the index's collection tokens are not words
		{"lantern OR phishing", nil}, // no operators: OR is a word
		{`lantern' | !'x`, nil},      // nor any of the databases' query syntax
		{`NEAR(lantern loader)`, nil},
		{`body:lantern`, nil},
		{"198.51.100.7", []int{4, 2, 1}}, // the usual pattern's value (object 3 has another); newest first
	} {
		if got := searchText(t, s, c, scope, tc.query); !slices.Equal(got, tc.want) {
			t.Errorf("text search %q: objects %v, want %v", tc.query, got, tc.want)
		}
	}
}

// testTextSearchAccess checks that a text search returns exactly what
// the reader's scope lets it read, for every marking and reader: the
// publisher, a member, a RED recipient, a non-member, a peer hub.
func testTextSearchAccess(t *testing.T, s vigie.Store) {
	a, b, r := MustOrg(t, s, "A"), MustOrg(t, s, "B"), MustOrg(t, s, "R")
	c := MustCollection(t, s, []vigie.Grant{{Kind: vigie.GrantOrg, ID: a.ID}, {Kind: vigie.GrantOrg, ID: b.ID}}, nil)
	sharings := []vigie.Sharing{
		{Publisher: a.ID, TLP: vigie.TLPClear}, {Publisher: a.ID, TLP: vigie.TLPGreen}, {Publisher: a.ID, TLP: vigie.TLPAmber},
		{Publisher: a.ID, TLP: vigie.TLPAmberStrict}, {Publisher: a.ID, TLP: vigie.TLPRed, Recipients: []string{r.ID}},
		{Publisher: a.ID, TLP: vigie.TLPRed}, {Publisher: a.ID, TLP: vigie.TLPNone},
	}
	var objs []*vigie.Object
	for i, sh := range sharings {
		objs = append(objs, textObject(i+1, t0, a.ID, sh.TLP, map[string]any{"name": "Marigold campaign"}, sh.Recipients...))
	}
	MustAdd(t, s, c, a.ID, objs...)
	for _, scope := range []vigie.ReadScope{
		{OrgID: a.ID, Member: true, DefaultTLP: vigie.TLPAmber},
		{OrgID: b.ID, Member: true, DefaultTLP: vigie.TLPAmber},
		{OrgID: b.ID, Member: true, DefaultTLP: vigie.TLPGreen},
		{OrgID: r.ID, Member: true, DefaultTLP: vigie.TLPAmber},
		{OrgID: r.ID, Member: false, DefaultTLP: vigie.TLPAmber},
		{OrgID: "", DefaultTLP: vigie.TLPClear},
		{OrgID: b.ID, Member: true, Egress: true, DefaultTLP: vigie.TLPGreen},
	} {
		var want []int
		for i := len(sharings) - 1; i >= 0; i-- {
			if vigie.CanRead(scope, sharings[i]) {
				want = append(want, i+1)
			}
		}
		if got := searchText(t, s, c, scope, "marigold"); !slices.Equal(got, want) {
			t.Errorf("text search as %+v: objects %v, want %v (vigie.CanRead)", scope, got, want)
		}
	}
}

// testTextSearchVersions checks that a new version's words replace the
// old ones, that a version the reader may not read leaves the reader the
// words of the last one it may, and that deleted versions are not found.
func testTextSearchVersions(t *testing.T, s vigie.Store) {
	a, b := MustOrg(t, s, "A"), MustOrg(t, s, "B")
	c := MustCollection(t, s, []vigie.Grant{{Kind: vigie.GrantOrg, ID: a.ID}, {Kind: vigie.GrantOrg, ID: b.ID}}, nil)
	MustAdd(t, s, c, a.ID, textObject(1, t0, a.ID, vigie.TLPGreen, map[string]any{"name": "Walnut first"}))
	MustAdd(t, s, c, a.ID, textObject(1, t0.Add(time.Hour), a.ID, vigie.TLPGreen, map[string]any{"name": "Chestnut second"}))
	MustAdd(t, s, c, a.ID, textObject(1, t0.Add(2*time.Hour), a.ID, vigie.TLPRed, map[string]any{"name": "Hazel secret"}))
	owner := vigie.ReadScope{OrgID: a.ID, Member: true, DefaultTLP: vigie.TLPGreen}
	member := vigie.ReadScope{OrgID: b.ID, Member: true, DefaultTLP: vigie.TLPGreen}
	for _, tc := range []struct {
		scope vigie.ReadScope
		query string
		want  []int
	}{
		{member, "walnut", nil},        // replaced by a newer version
		{member, "chestnut", []int{1}}, // the last version B may read
		{member, "hazel", nil},         // RED, not to B
		{owner, "chestnut", nil},       // A reads the RED version: the last
		{owner, "hazel", []int{1}},
	} {
		if got := searchText(t, s, c, tc.scope, tc.query); !slices.Equal(got, tc.want) {
			t.Errorf("text search %q as %s: objects %v, want %v", tc.query, tc.scope.OrgID[:12], got, tc.want)
		}
	}
	if _, err := s.DeleteObjects(ctx, &vigie.ObjectQuery{Collection: c.ID, IDs: []string{stixID("indicator", 1)}, Scope: vigie.ReadScope{All: true}, Versions: vigie.VersionFilter{All: true}}); err != nil {
		t.Fatal(err)
	}
	MustAdd(t, s, c, a.ID, textObject(2, t0, a.ID, vigie.TLPGreen, map[string]any{"name": "Walnut again"}))
	if got := searchText(t, s, c, owner, "hazel"); got != nil {
		t.Errorf("text search of a deleted object: %v, want none", got)
	}
	if got := searchText(t, s, c, member, "walnut"); !slices.Equal(got, []int{2}) {
		t.Errorf("text search after deleting an object: %v, want only the new one", got)
	}
}

// testTextSearchPaging checks Limit and More on a text search: the
// newest matches first.
func testTextSearchPaging(t *testing.T, s vigie.Store) {
	a := MustOrg(t, s, "A")
	c := MustCollection(t, s, []vigie.Grant{{Kind: vigie.GrantOrg, ID: a.ID}}, nil)
	var objs []*vigie.Object
	for n := 1; n <= 5; n++ {
		objs = append(objs, textObject(n, t0, a.ID, vigie.TLPGreen, map[string]any{"name": "Juniper"}))
	}
	MustAdd(t, s, c, a.ID, objs...)
	tq, _ := vigie.ParseTextQuery("juniper")
	p := mustQuery(t, s, &vigie.ObjectQuery{Collection: c.ID, Scope: vigie.ReadScope{OrgID: a.ID, Member: true}, Limit: 3, Text: &tq})
	if got := ids(p); len(got) != 3 || !p.More || p.Objects[0].ID != stixID("indicator", 5) || p.Objects[2].ID != stixID("indicator", 3) {
		t.Errorf("text search, limit 3: %v more=%v, want objects 5, 4, 3 and more", got, p.More)
	}
}

// FuzzTextQuery runs text searches of any input against s: what
// vigie.ParseTextQuery accepts, the store must search without an error
// (user input never reaches the database's query syntax unescaped).
func FuzzTextQuery(f *testing.F, s vigie.Store) {
	a := MustOrg(f, s, "A")
	c := MustCollection(f, s, []vigie.Grant{{Kind: vigie.GrantOrg, ID: a.ID}}, nil)
	MustAdd(f, s, c, a.ID, textObject(1, t0, a.ID, vigie.TLPGreen, map[string]any{"name": "Lantern loader", "description": "It's \"quoted\" (NEAR) AND OR NOT * ^ : -- '; DROP"}))
	for _, q := range []string{"lantern", `"lantern loader"*`, `'; DROP TABLE objects; --`, `a:* | !b & (c`, `NEAR(a b) OR c`, `{body coll}: x`, `^lantern`, `"it s"`, "é\u0301*", `c1`} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, query string) {
		tq, err := vigie.ParseTextQuery(query)
		if err != nil {
			return
		}
		if _, err := s.Objects(ctx, &vigie.ObjectQuery{Collection: c.ID, Scope: vigie.ReadScope{OrgID: a.ID, Member: true}, Limit: 10, Text: &tq}); err != nil {
			t.Fatalf("text search %q: %v", query, err)
		}
	})
}

// testObservableRange checks FindObservableRange: keys compared byte by
// byte (whatever the database's collation), the upper bound excluded,
// the limit kept.
func testObservableRange(t *testing.T, s vigie.Store) {
	a := MustOrg(t, s, "A")
	c := MustCollection(t, s, []vigie.Grant{{Kind: vigie.GrantOrg, ID: a.ID}}, nil)
	batch := &vigie.AlertBatch{Now: t0}
	for _, k := range []string{"ip:10.1.2.3/32", "ip:10.1.2.0/28", "ip:10.1.20.5/32", "ip:10.1.2/", "ip:10.1.3.1/32", "ip:10.1.1.9/32", "ip:10.1.2-x"} {
		batch.Observables = append(batch.Observables, vigie.ObservableRef{Key: k, Collection: c.ID, ObjectID: "indicator--" + k, OrgID: a.ID})
	}
	if _, err := s.RecordAlerts(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		limit int
		want  []string
	}{{10, []string{"ip:10.1.2.0/28", "ip:10.1.2.3/32"}}, {1, []string{"ip:10.1.2.0/28"}}} {
		refs, err := s.FindObservableRange(ctx, "ip:10.1.2.", "ip:10.1.2/", tc.limit)
		var got []string
		for _, r := range refs {
			got = append(got, r.Key)
		}
		if err != nil || !slices.Equal(got, tc.want) || (len(refs) > 0 && refs[0].Collection != c.ID) {
			t.Errorf("FindObservableRange(ip:10.1.2., limit %d) = %v, %v; want %v", tc.limit, got, err, tc.want)
		}
	}
}
