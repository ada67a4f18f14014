package pattern_test

import (
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/pattern"
)

// The tests of this file pin the choices where the specification leaves
// room and vigie follows the OASIS reference matcher (cti-pattern-matcher,
// its test-suite read as a description of behaviour).

// refCase is a pattern and whether it matches.
type refCase struct {
	pattern string
	want    bool
}

func runRefCases(t *testing.T, obs []pattern.Observation, tests []refCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			got, err := MustParse(t, tt.pattern).Matches(obs)
			if err != nil {
				t.Fatalf("Matches: %v", err)
			}
			if got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
		})
	}
}

// oneObject is one observed-data about one object, given as JSON members
// after its type and id.
func oneObject(typ, members string) string {
	return `{"type": "bundle", "id": "bundle--1", "objects": [
 {"type": "observed-data", "id": "observed-data--1", "first_observed": "2021-03-04T05:06:07Z",
  "last_observed": "2021-03-04T05:06:07Z", "number_observed": 1, "object_refs": ["` + typ + `--1"]},
 {"type": "` + typ + `", "id": "` + typ + `--1", ` + members + `}
]}`
}

// The same text, "é" then "x" then U+0301 over "o" then U+0327 under "c",
// in three forms: composed (NFC), decomposed (NFD), and mixed.
const (
	textNFC   = "caf\u00e9 \u00f3 \u00e7a"
	textNFD   = "cafe\u0301 o\u0301 c\u0327a"
	textMixed = "caf\u00e9 o\u0301 \u00e7a"
)

func TestNormalisationLikeMatches(t *testing.T) {
	obs := MustObservations(t, oneObject("x-text",
		`"nfc": "`+textNFC+`", "nfd": "`+textNFD+`", "mixed": "`+textMixed+`", "ascii": "cafe"`))
	forms := []string{textNFC, textNFD, textMixed}
	var tests []refCase
	for _, prop := range []string{"nfc", "nfd", "mixed"} {
		p := "[x-text:" + prop
		tests = append(tests,
			refCase{p + " LIKE 'caf_ %']", true}, // _ is one character, composed or not
			refCase{p + " MATCHES '^caf. ']", true},
		)
		for _, lit := range forms {
			tests = append(tests,
				// LIKE and MATCHES compare the NFC forms of both sides.
				refCase{p + " LIKE '" + lit + "']", true},
				refCase{p + " LIKE '%" + lit[len("caf"):] + "']", true},
				refCase{p + " NOT LIKE '" + lit + "']", false},
				refCase{p + " MATCHES '^" + lit + "$']", true},
				refCase{p + " NOT MATCHES '" + lit + "']", false},
			)
		}
	}
	// "=", "!=" and IN compare code points, as the reference matcher does.
	tests = append(tests,
		refCase{"[x-text:nfc = '" + textNFC + "']", true},
		refCase{"[x-text:nfd = '" + textNFC + "']", false},
		refCase{"[x-text:nfd != '" + textNFC + "']", true},
		refCase{"[x-text:mixed != '" + textMixed + "']", false},
		refCase{"[x-text:nfd IN ('" + textNFC + "', 'x')]", false},
		refCase{"[x-text:nfd IN ('" + textNFD + "', 'x')]", true},
		// Unchanged for ASCII, and a different text still differs.
		refCase{"[x-text:ascii LIKE 'caf%']", true},
		refCase{"[x-text:nfd LIKE 'cafe']", false},
		refCase{"[x-text:nfd MATCHES '^cafe ']", false},
	)
	runRefCases(t, obs, tests)
}

func TestBinaryLikeMatches(t *testing.T) {
	// "hello" as base64 and hex, bytes 00 ff 41 as hex, "hello" written as
	// a plain string, a binary property that does not decode, and "hello"
	// with a character above U+00FF.
	obs := MustObservations(t, oneObject("x-bin",
		`"word_bin": "aGVsbG8=", "word_hex": "68656c6c6f", "raw_hex": "00ff41", "word": "hello",
		 "bad_bin": "***", "wide": "h\u0115llo"`))
	runRefCases(t, obs, []refCase{
		// LIKE on a binary property applies to its decoded bytes.
		{"[x-bin:word_bin LIKE 'hello']", true},
		{"[x-bin:word_bin LIKE 'he%']", true},
		{"[x-bin:word_hex LIKE '%ll_']", true},
		{"[x-bin:word_hex LIKE 'aGVsbG8=']", false}, // not the encoded text
		{"[x-bin:word_bin LIKE 'h\u0115llo']", false},
		{"[x-bin:word_bin NOT LIKE 'h\u0115llo']", true},
		{"[x-bin:word_bin NOT LIKE 'bye%']", true},
		{"[x-bin:word_bin NOT LIKE 'hello']", false},
		{"[x-bin:raw_hex LIKE '_\u00ffA']", true}, // byte n is U+00nn
		{"[x-bin:bad_bin LIKE '%']", false},
		// MATCHES likewise, with \xNN escapes for bytes.
		{`[x-bin:word_bin MATCHES '^\\x68el+o$']`, true},
		{`[x-bin:word_hex MATCHES 'l[l\\x00]o']`, true},
		{`[x-bin:raw_hex MATCHES '^\\x00\\xffA$']`, true},
		{`[x-bin:raw_hex MATCHES '\\x41$']`, true},
		{"[x-bin:word_bin MATCHES 'h\u0115']", false},
		{"[x-bin:word_bin NOT MATCHES 'h\u0115']", true},
		{"[x-bin:word_hex NOT MATCHES 'ell']", false},
		{"[x-bin:bad_bin MATCHES '']", false},
		// A string property is not decoded.
		{"[x-bin:word LIKE 'hello']", true},
		{"[x-bin:wide LIKE 'hello']", false},
	})
}

func TestNullValue(t *testing.T) {
	obs := MustObservations(t, oneObject("x-null", `"name": null, "list": [null, "a"], "nested": null`))
	runRefCases(t, obs, []refCase{
		// A null is a value of no type: "!=" holds, the other tests fail,
		// NOT negates them.
		{"[x-null:name != 'alice']", true},
		{"[x-null:name != 1]", true},
		{"[x-null:name NOT != 'alice']", false},
		{"[x-null:name = 'alice']", false},
		{"[x-null:name NOT = 'alice']", true},
		{"[x-null:name < 'alice']", false},
		{"[x-null:name NOT >= 5]", true},
		{"[x-null:name IN ('alice', 'bob')]", false},
		{"[x-null:name NOT IN ('alice', 'bob')]", true},
		{"[x-null:name LIKE '%']", false},
		{"[x-null:name NOT LIKE '%']", true},
		{"[x-null:name MATCHES '']", false},
		{"[x-null:name ISSUBSET '10.0.0.0/8']", false},
		{"[x-null:name NOT ISSUPERSET '10.0.0.1']", true},
		// A null list element is a value too.
		{"[x-null:list[0] != 'a']", true},
		{"[x-null:list[*] = 'a']", true},
		{"[x-null:list[1] != 'a']", false},
		// A null does not exist, and a path does not go through it.
		{"[EXISTS x-null:name]", false},
		{"[NOT EXISTS x-null:name]", true},
		{"[x-null:nested.k != 'a']", false},
		{"[x-null:missing != 'a']", false},
	})
}

func TestChainedQualifiers(t *testing.T) {
	a := "[x-e:v = 'a']"
	four := []pattern.Observation{at("a", 0), at("a", 1), at("a", 2), at("a", 3)}
	tests := []struct {
		name    string
		pattern string
		obs     []pattern.Observation
		want    []int // observations of the match found; nil for no match
	}{
		{"REPEATS of REPEATS met", a + " REPEATS 2 TIMES REPEATS 2 TIMES", four, []int{0, 1, 2, 3}},
		{"REPEATS of REPEATS missed", a + " REPEATS 2 TIMES REPEATS 3 TIMES", four, nil},
		{"REPEATS of REPEATS counts number_observed", a + " REPEATS 3 TIMES REPEATS 2 TIMES", []pattern.Observation{obsOf("a", 0, 0, 6)}, []int{0}},
		{"WITHIN of WITHIN, inner binds", a + " REPEATS 2 TIMES WITHIN 10 SECONDS WITHIN 1 SECONDS", []pattern.Observation{at("a", 0), at("a", 5)}, nil},
		{"WITHIN of WITHIN met", a + " REPEATS 2 TIMES WITHIN 1 SECONDS WITHIN 10 SECONDS", []pattern.Observation{at("a", 0), at("a", 1)}, []int{0, 1}},
		{"START STOP of START STOP intersect", a + " START t'2020-01-01T00:00:00Z' STOP t'2020-01-01T00:01:00Z' START t'2020-01-01T00:00:30Z' STOP t'2020-01-01T00:02:00Z'",
			[]pattern.Observation{at("a", 10), at("a", 70)}, nil},
		{"START STOP of START STOP met", a + " START t'2020-01-01T00:00:00Z' STOP t'2020-01-01T00:01:00Z' START t'2020-01-01T00:00:30Z' STOP t'2020-01-01T00:02:00Z'",
			[]pattern.Observation{at("a", 10), at("a", 40)}, []int{1}},
		{"REPEATS of REPEATS WITHIN", "(" + a + " REPEATS 2 TIMES WITHIN 1 SECONDS) REPEATS 2 TIMES", []pattern.Observation{at("a", 0), at("a", 5), at("a", 1), at("a", 6)}, []int{0, 1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := MustParse(t, tt.pattern).Match(tt.obs)
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if tt.want == nil {
				if r.Matched {
					t.Errorf("matched %v, want no match", r.Observations)
				}
				return
			}
			if !r.Matched || !equalInts(r.Observations, tt.want) {
				t.Errorf("Match = %v %v, want %v", r.Matched, r.Observations, tt.want)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestEmptyStartStopWindow(t *testing.T) {
	a := "[x-e:v = 'a']"
	// Observations at, around and across the instant of the windows.
	obs := []pattern.Observation{at("a", 0), at("a", 60), obsOf("a", -100, 200, 1), at("a", 120)}
	tests := []struct {
		name    string
		pattern string
	}{
		{"empty", a + " START t'2020-01-01T00:01:00Z' STOP t'2020-01-01T00:01:00Z'"},
		{"inverted", a + " START t'2020-01-01T00:02:00Z' STOP t'2020-01-01T00:00:00Z'"},
		{"inverted under OR", "(" + a + " START t'2020-01-01T00:02:00Z' STOP t'2020-01-01T00:00:00Z') OR [x-e:v = 'none']"},
		{"inverted under AND", a + " AND (" + a + " START t'2020-01-01T00:02:00Z' STOP t'2020-01-01T00:00:00Z')"},
		{"inverted on REPEATS", a + " REPEATS 2 TIMES START t'2020-01-01T00:02:00Z' STOP t'2020-01-01T00:00:00Z'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, warnings, err := pattern.Check(tt.pattern)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			found := false
			for _, w := range warnings {
				found = found || strings.Contains(w.Msg, "the window is empty")
			}
			if !found {
				t.Errorf("warnings %v, want one about the empty window", warnings)
			}
			r, err := p.Match(obs)
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if r.Matched {
				t.Errorf("matched %v, want no match", r.Observations)
			}
		})
	}
	// A window with room in it draws no warning.
	_, warnings, err := pattern.Check(a + " START t'2020-01-01T00:00:00Z' STOP t'2020-01-01T00:00:00.001Z'")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range warnings {
		if strings.Contains(w.Msg, "window") {
			t.Errorf("Check of a 1 ms window warns %q", w.Msg)
		}
	}
}
