package misp

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/pattern"
)

// A Feed turns STIX objects back into MISP events, the way a MISP
// instance reads a feed: each report or grouping becomes an event (its
// UUID kept) holding the indicators and observed data it refers to;
// indicators and observed data no container refers to are grouped in one
// event per day and publisher. Add every object first (the ones the
// reader may take off the hub: the caller filters by TLP), then call
// Events, or WriteDir.
type Feed struct {
	objs       map[string]map[string]any // by id
	order      []string                  // ids in the order added
	publishers map[string]string         // object id -> publisher organisation id
	orgNames   map[string]string         // organisation (identity) id -> name
	Skipped    int                       // objects with nothing MISP can hold
}

// NewFeed returns an empty feed. orgNames names the hub's organisations
// (identity id -> name) for the events of loose indicators.
func NewFeed(orgNames map[string]string) *Feed {
	return &Feed{objs: map[string]map[string]any{}, publishers: map[string]string{}, orgNames: orgNames}
}

// Add adds one STIX object published by the organisation publisher. A
// revoked object is left out (MISP feeds carry live attributes).
func (f *Feed) Add(raw json.RawMessage, publisher string) error {
	var o map[string]any
	if err := json.Unmarshal(raw, &o); err != nil {
		return fmt.Errorf("misp: feed: %w", err)
	}
	id, _ := o["id"].(string)
	if !validUUID(uuidOf(id)) {
		f.Skipped++
		return fmt.Errorf("misp: feed: object id %q is not TYPE--UUID", truncate(id))
	}
	if o["revoked"] == true {
		return nil
	}
	if _, dup := f.objs[id]; !dup {
		f.order = append(f.order, id)
	}
	f.objs[id] = o
	f.publishers[id] = publisher
	return nil
}

// FeedEvent is an event as a MISP feed writes it.
type FeedEvent struct {
	UUID             string          `json:"uuid"`
	Info             string          `json:"info"`
	Date             string          `json:"date"`
	Timestamp        Timestamp       `json:"timestamp"`
	Published        bool            `json:"published"`
	PublishTimestamp Timestamp       `json:"publish_timestamp"`
	Analysis         Int             `json:"analysis"`
	ThreatLevelID    Int             `json:"threat_level_id"`
	Orgc             Org             `json:"Orgc"`
	Tags             []Tag           `json:"Tag"`
	Attributes       []FeedAttribute `json:"Attribute"`
	Objects          []FeedObject    `json:"Object"`
	Galaxies         []Galaxy        `json:"Galaxy,omitempty"`
}

// FeedAttribute is an attribute as a MISP feed writes it.
type FeedAttribute struct {
	UUID           string    `json:"uuid"`
	Type           string    `json:"type"`
	Category       string    `json:"category"`
	Value          string    `json:"value"`
	ToIDs          bool      `json:"to_ids"`
	Comment        string    `json:"comment"`
	Timestamp      Timestamp `json:"timestamp"`
	Deleted        bool      `json:"deleted"`
	ObjectRelation string    `json:"object_relation,omitempty"`
	Tags           []Tag     `json:"Tag,omitempty"`
}

// FeedObject is a MISP object as a feed writes it.
type FeedObject struct {
	UUID         string          `json:"uuid"`
	Name         string          `json:"name"`
	MetaCategory string          `json:"meta-category"`
	Comment      string          `json:"comment"`
	Timestamp    Timestamp       `json:"timestamp"`
	Deleted      bool            `json:"deleted"`
	Attributes   []FeedAttribute `json:"Attribute"`
}

// Events returns the feed's events, by UUID.
func (f *Feed) Events() []*FeedEvent {
	var events []*FeedEvent
	contained := map[string]bool{}
	for _, id := range f.order {
		o := f.objs[id]
		typ := o["type"]
		if typ != "report" && typ != "grouping" {
			continue
		}
		ev := f.container(o)
		for _, ref := range strs(o["object_refs"]) {
			if f.item(ev, ref, o) {
				contained[ref] = true
			}
		}
		events = append(events, ev)
	}
	loose := map[string]*FeedEvent{}
	for _, id := range f.order {
		o := f.objs[id]
		if contained[id] || !exported(o) {
			continue
		}
		pub := f.publishers[id]
		day := parseTime(o["created"]).Format("2006-01-02")
		key := pub + "/" + day
		ev := loose[key]
		if ev == nil {
			name := f.orgNames[pub]
			if name == "" {
				name = pub
			}
			ev = &FeedEvent{
				UUID: vigie.NameUUID("misp-feed/" + key), Info: "Indicators shared by " + name + " on " + day,
				Date: day, Published: true, Analysis: 2, ThreatLevelID: 4,
				Orgc: Org{UUID: strings.TrimPrefix(pub, "identity--"), Name: name},
			}
			loose[key] = ev
			events = append(events, ev)
		}
		f.item(ev, id, nil)
	}
	for _, ev := range events {
		if ev.Tags == nil {
			ev.Tags = eventTLP(ev)
		}
		if ev.Attributes == nil {
			ev.Attributes = []FeedAttribute{}
		}
		if ev.Objects == nil {
			ev.Objects = []FeedObject{}
		}
	}
	slices.SortFunc(events, func(a, b *FeedEvent) int { return strings.Compare(a.UUID, b.UUID) })
	return events
}

// exported reports whether an object becomes attributes of its own.
func exported(o map[string]any) bool {
	switch o["type"] {
	case "indicator", "observed-data", "vulnerability", "campaign":
		return true
	}
	return false
}

// eventTLP returns the tag of the most restrictive TLP level among the
// attributes of a loose event (an event is as restricted as its most
// restricted part).
func eventTLP(ev *FeedEvent) []Tag {
	best := vigie.TLPNone
	name := ""
	look := func(tags []Tag) {
		if l, n := tagsTLP(tags); l > best {
			best, name = l, n
		}
	}
	for _, a := range ev.Attributes {
		look(a.Tags)
	}
	for _, o := range ev.Objects {
		for _, a := range o.Attributes {
			look(a.Tags)
		}
	}
	if name == "" {
		return []Tag{}
	}
	return []Tag{{Name: name}}
}

// container makes the event of a report or grouping.
func (f *Feed) container(o map[string]any) *FeedEvent {
	id := o["id"].(string)
	created := parseTime(o["created"])
	ev := &FeedEvent{
		UUID: uuidOf(id), Info: str(o["name"]), Date: created.Format("2006-01-02"),
		Timestamp: unixOf(parseTime(o["modified"])), Analysis: 2, ThreatLevelID: 4,
		Orgc: f.orgc(o, id),
	}
	if o["type"] == "report" {
		ev.Published = true
		ev.PublishTimestamp = unixOf(parseTime(o["published"]))
	}
	ev.Tags = append(markingTags(o), labelTags(o)...)
	return ev
}

// orgc names the creator of an object: its created_by_ref identity, else
// its publisher.
func (f *Feed) orgc(o map[string]any, id string) Org {
	if ref := str(o["created_by_ref"]); ref != "" {
		name := f.orgNames[ref]
		if idn := f.objs[ref]; idn != nil {
			name = str(idn["name"])
		}
		return Org{UUID: uuidOf(ref), Name: name}
	}
	pub := f.publishers[id]
	return Org{UUID: uuidOf(pub), Name: f.orgNames[pub]}
}

// item adds the object id to ev as attributes or a MISP object and
// reports whether it did. Galaxy SDOs become the event's galaxies.
func (f *Feed) item(ev *FeedEvent, id string, container map[string]any) bool {
	o := f.objs[id]
	if o == nil {
		return false
	}
	if gt := galaxyType(o); gt != "" {
		ev.Galaxies = append(ev.Galaxies, Galaxy{Type: gt, Name: gt, Clusters: []Cluster{{
			UUID: uuidOf(id), Type: gt, Value: str(o["name"]), Description: str(o["description"]),
			TagName: "misp-galaxy:" + gt + "=\"" + str(o["name"]) + "\"",
		}}})
		return true
	}
	if !exported(o) {
		return false
	}
	attrs, obj := f.attributes(o)
	switch {
	case obj != nil:
		ev.Objects = append(ev.Objects, *obj)
	case len(attrs) > 0:
		ev.Attributes = append(ev.Attributes, attrs...)
	default:
		f.Skipped++
		return false
	}
	if t := unixOf(parseTime(o["modified"])); t > ev.Timestamp {
		ev.Timestamp = t
	}
	return true
}

// galaxyType returns the MISP galaxy type of an SDO that came from a
// galaxy cluster (its misp:galaxy-type label, else its STIX type).
func galaxyType(o map[string]any) string {
	switch o["type"] {
	case "threat-actor", "intrusion-set", "malware", "tool", "attack-pattern", "course-of-action":
	default:
		return ""
	}
	if v := labelValue(o, "misp:galaxy-type"); v != "" {
		return v
	}
	return str(o["type"])
}

// attributes turns an indicator, observed-data, vulnerability or campaign
// into MISP attributes, or a MISP object when it came from one (a
// misp:name label).
func (f *Feed) attributes(o map[string]any) ([]FeedAttribute, *FeedObject) {
	id := o["id"].(string)
	base := FeedAttribute{
		UUID: uuidOf(id), Category: labelValue(o, "misp:category"), Comment: str(o["description"]),
		Timestamp: unixOf(parseTime(o["modified"])), Tags: append(markingTags(o), labelTags(o)...),
	}
	var out []FeedAttribute
	switch o["type"] {
	case "vulnerability", "campaign":
		a := base
		a.Type, a.Value = map[any]string{"vulnerability": "vulnerability", "campaign": "campaign-name"}[o["type"]], str(o["name"])
		out = append(out, a)
	case "indicator":
		base.ToIDs = true
		if pt := str(o["pattern_type"]); pt != "stix" {
			if pt == "yara" || pt == "sigma" || pt == "snort" || pt == "suricata" {
				a := base
				a.Type, a.Value = pt, str(o["pattern"])
				out = append(out, a)
			}
			break
		}
		p, err := pattern.Parse(str(o["pattern"]))
		if err != nil {
			return nil, nil
		}
		out = fromComparisons(base, labelValue(o, "misp:type"), p.Comparisons())
	case "observed-data":
		out = f.fromObservables(base, labelValue(o, "misp:type"), strs(o["object_refs"]))
	}
	for i := range out {
		if out[i].Category == "" {
			out[i].Category = defaultCategory(out[i].Type)
		}
	}
	if name := labelValue(o, "misp:name"); name != "" && len(out) > 0 {
		obj := &FeedObject{UUID: base.UUID, Name: name, MetaCategory: labelValue(o, "misp:meta-category"),
			Comment: base.Comment, Timestamp: base.Timestamp, Attributes: out}
		for i := range obj.Attributes {
			a := &obj.Attributes[i]
			a.ObjectRelation, a.Comment = a.Type, ""
			a.Tags = markingTags(o)
			if o["type"] == "indicator" {
				a.UUID = vigie.NameUUID("misp-feed/" + base.UUID + "/" + strconv.Itoa(i))
			}
		}
		return nil, obj
	}
	return out, nil
}

// markingTags returns the tlp:* tag of an object's TLP markings.
func markingTags(o map[string]any) []Tag {
	refs := strs(o["object_marking_refs"])
	best := vigie.TLPNone
	ref := ""
	for _, r := range refs {
		if l := vigie.MarkingTLP(r); l > best {
			best, ref = l, r
		}
	}
	switch ref {
	case "":
		return nil
	case vigie.MarkingWhiteTLP1:
		return []Tag{{Name: "tlp:white"}}
	}
	return []Tag{{Name: "tlp:" + strings.ToLower(best.String())}}
}

// labelTags returns the labels of an object that are not misp-stix's own
// (misp:type="..."), as tags.
func labelTags(o map[string]any) []Tag {
	var out []Tag
	for _, l := range strs(o["labels"]) {
		if strings.HasPrefix(l, "misp:") && strings.Contains(l, "=\"") {
			continue
		}
		out = append(out, Tag{Name: l})
	}
	return out
}

// labelValue returns X of a label name="X" ("" without one).
func labelValue(o map[string]any, name string) string {
	for _, l := range strs(o["labels"]) {
		if v, ok := strings.CutPrefix(l, name+"=\""); ok && strings.HasSuffix(v, "\"") {
			return strings.TrimSuffix(v, "\"")
		}
	}
	return ""
}

func str(v any) string { s, _ := v.(string); return s }

func strs(v any) []string {
	switch l := v.(type) {
	case []string:
		return l
	case []any:
		out := make([]string, 0, len(l))
		for _, x := range l {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func uuidOf(id string) string {
	_, u, _ := strings.Cut(id, "--")
	return u
}

func parseTime(v any) time.Time {
	t, err := time.Parse(time.RFC3339Nano, str(v))
	if err != nil {
		return time.Unix(0, 0).UTC()
	}
	return t.UTC()
}
