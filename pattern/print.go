package pattern

import (
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// String returns the canonical form of the pattern: one space around
// operators, upper-case keywords, "=" and "!=" for "==" and "<>", property
// names quoted only when they must be, parentheses only where precedence
// needs them, no comments. Parsing the canonical form gives back the same
// pattern.
func (p *Pattern) String() string {
	var b strings.Builder
	writeObservation(&b, p.Root)
	return b.String()
}

// obsLevel ranks observation nodes by binding strength, loosest first.
func obsLevel(e ObservationExpr) int {
	if o, ok := e.(*ObservationOp); ok {
		return int(o.Op) // FOLLOWEDBY 1, OR 2, AND 3
	}
	return 4
}

func writeObservation(b *strings.Builder, e ObservationExpr) {
	switch e := e.(type) {
	case *Bracket:
		b.WriteByte('[')
		writeComparisonExpr(b, e.Expr)
		b.WriteByte(']')
	case *ObservationOp:
		level := int(e.Op)
		for i, o := range e.Operands {
			if i > 0 {
				b.WriteByte(' ')
				b.WriteString(e.Op.String())
				b.WriteByte(' ')
			}
			writeObservationParen(b, o, obsLevel(o) < level)
		}
	case *Qualified:
		// Collect the chain of qualifiers applied without parentheses.
		chain := []Qualifier{e.Qualifier}
		inner := e.Expr
		var seen [4]bool
		seen[e.Qualifier.Kind] = true
		for {
			q, ok := inner.(*Qualified)
			if !ok || seen[q.Qualifier.Kind] {
				break
			}
			seen[q.Qualifier.Kind] = true
			chain = append(chain, q.Qualifier)
			inner = q.Expr
		}
		_, isQualified := inner.(*Qualified)
		writeObservationParen(b, inner, obsLevel(inner) < 4 || isQualified)
		for i := len(chain) - 1; i >= 0; i-- {
			b.WriteByte(' ')
			writeQualifier(b, chain[i])
		}
	}
}

func writeObservationParen(b *strings.Builder, e ObservationExpr, paren bool) {
	if paren {
		b.WriteByte('(')
	}
	writeObservation(b, e)
	if paren {
		b.WriteByte(')')
	}
}

func writeQualifier(b *strings.Builder, q Qualifier) {
	switch q.Kind {
	case QualWithin:
		b.WriteString("WITHIN ")
		writeLiteral(b, q.Seconds)
		b.WriteString(" SECONDS")
	case QualRepeats:
		b.WriteString("REPEATS ")
		b.WriteString(strconv.Itoa(q.Repeats))
		b.WriteString(" TIMES")
	case QualStartStop:
		b.WriteString("START ")
		writeTimestamp(b, q.Start)
		b.WriteString(" STOP ")
		writeTimestamp(b, q.Stop)
	}
}

func writeComparisonExpr(b *strings.Builder, e ComparisonExpr) {
	switch e := e.(type) {
	case *BoolExpr:
		for i, o := range e.Operands {
			if i > 0 {
				b.WriteByte(' ')
				b.WriteString(e.Op.String())
				b.WriteByte(' ')
			}
			inner, ok := o.(*BoolExpr)
			paren := ok && inner.Op <= e.Op
			if paren {
				b.WriteByte('(')
			}
			writeComparisonExpr(b, o)
			if paren {
				b.WriteByte(')')
			}
		}
	case *Comparison:
		writeComparison(b, e)
	}
}

func writeComparison(b *strings.Builder, c *Comparison) {
	if c.Op == OpExists {
		if c.Not {
			b.WriteString("NOT ")
		}
		b.WriteString("EXISTS ")
		writePath(b, c.Path)
		return
	}
	writePath(b, c.Path)
	if c.Not {
		b.WriteString(" NOT")
	}
	b.WriteByte(' ')
	b.WriteString(c.Op.String())
	b.WriteByte(' ')
	if c.Op == OpIn {
		b.WriteByte('(')
		for i, m := range c.Set {
			if i > 0 {
				b.WriteString(", ")
			}
			writeLiteral(b, m)
		}
		b.WriteByte(')')
		return
	}
	writeLiteral(b, c.Value)
}

// String returns the path as the canonical form prints it, such as
// "file:hashes.'SHA-256'".
func (p *ObjectPath) String() string {
	var b strings.Builder
	writePath(&b, p)
	return b.String()
}

func writePath(b *strings.Builder, p *ObjectPath) {
	b.WriteString(p.ObjectType)
	b.WriteByte(':')
	for i, s := range p.Steps {
		switch s.Kind {
		case StepKey:
			if i > 0 {
				b.WriteByte('.')
			}
			if isPlainPropertyName(s.Key) {
				b.WriteString(s.Key)
			} else {
				writeString(b, s.Key)
			}
		case StepIndex:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.Index))
			b.WriteByte(']')
		case StepAnyIndex:
			b.WriteString("[*]")
		}
	}
}

// isPlainPropertyName reports whether a key can be printed unquoted: an
// identifier without '-' that is not a keyword.
func isPlainPropertyName(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdentChar(s[i]) {
			return false
		}
	}
	if len(s) == 1 && (s == "h" || s == "b" || s == "t") {
		return true
	}
	_, kw := keyword(s)
	return !kw
}

func writeString(b *strings.Builder, s string) {
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('\'')
}

// String returns the literal as the canonical form prints it.
func (l Literal) String() string {
	var b strings.Builder
	writeLiteral(&b, l)
	return b.String()
}

func writeLiteral(b *strings.Builder, l Literal) {
	switch l.Kind {
	case LitString:
		writeString(b, l.Str)
	case LitInt:
		b.WriteString(strconv.FormatInt(l.Int, 10))
	case LitFloat:
		s := strconv.FormatFloat(l.Float, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		b.WriteString(s)
	case LitBool:
		b.WriteString(strconv.FormatBool(l.Bool))
	case LitBinary:
		b.WriteString("b'")
		b.WriteString(base64.StdEncoding.EncodeToString(l.Bytes))
		b.WriteByte('\'')
	case LitHex:
		b.WriteString("h'")
		b.WriteString(hex.EncodeToString(l.Bytes))
		b.WriteByte('\'')
	case LitTimestamp:
		writeTimestamp(b, l.Time)
	}
}

func writeTimestamp(b *strings.Builder, t time.Time) {
	b.WriteString("t'")
	b.WriteString(t.UTC().Format("2006-01-02T15:04:05.999999999Z"))
	b.WriteByte('\'')
}
