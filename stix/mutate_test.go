package stix_test

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
)

// mutation changes a decoded object.
type mutation func(tb testing.TB, obj map[string]any)

// set sets the value at path (keys and list indexes separated by "/") to
// the JSON value jsonValue, creating the last key if needed.
func set(path, jsonValue string) mutation {
	return func(tb testing.TB, obj map[string]any) {
		tb.Helper()
		var v any
		dec := json.NewDecoder(strings.NewReader(jsonValue))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			tb.Fatalf("bad test value %s: %v", jsonValue, err)
		}
		parent, last := walkTo(tb, obj, path)
		switch p := parent.(type) {
		case map[string]any:
			p[last] = v
		case []any:
			p[mustIndex(tb, last)] = v
		}
	}
}

// del deletes the key at path.
func del(path string) mutation {
	return func(tb testing.TB, obj map[string]any) {
		tb.Helper()
		parent, last := walkTo(tb, obj, path)
		m, ok := parent.(map[string]any)
		if !ok {
			tb.Fatalf("del %s: parent is not an object", path)
		}
		if _, ok := m[last]; !ok {
			tb.Fatalf("del %s: no such property in the base object", path)
		}
		delete(m, last)
	}
}

// walkTo returns the container of the last element of path, and that
// element's name.
func walkTo(tb testing.TB, obj map[string]any, path string) (any, string) {
	tb.Helper()
	parts := strings.Split(path, "/")
	var cur any = obj
	for _, p := range parts[:len(parts)-1] {
		switch c := cur.(type) {
		case map[string]any:
			next, ok := c[p]
			if !ok {
				tb.Fatalf("path %s: no %q in the base object", path, p)
			}
			cur = next
		case []any:
			cur = c[mustIndex(tb, p)]
		default:
			tb.Fatalf("path %s: %q is inside a scalar", path, p)
		}
	}
	return cur, parts[len(parts)-1]
}

func mustIndex(tb testing.TB, s string) int {
	tb.Helper()
	i, err := strconv.Atoi(s)
	if err != nil {
		tb.Fatalf("bad index %q", s)
	}
	return i
}

// corpusFiles are the valid corpus files, in the order bases are looked up.
var corpusFiles = []string{"every-sdo", "every-sro", "every-sco", "markings", "meta-objects", "custom-content"}

// bases returns a function giving a fresh copy of a valid object of the
// corpus, found by "type" (the first of that type), "type/name", or id.
func bases(tb testing.TB) func(key string) map[string]any {
	tb.Helper()
	var all []json.RawMessage
	for _, f := range corpusFiles {
		data, err := os.ReadFile("testdata/valid/" + f + ".json")
		if err != nil {
			tb.Fatal(err)
		}
		var b struct{ Objects []json.RawMessage }
		if err := json.Unmarshal(data, &b); err != nil {
			tb.Fatal(err)
		}
		all = append(all, b.Objects...)
	}
	return func(key string) map[string]any {
		tb.Helper()
		for _, raw := range all {
			o := mustDecode(tb, raw)
			typ, _ := o["type"].(string)
			name, _ := o["name"].(string)
			if key == typ || key == typ+"/"+name || key == o["id"] {
				return o
			}
		}
		tb.Fatalf("no base object %q in the corpus", key)
		return nil
	}
}
