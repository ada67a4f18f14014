// Package attest reads what suppliers publish about their products:
// OpenSSF Scorecard results, in-toto statements in DSSE envelopes or
// Sigstore bundles (SLSA provenance v0.2 and v1, SLSA verification
// summaries), with their signatures checked against configured keys, and
// CycloneDX attestations (CDXA declarations: claims, evidence,
// conformance, confidence, expiry). Each reader bounds its input and
// returns an error rather than a partial result.
package attest

import "errors"

// MaxBytes bounds one document given to any reader of this package.
const MaxBytes = 16 << 20

// ErrTooLarge is returned (wrapped) for input over MaxBytes or over a
// count limit.
var ErrTooLarge = errors.New("attest: input over the limits")
