package pattern_test

import (
	"bytes"
	"errors"
	"os"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/pattern"
)

// FuzzParse checks that Parse either reports a well-placed SyntaxError or
// returns a pattern whose canonical form parses back to itself, and that
// validating and evaluating it does not fail.
func FuzzParse(f *testing.F) {
	for _, s := range specExamples(f) {
		f.Add(s)
	}
	for _, s := range []string{
		"[a:b = 1] WITHIN 5 SECONDS WITHIN 6 SECONDS",
		"([a:b = 1] WITHIN 5 SECONDS) WITHIN 6.5 SECONDS",
		"[a:b IN ()] REPEATS 3 TIMES START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T02:20:00.5Z'",
		`[a:'x y'.'AND'[*].c[-1] NOT MATCHES '(?i)^\\d+$' OR EXISTS a:b_bin]`,
		"[a:b = b'AQIDBA==' AND a:c = h'ff' AND a:d = t'2016-12-31T23:59:60Z' AND a:e = -.5]",
		"/* comment */ [a:b = 1] // comment",
		"[a:b ISSUBSET '::ffff:1.2.3.4/120']",
		"[a:b MATCHES 'a{2}+']",
	} {
		f.Add(s)
	}
	obs := fuzzObservations(f)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := pattern.Parse(s)
		if err != nil {
			var se *pattern.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T is not a *SyntaxError", s, err)
			}
			if se.Offset < 0 || se.Offset > len(s) || se.Line < 1 || se.Column < 1 {
				t.Fatalf("Parse(%q): bad position in %+v", s, se)
			}
			return
		}
		canonical := p.String()
		again, err := pattern.Parse(canonical)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", canonical, s, err)
		}
		if diff := cmp.Diff(canonical, again.String()); diff != "" {
			t.Fatalf("canonical form of %q does not round-trip (-want +got):\n%s", s, diff)
		}
		for _, w := range pattern.Validate(p) {
			if w.Offset < 0 || w.Offset > len(s) || !utf8.ValidString(w.Msg) {
				t.Fatalf("Validate(%q): bad warning %+v", s, w)
			}
		}
		if _, err := p.Match(obs); err != nil && !errors.Is(err, pattern.ErrEvalLimit) {
			t.Fatalf("Match(%q): %v", s, err)
		}
	})
}

func fuzzObservations(tb testing.TB) []pattern.Observation {
	tb.Helper()
	obs := MustObservationsFile(tb, "testdata/bundle-21-mixed.json")
	return append(obs, MustObservationsFile(tb, "testdata/bundle-20-embedded-objects.json")...)
}

// FuzzMatch evaluates patterns against fuzzed STIX JSON: evaluation never
// fails other than by the documented limit. (The indicator package's
// FuzzMatch holds its Index to the same answers.)
func FuzzMatch(f *testing.F) {
	docs := []string{"testdata/bundle-21-mixed.json", "testdata/bundle-20-embedded-objects.json", "testdata/objects-array.json", "testdata/bundles-array.json"}
	var seeds [][]byte
	for _, d := range docs {
		b, err := os.ReadFile(d)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	for i, s := range specExamples(f) {
		f.Add(s, seeds[i%len(seeds)])
	}
	f.Add("[ipv4-addr:value ISSUBSET '198.51.100.0/24'] REPEATS 2 TIMES", seeds[3])
	f.Add("[url:value = 'http://example.com/foo']", seeds[2])
	f.Fuzz(func(t *testing.T, s string, doc []byte) {
		p, err := pattern.Parse(s)
		if err != nil {
			return
		}
		obs, err := pattern.ReadObservations(bytes.NewReader(doc))
		if err != nil {
			return
		}
		if _, err := p.Match(obs); err != nil && !errors.Is(err, pattern.ErrEvalLimit) {
			t.Fatalf("Match(%q): %v", s, err)
		}
	})
}
