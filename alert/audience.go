package alert

import (
	"context"
	"fmt"

	"github.com/vigie-cti/vigie"
)

// audience knows, for one batch, every organisation, what it may read, and
// the collections: the one place where the engine applies the sharing
// rules, so that an alert never names an object its receiver cannot read.
type audience struct {
	orgs        []*vigie.Org
	byID        map[string]*vigie.Org
	principals  map[string]vigie.Principal
	collections map[string]*vigie.Collection
	defaultTLP  vigie.TLP
}

// loadAudience reads the organisations, their communities and the
// collections.
func loadAudience(ctx context.Context, s vigie.Store, def vigie.TLP) (*audience, error) {
	orgs, err := s.ListOrgs(ctx)
	if err != nil {
		return nil, fmt.Errorf("alert: organisations: %w", err)
	}
	comms, err := s.ListCommunities(ctx)
	if err != nil {
		return nil, fmt.Errorf("alert: communities: %w", err)
	}
	cols, err := s.ListCollections(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("alert: collections: %w", err)
	}
	a := &audience{orgs: orgs, byID: map[string]*vigie.Org{}, principals: map[string]vigie.Principal{}, collections: map[string]*vigie.Collection{}, defaultTLP: def}
	member := map[string][]string{}
	for _, c := range comms {
		for _, m := range c.Members {
			member[m] = append(member[m], c.ID)
		}
	}
	for _, o := range orgs {
		a.byID[o.ID] = o
		// The reader role: alerts never show more than a reader key may read.
		a.principals[o.ID] = vigie.Principal{OrgID: o.ID, Role: vigie.RoleReader, Communities: member[o.ID]}
	}
	for _, c := range cols {
		a.collections[c.ID] = c
	}
	return a, nil
}

// canRead reports whether organisation org may read object version o.
func (a *audience) canRead(org string, o *vigie.Object) bool {
	p, ok := a.principals[org]
	c := a.collections[o.Collection]
	if !ok || c == nil {
		return false
	}
	acc := vigie.CollectionAccess(p, c)
	return acc.Read && vigie.CanRead(p.Scope(acc, a.defaultTLP), o.Sharing)
}

// readers returns the organisations that may read at least one of the
// versions.
func (a *audience) readers(versions []*vigie.Object) []string {
	var out []string
	for _, org := range a.orgs {
		for _, v := range versions {
			if a.canRead(org.ID, v) {
				out = append(out, org.ID)
				break
			}
		}
	}
	return out
}
