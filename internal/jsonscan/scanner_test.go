package jsonscan_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/internal/jsonscan"
)

// scanAll scans line reporting every top-level member's string or number
// and descending into nothing.
func scanAll(line []byte) (map[string]string, error) {
	got := map[string]string{}
	var key string
	s := jsonscan.Scanner{
		Field: func(path []byte) uint8 {
			if strings.Contains(string(path), ".") {
				return jsonscan.Skip
			}
			key = string(path)
			return jsonscan.Report
		},
		Visit: func(_ uint8, v []byte, str bool) {
			if str {
				got[key] = string(v)
			}
		},
	}
	return got, s.Scan(line)
}

func TestScannerPaths(t *testing.T) {
	line := []byte(`{"a":"x","b":{"c":"y","d":[{"e":"z"},{"e":"w\u0021"}],"f":1.5},"g":[1,"v"],"h":null,"i":{"j":"skipped"}}`)
	var got []string
	s := jsonscan.Scanner{
		Field: func(path []byte) uint8 {
			switch string(path) {
			case "b", "b.d":
				return jsonscan.Descend
			case "a", "b.d.e", "b.f", "g", "h":
				return jsonscan.Report
			}
			return jsonscan.Skip
		},
		Visit: func(_ uint8, v []byte, str bool) {
			if str {
				got = append(got, string(v))
			} else {
				got = append(got, "#"+string(v))
			}
		},
	}
	if err := s.Scan(line); err != nil {
		t.Fatal(err)
	}
	want := []string{"x", "z", "w!", "#1.5", "#1", "v"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
}

func TestScannerMalformed(t *testing.T) {
	tests := []struct {
		line string
		code jsonscan.Code
	}{
		{`["a"]`, jsonscan.ErrObject},
		{``, jsonscan.ErrObject},
		{`{"a":"b"} x`, jsonscan.ErrTrailing},
		{`{"a":"b"`, jsonscan.ErrUnclosed},
		{`{"a" "b"}`, jsonscan.ErrColon},
		{`{"a":}`, jsonscan.ErrValue},
		{`{"a":"b",}`, jsonscan.ErrName},
		{`{"a":["b",]}`, jsonscan.ErrTrailingComma},
		{`{"a":12x}`, jsonscan.ErrComma},
		{`{"a":01}`, jsonscan.ErrLeadingZero},
		{`{"a":tru}`, jsonscan.ErrLiteral},
		{`{"a":"\q"}`, jsonscan.ErrEscape},
		{"{\"a\":\"b\x01\"}", jsonscan.ErrControl},
		{"{\"x\":{\"y\":[\"\x01\"]}}", jsonscan.ErrControl}, // in a skipped value
		{`{"x":{"y":[1]}`, jsonscan.ErrUnclosed},
	}
	for _, tt := range tests {
		_, err := scanAll([]byte(tt.line))
		e, ok := err.(*jsonscan.Error)
		if !ok || e.Code != tt.code {
			t.Errorf("Scan(%q) = %v, want code %d", tt.line, err, tt.code)
		}
	}
}

// descendAll scans line descending into every object and list, so that
// every part of it is checked in full.
func descendAll(line []byte) error {
	s := jsonscan.Scanner{
		Field: func([]byte) uint8 { return jsonscan.Descend },
		Visit: func(uint8, []byte, bool) {},
	}
	return s.Scan(line)
}

// FuzzScanner holds Scanner to encoding/json: descending everywhere, it
// accepts exactly the objects encoding/json accepts (but for nesting past
// MaxDepth); skipping, it accepts them all and reports their strings as
// decoded.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{`{"a":"x","b":{"c":[1,2,{"d":null}]},"e":"\u00e9\ud83d\ude00"}`, `{}`, `{"a":1,}`, `[1]`,
		`{"a":"\ud800"}`, "{\"a\":\"\xff\"}", `{"a":-0.5e10,"b":true}`, `{"a":{"b":[1,]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var want map[string]any
		jerr := json.Unmarshal(line, &want)
		valid := jerr == nil && want != nil
		err := descendAll(line)
		if e, ok := err.(*jsonscan.Error); ok && e.Code == jsonscan.ErrDepth {
			return
		}
		if (err == nil) != valid {
			t.Fatalf("Scan(%q), descending everywhere = %v; encoding/json: %v", line, err, jerr)
		}
		got, err := scanAll(line)
		if valid && err != nil {
			t.Fatalf("Scan(%q), skipping = %v; encoding/json accepts it", line, err)
		}
		if !valid || !utf8.Valid(line) {
			return
		}
		for k, v := range got {
			if s, ok := want[k].(string); ok && s != v && strings.Count(string(line), `"`+k+`"`) == 1 {
				t.Errorf("Scan(%q): %s = %q, encoding/json %q", line, k, v, s)
			}
		}
	})
}
