package vigie

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text search: what people search in an object (its name, description,
// pattern values, labels, aliases, reference ids...) as a list of words,
// and the queries over those words. Words are runs of letters and digits,
// in lower case: "CVE-2021-44228" is the words cve, 2021, 44228, and is
// found as the phrase of those three words.

// Text search limits.
const (
	MaxTextTerms     = 16        // terms of one query
	MinPrefixLen     = 2         // characters before a prefix's "*"
	MaxSearchTextLen = 32 * 1024 // bytes of words indexed per object
)

// TextTerm is one term of a text query: words that must follow each other
// (one word, or a phrase), the last one a prefix when Prefix is set.
type TextTerm struct {
	Words  []string
	Prefix bool
}

// TextQuery is a parsed text search: an object matches when its text
// holds every term.
type TextQuery struct {
	Terms []TextTerm
}

// ParseTextQuery reads a text search: words (every one must appear),
// "quoted phrases" (the words in this order), and word* for the words
// that begin so. Punctuation splits words: 198.51.100.7 and
// CVE-2021-44228 are phrases. EINVALID for an unclosed quote, a "*"
// anywhere but at the end of a word of MinPrefixLen characters or more, no
// word at all, or more than MaxTextTerms terms.
func ParseTextQuery(s string) (TextQuery, error) {
	var q TextQuery
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimLeftFunc(s, unicode.IsSpace) {
		var chunk string
		if s[0] == '"' {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return TextQuery{}, Errorf(EINVALID, "close the quote: a phrase goes between two \" marks")
			}
			chunk, s = s[1:1+end], s[2+end:]
			if strings.HasPrefix(s, "*") {
				chunk, s = chunk+"*", s[1:]
			}
		} else {
			end := strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '"' })
			if end < 0 {
				end = len(s)
			}
			chunk, s = s[:end], s[end:]
		}
		t, err := parseTerm(chunk)
		if err != nil {
			return TextQuery{}, err
		}
		if len(t.Words) > 0 {
			q.Terms = append(q.Terms, t)
		}
	}
	if len(q.Terms) == 0 {
		return TextQuery{}, Errorf(EINVALID, "search for words of letters or digits")
	}
	if len(q.Terms) > MaxTextTerms {
		return TextQuery{}, Errorf(EINVALID, "search for at most %d words or phrases", MaxTextTerms)
	}
	return q, nil
}

// parseTerm reads one word, phrase or prefix.
func parseTerm(chunk string) (TextTerm, error) {
	t := TextTerm{}
	if body, ok := strings.CutSuffix(chunk, "*"); ok {
		t.Prefix, chunk = true, body
	}
	if strings.Contains(chunk, "*") {
		return TextTerm{}, Errorf(EINVALID, "a * goes at the end of a word, as in lant*")
	}
	t.Words = SearchWords(chunk)
	if t.Prefix {
		last := chunk[strings.LastIndexFunc(chunk, func(r rune) bool { return !isWordRune(r) })+1:]
		if n := utf8.RuneCountInString(last); len(t.Words) == 0 || n < MinPrefixLen {
			return TextTerm{}, Errorf(EINVALID, "a prefix needs %d letters or digits before its *", MinPrefixLen)
		}
	}
	return t, nil
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }

// SearchWords splits s into words: runs of letters and digits, in lower
// case.
func SearchWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !isWordRune(r) })
}

// SearchText returns the words people search an object by (see
// SearchTextOf) from its JSON.
func SearchText(raw json.RawMessage) string {
	var props map[string]any
	if json.Unmarshal(raw, &props) != nil {
		return ""
	}
	return SearchTextOf(props)
}

// SearchTextOf returns the words people search an object by, separated
// by spaces, from its decoded properties: its name, value, labels,
// aliases, external reference ids (CVE ids, ATT&CK ids), hashes, the
// values its pattern compares with, and its description and a few more
// properties people read; never the JSON keys, ids or timestamps. At most
// MaxSearchTextLen bytes (the description is cut first).
func SearchTextOf(props map[string]any) string {
	var b strings.Builder
	add := func(v any) {
		s, _ := v.(string)
		for _, w := range SearchWords(s) {
			if b.Len()+len(w)+1 > MaxSearchTextLen {
				return
			}
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w)
		}
	}
	for _, k := range []string{"name", "value", "display_name", "account_login", "subject", "key", "cpe", "purl", "vendor"} {
		add(props[k])
	}
	for _, k := range []string{"labels", "aliases", "x_mitre_aliases"} {
		l, _ := props[k].([]any)
		for _, s := range l {
			add(s)
		}
	}
	refs, _ := props["external_references"].([]any)
	for _, r := range refs {
		if m, ok := r.(map[string]any); ok {
			add(m["external_id"])
		}
	}
	if hashes, ok := props["hashes"].(map[string]any); ok {
		for _, k := range slices.Sorted(maps.Keys(hashes)) {
			add(hashes[k])
		}
	}
	p, _ := props["pattern"].(string)
	for _, lit := range patternLiterals(p) {
		add(lit)
	}
	for _, k := range []string{"abstract", "opinion", "explanation", "description", "content"} {
		add(props[k])
	}
	return b.String()
}

// patternLiterals returns the quoted strings of a STIX pattern: the
// values it compares with, not its object paths.
func patternLiterals(p string) []string {
	var out []string
	for {
		start := strings.IndexByte(p, '\'')
		if start < 0 {
			return out
		}
		path := start > 0 && p[start-1] == '.' // file:hashes.'SHA-256' names a property
		p = p[start+1:]
		end := 0
		for end < len(p) && p[end] != '\'' {
			if p[end] == '\\' {
				end++
			}
			end++
		}
		if !path {
			out = append(out, p[:min(end, len(p))])
		}
		if end >= len(p) {
			return out
		}
		p = p[end+1:]
	}
}
