package hub

import (
	"context"

	"github.com/vigie-cti/vigie"
)

// APIRoot returns an API root as p may see it. An anonymous caller sees
// only a root with at least one public collection; any other is
// EUNAUTHORIZED, so that clients know to authenticate. ENOTFOUND for a
// root that does not exist (every root is named by discovery).
func (h *Hub) APIRoot(ctx context.Context, p vigie.Principal, name string) (*vigie.APIRoot, error) {
	root, err := h.store.FindAPIRoot(ctx, name)
	if err != nil {
		return nil, err
	}
	if p.Anonymous() {
		if _, _, err := h.Collections(ctx, p, name); err != nil {
			return nil, err
		}
	}
	return root, nil
}
