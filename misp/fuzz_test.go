package misp_test

import (
	"encoding/json"
	"os"
	"path/filepath"
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
