package alert

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/sbom"
	"github.com/vigie-cti/vigie/vex"
)

// candidate is an alert before the sharing rules are applied: who would
// receive it, and the object versions that caused it.
type candidate struct {
	org      string
	trigger  string
	severity vigie.Severity
	dedup    string
	title    string
	detail   []string
	must     []*vigie.Object // the receiver must read one of these, or there is no alert
	also     []*vigie.Object // shown too, where the receiver may read them
}

// batch evaluates one batch of objects of one collection.
type batch struct {
	engine *Engine
	aud    *audience
	now    time.Time

	decoded     map[*vigie.Object]map[string]any
	byID        map[string]map[string]any  // decoded objects of the batch, and looked-up references
	versions    map[string][]*vigie.Object // the batch's latest version of each id
	cands       map[string]*candidate      // by org + dedup key
	sightings   []vigie.Sighting
	sighted     map[string]bool // indicator ids sighted in this batch
	relations   []vigie.Relation
	observables []vigie.ObservableRef
	prune       []string

	targetsRel      []*vigie.Object // "targets" relationships of the batch
	countermeasures map[*candidate][]*vigie.Object

	findingsReset  []string
	findingsDelete []vigie.Finding
	findingsPut    []*vigie.Finding
}

// evaluate runs every trigger over objs.
func (b *batch) evaluate(ctx context.Context, objs []*vigie.Object) error {
	b.decoded = map[*vigie.Object]map[string]any{}
	b.byID = map[string]map[string]any{}
	b.versions = map[string][]*vigie.Object{}
	b.cands = map[string]*candidate{}
	b.sighted = map[string]bool{}
	for _, o := range objs {
		m, err := decode(o.Raw)
		if err != nil {
			continue // stored objects were validated; nothing to say about this one
		}
		b.decoded[o] = m
		b.byID[o.ID] = m
		if vs := b.versions[o.ID]; len(vs) == 0 || vs[0].VersionKey <= o.VersionKey {
			b.versions[o.ID] = []*vigie.Object{o}
		}
	}
	if err := b.lookupRefs(ctx, objs); err != nil {
		return err
	}
	var withObs []*vigie.Object
	obsOf := map[*vigie.Object][]Observable{}
	for _, o := range objs {
		m := b.decoded[o]
		if m == nil {
			continue
		}
		switch o.Type {
		case "relationship":
			b.relationship(ctx, o, m)
		case "sighting":
			b.sighting(o, m)
		case "report":
			b.reportTargets(ctx, o, m)
		case "vulnerability", sbom.STIXType, vex.STIXType:
			if err := b.supplyObject(ctx, o); err != nil {
				return err
			}
		}
		b.keywords(o, m)
		if obs := observables(m, func(id string) map[string]any { return b.byID[id] }); len(obs) > 0 {
			b.watchlist(o, m, obs)
			if o.Type != "vulnerability" { // advisories name packages, not threats: no correlation
				withObs = append(withObs, o)
				obsOf[o] = obs
			}
		}
	}
	if err := b.targets(ctx); err != nil {
		return err
	}
	if err := b.sightingAlerts(ctx); err != nil {
		return err
	}
	if err := b.correlate(ctx, withObs, obsOf); err != nil {
		return err
	}
	return b.enrich(ctx)
}

// lookupRefs loads the referenced objects the batch lacks: the SCOs of
// observed-data and the targets of relationships.
func (b *batch) lookupRefs(ctx context.Context, objs []*vigie.Object) error {
	var missing []string
	need := func(id string) {
		if id != "" && b.byID[id] == nil {
			missing = append(missing, id)
		}
	}
	for _, o := range objs {
		m := b.decoded[o]
		switch o.Type {
		case "observed-data":
			if refs, ok := m["object_refs"].([]any); ok {
				for _, r := range refs[:min(len(refs), 100)] {
					id, _ := r.(string)
					need(id)
				}
			}
		case "relationship":
			if str(m, "relationship_type") == "targets" {
				need(str(m, "target_ref"))
				need(str(m, "source_ref"))
			}
		case "report":
			if refs, ok := m["object_refs"].([]any); ok {
				for _, r := range refs[:min(len(refs), 200)] {
					if id, _ := r.(string); strings.HasPrefix(id, "identity--") || strings.HasPrefix(id, "location--") {
						need(id)
					}
				}
			}
		}
	}
	found, err := b.latest(ctx, missing)
	if err != nil {
		return err
	}
	for _, v := range found {
		if b.byID[v.ID] == nil {
			if m, err := decode(v.Raw); err == nil {
				b.byID[v.ID] = m
			}
		}
	}
	return nil
}

// latest returns the latest versions of ids: those of the batch itself,
// then those stored, fetched in chunks the databases take.
func (b *batch) latest(ctx context.Context, ids []string) ([]*vigie.Object, error) {
	var out []*vigie.Object
	have := map[string]bool{}
	for _, id := range ids {
		for _, v := range b.versions[id] {
			out = append(out, v)
			have[v.Collection+" "+v.ID] = true
		}
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		vs, err := b.engine.store.LatestVersions(ctx, ids[:n])
		if err != nil {
			return nil, fmt.Errorf("alert: look up objects: %w", err)
		}
		for _, v := range vs {
			if !have[v.Collection+" "+v.ID] {
				out = append(out, v)
			}
		}
		ids = ids[n:]
	}
	return out, nil
}

// add records a candidate alert for org, merging with one of the same key.
// The receiver must be able to read one of must; also are extra objects.
func (b *batch) add(org, trigger, dedup string, sev vigie.Severity, title, why string, must []*vigie.Object, also ...*vigie.Object) {
	k := org + "\x00" + dedup
	c := b.cands[k]
	if c == nil {
		c = &candidate{org: org, trigger: trigger, severity: sev, dedup: dedup, title: title}
		b.cands[k] = c
	}
	c.severity = max(c.severity, sev)
	if why != "" && len(c.detail) < 20 && !contains(c.detail, why) {
		c.detail = append(c.detail, why)
	}
	c.must = appendNew(c.must, must...)
	c.also = appendNew(c.also, also...)
}

// appendNew appends the objects not in list yet.
func appendNew(list []*vigie.Object, objs ...*vigie.Object) []*vigie.Object {
	for _, o := range objs {
		dup := false
		for _, have := range list {
			dup = dup || have == o
		}
		if !dup {
			list = append(list, o)
		}
	}
	return list
}

// record applies the sharing rules to the candidates, adds the
// countermeasures, and returns what to store.
func (b *batch) record() *vigie.AlertBatch {
	rec := &vigie.AlertBatch{Now: b.now, Sightings: b.sightings, Relations: b.relations, Observables: b.observables, Prune: b.prune,
		FindingsReset: b.findingsReset, FindingsDelete: b.findingsDelete, FindingsPut: b.findingsPut}
	keys := make([]string, 0, len(b.cands))
	for k := range b.cands {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c := b.cands[k]
		a := &vigie.Alert{OrgID: c.org, Trigger: c.trigger, Severity: c.severity, DedupKey: c.dedup, Title: c.title,
			Detail: strings.Join(c.detail, "; "), Count: 1, LastSeen: b.now}
		for _, o := range c.must {
			if b.aud.canRead(c.org, o) {
				a.Objects = append(a.Objects, b.ref(o))
			}
		}
		if len(a.Objects) == 0 {
			continue // the receiver may not see why: no alert at all
		}
		for _, o := range c.also {
			if b.aud.canRead(c.org, o) {
				a.Objects = append(a.Objects, b.ref(o))
			}
		}
		for _, coa := range b.countermeasures[c] {
			if b.aud.canRead(c.org, coa) {
				a.Countermeasures = append(a.Countermeasures, b.ref(coa))
			}
		}
		rec.Alerts = append(rec.Alerts, a)
	}
	return rec
}

// ref describes an object version for an alert.
func (b *batch) ref(o *vigie.Object) vigie.ObjectRef {
	r := vigie.ObjectRef{ID: o.ID, Type: o.Type, Collection: o.Collection}
	if c := b.aud.collections[o.Collection]; c != nil {
		r.Root = c.Root
	}
	if m := b.byID[o.ID]; m != nil {
		r.Name = str(m, "name")
	}
	if r.Name == "" {
		if m, err := decode(o.Raw); err == nil {
			r.Name = str(m, "name")
		}
	}
	return r
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// label names an object for a title: its name, else its type and id.
func label(o *vigie.Object, m map[string]any) string {
	if n := str(m, "name"); n != "" {
		return strings.ReplaceAll(o.Type, "-", " ") + " \"" + n + "\""
	}
	return o.ID
}
