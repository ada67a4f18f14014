package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/taxii"
)

// markedObject is one object of the access matrix: its markings and who
// may read it in each collection, written out from the sharing policy of
// the brief (not computed by the code under test).
type markedObject struct {
	name    string
	props   func(f *fixture) map[string]any
	shared  string // readers among A, B, C, anonymous in the community collection
	public  string // readers in the public collection
	uuidTag int
}

func marking(refs ...string) func(f *fixture) map[string]any {
	return func(*fixture) map[string]any { return map[string]any{"object_marking_refs": refs} }
}

func redTo(ref string, orgs ...string) func(f *fixture) map[string]any {
	return func(f *fixture) map[string]any {
		var ids []string
		for _, o := range orgs {
			ids = append(ids, f.orgs[o].ID)
		}
		return map[string]any{"object_marking_refs": []string{ref}, vigie.RecipientsProperty: ids}
	}
}

var matrix = []markedObject{
	{name: "unmarked (hub default GREEN)", props: func(*fixture) map[string]any { return nil }, shared: "AB", public: "A"},
	{name: "TLP:CLEAR", props: marking(vigie.MarkingClear), shared: "AB", public: "ABC-"},
	{name: "TLP 1.0 WHITE", props: marking(vigie.MarkingWhiteTLP1), shared: "AB", public: "ABC-"},
	{name: "TLP:GREEN", props: marking(vigie.MarkingGreen), shared: "AB", public: "A"},
	{name: "TLP 1.0 GREEN", props: marking(vigie.MarkingGreenTLP1), shared: "AB", public: "A"},
	{name: "TLP:AMBER", props: marking(vigie.MarkingAmber), shared: "AB", public: "A"},
	{name: "TLP 1.0 AMBER", props: marking(vigie.MarkingAmberTLP1), shared: "AB", public: "A"},
	{name: "TLP:AMBER+STRICT", props: marking(vigie.MarkingAmberStrict), shared: "AB", public: "A"},
	{name: "TLP:RED to B", props: redTo(vigie.MarkingRed, "B"), shared: "AB", public: "AB"},
	{name: "TLP:RED to C", props: redTo(vigie.MarkingRed, "C"), shared: "A", public: "AC"},
	{name: "TLP:RED to nobody", props: marking(vigie.MarkingRed), shared: "A", public: "A"},
	{name: "TLP 1.0 RED to B", props: redTo(vigie.MarkingRedTLP1, "B"), shared: "AB", public: "AB"},
	{name: "CLEAR with a granular RED part", props: func(*fixture) map[string]any {
		return map[string]any{"object_marking_refs": []string{vigie.MarkingClear}, "description": "victim names",
			"granular_markings": []any{map[string]any{"marking_ref": vigie.MarkingRed, "selectors": []string{"description"}}}}
	}, shared: "A", public: "A"},
	{name: "CLEAR and AMBER: the stricter wins", props: marking(vigie.MarkingClear, vigie.MarkingAmber), shared: "AB", public: "A"},
}

// readers of the matrix; "-" is the anonymous reader.
var readers = []string{"A", "B", "C", "-"}

// TestAccessMatrix publishes every marking into a community collection
// and a public one, then checks every reader on every read endpoint: each
// sees exactly the objects the sharing policy allows, and nothing reveals
// the others.
func TestAccessMatrix(t *testing.T) {
	f := newFixture(t)
	statuses := map[string]string{}
	for ci, c := range []*vigie.Collection{f.shared, f.public} {
		var objs []map[string]any
		for i, m := range matrix {
			objs = append(objs, indicator(fmt.Sprintf("00000000-0000-4000-8000-%06d%06d", ci, i), m.props(f)))
		}
		st := f.post(c, "A", objs...)
		if st.SuccessCount != len(matrix) {
			t.Fatalf("publishing the matrix: %+v", st)
		}
		statuses[c.ID] = st.ID
	}
	for ci, c := range []*vigie.Collection{f.shared, f.public} {
		for i, m := range matrix {
			id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%06d%06d", ci, i)
			allowed := m.shared
			if c == f.public {
				allowed = m.public
			}
			for _, who := range readers {
				want := strings.Contains(allowed, who)
				name := fmt.Sprintf("%s/%s/reader %s", c.Title, m.name, who)
				checkEndpoints(t, f, c, id, who, want, name)
			}
		}
	}
	// Status resources: only the organisation that posted reads them.
	for _, c := range []*vigie.Collection{f.shared, f.public} {
		path := "/api1/status/" + statuses[c.ID] + "/"
		for who, want := range map[string]int{"A": 200, "B": 404, "C": 404, "": 401} {
			if r := f.do("GET", path, who, nil); r.status != want {
				t.Errorf("status of A's POST read by %q: %d, want %d", who, r.status, want)
			}
		}
	}
}

// checkEndpoints asserts that reader who sees object id in collection c on
// every read endpoint if and only if want.
func checkEndpoints(t *testing.T, f *fixture, c *vigie.Collection, id, who string, want bool, name string) {
	t.Helper()
	user := who
	if who == "-" {
		user = ""
	}
	base := "/" + c.Root + "/collections/" + c.ID
	collectionVisible := true
	switch {
	case c == f.shared && who == "C":
		collectionVisible = false
		for _, p := range []string{"/", "/objects/", "/manifest/", "/objects/" + id + "/", "/objects/" + id + "/versions/"} {
			if r := f.do("GET", base+p, user, nil); r.status != http.StatusNotFound {
				t.Errorf("%s: GET %s = %d, want 404 (collection invisible to C)", name, p, r.status)
			}
		}
	case c == f.shared && who == "-":
		collectionVisible = false
		for _, p := range []string{"/", "/objects/", "/manifest/", "/objects/" + id + "/", "/objects/" + id + "/versions/"} {
			if r := f.do("GET", base+p, user, nil); r.status != http.StatusUnauthorized {
				t.Errorf("%s: GET %s = %d, want 401", name, p, r.status)
			}
		}
	}
	if !collectionVisible {
		if want {
			t.Errorf("%s: matrix says visible but the collection is not", name)
		}
		return
	}
	lists := map[string]string{
		"objects":          base + "/objects/",
		"objects by id":    base + "/objects/?match[id]=" + id,
		"objects all vers": base + "/objects/?match[type]=indicator&match[version]=all",
		"manifest":         base + "/manifest/",
		"manifest first":   base + "/manifest/?match[version]=first",
	}
	for what, path := range lists {
		r := f.do("GET", path, user, nil)
		if r.status != http.StatusOK {
			t.Errorf("%s: %s = %d %s", name, what, r.status, r.body)
			continue
		}
		var env struct {
			Objects []struct {
				ID string `json:"id"`
			} `json:"objects"`
		}
		r.decode(t, &env)
		got := false
		for _, o := range env.Objects {
			got = got || o.ID == id
		}
		if got != want {
			t.Errorf("%s: %s lists it = %v, want %v", name, what, got, want)
		}
	}
	for what, path := range map[string]string{"object": base + "/objects/" + id + "/", "versions": base + "/objects/" + id + "/versions/"} {
		r := f.do("GET", path, user, nil)
		wantStatus := http.StatusNotFound
		if want {
			wantStatus = http.StatusOK
		}
		if r.status != wantStatus {
			t.Errorf("%s: %s = %d, want %d", name, what, r.status, wantStatus)
		}
		if !want && strings.Contains(string(r.body), `"pattern"`) {
			t.Errorf("%s: %s leaks the object: %s", name, what, r.body)
		}
	}
}

// TestLastVersionHidesRestricted checks that a newer version a reader may
// not see neither shows nor hides the version it may see.
func TestLastVersionHidesRestricted(t *testing.T) {
	f := newFixture(t)
	id := "indicator--11111111-1111-4111-8111-111111111111"
	v1 := indicator("11111111-1111-4111-8111-111111111111", map[string]any{"object_marking_refs": []string{vigie.MarkingGreen}})
	v2 := indicator("11111111-1111-4111-8111-111111111111", map[string]any{"object_marking_refs": []string{vigie.MarkingRed}, "modified": "2026-02-01T00:00:00.000Z", "name": "secret"})
	f.post(f.shared, "A", v1, v2)
	for who, want := range map[string][]string{"A": {"2026-02-01T00:00:00.000Z"}, "B": {"2026-01-01T00:00:00.000Z"}} {
		var env struct {
			Objects []map[string]any `json:"objects"`
		}
		f.do("GET", objectsPath(f.shared)+id+"/", who, nil).decode(t, &env)
		if len(env.Objects) != 1 || env.Objects[0]["modified"] != want[0] {
			t.Errorf("%s: last version = %v, want modified %s", who, env.Objects, want[0])
		}
		var vs taxii.Versions
		f.do("GET", objectsPath(f.shared)+id+"/versions/", who, nil).decode(t, &vs)
		if who == "B" && (len(vs.Versions) != 1 || strings.Contains(fmt.Sprint(vs.Versions), "2026-02")) {
			t.Errorf("B sees versions %v; the RED version must not show", vs.Versions)
		}
	}
}

// TestDeleteOnlyOwn checks that members delete only what their
// organisation published, and that others cannot learn it exists.
func TestDeleteOnlyOwn(t *testing.T) {
	f := newFixture(t)
	id := "indicator--22222222-2222-4222-8222-222222222222"
	f.post(f.shared, "A", indicator("22222222-2222-4222-8222-222222222222", nil))
	for who, want := range map[string]int{"B": 404, "C": 404, "": 401} {
		if r := f.do("DELETE", objectsPath(f.shared)+id+"/", who, nil); r.status != want {
			t.Errorf("DELETE by %q = %d, want %d", who, r.status, want)
		}
	}
	if r := f.do("DELETE", objectsPath(f.shared)+id+"/", "A", nil); r.status != http.StatusOK {
		t.Fatalf("DELETE by the publisher = %d %s", r.status, r.body)
	}
	if r := f.do("GET", objectsPath(f.shared)+id+"/", "A", nil); r.status != http.StatusNotFound {
		t.Errorf("GET after DELETE = %d, want 404", r.status)
	}
}
