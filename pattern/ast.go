package pattern

import (
	"net/netip"
	"regexp"
	"slices"
	"time"
)

// Pattern is a parsed STIX pattern. Its exported fields form the syntax
// tree; Parse also compiles what evaluation needs (regular expressions, IP
// prefixes, set lookups), so a *Pattern returned by Parse is ready to
// Match. A tree assembled or modified by hand prints with String but must
// go through Parse(p.String()) before Match or Index.Add. A Pattern is
// immutable after Parse and safe for concurrent use.
type Pattern struct {
	// Root is the whole pattern expression.
	Root ObservationExpr

	src     string
	leaves  []*Bracket    // every [...] in left-to-right order
	compars []*Comparison // every comparison in left-to-right order
}

// ObservationExpr is a node of the observation-expression level: a
// *Bracket, an *ObservationOp or a *Qualified.
type ObservationExpr interface {
	// Offset returns the byte offset of the node in the source pattern.
	Offset() int
	observationExpr()
}

// Bracket is an observation expression "[comparison expression]", which one
// observation must satisfy.
type Bracket struct {
	Expr ComparisonExpr
	Pos  int
}

// ObsOperator is AND, OR or FOLLOWEDBY between observation expressions.
type ObsOperator uint8

// The observation operators, from the loosest binding to the tightest:
// FOLLOWEDBY, OR, AND.
const (
	ObsFollowedBy ObsOperator = iota + 1
	ObsOr
	ObsAnd
)

// String returns the operator's keyword.
func (o ObsOperator) String() string {
	switch o {
	case ObsFollowedBy:
		return "FOLLOWEDBY"
	case ObsOr:
		return "OR"
	case ObsAnd:
		return "AND"
	}
	return "?"
}

// ObservationOp joins two or more observation expressions with one
// operator. All three operators are associative (see Match), and Parse
// flattens nested nodes of the same operator: "(A FOLLOWEDBY B) FOLLOWEDBY
// C" and "A FOLLOWEDBY (B FOLLOWEDBY C)" both parse to one node with three
// operands.
type ObservationOp struct {
	Op       ObsOperator
	Operands []ObservationExpr
	Pos      int
}

// Qualified is an observation expression with a qualifier applied.
type Qualified struct {
	Expr      ObservationExpr
	Qualifier Qualifier
	Pos       int
}

// QualifierKind is WITHIN, REPEATS or START/STOP.
type QualifierKind uint8

// The qualifier kinds.
const (
	QualWithin QualifierKind = iota + 1
	QualRepeats
	QualStartStop
)

// String returns the qualifier's keyword.
func (k QualifierKind) String() string {
	switch k {
	case QualWithin:
		return "WITHIN"
	case QualRepeats:
		return "REPEATS"
	case QualStartStop:
		return "START/STOP"
	}
	return "?"
}

// Qualifier is "WITHIN n SECONDS", "REPEATS n TIMES" or "START t'..' STOP
// t'..'". Only the fields of its Kind are set.
type Qualifier struct {
	Kind QualifierKind
	// Seconds is the WITHIN operand as written (an integer or a float
	// literal); Within is the same duration.
	Seconds Literal
	Within  time.Duration
	// Repeats is the REPEATS count, at least 1.
	Repeats int
	// Start and Stop bound START/STOP, Stop excluded; when Start is not
	// before Stop the window is empty and matches nothing.
	Start, Stop time.Time
	Pos         int
}

// ComparisonExpr is a node of the comparison-expression level inside
// brackets: a *BoolExpr or a *Comparison.
type ComparisonExpr interface {
	// Offset returns the byte offset of the node in the source pattern.
	Offset() int
	comparisonExpr()
}

// BoolOperator is AND or OR between comparisons.
type BoolOperator uint8

// The comparison-level operators; AND binds tighter than OR.
const (
	BoolOr BoolOperator = iota + 1
	BoolAnd
)

// String returns the operator's keyword.
func (o BoolOperator) String() string {
	if o == BoolAnd {
		return "AND"
	}
	return "OR"
}

// BoolExpr joins two or more comparison expressions with AND or OR; Parse
// flattens nested nodes of the same operator.
type BoolExpr struct {
	Op       BoolOperator
	Operands []ComparisonExpr
	Pos      int
}

// Operator is a comparison operator.
type Operator uint8

// The comparison operators. "==" parses as OpEqual and "<>" as OpNotEqual.
const (
	OpEqual Operator = iota + 1
	OpNotEqual
	OpLess
	OpLessEqual
	OpGreater
	OpGreaterEqual
	OpIn
	OpLike
	OpMatches
	OpIsSubset
	OpIsSuperset
	OpExists
)

// String returns the operator as the canonical form prints it.
func (o Operator) String() string {
	switch o {
	case OpEqual:
		return "="
	case OpNotEqual:
		return "!="
	case OpLess:
		return "<"
	case OpLessEqual:
		return "<="
	case OpGreater:
		return ">"
	case OpGreaterEqual:
		return ">="
	case OpIn:
		return "IN"
	case OpLike:
		return "LIKE"
	case OpMatches:
		return "MATCHES"
	case OpIsSubset:
		return "ISSUBSET"
	case OpIsSuperset:
		return "ISSUPERSET"
	case OpExists:
		return "EXISTS"
	}
	return "?"
}

// Comparison tests one object path: "path [NOT] op value", "path [NOT] IN
// (set)" or "[NOT] EXISTS path".
type Comparison struct {
	Path *ObjectPath
	// Not is true when the comparison is negated with NOT.
	Not bool
	Op  Operator
	// Value is the operand of every operator but IN and EXISTS.
	Value Literal
	// Set is the operand of IN.
	Set []Literal
	Pos int

	re      *regexp.Regexp      // MATCHES
	like    *likeMatcher        // LIKE
	prefix  netip.Prefix        // ISSUBSET and ISSUPERSET, masked
	strSet  map[string]struct{} // IN with many string members
	setKind LiteralKind         // kind of the IN members (LitFloat for numbers)
}

// Prefix returns the address block of an ISSUBSET or ISSUPERSET
// comparison's operand, parsed by AddressBlock; the zero Prefix for other
// operators.
func (c *Comparison) Prefix() netip.Prefix { return c.prefix }

// ObjectPath names the values a comparison tests: an object type, then
// property keys, list indexes and [*], following _ref and _refs properties
// to the objects they reference.
type ObjectPath struct {
	ObjectType string
	Steps      []PathStep
	Pos        int
}

// StepKind is a property key, a list index or [*].
type StepKind uint8

// The path step kinds.
const (
	StepKey StepKind = iota + 1
	StepIndex
	StepAnyIndex
)

// PathStep is one step of an object path.
type PathStep struct {
	Kind  StepKind
	Key   string // StepKey
	Index int    // StepIndex; negative indexes count from the end
	Pos   int
}

// LiteralKind is the type of a constant in a pattern.
type LiteralKind uint8

// The literal kinds of the grammar.
const (
	LitString LiteralKind = iota + 1
	LitInt
	LitFloat
	LitBool
	LitBinary // b'base64'
	LitHex    // h'hex'
	LitTimestamp
)

// String names the kind as error messages do.
func (k LiteralKind) String() string {
	switch k {
	case LitString:
		return "string"
	case LitInt:
		return "integer"
	case LitFloat:
		return "float"
	case LitBool:
		return "boolean"
	case LitBinary:
		return "binary"
	case LitHex:
		return "hex"
	case LitTimestamp:
		return "timestamp"
	}
	return "?"
}

// Literal is a constant: only the field of its Kind is set (Bytes for both
// LitBinary and LitHex).
type Literal struct {
	Kind  LiteralKind
	Str   string
	Int   int64
	Float float64
	Bool  bool
	Bytes []byte
	Time  time.Time
	Pos   int
}

// Offset returns the byte offset of the node in the source pattern.
func (b *Bracket) Offset() int { return b.Pos }

// Offset returns the byte offset of the node in the source pattern.
func (o *ObservationOp) Offset() int { return o.Pos }

// Offset returns the byte offset of the node in the source pattern.
func (q *Qualified) Offset() int { return q.Pos }

// Offset returns the byte offset of the node in the source pattern.
func (b *BoolExpr) Offset() int { return b.Pos }

// Offset returns the byte offset of the node in the source pattern.
func (c *Comparison) Offset() int { return c.Pos }

func (*Bracket) observationExpr()       {}
func (*ObservationOp) observationExpr() {}
func (*Qualified) observationExpr()     {}
func (*BoolExpr) comparisonExpr()       {}
func (*Comparison) comparisonExpr()     {}

// Source returns the text the pattern was parsed from.
func (p *Pattern) Source() string { return p.src }

// Comparisons returns every comparison of the pattern, left to right.
func (p *Pattern) Comparisons() []*Comparison { return slices.Clone(p.compars) }
