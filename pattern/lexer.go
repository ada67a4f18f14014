package pattern

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// tokenKind is the kind of a lexical token of the grammar STIXPattern.g4.
type tokenKind uint8

const (
	tEOF tokenKind = iota
	tIdent
	tString
	tInt
	tFloat
	tBool
	tBinary
	tHex
	tTimestamp
	tAND
	tOR
	tNOT
	tFOLLOWEDBY
	tLIKE
	tMATCHES
	tISSUPERSET
	tISSUBSET
	tEXISTS
	tLAST
	tIN
	tSTART
	tSTOP
	tSECONDS
	tTRUE
	tFALSE
	tWITHIN
	tREPEATS
	tTIMES
	tEQ
	tNEQ
	tLT
	tLE
	tGT
	tGE
	tColon
	tDot
	tComma
	tLParen
	tRParen
	tLBrack
	tRBrack
	tStar
)

// keywords maps the reserved words, which are case-sensitive, to their kinds.
func keyword(s string) (tokenKind, bool) {
	switch s {
	case "AND":
		return tAND, true
	case "OR":
		return tOR, true
	case "NOT":
		return tNOT, true
	case "FOLLOWEDBY":
		return tFOLLOWEDBY, true
	case "LIKE":
		return tLIKE, true
	case "MATCHES":
		return tMATCHES, true
	case "ISSUPERSET":
		return tISSUPERSET, true
	case "ISSUBSET":
		return tISSUBSET, true
	case "EXISTS":
		return tEXISTS, true
	case "LAST":
		return tLAST, true
	case "IN":
		return tIN, true
	case "START":
		return tSTART, true
	case "STOP":
		return tSTOP, true
	case "SECONDS":
		return tSECONDS, true
	case "true":
		return tTRUE, true
	case "false":
		return tFALSE, true
	case "WITHIN":
		return tWITHIN, true
	case "REPEATS":
		return tREPEATS, true
	case "TIMES":
		return tTIMES, true
	}
	return 0, false
}

// token is one lexical token: its kind and its extent in the source.
type token struct {
	kind tokenKind
	pos  int
	end  int
	text string
}

// describe renders a token for "found ..." in error messages.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of pattern"
	case tIdent:
		return "identifier " + strconv.Quote(t.text)
	}
	text := t.text
	if len(text) > 40 {
		text = text[:37] + "..."
	}
	return strconv.Quote(text)
}

// tokenName is how an expected token kind is named in error messages.
func tokenName(k tokenKind) string {
	switch k {
	case tEOF:
		return "end of pattern"
	case tIdent:
		return "identifier"
	case tString:
		return "string literal"
	case tInt:
		return "integer"
	case tFloat:
		return "float"
	case tBool:
		return "boolean"
	case tBinary:
		return "binary literal b'...'"
	case tHex:
		return "hex literal h'...'"
	case tTimestamp:
		return "timestamp literal t'...'"
	case tEQ:
		return "'='"
	case tNEQ:
		return "'!='"
	case tLT:
		return "'<'"
	case tLE:
		return "'<='"
	case tGT:
		return "'>'"
	case tGE:
		return "'>='"
	case tColon:
		return "':'"
	case tDot:
		return "'.'"
	case tComma:
		return "','"
	case tLParen:
		return "'('"
	case tRParen:
		return "')'"
	case tLBrack:
		return "'['"
	case tRBrack:
		return "']'"
	case tStar:
		return "'*'"
	}
	for _, kw := range []string{"AND", "OR", "NOT", "FOLLOWEDBY", "LIKE", "MATCHES", "ISSUPERSET", "ISSUBSET", "EXISTS", "LAST", "IN", "START", "STOP", "SECONDS", "true", "false", "WITHIN", "REPEATS", "TIMES"} {
		if kk, _ := keyword(kw); kk == k {
			return kw
		}
	}
	return fmt.Sprintf("token %d", k)
}

// lexer splits a pattern into tokens, skipping whitespace and comments.
type lexer struct {
	src string
	pos int
}

// isSpace reports whether r is whitespace in the grammar's WS rule.
func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\r', '\n', '\v', '\f', 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || (c >= '0' && c <= '9')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// skip moves past whitespace and comments.
func (l *lexer) skip() *SyntaxError {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c < utf8.RuneSelf && isSpace(rune(c)):
			l.pos++
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(l.src[l.pos:])
			if !isSpace(r) {
				return nil
			}
			l.pos += n
		case c == '/' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '*':
			end := indexFrom(l.src, "*/", l.pos+2)
			if end < 0 {
				return errorAt(l.src, l.pos, "unterminated comment: missing */")
			}
			l.pos = end + 2
		case c == '/' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '/':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' && l.src[l.pos] != '\r' {
				l.pos++
			}
		default:
			return nil
		}
	}
	return nil
}

func indexFrom(s, sub string, from int) int {
	for i := from; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// next returns the next token.
func (l *lexer) next() (token, *SyntaxError) {
	if err := l.skip(); err != nil {
		return token{}, err
	}
	start := l.pos
	if start >= len(l.src) {
		return token{kind: tEOF, pos: start, end: start}, nil
	}
	c := l.src[start]
	tok := func(k tokenKind, n int) (token, *SyntaxError) {
		l.pos = start + n
		return token{kind: k, pos: start, end: l.pos, text: l.src[start:l.pos]}, nil
	}
	peek := func(i int) byte {
		if start+i < len(l.src) {
			return l.src[start+i]
		}
		return 0
	}
	switch c {
	case ':':
		return tok(tColon, 1)
	case ',':
		return tok(tComma, 1)
	case '(':
		return tok(tLParen, 1)
	case ')':
		return tok(tRParen, 1)
	case '[':
		return tok(tLBrack, 1)
	case ']':
		return tok(tRBrack, 1)
	case '*':
		return tok(tStar, 1)
	case '=':
		if peek(1) == '=' {
			return tok(tEQ, 2)
		}
		return tok(tEQ, 1)
	case '!':
		if peek(1) == '=' {
			return tok(tNEQ, 2)
		}
		return token{}, errorAt(l.src, start, "unexpected character '!' (did you mean '!='?)")
	case '<':
		switch peek(1) {
		case '=':
			return tok(tLE, 2)
		case '>':
			return tok(tNEQ, 2)
		}
		return tok(tLT, 1)
	case '>':
		if peek(1) == '=' {
			return tok(tGE, 2)
		}
		return tok(tGT, 1)
	case '\'':
		return l.stringLiteral(start)
	case '.':
		if isDigit(peek(1)) {
			return l.number(start)
		}
		return tok(tDot, 1)
	case '+', '-':
		if isDigit(peek(1)) || (peek(1) == '.' && isDigit(peek(2))) {
			return l.number(start)
		}
	}
	if isDigit(c) {
		return l.number(start)
	}
	if isIdentStart(c) {
		if (c == 'h' || c == 'b' || c == 't') && peek(1) == '\'' {
			return l.typedLiteral(start, c)
		}
		i := start + 1
		for i < len(l.src) && (isIdentChar(l.src[i]) || l.src[i] == '-') {
			i++
		}
		l.pos = i
		text := l.src[start:i]
		if k, ok := keyword(text); ok {
			if k == tTRUE || k == tFALSE {
				return token{kind: tBool, pos: start, end: i, text: text}, nil
			}
			return token{kind: k, pos: start, end: i, text: text}, nil
		}
		return token{kind: tIdent, pos: start, end: i, text: text}, nil
	}
	r, _ := utf8.DecodeRuneInString(l.src[start:])
	if r == utf8.RuneError {
		return token{}, errorAt(l.src, start, "invalid UTF-8 in pattern")
	}
	return token{}, errorAt(l.src, start, "unexpected character %q", r)
}

// stringLiteral scans '...' in which only \' and \\ are escapes.
func (l *lexer) stringLiteral(start int) (token, *SyntaxError) {
	i := start + 1
	for i < len(l.src) {
		switch l.src[i] {
		case '\'':
			l.pos = i + 1
			return token{kind: tString, pos: start, end: l.pos, text: l.src[start:l.pos]}, nil
		case '\\':
			if i+1 >= len(l.src) {
				return token{}, errorAt(l.src, start, "unterminated string literal")
			}
			if n := l.src[i+1]; n != '\'' && n != '\\' {
				r, _ := utf8.DecodeRuneInString(l.src[i+1:])
				return token{}, errorAt(l.src, i, "invalid escape \\%c in string literal: only \\' and \\\\ are escapes (write \\\\%c for a backslash)", r, r)
			}
			i += 2
		default:
			i++
		}
	}
	return token{}, errorAt(l.src, start, "unterminated string literal: missing closing '")
}

// typedLiteral scans h'...', b'...' and t'...'; their content is checked
// by the parser, which knows where each character is.
func (l *lexer) typedLiteral(start int, c byte) (token, *SyntaxError) {
	end := indexFrom(l.src, "'", start+2)
	if end < 0 {
		return token{}, errorAt(l.src, start, "unterminated %c'...' literal: missing closing '", c)
	}
	l.pos = end + 1
	kind := tTimestamp
	switch c {
	case 'h':
		kind = tHex
	case 'b':
		kind = tBinary
	}
	return token{kind: kind, pos: start, end: l.pos, text: l.src[start:l.pos]}, nil
}

// number scans the grammar's IntPos/IntNeg/FloatPos/FloatNeg literals.
func (l *lexer) number(start int) (token, *SyntaxError) {
	i := start
	if l.src[i] == '+' || l.src[i] == '-' {
		i++
	}
	digits := i
	for i < len(l.src) && isDigit(l.src[i]) {
		i++
	}
	intEnd := i
	if i+1 < len(l.src) && l.src[i] == '.' && isDigit(l.src[i+1]) {
		i++
		for i < len(l.src) && isDigit(l.src[i]) {
			i++
		}
		l.pos = i
		return token{kind: tFloat, pos: start, end: i, text: l.src[start:i]}, nil
	}
	if intEnd-digits > 1 && l.src[digits] == '0' {
		return token{}, errorAt(l.src, start, "integer %s has a leading zero", l.src[start:intEnd])
	}
	l.pos = intEnd
	return token{kind: tInt, pos: start, end: intEnd, text: l.src[start:intEnd]}, nil
}
