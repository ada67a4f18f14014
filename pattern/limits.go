package pattern

import "errors"

// Limits on what Parse accepts and on the work Match does. They bound the
// cost of patterns received from other organisations.
const (
	// MaxPatternLength is the longest pattern Parse accepts, in bytes.
	MaxPatternLength = 64 << 10
	// MaxDepth is the deepest nesting of brackets and parentheses.
	MaxDepth = 64
	// MaxComparisons is the largest number of comparisons in one pattern.
	MaxComparisons = 1024
	// MaxSetSize is the largest number of members of an IN set.
	MaxSetSize = 4096
	// MaxRegexLength is the longest MATCHES or LIKE operand, in bytes.
	MaxRegexLength = 4096
	// MaxRepeats is the largest count REPEATS accepts.
	MaxRepeats = 1000
	// MaxBindingSize is the largest number of observations one match of a
	// pattern may need (REPEATS multiplies, AND and FOLLOWEDBY add).
	MaxBindingSize = 10000
	// MaxEvalSteps bounds the work of one call to Match: object path steps,
	// comparisons and candidate observations tried by the search.
	MaxEvalSteps = 1 << 22
)

// ErrEvalLimit is wrapped by the error Match returns when the evaluation
// would need more than MaxEvalSteps steps.
var ErrEvalLimit = errors.New("evaluation limit exceeded")
