package stix_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/stix"
)

// minimal is a valid custom object whose property x_value the cases
// replace to test the JSON layer without the STIX rules getting in the way.
const minimal = `{"type":"x-test","id":"x-test--` + uuid + `","x_value":%s}`

func withValue(v string) string { return strings.Replace(minimal, "%s", v, 1) }

// nested returns depth levels of nesting: the object itself and depth-1
// lists around a number in x_value.
func nested(depth int) string {
	return withValue(strings.Repeat("[", depth-1) + "1" + strings.Repeat("]", depth-1))
}

// TestParseMalformedJSON checks that input which is not one well-formed
// JSON object gets a message that says where and what is wrong.
func TestParseMalformedJSON(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string // the whole message
	}{
		{"empty", "", "empty input: expected a JSON object"},
		{"white space only", " \n\t", "the input has only white space: expected a JSON object"},
		{"not JSON", "hello", `invalid JSON at line 1, column 1: expected a JSON object, found 'h'`},
		{"list", `[{"type":"indicator"}]`, "invalid JSON at line 1, column 1: expected a JSON object, found a list"},
		{"string", `"indicator"`, "invalid JSON at line 1, column 1: expected a JSON object, found a string"},
		{"number", `42`, "invalid JSON at line 1, column 1: expected a JSON object, found a number"},
		{"null", `null`, "invalid JSON at line 1, column 1: expected a JSON object, found null"},
		{"boolean", `true`, "invalid JSON at line 1, column 1: expected a JSON object, found a boolean"},
		{"byte order mark", "\xEF\xBB\xBF{}", "invalid JSON at line 1, column 1: the input starts with a UTF-8 byte order mark; send the JSON without it"},
		{"truncated object", `{"type": "indicator"`, "invalid JSON at line 1, column 21: unexpected end of input: the object opened at line 1, column 1 is not closed"},
		{"truncated after colon", `{"type":`, "invalid JSON at line 1, column 9: unexpected end of input: expected a value"},
		{"truncated string", `{"type": "indic`, `invalid JSON at line 1, column 10: unterminated string: the closing '"' is missing`},
		{"truncated list", withValue(`[1, 2`)[:len(withValue(`[1, 2`))-1], "unexpected end of input: the list opened at line 1, column 80 is not closed"},
		{"trailing garbage", withValue("1") + " x", "invalid JSON at line 1, column 83: unexpected 'x' after the end of the JSON object; send one object at a time, or a bundle"},
		{"two objects", withValue("1") + "{}", "unexpected '{' after the end of the JSON object"},
		{"trailing comma in object", `{"type":"x-test",}`, `invalid JSON at line 1, column 18: expected a property name after ','; trailing commas are not allowed`},
		{"trailing comma in list", withValue("[1,]"), "expected a value after ','; trailing commas are not allowed"},
		{"missing comma", `{"type":"x-test" "id":"x"}`, `invalid JSON at line 1, column 18: expected ',' or '}' after a property value, found '"'`},
		{"missing colon", `{"type" "x-test"}`, `invalid JSON at line 1, column 9: expected ':' after the property name "type", found '"'`},
		{"single quotes", `{'type':'x-test'}`, "invalid JSON at line 1, column 2: expected a property name in double quotes, found '\\'' (names must be in double quotes)"},
		{"unquoted name", `{type:"x-test"}`, "expected a property name in double quotes, found 't' (names must be in double quotes)"},
		{"single-quoted value", `{"type":'x-test'}`, "invalid JSON at line 1, column 9: expected a JSON value, found '\\'' (strings must be in double quotes)"},
		{"missing value", `{"type":}`, "expected a JSON value, found '}' (a value is missing)"},
		{"NaN", withValue("NaN"), "expected a JSON value, found 'N' (the literals are true, false and null, in lower case; strings must be in double quotes)"},
		{"capitalised literal", withValue("True"), "expected a JSON value, found 'T'"},
		{"misspelt literal", withValue("nul"), "invalid literal: expected null"},
		{"leading zero", withValue("01"), "invalid number: numbers must not have leading zeros"},
		{"plus sign", withValue("+1"), "numbers must not start with '+'"},
		{"bare decimal point", withValue(".5"), "numbers need a digit before the decimal point"},
		{"decimal point without digits", withValue("1."), "invalid number: expected a digit after the decimal point"},
		{"exponent without digits", withValue("1e"), "invalid number: expected a digit in the exponent"},
		{"minus alone", withValue("-"), "invalid number: expected a digit after '-'"},
		{"invalid escape", withValue(`"a\qb"`), `invalid escape "\\q" in a string`},
		{"short unicode escape", withValue(`"\u12"`), `\u must be followed by four hexadecimal digits`},
		{"lone high surrogate", withValue(`"\ud800x"`), `\uD800 is a UTF-16 high surrogate without a low surrogate after it`},
		{"lone low surrogate", withValue(`"\udc00"`), `\uDC00 is a lone UTF-16 low surrogate`},
		{"NUL escape", withValue(`"a\u0000"`), "NUL character"},
		{"control character", withValue("\"a\tb\""), `the string contains the control character U+0009; escape it (for example \n or \u0009)`},
		{"newline in string", "{\"type\":\"x\ny\"}", "control character U+000A"},
		{"invalid UTF-8 in string", withValue("\"caf\xe9\""), "the string contains invalid UTF-8 (byte 0xE9); JSON text must be UTF-8"},
		{"invalid UTF-8 in name", "{\"typ\xff\":1}", "invalid UTF-8 (byte 0xFF)"},
		{"invalid UTF-8 outside strings", "{\xff}", "found the byte 0xFF, which is not valid UTF-8"},
		{"duplicate property", `{"type":"x-test","type":"indicator"}`, `invalid JSON at line 1, column 18: duplicate property name "type" in an object; each name may appear only once`},
		{"duplicate nested property", withValue(`{"a":1,"b":2,"a":3}`), `duplicate property name "a" in an object`},
		{"too deep lists", nested(65), "the JSON nesting is deeper than 64 levels"},
		{"too deep objects", withValue(strings.Repeat(`{"a":`, 64) + "1" + strings.Repeat("}", 64)), "the JSON nesting is deeper than 64 levels"},
		{"very deep", withValue(strings.Repeat("[", 100000)), "the JSON nesting is deeper than 64 levels"},
		{"line and column", "{\n  \"type\": \"x-test\",\n  \"id\": x\n}", "invalid JSON at line 3, column 9: expected a JSON value, found 'x'"},
		{"column counts characters", "{\"x_é\": é}", "invalid JSON at line 1, column 9: expected a JSON value, found 'é'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj, err := stix.Parse([]byte(tt.input))
			if err == nil {
				t.Fatalf("Parse accepted %q: %v", tt.input, obj.Props)
			}
			var verr *stix.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("error is %T, want *stix.ValidationError", err)
			}
			if verr.Property != "" {
				t.Errorf("Property = %q, want \"\" for a JSON error", verr.Property)
			}
			if !strings.Contains(verr.Message, tt.want) {
				t.Errorf("message:\n got %s\nwant %s", verr.Message, tt.want)
			}
			if !strings.HasPrefix(verr.Message, "invalid JSON at line ") && !strings.Contains(verr.Message, "input") {
				t.Errorf("message %q does not say where the problem is", verr.Message)
			}
		})
	}
}

// TestParseWellFormedEdges checks JSON that is unusual but valid.
func TestParseWellFormedEdges(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  any // x_value as decoded
	}{
		{"deepest allowed nesting", nested(64), nil},
		{"huge number kept exactly", withValue("123456789012345678901234567890.5e-99999"), json.Number("123456789012345678901234567890.5e-99999")},
		{"negative zero", withValue("-0"), json.Number("-0")},
		{"escapes", withValue(`"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"`), "\"\\/\b\f\n\r\té😀"},
		{"raw UTF-8", withValue(`"Zürich 東京"`), "Zürich 東京"},
		{"white space everywhere", " \r\n\t{ \"type\" : \"x-test\" , \"id\" : \"x-test--" + uuid + "\" , \"x_value\" : [ 1 , { } ] } \n", []any{json.Number("1"), map[string]any{}}},
		{"empty containers", withValue(`{"a":[],"b":{}}`), map[string]any{"a": []any{}, "b": map[string]any{}}},
		{"literals", withValue(`[true,false,null]`), []any{true, false, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj, err := stix.Parse([]byte(tt.input))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if tt.want == nil {
				return
			}
			if diff := cmp.Diff(tt.want, obj.Props["x_value"]); diff != "" {
				t.Errorf("x_value (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseDecodesLikeEncodingJSON checks, on every object of the corpora,
// that Parse decodes exactly what encoding/json decodes with UseNumber.
func TestParseDecodesLikeEncodingJSON(t *testing.T) {
	for _, dir := range []string{examplesDir, "testdata/valid"} {
		for _, s := range mustReadObjects(t, dir) {
			obj, err := stix.Parse(s.raw)
			if err != nil {
				t.Fatalf("%s: %v", s.source, err)
			}
			if diff := cmp.Diff(mustDecode(t, s.raw), obj.Props); diff != "" {
				t.Errorf("%s: Props (-encoding/json +Parse):\n%s", s.source, diff)
			}
		}
	}
}

// TestParseLargeInputs checks inputs whose size would expose quadratic
// work: many properties, a late duplicate among them, long strings.
func TestParseLargeInputs(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"type":"x-test","id":"x-test--` + uuid + `"`)
	for i := range 100_000 {
		b.WriteString(`,"x_p` + itoa(i) + `":1`)
	}
	many := b.String() + "}"
	if _, err := stix.Parse([]byte(many)); err != nil {
		t.Errorf("100000 properties: %v", err)
	}
	lateDuplicate := b.String() + `,"x_p0":2}`
	if _, err := stix.Parse([]byte(lateDuplicate)); err == nil || !strings.Contains(err.Error(), `duplicate property name "x_p0"`) {
		t.Errorf("late duplicate: %v", err)
	}
	bundle := `{"type":"bundle","id":` + bundleID + strings.Replace(b.String()[len(`{"type":"x-test","id":"x-test--`+uuid+`"`):], `"x_p`, `"p`, -1) + `,"p0":1}`
	if _, err := stix.ParseBundle([]byte(bundle)); err == nil || !strings.Contains(err.Error(), `duplicate property name "p0"`) {
		t.Errorf("bundle with a late duplicate: %v", err)
	}
	long := withValue(`"` + strings.Repeat("é", 1_000_000) + `"`)
	if _, err := stix.Parse([]byte(long)); err != nil {
		t.Errorf("long string: %v", err)
	}
}
