package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/pattern"
	"github.com/vigie-cti/vigie/stix"
)

// Publish validates raw STIX objects posted by p into collection c and
// stores the valid ones, with the status resource of the request, in one
// transaction. An invalid object is a failure in the status, with a reason
// that names the property; its valid siblings are stored all the same.
//
// Beyond STIX validity, each object must follow the hub's rules of
// authorship and ownership (see checkOwnership): created_by_ref names p's
// organisation or a third party that is not a member; only the owner of an
// id (the organisation that published its first version) publishes new
// versions of it; created and modified are at most Config.MaxClockSkew in
// the future; every marking definition an object references is a TLP one,
// stored on the hub, or in the same envelope; and a statement marking does
// not claim a TLP level.
//
// EFORBIDDEN if p may not write to c; ETOOLARGE over Limits.MaxObjects.
func (h *Hub) Publish(ctx context.Context, p vigie.Principal, a vigie.Access, c *vigie.Collection, raws []json.RawMessage) (*vigie.Status, error) {
	if !a.Write {
		return nil, vigie.Errorf(vigie.EFORBIDDEN, "you may not write to collection %s", c.ID)
	}
	if len(raws) > h.cfg.Limits.MaxObjects {
		return nil, vigie.Errorf(vigie.ETOOLARGE, "%d objects in one envelope; the limit is %d", len(raws), h.cfg.Limits.MaxObjects)
	}
	// ECONFLICT: another request claimed one of the ids between the owner
	// look-up and the store's transaction; deciding again refuses it.
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		var st *vigie.Status
		if st, err = h.publish(ctx, p, a, c, raws); vigie.ErrorCode(err) != vigie.ECONFLICT {
			return st, err
		}
	}
	return nil, err
}

func (h *Hub) publish(ctx context.Context, p vigie.Principal, a vigie.Access, c *vigie.Collection, raws []json.RawMessage) (*vigie.Status, error) {
	now := h.now().UTC()
	st := &vigie.Status{ID: vigie.NewUUID(), Root: c.Root, OrgID: p.OrgID, RequestTime: now, Total: len(raws)}
	orgs := orgIndex{store: h.store}
	entries := make([]entry, 0, len(raws))
	refused := map[string]int{}
	for _, raw := range raws {
		e, err := h.prepare(ctx, p, raw, now, &orgs)
		if err != nil {
			if vigie.ErrorCode(err) == vigie.EINTERNAL {
				return nil, err
			}
			refused[vigie.ErrorCode(err)]++
			id, version := identify(raw)
			st.Failures = append(st.Failures, vigie.StatusDetail{ID: id, Version: version, Message: vigie.ErrorMessage(err)})
			continue
		}
		entries = append(entries, e)
	}
	known := map[string]bool{}
	objs, copies, err := h.checkOwnership(ctx, p, a, c, entries, st, known)
	if err != nil {
		return nil, err
	}
	before := len(st.Successes)
	if err := h.store.AddObjects(ctx, c.ID, objs, st, h.publishEntry(p, c, objs, st)); err != nil {
		return nil, err
	}
	if err := h.retractNarrowed(ctx, c, objs, st, before, known); err != nil {
		return nil, err
	}
	if len(copies) > 0 {
		refuseHiddenCopies(st, before, objs, copies)
	}
	if len(objs) > 0 {
		h.Changed()
		if h.cfg.OnPublish != nil {
			h.cfg.OnPublish()
		}
	}
	if h.cfg.OnIngest != nil {
		if n := len(st.Failures) - len(raws) + len(entries); n > 0 {
			refused[vigie.EFORBIDDEN] += n // checkOwnership's and refuseHiddenCopies' refusals
		}
		h.cfg.OnIngest(len(st.Successes), refused)
	}
	return st, nil
}

// entry is one valid object of an envelope on its way to the store.
type entry struct {
	o     *vigie.Object
	marks []string // the marking definitions it references, object-level and granular
}

// prepare validates one object and works out its sharing facts.
func (h *Hub) prepare(ctx context.Context, p vigie.Principal, raw json.RawMessage, now time.Time, orgs *orgIndex) (entry, error) {
	so, err := stix.Parse(raw)
	if err != nil {
		return entry{}, vigie.Errorf(vigie.EINVALID, "%v", err)
	}
	if so.SpecVersion != "" && so.SpecVersion != "2.1" {
		return entry{}, vigie.Errorf(vigie.EINVALID, "spec_version %q: this hub stores STIX 2.1 objects", so.SpecVersion)
	}
	if so.Type == "indicator" && so.Props["pattern_type"] == "stix" {
		src, _ := so.Props["pattern"].(string)
		if _, err := pattern.Parse(src); err != nil {
			return entry{}, vigie.Errorf(vigie.EINVALID, "property \"pattern\": %v", err)
		}
	}
	if err := h.checkClock(so, now); err != nil {
		return entry{}, err
	}
	if err := checkStatement(so); err != nil {
		return entry{}, err
	}
	if so.CreatedByRef != "" && so.CreatedByRef != p.OrgID {
		if member, err := orgs.isOrg(ctx, so.CreatedByRef); err != nil {
			return entry{}, err
		} else if member {
			return entry{}, vigie.Errorf(vigie.EFORBIDDEN, "created_by_ref %s is another member organisation of this hub: name your own organisation's identity (%s), or the identity of a third-party author that is not a member", so.CreatedByRef, p.OrgID)
		}
	}
	if so.Type == "identity" && so.ID != p.OrgID {
		if other, err := orgs.isOrg(ctx, so.ID); err != nil {
			return entry{}, err
		} else if other {
			return entry{}, vigie.Errorf(vigie.EFORBIDDEN, "%s is the identity of another organisation of this hub", so.ID)
		}
	}
	recipients, err := recipientRefs(so.Props[vigie.RecipientsProperty])
	if err != nil {
		return entry{}, err
	}
	granular := granularRefs(so.Props["granular_markings"])
	o := &vigie.Object{
		ID:          so.ID,
		Type:        so.Type,
		SpecVersion: "2.1",
		Version:     so.Version(),
		Sharing: vigie.Sharing{
			Publisher:  p.OrgID,
			TLP:        vigie.HighestTLP(so.ObjectMarkingRefs, granular),
			Recipients: recipients,
		},
		Author:    so.CreatedByRef,
		Raw:       raw,
		Words:     vigie.SearchTextOf(so.Props), // the text index, without decoding raw again
		WordsRead: true,
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
		if o.Digest, err = digest(so.Props); err != nil {
			return entry{}, err
		}
	}
	return entry{o: o, marks: append(slices.Clip(so.ObjectMarkingRefs), granular...)}, nil
}

// checkClock refuses created and modified timestamps further in the future
// than the hub's clock allows: a version dated 9999 would stay "last"
// forever.
func (h *Hub) checkClock(so *stix.Object, now time.Time) error {
	limit := now.Add(h.cfg.MaxClockSkew)
	for _, ts := range []struct {
		name string
		t    time.Time
	}{{"created", so.Created}, {"modified", so.Modified}} {
		if ts.t.After(limit) {
			return vigie.Errorf(vigie.EINVALID, "property %q: %s is in the future, more than %s ahead of the hub's clock (%s)",
				ts.name, ts.t.UTC().Format(time.RFC3339Nano), h.cfg.MaxClockSkew, now.Format(time.RFC3339))
		}
	}
	return nil
}

// digest returns the hex SHA-256 of an object's canonical JSON (properties
// sorted by name, no white space), so that two copies of an SCO that differ
// only in layout have one digest.
func digest(props map[string]any) (string, error) {
	b, err := json.Marshal(props)
	if err != nil {
		return "", fmt.Errorf("hub: canonical JSON: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
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
