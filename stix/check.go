package stix

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// checker validates one property value. The error's Property is relative
// to the value: "" for the value itself, "[2]" or "source_name" below it;
// the caller puts the property's own name in front.
type checker func(c *ctx, v any) *ValidationError

// ctx is what checkers may need to know about the object being validated.
type ctx struct {
	typ      string         // the object's type
	obj      map[string]any // the whole object
	class    class
	defanged bool // the SCO says its values are defanged
}

// errorf returns an error about the value being checked.
func errorf(msg string) *ValidationError {
	return &ValidationError{Message: msg}
}

// under puts parent in front of the error's property path.
func (e *ValidationError) under(parent string) *ValidationError {
	switch {
	case e.Property == "":
		e.Property = parent
	case e.Property[0] == '[':
		e.Property = parent + e.Property
	default:
		e.Property = parent + "." + e.Property
	}
	return e
}

// at puts a list index in front of the error's property path.
func (e *ValidationError) at(i int) *ValidationError {
	return e.under("[" + strconv.Itoa(i) + "]")
}

// kindOf names the JSON type of a decoded value.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "an unsupported Go value"
}

func typeError(want string, v any) *ValidationError {
	return errorf("must be " + want + ", not " + kindOf(v))
}

func checkString(_ *ctx, v any) *ValidationError {
	if _, ok := v.(string); !ok {
		return typeError("a string", v)
	}
	return nil
}

func checkNonEmptyString(_ *ctx, v any) *ValidationError {
	s, ok := v.(string)
	if !ok {
		return typeError("a string", v)
	}
	if s == "" {
		return errorf("must not be empty")
	}
	return nil
}

func checkBool(_ *ctx, v any) *ValidationError {
	if _, ok := v.(bool); !ok {
		return typeError("true or false", v)
	}
	return nil
}

// asList returns v as a non-empty list: the spec prohibits empty lists.
func asList(v any) ([]any, *ValidationError) {
	l, ok := v.([]any)
	if !ok {
		return nil, typeError("a list", v)
	}
	if len(l) == 0 {
		return nil, errorf("must not be an empty list; leave the property out instead")
	}
	return l, nil
}

// asObject returns v as an object.
func asObject(v any) (map[string]any, *ValidationError) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, typeError("an object", v)
	}
	return m, nil
}

// listOf checks a non-empty list whose items all pass item.
func listOf(item checker) checker {
	return func(c *ctx, v any) *ValidationError {
		l, err := asList(v)
		if err != nil {
			return err
		}
		for i, x := range l {
			if err := item(c, x); err != nil {
				return err.at(i)
			}
		}
		return nil
	}
}

// checkStringList checks a non-empty list of strings, such as an open
// vocabulary list.
var checkStringList = listOf(checkString)

// STIX integers must fit in a signed 54-bit value (STIX 2.1, integer type).
const (
	minInteger = -(1 << 53) + 2
	maxInteger = 1<<53 - 2
)

// asInteger returns the integer value of a decoded number. A number with a
// fraction or an exponent is accepted when its value is a whole number.
// ok is false when v is not a number; inRange is false when it is a number
// but not a whole number within the STIX integer range.
func asInteger(v any) (n int64, ok, inRange bool) {
	var f float64
	switch x := v.(type) {
	case json.Number:
		s := string(x)
		if !strings.ContainsAny(s, ".eE") {
			i, err := strconv.ParseInt(s, 10, 64)
			return i, true, err == nil && i >= minInteger && i <= maxInteger
		}
		var err error
		if f, err = strconv.ParseFloat(s, 64); err != nil {
			return 0, true, false
		}
	case float64:
		f = x
	case float32:
		f = float64(x)
	case int:
		return int64(x), true, x >= minInteger && x <= maxInteger
	case int8:
		return int64(x), true, true
	case int16:
		return int64(x), true, true
	case int32:
		return int64(x), true, true
	case uint8:
		return int64(x), true, true
	case uint16:
		return int64(x), true, true
	case uint32:
		return int64(x), true, true
	case int64:
		return x, true, x >= minInteger && x <= maxInteger
	case uint:
		return int64(x), true, x <= maxInteger
	case uint64:
		return int64(x), true, x <= maxInteger
	default:
		return 0, false, false
	}
	if f != math.Trunc(f) || f < minInteger || f > maxInteger {
		return 0, true, false
	}
	return int64(f), true, true
}

// asNumber returns the value of a decoded number, if it is finite.
func asNumber(v any) (f float64, ok, finite bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		return f, true, err == nil
	case float64:
		return x, true, !math.IsInf(x, 0) && !math.IsNaN(x)
	case float32:
		return float64(x), true, !math.IsInf(float64(x), 0) && !math.IsNaN(float64(x))
	}
	if i, ok, _ := asInteger(v); ok {
		return float64(i), true, true
	}
	return 0, false, false
}

// integer checks a whole number from min to max.
func integer(min, max int64) checker {
	return func(_ *ctx, v any) *ValidationError {
		n, ok, inRange := asInteger(v)
		if !ok {
			return typeError("an integer", v)
		}
		if !inRange || n < min || n > max {
			return errorf(rangeMessage(min, max))
		}
		return nil
	}
}

func rangeMessage(min, max int64) string {
	switch {
	case min == minInteger && max == maxInteger:
		return "must be a whole number from " + strconv.FormatInt(min, 10) + " to " + strconv.FormatInt(max, 10)
	case max == maxInteger:
		return "must be a whole number of at least " + strconv.FormatInt(min, 10)
	}
	return "must be a whole number from " + strconv.FormatInt(min, 10) + " to " + strconv.FormatInt(max, 10)
}

var (
	checkInteger        = integer(minInteger, maxInteger)
	checkNonNegativeInt = integer(0, maxInteger)
)

// number checks a finite number from min to max; an infinite bound means
// no bound.
func number(min, max float64) checker {
	msg := "must be a finite number"
	switch {
	case !math.IsInf(min, 0) && !math.IsInf(max, 0):
		msg = "must be a number from " + strconv.FormatFloat(min, 'f', -1, 64) + " to " + strconv.FormatFloat(max, 'f', -1, 64)
	case !math.IsInf(min, 0):
		msg = "must be a number of at least " + strconv.FormatFloat(min, 'f', -1, 64)
	}
	return func(_ *ctx, v any) *ValidationError {
		f, ok, finite := asNumber(v)
		if !ok {
			return typeError("a number", v)
		}
		if !finite || f < min || f > max {
			return errorf(msg)
		}
		return nil
	}
}

// Timestamp precisions.
const (
	anyPrecision = iota
	millisecondPrecision
	secondPrecision
)

// timestampOf checks a STIX timestamp with the given precision.
func timestampOf(precision int) checker {
	return func(_ *ctx, v any) *ValidationError {
		s, ok := v.(string)
		if !ok {
			return typeError("a timestamp string like "+quote(timestampExample), v)
		}
		_, frac, reason := parseTimestamp(s)
		switch {
		case reason != "":
			return errorf("invalid timestamp " + quote(s) + ": " + reason)
		case precision == millisecondPrecision && frac < 3:
			return errorf("must be precise to the millisecond, with at least three digits after the seconds, like " + quote(timestampExample) + "; got " + quote(s))
		case precision == secondPrecision && frac > 0:
			return errorf("must be precise to the second, without a fraction, like \"2016-05-12T08:17:27Z\"; got " + quote(s))
		}
		return nil
	}
}

var (
	checkTimestamp        = timestampOf(anyPrecision)
	checkTimestampMillis  = timestampOf(millisecondPrecision)
	checkTimestampSeconds = timestampOf(secondPrecision)
)

// timeValue is a parsed timestamp and its text.
type timeValue struct {
	t time.Time
	s string
}

// timeOf returns the time of a timestamp property already checked.
func timeOf(m map[string]any, name string) (t timeValue, ok bool) {
	s, ok := m[name].(string)
	if !ok {
		return t, false
	}
	tt, _, reason := parseTimestamp(s)
	return timeValue{tt, s}, reason == ""
}

// notBefore checks that the timestamp later is not before earlier (or, if
// strict, is after it), when both are present.
func notBefore(m map[string]any, earlier, later string, strict bool) *ValidationError {
	a, ok1 := timeOf(m, earlier)
	b, ok2 := timeOf(m, later)
	if !ok1 || !ok2 {
		return nil
	}
	if strict && !b.t.After(a.t) {
		return &ValidationError{Property: later, Message: "must be later than " + earlier + " (" + a.s + ")"}
	}
	if b.t.Before(a.t) {
		return &ValidationError{Property: later, Message: "must not be earlier than " + earlier + " (" + a.s + ")"}
	}
	return nil
}

// enum checks a value of a closed vocabulary (an "-enum" in the spec).
func enum(values ...string) checker {
	return func(_ *ctx, v any) *ValidationError {
		s, ok := v.(string)
		if !ok {
			return typeError("a string", v)
		}
		for _, x := range values {
			if s == x {
				return nil
			}
		}
		return errorf(quote(s) + " is not one of the allowed values: " + strings.Join(values, ", "))
	}
}

// checkHex checks the hex type: an even number of hexadecimal digits.
func checkHex(_ *ctx, v any) *ValidationError {
	s, ok := v.(string)
	if !ok {
		return typeError("a string of hexadecimal digits", v)
	}
	if s == "" || len(s)%2 != 0 {
		return errorf("must be an even number of hexadecimal digits, like \"4d5a\"")
	}
	for i := 0; i < len(s); i++ {
		if !isHexDigit(s[i]) {
			return errorf("must contain only hexadecimal digits (0-9, a-f), found " + quote(s[i:i+1]))
		}
	}
	return nil
}

// checkBinary checks the binary type: base64 (RFC 4648) with padding.
func checkBinary(_ *ctx, v any) *ValidationError {
	s, ok := v.(string)
	if !ok {
		return typeError("a base64 string", v)
	}
	if !isBase64(s) {
		return errorf("must be base64 (RFC 4648, with \"=\" padding to a multiple of 4 characters)")
	}
	return nil
}

func isBase64(s string) bool {
	if s == "" || len(s)%4 != 0 {
		return false
	}
	pad := 0
	if s[len(s)-1] == '=' {
		pad++
		if s[len(s)-2] == '=' {
			pad++
		}
	}
	for i := 0; i < len(s)-pad; i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

// checkURL checks a URL: a scheme and no white space or control characters.
// Defanged SCOs are exempt, since defanging breaks URLs on purpose.
func checkURL(c *ctx, v any) *ValidationError {
	s, ok := v.(string)
	if !ok {
		return typeError("a string", v)
	}
	if c != nil && c.defanged {
		return nil
	}
	if p := urlProblem(s); p != "" {
		return errorf(quote(s) + " is not a valid URL: " + p)
	}
	return nil
}

func urlProblem(s string) string {
	colon := strings.IndexByte(s, ':')
	if colon < 1 {
		return "it needs a scheme, like \"https://\""
	}
	if c := s[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return "the scheme must start with a letter"
	}
	for i := 1; i < colon; i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return "it needs a scheme, like \"https://\""
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			return "it contains white space or a control character; encode them, like %20"
		}
	}
	return ""
}

// checkLang checks a language tag (RFC 5646) by its shape: a primary
// language subtag of 2 to 8 letters (or "i" or "x"), then subtags of 1 to 8
// letters and digits, separated by "-".
func checkLang(_ *ctx, v any) *ValidationError {
	s, ok := v.(string)
	if !ok {
		return typeError("a language tag string like \"en\" or \"fr-CA\"", v)
	}
	if !isLanguageTag(s) {
		return errorf(quote(s) + " is not an RFC 5646 language tag, like \"en\" or \"fr-CA\"")
	}
	return nil
}

func isLanguageTag(s string) bool {
	for i := 0; ; i++ {
		part, rest, more := strings.Cut(s, "-")
		if len(part) == 0 || len(part) > 8 {
			return false
		}
		for j := 0; j < len(part); j++ {
			c := part[j]
			letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
			if !letter && (i == 0 || !isDigit(c)) {
				return false
			}
		}
		if i == 0 && len(part) == 1 && !strings.EqualFold(part, "x") && !strings.EqualFold(part, "i") {
			return false
		}
		if !more {
			return true
		}
		s = rest
	}
}

// pattern checks a string against a simple predicate.
func pattern(ok func(string) bool, what string) checker {
	return func(_ *ctx, v any) *ValidationError {
		s, isString := v.(string)
		if !isString {
			return typeError("a string", v)
		}
		if !ok(s) {
			return errorf(quote(s) + " is not " + what)
		}
		return nil
	}
}

// refRule says which object types a reference may point to.
type refRule struct {
	allow func(typ string) bool
	want  string // what the reference must point to, for messages
}

// refTo allows references to the given types only.
func refTo(types ...string) refRule {
	return refRule{
		allow: func(t string) bool {
			for _, x := range types {
				if t == x {
					return true
				}
			}
			return false
		},
		want: "an object of type " + strings.Join(types, " or "),
	}
}

// Reference rules by object class. Custom types count as whatever the rule
// allows besides the predefined types, since nothing tells their class.
var (
	anyRef = refRule{
		allow: func(t string) bool { return t != "bundle" },
		want:  "a STIX object",
	}
	sdoRef = refRule{
		allow: func(t string) bool { return !IsSCOType(t) && !IsSROType(t) && !isMetaType(t) && t != "bundle" },
		want:  "a STIX Domain Object",
	}
	scoRef = refRule{
		allow: func(t string) bool { return !IsSDOType(t) && !IsSROType(t) && !isMetaType(t) && t != "bundle" },
		want:  "a STIX Cyber-observable Object",
	}
	scoOrSRORef = refRule{
		allow: func(t string) bool { return !IsSDOType(t) && !isMetaType(t) && t != "bundle" },
		want:  "a STIX Cyber-observable Object or a relationship or sighting",
	}
	sdoOrSCORef = refRule{
		allow: func(t string) bool { return !IsSROType(t) && !isMetaType(t) && t != "bundle" },
		want:  "a STIX Domain Object or Cyber-observable Object",
	}
	identityRef = refTo("identity")
	markingRef  = refTo("marking-definition")
)

// checkRef checks an identifier that must point to an object r allows.
func checkRef(r refRule) checker {
	return func(_ *ctx, v any) *ValidationError {
		s, ok := v.(string)
		if !ok {
			return typeError("an identifier string", v)
		}
		return refProblem(r, s)
	}
}

func refProblem(r refRule, s string) *ValidationError {
	if p := identifierProblem(s); p != "" {
		return errorf(quote(s) + " is not an identifier: " + p)
	}
	if t := identifierType(s); !r.allow(t) {
		return errorf("must reference " + r.want + ", not an object of type " + t)
	}
	return nil
}

// checkRefList checks a non-empty list of references.
func checkRefList(r refRule) checker {
	return listOf(checkRef(r))
}
