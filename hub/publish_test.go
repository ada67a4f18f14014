package hub_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/store/sqlite"
)

// now is the hub's clock in these tests.
var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// world is a hub with two member organisations, alpha and bravo, sharing
// the community "ab" and its collection; bravo also has a collection of
// its own.
type world struct {
	t            *testing.T
	h            *hub.Hub
	st           vigie.Store
	alpha, bravo *vigie.Org
	shared       *vigie.Collection
	bravoOnly    *vigie.Collection
}

func newWorld(t *testing.T) *world {
	t.Helper()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "vigie.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := hub.New(st, hub.Config{}, func() time.Time { return now })
	w := &world{t: t, h: h, st: st}
	if w.alpha, err = h.AddOrg(ctx, hub.Console(), "alpha", nil, ""); err != nil {
		t.Fatal(err)
	}
	if w.bravo, err = h.AddOrg(ctx, hub.Console(), "bravo", nil, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := h.AddCommunity(ctx, hub.Console(), "ab", []string{"alpha", "bravo"}); err != nil {
		t.Fatal(err)
	}
	if w.shared, err = h.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "r", Title: "Shared", Read: []string{"community:ab"}, Write: []string{"community:ab"}}); err != nil {
		t.Fatal(err)
	}
	if w.bravoOnly, err = h.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "r", Title: "Bravo", Read: []string{"org:bravo"}, Write: []string{"org:bravo"}}); err != nil {
		t.Fatal(err)
	}
	return w
}

// principal returns the principal of a publisher key of org.
func (w *world) principal(org *vigie.Org) vigie.Principal {
	comms, err := w.st.OrgCommunities(ctx, org.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return vigie.Principal{OrgID: org.ID, KeyID: "k", Role: vigie.RolePublisher, Communities: comms}
}

// publish posts objs as org into c and returns the outcome of each object,
// in order: "stored", the message of a success ("this version was already
// stored"), or "refused: " and the failure's message.
func (w *world) publish(org *vigie.Org, c *vigie.Collection, objs ...map[string]any) []string {
	w.t.Helper()
	p := w.principal(org)
	_, a, err := w.h.Collection(ctx, p, c.Root, c.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	raws := make([]json.RawMessage, len(objs))
	for i, o := range objs {
		if raws[i], err = json.Marshal(o); err != nil {
			w.t.Fatal(err)
		}
	}
	st, err := w.h.Publish(ctx, p, a, c, raws)
	if err != nil {
		w.t.Fatalf("Publish: %v", err)
	}
	if got := len(st.Successes) + len(st.Failures); got != len(objs) {
		w.t.Fatalf("status has %d details for %d objects: %+v", got, len(objs), st)
	}
	// Details are matched to objects by id, in order of appearance.
	used := map[*vigie.StatusDetail]bool{}
	find := func(list []vigie.StatusDetail, id string) *vigie.StatusDetail {
		for i := range list {
			if d := &list[i]; d.ID == id && !used[d] {
				used[d] = true
				return d
			}
		}
		return nil
	}
	out := make([]string, len(objs))
	for i, o := range objs {
		id, _ := o["id"].(string)
		if d := find(st.Successes, id); d != nil {
			out[i] = "stored"
			if d.Message != "" {
				out[i] = d.Message
			}
		} else if d := find(st.Failures, id); d != nil {
			out[i] = "refused: " + d.Message
		}
	}
	return out
}

// last returns the last version of id in c that org reads, or nil.
func (w *world) last(org *vigie.Org, c *vigie.Collection, id string) *vigie.Object {
	w.t.Helper()
	p := w.principal(org)
	_, a, err := w.h.Collection(ctx, p, c.Root, c.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	page, err := w.h.Objects(ctx, p, a, &vigie.ObjectQuery{Collection: c.ID, IDs: []string{id}})
	if err != nil {
		w.t.Fatal(err)
	}
	if len(page.Objects) == 0 {
		return nil
	}
	return page.Objects[0]
}

const (
	indID    = "indicator--4f0a8a3e-6f7c-4b9e-9b1a-1c2d3e4f5a6b"
	redID    = "indicator--7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"
	mitreID  = "identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5"
	stmtID   = "marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168"
	ipID     = "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"
	attackID = "attack-pattern--0042a9f5-f053-4769-b3ef-9ad018dfa298"
)

// ind returns an indicator; props are added or, when nil, removed.
func ind(id, modified string, props map[string]any) map[string]any {
	o := map[string]any{
		"type": "indicator", "spec_version": "2.1", "id": id,
		"created": "2026-01-01T00:00:00.000Z", "modified": modified,
		"pattern": "[ipv4-addr:value = '198.51.100.7']", "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z",
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

func ip(props map[string]any) map[string]any {
	o := map[string]any{"type": "ipv4-addr", "spec_version": "2.1", "id": ipID, "value": "198.51.100.7"}
	for k, v := range props {
		o[k] = v
	}
	return o
}

func statement(id, text string) map[string]any {
	return map[string]any{
		"type": "marking-definition", "spec_version": "2.1", "id": id, "created": "2017-06-01T00:00:00.000Z",
		"created_by_ref": mitreID, "definition_type": "statement", "definition": map[string]any{"statement": text},
	}
}

func mitreIdentity() map[string]any {
	return map[string]any{
		"type": "identity", "spec_version": "2.1", "id": mitreID, "created": "2017-06-01T00:00:00.000Z",
		"modified": "2017-06-01T00:00:00.000Z", "name": "The MITRE Corporation", "identity_class": "organization",
		"object_marking_refs": []string{stmtID},
	}
}

// TestPublishOwnership runs, in order, publications that build on each
// other: each step's objects and the outcome each must have.
func TestPublishOwnership(t *testing.T) {
	w := newWorld(t)
	a, b := w.alpha, w.bravo
	red := map[string]any{"object_marking_refs": []string{vigie.MarkingRed}}
	steps := []struct {
		name string
		who  *vigie.Org
		coll *vigie.Collection
		objs []map[string]any
		want []string // an outcome, or a prefix of it ending in "…"
	}{
		{"alpha publishes the first version", a, w.shared, []map[string]any{ind(indID, "2026-02-01T00:00:00.000Z", map[string]any{"created_by_ref": a.ID})},
			[]string{"stored"}},
		{"alpha publishes a new version", a, w.shared, []map[string]any{ind(indID, "2026-03-01T00:00:00.000Z", nil)},
			[]string{"stored"}},
		{"bravo: a later version of alpha's", b, w.shared, []map[string]any{ind(indID, "2026-04-01T00:00:00.000Z", nil)},
			[]string{"refused: belongs to another organisation"}},
		{"bravo: a revocation of alpha's", b, w.shared, []map[string]any{ind(indID, "2026-11-30T00:00:00.000Z", map[string]any{"revoked": true})},
			[]string{"refused: belongs to another organisation"}},
		{"bravo: a version dated 9999", b, w.shared, []map[string]any{ind(indID, "9999-12-31T00:00:00.000Z", map[string]any{"revoked": true})},
			[]string{`refused: property "modified": 9999-12-31T00:00:00Z is in the future…`}},
		{"bravo: a version of alpha's it reads, again", b, w.shared, []map[string]any{ind(indID, "2026-03-01T00:00:00.000Z", nil)},
			[]string{"this version was already stored"}},
		{"bravo: the same version into its own collection", b, w.bravoOnly, []map[string]any{ind(indID, "2026-03-01T00:00:00.000Z", nil)},
			[]string{"refused: belongs to another organisation"}},
		{"bravo: created_by_ref naming alpha", b, w.shared, []map[string]any{ind("indicator--11111111-2222-4333-8444-555555555555", "2026-03-01T00:00:00.000Z", map[string]any{"created_by_ref": a.ID})},
			[]string{"refused: created_by_ref " + a.ID + " is another member organisation of this hub…"}},
		{"bravo: an identity with alpha's id", b, w.shared, []map[string]any{{"type": "identity", "spec_version": "2.1", "id": a.ID, "created": "2026-01-01T00:00:00.000Z", "modified": "2026-06-01T00:00:00.000Z", "name": "alpha (forged)", "identity_class": "organization"}},
			[]string{"refused: " + a.ID + " is the identity of another organisation of this hub"}},
		{"alpha: a RED indicator", a, w.shared, []map[string]any{ind(redID, "2026-02-01T00:00:00.000Z", red)},
			[]string{"stored"}},
		{"bravo: the same version of the RED indicator it cannot read", b, w.shared, []map[string]any{ind(redID, "2026-02-01T00:00:00.000Z", red)},
			[]string{"refused: belongs to another organisation"}},
		{"bravo: a far-future created", b, w.shared, []map[string]any{ind("indicator--22222222-2222-4333-8444-555555555555", "2026-12-01T14:00:00.000Z", map[string]any{"created": "2026-12-01T14:00:00.000Z"})},
			[]string{`refused: property "created": 2026-12-01T14:00:00Z is in the future, more than 1h0m0s ahead…`}},
		{"bravo: within the clock skew", b, w.shared, []map[string]any{ind("indicator--33333333-2222-4333-8444-555555555555", "2026-12-01T12:30:00.000Z", nil)},
			[]string{"stored"}},
		{"bravo: an unknown marking", b, w.shared, []map[string]any{ind("indicator--44444444-2222-4333-8444-555555555555", "2026-03-01T00:00:00.000Z", map[string]any{"object_marking_refs": []string{"marking-definition--00000000-0000-4000-8000-000000000001"}})},
			[]string{"refused: marking definition marking-definition--00000000-0000-4000-8000-000000000001 is neither a TLP marking definition, nor stored on this hub, nor in this envelope"}},
		{"bravo: an unknown granular marking", b, w.shared, []map[string]any{ind("indicator--55555555-2222-4333-8444-555555555555", "2026-03-01T00:00:00.000Z", map[string]any{"granular_markings": []any{map[string]any{"marking_ref": "marking-definition--00000000-0000-4000-8000-000000000002", "selectors": []string{"pattern"}}}})},
			[]string{"refused: marking definition marking-definition--00000000-0000-4000-8000-000000000002 is neither…"}},
		{"bravo: a statement marking claiming TLP:RED", b, w.shared, []map[string]any{statement("marking-definition--00000000-0000-4000-8000-000000000003", "TLP:RED - do not share")},
			[]string{`refused: property "definition.statement": "TLP:RED" claims a TLP level…`}},
		{"alpha: MITRE's identity, marking and an attack pattern, in one envelope", a, w.shared, []map[string]any{
			statement(stmtID, "Copyright 2017-2026, The MITRE Corporation."), mitreIdentity(),
			{"type": "attack-pattern", "spec_version": "2.1", "id": attackID, "created": "2017-05-31T21:30:19.735Z", "modified": "2025-04-15T19:58:09.815Z",
				"name": "Phishing", "created_by_ref": mitreID, "object_marking_refs": []string{stmtID}, "x_mitre_version": "2.1"}},
			[]string{"stored", "stored", "stored"}},
		{"bravo: the same MITRE objects", b, w.shared, []map[string]any{statement(stmtID, "Copyright 2017-2026, The MITRE Corporation."), mitreIdentity()},
			[]string{"this version was already stored", "this version was already stored"}},
		{"bravo: a new version of the MITRE attack pattern", b, w.shared, []map[string]any{
			{"type": "attack-pattern", "spec_version": "2.1", "id": attackID, "created": "2017-05-31T21:30:19.735Z", "modified": "2026-05-15T19:58:09.815Z",
				"name": "Phishing (edited)", "created_by_ref": mitreID, "object_marking_refs": []string{stmtID}}},
			[]string{"refused: belongs to another organisation"}},
		{"bravo: an object marked with MITRE's stored marking", b, w.bravoOnly, []map[string]any{ind("indicator--66666666-2222-4333-8444-555555555555", "2026-03-01T00:00:00.000Z", map[string]any{"object_marking_refs": []string{stmtID}})},
			[]string{"stored"}},
		{"alpha: an SCO", a, w.shared, []map[string]any{ip(nil)},
			[]string{"stored"}},
		{"bravo: the identical SCO, laid out otherwise, into its collection", b, w.bravoOnly, []map[string]any{ip(nil)},
			[]string{"stored"}},
		{"bravo: the identical SCO where alpha's copy is", b, w.shared, []map[string]any{ip(nil)},
			[]string{"this version was already stored"}},
		{"bravo: another SCO under the same id", b, w.bravoOnly, []map[string]any{ip(map[string]any{"x_note": "mine"})},
			[]string{"refused: belongs to another organisation"}},
		{"either: the TLP marking definitions belong to no one", b, w.bravoOnly, []map[string]any{{
			"type": "marking-definition", "spec_version": "2.1", "id": vigie.MarkingWhiteTLP1, "created": "2017-01-20T00:00:00.000Z",
			"definition_type": "tlp", "name": "TLP:WHITE", "definition": map[string]any{"tlp": "white"}}},
			[]string{"stored"}},
	}
	for _, s := range steps {
		got := w.publish(s.who, s.coll, s.objs...)
		for i := range s.want {
			want, prefix := strings.CutSuffix(s.want[i], "…")
			if got[i] != want && !(prefix && strings.HasPrefix(got[i], want)) {
				t.Errorf("%s: object %d: got %q, want %q", s.name, i, got[i], s.want[i])
			}
		}
	}
	// Alpha's data is unchanged: its last version is its own.
	if o := w.last(a, w.shared, indID); o == nil || o.Version != "2026-03-01T00:00:00.000Z" || o.Publisher != a.ID {
		t.Errorf("alpha's last version of its indicator = %+v, want its own of 2026-03-01", o)
	}
	if o := w.last(a, w.shared, redID); o == nil || o.Version != "2026-02-01T00:00:00.000Z" || o.Publisher != a.ID {
		t.Errorf("alpha's RED indicator = %+v, want its own", o)
	}
	// The relayed attack pattern names its author and its relay.
	if o := w.last(b, w.shared, attackID); o == nil || o.Author != mitreID || o.RelayedBy() != a.ID {
		t.Errorf("attack pattern read by bravo = %+v, want author %s relayed by alpha", o, mitreID)
	}
	if o := w.last(a, w.shared, indID); o.RelayedBy() != "" {
		t.Errorf("alpha's own indicator says it was relayed by %q", o.RelayedBy())
	}
	owners, err := w.st.ObjectOwners(ctx, []string{indID, attackID, ipID, vigie.MarkingWhiteTLP1})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{indID: a.ID, attackID: a.ID, ipID: a.ID} {
		if owners[id].Owner != want {
			t.Errorf("owner of %s = %q, want %q", id, owners[id].Owner, want)
		}
	}
	if owners[attackID].Author != mitreID {
		t.Errorf("author of %s = %q, want MITRE", attackID, owners[attackID].Author)
	}
	if _, ok := owners[vigie.MarkingWhiteTLP1]; ok {
		t.Errorf("the TLP 1.0 WHITE marking definition has an owner: %+v", owners[vigie.MarkingWhiteTLP1])
	}
}

// TestPublishOwnershipSurvivesDeletion: once alpha deletes its object,
// bravo still cannot publish the id; alpha can.
func TestPublishOwnershipSurvivesDeletion(t *testing.T) {
	w := newWorld(t)
	if got := w.publish(w.alpha, w.shared, ind(indID, "2026-02-01T00:00:00.000Z", nil)); got[0] != "stored" {
		t.Fatalf("alpha's first version: %s", got[0])
	}
	p := w.principal(w.alpha)
	if _, err := w.h.Delete(ctx, p, w.shared.Root, &vigie.ObjectQuery{Collection: w.shared.ID, IDs: []string{indID}, Versions: vigie.VersionFilter{All: true}}, ""); err != nil {
		t.Fatalf("alpha deletes its indicator: %v", err)
	}
	if got := w.publish(w.bravo, w.shared, ind(indID, "2026-02-01T00:00:00.000Z", nil)); got[0] != "refused: belongs to another organisation" {
		t.Errorf("bravo re-publishes alpha's deleted id: %s", got[0])
	}
	if got := w.publish(w.alpha, w.shared, ind(indID, "2026-02-01T00:00:00.000Z", nil)); got[0] != "stored" {
		t.Errorf("alpha re-publishes its deleted id: %s", got[0])
	}
}

// TestPublishClaimsOnce: two copies of a new id in one envelope are the
// caller's; an id refused for its markings is not claimed.
func TestPublishClaimsOnce(t *testing.T) {
	w := newWorld(t)
	got := w.publish(w.bravo, w.shared,
		ind(indID, "2026-02-01T00:00:00.000Z", map[string]any{"object_marking_refs": []string{"marking-definition--00000000-0000-4000-8000-000000000009"}}),
		ind(indID, "2026-02-01T00:00:00.000Z", nil), ind(indID, "2026-03-01T00:00:00.000Z", nil))
	slices.Sort(got)
	want := []string{"refused: marking definition marking-definition--00000000-0000-4000-8000-000000000009 is neither a TLP marking definition, nor stored on this hub, nor in this envelope", "stored", "stored"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	owners, err := w.st.ObjectOwners(ctx, []string{indID})
	if err != nil || owners[indID].Owner != w.bravo.ID {
		t.Errorf("owner of %s = %+v, %v; want bravo", indID, owners[indID], err)
	}
}

// TestPublishClockSkewConfig: the skew is the hub's configuration.
func TestPublishClockSkewConfig(t *testing.T) {
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "vigie.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := hub.New(st, hub.Config{MaxClockSkew: 48 * time.Hour}, func() time.Time { return now })
	w := &world{t: t, h: h, st: st}
	w.alpha, _ = h.AddOrg(ctx, hub.Console(), "alpha", nil, "")
	w.shared, _ = h.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "r", Title: "A", Read: []string{"org:alpha"}, Write: []string{"org:alpha"}})
	got := w.publish(w.alpha, w.shared, ind(indID, "2026-12-02T12:00:00.000Z", nil), ind(redID, "2026-12-04T12:00:00.000Z", nil))
	if got[0] != "stored" || !strings.HasPrefix(got[1], `refused: property "modified": 2026-12-04T12:00:00Z is in the future, more than 48h0m0s ahead`) {
		t.Errorf("with a 48 h skew: %q", got)
	}
	if h.Config().MaxClockSkew != 48*time.Hour || hub.New(st, hub.Config{}, time.Now).Config().MaxClockSkew != time.Hour {
		t.Errorf("MaxClockSkew: configured or default value lost")
	}
}
