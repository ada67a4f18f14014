package exposure

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// SARIF 2.1.0, the subset code-scanning tools read.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID               string         `json:"id"`
	Name             string         `json:"name,omitempty"`
	ShortDescription sarifText      `json:"shortDescription"`
	FullDescription  *sarifText     `json:"fullDescription,omitempty"`
	HelpURI          string         `json:"helpUri,omitempty"`
	Help             *sarifText     `json:"help,omitempty"`
	Properties       map[string]any `json:"properties,omitempty"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints,omitempty"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          map[string]any     `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region struct {
			StartLine int `json:"startLine"`
		} `json:"region"`
	} `json:"physicalLocation"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	Kind               string `json:"kind"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification,omitempty"`
}

// SARIFLevel is the SARIF level of a finding: "error" for malicious
// packages and critical or high severities, "warning" for medium and
// unknown ones, "note" for low.
func SARIFLevel(f *Finding) string {
	switch {
	case f.Malicious, f.Severity == "critical", f.Severity == "high":
		return "error"
	case f.Severity == "low", f.Severity == "none":
		return "note"
	}
	return "warning"
}

// WriteSARIF writes the report as a SARIF 2.1.0 log with one run: a rule
// per advisory (with its CVSS score as "security-severity", which code
// scanning uses to rank), a result per finding located at the SBOM file and
// naming the component, and suppressions for the findings VEX suppresses
// ("accepted") or puts under investigation ("underReview").
func WriteSARIF(w io.Writer, r *Report) error {
	name := r.ToolName
	if name == "" {
		name = "vigie"
	}
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: name, Version: r.ToolVersion, InformationURI: "https://github.com/vigie-cti/vigie",
			Rules: []sarifRule{},
		}},
		Results: []sarifResult{},
	}
	ruleIndex := map[string]int{}
	uri := filepath.ToSlash(r.Source)
	if uri == "" {
		uri = "sbom"
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		idx, ok := ruleIndex[f.ID]
		if !ok {
			idx = len(run.Tool.Driver.Rules)
			ruleIndex[f.ID] = idx
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleFor(f, r))
		}
		res := sarifResult{
			RuleID:    f.ID,
			RuleIndex: idx,
			Level:     SARIFLevel(f),
			Message:   sarifText{Text: resultMessage(f)},
			PartialFingerprints: map[string]string{
				"vigieFinding/v1": fingerprint(f.ID, f.Component.PURL, f.Component.Name, f.Component.Version),
			},
			Properties: map[string]any{"state": f.State, "dependency": f.Component.Dependency},
		}
		var loc sarifLocation
		loc.PhysicalLocation.ArtifactLocation.URI = uri
		loc.PhysicalLocation.Region.StartLine = 1
		loc.LogicalLocations = []sarifLogical{{
			Name: f.Component.Name + "@" + f.Component.Version, Kind: "package", FullyQualifiedName: f.Component.PURL,
		}}
		res.Locations = []sarifLocation{loc}
		if f.VEX != nil && f.State != Affected {
			status := "accepted"
			if f.State == UnderInvestigation {
				status = "underReview"
			}
			just := string(f.VEX.Status)
			if f.VEX.Justification != "" {
				just += ": " + f.VEX.Justification
			}
			if f.VEX.ImpactStatement != "" {
				just += ": " + f.VEX.ImpactStatement
			}
			res.Suppressions = []sarifSuppression{{Kind: "external", Status: status, Justification: just}}
		}
		run.Results = append(run.Results, res)
	}
	log := sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

func sarifRuleFor(f *Finding, r *Report) sarifRule {
	short := f.Summary
	if short == "" {
		short = f.ID
	}
	rule := sarifRule{
		ID:               f.ID,
		Name:             strings.ReplaceAll(f.ID, "-", ""),
		ShortDescription: sarifText{Text: short},
		HelpURI:          "https://osv.dev/vulnerability/" + f.ID,
	}
	tags := []string{"security", "vulnerability"}
	if f.Malicious {
		tags = []string{"security", "malicious-package"}
	}
	props := map[string]any{"tags": tags}
	if len(f.Aliases) > 0 {
		props["aliases"] = f.Aliases
	}
	if f.Score > 0 {
		props["security-severity"] = fmt.Sprintf("%.1f", f.Score)
	} else if f.Malicious {
		props["security-severity"] = "10.0"
	}
	rule.Properties = props
	if a, ok := r.Advisories[f.ID]; ok {
		if d := strings.TrimSpace(a.Details); d != "" {
			rule.FullDescription = &sarifText{Text: d}
			rule.Help = &sarifText{Text: d, Markdown: d}
		}
		for _, ref := range a.References {
			if ref.Type == "ADVISORY" && ref.URL != "" {
				rule.HelpURI = ref.URL
				break
			}
		}
	}
	return rule
}

func resultMessage(f *Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s@%s", f.Component.Name, f.Component.Version)
	if f.Malicious {
		fmt.Fprintf(&b, " is a malicious package (%s)", f.ID)
	} else {
		fmt.Fprintf(&b, " is affected by %s", f.ID)
	}
	if len(f.Aliases) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(f.Aliases, ", "))
	}
	if f.Summary != "" {
		fmt.Fprintf(&b, ": %s", strings.TrimSuffix(f.Summary, "."))
	}
	b.WriteString(".")
	if f.FixedVersion != "" {
		fmt.Fprintf(&b, " Fixed in %s.", f.FixedVersion)
	}
	if f.VEX != nil {
		fmt.Fprintf(&b, " VEX: %s", f.VEX.Status)
		if f.VEX.Justification != "" {
			fmt.Fprintf(&b, " (%s)", f.VEX.Justification)
		}
		b.WriteString(".")
	}
	return b.String()
}

func fingerprint(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:16])
}
