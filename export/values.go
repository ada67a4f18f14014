package export

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vigie-cti/vigie/pattern"
)

// Kind is the kind of an exported value.
type Kind uint8

// The kinds of values the formats take.
const (
	KindIPv4     Kind = iota + 1 // one IPv4 address
	KindIPv6                     // one IPv6 address
	KindCIDR4                    // an IPv4 block, masked
	KindCIDR6                    // an IPv6 block, masked
	KindDomain                   // a domain name, lower case, without a final dot
	KindURL                      // a URL as written in the pattern
	KindEmail                    // an e-mail address, lower case
	KindMD5                      // file MD5, lower-case hex
	KindSHA1                     // file SHA-1, lower-case hex
	KindSHA256                   // file SHA-256, lower-case hex
	KindFileName                 // a file name
	KindCertSHA1                 // the SHA-1 of an X.509 certificate, lower-case hex
	KindSoftware                 // a software name
)

var kindNames = [...]string{"", "ipv4", "ipv6", "cidr4", "cidr6", "domain", "url", "email", "md5", "sha1", "sha256", "file-name", "cert-sha1", "software"}

// String returns the kind's name, as the CSV export writes it.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "?"
}

// ParseKinds reads a comma-separated list of kind names (as String
// writes them), with "ip" for every address kind and "hash" for the file
// hashes.
func ParseKinds(s string) ([]Kind, error) {
	var ks []Kind
	for name := range strings.SplitSeq(s, ",") {
		name = strings.TrimSpace(strings.ToLower(name))
		switch name {
		case "":
			continue
		case "ip":
			ks = append(ks, KindIPv4, KindIPv6, KindCIDR4, KindCIDR6)
			continue
		case "hash":
			ks = append(ks, KindMD5, KindSHA1, KindSHA256)
			continue
		}
		i := slices.Index(kindNames[:], name)
		if i <= 0 {
			return nil, fmt.Errorf("export: unknown type %q (types: ip, hash, %s)", name, strings.Join(kindNames[1:], ", "))
		}
		ks = append(ks, Kind(i))
	}
	return ks, nil
}

// Value is one value an indicator's pattern looks for.
type Value struct {
	Kind  Kind
	Value string
}

// The reasons an indicator or a value is not exported, as Stats counts them.
const (
	ReasonNotSTIX       = "pattern is not a STIX pattern"
	ReasonBadPattern    = "pattern does not parse"
	ReasonCompound      = "no value matches the indicator alone (AND, FOLLOWEDBY, qualifiers or other comparisons)"
	ReasonNoValue       = "pattern compares no value this export knows"
	ReasonNotInFormat   = "value of a kind the format does not take"
	ReasonBadValue      = "value the format cannot hold"
	ReasonDuplicate     = "value already written"
	ReasonTooManyValues = "values beyond the per-indicator limit"
	ReasonFiltered      = "value of a kind not asked for"
)

// MaxValuesPerIndicator bounds the values one indicator contributes (an IN
// list of a million members does not become a million lines).
const MaxValuesPerIndicator = 10000

// Values returns the values of a pattern each of which, alone, matches it:
// the constants of =, IN and ISSUBSET comparisons on a property that
// identifies an observable (ipv4-addr:value, domain-name:value,
// file:hashes.MD5, ...), in a pattern made only of such comparisons joined
// by OR, within and between observation expressions. A file hash also
// counts when ANDed with other comparisons on the same file (a hash
// identifies the file; "[file:name = 'a.exe' AND file:hashes.MD5 = '...']"
// exports the hash). Anything else (negations, AND of other comparisons,
// FOLLOWEDBY, qualifiers) contributes nothing: a value that is only part of
// what the indicator needs would raise false alarms. reason says why
// nothing was found when vals is empty.
func Values(p *pattern.Pattern) (vals []Value, reason string) {
	var e extractor
	e.observation(p.Root)
	if len(e.vals) == 0 {
		if e.compound {
			return nil, ReasonCompound
		}
		return nil, ReasonNoValue
	}
	return e.vals, ""
}

type extractor struct {
	vals     []Value
	compound bool // something was left out because it needs more than one value
}

func (e *extractor) add(v Value) {
	if len(e.vals) < MaxValuesPerIndicator {
		e.vals = append(e.vals, v)
	}
}

func (e *extractor) observation(x pattern.ObservationExpr) {
	switch x := x.(type) {
	case *pattern.Bracket:
		e.comparison(x.Expr)
	case *pattern.ObservationOp:
		if x.Op != pattern.ObsOr {
			e.compound = true
			return
		}
		for _, o := range x.Operands {
			e.observation(o)
		}
	case *pattern.Qualified:
		e.compound = true
	}
}

func (e *extractor) comparison(x pattern.ComparisonExpr) {
	switch x := x.(type) {
	case *pattern.Comparison:
		e.compare(x, false)
	case *pattern.BoolExpr:
		if x.Op == pattern.BoolOr {
			for _, o := range x.Operands {
				e.comparison(o)
			}
			return
		}
		// AND: only file hashes of one file stand for the whole.
		n := len(e.vals)
		for _, o := range x.Operands {
			if c, ok := o.(*pattern.Comparison); ok && fileHash(c.Path) != 0 {
				e.compare(c, true)
			}
		}
		if len(e.vals) == n {
			e.compound = true
		}
	}
}

// compare adds the constants of one comparison.
func (e *extractor) compare(c *pattern.Comparison, hashOnly bool) {
	if c.Not {
		e.compound = true
		return
	}
	kind, ok := pathKind(c.Path)
	if !ok || hashOnly && fileHash(c.Path) == 0 {
		return
	}
	switch c.Op {
	case pattern.OpEqual:
		e.literal(kind, &c.Value)
	case pattern.OpIn:
		for i := range c.Set {
			e.literal(kind, &c.Set[i])
		}
	case pattern.OpIsSubset:
		if kind == KindIPv4 || kind == KindIPv6 || kind == kindAnyIP {
			e.literal(kind, &c.Value)
		}
	default:
		e.compound = true
	}
}

func (e *extractor) literal(kind Kind, l *pattern.Literal) {
	if l.Kind != pattern.LitString {
		return
	}
	if v, ok := literalValue(kind, l.Str); ok {
		e.add(v)
	}
}

// literalValue returns the value of a string constant compared with a
// path of the kind, normalised; ok is false for an address of the wrong
// family or that does not parse.
func literalValue(kind Kind, s string) (Value, bool) {
	switch kind {
	case KindIPv4, KindIPv6, kindAnyIP:
		pfx, ok := pattern.AddressBlock(s)
		if !ok || kind != kindAnyIP && pfx.Addr().Is4() != (kind == KindIPv4) {
			return Value{}, false
		}
		pfx = pfx.Masked()
		v4 := pfx.Addr().Is4()
		switch {
		case pfx.IsSingleIP() && v4:
			return Value{KindIPv4, pfx.Addr().String()}, true
		case pfx.IsSingleIP():
			return Value{KindIPv6, pfx.Addr().String()}, true
		case v4:
			return Value{KindCIDR4, pfx.String()}, true
		default:
			return Value{KindCIDR6, pfx.String()}, true
		}
	case KindDomain:
		return Value{KindDomain, strings.TrimSuffix(strings.ToLower(s), ".")}, true
	case KindEmail:
		return Value{KindEmail, strings.ToLower(s)}, true
	case KindMD5, KindSHA1, KindSHA256, KindCertSHA1:
		return Value{kind, strings.ToLower(s)}, true
	}
	return Value{kind, s}, true
}

// fileHash returns the kind of a file hash path (file:hashes.MD5, ...),
// or 0.
func fileHash(p *pattern.ObjectPath) Kind {
	if p.ObjectType != "file" && p.ObjectType != "artifact" {
		return 0
	}
	if len(p.Steps) != 2 || p.Steps[0].Kind != pattern.StepKey || p.Steps[0].Key != "hashes" || p.Steps[1].Kind != pattern.StepKey {
		return 0
	}
	switch pattern.HashAlgorithm(p.Steps[1].Key) {
	case "MD5":
		return KindMD5
	case "SHA-1":
		return KindSHA1
	case "SHA-256":
		return KindSHA256
	}
	return 0
}

// pathKind returns the kind of value an object path identifies an
// observable by.
func pathKind(p *pattern.ObjectPath) (Kind, bool) {
	if k := fileHash(p); k != 0 {
		return k, true
	}
	var keys []string
	for _, s := range p.Steps {
		if s.Kind != pattern.StepKey {
			if s.Kind == pattern.StepAnyIndex && len(keys) > 0 && strings.HasSuffix(keys[len(keys)-1], "_refs") {
				continue // to_refs[*].value
			}
			return 0, false
		}
		keys = append(keys, s.Key)
	}
	if p.ObjectType == "x509-certificate" && len(keys) == 2 && keys[0] == "hashes" && pattern.HashAlgorithm(keys[1]) == "SHA-1" {
		return KindCertSHA1, true
	}
	path := p.ObjectType + ":" + strings.Join(keys, ".")
	switch path {
	case "ipv4-addr:value":
		return KindIPv4, true
	case "network-traffic:src_ref.value", "network-traffic:dst_ref.value":
		return kindAnyIP, true
	case "ipv6-addr:value":
		return KindIPv6, true
	case "domain-name:value":
		return KindDomain, true
	case "url:value":
		return KindURL, true
	case "email-addr:value", "email-message:from_ref.value", "email-message:sender_ref.value",
		"email-message:to_refs.value", "email-message:cc_refs.value":
		return KindEmail, true
	case "file:name":
		return KindFileName, true
	case "software:name":
		return KindSoftware, true
	}
	return 0, false
}

// kindAnyIP is the kind of a path whose addresses may be of either family
// (network-traffic:dst_ref.value): the literal decides.
const kindAnyIP Kind = 0xff
