package pattern

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Check parses a pattern and validates it: err is Parse's error, and the
// warnings are Validate's.
func Check(s string) (*Pattern, []Warning, error) {
	p, err := Parse(s)
	if err != nil {
		return nil, nil, err
	}
	return p, Validate(p), nil
}

// Validate returns warnings about a parsed pattern, in source order: object
// types that STIX 2.1 does not define (custom types are allowed, and the
// warning names a defined type when one is close), properties, extensions
// and nested properties that a defined type does not have (naming the
// closest defined property), hash algorithm names spelled otherwise than
// in the STIX vocabulary, hash values of the wrong form, negative list
// indexes, comparisons joined by AND that test different object types
// and so can never hold on one object, and START/STOP windows that are
// empty (STOP not after START) and so hold no observation.
func Validate(p *Pattern) []Warning {
	v := &validator{src: p.src, s: loadSchema()}
	for _, c := range p.compars {
		v.path(c.Path)
		v.hashValue(c)
	}
	for _, b := range p.leaves {
		v.types(b.Expr)
	}
	v.qualifiers(p.Root)
	slices.SortStableFunc(v.out, func(a, b Warning) int { return a.Offset - b.Offset })
	return slices.CompactFunc(v.out, func(a, b Warning) bool { return a == b })
}

type validator struct {
	src string
	s   *schema
	out []Warning
}

func (v *validator) warn(offset int, format string, args ...any) {
	line, col := position(v.src, offset)
	v.out = append(v.out, Warning{Offset: offset, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)})
}

// path checks an object path against the STIX 2.1 definitions.
func (v *validator) path(p *ObjectPath) {
	t := p.ObjectType
	def := v.s.types[t]
	if def == nil {
		v.objectType(p)
	}
	// cur lists the structures the next key may belong to; nil when the
	// path has left what the specification describes.
	var cur []*structDef
	if def != nil {
		cur = []*structDef{def}
	}
	for _, st := range p.Steps {
		if st.Kind == StepIndex && st.Index < 0 {
			v.warn(st.Pos, "negative list index %d never matches (indexes count from 0)", st.Index)
		}
	}
	mode := "" // "hashes" or "extensions" when the next key is an algorithm or an extension name
	owner := def
	for _, st := range p.Steps {
		if st.Kind != StepKey {
			continue
		}
		switch mode {
		case "hashes":
			v.hashAlgorithm(st)
			return
		case "extensions":
			mode = ""
			ext := owner.exts[st.Key]
			if ext == nil {
				if !strings.HasPrefix(st.Key, "extension-definition--") && !strings.HasPrefix(st.Key, "x-") {
					v.warn(st.Pos, "extension %s is not predefined for %s%s", strconv.Quote(st.Key), owner.name, suggest(st.Key, extensionNames(owner)))
				}
				return
			}
			cur = []*structDef{ext}
			continue
		}
		if cur == nil {
			return
		}
		var pd *propDef
		for _, d := range cur {
			if pd = d.props[st.Key]; pd != nil {
				break
			}
		}
		if pd == nil {
			where := cur[0].name
			if len(cur) > 1 {
				var names []string
				for _, d := range cur {
					names = append(names, d.name)
				}
				where = strings.Join(names, " or ")
			}
			v.warn(st.Pos, "property %s is not defined for %s%s", strconv.Quote(st.Key), where, suggest(st.Key, propertyNames(cur)))
			return
		}
		switch {
		case st.Key == "extensions" && len(cur) == 1 && cur[0] == owner && owner != nil:
			mode = "extensions"
		case pd.hashes:
			mode = "hashes"
		case pd.dict:
			return
		case len(pd.refs) > 0:
			if pd.refs[0] == "*" {
				return
			}
			cur = nil
			for _, r := range pd.refs {
				cur = append(cur, v.s.types[r])
			}
			owner = nil
			if len(cur) == 1 {
				owner = cur[0]
			}
		case pd.sub != "":
			cur = []*structDef{v.s.structs[pd.sub]}
		default:
			cur = nil
		}
	}
}

// qualifiers warns about START/STOP windows that hold no instant.
func (v *validator) qualifiers(e ObservationExpr) {
	switch e := e.(type) {
	case *Qualified:
		if q := e.Qualifier; q.Kind == QualStartStop && !q.Start.Before(q.Stop) {
			v.warn(q.Pos, "STOP %s is not after START %s: the window is empty and matches nothing",
				q.Stop.Format(time.RFC3339Nano), q.Start.Format(time.RFC3339Nano))
		}
		v.qualifiers(e.Expr)
	case *ObservationOp:
		for _, o := range e.Operands {
			v.qualifiers(o)
		}
	}
}

// objectType warns about an object type that STIX 2.1 does not define.
func (v *validator) objectType(p *ObjectPath) {
	t := p.ObjectType
	switch {
	case v.s.other[t]:
		v.warn(p.Pos, "%s is not a cyber-observable object type; patterns test observed objects", t)
	case !validTypeName(t):
		v.warn(p.Pos, "object type %s is not a valid STIX 2.1 type name (3 to 250 characters a-z, 0-9 and '-')%s", strconv.Quote(t), suggest(t, scoTypeNames(v.s)))
	default:
		if s := suggest(t, scoTypeNames(v.s)); s != "" {
			v.warn(p.Pos, "object type %s is not defined by STIX 2.1%s", strconv.Quote(t), s)
			return
		}
		v.warn(p.Pos, "object type %s is not defined by STIX 2.1; it is evaluated as a custom object type", strconv.Quote(t))
	}
}

// validTypeName applies the STIX 2.1 rules for type names.
func validTypeName(t string) bool {
	if len(t) < 3 || len(t) > 250 || strings.Contains(t, "--") || t[0] == '-' || t[len(t)-1] == '-' {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z') && !isDigit(c) && c != '-' {
			return false
		}
	}
	return true
}

func scoTypeNames(s *schema) []string {
	names := make([]string, 0, len(s.types))
	for n := range s.types {
		names = append(names, n)
	}
	return names
}

func extensionNames(d *structDef) []string {
	var names []string
	for n := range d.exts {
		names = append(names, n)
	}
	return names
}

// hashAlgorithm warns about an algorithm key outside the vocabulary that
// spells a vocabulary name differently.
func (v *validator) hashAlgorithm(st PathStep) {
	if _, ok := HashDigits(st.Key); ok {
		return
	}
	want := normalizeHashAlg(st.Key)
	for _, alg := range strings.Fields(hashVocabulary) {
		if normalizeHashAlg(alg) == want {
			v.warn(st.Pos, "hash algorithm %s is spelled %s in the STIX vocabulary", strconv.Quote(st.Key), strconv.Quote(alg))
			return
		}
	}
}

// hashValue warns when a constant compared with a hash of a known algorithm
// does not have the digest's form.
func (v *validator) hashValue(c *Comparison) {
	steps := c.Path.Steps
	n := len(steps)
	if n < 2 || steps[n-1].Kind != StepKey || steps[n-2].Kind != StepKey || !strings.HasSuffix(steps[n-2].Key, "hashes") {
		return
	}
	alg := steps[n-1].Key
	digits, ok := HashDigits(alg)
	if !ok {
		for _, a := range strings.Fields(hashVocabulary) {
			if normalizeHashAlg(a) == normalizeHashAlg(alg) {
				alg = a
				digits, ok = HashDigits(a)
			}
		}
	}
	if !ok || digits == 0 || (c.Op != OpEqual && c.Op != OpNotEqual && c.Op != OpIn) {
		return
	}
	lits := c.Set
	if c.Op != OpIn {
		lits = []Literal{c.Value}
	}
	for _, l := range lits {
		if l.Kind == LitString && (len(l.Str) != digits || !isHexString(l.Str)) {
			v.warn(l.Pos, "%s is not a valid %s hash (%d hex digits)", strconv.Quote(l.Str), alg, digits)
		}
	}
}

// types warns about AND operands that test disjoint sets of object types:
// they must hold on one object, so they never can.
func (v *validator) types(e ComparisonExpr) map[string]bool {
	switch e := e.(type) {
	case *Comparison:
		return map[string]bool{e.Path.ObjectType: true}
	case *BoolExpr:
		var acc map[string]bool
		for i, o := range e.Operands {
			ts := v.types(o)
			switch {
			case i == 0:
				acc = ts
			case e.Op == BoolOr:
				for t := range ts {
					acc[t] = true
				}
			default:
				next := map[string]bool{}
				for t := range ts {
					if acc[t] {
						next[t] = true
					}
				}
				if len(next) == 0 && len(acc) > 0 {
					v.warn(o.Offset(), "this comparison tests %s while the comparisons it is ANDed with test %s; all must hold on one object, so they never match together", typeList(ts), typeList(acc))
				}
				acc = next
			}
		}
		return acc
	}
	return nil
}

func typeList(ts map[string]bool) string {
	var names []string
	for t := range ts {
		names = append(names, t)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// suggest returns `; did you mean "x"?` for the closest candidate within a
// small edit distance, or "".
func suggest(s string, candidates []string) string {
	best, bestD := "", -1
	slices.Sort(candidates)
	for _, c := range candidates {
		d := levenshtein(strings.ToLower(s), c)
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	limit := max(2, len(s)/4)
	if bestD < 0 || bestD > limit || bestD >= len(s) {
		return ""
	}
	return "; did you mean " + strconv.Quote(best) + "?"
}

// levenshtein is the edit distance between a and b, in bytes.
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
