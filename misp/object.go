package misp

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Object converts a MISP object: one indicator if one of its attributes
// has to_ids, else one observed-data grouping their observables.
func (c *Converter) Object(e *Event, o *Object) error {
	c.sum.Objects.Total++
	if !validUUID(o.UUID) {
		c.sum.Objects.NotMapped++
		c.sum.Objects.Errors++
		c.itemErr(&ItemError{Event: e.UUID, Kind: "object", UUID: o.UUID, Type: o.Name, Err: fmt.Errorf("uuid %q is not a UUID", truncate(o.UUID))})
		for i := range o.Attributes {
			c.count(o.Attributes[i].Type, func(n *Count) { n.NotMapped++ })
		}
		return nil
	}
	uid := strings.ToLower(o.UUID)
	when := o.Timestamp.Time()
	if when.IsZero() {
		when = c.ev.when
	}
	toIDs, revoked := false, bool(o.Deleted)
	var fields, gone []field
	var vals, goneVals []any
	var scos, goneSCOs []map[string]any
	var tags []Tag
	var sightings []Sighting
	for i := range o.Attributes {
		a := &o.Attributes[i]
		fs, vs, err := c.objectAttribute(a)
		switch {
		case errors.Is(err, errNotMapped):
			c.count(a.Type, func(n *Count) { n.NotMapped++ })
			continue
		case err != nil:
			c.count(a.Type, func(n *Count) { n.NotMapped++; n.Errors++ })
			c.itemErr(&ItemError{Event: e.UUID, Kind: "attribute", UUID: a.UUID, Type: a.Type, Err: fmt.Errorf("in object %s (%s): %w", o.UUID, o.Name, err)})
			continue
		}
		c.count(a.Type, func(n *Count) {
			n.Mapped++
			if a.Deleted || o.Deleted {
				n.Retracted++
			}
		})
		toIDs = toIDs || bool(a.ToIDs)
		if a.Deleted {
			// The object's new version leaves it out.
			gone, goneVals = append(gone, fs...), append(goneVals, vs...)
			goneSCOs = append(goneSCOs, observables(strings.ToLower(a.UUID), fs, vs)...)
			continue
		}
		fields = append(fields, fs...)
		vals = append(vals, vs...)
		scos = append(scos, allObservables(strings.ToLower(a.UUID), fs, vs)...)
		tags = append(tags, a.Tags...)
		sightings = append(sightings, a.Sightings...)
	}
	if len(fields) == 0 {
		if len(gone) == 0 {
			c.sum.Objects.NotMapped++
			return nil
		}
		// Every attribute was deleted: the object is retracted.
		revoked, fields, vals, scos = true, gone, goneVals, goneSCOs
	}
	scos = mergeIncomplete(scos)
	if !toIDs && len(scos) == 0 {
		c.sum.Objects.NotMapped++
		return nil
	}
	_, marks := c.marks(tags)
	markAll(scos, marks)
	labels := append([]string{`misp:name="` + o.Name + `"`}, tagLabels(tags)...)
	if o.MetaCategory != "" {
		labels = slices.Insert(labels, 1, `misp:meta-category="`+o.MetaCategory+`"`)
	}
	base := func(typ string) map[string]any {
		m := map[string]any{
			"type": typ, "spec_version": "2.1", "id": typ + "--" + uid,
			"created": stamp(when), "modified": stamp(when),
		}
		if c.ev.author != "" {
			m["created_by_ref"] = c.ev.author
		}
		if len(marks) > 0 {
			m["object_marking_refs"] = marks
		}
		if revoked {
			m["revoked"] = true
		}
		return m
	}
	var main map[string]any
	var out []map[string]any
	if toIDs {
		main = c.indicator(base, nil, when, labels, patternOf(fields, vals), "stix")
	} else {
		main = base("observed-data")
		main["first_observed"], main["last_observed"] = when.Format(time.RFC3339), when.Format(time.RFC3339)
		main["number_observed"] = 1
		main["object_refs"] = ids(scos)
		main["labels"] = labels
		out = dedupObjs(scos)
	}
	if o.Comment != "" {
		main["description"] = o.Comment
	}
	out = append(out, main)
	for _, x := range out {
		if err := c.emit(x); err != nil {
			return err
		}
		c.ev.refs = append(c.ev.refs, x["id"].(string))
	}
	for _, s := range sightings {
		id, err := c.sighting(e, main["id"].(string), s, marks)
		if err != nil {
			return err
		}
		if id != "" {
			c.ev.refs = append(c.ev.refs, id)
		}
	}
	c.sum.Objects.Mapped++
	if revoked {
		c.sum.Objects.Retracted++
	}
	return nil
}

// objectAttribute checks one attribute of an object and returns its
// fields and values; only observable types (not rules or SDOs) go into an
// object's pattern or observed-data.
func (c *Converter) objectAttribute(a *Attribute) ([]field, []any, error) {
	if !validUUID(a.UUID) {
		return nil, nil, fmt.Errorf("uuid %q is not a UUID", truncate(a.UUID))
	}
	t, ok := types[a.Type]
	if !ok || len(t.Fields) == 0 {
		return nil, nil, errNotMapped
	}
	parts, err := t.split(a.Value)
	if err != nil {
		return nil, nil, err
	}
	vals := make([]any, len(parts))
	for i, f := range t.Fields {
		if vals[i], err = f.parse(parts[i]); err != nil {
			return nil, nil, err
		}
	}
	return t.Fields, vals, nil
}

// markAll gives SCOs the markings of the observed data that holds them:
// a value is as restricted as the attribute it came from.
func markAll(scos []map[string]any, marks []string) {
	if len(marks) == 0 {
		return
	}
	for _, o := range scos {
		o["object_marking_refs"] = marks
	}
}
