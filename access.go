package vigie

import "slices"

// Principal is who makes a request: an organisation acting through one of
// its API keys, or nobody (an anonymous reader, with no OrgID). Addr is
// where the request came from (the client's address, or "console" for the
// command line on the hub's machine); the audit log records it.
type Principal struct {
	OrgID       string
	KeyID       string
	Role        Role
	Communities []string // ids of the communities the organisation belongs to
	Addr        string
	// Policy is, for a key of role peer, the egress policy its
	// organisation is held to on this hub (the zero policy otherwise).
	Policy EgressPolicy
}

// Anonymous reports whether no organisation is behind the request.
func (p Principal) Anonymous() bool { return p.OrgID == "" }

// Access is what a principal may do with one collection.
type Access struct {
	Read   bool // may list the collection's objects (each still filtered by TLP)
	Member bool // reads as one of the audiences granted read other than the public
	Write  bool // may publish into the collection
}

// CollectionAccess returns what p may do with c. Anonymous principals only
// read public collections; writing needs the publisher role and a write
// grant naming the organisation or one of its communities.
func CollectionAccess(p Principal, c *Collection) Access {
	var a Access
	for _, g := range c.Read {
		switch {
		case g.Kind == GrantPublic:
			a.Read = true
		case p.names(g):
			a.Read, a.Member = true, true
		}
	}
	if p.Role.Allows(RolePublisher) {
		for _, g := range c.Write {
			if p.names(g) {
				a.Write = true
			}
		}
	}
	return a
}

// NamedIn reports whether one of grants names p's organisation itself
// (org:NAME; not a community of it, nor the public): a peer hub pushes
// only into a collection whose write grants name it so, so that granting
// a community write never lets the hubs among its members push.
func (p Principal) NamedIn(grants []Grant) bool {
	for _, g := range grants {
		if g.Kind == GrantOrg && !p.Anonymous() && g.ID == p.OrgID {
			return true
		}
	}
	return false
}

// names reports whether grant g names p's organisation or a community of it.
func (p Principal) names(g Grant) bool {
	if p.Anonymous() {
		return false
	}
	switch g.Kind {
	case GrantOrg:
		return g.ID == p.OrgID
	case GrantCommunity:
		return slices.Contains(p.Communities, g.ID)
	}
	return false
}

// ReadScope is what the TLP rules need to know about a reader inside a
// collection it may read. Stores turn it into a query filter; CanRead is
// the same rule as a function, and tests hold the two equal.
type ReadScope struct {
	OrgID      string // "" for an anonymous reader
	Member     bool   // Access.Member for the collection
	DefaultTLP TLP    // the level of unmarked objects
	// All selects every version whatever its marking: only for the hub
	// operator deleting objects (with a recorded reason), never to read.
	All bool
	// Egress is the scope of a peer hub (a key of role peer): it reads
	// only what may leave this hub (MayLeave): TLP:CLEAR, and TLP:GREEN
	// when Member; never AMBER, AMBER+STRICT, RED or an unmarked object
	// whose default level is stricter than GREEN, whoever published it
	// and whatever recipients it names.
	Egress bool
	// Policy narrows an Egress scope further (types, a TLP ceiling,
	// excluded organisations): see EgressPolicy and MaySend.
	Policy EgressPolicy
}

// Scope returns the read scope of p in a collection where it has access a.
func (p Principal) Scope(a Access, def TLP) ReadScope {
	r := ReadScope{OrgID: p.OrgID, Member: a.Member, DefaultTLP: def, Egress: p.Role == RolePeer}
	if r.Egress {
		r.Policy = p.Policy
	}
	return r
}

// Sharing is the part of a stored object version that decides who may read
// it: the publishing organisation, its TLP level, and for RED the
// organisations it names as recipients.
type Sharing struct {
	Publisher  string
	TLP        TLP // TLPNone when unmarked
	Recipients []string
}

// CanRead applies the sharing policy to one object version in a collection
// the reader may read (the caller has checked Access.Read):
//
//	CLEAR               anyone who may read the collection
//	GREEN, AMBER(+STRICT) members of the audiences granted read (not the public)
//	RED                 the publisher and the organisations it names as recipients
//
// The publishing organisation always reads what it published. A peer hub
// (Egress) reads only what MayLeave allows, with no exception, and
// nothing above its policy's ceiling (MaySend adds the rest of the policy).
func CanRead(r ReadScope, s Sharing) bool {
	if r.All {
		return true
	}
	if r.Egress {
		level := s.TLP.Effective(r.DefaultTLP)
		return MayLeave(level, r.Member) && level <= r.Policy.Ceiling()
	}
	if r.OrgID != "" && s.Publisher == r.OrgID {
		return true
	}
	switch s.TLP.Effective(r.DefaultTLP) {
	case TLPClear:
		return true
	case TLPGreen, TLPAmber, TLPAmberStrict:
		return r.Member
	case TLPRed:
		return r.OrgID != "" && slices.Contains(s.Recipients, r.OrgID)
	}
	return false
}

// MayLeave reports whether an object at level t (already made effective)
// may be copied off this hub to a peer or an export: CLEAR always, GREEN
// only to a peer of the same community, never AMBER, AMBER+STRICT or RED.
func MayLeave(t TLP, sameCommunity bool) bool {
	switch t {
	case TLPClear:
		return true
	case TLPGreen:
		return sameCommunity
	}
	return false
}
