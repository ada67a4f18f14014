package stix_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vigie-cti/vigie/stix"
)

// TestParseObject checks the indexed properties Parse extracts, and the
// TAXII version.
func TestParseObject(t *testing.T) {
	tests := []struct {
		name        string
		input       string
		want        stix.Object
		wantVersion string
	}{
		{
			name:  "SDO",
			input: `{"type":"indicator","spec_version":"2.1","id":"indicator--` + uuid + `","created":"2016-05-12T08:17:27.000Z","modified":"2016-05-13T08:17:27.12345Z","created_by_ref":"identity--` + uuid + `","object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],"revoked":true,"pattern":"[file:name = 'a']","pattern_type":"stix","valid_from":"2016-05-12T08:17:27Z"}`,
			want: stix.Object{
				Type: "indicator", ID: "indicator--" + uuid, SpecVersion: "2.1",
				Created:           time.Date(2016, 5, 12, 8, 17, 27, 0, time.UTC),
				Modified:          time.Date(2016, 5, 13, 8, 17, 27, 123_450_000, time.UTC),
				CreatedByRef:      "identity--" + uuid,
				ObjectMarkingRefs: []string{"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"},
				Revoked:           true,
			},
			wantVersion: "2016-05-13T08:17:27.12345Z",
		},
		{
			name:        "SCO without spec_version",
			input:       `{"type":"ipv4-addr","id":"ipv4-addr--` + uuid + `","value":"198.51.100.3"}`,
			want:        stix.Object{Type: "ipv4-addr", ID: "ipv4-addr--" + uuid},
			wantVersion: "",
		},
		{
			name:        "marking definition",
			input:       `{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--` + uuid + `","created":"2017-01-20T00:00:00Z","modified":"2018-01-20T00:00:00Z","definition_type":"statement","definition":{"statement":"Copyright ACME"}}`,
			want:        stix.Object{Type: "marking-definition", ID: "marking-definition--" + uuid, SpecVersion: "2.1", Created: time.Date(2017, 1, 20, 0, 0, 0, 0, time.UTC)},
			wantVersion: "2017-01-20T00:00:00Z", // not versioned: a custom "modified" does not count
		},
		{
			name:        "custom SDO",
			input:       `{"type":"x-acme-asset","spec_version":"2.1","id":"x-acme-asset--` + uuid + `","created":"2016-05-12T08:17:27.000Z","modified":"2016-05-12T08:17:27.000Z","x_acme_owner":"finance"}`,
			want:        stix.Object{Type: "x-acme-asset", ID: "x-acme-asset--" + uuid, SpecVersion: "2.1", Created: time.Date(2016, 5, 12, 8, 17, 27, 0, time.UTC), Modified: time.Date(2016, 5, 12, 8, 17, 27, 0, time.UTC)},
			wantVersion: "2016-05-12T08:17:27.000Z",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := stix.Parse([]byte(tt.input))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, *got, cmpopts.IgnoreFields(stix.Object{}, "Props")); diff != "" {
				t.Errorf("Object (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(mustDecode(t, []byte(tt.input)), got.Props); diff != "" {
				t.Errorf("Props (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantVersion, got.Version()); diff != "" {
				t.Errorf("Version (-want +got):\n%s", diff)
			}
		})
	}
}

// TestValidateFloatNumbers checks that Validate accepts the corpora decoded
// by encoding/json without UseNumber (numbers as float64), and rejects the
// same range errors.
func TestValidateFloatNumbers(t *testing.T) {
	for _, dir := range []string{examplesDir, "testdata/valid"} {
		for _, s := range mustReadObjects(t, dir) {
			var m map[string]any
			if err := json.Unmarshal(s.raw, &m); err != nil {
				t.Fatal(err)
			}
			if err := stix.Validate(m); err != nil {
				t.Errorf("%s: %v", s.source, err)
			}
		}
	}
	tests := []struct {
		name  string
		value any
		ok    bool
	}{
		{"float64 whole", float64(50), true},
		{"float64 fraction", 50.5, false},
		{"float64 too big", 101.0, false},
		{"int", 7, true},
		{"int64", int64(100), true},
		{"uint8", uint8(0), true},
		{"int too big", 1 << 60, false},
		{"string", "50", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := map[string]any{
				"type": "course-of-action", "spec_version": "2.1", "id": "course-of-action--" + uuid,
				"created": "2016-05-12T08:17:27.000Z", "modified": "2016-05-12T08:17:27.000Z",
				"name": "Patch", "confidence": tt.value,
			}
			if err := stix.Validate(obj); (err == nil) != tt.ok {
				t.Errorf("Validate with confidence %#v: %v", tt.value, err)
			}
		})
	}
}

// TestValidationErrorMessage pins the format of Error.
func TestValidationErrorMessage(t *testing.T) {
	tests := []struct {
		err  stix.ValidationError
		want string
	}{
		{stix.ValidationError{Property: "pattern_type", Message: "required by indicator"}, `property "pattern_type": required by indicator`},
		{stix.ValidationError{Property: "external_references[2].source_name", Message: "required by external-reference"}, `property "external_references[2].source_name": required by external-reference`},
		{stix.ValidationError{Message: "invalid JSON at line 1, column 1: expected a JSON object, found a list"}, "invalid JSON at line 1, column 1: expected a JSON object, found a list"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.err.Error()); diff != "" {
			t.Errorf("Error (-want +got):\n%s", diff)
		}
	}
}
