package misp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
)

// Options configure a Converter.
type Options struct {
	// Emit receives each STIX object as it is made; its error stops the
	// conversion.
	Emit func(obj json.RawMessage) error
	// Members are the identity ids of the hub's member organisations
	// other than the importing one. An event whose Orgc is one of them
	// names no author (created_by_ref): imported content never claims a
	// member's identity.
	Members map[string]bool
	// Now is the clock, for items without any timestamp (time.Now if nil).
	Now func() time.Time
	// MaxErrors is how many item errors the Summary keeps (1,000 if 0);
	// all are counted.
	MaxErrors int
}

// Count is what became of the attributes of one MISP type. Mapped +
// NotMapped = Total; Errors are the part of NotMapped that could not be
// converted because of a bad value (the rest have no STIX mapping).
type Count struct {
	Total     int `json:"total"`
	Mapped    int `json:"mapped"`
	NotMapped int `json:"not_mapped"`
	Errors    int `json:"errors"`
	Retracted int `json:"retracted,omitempty"` // deleted attributes, imported revoked
}

// Summary accounts for a conversion.
type Summary struct {
	Events     int               `json:"events"`
	Attributes Count             `json:"attributes"`
	Types      map[string]*Count `json:"types"`
	Objects    Count             `json:"objects"`   // MISP objects
	Galaxies   Count             `json:"galaxies"`  // galaxy clusters
	Sightings  Count             `json:"sightings"` // sightings
	STIX       int               `json:"stix"`      // STIX objects emitted
	Errors     []string          `json:"errors,omitempty"`
	ErrorCount int               `json:"error_count"`
}

// Converter turns MISP events into STIX 2.1 objects, following misp-stix:
//
//   - a published event is a report, an unpublished one a grouping, with
//     the event's UUID, referring to everything the event produced;
//   - an attribute with to_ids is an indicator with a STIX pattern, any
//     other an observed-data with its SCOs (SCO ids keep the attribute's
//     UUID); yara, sigma, snort and suricata attributes are indicators in
//     those languages, vulnerability and campaign-name attributes SDOs;
//   - a MISP object is one indicator (one attribute has to_ids) or one
//     observed-data grouping the observables of its attributes;
//   - tlp:* tags are TLP marking refs (the most restrictive of the
//     event's and the item's), other tags labels, with misp-stix's
//     misp:type and misp:category labels;
//   - galaxy clusters are threat-actor, intrusion-set, malware, tool,
//     attack-pattern or course-of-action SDOs;
//   - sightings of type 0 are sightings of the attribute's object;
//   - Orgc is the identity named by created_by_ref;
//   - deleted attributes and objects are new versions with revoked true.
//
// It implements Handler; give it to Read. It is not safe for concurrent
// use.
type Converter struct {
	opts    Options
	sum     Summary
	seen    map[string]bool // identities and galaxy SDOs already emitted
	ev      eventState
	scratch []byte
}

// eventState is what the converter keeps about the event being read.
type eventState struct {
	author string // created_by_ref ("" for none)
	tlp    vigie.TLP
	marks  []string // the event's TLP marking ref (0 or 1)
	refs   []string // ids the container refers to
	when   time.Time
}

// NewConverter returns a converter that emits through opts.Emit.
func NewConverter(opts Options) *Converter {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxErrors <= 0 {
		opts.MaxErrors = 1000
	}
	return &Converter{opts: opts, sum: Summary{Types: map[string]*Count{}}, seen: map[string]bool{}}
}

// Summary returns the accounting so far.
func (c *Converter) Summary() *Summary { return &c.sum }

// Convert reads a MISP document (see Read) and converts it with c.
func (c *Converter) Convert(r io.ReadSeeker) error { return Read(r, c) }

func (c *Converter) emit(obj map[string]any) error {
	b, err := json.Marshal(obj)
	if err != nil {
		return fmt.Errorf("misp: encode %v: %w", obj["id"], err)
	}
	c.sum.STIX++
	return c.opts.Emit(b)
}

func (c *Converter) itemErr(err *ItemError) {
	c.sum.ErrorCount++
	if len(c.sum.Errors) < c.opts.MaxErrors {
		c.sum.Errors = append(c.sum.Errors, err.Error())
	}
}

// stamp formats a STIX timestamp with millisecond precision.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Event starts an event: its identity, markings, and galaxies.
func (c *Converter) Event(e *Event) error {
	c.sum.Events++
	c.ev = eventState{when: e.Timestamp.Time()}
	if c.ev.when.IsZero() {
		c.ev.when = c.opts.Now().UTC().Truncate(time.Second)
	}
	if e.UUID != "" && !validUUID(e.UUID) {
		return fmt.Errorf("misp: event uuid %q is not a UUID", truncate(e.UUID))
	}
	c.ev.tlp, _ = tagsTLP(e.Tags)
	if ref := tlpRef(e.Tags); ref != "" {
		c.ev.marks = []string{ref}
	}
	author, err := c.identity(e.Orgc, c.ev.when)
	if err != nil {
		return err
	}
	c.ev.author = author
	for _, g := range e.Galaxies {
		for _, cl := range g.Clusters {
			id, err := c.galaxy(e, g, cl)
			if err != nil {
				return err
			}
			if id != "" {
				c.ev.refs = append(c.ev.refs, id)
			}
		}
	}
	return nil
}

// identity emits the identity of a MISP organisation once and returns its
// id, or "" when the organisation is unnamed or a member of the hub.
func (c *Converter) identity(o Org, when time.Time) (string, error) {
	if o.UUID == "" || !validUUID(o.UUID) {
		return "", nil
	}
	id := "identity--" + strings.ToLower(o.UUID)
	if c.opts.Members[id] {
		return "", nil
	}
	if c.seen[id] {
		return id, nil
	}
	c.seen[id] = true
	name := o.Name
	if strings.TrimSpace(name) == "" {
		name = "MISP organisation " + o.UUID
	}
	return id, c.emit(map[string]any{
		"type": "identity", "spec_version": "2.1", "id": id,
		"created": stamp(when), "modified": stamp(when),
		"name": name, "identity_class": "organization",
	})
}

// EventEnd emits the event's report (published) or grouping.
func (c *Converter) EventEnd(e *Event) error {
	if e.UUID == "" {
		return nil // attributes or objects without an event: no container
	}
	id := strings.ToLower(e.UUID)
	refs := c.ev.refs
	if len(refs) > 10000 {
		// A huge event: sorted and compacted in place, without a set of
		// a million ids (the order of object_refs means nothing).
		slices.Sort(refs)
		refs = slices.Compact(refs)
	} else {
		refs = dedup(refs)
	}
	common := func(typ, oid string) map[string]any {
		o := map[string]any{
			"type": typ, "spec_version": "2.1", "id": typ + "--" + oid,
			"created": stamp(c.ev.when), "modified": stamp(c.ev.when),
		}
		if c.ev.author != "" {
			o["created_by_ref"] = c.ev.author
		}
		if len(c.ev.marks) > 0 {
			o["object_marking_refs"] = c.ev.marks
		}
		return o
	}
	var container map[string]any
	if e.Published {
		container = common("report", id)
		pub := e.PublishTimestamp.Time()
		if pub.IsZero() {
			pub = c.ev.when
		}
		container["published"] = pub.Format(time.RFC3339)
		container["report_types"] = []string{"threat-report"}
	} else {
		container = common("grouping", id)
		container["context"] = "suspicious-activity"
	}
	name := e.Info
	if strings.TrimSpace(name) == "" {
		name = "MISP event " + e.UUID
	}
	container["name"] = name
	if labels := tagLabels(e.Tags); len(labels) > 0 {
		container["labels"] = labels
	}
	if len(refs) == 0 {
		// misp-stix: an empty event refers to a note that says so.
		note := common("note", id)
		note["content"] = "This MISP event is empty: it contains no attribute, object or galaxy."
		note["object_refs"] = []string{container["id"].(string)}
		if err := c.emit(note); err != nil {
			return err
		}
		refs = []string{note["id"].(string)}
	}
	container["object_refs"] = refs
	return c.emit(container)
}

// ItemError counts an attribute or object that could not be read.
func (c *Converter) ItemError(e *Event, err *ItemError) error {
	if err.Kind == "attribute" {
		c.count(err.Type, func(n *Count) { n.NotMapped++; n.Errors++ })
	} else {
		c.sum.Objects.Total++
		c.sum.Objects.NotMapped++
		c.sum.Objects.Errors++
	}
	c.itemErr(err)
	return nil
}

// count applies fn to the totals of type typ and of all attributes, after
// counting one more attribute.
func (c *Converter) count(typ string, fn func(*Count)) {
	if typ == "" {
		typ = "(no type)"
	}
	n := c.sum.Types[typ]
	if n == nil {
		if len(c.sum.Types) >= 1000 {
			typ = "(other)"
			if n = c.sum.Types[typ]; n == nil {
				n = &Count{}
				c.sum.Types[typ] = n
			}
		} else {
			n = &Count{}
			c.sum.Types[typ] = n
		}
	}
	n.Total++
	c.sum.Attributes.Total++
	fn(n)
	fn(&c.sum.Attributes)
}

// errNotMapped marks a type vigie does not convert.
var errNotMapped = errors.New("not mapped")

// Attribute converts one attribute of the event.
func (c *Converter) Attribute(e *Event, a *Attribute) error {
	id, err := c.attribute(e, a)
	switch {
	case errors.Is(err, errNotMapped):
		c.count(a.Type, func(n *Count) { n.NotMapped++ })
		return nil
	case err != nil && isItemErr(err):
		c.count(a.Type, func(n *Count) { n.NotMapped++; n.Errors++ })
		c.itemErr(&ItemError{Event: e.UUID, Kind: "attribute", UUID: a.UUID, Type: a.Type, Err: err})
		return nil
	case err != nil:
		return err
	}
	c.count(a.Type, func(n *Count) {
		n.Mapped++
		if a.Deleted {
			n.Retracted++
		}
	})
	c.ev.refs = append(c.ev.refs, id...)
	return nil
}

// itemError is a problem with one item's content (not an I/O failure).
type itemError struct{ error }

func isItemErr(err error) bool {
	var ie itemError
	return errors.As(err, &ie)
}

func badItem(format string, args ...any) error { return itemError{fmt.Errorf(format, args...)} }

// attribute converts a and returns the ids of what it emitted for the
// event's container.
func (c *Converter) attribute(e *Event, a *Attribute) ([]string, error) {
	if !validUUID(a.UUID) {
		return nil, badItem("uuid %q is not a UUID", truncate(a.UUID))
	}
	if !typeName.MatchString(a.Type) {
		return nil, badItem("type %q is not a MISP attribute type name", truncate(a.Type))
	}
	if a.Category != "" && !categories[a.Category] {
		return nil, badItem("category %q is not a MISP category", truncate(a.Category))
	}
	t, ok := types[a.Type]
	if !ok {
		return nil, errNotMapped
	}
	uid := strings.ToLower(a.UUID)
	when := a.Timestamp.Time()
	if when.IsZero() {
		when = c.ev.when
	}
	tlp, marks := c.marks(a.Tags)
	_ = tlp
	base := func(typ string) map[string]any {
		o := map[string]any{
			"type": typ, "spec_version": "2.1", "id": typ + "--" + uid,
			"created": stamp(when), "modified": stamp(when),
		}
		if c.ev.author != "" {
			o["created_by_ref"] = c.ev.author
		}
		if len(marks) > 0 {
			o["object_marking_refs"] = marks
		}
		if a.Deleted {
			o["revoked"] = true
		}
		return o
	}
	labels := append([]string{`misp:type="` + a.Type + `"`}, tagLabels(a.Tags)...)
	if a.Category != "" {
		labels = slices.Insert(labels, 1, `misp:category="`+a.Category+`"`)
	}
	var main map[string]any
	var out []map[string]any
	switch {
	case t.SDO != "":
		main = base(t.SDO)
		v := strings.TrimSpace(a.Value)
		if v == "" {
			return nil, badItem("empty value")
		}
		main["name"] = v
		if t.SDO == "vulnerability" && strings.HasPrefix(strings.ToUpper(v), "CVE-") {
			main["external_references"] = []map[string]any{{"source_name": "cve", "external_id": strings.ToUpper(v)}}
		}
		main["labels"] = labels
	case t.PatternType != "":
		if strings.TrimSpace(a.Value) == "" {
			return nil, badItem("empty rule")
		}
		main = c.indicator(base, a, when, labels, a.Value, t.PatternType)
	default:
		parts, err := t.split(a.Value)
		if err != nil {
			return nil, itemError{err}
		}
		vals := make([]any, len(parts))
		for i, f := range t.Fields {
			if vals[i], err = f.parse(parts[i]); err != nil {
				return nil, itemError{err}
			}
		}
		if bool(a.ToIDs) || t.IndicatorOnly {
			main = c.indicator(base, a, when, labels, patternOf(t.Fields, vals), "stix")
		} else {
			scos := observables(uid, t.Fields, vals)
			markAll(scos, marks)
			main = base("observed-data")
			main["first_observed"], main["last_observed"] = when.Format(time.RFC3339), when.Format(time.RFC3339)
			main["number_observed"] = 1
			main["object_refs"] = ids(scos)
			main["labels"] = labels
			out = scos
		}
	}
	if a.Comment != "" && main["type"] != "indicator" {
		main["description"] = a.Comment
	}
	out = append(out, main)
	refs := make([]string, 0, len(out)+1)
	for _, o := range out {
		if err := c.emit(o); err != nil {
			return nil, err
		}
		refs = append(refs, o["id"].(string))
	}
	mainID := main["id"].(string)
	more, err := c.attached(e, mainID, a, marks, when)
	if err != nil {
		return nil, err
	}
	return append(refs, more...), nil
}

// indicator makes the indicator of an attribute (or object) with pattern.
func (c *Converter) indicator(base func(string) map[string]any, a *Attribute, when time.Time, labels []string, pattern, ptype string) map[string]any {
	o := base("indicator")
	o["pattern"] = pattern
	o["pattern_type"] = ptype
	if ptype == "stix" {
		o["pattern_version"] = "2.1"
	}
	o["valid_from"] = when.Format(time.RFC3339)
	if a != nil {
		if a.Comment != "" {
			o["description"] = a.Comment
		}
		if a.Category != "" {
			o["kill_chain_phases"] = []map[string]any{{"kill_chain_name": "misp-category", "phase_name": a.Category}}
		}
	}
	o["labels"] = labels
	return o
}

func ids(objs []map[string]any) []string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, o["id"].(string))
	}
	return dedup(out)
}

func dedup(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := ss[:0:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func dedupObjs(objs []map[string]any) []map[string]any {
	seen := map[string]bool{}
	var out []map[string]any
	for _, o := range objs {
		id := o["id"].(string)
		if !seen[id] {
			seen[id] = true
			out = append(out, o)
		}
	}
	return out
}
