package hub_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// TestPublishBundleMarks: the chosen TLP (and its RED recipients) goes to
// the objects without a TLP marking only; granular TLP markings and
// TLP 1.0 ids count as marked; a statement marking is kept beside the
// added TLP; marking definitions need none.
func TestPublishBundleMarks(t *testing.T) {
	w := newWorld(t)
	ts := now.Format("2006-01-02T15:04:05.000Z")
	ind := func(value string) map[string]any {
		return map[string]any{"type": "indicator", "spec_version": "2.1", "id": "indicator--" + vigie.NewUUID(), "created": ts, "modified": ts,
			"created_by_ref": w.alpha.ID, "pattern": "[ipv4-addr:value = '" + value + "']", "pattern_type": "stix", "valid_from": ts, "name": value}
	}
	statement := map[string]any{"type": "marking-definition", "spec_version": "2.1", "id": "marking-definition--" + vigie.NewUUID(), "created": ts,
		"definition_type": "statement", "definition": map[string]any{"statement": "Copyright alpha"}}
	unmarked, granular, tlp1, stated := ind("192.0.2.1"), ind("192.0.2.2"), ind("192.0.2.3"), ind("192.0.2.4")
	granular["granular_markings"] = []map[string]any{{"marking_ref": vigie.MarkingGreen, "selectors": []string{"name"}}}
	tlp1["object_marking_refs"] = []string{vigie.MarkingAmberTLP1}
	stated["object_marking_refs"] = []string{statement["id"].(string)}
	data, _ := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--" + vigie.NewUUID(), "objects": []any{statement, unmarked, granular, tlp1, stated}})

	p := w.principal(w.alpha)
	spec := hub.BundleSpec{Root: w.shared.Root, Collection: w.shared.ID, Data: data}
	if _, err := w.h.PublishBundle(ctx, p, spec); vigie.ErrorCode(err) != vigie.EINVALID {
		t.Fatalf("unmarked objects, no TLP chosen: %v, want EINVALID", err)
	}
	spec.TLP, spec.Recipients = vigie.TLPRed, []string{w.bravo.ID}
	st, err := w.h.PublishBundle(ctx, p, spec)
	if err != nil || len(st.Successes) != 5 {
		t.Fatalf("PublishBundle: %+v, %v", st, err)
	}
	for _, tc := range []struct {
		obj        map[string]any
		tlp        vigie.TLP
		refs       []string
		recipients []string
	}{
		{unmarked, vigie.TLPRed, []string{vigie.MarkingRed}, []string{w.bravo.ID}},
		{granular, vigie.TLPGreen, nil, nil},
		{tlp1, vigie.TLPAmber, []string{vigie.MarkingAmberTLP1}, nil},
		{stated, vigie.TLPRed, []string{statement["id"].(string), vigie.MarkingRed}, []string{w.bravo.ID}},
	} {
		ov, err := w.h.Object(ctx, p, tc.obj["id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		o := ov.Versions[0]
		var got struct {
			Refs []string `json:"object_marking_refs"`
		}
		json.Unmarshal(o.Raw, &got)
		if o.TLP != tc.tlp || !slices.Equal(got.Refs, tc.refs) || !slices.Equal(o.Recipients, tc.recipients) {
			t.Errorf("%s: TLP %s, refs %v, recipients %v; want %s, %v, %v", tc.obj["name"], o.TLP, got.Refs, o.Recipients, tc.tlp, tc.refs, tc.recipients)
		}
	}
	// Bravo, the recipient, reads the RED one.
	if _, err := w.h.Object(ctx, w.principal(w.bravo), unmarked["id"].(string)); err != nil {
		t.Errorf("the recipient does not read the RED object: %v", err)
	}
}
