package main

import (
	"context"

	"github.com/vigie-cti/vigie/hub"
)

// orgNames maps the identity id of every organisation to its name, for
// lists that should name organisations rather than show ids.
func orgNames(ctx context.Context, h *hub.Hub) (map[string]string, error) {
	orgs, err := h.Orgs(ctx, hub.Console())
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(orgs))
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	return names, nil
}
