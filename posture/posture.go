// Package posture weighs what a supplier claims against what the hub
// observes, requirement by requirement of a control catalog: each is
// PASS, FAIL or UNKNOWN, with its evidence, and flagged where the claim
// and the facts disagree. It decides nothing about access: the hub
// gathers the evidence a caller may read and hands it here.
package posture

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vigie-cti/vigie/attest"
	"github.com/vigie-cti/vigie/catalog"
)

// Statuses of a requirement.
const (
	Pass    = "PASS"
	Fail    = "FAIL"
	Unknown = "UNKNOWN"
)

// ScorecardPass is the lowest Scorecard check score (0 to 10) that counts
// as meeting a requirement the check maps to.
const ScorecardPass = 7

// DefaultVEXDue is how long after an advisory is published a supplier
// has to say, in a VEX statement, what it means for its product.
const DefaultVEXDue = 30 * 24 * time.Hour

// Evidence is what the hub found about one product version.
type Evidence struct {
	Now time.Time
	// VEXDue is the time a supplier has to answer an advisory with VEX
	// (DefaultVEXDue if zero).
	VEXDue       time.Duration
	SBOM         bool // the product version has an SBOM on the hub
	Components   int
	Findings     []Finding
	Attestations []Attestation
}

// Finding is one advisory affecting the product.
type Finding struct {
	ID        string
	Open      bool // affected or under investigation, not suppressed by VEX
	Malicious bool
	Severity  string
	Published time.Time // when the advisory was first published; zero if unknown
	VEXAt     time.Time // when the supplier's VEX statement about it was made; zero if none
	HasVEX    bool      // a VEX statement applies (VEXAt may still be unknown)
}

// OverdueVEX is an advisory affecting the product that the supplier has
// not answered with VEX within the allowed time.
type OverdueVEX struct {
	ID        string    `json:"id"`
	Published time.Time `json:"published"`
	Days      int       `json:"days"` // days since publication
}

// Overdue returns the findings past due with no VEX statement, oldest
// first. Malicious packages are not a matter of VEX and are left out.
func Overdue(fs []Finding, now time.Time, due time.Duration) []OverdueVEX {
	if due <= 0 {
		due = DefaultVEXDue
	}
	var out []OverdueVEX
	for _, f := range fs {
		if f.Malicious || f.HasVEX || f.Published.IsZero() {
			continue
		}
		if age := now.Sub(f.Published); age > due {
			out = append(out, OverdueVEX{ID: f.ID, Published: f.Published.UTC(), Days: int(age / (24 * time.Hour))})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Published.Equal(out[j].Published) {
			return out[i].Published.Before(out[j].Published)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Attestation is one attestation the reader may read, read again.
type Attestation struct {
	ID      string // the STIX object id
	Doc     *attest.Document
	Expires time.Time
}

// Report is the posture of one product version against one catalog. Its
// JSON form is documented in the README and stable: fields are added,
// never renamed.
type Report struct {
	Product      string              `json:"product"`
	Supplier     string              `json:"supplier,omitempty"`
	Catalog      string              `json:"catalog"`
	CatalogTitle string              `json:"catalog_title"`
	Generated    time.Time           `json:"generated"`
	Summary      Summary             `json:"summary"`
	Requirements []RequirementResult `json:"requirements"`
	Attestations []AttestationRef    `json:"attestations"`
	// UnmatchedClaims are claims about requirements the catalog lacks:
	// reported, never counted.
	UnmatchedClaims []string `json:"unmatched_claims"`
	// Ignored lists attestations that do not count, and why (expired,
	// invalid signature).
	Ignored []string `json:"ignored"`
	// VEXOverdue lists the advisories affecting the product that its
	// supplier has not answered with VEX in time.
	VEXOverdue []OverdueVEX `json:"vex_overdue"`
}

// Summary counts the requirements by status.
type Summary struct {
	Pass     int `json:"pass"`
	Fail     int `json:"fail"`
	Unknown  int `json:"unknown"`
	Disagree int `json:"disagree"`
}

// RequirementResult is one requirement's status and its evidence.
type RequirementResult struct {
	ID       string  `json:"id"`
	Title    string  `json:"title,omitempty"`
	Status   string  `json:"status"`
	Claims   []Claim `json:"claims,omitempty"`
	Facts    []Fact  `json:"facts,omitempty"`
	Disagree bool    `json:"disagree,omitempty"`
	Note     string  `json:"note,omitempty"`
}

// Claim is what an attestation says about a requirement.
type Claim struct {
	Attestation string   `json:"attestation"`
	Status      string   `json:"status"` // PASS or FAIL as claimed
	Conformance *float64 `json:"conformance,omitempty"`
	Confidence  *float64 `json:"confidence,omitempty"`
}

// Fact is something the hub observed that bears on a requirement.
type Fact struct {
	Kind   string `json:"kind"` // sbom, provenance, vulnerabilities, vex-response, scorecard
	Status string `json:"status"`
	Detail string `json:"detail"`
}

// AttestationRef lists an attestation the report used.
type AttestationRef struct {
	ID           string    `json:"id"`
	Kind         string    `json:"kind"`
	Title        string    `json:"title"`
	Verification string    `json:"verification,omitempty"`
	Expires      time.Time `json:"expires,omitzero"`
}

// observable says which requirements each fact bears on, by framework
// and id, so that a catalog reaches them directly or through its
// mappings (the OSPS Baseline maps to CRA and SSDF; the CRA catalog's
// aliases carry the OSPS numbering).
var observable = map[string][][2]string{
	"sbom":            {{"CRA", "CRA-II-1"}, {"CRA", "2.1"}, {"SSDF", "PS.3.2"}},
	"provenance":      {{"SSDF", "PS.2.1"}, {"CRA", "CRA-I-2(f)"}, {"CRA", "1.2f"}},
	"vulnerabilities": {{"CRA", "CRA-I-2(a)"}, {"CRA", "1.2a"}, {"CRA", "CRA-II-2"}, {"CRA", "2.2"}, {"SSDF", "RV.2.2"}},
	// Answering each advisory with VEX is the analysis SSDF RV.2.1 asks
	// for and part of remediating "without delay" (CRA Annex I, II(2));
	// the OSPS Baseline asks for VEX in OSPS-VM-04.02.
	"vex-response": {{"SSDF", "RV.2.1"}, {"CRA", "CRA-II-2"}, {"CRA", "2.2"}, {"OSPS", "OSPS-VM-04.02"}},
}

// Evaluate weighs ev against every requirement of c that has no child.
func Evaluate(c *catalog.Catalog, product, supplier string, ev Evidence) *Report {
	r := &Report{Product: product, Supplier: supplier, Catalog: c.ID, CatalogTitle: c.Title, Generated: ev.Now.UTC(),
		Requirements: []RequirementResult{}, Attestations: []AttestationRef{}, UnmatchedClaims: []string{}, Ignored: []string{},
		VEXOverdue: Overdue(ev.Findings, ev.Now, ev.VEXDue)}
	if r.VEXOverdue == nil {
		r.VEXOverdue = []OverdueVEX{}
	}
	var live []Attestation
	for _, a := range ev.Attestations {
		ref := AttestationRef{ID: a.ID, Kind: a.Doc.Kind, Title: a.Doc.Title(), Expires: a.Expires}
		if v := a.Doc.Verification; v != nil {
			ref.Verification = v.Status
		}
		switch {
		case !a.Expires.IsZero() && a.Expires.Before(ev.Now):
			r.Ignored = append(r.Ignored, fmt.Sprintf("%s: expired on %s", a.ID, a.Expires.UTC().Format(time.RFC3339)))
			continue
		case ref.Verification == attest.Invalid:
			r.Ignored = append(r.Ignored, a.ID+": a signature does not verify")
			continue
		}
		r.Attestations = append(r.Attestations, ref)
		live = append(live, a)
	}
	claims, unmatched := claimsByRequirement(c, live)
	r.UnmatchedClaims = append(r.UnmatchedClaims, unmatched...)
	facts := observe(ev, live)
	parents := map[string]bool{}
	for _, q := range c.Requirements {
		if q.Parent != "" {
			parents[q.Parent] = true
		}
	}
	for _, q := range c.Requirements {
		if parents[q.ID] {
			continue
		}
		res := RequirementResult{ID: q.ID, Title: firstLine(q.Title, q.Text), Status: Unknown, Claims: claims[q.ID]}
		res.Facts = factsFor(c, &q, facts, live)
		decide(&res)
		r.Requirements = append(r.Requirements, res)
		switch res.Status {
		case Pass:
			r.Summary.Pass++
		case Fail:
			r.Summary.Fail++
		default:
			r.Summary.Unknown++
		}
		if res.Disagree {
			r.Summary.Disagree++
		}
	}
	return r
}

// decide sets the status: an observed fact outweighs a claim; where
// they disagree the result says so.
func decide(res *RequirementResult) {
	claim := ""
	for _, c := range res.Claims {
		if claim == "" || c.Status == Fail {
			claim = c.Status
		}
	}
	fact := ""
	var failDetail string
	for _, f := range res.Facts {
		switch f.Status {
		case Fail:
			fact, failDetail = Fail, f.Detail
		case Pass:
			if fact == "" {
				fact = Pass
			}
		}
	}
	switch {
	case fact != "":
		res.Status = fact
	case claim != "":
		res.Status = claim
		res.Note = "claimed, not observed"
	}
	if claim != "" && fact != "" && claim != fact {
		res.Disagree = true
		if claim == Pass {
			res.Note = "claims " + res.ID + "; observed: " + failDetail
		} else {
			res.Note = "claims it fails " + res.ID + ", yet the facts observed pass"
		}
	}
}

// claimsByRequirement collects the CycloneDX claims by requirement id;
// claims about ids the catalog lacks are returned apart.
func claimsByRequirement(c *catalog.Catalog, as []Attestation) (map[string][]Claim, []string) {
	out := map[string][]Claim{}
	var unmatched []string
	for _, a := range as {
		if a.Doc.CDXA == nil {
			continue
		}
		for _, at := range a.Doc.CDXA.Attestations {
			for _, m := range at.Map {
				req := c.Find(m.Requirement)
				if req == nil {
					unmatched = append(unmatched, fmt.Sprintf("%s: requirement %q is not in %s", a.ID, m.Requirement, c.ID))
					continue
				}
				cl := Claim{Attestation: a.ID, Status: Pass, Conformance: m.Conformance, Confidence: m.Confidence}
				if len(m.Claims) == 0 && len(m.CounterClaims) > 0 || (m.Conformance != nil && *m.Conformance < 0.5) {
					cl.Status = Fail
				}
				out[req.ID] = append(out[req.ID], cl)
			}
		}
	}
	sort.Strings(unmatched)
	return out, unmatched
}

// observe turns the evidence into facts, by kind.
func observe(ev Evidence, as []Attestation) map[string]Fact {
	facts := map[string]Fact{}
	if ev.SBOM {
		facts["sbom"] = Fact{Kind: "sbom", Status: Pass, Detail: fmt.Sprintf("an SBOM of %d components is on the hub", ev.Components)}
	} else {
		facts["sbom"] = Fact{Kind: "sbom", Status: Fail, Detail: "no SBOM of this version on the hub"}
	}
	prov := ""
	for _, a := range as {
		switch {
		case a.Doc.Provenance != nil:
			prov = fmt.Sprintf("SLSA provenance v%s from builder %s (signature %s)", a.Doc.Provenance.SLSAVersion, a.Doc.Provenance.BuilderID, a.Doc.Verification.Status)
		case a.Doc.VSA != nil && a.Doc.VSA.Result == "PASSED" && prov == "":
			prov = fmt.Sprintf("SLSA verification summary: build level %d (signature %s)", a.Doc.VSA.BuildLevel(), a.Doc.Verification.Status)
		}
	}
	if prov != "" {
		facts["provenance"] = Fact{Kind: "provenance", Status: Pass, Detail: prov}
	} else {
		facts["provenance"] = Fact{Kind: "provenance", Status: Fail, Detail: "no build provenance published for this version"}
	}
	if ev.SBOM {
		open, mal := 0, 0
		for _, f := range ev.Findings {
			if f.Open {
				open++
				if f.Malicious {
					mal++
				}
			}
		}
		switch {
		case mal > 0:
			facts["vulnerabilities"] = Fact{Kind: "vulnerabilities", Status: Fail, Detail: fmt.Sprintf("%d malicious packages among its components", mal)}
		case open > 0:
			facts["vulnerabilities"] = Fact{Kind: "vulnerabilities", Status: Fail, Detail: fmt.Sprintf("%d known vulnerabilities open (not fixed, no VEX)", open)}
		default:
			facts["vulnerabilities"] = Fact{Kind: "vulnerabilities", Status: Pass, Detail: fmt.Sprintf("no open finding (%d suppressed by VEX)", len(ev.Findings))}
		}
	}
	if f, ok := vexResponse(ev); ok {
		facts["vex-response"] = f
	}
	return facts
}

// vexResponse is the fact of how the supplier answers advisories with
// VEX: FAIL when one is past due without an answer or when the median
// time to answer exceeds the due time, PASS when every dated advisory was
// answered in time. No fact when no advisory affecting the product has a
// publication date.
func vexResponse(ev Evidence) (Fact, bool) {
	due := ev.VEXDue
	if due <= 0 {
		due = DefaultVEXDue
	}
	var delays []time.Duration
	dated, waiting := 0, 0
	for _, f := range ev.Findings {
		if f.Malicious || f.Published.IsZero() {
			continue
		}
		dated++
		switch {
		case f.HasVEX && !f.VEXAt.IsZero():
			delays = append(delays, max(f.VEXAt.Sub(f.Published), 0))
		case !f.HasVEX:
			waiting++
		}
	}
	if dated == 0 {
		return Fact{}, false
	}
	overdue := Overdue(ev.Findings, ev.Now, due)
	median := time.Duration(-1)
	if len(delays) > 0 {
		sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
		median = delays[len(delays)/2]
		if len(delays)%2 == 0 {
			median = (delays[len(delays)/2-1] + delays[len(delays)/2]) / 2
		}
	}
	days := func(d time.Duration) int { return int(d / (24 * time.Hour)) }
	answered := ""
	if median >= 0 {
		answered = fmt.Sprintf("; median time to VEX %d days over %d answered", days(median), len(delays))
	}
	f := Fact{Kind: "vex-response", Status: Pass}
	switch {
	case len(overdue) > 0:
		f.Status = Fail
		f.Detail = fmt.Sprintf("%d advisories without VEX after %d days (oldest %s, %d days)%s",
			len(overdue), days(due), overdue[0].ID, overdue[0].Days, answered)
	case median > due:
		f.Status = Fail
		f.Detail = fmt.Sprintf("VEX comes late: median time to VEX %d days over %d answered (due within %d)", days(median), len(delays), days(due))
	case waiting > 0:
		f.Status = Unknown
		f.Detail = fmt.Sprintf("%d advisories not yet answered with VEX, none past %d days%s", waiting, days(due), answered)
	case median < 0:
		f.Status = Unknown
		f.Detail = "VEX statements carry no date"
	default:
		f.Detail = fmt.Sprintf("every dated advisory answered with VEX within %d days%s", days(due), answered)
	}
	return f, true
}

// factsFor returns the facts bearing on requirement q: those keyed to its
// id or aliases, to what it maps to, and the Scorecard checks it maps to.
func factsFor(c *catalog.Catalog, q *catalog.Requirement, facts map[string]Fact, as []Attestation) []Fact {
	// A requirement the table names itself takes those facts only; one
	// it does not name takes the facts of what it maps to.
	own := map[[2]string]bool{}
	fw := catalogFramework(c)
	for _, id := range append([]string{q.ID}, q.Aliases...) {
		own[[2]string{fw, id}] = true
	}
	mapped := map[[2]string]bool{}
	var checks []string
	for _, m := range c.MappingsOf(q.ID) {
		for _, id := range m.IDs {
			mapped[[2]string{m.Framework, id}] = true
			if m.Framework == "Scorecard" {
				checks = append(checks, id)
			}
		}
	}
	out := matchFacts(facts, own)
	if len(out) == 0 {
		out = matchFacts(facts, mapped)
	}
	for _, name := range checks {
		for _, a := range as {
			if a.Doc.Scorecard == nil {
				continue
			}
			ch, ok := a.Doc.Scorecard.Check(name)
			if !ok {
				continue
			}
			f := Fact{Kind: "scorecard", Status: Pass, Detail: fmt.Sprintf("Scorecard %s: %d/10 (%s)", ch.Name, ch.Score, ch.Reason)}
			switch {
			case ch.Inconclusive():
				f.Status = Unknown
			case ch.Score < ScorecardPass:
				f.Status = Fail
			}
			out = append(out, f)
		}
	}
	return out
}

// matchFacts returns the facts whose observable keys meet keys.
func matchFacts(facts map[string]Fact, keys map[[2]string]bool) []Fact {
	var out []Fact
	for _, kind := range []string{"sbom", "provenance", "vulnerabilities", "vex-response"} {
		f, ok := facts[kind]
		if !ok {
			continue
		}
		for _, k := range observable[kind] {
			if keys[k] {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// catalogFramework is the framework name other catalogs' mappings use
// for c.
func catalogFramework(c *catalog.Catalog) string {
	switch {
	case strings.HasPrefix(c.ID, "cra"):
		return "CRA"
	case strings.HasPrefix(c.ID, "ssdf"):
		return "SSDF"
	case strings.HasPrefix(c.ID, "osps"):
		return "OSPS"
	}
	return c.ID
}

func firstLine(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			if i := strings.IndexByte(s, '\n'); i > 0 {
				s = s[:i]
			}
			if r := []rune(s); len(r) > 120 {
				s = string(r[:117]) + "..."
			}
			return s
		}
	}
	return ""
}
