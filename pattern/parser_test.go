package pattern_test

import (
	"bufio"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/pattern"
)

// specExamples reads the 23 example patterns of the STIX 2.1 specification.
func specExamples(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open("testdata/stix2-patterns/spec_examples.txt")
	if err != nil {
		tb.Fatalf("open spec examples: %v", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// MustParse parses a pattern or fails the test.
func MustParse(tb testing.TB, s string) *pattern.Pattern {
	tb.Helper()
	p, err := pattern.Parse(s)
	if err != nil {
		tb.Fatalf("Parse(%q): %v", s, err)
	}
	return p
}

func TestParseSpecExamplesRoundTrip(t *testing.T) {
	examples := specExamples(t)
	if len(examples) != 23 {
		t.Fatalf("got %d spec examples, want 23", len(examples))
	}
	for _, s := range examples {
		p := MustParse(t, s)
		canonical := p.String()
		again := MustParse(t, canonical)
		if diff := cmp.Diff(canonical, again.String()); diff != "" {
			t.Errorf("canonical form of %q does not round-trip (-want +got):\n%s", s, diff)
		}
	}
}

func TestParseCanonical(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"spacing and ==", "[file:size==1280]", "[file:size = 1280]"},
		{"<> is !=", "[file:size <> 1280]", "[file:size != 1280]"},
		{"all comparison operators", "[a:b = 1 AND a:b != 1 AND a:b < 1 AND a:b <= 1 AND a:b > 1 AND a:b >= 1]", "[a:b = 1 AND a:b != 1 AND a:b < 1 AND a:b <= 1 AND a:b > 1 AND a:b >= 1]"},
		{"NOT operators", "[a:b NOT = 'x' AND a:c NOT IN (1, 2) AND a:d NOT LIKE 'x%' AND a:e NOT MATCHES 'x' AND a:f NOT ISSUBSET '10.0.0.0/8' AND a:g NOT ISSUPERSET '10.0.0.1']", "[a:b NOT = 'x' AND a:c NOT IN (1, 2) AND a:d NOT LIKE 'x%' AND a:e NOT MATCHES 'x' AND a:f NOT ISSUBSET '10.0.0.0/8' AND a:g NOT ISSUPERSET '10.0.0.1']"},
		{"exists", "[EXISTS a:b OR NOT EXISTS a:c]", "[EXISTS a:b OR NOT EXISTS a:c]"},
		{"IN without spaces", "[network-traffic:dst_port IN(443,6443,8443)]", "[network-traffic:dst_port IN (443, 6443, 8443)]"},
		{"empty set", "[a:b IN ()]", "[a:b IN ()]"},
		{"numbers", "[a:b = +5 OR a:b = -5 OR a:b = 0 OR a:b = -0 OR a:b = .5 OR a:b = -1.25 OR a:b = 7.0]", "[a:b = 5 OR a:b = -5 OR a:b = 0 OR a:b = 0 OR a:b = 0.5 OR a:b = -1.25 OR a:b = 7.0]"},
		{"booleans", "[a:b = true OR a:b != false]", "[a:b = true OR a:b != false]"},
		{"binary and hex", "[a:b_bin = b'AQIDBA==' AND a:c_hex = h'FFD8']", "[a:b_bin = b'AQIDBA==' AND a:c_hex = h'ffd8']"},
		{"empty hex", "[a:b_hex = h'']", "[a:b_hex = h'']"},
		{"timestamps", "[a:b = t'2014-01-13T07:03:17.000Z' AND a:c > t'2016-06-01T01:30:00.123Z']", "[a:b = t'2014-01-13T07:03:17Z' AND a:c > t'2016-06-01T01:30:00.123Z']"},
		{"leap second", "[a:b = t'2016-12-31T23:59:60Z']", "[a:b = t'2017-01-01T00:00:00Z']"},
		{"string escapes", `[a:b = 'it\'s a \\ backslash']`, `[a:b = 'it\'s a \\ backslash']`},
		{"quoted properties", "[file:'hashes'.'SHA-256' = 'x' AND x:'a b'.'AND' = 1 AND x:'_ok'.'h' = 1]", "[file:hashes.'SHA-256' = 'x' AND x:'a b'.'AND' = 1 AND x:_ok.h = 1]"},
		{"list steps", "[a:b[0].c[*].d[-1] = 1]", "[a:b[0].c[*].d[-1] = 1]"},
		{"custom type", "[x-usb-device:usbdrive.serial_number = '5758']", "[x-usb-device:usbdrive.serial_number = '5758']"},
		{"comments and whitespace", "/* c */ [ a:b /* x */ = 1 ] // end\n", "[a:b = 1]"},
		{"unicode whitespace", "[a:b\u00a0=\u30001]", "[a:b = 1]"},
		{"MATCHES glued to string", "[a:b MATCHES'^x$']", "[a:b MATCHES '^x$']"},
		{"comparison precedence", "[a:b = 1 OR a:c = 2 AND a:d = 3]", "[a:b = 1 OR a:c = 2 AND a:d = 3]"},
		{"comparison parentheses kept", "[(a:b = 1 OR a:c = 2) AND a:d = 3]", "[(a:b = 1 OR a:c = 2) AND a:d = 3]"},
		{"comparison parentheses dropped", "[((a:b = 1)) AND (a:c = 2 AND a:d = 3)]", "[a:b = 1 AND a:c = 2 AND a:d = 3]"},
		{"observation precedence", "[a:b = 1] AND [a:b = 2] OR [a:b = 3] FOLLOWEDBY [a:b = 4]", "[a:b = 1] AND [a:b = 2] OR [a:b = 3] FOLLOWEDBY [a:b = 4]"},
		{"observation parentheses kept", "([a:b = 1] OR [a:b = 2]) AND [a:b = 3]", "([a:b = 1] OR [a:b = 2]) AND [a:b = 3]"},
		{"followedby left nesting", "([a:b = 1] FOLLOWEDBY [a:b = 2]) FOLLOWEDBY [a:b = 3]", "[a:b = 1] FOLLOWEDBY [a:b = 2] FOLLOWEDBY [a:b = 3]"},
		{"followedby right nesting", "[a:b = 1] FOLLOWEDBY ([a:b = 2] FOLLOWEDBY [a:b = 3])", "[a:b = 1] FOLLOWEDBY [a:b = 2] FOLLOWEDBY [a:b = 3]"},
		{"within int and float", "[a:b = 1] WITHIN 300 SECONDS OR [a:b = 2] WITHIN 1.5 SECONDS", "[a:b = 1] WITHIN 300 SECONDS OR [a:b = 2] WITHIN 1.5 SECONDS"},
		{"qualifier chain", "[a:b = 1] REPEATS 5 TIMES WITHIN 1800 SECONDS", "[a:b = 1] REPEATS 5 TIMES WITHIN 1800 SECONDS"},
		{"qualifier on group", "([a:b = 1] AND [a:b = 2]) WITHIN 5 SECONDS", "([a:b = 1] AND [a:b = 2]) WITHIN 5 SECONDS"},
		{"qualifier binds tighter than AND", "[a:b = 1] AND [a:b = 2] WITHIN 5 SECONDS", "[a:b = 1] AND [a:b = 2] WITHIN 5 SECONDS"},
		{"same qualifier twice with parentheses", "([a:b = 1] WITHIN 5 SECONDS) WITHIN 6 SECONDS", "([a:b = 1] WITHIN 5 SECONDS) WITHIN 6 SECONDS"},
		{"same qualifier chained", "[a:b = 'x'] WITHIN 5 SECONDS WITHIN 6 SECONDS", "([a:b = 'x'] WITHIN 5 SECONDS) WITHIN 6 SECONDS"},
		{"repeats chained", "([a:b = 'x'] REPEATS 2 TIMES REPEATS 3 TIMES)", "([a:b = 'x'] REPEATS 2 TIMES) REPEATS 3 TIMES"},
		{"start stop chained", "[a:b = 'x'] START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T02:20:00Z' START t'2016-06-01T01:40:00Z' STOP t'2016-06-01T02:00:00Z'", "([a:b = 'x'] START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T02:20:00Z') START t'2016-06-01T01:40:00Z' STOP t'2016-06-01T02:00:00Z'"},
		{"start stop inverted", "[a:b = 'x'] START t'2016-06-01T02:00:00Z' STOP t'2016-06-01T01:00:00Z'", "[a:b = 'x'] START t'2016-06-01T02:00:00Z' STOP t'2016-06-01T01:00:00Z'"},
		{"start stop", "[a:b = 1] START t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z'", "[a:b = 1] START t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z'"},
		{"redundant parentheses", "(([a:b = 1]))", "[a:b = 1]"},
		{"keyword-like identifiers", "[ANDROID:ORACLE = 1]", "[ANDROID:ORACLE = 1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := MustParse(t, tt.in)
			if diff := cmp.Diff(tt.want, p.String()); diff != "" {
				t.Errorf("String() (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, MustParse(t, p.String()).String()); diff != "" {
				t.Errorf("canonical form does not round-trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "1:1: expected '[' or '(', found end of pattern"},
		{"missing brackets", "file:size = 1280", `1:1: expected '[' or '(', found identifier "file"`},
		{"missing value", "[file:size = ]", `1:14: expected literal, found "]"`},
		{"unquoted string", "[file:hashes.MD5 = cead3f77f6cda6ec00f57d76c9a6879f]", `1:20: expected literal, found identifier "cead3f77f6cda6ec00f57d76c9a6879f" (strings are written in single quotes)`},
		{"dot instead of colon", "[file.size = 1280]", `1:6: expected ':', found "."`},
		{"regex slashes", "[file:name MATCHES /.*\\.dll/]", "1:20: unexpected character '/'"},
		{"missing within value", "[a:b = 'x'] WITHIN ]", `1:20: expected positive number of seconds, found "]"`},
		{"hours", "[a:b = 'x'] WITHIN 5 HOURS", `1:22: expected SECONDS, found identifier "HOURS"`},
		{"negative within", "[a:b = 'x'] WITHIN -5 SECONDS", "1:20: WITHIN needs a positive number of seconds, found -5"},
		{"within zero", "[a:b = 'x'] WITHIN 0 SECONDS", "1:20: WITHIN needs a positive number of seconds, found 0"},
		{"within zero float", "[a:b = 'x'] WITHIN 0.0 SECONDS", "1:20: WITHIN needs a positive number of seconds, found 0.0"},
		{"repeats zero", "[a:b = 'x'] REPEATS 0 TIMES", "1:21: REPEATS needs a count of at least 1, found 0"},
		{"repeats float", "[a:b = 'x'] REPEATS 1.5 TIMES", `1:21: expected positive integer, found "1.5"`},
		{"repeats over limit", "[a:b = 'x'] REPEATS 1001 TIMES", "1:21: REPEATS count 1001 is above the limit of 1000"},
		{"missing subset operand", "[network-traffic:dst_ref.value ISSUBSET ]", `1:41: expected string literal, found "]"`},
		{"bad operator", "[file:hashes.MD5 =? 'x']", "1:19: unexpected character '?'"},
		{"bad timestamp", "[x_whatever:detected == t'2457-73-22T32:81:84.1Z']", "1:32: invalid timestamp: month 73 is out of range"},
		{"timestamp day", "[a:b = t'2021-02-29T00:00:00Z']", "1:18: invalid timestamp: day 29 does not exist in 2021-02"},
		{"timestamp hour", "[a:b = t'2021-02-28T24:00:00Z']", "1:21: invalid timestamp: hour 24 is out of range"},
		{"timestamp zone", "[a:b = t'2021-02-28T00:00:00+01:00']", `1:29: invalid timestamp: timestamps must end with Z (UTC), found "+01:00"`},
		{"timestamp form", "[a:b = t'2021-2-28T00:00:00Z']", `1:16: invalid timestamp: '-' at position 7 should be a digit (form YYYY-MM-DDTHH:MM:SS[.fraction]Z)`},
		{"timestamp fraction", "[a:b = t'2021-02-28T00:00:00.Z']", "1:30: invalid timestamp: a fraction of a second needs at least one digit"},
		{"bad base64 padding", "[artifact:payload_bin = b'====']", "1:27: invalid base64 literal: '=' padding before the end"},
		{"bad base64 char", "[artifact:payload_bin = b'ab$d']", `1:29: invalid base64 literal: '$' is not a base64 character`},
		{"bad base64 length", "[artifact:payload_bin = b'abc']", "1:25: invalid base64 literal: length 3 is not a multiple of 4"},
		{"empty base64", "[artifact:payload_bin = b'']", "1:25: invalid base64 literal: empty (the grammar needs at least one group of four characters)"},
		{"bad hex", "[a:b_hex = h'0g']", `1:15: invalid hex literal: 'g' is not a hex digit`},
		{"odd hex", "[a:b_hex = h'abc']", "1:12: invalid hex literal: odd number of hex digits (3)"},
		{"lowercase keyword", "[foo:bar=1] within 2 seconds", `1:13: expected AND, OR, FOLLOWEDBY, WITHIN, REPEATS, START or end of pattern, found identifier "within" (keywords are upper case)`},
		{"start with string", "[a:b = 'x'] START '2016-06-01T02:00:00Z' STOP t'2016-06-01T01:00:00Z'", `1:19: expected timestamp literal t'...', found "'2016-06-01T02:00:00Z'"`},
		{"unclosed bracket", "[file:name = 'x'", "1:17: expected ']', AND or OR, found end of pattern"},
		{"unclosed paren", "([file:name = 'x']", "1:19: expected AND, OR, FOLLOWEDBY, WITHIN, REPEATS, START or ')', found end of pattern"},
		{"empty brackets", "[]", `1:2: expected comparison expression, found "]"`},
		{"trailing junk", "[a:b = 1] ]", `1:11: expected AND, OR, FOLLOWEDBY, WITHIN, REPEATS, START or end of pattern, found "]"`},
		{"unterminated string", "[a:b = 'x]", "1:8: unterminated string literal: missing closing '"},
		{"bad escape", `[a:b MATCHES '\d+']`, `1:15: invalid escape \d in string literal: only \' and \\ are escapes (write \\d for a backslash)`},
		{"unterminated comment", "[a:b = 1] /* x", "1:11: unterminated comment: missing */"},
		{"hyphen in property", "[file:file-name = 'x']", "1:7: property name file-name contains '-'; quote it: 'file-name'"},
		{"keyword as property", "[file:AND = 'x']", `1:7: expected property name, found "AND" (quote a property named like a keyword: 'AND')`},
		{"keyword as type", "[AND:x = 'x']", `1:2: expected object type, found "AND" (a keyword cannot be an object type)`},
		{"missing colon", "[file = 'x']", `1:7: expected ':', found "="`},
		{"boolean ordering", "[a:b > true]", "1:8: a boolean cannot be compared with > (only = and != apply)"},
		{"like needs string", "[a:b LIKE 5]", `1:11: expected string literal, found "5"`},
		{"NOT before paren", "[NOT (a:b = 1)]", `1:6: expected EXISTS, found "("`},
		{"mixed set", "[a:b IN ('a', 1)]", "1:15: IN set mixes string and integer members; all members must have one type"},
		{"unclosed set", "[a:b IN ('a' 'b')]", `1:14: expected ',' or ')', found "'b'"`},
		{"subset operand", "[a:b ISSUBSET 'example.com']", `1:15: ISSUBSET needs an IPv4 or IPv6 address or CIDR block, found "example.com"`},
		{"subset prefix length", "[a:b ISSUPERSET '10.0.0.0/33']", `1:17: ISSUPERSET needs an IPv4 or IPv6 address or CIDR block, found "10.0.0.0/33"`},
		{"back-reference", `[a:b MATCHES '(a)\\1']`, `1:14: regular expression uses a back-reference (\1), which the RE2 engine cannot run (vigie runs MATCHES in linear time)`},
		{"look-ahead", `[a:b MATCHES 'a(?=b)']`, "1:14: regular expression uses a look-ahead assertion (?=...), which the RE2 engine cannot run (vigie runs MATCHES in linear time)"},
		{"look-behind", `[a:b MATCHES '(?<!a)b']`, "1:14: regular expression uses a look-behind assertion (?<!...), which the RE2 engine cannot run (vigie runs MATCHES in linear time)"},
		{"atomic group", `[a:b MATCHES '(?>a+)b']`, "1:14: regular expression uses an atomic group (?>...), which the RE2 engine cannot run (vigie runs MATCHES in linear time)"},
		{"possessive", `[a:b MATCHES 'a++b']`, "1:14: regular expression uses a possessive quantifier (++), which the RE2 engine cannot run (vigie runs MATCHES in linear time)"},
		{"invalid regex", `[a:b MATCHES '(a']`, "1:14: invalid regular expression: error parsing regexp: missing closing ): `(a`"},
		{"integer range", "[a:b = 99999999999999999999]", "1:8: integer 99999999999999999999 is out of range"},
		{"leading zero", "[a:b = 012]", "1:8: integer 012 has a leading zero"},
		{"lone bang", "[a:b ! 1]", "1:6: unexpected character '!' (did you mean '!='?)"},
		{"second line", "[a:b = 1]\nAND [a:b = ]", `2:12: expected literal, found "]"`},
		{"column counts characters", "[a:b = 'é'] X", `1:13: expected AND, OR, FOLLOWEDBY, WITHIN, REPEATS, START or end of pattern, found identifier "X"`},
		{"invalid utf8", "[a:b = '\xff']", "1:9: pattern is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pattern.Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want error %q", tt.in, tt.want)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("Parse(%q) error (-want +got):\n%s", tt.in, diff)
			}
			var se *pattern.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error is %T, want *pattern.SyntaxError", err)
			}
			if se.Offset < 0 || se.Offset > len(tt.in) {
				t.Errorf("offset %d outside the pattern", se.Offset)
			}
		})
	}
}

func TestSyntaxErrorFields(t *testing.T) {
	_, err := pattern.Parse("[file:name = 'x' FOO]")
	var se *pattern.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("Parse error = %v, want *pattern.SyntaxError", err)
	}
	want := &pattern.SyntaxError{Offset: 17, Line: 1, Column: 18, Expected: []string{"']'", "AND", "OR"}, Found: `identifier "FOO"`}
	if diff := cmp.Diff(want, se); diff != "" {
		t.Errorf("SyntaxError (-want +got):\n%s", diff)
	}
}

func TestParseLimits(t *testing.T) {
	deep := strings.Repeat("(", pattern.MaxDepth+1) + "[a:b = 1]" + strings.Repeat(")", pattern.MaxDepth+1)
	manyComparisons := "[" + strings.Repeat("a:b = 1 OR ", pattern.MaxComparisons) + "a:b = 1]"
	bigSet := "[a:b IN (" + strings.Repeat("1,", pattern.MaxSetSize) + "1)]"
	tests := []struct {
		name, in, want string
	}{
		{"too long", "[a:b = '" + strings.Repeat("x", pattern.MaxPatternLength) + "']", "1:65537: pattern is longer than 65536 bytes"},
		{"too deep", deep, "1:65: pattern is nested more than 64 levels deep"},
		{"too deep in brackets", "[" + strings.Repeat("(", pattern.MaxDepth) + "a:b = 1" + strings.Repeat(")", pattern.MaxDepth) + "]", "1:65: pattern is nested more than 64 levels deep"},
		{"too many comparisons", manyComparisons, "1:11266: pattern has more than 1024 comparisons"},
		{"set too large", bigSet, "1:8202: IN set has more than 4096 members"},
		{"binding too large", "([a:b = 1] REPEATS 1000 TIMES) REPEATS 11 TIMES", "1:32: a match would need 11000 observations, above the limit of 10000"},
		{"regex too long", "[a:b MATCHES '" + strings.Repeat("a", pattern.MaxRegexLength+1) + "']", "1:14: regular expression longer than 4096 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pattern.Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse succeeded, want %q", tt.want)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
	// Just inside the limits parses.
	MustParse(t, strings.Repeat("(", pattern.MaxDepth-1)+"[a:b = 1]"+strings.Repeat(")", pattern.MaxDepth-1))
	MustParse(t, "([a:b = 1] REPEATS 1000 TIMES) REPEATS 10 TIMES")
}

func TestParseLongChainsDoNotRecurse(t *testing.T) {
	// Operators chain in loops, not recursion: 1000 operands parse and
	// print without reaching the depth limit.
	obs := strings.TrimSuffix(strings.Repeat("[a:b = 1] OR ", 1000), " OR ")
	p := MustParse(t, obs)
	if diff := cmp.Diff(obs, p.String()); diff != "" {
		t.Errorf("String() (-want +got):\n%s", diff)
	}
}
