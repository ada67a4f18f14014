package hub

import (
	"context"
	"slices"
	"strings"

	"github.com/vigie-cti/vigie"
)

// Egress policy per peer: beyond the grants (which collections) and
// vigie.MayLeave (never above GREEN), the operator narrows what leaves to
// one peer hub: object types, a TLP ceiling, excluded organisations. A
// pulling peer is held to the policy of its organisation here (loaded
// with its key, see Authenticate); a push peer to the policy on its row.
// The store applies it in SQL, hub once more (vigie.MaySend).

// withPolicy returns p with its organisation's egress policy when p is a
// peer hub (role peer): the one place a caller gets it.
func (h *Hub) withPolicy(ctx context.Context, p vigie.Principal) (vigie.Principal, error) {
	if p.Role != vigie.RolePeer {
		return p, nil
	}
	pol, err := h.store.EgressPolicy(ctx, p.OrgID)
	if err != nil {
		return vigie.Principal{}, err
	}
	p.Policy = pol
	return p, nil
}

// EgressPolicy returns organisation org's (name or id) egress policy as a
// peer (the zero policy when none was set). Operators only. ENOTFOUND.
func (h *Hub) EgressPolicy(ctx context.Context, p vigie.Principal, org string) (*vigie.Org, vigie.EgressPolicy, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, vigie.EgressPolicy{}, err
	}
	o, err := h.store.FindOrg(ctx, org)
	if err != nil {
		return nil, vigie.EgressPolicy{}, err
	}
	pol, err := h.store.EgressPolicy(ctx, o.ID)
	return o, pol, err
}

// SetEgressPolicy sets the egress policy of organisation org (name or id)
// as a peer: what the keys of role peer of org may read here, beyond
// their grants. The zero policy clears it. Excluded organisations are
// given by name or id; an identity id that is no organisation here names
// the origin organisation of relayed objects. It applies from the next
// request of the peer. Operators only. EINVALID, ENOTFOUND.
func (h *Hub) SetEgressPolicy(ctx context.Context, p vigie.Principal, org string, pol vigie.EgressPolicy) (*vigie.Org, vigie.EgressPolicy, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, pol, err
	}
	o, err := h.store.FindOrg(ctx, org)
	if err != nil {
		return nil, pol, err
	}
	if pol, err = h.resolvePolicy(ctx, pol); err != nil {
		return nil, pol, err
	}
	if err := h.store.SetEgressPolicy(ctx, o.ID, pol); err != nil {
		return nil, pol, err
	}
	e := h.newEntry(p, vigie.AuditPeerPolicy, "org "+o.ID, vigie.OutcomeSuccess)
	e.TargetOrg = o.ID
	return o, pol, h.record(ctx, withDetail(e, policyDetail(pol)))
}

// SetPeerPolicy sets the egress policy of a push peer: what this hub
// sends it. The zero policy clears it. Operators only. EINVALID for a
// peer this hub pulls from (it reads under the policy its own hub sets),
// ENOTFOUND.
func (h *Hub) SetPeerPolicy(ctx context.Context, p vigie.Principal, name string, pol vigie.EgressPolicy) (vigie.EgressPolicy, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return pol, err
	}
	peer, err := h.store.FindPeer(ctx, name)
	if err != nil {
		return pol, err
	}
	if !peer.Push {
		return pol, vigie.Errorf(vigie.EINVALID, "peer %s: this hub pulls from it; what it sends is narrowed on its own hub (peer policy set ORG there)", name)
	}
	if pol, err = h.resolvePolicy(ctx, pol); err != nil {
		return pol, err
	}
	if err := h.store.SetPeerPolicy(ctx, name, pol); err != nil {
		return pol, err
	}
	e := h.newEntry(p, vigie.AuditPeerPolicy, "peer "+name, vigie.OutcomeSuccess)
	return pol, h.record(ctx, withDetail(e, policyDetail(pol)))
}

// resolvePolicy turns the excluded organisations' names into ids, and
// validates the policy. An unknown name is ENOTFOUND; an identity id that
// is no local organisation is kept (a relayed object's origin).
func (h *Hub) resolvePolicy(ctx context.Context, pol vigie.EgressPolicy) (vigie.EgressPolicy, error) {
	ids := make([]string, 0, len(pol.ExcludeOrgs))
	for _, name := range pol.ExcludeOrgs {
		o, err := h.store.FindOrg(ctx, name)
		switch {
		case err == nil:
			name = o.ID
		case vigie.ErrorCode(err) != vigie.ENOTFOUND:
			return pol, err
		case !strings.HasPrefix(name, "identity--"):
			return pol, vigie.Errorf(vigie.ENOTFOUND, "--exclude-org %q: no such organisation on this hub (give its name, or the identity id of a relayed object's origin organisation)", name)
		}
		if !slices.Contains(ids, name) {
			ids = append(ids, name)
		}
	}
	pol.ExcludeOrgs = ids
	if len(ids) == 0 {
		pol.ExcludeOrgs = nil
	}
	if pol.MaxTLP == vigie.TLPGreen {
		pol.MaxTLP = vigie.TLPNone // GREEN is no ceiling beyond MayLeave
	}
	return pol, pol.Validate()
}

// policyDetail is a policy as its audit entry shows it.
func policyDetail(pol vigie.EgressPolicy) map[string]any {
	return map[string]any{"types": pol.Types, "deny_types": pol.DenyTypes, "max_tlp": pol.Ceiling().String(), "exclude_orgs": pol.ExcludeOrgs}
}

// egressKept returns the objects of a page a peer's scope may be sent
// (vigie.MaySend): the store applied the rule in SQL; applied again here,
// so that nothing that may not leave the hub ever does.
func egressKept(r vigie.ReadScope, objs []*vigie.Object) []*vigie.Object {
	kept := objs[:0]
	for _, o := range objs {
		if vigie.MaySend(r, o.ID, o.Owner, o.Sharing) {
			kept = append(kept, o)
		}
	}
	return kept
}
