package indicator

import (
	"encoding/hex"
	"net/netip"
	"strings"

	"github.com/vigie-cti/vigie/pattern"
)

// table names one of the Index's key tables.
type table uint8

const (
	tabIP     table = iota // = and IN on addresses and blocks
	tabIPSub               // ISSUBSET operands
	tabIPSup               // ISSUPERSET operands
	tabHash                // hash digests
	tabDomain              // domain-name:value, lower case
	tabURL                 // url:value, NormalizeURL
	tabEmail               // email-addr:value, lower case
	tabFile                // file:name, exact
	tabOther               // any other string equality, lower case
	numTables
)

// key is one entry an indicator files in a table: a value that an
// observation must contain, on path, for the indicator to match.
type key struct {
	tab table
	pfx netip.Prefix // IP tables
	alg string       // tabHash: the vocabulary name, or the folded spelling
	// s is the string key; for tabHash, the digest bytes when digest is
	// set, else hashOtherKey.
	s      string
	digest bool
	path   *pattern.ObjectPath
}

// canonical reports whether the key's path is one that Index.Match reads
// from every root object directly, instead of resolving a registered path.
func (k key) canonical() bool {
	p := k.path
	if k.tab == tabHash {
		return len(p.Steps) == 2 && p.Steps[0].Kind == pattern.StepKey && p.Steps[0].Key == "hashes" && p.Steps[1].Kind == pattern.StepKey
	}
	if len(p.Steps) != 1 || p.Steps[0].Kind != pattern.StepKey {
		return false
	}
	t, prop := p.ObjectType, p.Steps[0].Key
	switch k.tab {
	case tabIP, tabIPSub, tabIPSup:
		return prop == "value" && (t == "ipv4-addr" || t == "ipv6-addr")
	case tabDomain, tabURL, tabEmail, tabFile:
		return true // only built for their canonical paths
	}
	return false
}

// hashKind maps a vocabulary algorithm name to its observable kind.
func hashKind(alg string) ObservableKind {
	switch alg {
	case "MD5":
		return KindMD5
	case "SHA-1":
		return KindSHA1
	case "SHA-256":
		return KindSHA256
	case "SHA-512":
		return KindSHA512
	case "SHA3-256":
		return KindSHA3_256
	case "SHA3-512":
		return KindSHA3_512
	case "SSDEEP":
		return KindSSDEEP
	case "TLSH":
		return KindTLSH
	}
	return 0
}

// digest decodes a hash value to bytes when it is a hex digest of one of
// the algorithms with a table of their own (MD5, SHA-1, SHA-256, SHA-512);
// the length of the result tells the algorithm.
func digest(alg, v string) ([]byte, bool) {
	switch alg {
	case "MD5", "SHA-1", "SHA-256", "SHA-512":
	default:
		return nil, false
	}
	n, _ := pattern.HashDigits(alg)
	if len(v) != n || !isHex(v) {
		return nil, false
	}
	b, err := hex.DecodeString(v)
	return b, err == nil
}

// hashOtherKey is the tabHash key of a value that is not a digest of its
// algorithm's length: hex strings fold case, like the evaluator.
func hashOtherKey(alg, v string) string {
	if isHex(v) {
		v = lowerASCII(v)
	}
	return alg + "\x00" + v
}

// comparisonKeys returns the keys one of which any value satisfying c
// must have; ok is false when c cannot be indexed (negation, operators
// other than =, IN, ISSUBSET and ISSUPERSET, non-string constants, binary
// properties).
func comparisonKeys(c *pattern.Comparison) (keys []key, ok bool) {
	if c.Not {
		return nil, false
	}
	switch c.Op {
	case pattern.OpIsSubset:
		return []key{{tab: tabIPSub, pfx: c.Prefix(), path: c.Path}}, true
	case pattern.OpIsSuperset:
		return []key{{tab: tabIPSup, pfx: c.Prefix(), path: c.Path}}, true
	case pattern.OpEqual:
		k, ok := literalKey(c.Path, &c.Value)
		return []key{k}, ok
	case pattern.OpIn:
		keys = make([]key, 0, len(c.Set))
		for i := range c.Set {
			k, ok := literalKey(c.Path, &c.Set[i])
			if !ok {
				return nil, false
			}
			keys = append(keys, k)
		}
		return keys, true
	}
	return nil, false
}

// literalKey classifies the constant of an equality on path. Each key is
// coarser than the evaluator's equality: values the evaluator finds equal
// always share the key.
func literalKey(path *pattern.ObjectPath, lit *pattern.Literal) (key, bool) {
	k := key{path: path}
	if lit.Kind != pattern.LitString {
		return k, false
	}
	steps := path.Steps
	last := ""
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i].Kind == pattern.StepKey {
			last = steps[i].Key
			if i > 0 && steps[i-1].Kind == pattern.StepKey && steps[i-1].Key == "hashes" && i == len(steps)-1 {
				k.tab, k.alg = tabHash, pattern.HashAlgorithm(last)
				if d, ok := digest(k.alg, lit.Str); ok {
					k.s, k.digest = string(d), true
				} else {
					k.s = hashOtherKey(k.alg, lit.Str)
				}
				return k, true
			}
			break
		}
	}
	if strings.HasSuffix(last, "_bin") || strings.HasSuffix(last, "_hex") {
		return k, false
	}
	if pfx, ok := pattern.AddressBlock(lit.Str); ok {
		k.tab, k.pfx = tabIP, pfx
		return k, true
	}
	root := len(steps) == 1 && steps[0].Kind == pattern.StepKey
	switch {
	case root && path.ObjectType == "domain-name" && last == "value":
		k.tab, k.s = tabDomain, lowerASCII(lit.Str)
	case root && path.ObjectType == "url" && last == "value":
		k.tab, k.s = tabURL, NormalizeURL(lit.Str)
	case root && path.ObjectType == "email-addr" && last == "value":
		k.tab, k.s = tabEmail, lowerASCII(lit.Str)
	case root && path.ObjectType == "file" && last == "name":
		k.tab, k.s = tabFile, strings.Clone(lit.Str)
	default:
		k.tab, k.s = tabOther, lowerASCII(lit.Str)
	}
	if k.s == lit.Str {
		k.s = strings.Clone(k.s) // do not retain the pattern's source
	}
	return k, true
}

// directKind decides whether an indicator matches on a key alone: its
// pattern is one observation expression without qualifiers whose
// comparisons, joined by OR, are =, IN, ISSUBSET or ISSUPERSET on the
// canonical property of one kind of observable (ipv4-addr:value,
// file:hashes.'SHA-256', ...), with constants in the form the table keeps.
// It returns the kind and the keys.
func directKind(p *pattern.Pattern) (ObservableKind, []key, bool) {
	b, ok := p.Root.(*pattern.Bracket)
	if !ok {
		return 0, nil, false
	}
	comps := []*pattern.Comparison{}
	switch e := b.Expr.(type) {
	case *pattern.Comparison:
		comps = append(comps, e)
	case *pattern.BoolExpr:
		if e.Op != pattern.BoolOr {
			return 0, nil, false
		}
		for _, o := range e.Operands {
			c, ok := o.(*pattern.Comparison)
			if !ok {
				return 0, nil, false
			}
			comps = append(comps, c)
		}
	}
	var kind ObservableKind
	var keys []key
	for _, c := range comps {
		ks, ok := comparisonKeys(c)
		if !ok {
			return 0, nil, false
		}
		lits := c.Set
		if c.Op != pattern.OpIn {
			lits = []pattern.Literal{c.Value}
		}
		for i := range ks {
			kk, ok := directKeyKind(c, &ks[i])
			if !ok || (kind != 0 && kk != kind) {
				return 0, nil, false
			}
			// URLs and e-mail addresses compare exactly but are filed
			// normalised: only constants already in normal form match on
			// the key alone.
			if (kk == KindURL || kk == KindEmail) && ks[i].s != lits[i].Str {
				return 0, nil, false
			}
			kind = kk
		}
		keys = append(keys, ks...)
	}
	return kind, keys, kind != 0
}

// directKeyKind returns the observable kind of a key on a canonical path.
func directKeyKind(c *pattern.Comparison, k *key) (ObservableKind, bool) {
	if !k.canonical() {
		return 0, false
	}
	t := c.Path.ObjectType
	switch k.tab {
	case tabIP, tabIPSub, tabIPSup:
		if k.pfx.Addr().Is4() != (t == "ipv4-addr") {
			return 0, false
		}
		if t == "ipv4-addr" {
			return KindIPv4, true
		}
		return KindIPv6, true
	case tabHash:
		kind := hashKind(c.Path.Steps[1].Key) // the vocabulary spelling only
		return kind, t == "file" && kind != 0
	case tabDomain:
		return KindDomain, true
	case tabURL:
		return KindURL, true
	case tabEmail:
		return KindEmail, true
	case tabFile:
		return KindFileName, true
	}
	return 0, false
}

// candidateKeys returns keys one of which any set of observations
// matching the pattern must contain; ok is false when the pattern has no
// such keys and must be evaluated on every observation.
func candidateKeys(p *pattern.Pattern) ([]key, bool) {
	return observationKeys(p.Root)
}

func observationKeys(e pattern.ObservationExpr) ([]key, bool) {
	switch e := e.(type) {
	case *pattern.Bracket:
		return expressionKeys(e.Expr)
	case *pattern.Qualified:
		return observationKeys(e.Expr)
	case *pattern.ObservationOp:
		var parts [][]key
		var oks []bool
		for _, o := range e.Operands {
			ks, ok := observationKeys(o)
			parts, oks = append(parts, ks), append(oks, ok)
		}
		return combine(e.Op == pattern.ObsOr, parts, oks)
	}
	return nil, false
}

func expressionKeys(e pattern.ComparisonExpr) ([]key, bool) {
	switch e := e.(type) {
	case *pattern.Comparison:
		return comparisonKeys(e)
	case *pattern.BoolExpr:
		var parts [][]key
		var oks []bool
		for _, o := range e.Operands {
			ks, ok := expressionKeys(o)
			parts, oks = append(parts, ks), append(oks, ok)
		}
		return combine(e.Op == pattern.BoolOr, parts, oks)
	}
	return nil, false
}

// combine merges the keys of operands: a disjunction needs every operand
// indexed and takes all their keys; a conjunction takes the cheapest
// indexed operand.
func combine(or bool, parts [][]key, oks []bool) ([]key, bool) {
	if or {
		var all []key
		for i, ks := range parts {
			if !oks[i] {
				return nil, false
			}
			all = append(all, ks...)
		}
		return all, true
	}
	best := -1
	for i, ks := range parts {
		if oks[i] && (best < 0 || keysCost(ks) < keysCost(parts[best])) {
			best = i
		}
	}
	if best < 0 {
		return nil, false
	}
	return parts[best], true
}

// keysCost estimates how many candidates a key set yields: selective
// tables (digests, addresses, URLs) cost less than file names, domains and
// free strings.
func keysCost(ks []key) int {
	cost := 0
	for _, k := range ks {
		switch k.tab {
		case tabHash, tabURL, tabEmail:
			cost += 1
		case tabIP:
			cost += 2
		case tabFile, tabDomain, tabOther:
			cost += 3
		default:
			cost += 8
		}
	}
	return cost
}
