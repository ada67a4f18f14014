package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/advisory"
	"github.com/vigie-cti/vigie/exposure"
	"github.com/vigie-cti/vigie/sbom"
	"github.com/vigie-cti/vigie/vex"
)

// supplyTypes returns the object types the supply-chain trigger reads: the
// advisories (vulnerability objects with x_vigie_affected), the SBOMs and
// the VEX documents.
func supplyTypes() []string { return []string{"vulnerability", sbom.STIXType, vex.STIXType} }

// supply is the engine's view of the supply chain: the exposure index of
// every SBOM against every advisory stored, and what it needs to decide
// who may learn of a finding.
type supply struct {
	ix         *exposure.Index
	advisories map[string][]*vigie.Object // advisory id -> versions of its vulnerability objects
	sboms      map[string]*vigie.Object   // SBOM object id -> its latest version
	products   map[string]*vigie.Product  // SBOM object id -> product
}

// loadSupply rebuilds the exposure index from the objects the engine has
// already evaluated (those after its cursors come through the triggers).
func (e *Engine) loadSupply(ctx context.Context, aud *audience) error {
	s := &supply{ix: exposure.NewIndex(), advisories: map[string][]*vigie.Object{}, sboms: map[string]*vigie.Object{}, products: map[string]*vigie.Product{}}
	cursors := map[string]int64{}
	for id := range aud.collections {
		c, err := e.store.Cursor(ctx, "engine:"+id)
		if err != nil {
			return err
		}
		cursors[id] = c
	}
	var vexes []*vigie.Object
	for pos := int64(0); ; {
		objs, next, err := e.store.LatestOfTypes(ctx, supplyTypes(), pos, 1000)
		if err != nil {
			return fmt.Errorf("alert: rebuild the exposure index: %w", err)
		}
		if len(objs) == 0 {
			break
		}
		pos = next
		for _, o := range objs {
			if o.DateAdded.UnixMicro() > cursors[o.Collection] {
				continue // not evaluated yet: it comes through the triggers
			}
			switch o.Type {
			case "vulnerability":
				if a, err := advisory.FromSTIXVulnerability(o.Raw); err == nil {
					s.advisories[a.ID] = appendNew(s.advisories[a.ID], o)
					s.ix.AddAdvisory(a)
				}
			case sbom.STIXType:
				if doc, p, err := sbom.FromSTIX(o.Raw); err == nil {
					s.sboms[o.ID] = o
					s.ix.AddSBOM(exposure.SBOMRef{ID: o.ID, Org: o.Publisher, Product: p.Name, ProductVersion: p.Version}, doc)
				}
			case vex.STIXType:
				vexes = append(vexes, o)
			}
		}
	}
	for _, o := range vexes {
		if ref, d, err := vex.FromSTIX(o.Raw); err == nil {
			s.ix.SetVEX(ref, d.Statements)
		}
	}
	e.supply = s
	return e.loadProducts(ctx)
}

// loadProducts reads the products, to name the product of each SBOM.
func (e *Engine) loadProducts(ctx context.Context) error {
	ps, err := e.store.ListProducts(ctx, "")
	if err != nil {
		return fmt.Errorf("alert: products: %w", err)
	}
	for _, p := range ps {
		e.supply.products[p.SBOMID] = p
	}
	return nil
}

// supplyObject runs the supply-chain trigger on one object of the batch.
func (b *batch) supplyObject(ctx context.Context, o *vigie.Object) error {
	s := b.engine.supply
	switch o.Type {
	case "vulnerability":
		a, err := advisory.FromSTIXVulnerability(o.Raw)
		if err != nil {
			return nil // a vulnerability without affected packages: nothing to match
		}
		s.advisories[a.ID] = replaceVersion(s.advisories[a.ID], o)
		upd := s.ix.AddAdvisory(a)
		for i := range upd.Added {
			if err := b.finding(ctx, &upd.Added[i], true); err != nil {
				return err
			}
		}
		for _, f := range upd.Removed {
			b.findingsDelete = append(b.findingsDelete, vigie.Finding{SBOMID: f.SBOM.ID, Key: findingKey(&f)})
		}
	case sbom.STIXType:
		doc, p, err := sbom.FromSTIX(o.Raw)
		if err != nil {
			return nil
		}
		s.sboms[o.ID] = o
		added := s.ix.AddSBOM(exposure.SBOMRef{ID: o.ID, Org: o.Publisher, Product: p.Name, ProductVersion: p.Version}, doc)
		isNew := map[string]bool{}
		for i := range added {
			isNew[findingKey(&added[i])] = true
		}
		b.findingsReset = append(b.findingsReset, o.ID)
		all := s.ix.Findings(o.ID)
		for i := range all {
			if err := b.finding(ctx, &all[i], isNew[findingKey(&all[i])]); err != nil {
				return err
			}
		}
	case vex.STIXType:
		ref, d, err := vex.FromSTIX(o.Raw)
		if err != nil {
			return nil
		}
		if owner := s.sboms[ref]; owner == nil || owner.Publisher != o.Publisher {
			return nil // VEX counts only from the SBOM's own organisation
		}
		changed, _ := s.ix.SetVEX(ref, d.Statements)
		for i := range changed {
			if err := b.finding(ctx, &changed[i], true); err != nil {
				return err
			}
		}
	}
	return nil
}

// finding stores a finding for the SBOM's organisation, if it may read an
// advisory behind it, and raises or updates its alert when alert is true.
func (b *batch) finding(ctx context.Context, f *exposure.Finding, alert bool) error {
	s := b.engine.supply
	sbomObj := s.sboms[f.SBOM.ID]
	if sbomObj == nil {
		return nil
	}
	owner := sbomObj.Publisher
	var advs []*vigie.Object
	for _, id := range append([]string{f.ID}, f.Matched...) {
		for _, v := range s.advisories[id] {
			if b.aud.canRead(owner, v) {
				advs = appendNew(advs, v)
			}
		}
	}
	if len(advs) == 0 {
		return nil // the organisation may not read any advisory behind it
	}
	prod := s.products[f.SBOM.ID]
	if prod == nil {
		if err := b.engine.loadProducts(ctx); err != nil {
			return err
		}
		if prod = s.products[f.SBOM.ID]; prod == nil {
			prod = &vigie.Product{Name: f.SBOM.Product, Version: f.SBOM.ProductVersion}
		}
	}
	doc, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("alert: encode finding: %w", err)
	}
	b.findingsPut = append(b.findingsPut, &vigie.Finding{SBOMID: f.SBOM.ID, Key: findingKey(f), OrgID: owner, ProductID: prod.ID,
		State: string(f.State), Severity: f.Severity, Malicious: f.Malicious, Doc: doc, Updated: b.now})
	if !alert {
		return nil
	}
	comp := f.Component.Name + "@" + f.Component.Version
	product := prod.Name + "@" + prod.Version
	sev, title := findingSeverity(f), comp+" in "+product+" is affected by "+f.ID
	if f.Malicious {
		title = "Malicious package " + comp + " in " + product + " (" + f.ID + ")"
	}
	why := f.ID
	if f.Summary != "" {
		why += ": " + f.Summary
	}
	if f.FixedVersion != "" {
		why += "; fixed in " + f.FixedVersion
	}
	switch {
	case f.State == exposure.Suppressed && f.VEX != nil:
		why += "; suppressed by VEX: " + string(f.VEX.Status) + " " + f.VEX.Justification
	case f.State == exposure.UnderInvestigation:
		why += "; under investigation (VEX)"
	}
	b.add(owner, vigie.TriggerSupplyChain, "supply:"+f.SBOM.ID+":"+findingKey(f), sev, title, why, advs, sbomObj)
	return nil
}

// findingKey identifies a finding within its SBOM.
func findingKey(f *exposure.Finding) string {
	c := f.Component.PURL
	if c == "" {
		c = f.Component.Ref + "|" + f.Component.Name + "@" + f.Component.Version
	}
	return f.ID + " " + c
}

// findingSeverity ranks a finding: malicious packages are critical.
func findingSeverity(f *exposure.Finding) vigie.Severity {
	if f.Malicious {
		return vigie.SeverityCritical
	}
	switch strings.ToLower(f.Severity) {
	case "critical":
		return vigie.SeverityCritical
	case "high":
		return vigie.SeverityHigh
	case "low", "none":
		return vigie.SeverityLow
	}
	return vigie.SeverityMedium
}

// replaceVersion keeps, for each collection, the newest version of an
// object.
func replaceVersion(list []*vigie.Object, o *vigie.Object) []*vigie.Object {
	for i, v := range list {
		if v.Collection == o.Collection {
			if o.VersionKey >= v.VersionKey {
				list[i] = o
			}
			return list
		}
	}
	return append(list, o)
}
