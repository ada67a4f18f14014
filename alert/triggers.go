package alert

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
)

// watchlist alerts the organisations whose watchlists the observables of o
// touch (not the publisher itself).
func (b *batch) watchlist(o *vigie.Object, m map[string]any, obs []Observable) {
	for _, ob := range obs {
		b.engine.watch.match(ob, func(h watchHit) {
			if h.Entry.OrgID == o.Publisher {
				return
			}
			b.add(h.Entry.OrgID, vigie.TriggerWatchlist, "watchlist:"+o.ID, vigie.SeverityHigh,
				label(o, m)+" touches your watchlist", h.Why, []*vigie.Object{o})
		})
	}
}

// keywords alerts the organisations watching a keyword that o's name or
// description mentions.
func (b *batch) keywords(o *vigie.Object, m map[string]any) {
	text := str(m, "name") + "\n" + str(m, "description")
	b.engine.watch.matchText(text, func(h watchHit) {
		if h.Entry.OrgID == o.Publisher {
			return
		}
		b.add(h.Entry.OrgID, vigie.TriggerWatchlist, "watchlist:"+o.ID, vigie.SeverityMedium,
			label(o, m)+" touches your watchlist", h.Why, []*vigie.Object{o})
	})
}

// relationship indexes a relationship for countermeasures and targeting.
func (b *batch) relationship(ctx context.Context, o *vigie.Object, m map[string]any) {
	r := vigie.Relation{Collection: o.Collection, ID: o.ID, Type: str(m, "relationship_type"), Source: str(m, "source_ref"), Target: str(m, "target_ref")}
	b.relations = append(b.relations, r)
	if r.Type == "targets" {
		b.targetsRel = append(b.targetsRel, o)
	}
}

// sighting records who sighted which indicator, and when.
func (b *batch) sighting(o *vigie.Object, m map[string]any) {
	ind := str(m, "sighting_of_ref")
	if !strings.HasPrefix(ind, "indicator--") {
		return
	}
	seen := o.DateAdded
	for _, k := range []string{"last_seen", "first_seen"} {
		if t, err := time.Parse(time.RFC3339Nano, str(m, k)); err == nil {
			seen = t
			break
		}
	}
	if seen.After(b.now) {
		seen = b.now // a claim about the future counts as now
	}
	b.sightings = append(b.sightings, vigie.Sighting{IndicatorID: ind, OrgID: o.Publisher, SightingID: o.ID, Seen: seen})
	b.sighted[ind] = true
}

// sightingAlerts raises a community-wide early warning for each indicator
// sighted by at least SightingThreshold organisations within the window,
// to every organisation that may read the indicator. It says how many
// organisations sighted it, never which.
func (b *batch) sightingAlerts(ctx context.Context) error {
	since := b.now.Add(-b.engine.opts.SightingWindow)
	for ind := range b.sighted {
		who, err := b.engine.store.Sighters(ctx, ind, since)
		if err != nil {
			return fmt.Errorf("alert: sighters: %w", err)
		}
		var sightingObjs []*vigie.Object
		for o, m := range b.decoded {
			if o.Type == "sighting" && str(m, "sighting_of_ref") == ind {
				sightingObjs = append(sightingObjs, o)
			}
		}
		for _, s := range b.sightings {
			if s.IndicatorID == ind && !s.Seen.Before(since) && !contains(who, s.OrgID) {
				who = append(who, s.OrgID)
			}
		}
		if len(who) < b.engine.opts.SightingThreshold {
			continue
		}
		versions, err := b.latest(ctx, []string{ind})
		if err != nil {
			return err
		}
		sev := vigie.SeverityHigh
		if len(who) >= 2*b.engine.opts.SightingThreshold {
			sev = vigie.SeverityCritical
		}
		name := ind
		if len(versions) > 0 {
			if m, err := decode(versions[0].Raw); err == nil && str(m, "name") != "" {
				name = "\"" + str(m, "name") + "\""
			}
		}
		why := fmt.Sprintf("sighted by %d organisations in the last %s", len(who), b.engine.opts.SightingWindow)
		if n := countPrefix(who, "peer:"); n > 0 {
			why += fmt.Sprintf(" (%d of them members of peer hubs, unnamed)", n)
		}
		for _, org := range b.aud.readers(versions) {
			b.add(org, vigie.TriggerSighting, "sighting:"+ind, sev, "Indicator "+name+" is active: "+why, why, versions, sightingObjs...)
		}
	}
	return nil
}

// countPrefix counts the strings of list that start with prefix.
func countPrefix(list []string, prefix string) int {
	n := 0
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

// reportTargets alerts the organisations of the sectors and countries
// named by the identities and locations a report refers to.
func (b *batch) reportTargets(ctx context.Context, o *vigie.Object, m map[string]any) {
	refs, _ := m["object_refs"].([]any)
	for _, r := range refs {
		id, _ := r.(string)
		if t := b.byID[id]; t != nil {
			b.targetAlert(o, m, t, "targeting:"+o.ID, []*vigie.Object{o})
		}
	}
}

// targets alerts the organisations of the sectors and countries that a
// campaign, intrusion set, attack pattern, threat actor, malware or tool
// targets ("targets" relationships of the batch).
func (b *batch) targets(ctx context.Context) error {
	var srcIDs []string
	for _, rel := range b.targetsRel {
		srcIDs = append(srcIDs, str(b.decoded[rel], "source_ref"))
	}
	sources, err := b.latest(ctx, srcIDs)
	if err != nil {
		return err
	}
	bySource := map[string][]*vigie.Object{}
	for _, s := range sources {
		bySource[s.ID] = append(bySource[s.ID], s)
	}
	for _, rel := range b.targetsRel {
		rm := b.decoded[rel]
		src, dst := str(rm, "source_ref"), str(rm, "target_ref")
		t := b.byID[dst]
		sm := b.byID[src]
		if t == nil || sm == nil {
			continue
		}
		srcType, _, _ := strings.Cut(src, "--")
		switch srcType {
		case "campaign", "intrusion-set", "attack-pattern", "threat-actor", "malware", "tool":
		default:
			continue
		}
		name := strings.ReplaceAll(srcType, "-", " ")
		if n := str(sm, "name"); n != "" {
			name += " \"" + n + "\""
		}
		b.targetAlertNamed(rel, name, t, "targeting:"+src, []*vigie.Object{rel}, bySource[src]...)
	}
	return nil
}

// targetAlert raises targeting alerts about object o (named from m).
func (b *batch) targetAlert(o *vigie.Object, m map[string]any, target map[string]any, dedup string, must []*vigie.Object) {
	b.targetAlertNamed(o, label(o, m), target, dedup, must)
}

// targetAlertNamed alerts the organisations whose sector (identity
// "sectors") or country (location "country") the target names.
func (b *batch) targetAlertNamed(o *vigie.Object, name string, target map[string]any, dedup string, must []*vigie.Object, also ...*vigie.Object) {
	switch str(target, "type") {
	case "identity":
		sectors, _ := target["sectors"].([]any)
		for _, s := range sectors {
			sector, _ := s.(string)
			for _, org := range b.engine.watch.sectors[sector] {
				if org != o.Publisher {
					b.add(org, vigie.TriggerTargeting, dedup, vigie.SeverityHigh, name+" targets your sector", "targets the "+sector+" sector", must, also...)
				}
			}
		}
	case "location":
		country := strings.ToUpper(str(target, "country"))
		for _, org := range b.engine.watch.countries[country] {
			if org != o.Publisher {
				b.add(org, vigie.TriggerTargeting, dedup, vigie.SeverityHigh, name+" targets your country", "targets "+country, must, also...)
			}
		}
	}
}

// correlate finds observables of the batch that other organisations
// shared before (the same value, an address inside a shared range, a
// domain under a shared domain) and tells both sides, each only if it may
// read the other's object. It then adds the batch to the index.
func (b *batch) correlate(ctx context.Context, objs []*vigie.Object, obsOf map[*vigie.Object][]Observable) error {
	lookup := map[string]bool{}
	var keys []string
	for _, o := range objs {
		for _, ob := range obsOf[o] {
			for _, k := range lookupKeys(ob) {
				if !lookup[k] && b.engine.mayHave(k) {
					lookup[k] = true
					keys = append(keys, k)
				}
			}
		}
	}
	found := map[string][]vigie.ObservableRef{}
	for len(keys) > 0 {
		n := min(len(keys), 500)
		refs, err := b.engine.store.FindObservables(ctx, keys[:n])
		if err != nil {
			return fmt.Errorf("alert: correlation index: %w", err)
		}
		for _, r := range refs {
			found[r.Key] = append(found[r.Key], r)
		}
		keys = keys[n:]
	}
	// The objects the matches name, to check who may read them.
	var ids []string
	for _, refs := range found {
		for _, r := range refs {
			ids = append(ids, r.ObjectID)
		}
	}
	others, err := b.latest(ctx, dedupStrings(ids))
	if err != nil {
		return err
	}
	version := map[string]*vigie.Object{}
	for _, v := range others {
		version[v.Collection+" "+v.ID] = v
	}
	batchRefs := map[string][]*vigie.Object{} // earlier objects of this batch, by key
	for _, o := range objs {
		for _, ob := range obsOf[o] {
			for _, k := range lookupKeys(ob) {
				for _, r := range found[k] {
					if other := version[r.Collection+" "+r.ObjectID]; other != nil {
						b.correlation(o, other, ob, k)
					}
				}
				for _, other := range batchRefs[k] {
					b.correlation(o, other, ob, k)
				}
			}
		}
		for _, ob := range obsOf[o] {
			k := ob.Key()
			batchRefs[k] = append(batchRefs[k], o)
			b.observables = append(b.observables, vigie.ObservableRef{Key: k, Collection: o.Collection, ObjectID: o.ID, OrgID: o.Publisher})
			if len(found[k])+len(batchRefs[k]) > vigie.MaxPerObservable && !contains(b.prune, k) {
				b.prune = append(b.prune, k)
			}
		}
	}
	return nil
}

// correlation raises the two alerts of one match between organisations.
func (b *batch) correlation(o, other *vigie.Object, ob Observable, matchedKey string) {
	if other.Publisher == o.Publisher || other.ID == o.ID {
		return
	}
	what := ob.String()
	why := what + " was shared by another organisation too"
	if matchedKey != ob.Key() {
		_, under, _ := strings.Cut(matchedKey, ":")
		why = what + " falls under " + under + ", shared by another organisation"
	}
	b.add(o.Publisher, vigie.TriggerCorrelation, "correlation:"+ob.Key(), vigie.SeverityMedium,
		"Another organisation shared "+what+" too", why, []*vigie.Object{other}, o)
	b.add(other.Publisher, vigie.TriggerCorrelation, "correlation:"+matchedKey, vigie.SeverityMedium,
		"Another organisation shared "+what+" too", why, []*vigie.Object{o}, other)
}

// lookupKeys returns the correlation keys that match ob: its own, the
// ranges that contain an address, and the parents of a domain.
func lookupKeys(ob Observable) []string {
	keys := []string{ob.Key()}
	switch ob.Kind {
	case ObsIP:
		step := 1
		if ob.Prefix.Addr().Is6() {
			step = 4 // every nibble boundary: /48, /56, /64, ...
		}
		for bits := ob.Prefix.Bits() - 1; bits >= 8; bits-- {
			if bits%step != 0 {
				continue
			}
			if p, err := ob.Prefix.Addr().Prefix(bits); err == nil {
				keys = append(keys, Observable{Kind: ObsIP, Prefix: p}.Key())
			}
		}
	case ObsDomain:
		for d := parentDomain(ob.Value); d != ""; d = parentDomain(d) {
			keys = append(keys, "domain:"+d)
		}
	}
	return keys
}

// enrich finds the countermeasures of each candidate: courses of action
// that mitigate or remediate what caused it, directly or through what an
// indicator indicates.
func (b *batch) enrich(ctx context.Context) error {
	b.countermeasures = map[*candidate][]*vigie.Object{}
	causeIDs := map[string]bool{}
	for _, c := range b.cands {
		for _, o := range append(append([]*vigie.Object{}, c.must...), c.also...) {
			causeIDs[o.ID] = true
		}
	}
	if len(causeIDs) == 0 {
		return nil
	}
	ids := keysOf(causeIDs)
	// What the causes indicate or use (an indicator indicates a malware, a
	// campaign uses it): countermeasures of those apply too.
	indicated := map[string][]string{}
	rels, err := b.relationsWith(ctx, ids, true, "indicates", "uses")
	if err != nil {
		return err
	}
	targets := map[string]bool{}
	for _, r := range rels {
		indicated[r.Source] = append(indicated[r.Source], r.Target)
		targets[r.Target] = true
	}
	for id := range causeIDs {
		targets[id] = true
	}
	rels, err = b.relationsWith(ctx, keysOf(targets), false, "mitigates", "remediates")
	if err != nil {
		return err
	}
	coaOf := map[string][]string{}
	coaIDs := map[string]bool{}
	for _, r := range rels {
		if strings.HasPrefix(r.Source, "course-of-action--") {
			coaOf[r.Target] = append(coaOf[r.Target], r.Source)
			coaIDs[r.Source] = true
		}
	}
	coas, err := b.latest(ctx, keysOf(coaIDs))
	if err != nil {
		return err
	}
	coaVersions := map[string][]*vigie.Object{}
	for _, v := range coas {
		coaVersions[v.ID] = append(coaVersions[v.ID], v)
	}
	for _, c := range b.cands {
		var list []*vigie.Object
		for _, o := range append(append([]*vigie.Object{}, c.must...), c.also...) {
			for _, t := range append([]string{o.ID}, indicated[o.ID]...) {
				for _, coa := range coaOf[t] {
					list = appendNew(list, coaVersions[coa]...)
				}
			}
		}
		b.countermeasures[c] = list
	}
	return nil
}

// relationsWith returns the stored relationships and those of the batch
// with the given types whose source (or target) is one of refs.
func (b *batch) relationsWith(ctx context.Context, refs []string, bySource bool, types ...string) ([]vigie.Relation, error) {
	var out []vigie.Relation
	for i := 0; i < len(refs); i += 500 {
		rs, err := b.engine.store.Relations(ctx, refs[i:min(i+500, len(refs))], bySource, types)
		if err != nil {
			return nil, fmt.Errorf("alert: relations: %w", err)
		}
		out = append(out, rs...)
	}
	want := map[string]bool{}
	for _, r := range refs {
		want[r] = true
	}
	for _, r := range b.relations {
		end := r.Target
		if bySource {
			end = r.Source
		}
		if want[end] && contains(types, r.Type) {
			out = append(out, r)
		}
	}
	return out, nil
}

func keysOf(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func dedupStrings(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
