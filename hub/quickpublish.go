package hub

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/vigie-cti/vigie"
)

// MaxQuickValues bounds the values of one publish form.
const MaxQuickValues = 1000

// ValuesSpec is what a person fills in to share values: where, at which
// TLP (required), why, and optionally what to do about them.
type ValuesSpec struct {
	Root, Collection string
	Values           []string // one per line of the form; blank lines are skipped
	TLP              vigie.TLP
	Name             string // a name for the set ("" : each indicator is named after its value)
	Description      string
	CourseOfAction   string   // "" for none: a course-of-action that mitigates every indicator
	Recipients       []string // for TLP:RED only: the organisations (identity ids) that may read
}

// PublishValues turns values (addresses, ranges, domains, URLs, mail
// addresses, file hashes) into STIX indicators of p's organisation,
// marked spec.TLP, with an optional course of action that mitigates them,
// and publishes them like any TAXII POST (Publish: the same validation,
// rules and audit). EINVALID, before anything is published, for a
// missing TLP, no values, too many, or a value an indicator cannot
// describe (the message names it).
func (h *Hub) PublishValues(ctx context.Context, p vigie.Principal, spec ValuesSpec) (*vigie.Status, error) {
	if err := member(p, vigie.RolePublisher); err != nil {
		return nil, err
	}
	if spec.TLP == vigie.TLPNone {
		return nil, vigie.Errorf(vigie.EINVALID, "choose a TLP level: what is shared must say who may read it")
	}
	if err := h.checkRecipients(ctx, spec.TLP, spec.Recipients); err != nil {
		return nil, err
	}
	c, a, err := h.Collection(ctx, p, spec.Root, spec.Collection)
	if err != nil {
		return nil, err
	}
	var values []Value
	for _, line := range spec.Values {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		v := ClassifyValue(line)
		if _, err := v.Pattern(); err != nil {
			return nil, err
		}
		values = append(values, v)
	}
	switch {
	case len(values) == 0:
		return nil, vigie.Errorf(vigie.EINVALID, "no values: paste one address, domain, URL, mail address or hash per line")
	case len(values) > MaxQuickValues:
		return nil, vigie.Errorf(vigie.ETOOLARGE, "%d values; the form takes at most %d (publish larger sets as a STIX bundle over TAXII)", len(values), MaxQuickValues)
	}
	now := h.now()
	object := func(typ string) map[string]any {
		o := h.quickObject(p, typ, now, spec.TLP)
		if len(spec.Recipients) > 0 {
			o[vigie.RecipientsProperty] = spec.Recipients
		}
		return o
	}
	raws := make([]json.RawMessage, 0, len(values)+2)
	var ids []string
	for _, v := range values {
		pat, _ := v.Pattern()
		o := object("indicator")
		o["pattern"], o["pattern_type"], o["valid_from"] = pat, "stix", o["created"]
		o["indicator_types"] = []string{"malicious-activity"}
		o["name"] = v.Value
		if spec.Name != "" {
			o["name"] = spec.Name + ": " + v.Value
		}
		if spec.Description != "" {
			o["description"] = spec.Description
		}
		raw, _ := json.Marshal(o)
		raws = append(raws, raw)
		ids = append(ids, o["id"].(string))
	}
	if coa := strings.TrimSpace(spec.CourseOfAction); coa != "" {
		o := object("course-of-action")
		o["name"], o["description"] = firstLine(coa, 120), coa
		raw, _ := json.Marshal(o)
		raws = append(raws, raw)
		for _, id := range ids {
			r := object("relationship")
			r["relationship_type"], r["source_ref"], r["target_ref"] = "mitigates", o["id"], id
			raw, _ := json.Marshal(r)
			raws = append(raws, raw)
		}
	}
	return h.Publish(ctx, p, a, c, raws)
}

func firstLine(s string, max int) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

// Sight publishes "we saw this": a STIX sighting by p's organisation of
// the object with this id (which p must be able to read), marked tlp,
// into a collection p may write. The early-warning engine counts it
// towards the sighting trigger. ENOTFOUND for an object p may not read.
func (h *Hub) Sight(ctx context.Context, p vigie.Principal, root, collection, id string, tlp vigie.TLP, note string) (*vigie.Status, error) {
	if err := member(p, vigie.RolePublisher); err != nil {
		return nil, err
	}
	if tlp == vigie.TLPNone {
		return nil, vigie.Errorf(vigie.EINVALID, "choose a TLP level for the sighting")
	}
	if _, err := h.Object(ctx, p, id); err != nil {
		return nil, err
	}
	c, a, err := h.Collection(ctx, p, root, collection)
	if err != nil {
		return nil, err
	}
	now := h.now()
	o := h.quickObject(p, "sighting", now, tlp)
	o["sighting_of_ref"], o["where_sighted_refs"], o["count"] = id, []string{p.OrgID}, 1
	o["first_seen"], o["last_seen"] = o["created"], o["created"]
	if note = strings.TrimSpace(note); note != "" {
		o["description"] = note
	}
	raw, _ := json.Marshal(o)
	st, err := h.Publish(ctx, p, a, c, []json.RawMessage{raw})
	if err == nil && len(st.Failures) > 0 {
		return st, vigie.Errorf(vigie.EINVALID, "sighting refused: %s", st.Failures[0].Message)
	}
	return st, err
}

// WritableCollections returns the collections p may publish into.
func (h *Hub) WritableCollections(ctx context.Context, p vigie.Principal) ([]*vigie.Collection, error) {
	cs, as, err := h.ReadableCollections(ctx, p)
	if err != nil {
		return nil, err
	}
	var out []*vigie.Collection
	for i, c := range cs {
		if as[i].Write {
			out = append(out, c)
		}
	}
	return out, nil
}
