package exposure

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/vigie-cti/vigie/advisory"
	"github.com/vigie-cti/vigie/sbom"
)

// Report is the result of checking one SBOM, as the writers render it.
type Report struct {
	// Source is the SBOM as the user named it (a file path); SARIF
	// results point at it.
	Source      string
	SBOM        SBOMRef
	Format      string // SBOM format
	SpecVersion string
	Components  int
	Unmatchable int
	// Unmatched lists the components that could not be matched, with why;
	// the JSON output carries it.
	Unmatched []Unmatched
	Findings  []Finding
	// Advisories holds the advisories behind the findings, by id, for the
	// details, references and rule descriptions.
	Advisories map[string]advisory.Advisory
	// AdvisoryErrors counts the advisory documents or records that could
	// not be read.
	AdvisoryErrors int
	// Tool names the program for SARIF.
	ToolName    string
	ToolVersion string
}

// Unmatched is a component that cannot be matched against advisories.
type Unmatched struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	Reason  string `json:"reason"`
}

// UnmatchedOf lists the components of an SBOM that cannot be matched.
func UnmatchedOf(doc *sbom.Document) []Unmatched {
	var out []Unmatched
	for _, c := range doc.Components {
		if c.Unmatchable != "" {
			out = append(out, Unmatched{Name: c.Name, Version: c.Version, Reason: c.Unmatchable})
		}
	}
	return out
}

// WriteTable writes the findings as an aligned table followed by a
// summary line.
func WriteTable(w io.Writer, r *Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if len(r.Findings) > 0 {
		fmt.Fprintln(tw, "SEVERITY\tID\tALIASES\tPACKAGE\tVERSION\tFIXED IN\tDEPENDENCY\tSTATE")
	}
	for _, f := range r.Findings {
		sev := f.Severity
		switch {
		case f.Malicious:
			sev = "MALICIOUS"
		case sev == "":
			sev = "unknown"
		}
		dep := string(f.Component.Dependency)
		if dep == "" {
			dep = "-"
		}
		fixed := f.FixedVersion
		if fixed == "" {
			fixed = "-"
		}
		state := string(f.State)
		if f.VEX != nil && f.State == Suppressed {
			state = string(f.VEX.Status)
			if f.VEX.Justification != "" {
				state += " (" + f.VEX.Justification + ")"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			sev, f.ID, shortList(f.Aliases, 2), f.Component.Name, f.Component.Version, fixed, dep, state)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, summaryLine(r))
	return err
}

func shortList(xs []string, n int) string {
	switch {
	case len(xs) == 0:
		return "-"
	case len(xs) <= n:
		return strings.Join(xs, ", ")
	}
	return strings.Join(xs[:n], ", ") + fmt.Sprintf(" +%d", len(xs)-n)
}

func summaryLine(r *Report) string {
	c := Count(r.Findings)
	comps := map[Component]bool{}
	for _, f := range r.Findings {
		if f.Open() {
			comps[f.Component] = true
		}
	}
	s := fmt.Sprintf("%d findings (%d affected, %d under investigation, %d suppressed by VEX",
		len(r.Findings), c.Affected, c.UnderInvestigation, c.Suppressed)
	if c.Malicious > 0 {
		s += fmt.Sprintf(", %d malicious packages", c.Malicious)
	}
	s += fmt.Sprintf(") in %d of %d components; %d components could not be matched (no version, purl or CPE)",
		len(comps), r.Components, r.Unmatchable)
	if r.AdvisoryErrors > 0 {
		s += fmt.Sprintf("; %d advisory records could not be read", r.AdvisoryErrors)
	}
	return s + "."
}

// jsonReport is the JSON form of a report.
type jsonReport struct {
	SBOM struct {
		Source      string      `json:"source,omitempty"`
		Format      string      `json:"format,omitempty"`
		SpecVersion string      `json:"spec_version,omitempty"`
		Name        string      `json:"name,omitempty"`
		Version     string      `json:"version,omitempty"`
		Components  int         `json:"components"`
		Unmatchable int         `json:"unmatchable"`
		Unmatched   []Unmatched `json:"unmatched,omitempty"`
	} `json:"sbom"`
	Summary struct {
		Findings int `json:"findings"`
		Counts
		AdvisoryErrors int `json:"advisory_errors"`
	} `json:"summary"`
	Findings []Finding `json:"findings"`
}

// WriteJSON writes the report as one JSON object: the SBOM, a summary, and
// the findings.
func WriteJSON(w io.Writer, r *Report) error {
	var out jsonReport
	out.SBOM.Source, out.SBOM.Format, out.SBOM.SpecVersion = r.Source, r.Format, r.SpecVersion
	out.SBOM.Name, out.SBOM.Version = r.SBOM.Product, r.SBOM.ProductVersion
	out.SBOM.Components, out.SBOM.Unmatchable, out.SBOM.Unmatched = r.Components, r.Unmatchable, r.Unmatched
	out.Summary.Findings = len(r.Findings)
	out.Summary.Counts = Count(r.Findings)
	out.Summary.AdvisoryErrors = r.AdvisoryErrors
	out.Findings = r.Findings
	if out.Findings == nil {
		out.Findings = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
