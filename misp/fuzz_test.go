package misp_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/misp"
	"github.com/vigie-cti/vigie/stix"
)

// FuzzConvert: any input either fails with an error or converts into
// objects that are all valid STIX 2.1; the accounting always adds up.
func FuzzConvert(f *testing.F) {
	for _, g := range []string{"testdata/scenarios/*.json", "testdata/events/pymisp-fragments/*.json", "testdata/misp-stix/tests/test_*_collection_1.json"} {
		m, _ := filepath.Glob(g)
		for _, p := range m {
			b, _ := os.ReadFile(p)
			f.Add(b)
		}
	}
	f.Add([]byte(`{"Event": {"uuid": "5e1b4c1e-1111-4a4a-9c9c-0123456789ab", "Attribute": [{"uuid": "aaaaaaaa-0001-4000-8000-000000000001", "type": "ip-dst|port", "value": "1.2.3.4|80", "to_ids": true}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := misp.NewConverter(misp.Options{Emit: func(raw json.RawMessage) error {
			if _, err := stix.Parse(raw); err != nil {
				t.Fatalf("invalid STIX from the converter: %v\n%s", err, raw)
			}
			return nil
		}})
		if err := c.Convert(strings.NewReader(string(data))); err != nil {
			return
		}
		s := c.Summary()
		if s.Attributes.Mapped+s.Attributes.NotMapped != s.Attributes.Total {
			t.Fatalf("accounting: %+v", s.Attributes)
		}
	})
}

// FuzzFeed: whatever STIX objects a collection holds, the feed's files
// keep their formats: every event file reads back as a MISP event, every
// hashes.csv line is "md5,uuid", the manifest names every event.
func FuzzFeed(f *testing.F) {
	f.Add([]byte(`{"type":"indicator","id":"indicator--aaaaaaaa-0001-4000-8000-000000000001","created":"2025-01-01T00:00:00Z","modified":"2025-01-01T00:00:00Z","pattern":"[domain-name:value = 'a\nb.example'] OR [ipv4-addr:value = '1.2.3.4']","pattern_type":"stix","labels":["misp:type=\"domain\""]}`),
		[]byte(`{"type":"report","id":"report--5e1b4c1e-1111-4a4a-9c9c-0123456789ab","created":"2025-01-01T00:00:00Z","modified":"2025-01-01T00:00:00Z","name":"r\"x","object_refs":["indicator--aaaaaaaa-0001-4000-8000-000000000001"]}`))
	f.Add([]byte(`{"type":"observed-data","id":"observed-data--aaaaaaaa-0001-4000-8000-000000000001","object_refs":["file--aaaaaaaa-0001-4000-8000-000000000001"],"labels":["misp:type=\"filename|md5\""]}`),
		[]byte(`{"type":"file","id":"file--aaaaaaaa-0001-4000-8000-000000000001","name":"a,b\n.exe","hashes":{"MD5":"x"}}`))
	hashLine := regexp.MustCompile(`^[0-9a-f]{32},[^,\n]+$`)
	f.Fuzz(func(t *testing.T, a, b []byte) {
		feed := misp.NewFeed(map[string]string{"identity--11111111-2222-4333-8444-555555555555": "Org, \"A\"\n"})
		for _, raw := range [][]byte{a, b} {
			feed.Add(raw, "identity--11111111-2222-4333-8444-555555555555")
		}
		events := feed.Events()
		for _, e := range events {
			doc, err := misp.EventJSON(e)
			if err != nil {
				t.Fatal(err)
			}
			var n int
			if err := misp.Read(bytes.NewReader(doc), countEvents{&n}); err != nil || n != 1 {
				t.Fatalf("event file does not read back (%d events): %v\n%s", n, err, doc)
			}
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(misp.Hashes(events)), "\n"), "\n") {
			if line != "" && !hashLine.MatchString(line) {
				t.Fatalf("hashes.csv line %q", line)
			}
		}
		mb, err := misp.Manifest(events)
		if err != nil {
			t.Fatal(err)
		}
		m, err := misp.ParseManifest(bytes.NewReader(mb))
		if err != nil || len(m) != len(events) {
			t.Fatalf("manifest: %v, %d entries for %d events", err, len(m), len(events))
		}
	})
}

type countEvents struct{ n *int }

func (c countEvents) Event(*misp.Event) error                      { *c.n++; return nil }
func (c countEvents) Attribute(*misp.Event, *misp.Attribute) error { return nil }
func (c countEvents) Object(*misp.Event, *misp.Object) error       { return nil }
func (c countEvents) EventEnd(*misp.Event) error                   { return nil }
func (c countEvents) ItemError(*misp.Event, *misp.ItemError) error { return nil }
