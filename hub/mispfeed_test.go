package hub_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vigie-cti/vigie/misp"
)

// importMISP converts MISP files and publishes them as alpha into the
// shared collection.
func (w *world) importMISP(paths ...string) {
	w.t.Helper()
	var objs []map[string]any
	conv := misp.NewConverter(misp.Options{Emit: func(raw json.RawMessage) error {
		var m map[string]any
		json.Unmarshal(raw, &m)
		objs = append(objs, m)
		return nil
	}})
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			w.t.Fatal(err)
		}
		if err := conv.Convert(f); err != nil {
			w.t.Fatal(err)
		}
		f.Close()
	}
	for start := 0; start < len(objs); start += 1000 {
		for i, outcome := range w.publish(w.alpha, w.shared, objs[start:min(start+1000, len(objs))]...) {
			if outcome != "stored" {
				w.t.Fatalf("object %d: %s", start+i, outcome)
			}
		}
	}
}

// TestMISPFeedEventIsTheFeedsEvent: an event read by its UUID (from its
// report and what it refers to) is the event of the whole feed, for the
// publisher and for another member.
func TestMISPFeedEventIsTheFeedsEvent(t *testing.T) {
	w := newWorld(t)
	files, _ := filepath.Glob("../misp/testdata/events/pymisp/*.json")
	w.importMISP(append(files, "../misp/testdata/scenarios/published_amber.json")...)
	for _, org := range []string{"alpha", "bravo"} {
		p := w.principal(w.alpha)
		if org == "bravo" {
			p = w.principal(w.bravo)
		}
		events, err := w.h.MISPFeed(ctx, p, "r", w.shared.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) < 10 {
			t.Fatalf("%s: %d events", org, len(events))
		}
		for _, want := range events {
			got, err := w.h.MISPFeedEvent(ctx, p, "r", w.shared.ID, want.UUID)
			if err != nil {
				t.Fatalf("%s: event %s: %v", org, want.UUID, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: event %s (-feed +by uuid):\n%s", org, want.UUID, diff)
			}
		}
		_, err = w.h.MISPFeedEvent(ctx, p, "r", w.shared.ID, "5e1b4c1e-1111-4a4a-9c9c-0123456789ab")
		if org == "bravo" && err == nil {
			t.Error("bravo reads alpha's AMBER event by its UUID")
		}
		if org == "alpha" && err != nil {
			t.Errorf("alpha cannot read its own AMBER event: %v", err)
		}
	}
}
