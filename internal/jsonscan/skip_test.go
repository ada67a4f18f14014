package jsonscan_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vigie-cti/vigie/internal/jsonscan"
)

// valid checks a whole document with Value, as the fuzz target does.
func valid(b []byte, m jsonscan.Mode, maxDepth int) *jsonscan.Error {
	i := jsonscan.Space(b, 0)
	end, err := jsonscan.Value(b, i, m, maxDepth)
	if err != nil {
		return err
	}
	if end = jsonscan.Space(b, end); end != len(b) {
		return &jsonscan.Error{Off: end, Code: jsonscan.ErrTrailing}
	}
	return nil
}

func TestValue(t *testing.T) {
	deep := strings.Repeat("[", 200) + strings.Repeat("]", 200)
	tests := []struct {
		in   string
		code jsonscan.Code // 0: valid
		off  int
	}{
		{`{}`, 0, 0},
		{` [ ] `, 0, 0},
		{`{"a":[1,-2.5e+3,true,false,null,"x\"\\\/\b\f\n\r\t\u00e9"],"b":{"c":{}}}`, 0, 0},
		{`0`, 0, 0},
		{`-0.0E-0`, 0, 0},
		{deep, 0, 0},
		{`{"a":` + deep + `}`, 0, 0},
		// malformed
		{``, jsonscan.ErrValue, 0},
		{`{`, jsonscan.ErrName, 1},
		{`{"a"`, jsonscan.ErrColon, 4},
		{`{"a":`, jsonscan.ErrValue, 5},
		{`{"a":1`, jsonscan.ErrUnclosed, 6},
		{`[1`, jsonscan.ErrUnclosed, 2},
		{`{"a":1,}`, jsonscan.ErrTrailingComma, 7},
		{`[1,]`, jsonscan.ErrTrailingComma, 3},
		{`[1 2]`, jsonscan.ErrComma, 3},
		{`{"a":1]`, jsonscan.ErrComma, 6},
		{`[1}`, jsonscan.ErrComma, 2},
		{`{1:2}`, jsonscan.ErrName, 1},
		{`{'a':2}`, jsonscan.ErrName, 1},
		{`['a']`, jsonscan.ErrValue, 1},
		{`01`, jsonscan.ErrLeadingZero, 0},
		{`-`, jsonscan.ErrMinus, 0},
		{`1.`, jsonscan.ErrFraction, 0},
		{`1e+`, jsonscan.ErrExponent, 0},
		{`+1`, jsonscan.ErrValue, 0},
		{`.5`, jsonscan.ErrValue, 0},
		{`tru`, jsonscan.ErrLiteral, 0},
		{`nul`, jsonscan.ErrLiteral, 0},
		{`True`, jsonscan.ErrValue, 0},
		{`[1] x`, jsonscan.ErrTrailing, 4},
		{`1x`, jsonscan.ErrTrailing, 1},
		{"\xef\xbb\xbf{}", jsonscan.ErrValue, 0},
		{"[\"a\x01\"]", jsonscan.ErrControl, 3},
		{`["\q"]`, jsonscan.ErrEscape, 2},
		{`"abc`, jsonscan.ErrUnterminated, 0},
	}
	for _, tt := range tests {
		err := valid([]byte(tt.in), jsonscan.Compatible, 0)
		switch {
		case tt.code == 0 && err != nil:
			t.Errorf("Value(%.40q): %v, want valid", tt.in, err)
		case tt.code != 0 && (err == nil || err.Code != tt.code || err.Off != tt.off):
			t.Errorf("Value(%.40q) = %v, want code %d at %d", tt.in, err, tt.code, tt.off)
		}
	}
}

func TestValueDepth(t *testing.T) {
	for _, tt := range []struct {
		in       string
		maxDepth int
		ok       bool
	}{
		{"[[[]]]", 3, true},
		{"[[[[]]]]", 3, false},
		{`{"a":{"b":{}}}`, 3, true},
		{`{"a":{"b":{"c":1}}}`, 2, false},
		{strings.Repeat("[", 10000) + strings.Repeat("]", 10000), 0, true},
		{strings.Repeat(`{"a":[`, 5000) + strings.Repeat("]}", 5000), 0, true},
		{strings.Repeat(`{"a":[`, 5000) + strings.Repeat("]}", 4999) + "}}", 0, false},
	} {
		err := valid([]byte(tt.in), jsonscan.Strict, tt.maxDepth)
		if (err == nil) != tt.ok {
			t.Errorf("Value(%.30q…, maxDepth %d) = %v, want ok %v", tt.in, tt.maxDepth, err, tt.ok)
		}
		if err != nil && tt.maxDepth > 0 && err.Code != jsonscan.ErrDepth {
			t.Errorf("Value(%.30q…, maxDepth %d) = %v, want ErrDepth", tt.in, tt.maxDepth, err)
		}
	}
}

// FuzzValue holds Value in Compatible mode to encoding/json's json.Valid,
// and Strict mode to the same but for invalid UTF-8 and lone surrogates.
func FuzzValue(f *testing.F) {
	for _, s := range []string{`{"a":[1,-2.5e+3,true,false,null,"x\"\\\/\b\f\n\r\t\u00e9"]}`, `[{},[],""]`, `{"a":1,}`, `[01]`,
		"[\"\xff\"]", `["\ud800"]`, `[[[[[[[[]]]]]]]]`, `{"a" 1}`, `1e5`, `-`, ` null `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want := json.Valid(b)
		err := valid(b, jsonscan.Compatible, 0)
		if (err == nil) != want {
			t.Fatalf("Value(%q) = %v; json.Valid says %v", b, err, want)
		}
		strictErr := valid(b, jsonscan.Strict, 0)
		switch {
		case strictErr == nil && err != nil:
			t.Fatalf("Strict accepts %q, Compatible does not: %v", b, err)
		case strictErr != nil && err == nil:
			if c := strictErr.Code; c != jsonscan.ErrUTF8 && c != jsonscan.ErrLowSurrogate && c != jsonscan.ErrHighSurrogate {
				t.Fatalf("Strict refuses %q with %v, Compatible accepts it", b, strictErr)
			}
		}
	})
}
