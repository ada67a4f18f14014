package hub

import (
	"context"
	"encoding/json"

	"github.com/vigie-cti/vigie"
)

// Whoami returns the organisation p acts for.
func (h *Hub) Whoami(ctx context.Context, p vigie.Principal) (*vigie.Org, error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	return h.store.FindOrg(ctx, p.OrgID)
}

// Identities returns the STIX identity (Identity) of every organisation of
// the hub, for members to resolve created_by_ref and where_sighted_refs.
func (h *Hub) Identities(ctx context.Context, p vigie.Principal) ([]json.RawMessage, error) {
	if err := Allow(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	orgs, err := h.store.ListOrgs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]json.RawMessage, 0, len(orgs))
	for _, o := range orgs {
		out = append(out, Identity(o))
	}
	return out, nil
}

// APIRoots returns every API root, by name: TAXII discovery lists them to
// anyone.
func (h *Hub) APIRoots(ctx context.Context, _ vigie.Principal) ([]*vigie.APIRoot, error) {
	return h.store.ListAPIRoots(ctx)
}
