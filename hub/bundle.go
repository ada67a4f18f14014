package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/stix"
)

// BundleSpec is a STIX bundle a person uploads: where it goes, and the TLP
// level (with its RED recipients) of the objects that carry no TLP marking.
type BundleSpec struct {
	Root, Collection string
	Data             []byte // the bundle's JSON
	TLP              vigie.TLP
	Recipients       []string // for TLP:RED only: the organisations that may read
}

// PublishBundle publishes the objects of a STIX 2.1 bundle as one TAXII
// POST envelope would be (Publish: the same validation, rules and audit).
// An object that carries a TLP marking (object-level or granular) keeps
// it, as over TAXII; one that carries none takes spec.TLP, and
// spec.Recipients when that is RED. With no TLP chosen, a bundle holding
// an unmarked object is refused before anything is published: what is
// shared must say who may read it (marking definitions need no marking).
// EINVALID for a file that is not a bundle or recipients without RED;
// ETOOLARGE over Limits.MaxObjects objects.
func (h *Hub) PublishBundle(ctx context.Context, p vigie.Principal, spec BundleSpec) (*vigie.Status, error) {
	if err := member(p, vigie.RolePublisher); err != nil {
		return nil, err
	}
	if err := h.checkRecipients(ctx, spec.TLP, spec.Recipients); err != nil {
		return nil, err
	}
	raws, err := stix.ParseBundle(spec.Data)
	if err != nil {
		return nil, vigie.Errorf(vigie.EINVALID, "not a STIX bundle: %v", err)
	}
	switch {
	case len(raws) == 0:
		return nil, vigie.Errorf(vigie.EINVALID, "the bundle holds no objects")
	case len(raws) > h.cfg.Limits.MaxObjects:
		return nil, vigie.Errorf(vigie.ETOOLARGE, "%d objects in the bundle; the limit is %d (publish larger sets over TAXII, in several envelopes)", len(raws), h.cfg.Limits.MaxObjects)
	}
	c, a, err := h.Collection(ctx, p, spec.Root, spec.Collection)
	if err != nil {
		return nil, err
	}
	var unmarked []string
	for i, raw := range raws {
		marked, id, err := markUnmarked(raw, spec.TLP, spec.Recipients)
		if err != nil {
			return nil, err
		}
		if marked == nil {
			unmarked = append(unmarked, id)
			continue
		}
		raws[i] = marked
	}
	if len(unmarked) > 0 {
		return nil, vigie.Errorf(vigie.EINVALID, "%d object(s) carry no TLP marking (first: %s): choose the TLP level they take", len(unmarked), unmarked[0])
	}
	return h.Publish(ctx, p, a, c, raws)
}

// markUnmarked returns an object's JSON with TLP level t (and recipients)
// added when it carries no TLP marking, or unchanged when it does or is a
// marking definition or does not decode (Publish then says why). It
// returns nil and the object's id when the object needs a level and t is
// TLPNone.
func markUnmarked(raw json.RawMessage, t vigie.TLP, recipients []string) (json.RawMessage, string, error) {
	var head struct {
		Type     string   `json:"type"`
		ID       string   `json:"id"`
		Refs     []string `json:"object_marking_refs"`
		Granular []struct {
			Ref string `json:"marking_ref"`
		} `json:"granular_markings"`
	}
	if json.Unmarshal(raw, &head) != nil || head.Type == "marking-definition" {
		return raw, head.ID, nil
	}
	refs := slices.Clone(head.Refs)
	for _, g := range head.Granular {
		refs = append(refs, g.Ref)
	}
	if vigie.HighestTLP(refs) != vigie.TLPNone {
		return raw, head.ID, nil
	}
	if t == vigie.TLPNone {
		return nil, head.ID, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return raw, head.ID, nil
	}
	m["object_marking_refs"], _ = json.Marshal(append(slices.Clone(head.Refs), vigie.MarkingRef(t)))
	if t == vigie.TLPRed && len(recipients) > 0 {
		if _, ok := m[vigie.RecipientsProperty]; !ok {
			m[vigie.RecipientsProperty], _ = json.Marshal(recipients)
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		return nil, head.ID, fmt.Errorf("hub: marking %s: %w", head.ID, err)
	}
	return out, head.ID, nil
}

// maxRecipients bounds the recipients of one RED publication.
const maxRecipients = 100

// checkRecipients refuses recipients unless the level is RED, and any
// that is not an organisation of this hub.
func (h *Hub) checkRecipients(ctx context.Context, t vigie.TLP, recipients []string) error {
	if len(recipients) == 0 {
		return nil
	}
	if t != vigie.TLPRed {
		return vigie.Errorf(vigie.EINVALID, "recipients are for TLP:RED only: at %s, the level says who may read", tlpLabel(t))
	}
	if len(recipients) > maxRecipients {
		return vigie.Errorf(vigie.ETOOLARGE, "%d recipients; at most %d", len(recipients), maxRecipients)
	}
	for _, r := range recipients {
		if !strings.HasPrefix(r, "identity--") {
			return vigie.Errorf(vigie.EINVALID, "recipient %q: want an organisation's identity id", r)
		}
		if _, err := h.store.FindOrg(ctx, r); vigie.ErrorCode(err) == vigie.ENOTFOUND {
			return vigie.Errorf(vigie.EINVALID, "recipient %s is not an organisation of this hub", r)
		} else if err != nil {
			return err
		}
	}
	return nil
}

func tlpLabel(t vigie.TLP) string {
	if t == vigie.TLPNone {
		return "no TLP"
	}
	return "TLP:" + t.String()
}
