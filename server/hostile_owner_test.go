package server_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/store/postgres/pgtest"
	"github.com/vigie-cti/vigie/store/sqlite"
	"github.com/vigie-cti/vigie/taxii"
)

// onBothStores runs test against a hub on SQLite and one on PostgreSQL
// (skipped, with a message, where no PostgreSQL answers).
func onBothStores(t *testing.T, test func(t *testing.T, f *fixture)) {
	t.Run("sqlite", func(t *testing.T) {
		st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "vigie.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		test(t, newFixtureOn(t, st, 0, "B"))
	})
	t.Run("postgres", func(t *testing.T) {
		test(t, newFixtureOn(t, pgtest.Open(t), 0, "B"))
	})
}

// outcome returns the message of the one detail of a status about id:
// "stored" for a plain success, the success's message, or "refused: " and
// the failure's.
func outcome(t *testing.T, st taxii.Status, id string) string {
	t.Helper()
	var out []string
	for _, d := range st.Successes {
		if d.ID == id {
			out = append(out, cmpOr(d.Message, "stored"))
		}
	}
	for _, d := range st.Failures {
		if d.ID == id {
			out = append(out, "refused: "+d.Message)
		}
	}
	if len(out) != 1 {
		t.Fatalf("status %+v: %d details for %s, want 1", st, len(out), id)
	}
	return out[0]
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// objectVersions returns what who reads of an object: its versions and
// the body of its last version ("" when it reads nothing).
func (f *fixture) objectVersions(c *vigie.Collection, who, id string) (versions []string, last map[string]any) {
	f.t.Helper()
	r := f.do("GET", objectsPath(c)+id+"/versions/", who, nil)
	if r.status == http.StatusNotFound {
		return nil, nil
	}
	var v taxii.Versions
	r.decode(f.t, &v)
	r = f.do("GET", objectsPath(c)+id+"/", who, nil)
	var env struct{ Objects []map[string]any }
	r.decode(f.t, &env)
	if len(env.Objects) != 1 {
		f.t.Fatalf("GET %s as %s: %d objects: %s", id, who, len(env.Objects), r.body)
	}
	return v.Versions, env.Objects[0]
}

// TestHostileMember plays bravo (B) attacking alpha's (A) objects in a
// collection both may write. Every attack must fail with the right error,
// and alpha must still read its own data as it published it, and delete
// it.
func TestHostileMember(t *testing.T) {
	onBothStores(t, func(t *testing.T, f *fixture) {
		alpha, bravo := f.orgs["A"].ID, f.orgs["B"].ID
		const ind, red, ip = "indicator--0b1c7e2a-58f4-4a8e-9c57-0c8f1a7e3d21", "indicator--9e5d3c1b-2a4f-4b6d-8e7f-a1b2c3d4e5f6", "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"
		v1, v2 := "2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z"
		own := func(id, modified string, props map[string]any) map[string]any {
			o := indicator(strings.TrimPrefix(id, "indicator--"), props)
			o["modified"] = modified
			return o
		}
		redProps := map[string]any{"object_marking_refs": []string{vigie.MarkingRed}, "name": "alpha's RED", "created_by_ref": alpha}
		st := f.post(f.shared, "A",
			own(ind, v1, map[string]any{"created_by_ref": alpha, "name": "alpha v1"}),
			own(ind, v2, map[string]any{"created_by_ref": alpha, "name": "alpha v2"}),
			own(red, v1, redProps),
			map[string]any{"type": "ipv4-addr", "spec_version": "2.1", "id": ip, "value": "198.51.100.7"})
		if st.SuccessCount != 4 {
			t.Fatalf("alpha's objects: %+v", st)
		}

		future := time.Now().Add(3 * time.Hour).Truncate(time.Second).UTC().Format("2006-01-02T15:04:05.000Z")
		soon := time.Now().Add(-time.Minute).UTC().Format("2006-01-02T15:04:05.000Z")
		notYours := "refused: belongs to another organisation"
		for _, a := range []struct {
			name string
			obj  map[string]any
			want string // the outcome, or its prefix ending in "…"
		}{
			{"revocation dated 9999", own(ind, "9999-12-31T00:00:00.000Z", map[string]any{"revoked": true}),
				`refused: property "modified": 9999-12-31T00:00:00Z is in the future, more than 1h0m0s ahead of the hub's clock…`},
			{"revocation dated now", own(ind, soon, map[string]any{"revoked": true}), notYours},
			{"a later version", own(ind, "2026-03-01T00:00:00.000Z", map[string]any{"name": "bravo's"}), notYours},
			{"a later version naming bravo as author", own(ind, "2026-03-01T00:00:00.000Z", map[string]any{"created_by_ref": bravo}), notYours},
			{"an earlier version", own(ind, "2025-12-01T00:00:00.000Z", map[string]any{"created": "2025-12-01T00:00:00.000Z"}), notYours},
			{"the same version, another content", own(ind, v2, map[string]any{"name": "bravo's"}), "this version was already stored"},
			{"a forgery of the RED object bravo cannot read, same version", own(red, v1, map[string]any{"object_marking_refs": []string{vigie.MarkingRed}, "name": "alpha's RED"}), notYours},
			{"a forgery of the RED object bravo cannot read, new version", own(red, v2, map[string]any{"revoked": true}), notYours},
			{"created_by_ref naming alpha", own("indicator--1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d", v1, map[string]any{"created_by_ref": alpha}),
				"refused: created_by_ref " + alpha + " is another member organisation of this hub…"},
			{"an identity with alpha's id", map[string]any{"type": "identity", "spec_version": "2.1", "id": alpha, "created": v1, "modified": v2, "name": "A", "identity_class": "organization"},
				"refused: " + alpha + " is the identity of another organisation of this hub"},
			{"a different SCO under alpha's SCO id", map[string]any{"type": "ipv4-addr", "spec_version": "2.1", "id": ip, "value": "198.51.100.7", "resolves_to_refs": []string{"mac-addr--65cfcf98-8a6e-5a1b-8f61-379ac4f92d00"}}, notYours},
			{"far-future created", own("indicator--2b3c4d5e-6f7a-4b1c-8d2e-3f4a5b6c7d8e", future, map[string]any{"created": future}),
				`refused: property "created": ` + strings.Replace(future, ".000Z", "Z", 1) + " is in the future…"},
			{"an unknown marking", own("indicator--3c4d5e6f-7a8b-4c1d-8e2f-4a5b6c7d8e9f", v1, map[string]any{"object_marking_refs": []string{"marking-definition--3c4d5e6f-7a8b-4c1d-8e2f-4a5b6c7d8e9f"}}),
				"refused: marking definition marking-definition--3c4d5e6f-7a8b-4c1d-8e2f-4a5b6c7d8e9f is neither a TLP marking definition, nor stored on this hub, nor in this envelope"},
			{"a statement marking claiming TLP:RED", map[string]any{"type": "marking-definition", "spec_version": "2.1", "id": "marking-definition--4d5e6f7a-8b9c-4d1e-8f2a-5b6c7d8e9f0a", "created": v1,
				"definition_type": "statement", "definition": map[string]any{"statement": "TLP:RED, for alpha only"}},
				`refused: property "definition.statement": "TLP:RED" claims a TLP level, which only the TLP marking definitions carry; mark objects with the standard TLP 2.0 definitions instead: TLP:CLEAR ` + vigie.MarkingClear + ", TLP:GREEN " + vigie.MarkingGreen + ", TLP:AMBER " + vigie.MarkingAmber + ", TLP:AMBER+STRICT " + vigie.MarkingAmberStrict + ", TLP:RED " + vigie.MarkingRed},
		} {
			id := a.obj["id"].(string)
			got := outcome(t, f.post(f.shared, "B", a.obj), id)
			want, prefix := strings.CutSuffix(a.want, "…")
			if got != want && !(prefix && strings.HasPrefix(got, want)) {
				t.Errorf("%s: %q, want %q", a.name, got, a.want)
			}
		}
		// Into bravo's own collection, alpha's ids are no more bravo's.
		if got := outcome(t, f.post(f.private, "B", own(ind, "2026-03-01T00:00:00.000Z", nil)), ind); got != notYours {
			t.Errorf("alpha's id into bravo's collection: %q", got)
		}
		// Deleting alpha's object fails.
		if r := f.do("DELETE", objectsPath(f.shared)+ind+"/", "B", nil); r.status != http.StatusNotFound {
			t.Errorf("bravo deletes alpha's indicator: %d %s, want 404", r.status, r.body)
		}

		// Alpha's data is unchanged.
		versions, last := f.objectVersions(f.shared, "A", ind)
		if fmt.Sprint(versions) != fmt.Sprint([]string{v1, v2}) || last["name"] != "alpha v2" || last["revoked"] != nil {
			t.Errorf("alpha reads versions %v, last %v; want its two, the last its own", versions, last)
		}
		if versions, last := f.objectVersions(f.shared, "A", red); len(versions) != 1 || last["name"] != "alpha's RED" || last["revoked"] != nil {
			t.Errorf("alpha's RED object: versions %v, last %v", versions, last)
		}
		if versions, last := f.objectVersions(f.shared, "A", ip); len(versions) != 1 || last["resolves_to_refs"] != nil {
			t.Errorf("alpha's SCO: versions %v, last %v", versions, last)
		}
		if _, last := f.objectVersions(f.shared, "B", red); last != nil {
			t.Errorf("bravo reads alpha's RED object: %v", last)
		}
		// And alpha still deletes it.
		if r := f.do("DELETE", objectsPath(f.shared)+ind+"/", "A", nil); r.status != http.StatusOK {
			t.Errorf("alpha deletes its indicator: %d %s", r.status, r.body)
		}
		if r := f.do("GET", objectsPath(f.shared)+ind+"/", "A", nil); r.status != http.StatusNotFound {
			t.Errorf("after alpha's delete: %d %s", r.status, r.body)
		}
		// The id stays alpha's after the deletion.
		if got := outcome(t, f.post(f.shared, "B", own(ind, v1, nil)), ind); got != notYours {
			t.Errorf("bravo re-publishes alpha's deleted id: %q", got)
		}
	})
}
