package hub_test

import (
	"testing"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// TestEgressPolicyOperatorsOnly: only the hub operator sets, reads or
// clears an egress policy; a member's admin, a publisher and the peer
// itself are refused and change nothing.
func TestEgressPolicyOperatorsOnly(t *testing.T) {
	f := newFixture(t)
	pol := vigie.EgressPolicy{MaxTLP: vigie.TLPClear}
	for _, p := range []vigie.Principal{
		{OrgID: f.orgs["B"].ID, Role: vigie.RolePeer},
		{OrgID: f.orgs["B"].ID, Role: vigie.RoleAdmin},
		{OrgID: f.orgs["A"].ID, Role: vigie.RolePublisher},
		{},
	} {
		if _, _, err := f.hub.SetEgressPolicy(ctx, p, "B", vigie.EgressPolicy{}); err == nil {
			t.Errorf("%s of %s cleared B's policy", p.Role, p.OrgID)
		}
		if _, _, err := f.hub.EgressPolicy(ctx, p, "B"); err == nil {
			t.Errorf("%s of %s read B's policy", p.Role, p.OrgID)
		}
		if _, err := f.hub.SetPeerPolicy(ctx, p, "any", pol); err == nil {
			t.Errorf("%s of %s set a push peer's policy", p.Role, p.OrgID)
		}
	}
	if _, _, err := f.hub.SetEgressPolicy(ctx, hub.Console(), "B", pol); err != nil {
		t.Fatal(err)
	}
	if _, got, err := f.hub.EgressPolicy(ctx, hub.Console(), "B"); err != nil || got.Ceiling() != vigie.TLPClear {
		t.Errorf("B's policy = %+v, %v; want a CLEAR ceiling", got, err)
	}
	// Names resolve to ids; GREEN is stored as no ceiling; an unknown
	// name or a ceiling above GREEN is refused.
	_, got, err := f.hub.SetEgressPolicy(ctx, hub.Console(), f.orgs["B"].ID, vigie.EgressPolicy{MaxTLP: vigie.TLPGreen, ExcludeOrgs: []string{"A", "A", f.orgs["C"].ID}})
	if err != nil || len(got.ExcludeOrgs) != 2 || got.ExcludeOrgs[0] != f.orgs["A"].ID || got.ExcludeOrgs[1] != f.orgs["C"].ID || got.MaxTLP != vigie.TLPNone {
		t.Errorf("SetEgressPolicy by id, excluding A twice and C = %+v, %v", got, err)
	}
	for _, bad := range []vigie.EgressPolicy{{MaxTLP: vigie.TLPAmber}, {ExcludeOrgs: []string{"Nobody"}}} {
		if _, _, err := f.hub.SetEgressPolicy(ctx, hub.Console(), "B", bad); err == nil {
			t.Errorf("SetEgressPolicy(%+v) accepted", bad)
		}
	}
}
