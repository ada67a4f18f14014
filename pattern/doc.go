// Package pattern implements the STIX 2.1 patterning language (STIX 2.1
// §9): a hand-written parser with position-accurate errors, a canonical
// printer, validation warnings for undefined object types and properties,
// and an evaluator that matches patterns against observed-data. The
// indicator package compiles large sets of indicators into an index built
// on this one's rules (AddressBlock, HashAlgorithm, HashKey, Walker).
//
// # Parsing
//
// Parse accepts every pattern of the grammar STIXPattern.g4 and reports the
// first error as a *SyntaxError carrying the byte offset, the line and the
// column (both 1-based, the column counted in characters). Literals are
// checked when parsed: malformed timestamps, base64 or hex, REPEATS 0,
// WITHIN 0, an IN set mixing types,
// an ISSUBSET or ISSUPERSET operand that is not an IP address or CIDR
// block, and a MATCHES expression that Go's RE2 engine cannot run
// (back-references, look-around, atomic groups, possessive quantifiers)
// are errors, never silent non-matches. (*Pattern).String prints the
// canonical form, which parses back to the same pattern.
//
// # Validation
//
// Validate reports, as warnings, object types that STIX 2.1 does not define
// (custom types are legitimate and evaluate like the others), properties a
// defined type does not have (with the closest defined name when one is
// near, e.g. file:hashs → hashes), hash algorithm names outside the STIX
// vocabulary, hash values of the wrong length, and START/STOP windows that
// are empty (STOP not after START: such a window parses, as it does in the
// OASIS reference matcher, and matches nothing).
//
// # Evaluation
//
// ObservationsFromObjects turns a bundle's objects into Observations: each
// STIX 2.1 observed-data with the objects its object_refs name, or a STIX
// 2.0-style observed-data with embedded objects. (*Pattern).Match finds a
// set of observations that satisfies the whole pattern, with the semantics
// described on Match.
//
// Comparison semantics, where the specification leaves room for a choice,
// are stated in value.go and on Match, following the OASIS reference
// matcher (cti-pattern-matcher) where it decides: a type mismatch makes a
// comparison false except "!=", which is true (NOT negating the result); a
// JSON null is a value of no type; a missing path is false even under NOT;
// LIKE and MATCHES compare Unicode NFC forms, and apply to the decoded
// bytes of binary properties; IP address values compare as address
// blocks, domain names without regard to ASCII case, hex hash values
// without regard to case.
//
// # Limits
//
// Patterns come from other organisations, so every cost is bounded:
// MaxPatternLength bytes, MaxDepth levels of nesting, MaxComparisons
// comparisons, MaxSetSize members in an IN set, MaxRegexLength bytes per
// regular expression, REPEATS at most MaxRepeats, at most MaxBindingSize
// observations needed by one match, and MaxEvalSteps units of work per
// call to Match; past the last one Match returns an error wrapping
// ErrEvalLimit, never a silent false. Regular expressions run on RE2, in
// time linear in the input.
package pattern
