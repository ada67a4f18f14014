package misp_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie/misp"
	"github.com/vigie-cti/vigie/pattern"
	"github.com/vigie-cti/vigie/stix"
)

// convertFile converts one MISP file and checks every object it emits is
// valid STIX 2.1 (and every STIX pattern parses).
func convertFile(t *testing.T, path string) (*misp.Summary, []map[string]any) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var objs []map[string]any
	c := misp.NewConverter(misp.Options{
		Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
		Emit: func(raw json.RawMessage) error {
			so, err := stix.Parse(raw)
			if err != nil {
				t.Errorf("%s: invalid STIX: %v\n%s", path, err, raw)
				return nil
			}
			if so.Type == "indicator" && so.Props["pattern_type"] == "stix" {
				if _, err := pattern.Parse(so.Props["pattern"].(string)); err != nil {
					t.Errorf("%s: bad pattern: %v", path, err)
				}
			}
			var m map[string]any
			json.Unmarshal(raw, &m)
			objs = append(objs, m)
			return nil
		},
	})
	if err := c.Convert(f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c.Summary(), objs
}

func TestConvertEveryTestdataEvent(t *testing.T) {
	var files []string
	for _, g := range []string{"testdata/events/pymisp/*.json", "testdata/feed/chrome-mal-ids/*-*.json", "testdata/misp-stix/tests/test_*_collection_*.json"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	if len(files) < 30 {
		t.Fatalf("only %d test files", len(files))
	}
	for _, path := range files {
		if strings.HasSuffix(path, "stix21.json") {
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			sum, _ := convertFile(t, path)
			if sum.Attributes.Mapped+sum.Attributes.NotMapped != sum.Attributes.Total {
				t.Errorf("attributes: %+v", sum.Attributes)
			}
			total := 0
			for typ, n := range sum.Types {
				if n.Mapped+n.NotMapped != n.Total {
					t.Errorf("%s: %+v", typ, n)
				}
				total += n.Total
			}
			if total != sum.Attributes.Total {
				t.Errorf("types add up to %d, not %d", total, sum.Attributes.Total)
			}
			for _, e := range sum.Errors {
				t.Logf("error: %s", e)
			}
			t.Logf("%+v", sum.Attributes)
		})
	}
}

func convertWith(t *testing.T, path string, opts misp.Options) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var objs []map[string]any
	opts.Emit = func(raw json.RawMessage) error {
		var m map[string]any
		json.Unmarshal(raw, &m)
		objs = append(objs, m)
		return nil
	}
	if err := misp.NewConverter(opts).Convert(f); err != nil {
		t.Fatal(err)
	}
	return objs
}

// TestFragments: PyMISP's partial documents (an attribute alone, an
// object list, a bare sighting...) either convert with every attribute
// accounted for or fail with an error that says why; none crashes.
func TestFragments(t *testing.T) {
	files, _ := filepath.Glob("testdata/events/pymisp-fragments/*.json")
	if len(files) != 13 {
		t.Fatalf("%d fragments", len(files))
	}
	converted := 0
	for _, path := range files {
		f, _ := os.Open(path)
		c := misp.NewConverter(misp.Options{Emit: func(json.RawMessage) error { return nil }})
		err := c.Convert(f)
		f.Close()
		s := c.Summary()
		if err != nil {
			if !strings.HasPrefix(err.Error(), "misp: ") {
				t.Errorf("%s: error without context: %v", path, err)
			}
			t.Logf("%s: %v", filepath.Base(path), err)
			continue
		}
		converted++
		if s.Attributes.Mapped+s.Attributes.NotMapped != s.Attributes.Total {
			t.Errorf("%s: %+v", path, s.Attributes)
		}
	}
	if converted != len(files) {
		t.Errorf("only %d of %d fragments converted", converted, len(files))
	}
}
