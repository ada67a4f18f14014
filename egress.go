package vigie

import (
	"regexp"
	"slices"
	"strings"
)

// AuditPeerPolicy is the audit action of an egress policy set or cleared.
const AuditPeerPolicy = "peer.policy"

// EgressPolicy narrows, for one peer hub, what may leave this hub beyond
// its grants and MayLeave: the collections are the grants; the policy
// adds object types, a TLP ceiling and organisations whose objects never
// leave to that peer. The zero policy narrows nothing. The same rule
// applies in SQL and in hub, on every read path of a peer key (the
// policy of its organisation) and on every push (the policy of the
// peer row).
type EgressPolicy struct {
	// Types, when not empty, lists the STIX types that may leave
	// (indicator, malware, ...); an object's type is its id's prefix.
	Types []string `json:"types,omitempty"`
	// DenyTypes lists STIX types that never leave.
	DenyTypes []string `json:"deny_types,omitempty"`
	// MaxTLP is the most restrictive level that may leave: TLPClear or
	// TLPGreen; TLPNone is GREEN (no ceiling beyond MayLeave).
	MaxTLP TLP `json:"max_tlp,omitempty"`
	// ExcludeOrgs lists organisation (identity) ids whose objects never
	// leave: those they published or own, relayed ones included (a
	// relayed object is published and owned by its origin organisation).
	ExcludeOrgs []string `json:"exclude_orgs,omitempty"`
}

// MaxPolicyEntries bounds each list of an EgressPolicy.
const MaxPolicyEntries = 100

var stixType = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Validate reports an EINVALID error for a policy that cannot be applied:
// a ceiling above GREEN, a malformed type, a type both allowed and
// denied, an organisation that is not an identity id, or a list longer
// than MaxPolicyEntries.
func (p *EgressPolicy) Validate() error {
	if p.MaxTLP != TLPNone && p.MaxTLP != TLPClear && p.MaxTLP != TLPGreen {
		return Errorf(EINVALID, "TLP ceiling %s: a peer never reads above TLP:GREEN; want clear or green", p.MaxTLP)
	}
	for _, list := range [][]string{p.Types, p.DenyTypes, p.ExcludeOrgs} {
		if len(list) > MaxPolicyEntries {
			return Errorf(EINVALID, "%d entries in one list of an egress policy; the limit is %d", len(list), MaxPolicyEntries)
		}
	}
	for _, t := range append(slices.Clone(p.Types), p.DenyTypes...) {
		if len(t) < 3 || len(t) > 250 || !stixType.MatchString(t) {
			return Errorf(EINVALID, "object type %q: want a STIX type such as indicator, malware or x-acme-widget", t)
		}
		if slices.Contains(p.Types, t) && slices.Contains(p.DenyTypes, t) {
			return Errorf(EINVALID, "object type %s is both allowed and denied", t)
		}
	}
	for _, o := range p.ExcludeOrgs {
		if !strings.HasPrefix(o, "identity--") || !isUUID(strings.TrimPrefix(o, "identity--")) {
			return Errorf(EINVALID, "excluded organisation %q: want an organisation id (identity--UUID)", o)
		}
	}
	return nil
}

// IsZero reports whether p narrows nothing.
func (p EgressPolicy) IsZero() bool {
	return len(p.Types) == 0 && len(p.DenyTypes) == 0 && (p.MaxTLP == TLPNone || p.MaxTLP == TLPGreen) && len(p.ExcludeOrgs) == 0
}

// Ceiling returns the most restrictive level p lets leave (GREEN unless
// it says CLEAR).
func (p EgressPolicy) Ceiling() TLP {
	if p.MaxTLP == TLPClear {
		return TLPClear
	}
	return TLPGreen
}

// Admits reports whether an object version with this id, published by
// publisher and owned by owner ("" when not known), passes p's types and
// organisations (the ceiling is CanRead's).
func (p EgressPolicy) Admits(id, publisher, owner string) bool {
	typ, _, _ := strings.Cut(id, "--")
	if len(p.Types) > 0 && !slices.Contains(p.Types, typ) {
		return false
	}
	if slices.Contains(p.DenyTypes, typ) {
		return false
	}
	return !slices.Contains(p.ExcludeOrgs, publisher) && (owner == "" || !slices.Contains(p.ExcludeOrgs, owner))
}

// Ceiling returns the most restrictive level a peer hub's scope reads:
// GREEN for a member whose policy has no CLEAR ceiling, else CLEAR. A
// version retracted by a newer one narrowed above it is no longer the
// peer's (Tombstone.NarrowedTo).
func (r ReadScope) Ceiling() TLP {
	if r.Member {
		return r.Policy.Ceiling()
	}
	return TLPClear
}

// MaySendTombstone is MaySend for a tombstone: a peer sees the
// retraction of a version only when the narrowing level is above its
// ceiling (a CLEAR version narrowed to GREEN is retracted from a peer that
// reads only CLEAR, not from one that reads GREEN).
func MaySendTombstone(r ReadScope, t *Tombstone) bool {
	if !MaySend(r, t.ID, t.Owner, t.Sharing) {
		return false
	}
	return !r.Egress || t.Kind != TombstoneRetracted || t.NarrowedTo > r.Ceiling()
}

// MaySend is what a reader with scope r may be handed of one object
// version (id, owner, sharing): CanRead, and for a peer hub its egress
// policy too. Hub applies it to every page a peer reads or is pushed,
// after the store applied the same rule in SQL.
func MaySend(r ReadScope, id, owner string, s Sharing) bool {
	return CanRead(r, s) && (!r.Egress || r.Policy.Admits(id, s.Publisher, owner))
}

// ParseCeiling reads the TLP ceiling of an egress policy: clear (or
// white) or green, in any case, with or without "TLP:". AMBER,
// AMBER+STRICT and RED are refused: nothing above GREEN ever leaves.
func ParseCeiling(s string) (TLP, error) {
	t, err := ParseTLP(s)
	if err != nil {
		return TLPNone, Errorf(EINVALID, "TLP ceiling %q: want clear or green", s)
	}
	if t > TLPGreen {
		return TLPNone, Errorf(EINVALID, "TLP ceiling %s: a peer never reads above TLP:GREEN (AMBER and RED never leave this hub); want clear or green", t)
	}
	return t, nil
}
