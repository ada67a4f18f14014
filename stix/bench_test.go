package stix_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/vigie-cti/vigie/stix"
)

// benchObjects are typical objects, as publishers send them, from
// testdata/bench.
var benchObjects = []string{"indicator", "observed-data", "report", "relationship"}

// BenchmarkParse measures Parse, which decodes and validates, on typical
// objects; the hub calls it on every object it receives.
func BenchmarkParse(b *testing.B) {
	for _, name := range benchObjects {
		data, err := os.ReadFile("testdata/bench/" + name + ".json")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := stix.Parse(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkValidate measures the validation alone, on an object already
// decoded.
func BenchmarkValidate(b *testing.B) {
	for _, name := range benchObjects {
		data, err := os.ReadFile("testdata/bench/" + name + ".json")
		if err != nil {
			b.Fatal(err)
		}
		obj := mustDecode(b, data)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := stix.Validate(obj); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEncodingJSON is the baseline: decoding the same objects with
// encoding/json into map[string]any, with UseNumber, without validation.
func BenchmarkEncodingJSON(b *testing.B) {
	for _, name := range benchObjects {
		data, err := os.ReadFile("testdata/bench/" + name + ".json")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				var m map[string]any
				if err := json.Unmarshal(data, &m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIngestBundle measures what the hub does with a posted bundle:
// ParseBundle, then Parse on every object; the official "Poison Ivy"
// report bundle has 155 objects. It reports objects per second.
func BenchmarkIngestBundle(b *testing.B) {
	data, err := os.ReadFile(examplesDir + "/threat-reports/poisonivy.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	objects := 0
	for b.Loop() {
		raws, err := stix.ParseBundle(data)
		if err != nil {
			b.Fatal(err)
		}
		for _, raw := range raws {
			if _, err := stix.Parse(raw); err != nil {
				b.Fatal(err)
			}
		}
		objects += len(raws)
	}
	b.ReportMetric(float64(objects)/b.Elapsed().Seconds(), "objects/s")
}
