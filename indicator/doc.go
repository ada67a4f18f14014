// Package indicator compiles STIX indicators into an Index that answers,
// for an observable the sensor has just read or for a set of observations,
// which indicators it touches, without evaluating every pattern.
//
// An Index files indicators under the observables their patterns require,
// in flat hash tables: hashes as fixed-size digests, IP addresses as
// fixed-size keys, domain names, URLs (NormalizeURL), e-mail addresses and
// file names as strings; CIDR blocks by prefix length or in prefix tables.
// Lookup serves the sensor, one observable at a time, without allocating
// or locking; Match gives, for a set of observations, exactly the
// indicators that (*pattern.Pattern).Match would find, evaluating in full
// only the candidates a key points to.
//
// The patterning language itself (parsing, validation, evaluation) is the
// pattern package's; the Index takes its comparison rules from there
// (pattern.AddressBlock, pattern.HashAlgorithm, pattern.HashKey and
// pattern.Walker), so that its keys never disagree with the evaluator.
package indicator
