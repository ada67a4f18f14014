package stix

import (
	"strconv"
	"strings"
)

// sdoCommonProps are the common properties of SDOs and SROs (STIX 2.1
// section 3.2), in the order they are checked. language-content and
// extension-definition share them.
var sdoCommonProps = []prop{
	{"type", true, nil}, // checked before the spec is chosen
	{"spec_version", true, checkSpecVersion},
	{"id", true, checkID},
	{"created", true, checkTimestampMillis},
	{"modified", true, checkTimestampMillis},
	{"created_by_ref", false, checkRef(identityRef)},
	{"revoked", false, checkBool},
	{"labels", false, checkStringList},
	{"confidence", false, integer(0, 100)},
	{"lang", false, checkLang},
	{"external_references", false, listOf(checkExternalReference)},
	{"object_marking_refs", false, checkRefList(markingRef)},
	{"granular_markings", false, listOf(checkGranularMarking)},
	{"extensions", false, checkExtensions},
}

// scoCommonProps are the common properties of SCOs (STIX 2.1 section 3.2).
var scoCommonProps = []prop{
	{"type", true, nil},
	{"spec_version", false, checkSpecVersion},
	{"id", true, checkID},
	{"object_marking_refs", false, checkRefList(markingRef)},
	{"granular_markings", false, listOf(checkGranularMarking)},
	{"defanged", false, checkBool},
	{"extensions", false, checkExtensions},
}

// rule is a rule between the properties of one object.
type rule = func(c *ctx, m map[string]any) *ValidationError

// newSpec builds the spec of a STIX object type from its common and own
// properties.
func newSpec(name string, cl class, common []prop, rules rule, props ...prop) *typeSpec {
	all := make([]prop, 0, len(common)+len(props))
	all = append(append(all, common...), props...)
	s := &typeSpec{
		structSpec: structSpec{name: name, props: all, rules: rules, custom: true, topLevel: true},
		class:      cl,
		versioned:  cl == classSDO || cl == classSRO || cl == classMeta && name != "marking-definition",
	}
	if s.versioned {
		s.rules = chain(modifiedNotBeforeCreated, rules)
	}
	return s
}

func sdo(name string, rules rule, props ...prop) *typeSpec {
	return newSpec(name, classSDO, sdoCommonProps, rules, props...)
}

func sro(name string, rules rule, props ...prop) *typeSpec {
	return newSpec(name, classSRO, sdoCommonProps, rules, props...)
}

func sco(name string, rules rule, props ...prop) *typeSpec {
	return newSpec(name, classSCO, scoCommonProps, rules, props...)
}

// Custom object types: only the common properties are checked, and every
// other property follows the custom property rules.
var (
	customSDOSpec = newSpec("", classSDO, sdoCommonProps, nil)
	customSCOSpec = newSpec("", classSCO, scoCommonProps, nil)
)

func modifiedNotBeforeCreated(_ *ctx, m map[string]any) *ValidationError {
	return notBefore(m, "created", "modified", false)
}

func checkSpecVersion(_ *ctx, v any) *ValidationError {
	s, ok := v.(string)
	if !ok {
		return typeError("the string \"2.1\"", v)
	}
	if s != "2.1" {
		return errorf(quote(s) + " is not supported: this hub accepts STIX 2.1 objects, with spec_version \"2.1\"")
	}
	return nil
}

func checkID(c *ctx, v any) *ValidationError {
	s, ok := v.(string)
	if !ok {
		return typeError("an identifier string", v)
	}
	if p := identifierProblem(s); p != "" {
		return errorf(quote(s) + " is not an identifier: " + p)
	}
	if identifierType(s) != c.typ {
		return errorf("must start with " + quote(c.typ+"--") + " to match the object's type, found " + quote(s))
	}
	return nil
}

// checkStruct returns a checker of an embedded structure.
func checkStruct(s *structSpec) checker {
	return func(c *ctx, v any) *ValidationError {
		m, err := asObject(v)
		if err != nil {
			return err
		}
		return validateStruct(c, s, m)
	}
}

var externalReferenceSpec = structSpec{
	name: "external-reference",
	props: []prop{
		{"source_name", true, checkString},
		{"description", false, checkString},
		{"url", false, checkURL},
		{"hashes", false, checkHashes},
		{"external_id", false, checkString},
	},
	rules: externalReferenceRules,
}

func checkExternalReference(c *ctx, v any) *ValidationError {
	return checkStruct(&externalReferenceSpec)(c, v)
}

func externalReferenceRules(_ *ctx, m map[string]any) *ValidationError {
	if _, ok := m["description"]; !ok {
		if _, ok := m["url"]; !ok {
			if _, ok := m["external_id"]; !ok {
				return errorf("an external reference needs, besides source_name, at least one of description, url or external_id")
			}
		}
	}
	id, hasID := m["external_id"].(string)
	switch m["source_name"] {
	case "cve":
		if !hasID {
			return &ValidationError{Property: "external_id", Message: "required when source_name is \"cve\""}
		}
		if !isCVEID(id) {
			return &ValidationError{Property: "external_id", Message: quote(id) + " is not a CVE identifier like \"CVE-2021-44228\""}
		}
	case "capec":
		if !hasID {
			return &ValidationError{Property: "external_id", Message: "required when source_name is \"capec\""}
		}
		if n, ok := strings.CutPrefix(id, "CAPEC-"); !ok || !allDigits(n) {
			return &ValidationError{Property: "external_id", Message: quote(id) + " is not a CAPEC identifier like \"CAPEC-163\""}
		}
	}
	return nil
}

// isCVEID matches CVE-YYYY-NNNN: four digits, or more without a leading 0.
func isCVEID(s string) bool {
	rest, ok := strings.CutPrefix(s, "CVE-")
	if !ok || len(rest) < 9 || rest[4] != '-' || !allDigits(rest[:4]) {
		return false
	}
	n := rest[5:]
	return allDigits(n) && (len(n) == 4 || n[0] != '0')
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

var killChainPhaseSpec = structSpec{
	name: "kill-chain-phase",
	props: []prop{
		{"kill_chain_name", true, checkString},
		{"phase_name", true, checkString},
	},
}

var checkKillChainPhases = listOf(checkStruct(&killChainPhaseSpec))

var granularMarkingSpec = structSpec{
	name: "granular-marking",
	props: []prop{
		{"selectors", true, listOf(checkSelector)},
		{"lang", false, checkLang},
		{"marking_ref", false, checkRef(markingRef)},
	},
	rules: granularMarkingRules,
}

func checkGranularMarking(c *ctx, v any) *ValidationError {
	return checkStruct(&granularMarkingSpec)(c, v)
}

func granularMarkingRules(c *ctx, m map[string]any) *ValidationError {
	_, hasLang := m["lang"]
	ref, hasRef := m["marking_ref"]
	switch {
	case hasLang && hasRef:
		return &ValidationError{Property: "lang", Message: "must not be used together with marking_ref: a granular marking has either a marking_ref or a lang"}
	case !hasLang && !hasRef:
		return &ValidationError{Property: "marking_ref", Message: "required by granular-marking unless it has a lang"}
	}
	if hasRef && c.typ == "marking-definition" && ref == c.obj["id"] {
		return &ValidationError{Property: "marking_ref", Message: "a marking definition must not mark itself"}
	}
	return nil
}

// checkSelector checks a granular marking selector: its syntax, and that
// it selects something present in the object.
func checkSelector(c *ctx, v any) *ValidationError {
	s, ok := v.(string)
	if !ok {
		return typeError("a string", v)
	}
	if p := selectorProblem(c.obj, s); p != "" {
		return errorf(quote(s) + " is not a valid selector: " + p)
	}
	return nil
}

// selectorProblem follows selector sel (like "external_references.[0].url")
// in obj, and explains why it does not select anything, or returns "".
func selectorProblem(obj map[string]any, sel string) string {
	var cur any = obj
	for i, rest := 0, sel; ; i++ {
		seg, next, more := strings.Cut(rest, ".")
		switch {
		case seg == "":
			return "it has an empty part; parts are separated by single dots"
		case seg[0] == '[':
			if i == 0 {
				return "it must start with a property name"
			}
			n, err := strconv.Atoi(strings.TrimSuffix(seg[1:], "]"))
			if !strings.HasSuffix(seg, "]") || err != nil || n < 0 || !allDigits(seg[1:len(seg)-1]) {
				return quote(seg) + " is not a list index like [0]"
			}
			l, ok := cur.([]any)
			if !ok {
				return quote(seg) + " selects an item, but what it follows is not a list"
			}
			if n >= len(l) {
				return "the index " + seg + " is out of range: the list has " + strconv.Itoa(len(l)) + " items"
			}
			cur = l[n]
		default:
			if !isDictionaryKey(seg) {
				return quote(seg) + " is not a property name"
			}
			m, ok := cur.(map[string]any)
			if !ok {
				return quote(seg) + " selects a property, but what it follows is not an object"
			}
			v, ok := m[seg]
			if !ok {
				return "the object has no property " + quote(seg)
			}
			cur = v
		}
		if !more {
			return ""
		}
		rest = next
	}
}

// checkHashes checks the hashes type: a dictionary from hash algorithm
// names to hash values, with the values of the algorithms of
// hash-algorithm-ov checked for their length and digits.
func checkHashes(_ *ctx, v any) *ValidationError {
	m, err := asObject(v)
	if err != nil {
		return err
	}
	if len(m) == 0 {
		return errorf("must not be empty; leave the property out instead")
	}
	return firstInMap(m, func(alg string, hv any) *ValidationError {
		if err := hashProblem(alg, hv); err != nil {
			return err.under(alg)
		}
		return nil
	})
}

func hashProblem(alg string, v any) *ValidationError {
	s, ok := v.(string)
	if !ok {
		return typeError("a string", v)
	}
	if len(alg) < minNameLength || !isDictionaryKey(alg) {
		return errorf("is not a valid hash algorithm name: use MD5, SHA-1, SHA-256, SHA-512, SHA3-256, SHA3-512, SSDEEP or TLSH, or a custom name of 3 to 250 characters of a-z, A-Z, 0-9, \"-\" and \"_\"")
	}
	hexLength := 0
	switch alg {
	case "MD5":
		hexLength = 32
	case "SHA-1":
		hexLength = 40
	case "SHA-256", "SHA3-256":
		hexLength = 64
	case "SHA-512", "SHA3-512":
		hexLength = 128
	case "SSDEEP":
		if s == "" || len(s) > 128 || strings.IndexFunc(s, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '/' || r == '+' || r == ':' || r == '.')
		}) >= 0 {
			return errorf("must be an ssdeep hash: 1 to 128 characters of letters, digits, \"/\", \"+\", \":\" and \".\"")
		}
		return nil
	case "TLSH":
		if t, ok := strings.CutPrefix(s, "T1"); ok && len(t) == 70 {
			s = t
		}
		if len(s) != 70 || !isHex(s) {
			return errorf("must be a TLSH hash: 70 hexadecimal digits, optionally after \"T1\"")
		}
		return nil
	default:
		if s == "" {
			return errorf("must not be empty")
		}
		return nil
	}
	if len(s) != hexLength || !isHex(s) {
		return errorf("must be " + strconv.Itoa(hexLength) + " hexadecimal digits for " + alg + ", found " + quote(s))
	}
	return nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHexDigit(s[i]) {
			return false
		}
	}
	return true
}

// dictionaryOf checks a dictionary: a non-empty object whose keys are at
// most 250 characters of a-z, A-Z, 0-9, "-" and "_", and whose values pass
// value.
func dictionaryOf(value func(v any) *ValidationError) checker {
	return func(_ *ctx, v any) *ValidationError {
		m, err := asObject(v)
		if err != nil {
			return err
		}
		if len(m) == 0 {
			return errorf("must not be empty; leave the property out instead")
		}
		return firstInMap(m, func(k string, x any) *ValidationError {
			if !isDictionaryKey(k) {
				return &ValidationError{Property: k, Message: "is not a valid dictionary key: keys are at most 250 characters of a-z, A-Z, 0-9, \"-\" and \"_\""}
			}
			if err := value(x); err != nil {
				return err.under(k)
			}
			return nil
		})
	}
}

// Dictionary value rules.
func anyValue(v any) *ValidationError {
	switch x := v.(type) {
	case nil:
		return errorf("must not be null; leave the entry out instead")
	case []any:
		if len(x) == 0 {
			return errorf("must not be an empty list; leave the entry out instead")
		}
	}
	return nil
}

func anyValueOrNull(v any) *ValidationError {
	if v == nil {
		return nil
	}
	return anyValue(v)
}

func stringValue(v any) *ValidationError { return checkString(nil, v) }

func integerValue(v any) *ValidationError { return checkInteger(nil, v) }

func stringOrInteger(v any) *ValidationError {
	if _, ok := v.(string); ok {
		return nil
	}
	if _, ok, _ := asInteger(v); ok {
		return checkInteger(nil, v)
	}
	return typeError("a string or an integer", v)
}

func stringOrStringList(v any) *ValidationError {
	if _, ok := v.(string); ok {
		return nil
	}
	if _, ok := v.([]any); ok {
		return checkStringList(nil, v)
	}
	return typeError("a string or a list of strings", v)
}

var checkDictionary = dictionaryOf(anyValue)
