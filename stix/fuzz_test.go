package stix_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/stix"
)

// fuzzSeeds are small inputs that reach the corners of the decoder.
var fuzzSeeds = []string{
	``, `{}`, `[]`, `{"type":"indicator"}`, withValue(`"\ud83d\ude00"`), withValue(`1e999`),
	withValue(`{"a":{"b":[true,false,null]}}`), `{"type":"x-test","type":"x"}`, nested(64), nested(65),
	"{\"type\":\"x-test\",\"id\":\"x-test--" + uuid + "\",\"x_s\":\"\xff\"}",
}

// FuzzParse checks that Parse never panics and always returns a
// *ValidationError; that it refuses what encoding/json refuses; that what it
// accepts it decodes as encoding/json does; and that an accepted object,
// encoded again by encoding/json, is accepted again with the same content.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{examplesDir, "testdata/valid"} {
		for _, s := range mustReadObjects(f, dir) {
			f.Add([]byte(s.raw))
		}
	}
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		obj, err := stix.Parse(data)
		if err != nil {
			var verr *stix.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("error %v is a %T, not a *stix.ValidationError", err, err)
			}
			if !json.Valid(data) && verr.Property != "" {
				t.Fatalf("invalid JSON reported as a property problem: %v", err)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("Parse accepted invalid JSON %q", data)
		}
		// reflect.DeepEqual, not cmp.Diff: cmp takes exponential time on
		// the deeply nested lists the fuzzer builds.
		if want := mustDecode(t, data); !reflect.DeepEqual(want, obj.Props) {
			t.Fatalf("Props differ from encoding/json:\n got %#v\nwant %#v", obj.Props, want)
		}
		if obj.Type != obj.Props["type"] || obj.ID != obj.Props["id"] {
			t.Fatalf("Type %q and ID %q do not match Props", obj.Type, obj.ID)
		}
		again, err := stix.Parse(mustEncode(t, obj.Props))
		if err != nil {
			t.Fatalf("the re-encoded object is refused: %v", err)
		}
		if !reflect.DeepEqual(obj.Props, again.Props) {
			t.Fatalf("re-encoded Props differ:\n got %#v\nwant %#v", again.Props, obj.Props)
		}
	})
}

// FuzzParseBundle checks that ParseBundle never panics; that it refuses
// what encoding/json refuses; and that what it accepts yields the objects
// encoding/json finds, byte for byte.
func FuzzParseBundle(f *testing.F) {
	for _, dir := range []string{examplesDir, "testdata/valid"} {
		for _, file := range jsonFiles(f, dir) {
			if data := mustReadFile(f, file); len(data) < 20000 {
				f.Add(data)
			}
		}
	}
	obj := withValue("1")
	for _, s := range []string{
		`{"type":"bundle","id":` + bundleID + `,"objects":[` + obj + `,` + obj + `]}`,
		`{"type":"bundle","id":` + bundleID + `,"objects":[]}`,
		`{"type":"bundle","id":` + bundleID + `,"objects":[1,"a",null]}`,
		`{"type":"bundle","id":` + bundleID + `,"objects":{}}`,
		`{"type":"bundle","id":` + bundleID + `,"type":"bundle"}`,
		`{"type":"bundle"}`, `[]`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objects, err := stix.ParseBundle(data)
		if err != nil {
			var verr *stix.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("error %v is a %T, not a *stix.ValidationError", err, err)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("ParseBundle accepted invalid JSON %q", data)
		}
		var want struct{ Objects []json.RawMessage }
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		if len(objects) != len(want.Objects) {
			t.Fatalf("%d objects, encoding/json finds %d", len(objects), len(want.Objects))
		}
		for i, o := range objects {
			if !bytes.Equal(o, want.Objects[i]) || !strings.HasPrefix(string(o), "{") {
				t.Fatalf("objects[%d] = %q, encoding/json finds %q", i, o, want.Objects[i])
			}
		}
	})
}
