package stix_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/stix"
)

// TestParseBundleExamples checks ParseBundle on every bundle of the
// examples and of the valid corpus: it returns the objects encoding/json
// finds, in order, each as the exact text of the object.
func TestParseBundleExamples(t *testing.T) {
	bundles := 0
	for _, f := range append(jsonFiles(t, examplesDir), jsonFiles(t, "testdata/valid")...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var want struct {
			Type    string
			Objects []json.RawMessage
		}
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		if want.Type != "bundle" {
			continue
		}
		bundles++
		got, err := stix.ParseBundle(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(got) != len(want.Objects) {
			t.Fatalf("%s: %d objects, want %d", f, len(got), len(want.Objects))
		}
		for i := range got {
			if diff := cmp.Diff(string(want.Objects[i]), string(got[i])); diff != "" {
				t.Errorf("%s: objects[%d] (-want +got):\n%s", f, i, diff)
			}
		}
	}
	if bundles < 10 {
		t.Fatalf("only %d bundles found", bundles)
	}
}

const bundleID = `"bundle--` + uuid + `"`

// TestParseBundle checks the bundle's own rules and the JSON errors.
func TestParseBundle(t *testing.T) {
	obj := `{"type":"x-test","id":"x-test--` + uuid + `"}`
	tests := []struct {
		name     string
		input    string
		want     []string // the objects
		property string   // of the error, when message is set
		message  string
	}{
		{name: "two objects", input: `{"type":"bundle","id":` + bundleID + `,"objects":[` + obj + `, {"a":[1,{}]}]}`, want: []string{obj, `{"a":[1,{}]}`}},
		{name: "objects first", input: `{"objects":[` + obj + `],"id":` + bundleID + `,"type":"bundle"}`, want: []string{obj}},
		{name: "no objects", input: `{"type":"bundle","id":` + bundleID + `}`},
		{name: "other properties ignored", input: `{"type":"bundle","id":` + bundleID + `,"spec_version":"2.0","x_note":{"a":[1]}}`},
		{name: "white space", input: " {\n \"type\" : \"bundle\" ,\n \"id\" : " + bundleID + " , \"objects\" : [ " + obj + " ] } \n", want: []string{obj}},
		{name: "empty object", input: `{}`, property: "type", message: "required by bundle"},
		{name: "type missing", input: `{"id":` + bundleID + `,"objects":[` + obj + `]}`, property: "type", message: "required by bundle"},
		{name: "not a bundle", input: obj, property: "type", message: `must be "bundle", not "x-test"`},
		{name: "type number", input: `{"type":1,"id":` + bundleID + `}`, property: "type", message: "must be the string \"bundle\", not a number"},
		{name: "id missing", input: `{"type":"bundle"}`, property: "id", message: "required by bundle"},
		{name: "id of another type", input: `{"type":"bundle","id":"report--` + uuid + `"}`, property: "id", message: `must start with "bundle--"`},
		{name: "id bad UUID", input: `{"type":"bundle","id":"bundle--1234"}`, property: "id", message: "UUID"},
		{name: "id number", input: `{"type":"bundle","id":5}`, property: "id", message: "must be an identifier string, not a number"},
		{name: "objects empty", input: `{"type":"bundle","id":` + bundleID + `,"objects":[]}`, property: "objects", message: "must not be an empty list"},
		{name: "objects not a list", input: `{"type":"bundle","id":` + bundleID + `,"objects":{"a":1}}`, property: "objects", message: "must be a list of STIX objects, not an object"},
		{name: "objects item not an object", input: `{"type":"bundle","id":` + bundleID + `,"objects":[` + obj + `,"indicator"]}`, property: "objects[1]", message: "must be a STIX object (a JSON object), not a string"},
		{name: "duplicate objects", input: `{"type":"bundle","id":` + bundleID + `,"objects":[` + obj + `],"objects":[]}`, message: `duplicate property name "objects"`},
		{name: "list", input: `[` + obj + `]`, message: "expected a JSON object, found a list"},
		{name: "empty", input: ``, message: "empty input"},
		{name: "syntax error in an object", input: "{\"type\":\"bundle\",\"id\":" + bundleID + ",\"objects\":[\n{\"type\":\"x\",}]}", message: "invalid JSON at line 2, column 13: expected a property name after ','"},
		{name: "invalid UTF-8 in an object", input: `{"type":"bundle","id":` + bundleID + `,"objects":[{"a":"` + "\xff" + `"}]}`, message: "invalid UTF-8"},
		{name: "truncated", input: `{"type":"bundle","id":` + bundleID + `,"objects":[` + obj, message: "the list of objects is not closed"},
		{name: "trailing comma in objects", input: `{"type":"bundle","id":` + bundleID + `,"objects":[` + obj + `,]}`, message: "trailing commas are not allowed"},
		{name: "trailing data", input: `{"type":"bundle","id":` + bundleID + `} {}`, message: "after the end of the JSON object"},
		{name: "too deep", input: `{"type":"bundle","id":` + bundleID + `,"objects":[{"a":` + strings.Repeat("[", 62) + strings.Repeat("]", 62) + `}]}`, message: "deeper than 64 levels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := stix.ParseBundle([]byte(tt.input))
			if tt.message == "" {
				if err != nil {
					t.Fatalf("ParseBundle: %v", err)
				}
				var gotStrings []string
				for _, o := range got {
					gotStrings = append(gotStrings, string(o))
				}
				if diff := cmp.Diff(tt.want, gotStrings); diff != "" {
					t.Errorf("objects (-want +got):\n%s", diff)
				}
				return
			}
			var verr *stix.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("got %v (%T), want a *stix.ValidationError", err, err)
			}
			if verr.Property != tt.property || !strings.Contains(verr.Message, tt.message) {
				t.Errorf("got property %q, message %q; want property %q, message containing %q", verr.Property, verr.Message, tt.property, tt.message)
			}
		})
	}
}

// TestParseBundleDepthBoundary: an object inside a bundle sits at level 3,
// so it may nest 61 more levels.
func TestParseBundleDepthBoundary(t *testing.T) {
	deepest := `{"type":"bundle","id":` + bundleID + `,"objects":[{"a":` + strings.Repeat("[", 61) + strings.Repeat("]", 61) + `}]}`
	if _, err := stix.ParseBundle([]byte(deepest)); err != nil {
		t.Errorf("64 levels: %v", err)
	}
}
