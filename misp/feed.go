package misp

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
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

// comparison is one "path = value" of a pattern.
type comparison struct {
	path  string // TYPE:key.key
	value string
}

// fromComparisons turns the equality comparisons of a pattern into
// attributes: the whole pattern as one attribute of type typ when typ's
// fields are exactly there, else one attribute per comparison whose path
// a MISP type has. The first attribute keeps base's UUID; the others get
// UUIDs derived from it.
func fromComparisons(base FeedAttribute, typ string, cs []*pattern.Comparison) []FeedAttribute {
	var list []comparison
	for _, c := range cs {
		if c.Not || c.Op != pattern.OpEqual {
			continue
		}
		var v string
		switch c.Value.Kind {
		case pattern.LitString:
			v = c.Value.Str
		case pattern.LitInt:
			v = strconv.FormatInt(c.Value.Int, 10)
		default:
			continue
		}
		list = append(list, comparison{path: objectPath(c.Path), value: v})
	}
	return fromPairs(base, typ, list)
}

// fromPairs turns (path, value) pairs into attributes; see fromComparisons.
func fromPairs(base FeedAttribute, typ string, list []comparison) []FeedAttribute {
	if t, ok := types[typ]; ok && len(t.Fields) > 0 && len(list) >= len(t.Fields) {
		parts := make([]string, len(t.Fields))
		ok := true
		for i, fl := range t.Fields {
			found := false
			for _, c := range list {
				if fieldMatches(fl, c.path) {
					parts[i], found = c.value, true
					break
				}
			}
			ok = ok && found
		}
		if ok {
			a := base
			a.Type, a.Value = typ, strings.Join(parts, "|")
			if typ == "AS" {
				a.Value = "AS" + a.Value
			}
			return []FeedAttribute{a}
		}
	}
	var out []FeedAttribute
	for i, c := range list {
		t := reverse[c.path]
		if t == "" {
			continue
		}
		a := base
		if len(out) > 0 {
			a.UUID = vigie.NameUUID("misp-feed/" + base.UUID + "/" + strconv.Itoa(i))
		}
		a.Type, a.Value = t, c.value
		if t == "AS" {
			a.Value = "AS" + a.Value
		}
		out = append(out, a)
	}
	return out
}

// fromObservables turns the SCOs an observed-data refers to into
// attributes: one of type typ (the attribute it came from), else one per
// SCO with a value a MISP type holds, each keeping its SCO's UUID.
func (f *Feed) fromObservables(base FeedAttribute, typ string, refs []string) []FeedAttribute {
	var all []comparison
	perSCO := make([][]comparison, 0, len(refs))
	for _, ref := range refs {
		sco := f.objs[ref]
		if sco == nil {
			perSCO = append(perSCO, nil)
			continue
		}
		pairs := f.scoPairs(sco)
		perSCO = append(perSCO, pairs)
		all = append(all, pairs...)
	}
	if t, ok := types[typ]; ok && typ != "" {
		if got := fromPairs(base, typ, all); len(got) == 1 && got[0].Type == typ && len(t.Fields) > 0 {
			return got
		}
	}
	var out []FeedAttribute
	for i, pairs := range perSCO {
		for j, c := range pairs {
			t := reverse[c.path]
			if t == "" || (j > 0 && strings.HasSuffix(c.path, "_refs.value")) {
				continue
			}
			a := base
			a.UUID = uuidOf(refs[i])
			if j > 0 {
				a.UUID = vigie.NameUUID("misp-feed/" + refs[i] + "/" + strconv.Itoa(j))
			}
			a.Type, a.Value = t, c.value
			if t == "AS" {
				a.Value = "AS" + a.Value
			}
			out = append(out, a)
		}
	}
	return out
}

// scoPairs returns the (path, value) pairs of an SCO that MISP types hold,
// following src_ref, dst_ref and resolves_to_refs.
func (f *Feed) scoPairs(sco map[string]any) []comparison {
	typ := str(sco["type"])
	var out []comparison
	add := func(path string, v any) {
		switch x := v.(type) {
		case string:
			out = append(out, comparison{typ + ":" + path, x})
		case float64:
			out = append(out, comparison{typ + ":" + path, strconv.FormatInt(int64(x), 10)})
		}
	}
	for _, k := range []string{"value", "name", "key", "number", "account_login", "subject", "body", "message_id", "dst_port", "src_port", "size"} {
		if v, ok := sco[k]; ok {
			add(k, v)
		}
	}
	for _, k := range []string{"hashes", "additional_header_fields"} {
		m, _ := sco[k].(map[string]any)
		keys := make([]string, 0, len(m))
		for h := range m {
			keys = append(keys, h)
		}
		slices.Sort(keys)
		for _, h := range keys {
			add(k+"."+h, m[h])
		}
	}
	if vs, _ := sco["values"].([]any); len(vs) > 0 {
		if m, _ := vs[0].(map[string]any); m != nil {
			add("values.data", m["data"])
		}
	}
	for _, k := range []string{"src_ref", "dst_ref"} {
		if r := f.objs[str(sco[k])]; r != nil {
			add(k+".value", r["value"])
		}
	}
	for _, r := range strs(sco["resolves_to_refs"]) {
		if ro := f.objs[r]; ro != nil {
			add("resolves_to_refs.value", ro["value"])
		}
	}
	return out
}

// objectPath writes a pattern's object path as TYPE:key.key (list
// indexes left out).
func objectPath(p *pattern.ObjectPath) string {
	keys := make([]string, 0, len(p.Steps))
	for _, s := range p.Steps {
		if s.Kind == pattern.StepKey {
			keys = append(keys, s.Key)
		}
	}
	return p.ObjectType + ":" + strings.Join(keys, ".")
}

// fieldMatches reports whether a field is at path (TYPE:key.key).
func fieldMatches(f field, path string) bool {
	typ, keys, _ := strings.Cut(path, ":")
	if keys != strings.Join(f.Path, ".") {
		return false
	}
	if f.Obj == "ip" {
		return typ == "ipv4-addr" || typ == "ipv6-addr"
	}
	return typ == f.Obj
}

// reverse maps a path (TYPE:key.key) to the MISP type a lone value there
// becomes.
var reverse = buildReverse()

func buildReverse() map[string]string {
	r := map[string]string{}
	// Preferred types first: the others of the same path come after.
	preferred := []string{"ip-dst", "domain", "url", "email", "filename", "mutex", "regkey", "AS", "mac-address",
		"github-username", "email-subject", "email-body", "email-message-id", "email-x-mailer", "email-reply-to",
		"x509-fingerprint-md5", "x509-fingerprint-sha1", "x509-fingerprint-sha256", "size-in-bytes", "port",
		"user-agent", "http-method"}
	for misp := range hashNames {
		preferred = append(preferred, misp)
	}
	preferred = append(preferred, "ip-dst|port", "ip-src|port", "domain|ip", "hostname|port", "regkey|value")
	for _, name := range preferred {
		for _, f := range types[name].Fields {
			objs := []string{f.Obj}
			if f.Obj == "ip" {
				objs = []string{"ipv4-addr", "ipv6-addr"}
			}
			for _, o := range objs {
				key := o + ":" + strings.Join(f.Path, ".")
				if _, taken := r[key]; !taken {
					switch {
					case strings.HasSuffix(key, "ref.value") && f.Kind == kIP:
						r[key] = "ip-dst"
					case strings.HasSuffix(key, "ref.value"):
						r[key] = "hostname"
					case strings.HasSuffix(key, "resolves_to_refs.value"):
						r[key] = "ip-dst"
					case strings.HasSuffix(key, "values.data"):
						continue
					default:
						r[key] = name
					}
				}
			}
		}
	}
	r["network-traffic:src_port"] = "port"
	return r
}

// defaultCategory is the MISP category of an attribute without one.
func defaultCategory(typ string) string {
	switch {
	case strings.HasPrefix(typ, "ip-"), typ == "domain", typ == "hostname", typ == "url", typ == "uri", typ == "link",
		strings.HasPrefix(typ, "domain|"), strings.HasPrefix(typ, "hostname|"), typ == "AS", typ == "port",
		typ == "user-agent", typ == "http-method", typ == "mac-address", typ == "snort", typ == "suricata",
		strings.HasPrefix(typ, "x509-"):
		return "Network activity"
	case strings.HasPrefix(typ, "email"):
		return "Payload delivery"
	case typ == "mutex", strings.HasPrefix(typ, "regkey"):
		return "Artifacts dropped"
	case typ == "vulnerability", typ == "campaign-name", typ == "github-username":
		return "External analysis"
	case typ == "yara", typ == "sigma":
		return "Payload installation"
	}
	return "Payload delivery"
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

// ManifestEntry is one event of a feed's manifest.json.
type ManifestEntry struct {
	Orgc          Org       `json:"Orgc"`
	Tag           []Tag     `json:"Tag"`
	Info          string    `json:"info"`
	Date          string    `json:"date"`
	Analysis      Int       `json:"analysis"`
	ThreatLevelID Int       `json:"threat_level_id"`
	Timestamp     Timestamp `json:"timestamp"`
}

// Manifest returns manifest.json for events.
func Manifest(events []*FeedEvent) ([]byte, error) {
	m := make(map[string]ManifestEntry, len(events))
	for _, e := range events {
		m[e.UUID] = ManifestEntry{Orgc: e.Orgc, Tag: e.Tags, Info: e.Info, Date: e.Date, Analysis: e.Analysis, ThreatLevelID: e.ThreatLevelID, Timestamp: e.Timestamp}
	}
	return json.MarshalIndent(m, "", "  ")
}

// EventJSON returns <uuid>.json of an event: {"Event": {...}}.
func EventJSON(e *FeedEvent) ([]byte, error) {
	return json.MarshalIndent(map[string]*FeedEvent{"Event": e}, "", "  ")
}

// Hashes returns hashes.csv as MISP writes it: one line "md5 of a value,
// event uuid" per attribute value (each part of a composite value).
func Hashes(events []*FeedEvent) []byte {
	var b bytes.Buffer
	line := func(v, ev string) {
		sum := md5.Sum([]byte(v))
		b.WriteString(hex.EncodeToString(sum[:]))
		b.WriteByte(',')
		b.WriteString(ev)
		b.WriteByte('\n')
	}
	each := func(a FeedAttribute, ev string) {
		if t, ok := types[a.Type]; ok && len(t.Fields) > 1 {
			for _, p := range strings.Split(a.Value, "|") {
				line(p, ev)
			}
			return
		}
		line(a.Value, ev)
	}
	for _, e := range events {
		for _, a := range e.Attributes {
			each(a, e.UUID)
		}
		for _, o := range e.Objects {
			for _, a := range o.Attributes {
				each(a, e.UUID)
			}
		}
	}
	return b.Bytes()
}

// WriteDir writes the feed into dir (created if needed): manifest.json,
// one <uuid>.json per event and hashes.csv, each written to a temporary
// file and renamed, so that a MISP instance polling the directory never
// reads half a file.
func WriteDir(dir string, events []*FeedEvent) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("misp: feed directory: %w", err)
	}
	for _, e := range events {
		b, err := EventJSON(e)
		if err != nil {
			return err
		}
		if err := WriteFileAtomic(filepath.Join(dir, e.UUID+".json"), b); err != nil {
			return err
		}
	}
	if err := WriteFileAtomic(filepath.Join(dir, "hashes.csv"), Hashes(events)); err != nil {
		return err
	}
	b, err := Manifest(events)
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, "manifest.json"), b)
}

// WriteFileAtomic writes b to path through a temporary file of the same
// directory and a rename: a reader sees the old file or the new one.
func WriteFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("misp: write %s: %w", path, err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("misp: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("misp: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("misp: write %s: %w", path, err)
	}
	return nil
}

// unixOf returns t as a MISP timestamp, within what MISP accepts (1970 to
// 9999).
func unixOf(t time.Time) Timestamp {
	return Timestamp(min(max(t.Unix(), 0), 253402300799))
}
