package pattern

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Parse parses a STIX 2.1 pattern. It returns a *SyntaxError, with the
// offset, line and column of the problem, for text that the grammar does
// not accept, for malformed literals (timestamps, base64, hex, IP
// addresses, regular expressions RE2 cannot run), for qualifiers the
// grammar forbids (REPEATS 0, WITHIN 0) and for patterns past the limits
// documented in the package comment. Qualifiers may be chained on one
// expression ("REPEATS 2 TIMES REPEATS 2 TIMES" applies the second to the
// first); a START that is not before its STOP parses, matches nothing,
// and draws a warning from Validate.
func Parse(s string) (*Pattern, error) {
	if len(s) > MaxPatternLength {
		return nil, errorAt(s, MaxPatternLength, "pattern is longer than %d bytes", MaxPatternLength)
	}
	if !utf8.ValidString(s) {
		for i, r := range s {
			if r == utf8.RuneError {
				return nil, errorAt(s, i, "pattern is not valid UTF-8")
			}
		}
	}
	p := &parser{lex: lexer{src: s}, src: s, pat: &Pattern{src: s}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tEOF {
		return nil, p.unexpected("'['", "'('")
	}
	root, err := p.observationExpressions()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, p.unexpected(afterObservation("end of pattern")...)
	}
	if _, err := bindingSize(s, root); err != nil {
		return nil, err
	}
	p.pat.Root = root
	return p.pat, nil
}

// MustParse is like Parse but panics if the pattern is invalid. It is meant
// for patterns written in programs and tests.
func MustParse(s string) *Pattern {
	p, err := Parse(s)
	if err != nil {
		panic(fmt.Sprintf("pattern: Parse(%q): %v", s, err))
	}
	return p
}

// parser is a recursive-descent parser over the lexer's tokens, with one
// token of look-ahead.
type parser struct {
	lex   lexer
	src   string
	tok   token
	depth int
	pat   *Pattern
}

func (p *parser) advance() *SyntaxError {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

// unexpected reports the current token as not one of the expected ones.
func (p *parser) unexpected(expected ...string) *SyntaxError {
	line, col := position(p.src, p.tok.pos)
	e := &SyntaxError{Offset: p.tok.pos, Line: line, Column: col, Expected: expected, Found: p.tok.describe()}
	switch {
	case p.tok.kind == tIdent && isKeywordIgnoringCase(p.tok.text):
		e.Msg = "keywords are upper case"
	case p.tok.kind == tString && slices.Contains(expected, "'['"):
		e.Msg = "a comparison must be inside [ ]"
	case p.tok.kind == tIdent && slices.Contains(expected, "literal"):
		e.Msg = "strings are written in single quotes"
	}
	return e
}

func isKeywordIgnoringCase(s string) bool {
	_, ok := keyword(strings.ToUpper(s))
	return ok && s != strings.ToUpper(s) && s != "true" && s != "false"
}

// expect consumes a token of kind k or reports what was found instead.
func (p *parser) expect(k tokenKind, also ...string) (token, *SyntaxError) {
	if p.tok.kind != k {
		return token{}, p.unexpected(append([]string{tokenName(k)}, also...)...)
	}
	t := p.tok
	return t, p.advance()
}

func (p *parser) enter() *SyntaxError {
	p.depth++
	if p.depth > MaxDepth {
		return errorAt(p.src, p.tok.pos, "pattern is nested more than %d levels deep", MaxDepth)
	}
	return nil
}

// afterObservation lists what may follow a complete observation expression.
func afterObservation(closer string) []string {
	return []string{"AND", "OR", "FOLLOWEDBY", "WITHIN", "REPEATS", "START", closer}
}

// observationExpressions parses operands joined by FOLLOWEDBY, the loosest
// operator.
func (p *parser) observationExpressions() (ObservationExpr, *SyntaxError) {
	return p.observationChain(ObsFollowedBy, tFOLLOWEDBY, p.observationOr)
}

func (p *parser) observationOr() (ObservationExpr, *SyntaxError) {
	return p.observationChain(ObsOr, tOR, p.observationAnd)
}

func (p *parser) observationAnd() (ObservationExpr, *SyntaxError) {
	return p.observationChain(ObsAnd, tAND, p.observationQualified)
}

// observationChain parses operands joined by the associative operator op,
// flattening nested nodes of the same operator.
func (p *parser) observationChain(op ObsOperator, k tokenKind, operand func() (ObservationExpr, *SyntaxError)) (ObservationExpr, *SyntaxError) {
	return parseChain(p, k, operand,
		func(e ObservationExpr) []ObservationExpr {
			if o, ok := e.(*ObservationOp); ok && o.Op == op {
				return o.Operands
			}
			return nil
		},
		func(pos int, operands []ObservationExpr) ObservationExpr {
			return &ObservationOp{Op: op, Pos: pos, Operands: operands}
		})
}

// parseChain parses operands joined by the token k, for an associative
// operator: same returns the operands of an operand that is already a node
// of this operator (so that they are flattened into the new node), build
// makes the node. A single operand is returned as it is.
func parseChain[E interface{ Offset() int }](p *parser, k tokenKind, operand func() (E, *SyntaxError),
	same func(E) []E, build func(pos int, operands []E) E) (E, *SyntaxError) {
	first, err := operand()
	if err != nil || p.tok.kind != k {
		return first, err
	}
	var operands []E
	add := func(e E) {
		if ops := same(e); ops != nil {
			operands = append(operands, ops...)
			return
		}
		operands = append(operands, e)
	}
	add(first)
	for p.tok.kind == k {
		var zero E
		if err := p.advance(); err != nil {
			return zero, err
		}
		next, err := operand()
		if err != nil {
			return zero, err
		}
		add(next)
	}
	return build(first.Offset(), operands), nil
}

// observationQualified parses a bracketed or parenthesised observation
// expression followed by any qualifiers.
func (p *parser) observationQualified() (ObservationExpr, *SyntaxError) {
	var expr ObservationExpr
	start := p.tok.pos
	switch p.tok.kind {
	case tLBrack:
		if err := p.enter(); err != nil {
			return nil, err
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind == tRBrack {
			return nil, p.unexpected("comparison expression")
		}
		ce, err := p.comparisonOr()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRBrack {
			return nil, p.unexpected("']'", "AND", "OR")
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		p.depth--
		b := &Bracket{Expr: ce, Pos: start}
		p.pat.leaves = append(p.pat.leaves, b)
		expr = b
	case tLParen:
		if err := p.enter(); err != nil {
			return nil, err
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		inner, err := p.observationExpressions()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			return nil, p.unexpected(afterObservation("')'")...)
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		p.depth--
		expr = inner
	default:
		return nil, p.unexpected("'['", "'('")
	}
	for {
		var q Qualifier
		var err *SyntaxError
		switch p.tok.kind {
		case tWITHIN:
			q, err = p.within()
		case tREPEATS:
			q, err = p.repeats()
		case tSTART:
			q, err = p.startStop()
		default:
			return expr, nil
		}
		if err != nil {
			return nil, err
		}
		expr = &Qualified{Expr: expr, Qualifier: q, Pos: start}
	}
}

func (p *parser) within() (Qualifier, *SyntaxError) {
	q := Qualifier{Kind: QualWithin, Pos: p.tok.pos}
	if err := p.advance(); err != nil {
		return q, err
	}
	if p.tok.kind != tInt && p.tok.kind != tFloat {
		return q, p.unexpected("positive number of seconds")
	}
	lit, err := decodeLiteral(p.src, p.tok)
	if err != nil {
		return q, err
	}
	secs := float64(lit.Int)
	if lit.Kind == LitFloat {
		secs = lit.Float
	}
	if secs <= 0 {
		return q, errorAt(p.src, p.tok.pos, "WITHIN needs a positive number of seconds, found %s", p.tok.text)
	}
	q.Seconds = lit
	if secs >= float64(1<<63-1)/1e9 {
		q.Within = time.Duration(1<<63 - 1) // effectively unbounded
	} else {
		q.Within = time.Duration(secs * 1e9)
	}
	if err := p.advance(); err != nil {
		return q, err
	}
	_, err = p.expect(tSECONDS)
	return q, err
}

func (p *parser) repeats() (Qualifier, *SyntaxError) {
	q := Qualifier{Kind: QualRepeats, Pos: p.tok.pos}
	if err := p.advance(); err != nil {
		return q, err
	}
	if p.tok.kind != tInt {
		return q, p.unexpected("positive integer")
	}
	lit, err := decodeLiteral(p.src, p.tok)
	if err != nil {
		return q, err
	}
	switch {
	case lit.Int < 1:
		return q, errorAt(p.src, p.tok.pos, "REPEATS needs a count of at least 1, found %s", p.tok.text)
	case lit.Int > MaxRepeats:
		return q, errorAt(p.src, p.tok.pos, "REPEATS count %d is above the limit of %d", lit.Int, MaxRepeats)
	}
	q.Repeats = int(lit.Int)
	if err := p.advance(); err != nil {
		return q, err
	}
	_, err = p.expect(tTIMES)
	return q, err
}

func (p *parser) startStop() (Qualifier, *SyntaxError) {
	q := Qualifier{Kind: QualStartStop, Pos: p.tok.pos}
	if err := p.advance(); err != nil {
		return q, err
	}
	ts := func() (time.Time, *SyntaxError) {
		if p.tok.kind != tTimestamp {
			return time.Time{}, p.unexpected("timestamp literal t'...'")
		}
		lit, err := decodeLiteral(p.src, p.tok)
		if err != nil {
			return time.Time{}, err
		}
		return lit.Time, p.advance()
	}
	var err *SyntaxError
	if q.Start, err = ts(); err != nil {
		return q, err
	}
	if _, err = p.expect(tSTOP); err != nil {
		return q, err
	}
	q.Stop, err = ts()
	return q, err
}

// bindingSize returns how many observations one match of e needs and
// reports the node where that exceeds MaxBindingSize.
func bindingSize(src string, e ObservationExpr) (int, *SyntaxError) {
	switch e := e.(type) {
	case *Bracket:
		return 1, nil
	case *Qualified:
		n, err := bindingSize(src, e.Expr)
		if err != nil {
			return 0, err
		}
		if e.Qualifier.Kind == QualRepeats {
			n *= e.Qualifier.Repeats
		}
		if n > MaxBindingSize {
			return 0, errorAt(src, e.Qualifier.Pos, "a match would need %d observations, above the limit of %d", n, MaxBindingSize)
		}
		return n, nil
	case *ObservationOp:
		total := 0
		for _, o := range e.Operands {
			n, err := bindingSize(src, o)
			if err != nil {
				return 0, err
			}
			if e.Op == ObsOr {
				total = max(total, n)
			} else {
				total += n
			}
		}
		if total > MaxBindingSize {
			return 0, errorAt(src, e.Pos, "a match would need %d observations, above the limit of %d", total, MaxBindingSize)
		}
		return total, nil
	}
	return 0, nil
}
