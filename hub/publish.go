package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/pattern"
	"github.com/vigie-cti/vigie/stix"
)

// Publish validates raw STIX objects posted by p into collection c and
// stores the valid ones, with the status resource of the request, in one
// transaction. An invalid object is a failure in the status, with a reason
// that names the property; its valid siblings are stored all the same.
// EFORBIDDEN if p may not write to c; ETOOLARGE over Limits.MaxObjects.
func (h *Hub) Publish(ctx context.Context, p vigie.Principal, a vigie.Access, c *vigie.Collection, raws []json.RawMessage) (*vigie.Status, error) {
	if !a.Write {
		return nil, vigie.Errorf(vigie.EFORBIDDEN, "you may not write to collection %s", c.ID)
	}
	if len(raws) > h.cfg.Limits.MaxObjects {
		return nil, vigie.Errorf(vigie.ETOOLARGE, "%d objects in one envelope; the limit is %d", len(raws), h.cfg.Limits.MaxObjects)
	}
	now := h.now().UTC()
	st := &vigie.Status{ID: vigie.NewUUID(), Root: c.Root, OrgID: p.OrgID, RequestTime: now, Total: len(raws)}
	orgs := orgIndex{store: h.store}
	objs := make([]*vigie.Object, 0, len(raws))
	for _, raw := range raws {
		o, err := h.prepare(ctx, p, raw, &orgs)
		if err != nil {
			if vigie.ErrorCode(err) == vigie.EINTERNAL {
				return nil, err
			}
			id, version := identify(raw)
			st.Failures = append(st.Failures, vigie.StatusDetail{ID: id, Version: version, Message: vigie.ErrorMessage(err)})
			continue
		}
		objs = append(objs, o)
	}
	if err := h.store.AddObjects(ctx, c.ID, objs, st, h.publishEntry(p, c, objs, st)); err != nil {
		return nil, err
	}
	if len(objs) > 0 && h.cfg.OnPublish != nil {
		h.cfg.OnPublish()
	}
	return st, nil
}

// prepare validates one object and works out its sharing facts.
func (h *Hub) prepare(ctx context.Context, p vigie.Principal, raw json.RawMessage, orgs *orgIndex) (*vigie.Object, error) {
	so, err := stix.Parse(raw)
	if err != nil {
		return nil, vigie.Errorf(vigie.EINVALID, "%v", err)
	}
	if so.SpecVersion != "" && so.SpecVersion != "2.1" {
		return nil, vigie.Errorf(vigie.EINVALID, "spec_version %q: this hub stores STIX 2.1 objects", so.SpecVersion)
	}
	if so.Type == "indicator" && so.Props["pattern_type"] == "stix" {
		src, _ := so.Props["pattern"].(string)
		if _, err := pattern.Parse(src); err != nil {
			return nil, vigie.Errorf(vigie.EINVALID, "property \"pattern\": %v", err)
		}
	}
	if so.CreatedByRef != "" && so.CreatedByRef != p.OrgID {
		return nil, vigie.Errorf(vigie.EFORBIDDEN, "created_by_ref %s is not your organisation's identity (%s)", so.CreatedByRef, p.OrgID)
	}
	if so.Type == "identity" && so.ID != p.OrgID {
		if other, err := orgs.isOrg(ctx, so.ID); err != nil {
			return nil, err
		} else if other {
			return nil, vigie.Errorf(vigie.EFORBIDDEN, "%s is the identity of another organisation of this hub", so.ID)
		}
	}
	recipients, err := recipientRefs(so.Props[vigie.RecipientsProperty])
	if err != nil {
		return nil, err
	}
	o := &vigie.Object{
		ID:          so.ID,
		Type:        so.Type,
		SpecVersion: "2.1",
		Version:     so.Version(),
		Sharing: vigie.Sharing{
			Publisher:  p.OrgID,
			TLP:        vigie.HighestTLP(so.ObjectMarkingRefs, granularRefs(so.Props["granular_markings"])),
			Recipients: recipients,
		},
		Raw: raw,
	}
	switch {
	case !so.Modified.IsZero():
		o.VersionKey = vigie.VersionKey(so.Modified)
	case !so.Created.IsZero():
		o.VersionKey = vigie.VersionKey(so.Created)
	default:
		// SCOs carry no timestamps: their content is fixed by their
		// deterministic id, so there is one version, dated when added.
		o.Version, o.VersionKey = "", unversioned
	}
	return o, nil
}

// unversioned is the VersionKey of objects without created or modified.
const unversioned = "0000-00-00T00:00:00.000000000Z"

// recipientRefs reads x_vigie_recipient_refs (validated by stix.Parse).
func recipientRefs(v any) ([]string, error) {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, r := range list {
		s, ok := r.(string)
		if !ok || !strings.HasPrefix(s, "identity--") {
			return nil, vigie.Errorf(vigie.EINVALID, "property %q: want a list of identity ids", vigie.RecipientsProperty)
		}
		out = append(out, s)
	}
	return out, nil
}

// granularRefs returns the marking_ref of each granular marking.
func granularRefs(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, g := range list {
		if m, ok := g.(map[string]any); ok {
			if ref, ok := m["marking_ref"].(string); ok {
				out = append(out, ref)
			}
		}
	}
	return out
}

// identify extracts what it can of an invalid object's id and version for
// its failure entry.
func identify(raw json.RawMessage) (id, version string) {
	var head struct {
		ID       any `json:"id"`
		Modified any `json:"modified"`
		Created  any `json:"created"`
	}
	if json.Unmarshal(raw, &head) != nil {
		return "", ""
	}
	str := func(v any) string {
		if s, ok := v.(string); ok && len(s) <= 300 {
			return s
		}
		return ""
	}
	version = str(head.Modified)
	if version == "" {
		version = str(head.Created)
	}
	return str(head.ID), version
}

// orgIndex answers "is this identity one of the hub's organisations?" with
// one lookup per identity per request.
type orgIndex struct {
	store vigie.Store
	known map[string]bool
}

func (x *orgIndex) isOrg(ctx context.Context, id string) (bool, error) {
	if v, ok := x.known[id]; ok {
		return v, nil
	}
	_, err := x.store.FindOrg(ctx, id)
	if err != nil && vigie.ErrorCode(err) != vigie.ENOTFOUND {
		return false, fmt.Errorf("hub: look up organisation %s: %w", id, err)
	}
	if x.known == nil {
		x.known = map[string]bool{}
	}
	x.known[id] = err == nil
	return err == nil, nil
}
