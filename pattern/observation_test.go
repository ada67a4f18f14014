package pattern_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/pattern"
)

// summary is what the tests compare of an observation.
type summary struct {
	ID          string
	First, Last string
	N           int
	Roots       []string
}

func summarize(obs []pattern.Observation) []summary {
	var out []summary
	for _, o := range obs {
		out = append(out, summary{o.ID, o.FirstObserved.Format(time.RFC3339), o.LastObserved.Format(time.RFC3339), o.NumberObserved, o.Roots})
	}
	return out
}

func TestReadObservations(t *testing.T) {
	tests := []struct {
		file string
		want []summary
	}{
		{"testdata/bundle-20-embedded-objects.json", []summary{
			{"observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf", "2005-01-21T11:17:41Z", "2005-01-21T11:22:41Z", 5, []string{"0", "1", "2", "3"}},
		}},
		{"testdata/objects-array.json", []summary{
			{"observed-data--0a1b2c3d-0000-4000-8000-000000000001", "2021-03-01T10:00:00Z", "2021-03-01T10:00:00Z", 1, []string{"url--0a1b2c3d-0000-5000-8000-000000000002", "identity--0a1b2c3d-0000-4000-8000-000000000099"}},
		}},
		{"testdata/bundles-array.json", []summary{
			{"observed-data--0a1b2c3d-0000-4000-8000-0000000000a1", "2021-03-01T10:00:00Z", "2021-03-01T10:00:00Z", 1, []string{"ipv4-addr--0a1b2c3d-0000-5000-8000-000000000001"}},
			{"observed-data--0a1b2c3d-0000-4000-8000-0000000000a2", "2021-03-01T10:05:00Z", "2021-03-01T10:05:00Z", 1, nil},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := summarize(MustObservationsFile(t, tt.file))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("observations (-want +got):\n%s", diff)
			}
		})
	}
}

func TestObservationsEvaluate(t *testing.T) {
	tests := []struct {
		file, pattern string
		want          bool
	}{
		// STIX 2.0: references are keys of the embedded objects.
		{"testdata/bundle-20-embedded-objects.json", "[file:extensions.'archive-ext'.contains_refs[*].hashes.MD5 = '22a0fb8f3879fb569f8a3ff65850a82e']", true},
		{"testdata/bundle-20-embedded-objects.json", "[file:hashes.'SHA-256' = 'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c']", true},
		{"testdata/bundle-20-embedded-objects.json", "[file:hashes.MD5 = '22A0FB8F3879FB569F8A3FF65850A82E'] REPEATS 5 TIMES", true},
		{"testdata/bundle-20-embedded-objects.json", "[file:hashes.MD5 = '22A0FB8F3879FB569F8A3FF65850A82E'] REPEATS 6 TIMES", false},
		// Patterns on SDOs referenced by observed-data evaluate too.
		{"testdata/objects-array.json", "[identity:name = 'ACME']", true},
		{"testdata/objects-array.json", "[url:value = 'http://example.com/foo']", true},
		// References resolve within each bundle only.
		{"testdata/bundles-array.json", "[ipv4-addr:value = '198.51.100.7'] REPEATS 2 TIMES", false},
		{"testdata/bundles-array.json", "[ipv4-addr:value = '198.51.100.7']", true},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			got, err := MustParse(t, tt.pattern).Matches(MustObservationsFile(t, tt.file))
			if err != nil || got != tt.want {
				t.Errorf("Matches = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestReadObservationsErrors(t *testing.T) {
	od := func(fields string) string {
		return `{"type": "bundle", "id": "bundle--1", "objects": [{"type": "observed-data", "id": "observed-data--1"` + fields + `}]}`
	}
	times := `, "first_observed": "2020-01-01T00:00:00Z", "last_observed": "2020-01-01T00:00:00Z"`
	tests := []struct {
		name, in, want string
	}{
		{"not JSON", "{", "decode observations: unexpected EOF"},
		{"trailing data", "[] []", "decode observations: trailing data after the JSON document"},
		{"scalar", "42", "decode observations: expected a bundle or a JSON array"},
		{"array item", "[1]", "decode observations: item 0 is not a JSON object"},
		{"not a bundle", `{"type": "indicator"}`, `decode observations: expected a bundle, found type "indicator"`},
		{"missing first_observed", od(`, "last_observed": "2020-01-01T00:00:00Z"`), "observed-data observed-data--1: first_observed is missing or not a string"},
		{"bad timestamp", od(`, "first_observed": "yesterday", "last_observed": "2020-01-01T00:00:00Z"`), `observed-data observed-data--1: first_observed "yesterday" is not an RFC 3339 timestamp`},
		{"last before first", od(`, "first_observed": "2020-01-02T00:00:00Z", "last_observed": "2020-01-01T00:00:00Z"`), "observed-data observed-data--1: last_observed is before first_observed"},
		{"number_observed zero", od(times + `, "number_observed": 0`), "observed-data observed-data--1: number_observed must be an integer from 1 to 2147483647"},
		{"number_observed fraction", od(times + `, "number_observed": 1.5`), "observed-data observed-data--1: number_observed must be an integer from 1 to 2147483647"},
		{"number_observed string", od(times + `, "number_observed": "2"`), "observed-data observed-data--1: number_observed must be an integer from 1 to 2147483647"},
		{"bundle object", `{"type": "bundle", "objects": [7]}`, "decode observations: object 0 of the bundle is not a JSON object"},
		{"bundle in array", `[{"type": "bundle", "objects": [7]}]`, "bundle 0: decode observations: object 0 of the bundle is not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pattern.ReadObservations(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("ReadObservations succeeded, want %q", tt.want)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestObservationsFromObjectsFloat64(t *testing.T) {
	// Objects decoded without UseNumber carry float64 numbers.
	objs := []map[string]any{
		{"type": "observed-data", "id": "observed-data--1", "first_observed": "2020-01-01T00:00:00Z", "last_observed": "2020-01-01T00:00:00Z", "number_observed": float64(3), "object_refs": []any{"x--1", "x--missing"}},
		{"type": "x", "id": "x--1", "n": float64(42)},
	}
	obs, err := pattern.ObservationsFromObjects(objs)
	if err != nil {
		t.Fatal(err)
	}
	want := []summary{{"observed-data--1", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", 3, []string{"x--1"}}}
	if diff := cmp.Diff(want, summarize(obs)); diff != "" {
		t.Errorf("observations (-want +got):\n%s", diff)
	}
	if ok, err := MustParse(t, "[x:n = 42] REPEATS 3 TIMES").Matches(obs); !ok || err != nil {
		t.Errorf("Matches = %v, %v; want true", ok, err)
	}
}
