package stix_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/stix"
)

// schemaRequired returns the properties the official JSON schema of a type
// requires: its "required" arrays, following "allOf" and "$ref" into the
// common cores, plus the properties that every branch of a "oneOf" or
// "anyOf" requires. Conditional requirements ("if", "not") are left out.
func schemaRequired(t *testing.T, file string) map[string]bool {
	t.Helper()
	req := map[string]bool{}
	var walk func(file string, node map[string]any) map[string]bool
	walk = func(file string, node map[string]any) map[string]bool {
		out := map[string]bool{}
		if ref, ok := node["$ref"].(string); ok && !strings.HasPrefix(ref, "#") {
			target := filepath.Join(filepath.Dir(file), ref)
			for k := range walk(target, mustReadSchema(t, target)) {
				out[k] = true
			}
		}
		if list, ok := node["required"].([]any); ok {
			for _, r := range list {
				out[r.(string)] = true
			}
		}
		if all, ok := node["allOf"].([]any); ok {
			for _, sub := range all {
				for k := range walk(file, sub.(map[string]any)) {
					out[k] = true
				}
			}
		}
		for _, kw := range []string{"oneOf", "anyOf"} {
			branches, ok := node[kw].([]any)
			if !ok {
				continue
			}
			var common map[string]bool
			for _, b := range branches {
				got := walk(file, b.(map[string]any))
				if common == nil {
					common = got
					continue
				}
				for k := range common {
					if !got[k] {
						delete(common, k)
					}
				}
			}
			for k := range common {
				out[k] = true
			}
		}
		return out
	}
	for k := range walk(file, mustReadSchema(t, file)) {
		req[k] = true
	}
	return req
}

func mustReadSchema(t *testing.T, file string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return m
}

// schemaFiles maps each type with an official schema to its file.
func schemaFiles(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, dir := range []string{"sdos", "sros", "observables"} {
		matches, err := filepath.Glob(filepath.Join(schemasDir, dir, "*.json"))
		if err != nil || len(matches) == 0 {
			t.Fatalf("no schemas in %s: %v", dir, err)
		}
		for _, f := range matches {
			files[strings.TrimSuffix(filepath.Base(f), ".json")] = f
		}
	}
	for _, name := range []string{"marking-definition", "language-content", "extension-definition"} {
		files[name] = filepath.Join(schemasDir, "common", name+".json")
	}
	return files
}

// specRequired lists what the STIX 2.1 specification requires beyond the
// official schema (which predates the final text on these points).
var specRequired = map[string][]string{
	"extension-definition": {"created_by_ref"},
}

// conditionalError says whether removing property name from the valid
// object o breaks a rule between properties, and which property the error
// then names. Any other property that the schema does not require must be
// removable.
func conditionalError(o map[string]any, name string) (string, bool) {
	has := func(p string) bool { _, ok := o[p]; return ok }
	// A granular marking selects a property that must be present.
	if gms, ok := o["granular_markings"].([]any); ok {
		for i, gm := range gms {
			for j, sel := range gm.(map[string]any)["selectors"].([]any) {
				if first, _, _ := strings.Cut(sel.(string), "."); first == name {
					return "granular_markings[" + itoa(i) + "].selectors[" + itoa(j) + "]", true
				}
			}
		}
	}
	switch typ := o["type"].(string); {
	case typ == "malware" && name == "name" && o["is_family"] == true:
		return "name", true
	case typ == "malware-analysis" && name == "analysis_sco_refs" && !has("result"):
		return "", true
	case typ == "observed-data" && (name == "object_refs" || name == "objects"):
		return "object_refs", true
	case typ == "location" && (name == "latitude" || name == "longitude"):
		return name, true
	case typ == "location" && (name == "region" || name == "country") && !has("latitude") && !(has("region") && has("country")):
		return "", true
	case typ == "artifact" && (name == "payload_bin" || name == "url"):
		return "payload_bin", true
	case typ == "artifact" && name == "hashes" && has("url"):
		return "hashes", true
	case typ == "artifact" && name == "encryption_algorithm" && has("decryption_key"):
		return "decryption_key", true
	case typ == "file" && (name == "name" && !has("hashes") || name == "hashes" && !has("name")):
		return "", true
	case typ == "network-traffic" && (name == "src_ref" && !has("dst_ref") || name == "dst_ref" && !has("src_ref")):
		return "", true
	case typ == "process" && !scoCommon[name] && len(o)-countPresent(o, "type", "id", "spec_version", "defanged", "object_marking_refs", "granular_markings") == 1:
		return "", true // its only property
	case typ == "marking-definition":
		label, _ := o["name"].(string)
		tlp1 := map[string]bool{"TLP:WHITE": true, "TLP:GREEN": true, "TLP:AMBER": true, "TLP:RED": true}[label]
		switch {
		case name == "extensions":
			return "definition_type", true // then the definition is required
		case name == "definition" || name == "definition_type":
			return name, true
		case name == "name" && tlp1 && o["definition_type"] == "tlp":
			return "name", true
		}
	}
	return "", false
}

// scoCommon names the common properties of SCOs but extensions.
var scoCommon = map[string]bool{"type": true, "id": true, "spec_version": true, "defanged": true, "object_marking_refs": true, "granular_markings": true}

func countPresent(o map[string]any, names ...string) int {
	n := 0
	for _, name := range names {
		if _, ok := o[name]; ok {
			n++
		}
	}
	return n
}

// TestRequiredPropertiesMatchSchemas removes, one at a time, every property
// of every object of the corpora. Removing a property that the official
// schema (or, where noted, the spec) requires must fail and name that
// property; removing any other must pass, except for the rules between
// properties listed in conditional. Every schema-required property must
// occur in the corpora, so that each one is exercised.
func TestRequiredPropertiesMatchSchemas(t *testing.T) {
	files := schemaFiles(t)
	required := map[string]map[string]bool{}
	for typ, f := range files {
		required[typ] = schemaRequired(t, f)
		for _, p := range specRequired[typ] {
			required[typ][p] = true
		}
	}
	exercised := map[string]map[string]bool{}
	checked := 0
	for _, dir := range []string{examplesDir, "testdata/valid"} {
		for _, s := range mustReadObjects(t, dir) {
			obj := mustDecode(t, s.raw)
			typ := obj["type"].(string)
			req, defined := required[typ]
			if !defined {
				continue // custom types: only common properties
			}
			if exercised[typ] == nil {
				exercised[typ] = map[string]bool{}
			}
			for name := range obj {
				checked++
				exercised[typ][name] = true
				clone := mustDecode(t, s.raw)
				delete(clone, name)
				err := stix.Validate(clone)
				var verr *stix.ValidationError
				switch want, isCond := conditionalError(obj, name); {
				case req[name]:
					if !errors.As(err, &verr) || verr.Property != name || !strings.Contains(verr.Message, "required") {
						t.Errorf("%s: without %q: got %v, want property %q required", s.source, name, err, name)
					}
				case isCond:
					if !errors.As(err, &verr) || verr.Property != want {
						t.Errorf("%s: without %q: got %v, want an error naming %q", s.source, name, err, want)
					}
				case err != nil:
					t.Errorf("%s: without optional %q: %v", s.source, name, err)
				}
			}
		}
	}
	var missing []string
	for typ, req := range required {
		for p := range req {
			if !exercised[typ][p] {
				missing = append(missing, typ+"."+p)
			}
		}
	}
	sort.Strings(missing)
	if diff := cmp.Diff([]string(nil), missing); diff != "" {
		t.Errorf("schema-required properties absent from the corpora (-want +got):\n%s", diff)
	}
	t.Logf("%d types, %d property removals checked", len(required), checked)
}

// TestSchemaRequiredLists pins what the schema walker reads, so that a
// change in the walker or the schemas is noticed.
func TestSchemaRequiredLists(t *testing.T) {
	files := schemaFiles(t)
	sdoCore := []string{"created", "id", "modified", "spec_version", "type"}
	tests := []struct {
		typ  string
		want []string
	}{
		{"indicator", append([]string{"pattern", "pattern_type", "valid_from"}, sdoCore...)},
		{"malware", append([]string{"is_family"}, sdoCore...)},
		{"report", append([]string{"name", "object_refs", "published"}, sdoCore...)},
		{"relationship", append([]string{"relationship_type", "source_ref", "target_ref"}, sdoCore...)},
		{"sighting", append([]string{"sighting_of_ref"}, sdoCore...)},
		{"observed-data", append([]string{"first_observed", "last_observed", "number_observed"}, sdoCore...)},
		{"location", sdoCore},
		{"email-message", []string{"id", "is_multipart", "type"}},
		{"artifact", []string{"id", "type"}},
		{"network-traffic", []string{"id", "protocols", "type"}},
		{"marking-definition", []string{"created", "id", "spec_version", "type"}},
		{"language-content", append([]string{"contents", "object_ref"}, sdoCore...)},
		{"extension-definition", append([]string{"extension_types", "name", "schema", "version"}, sdoCore...)},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			var got []string
			for k := range schemaRequired(t, files[tt.typ]) {
				got = append(got, k)
			}
			sort.Strings(got)
			want := append([]string(nil), tt.want...)
			sort.Strings(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("required (-want +got):\n%s", diff)
			}
		})
	}
}
