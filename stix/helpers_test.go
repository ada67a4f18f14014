package stix_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/stix"
)

// examplesDir holds the official STIX 2.1 example bundles.
const examplesDir = "testdata/stix2/examples"

// schemasDir holds the official STIX 2.1 JSON schemas.
const schemasDir = "testdata/stix2/schemas"

// sample is one STIX object from a test corpus.
type sample struct {
	source string // file and position, for messages
	raw    json.RawMessage
}

// mustReadObjects returns every object of the JSON files under dir: the
// objects of bundles, and files holding a single object.
func mustReadObjects(tb testing.TB, dir string) []sample {
	tb.Helper()
	var out []sample
	for _, f := range jsonFiles(tb, dir) {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var probe struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(data, &probe); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		if probe.Type != "bundle" {
			out = append(out, sample{source: f, raw: data})
			continue
		}
		objects, err := stix.ParseBundle(data)
		if err != nil {
			tb.Fatalf("%s: ParseBundle: %v", f, err)
		}
		for i, o := range objects {
			out = append(out, sample{source: f + " objects[" + itoa(i) + "]", raw: o})
		}
	}
	if len(out) == 0 {
		tb.Fatalf("no STIX objects found under %s", dir)
	}
	return out
}

// jsonFiles lists the JSON files under dir, sorted.
func jsonFiles(tb testing.TB, dir string) []string {
	tb.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".json") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("reading %s: %v", dir, err)
	}
	if len(files) == 0 {
		tb.Fatalf("no JSON files under %s", dir)
	}
	sort.Strings(files)
	return files
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// mustDecode decodes a JSON object with numbers as json.Number.
func mustDecode(tb testing.TB, raw []byte) map[string]any {
	tb.Helper()
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		tb.Fatalf("decoding %s: %v", raw, err)
	}
	return m
}

// mustEncode encodes v as JSON.
func mustEncode(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func mustReadFile(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}
