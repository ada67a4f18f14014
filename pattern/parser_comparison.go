package pattern

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// comparisonOr parses comparison expressions joined by OR.
func (p *parser) comparisonOr() (ComparisonExpr, *SyntaxError) {
	return p.comparisonChain(BoolOr, tOR, p.comparisonAnd)
}

func (p *parser) comparisonAnd() (ComparisonExpr, *SyntaxError) {
	return p.comparisonChain(BoolAnd, tAND, p.propTest)
}

// comparisonChain parses operands joined by op, flattening nested nodes of
// the same operator.
func (p *parser) comparisonChain(op BoolOperator, k tokenKind, operand func() (ComparisonExpr, *SyntaxError)) (ComparisonExpr, *SyntaxError) {
	return parseChain(p, k, operand,
		func(e ComparisonExpr) []ComparisonExpr {
			if b, ok := e.(*BoolExpr); ok && b.Op == op {
				return b.Operands
			}
			return nil
		},
		func(pos int, operands []ComparisonExpr) ComparisonExpr {
			return &BoolExpr{Op: op, Pos: pos, Operands: operands}
		})
}

// propTest parses one comparison or a parenthesised comparison expression.
func (p *parser) propTest() (ComparisonExpr, *SyntaxError) {
	start := p.tok.pos
	switch p.tok.kind {
	case tLParen:
		if err := p.enter(); err != nil {
			return nil, err
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		inner, err := p.comparisonOr()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			return nil, p.unexpected("')'", "AND", "OR")
		}
		p.depth--
		return inner, p.advance()
	case tNOT, tEXISTS:
		c := &Comparison{Op: OpExists, Pos: start}
		if p.tok.kind == tNOT {
			c.Not = true
			if err := p.advance(); err != nil {
				return nil, err
			}
			if p.tok.kind != tEXISTS {
				return nil, p.unexpected("EXISTS")
			}
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		path, err := p.objectPath()
		if err != nil {
			return nil, err
		}
		c.Path = path
		return c, p.addComparison(c)
	}
	path, err := p.objectPath()
	if err != nil {
		return nil, err
	}
	c := &Comparison{Path: path, Pos: start}
	if p.tok.kind == tNOT {
		c.Not = true
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	opTok := p.tok
	switch p.tok.kind {
	case tEQ:
		c.Op = OpEqual
	case tNEQ:
		c.Op = OpNotEqual
	case tLT:
		c.Op = OpLess
	case tLE:
		c.Op = OpLessEqual
	case tGT:
		c.Op = OpGreater
	case tGE:
		c.Op = OpGreaterEqual
	case tIN:
		c.Op = OpIn
	case tLIKE:
		c.Op = OpLike
	case tMATCHES:
		c.Op = OpMatches
	case tISSUBSET:
		c.Op = OpIsSubset
	case tISSUPERSET:
		c.Op = OpIsSuperset
	default:
		alts := []string{"comparison operator", "'.'", "'['"}
		if !c.Not {
			alts = append(alts, "NOT")
		}
		return nil, p.unexpected(alts...)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	switch c.Op {
	case OpIn:
		if err := p.setLiteral(c); err != nil {
			return nil, err
		}
	case OpLike, OpMatches, OpIsSubset, OpIsSuperset:
		if p.tok.kind != tString {
			return nil, p.unexpected("string literal")
		}
		if c.Value, err = decodeLiteral(p.src, p.tok); err != nil {
			return nil, err
		}
		if err := compileOperand(p.src, c); err != nil {
			return nil, err
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	default:
		if !isLiteralToken(p.tok.kind) {
			return nil, p.unexpected("literal")
		}
		if c.Op != OpEqual && c.Op != OpNotEqual && p.tok.kind == tBool {
			return nil, errorAt(p.src, p.tok.pos, "a boolean cannot be compared with %s (only = and != apply)", opTok.text)
		}
		if c.Value, err = decodeLiteral(p.src, p.tok); err != nil {
			return nil, err
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	return c, p.addComparison(c)
}

func (p *parser) addComparison(c *Comparison) *SyntaxError {
	p.pat.compars = append(p.pat.compars, c)
	if len(p.pat.compars) > MaxComparisons {
		return errorAt(p.src, c.Pos, "pattern has more than %d comparisons", MaxComparisons)
	}
	return nil
}

func isLiteralToken(k tokenKind) bool {
	switch k {
	case tString, tInt, tFloat, tBool, tBinary, tHex, tTimestamp:
		return true
	}
	return false
}

// setLiteral parses "(lit, lit, ...)" for IN; the members must be of one
// type (integers and floats mix as numbers, b” and h” as binary).
func (p *parser) setLiteral(c *Comparison) *SyntaxError {
	if _, err := p.expect(tLParen); err != nil {
		return err
	}
	c.Set = []Literal{}
	for p.tok.kind != tRParen {
		if len(c.Set) > 0 {
			if _, err := p.expect(tComma, "')'"); err != nil {
				return err
			}
		}
		if !isLiteralToken(p.tok.kind) {
			if len(c.Set) == 0 {
				return p.unexpected("literal", "')'")
			}
			return p.unexpected("literal")
		}
		lit, err := decodeLiteral(p.src, p.tok)
		if err != nil {
			return err
		}
		if len(c.Set) > 0 && setClass(lit.Kind) != setClass(c.Set[0].Kind) {
			return errorAt(p.src, lit.Pos, "IN set mixes %s and %s members; all members must have one type", c.Set[0].Kind, lit.Kind)
		}
		if len(c.Set) == MaxSetSize {
			return errorAt(p.src, lit.Pos, "IN set has more than %d members", MaxSetSize)
		}
		c.Set = append(c.Set, lit)
		if err := p.advance(); err != nil {
			return err
		}
	}
	if len(c.Set) > 0 {
		c.setKind = setClass(c.Set[0].Kind)
	}
	if c.setKind == LitString && len(c.Set) > smallSet {
		c.strSet = make(map[string]struct{}, len(c.Set))
		for _, m := range c.Set {
			c.strSet[m.Str] = struct{}{}
		}
	}
	return p.advance()
}

// smallSet is the IN set size up to which a linear scan beats a map.
const smallSet = 8

// setClass groups literal kinds that may share an IN set.
func setClass(k LiteralKind) LiteralKind {
	switch k {
	case LitInt, LitFloat:
		return LitFloat
	case LitHex, LitBinary:
		return LitBinary
	}
	return k
}

// compileOperand prepares the string operand of LIKE, MATCHES, ISSUBSET and
// ISSUPERSET.
func compileOperand(src string, c *Comparison) *SyntaxError {
	var err error
	switch c.Op {
	case OpLike:
		c.like, err = compileLike(nfc(c.Value.Str))
	case OpMatches:
		c.re, err = compileMatches(nfc(c.Value.Str))
	case OpIsSubset, OpIsSuperset:
		pfx, ok := AddressBlock(c.Value.Str)
		if !ok {
			return errorAt(src, c.Value.Pos, "%s needs an IPv4 or IPv6 address or CIDR block, found %s", c.Op, strconv.Quote(c.Value.Str))
		}
		c.prefix = pfx
	}
	if err != nil {
		return errorAt(src, c.Value.Pos, "%v", err)
	}
	return nil
}

// AddressBlock parses an IP address (as a host prefix) or a CIDR block and
// masks it, so that equal address sets compare equal: the address block a
// string denotes wherever comparisons treat it as an IP address. An address
// with a zone is not one.
func AddressBlock(s string) (netip.Prefix, bool) {
	if strings.IndexByte(s, '/') >= 0 {
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return pfx.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// objectPath parses "type:property" followed by .key, [n] and [*] steps.
func (p *parser) objectPath() (*ObjectPath, *SyntaxError) {
	if p.tok.kind != tIdent {
		e := p.unexpected("object type")
		if _, ok := keyword(p.tok.text); ok && p.tok.kind != tEOF {
			e.Msg = "a keyword cannot be an object type"
		}
		return nil, e
	}
	path := &ObjectPath{ObjectType: p.tok.text, Pos: p.tok.pos}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if _, err := p.expect(tColon); err != nil {
		return nil, err
	}
	key, err := p.propertyName()
	if err != nil {
		return nil, err
	}
	path.Steps = append(path.Steps, key)
	for {
		switch p.tok.kind {
		case tDot:
			if err := p.advance(); err != nil {
				return nil, err
			}
			key, err := p.propertyName()
			if err != nil {
				return nil, err
			}
			path.Steps = append(path.Steps, key)
		case tLBrack:
			step := PathStep{Pos: p.tok.pos}
			if err := p.advance(); err != nil {
				return nil, err
			}
			switch p.tok.kind {
			case tStar:
				step.Kind = StepAnyIndex
			case tInt:
				n, err := strconv.Atoi(p.tok.text)
				if err != nil {
					return nil, errorAt(p.src, p.tok.pos, "list index %s is out of range", p.tok.text)
				}
				step.Kind, step.Index = StepIndex, n
			default:
				return nil, p.unexpected("list index", "'*'")
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
			if _, err := p.expect(tRBrack); err != nil {
				return nil, err
			}
			path.Steps = append(path.Steps, step)
		default:
			return path, nil
		}
	}
}

// propertyName parses a property key: an identifier without '-' or a
// quoted string.
func (p *parser) propertyName() (PathStep, *SyntaxError) {
	step := PathStep{Kind: StepKey, Pos: p.tok.pos}
	switch p.tok.kind {
	case tString:
		step.Key = unquote(p.tok.text)
	case tIdent:
		if strings.IndexByte(p.tok.text, '-') >= 0 {
			return step, errorAt(p.src, p.tok.pos, "property name %s contains '-'; quote it: '%s'", p.tok.text, p.tok.text)
		}
		step.Key = p.tok.text
	default:
		e := p.unexpected("property name")
		if _, ok := keyword(p.tok.text); ok {
			e.Msg = fmt.Sprintf("quote a property named like a keyword: '%s'", p.tok.text)
		}
		return step, e
	}
	return step, p.advance()
}
