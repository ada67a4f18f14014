package exposure

import (
	"github.com/vigie-cti/vigie/advisory"
	"github.com/vigie-cti/vigie/sbom"
)

// PackageFilter returns a function for advisory.LoadOptions.Wants that
// accepts the packages the documents' components are: loading then decodes
// only the advisories that can match them. It is safe for concurrent use.
func PackageFilter(docs ...*sbom.Document) func(ecosystem, name string) bool {
	keys := map[sbom.PackageKey]bool{}
	for _, d := range docs {
		for i := range d.Components {
			if k, ok := packageKey(&d.Components[i]); ok {
				keys[k] = true
			}
		}
	}
	return func(ecosystem, name string) bool {
		return keys[sbom.Package{Ecosystem: ecosystem, Name: name}.Key()]
	}
}

// Report returns the report of an SBOM held by the index: its findings,
// counts, and the advisories behind the findings. The caller fills in
// Source, Format, SpecVersion and the tool.
func (ix *Index) Report(sbomID string) (*Report, bool) {
	fs := ix.Findings(sbomID)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	s, ok := ix.slotIDs[sbomID]
	if !ok {
		return nil, false
	}
	sl := ix.slots[s]
	r := &Report{
		SBOM:        sl.ref,
		Components:  sl.components,
		Unmatchable: sl.unmatchable,
		Findings:    fs,
		Advisories:  map[string]advisory.Advisory{},
	}
	for _, f := range fs {
		for _, id := range f.Matched {
			if a, ok := ix.set.Get(id); ok {
				r.Advisories[id] = *a
			}
		}
	}
	return r, true
}
