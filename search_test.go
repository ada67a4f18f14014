package vigie

import (
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
)

func TestParseTextQuery(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []TextTerm
	}{
		{"lantern", []TextTerm{{Words: []string{"lantern"}}}},
		{"Lantern  LOADER", []TextTerm{{Words: []string{"lantern"}}, {Words: []string{"loader"}}}},
		{`"blue harbor" relay`, []TextTerm{{Words: []string{"blue", "harbor"}}, {Words: []string{"relay"}}}},
		{"lant*", []TextTerm{{Words: []string{"lant"}, Prefix: true}}},
		{`"blue har"*`, []TextTerm{{Words: []string{"blue", "har"}, Prefix: true}}},
		{"CVE-2021-44228", []TextTerm{{Words: []string{"cve", "2021", "44228"}}}},
		{"198.51.100.7", []TextTerm{{Words: []string{"198", "51", "100", "7"}}}},
		{"pkg:npm/lodash@4.17.20", []TextTerm{{Words: []string{"pkg", "npm", "lodash", "4", "17", "20"}}}},
		{`a"b c"`, []TextTerm{{Words: []string{"a"}}, {Words: []string{"b", "c"}}}},
		{"café ÉTÉ", []TextTerm{{Words: []string{"café"}}, {Words: []string{"été"}}}},
		{"-- lantern ...", []TextTerm{{Words: []string{"lantern"}}}},
	} {
		q, err := ParseTextQuery(tc.in)
		if err != nil {
			t.Errorf("ParseTextQuery(%q): %v", tc.in, err)
			continue
		}
		if d := cmp.Diff(tc.want, q.Terms); d != "" {
			t.Errorf("ParseTextQuery(%q) (-want +got):\n%s", tc.in, d)
		}
	}
}

func TestParseTextQueryMalformed(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "words of letters or digits"},
		{"   ", "words of letters or digits"},
		{"... --- !!!", "words of letters or digits"},
		{`"blue harbor`, "close the quote"},
		{`lantern "`, "close the quote"},
		{"*lant", "end of a word"},
		{"la*nt", "end of a word"},
		{"lant**", "end of a word"},
		{"l*", "a prefix needs 2"},
		{"lantern.*", "a prefix needs 2"},
		{"*", "a prefix needs 2"},
		{`""*`, "a prefix needs 2"},
		{strings.Repeat("w ", MaxTextTerms+1), "at most 16"},
	} {
		_, err := ParseTextQuery(tc.in)
		if ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseTextQuery(%q) = %v, want EINVALID saying %q", tc.in, err, tc.want)
		}
	}
}

func TestSearchText(t *testing.T) {
	raw := []byte(`{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"created":"2026-01-01T00:00:00Z","name":"Lantern C2","description":"Seen by Helios.",
		"pattern":"[file:hashes.'SHA-256' = 'AB12' OR domain-name:value = 'it\\'s.example']","pattern_type":"stix",
		"labels":["apt"],"aliases":["Kettle Bear"],"external_references":[{"source_name":"cve","external_id":"CVE-2021-44228","url":"https://nvd.example/x"}],
		"hashes":{"MD5":"ffee"},"x_custom":"hidden","indicator_types":["malicious-activity"]}`)
	got := SearchText(raw)
	want := "lantern c2 apt kettle bear cve 2021 44228 ffee ab12 it s example seen by helios"
	if got != want {
		t.Errorf("SearchText:\n got %q\nwant %q", got, want)
	}
	if SearchText([]byte(`not json`)) != "" || SearchText([]byte(`{"name": 7}`)) != "" {
		t.Error("SearchText of JSON without text: want nothing")
	}
	long := SearchText([]byte(`{"description":"` + strings.Repeat("word ", MaxSearchTextLen) + `"}`))
	if len(long) > MaxSearchTextLen || len(long) < MaxSearchTextLen-10 {
		t.Errorf("SearchText of a long description: %d bytes, want up to %d", len(long), MaxSearchTextLen)
	}
}

// FuzzParseTextQuery checks that any input is refused with EINVALID or
// parsed into terms of words of letters and digits only (what the stores
// put in their query languages without escaping).
func FuzzParseTextQuery(f *testing.F) {
	for _, s := range []string{"lantern", `"blue harbor"*`, `'; DROP TABLE objects; --`, `a:* | !b`, `NEAR(a b) OR c`, "é\u0301*", `"`, "**"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseTextQuery(s)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("ParseTextQuery(%q): %v, want EINVALID", s, err)
			}
			return
		}
		if len(q.Terms) == 0 || len(q.Terms) > MaxTextTerms {
			t.Fatalf("ParseTextQuery(%q): %d terms", s, len(q.Terms))
		}
		for _, term := range q.Terms {
			if len(term.Words) == 0 {
				t.Fatalf("ParseTextQuery(%q): a term without words", s)
			}
			for _, w := range term.Words {
				if w == "" || strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }) >= 0 {
					t.Fatalf("ParseTextQuery(%q): word %q", s, w)
				}
			}
		}
	})
}
