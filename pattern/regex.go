package pattern

import (
	"fmt"
	"regexp"
	"strings"
)

// compileMatches compiles the operand of MATCHES with Go's RE2 engine.
// STIX specifies PCRE; the constructs RE2 cannot run in linear time
// (back-references, look-around, atomic groups, possessive quantifiers,
// recursion, conditionals) are reported by name rather than left to fail
// as a silent non-match.
func compileMatches(expr string) (*regexp.Regexp, error) {
	if len(expr) > MaxRegexLength {
		return nil, fmt.Errorf("regular expression longer than %d bytes", MaxRegexLength)
	}
	if what := unsupportedPCRE(expr); what != "" {
		return nil, fmt.Errorf("regular expression uses %s, which the RE2 engine cannot run (vigie runs MATCHES in linear time)", what)
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression: %w", err)
	}
	return re, nil
}

// unsupportedPCRE names the first PCRE construct of expr that RE2 lacks, or
// returns "".
func unsupportedPCRE(expr string) string {
	quantified := false // the previous item was a quantifier
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		wasQuantifier := quantified
		quantified = false
		switch c {
		case '\\':
			if i+1 >= len(expr) {
				return ""
			}
			n := expr[i+1]
			switch {
			case n >= '1' && n <= '9':
				return fmt.Sprintf("a back-reference (\\%c)", n)
			case n == 'k' && i+2 < len(expr) && strings.IndexByte("<'{", expr[i+2]) >= 0:
				return "a named back-reference (\\k)"
			case n == 'g' && i+2 < len(expr) && (isDigit(expr[i+2]) || strings.IndexByte("{-<'+", expr[i+2]) >= 0):
				return "a back-reference (\\g)"
			case n == 'G':
				return "the \\G anchor"
			case n == 'K':
				return "\\K (reset match start)"
			}
			i++
		case '[':
			i = skipClass(expr, i)
		case '(':
			if i+1 < len(expr) && expr[i+1] == '?' {
				rest := expr[i+2:]
				switch {
				case strings.HasPrefix(rest, "="), strings.HasPrefix(rest, "!"):
					return "a look-ahead assertion (?" + rest[:1] + "...)"
				case strings.HasPrefix(rest, "<="), strings.HasPrefix(rest, "<!"):
					return "a look-behind assertion (?" + rest[:2] + "...)"
				case strings.HasPrefix(rest, ">"):
					return "an atomic group (?>...)"
				case strings.HasPrefix(rest, "("):
					return "a conditional group (?(...)"
				case strings.HasPrefix(rest, "R"), strings.HasPrefix(rest, "&"), strings.HasPrefix(rest, "P>"),
					len(rest) > 0 && (isDigit(rest[0]) || ((rest[0] == '+' || rest[0] == '-') && len(rest) > 1 && isDigit(rest[1]))):
					return "a recursive or subroutine call"
				case strings.HasPrefix(rest, "P="):
					return "a named back-reference (?P=...)"
				case strings.HasPrefix(rest, "C"):
					return "a callout (?C...)"
				case strings.HasPrefix(rest, "|"):
					return "a branch-reset group (?|...)"
				}
			}
		case '*', '?':
			quantified = true
			if c == '?' && wasQuantifier {
				quantified = false // lazy quantifier
			}
		case '+':
			if wasQuantifier {
				return "a possessive quantifier (" + expr[max(0, i-1):i+1] + ")"
			}
			quantified = true
		case '}':
			quantified = closesCountedRepeat(expr, i)
		}
	}
	return ""
}

// closesCountedRepeat reports whether the '}' at expr[i] ends a counted
// repetition such as {2}, {2,} or {2,5}.
func closesCountedRepeat(expr string, i int) bool {
	j := i - 1
	digits := 0
	for j >= 0 && (isDigit(expr[j]) || expr[j] == ',') {
		if isDigit(expr[j]) {
			digits++
		}
		j--
	}
	return j >= 0 && expr[j] == '{' && digits > 0
}

// skipClass returns the index of the ']' closing the character class that
// starts at expr[i] == '['.
func skipClass(expr string, i int) int {
	j := i + 1
	if j < len(expr) && expr[j] == '^' {
		j++
	}
	if j < len(expr) && expr[j] == ']' {
		j++
	}
	for j < len(expr) {
		switch expr[j] {
		case '\\':
			j += 2
			continue
		case '[':
			if j+1 < len(expr) && expr[j+1] == ':' {
				if end := strings.Index(expr[j:], ":]"); end >= 0 {
					j += end + 2
					continue
				}
			}
		case ']':
			return j
		}
		j++
	}
	return len(expr) - 1
}

// likeMatcher matches a LIKE operand: % matches any sequence of
// characters, _ exactly one character, everything else itself (SQL LIKE,
// without an escape character, as STIX defines it), over the whole value.
// Operands without _ are matched by searching their literal segments in
// order, in linear time; the others by an anchored regular expression.
type likeMatcher struct {
	parts []string // the literal segments between %
	re    *regexp.Regexp
}

func compileLike(like string) (*likeMatcher, error) {
	if len(like) > MaxRegexLength {
		return nil, fmt.Errorf("LIKE operand longer than %d bytes", MaxRegexLength)
	}
	if !strings.Contains(like, "_") {
		return &likeMatcher{parts: strings.Split(like, "%")}, nil
	}
	var b strings.Builder
	b.WriteString(`^(?s:`)
	for _, r := range like {
		switch r {
		case '%':
			b.WriteString(`.*`)
		case '_':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`)$`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, err
	}
	return &likeMatcher{re: re}, nil
}

// match reports whether v matches the LIKE operand.
func (l *likeMatcher) match(v string) bool {
	if l.re != nil {
		return l.re.MatchString(v)
	}
	if len(l.parts) == 1 {
		return v == l.parts[0]
	}
	first, last := l.parts[0], l.parts[len(l.parts)-1]
	if len(v) < len(first)+len(last) || !strings.HasPrefix(v, first) || !strings.HasSuffix(v, last) {
		return false
	}
	mid := v[len(first) : len(v)-len(last)]
	for _, p := range l.parts[1 : len(l.parts)-1] {
		i := strings.Index(mid, p)
		if i < 0 {
			return false
		}
		mid = mid[i+len(p):]
	}
	return true
}
