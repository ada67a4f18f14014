package attest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"
)

// Limits of a CycloneDX attestation.
const (
	MaxClaims   = 10000
	MaxEvidence = 10000
)

// CDXA is the declarations block of a CycloneDX 1.6+ document: who
// assessed what, and the claims, evidence and scores behind each
// requirement.
type CDXA struct {
	Assessors    []Assessor          `json:"assessors,omitempty"`
	Attestations []CDXAttestation    `json:"attestations"`
	Claims       map[string]Claim    `json:"claims,omitempty"`   // by bom-ref
	Evidence     map[string]Evidence `json:"evidence,omitempty"` // by bom-ref
	Targets      []string            `json:"targets,omitempty"`  // the organisations and components it is about, by name
	Signed       bool                `json:"signed"`             // the declarations carry a (JSF) signature; not checked here
	// Requirements resolves requirement bom-refs to identifiers, from the
	// document's own definitions.standards.
	Requirements map[string]string `json:"requirements,omitempty"`
	// Warnings lists what is inconsistent without making the document
	// unreadable: references to claims or evidence it lacks.
	Warnings []string `json:"warnings,omitempty"`
}

// Assessor is who made an attestation.
type Assessor struct {
	Ref        string `json:"ref"`
	Name       string `json:"name,omitempty"`
	ThirdParty bool   `json:"third_party"`
}

// CDXAttestation is one assessor's attestation: requirements and their
// claims, with conformance and confidence scores (0 to 1).
type CDXAttestation struct {
	Summary  string             `json:"summary,omitempty"`
	Assessor string             `json:"assessor,omitempty"`
	Map      []RequirementClaim `json:"map"`
}

// RequirementClaim says what is claimed about one requirement.
type RequirementClaim struct {
	Requirement   string   `json:"requirement"` // a bom-ref, or the identifier when resolved
	Claims        []string `json:"claims,omitempty"`
	CounterClaims []string `json:"counter_claims,omitempty"`
	Conformance   *float64 `json:"conformance,omitempty"`
	Confidence    *float64 `json:"confidence,omitempty"`
	Rationale     string   `json:"rationale,omitempty"`
}

// Claim is one claim and the evidence for and against it.
type Claim struct {
	Target          string   `json:"target,omitempty"`
	Predicate       string   `json:"predicate,omitempty"`
	Evidence        []string `json:"evidence,omitempty"`
	CounterEvidence []string `json:"counter_evidence,omitempty"`
}

// Evidence is one piece of evidence, which may expire.
type Evidence struct {
	PropertyName string    `json:"property_name,omitempty"`
	Description  string    `json:"description,omitempty"`
	Created      time.Time `json:"created,omitzero"`
	Expires      time.Time `json:"expires,omitzero"`
}

type cdxaJSON struct {
	BOMFormat    string `json:"bomFormat"`
	Declarations *struct {
		Assessors []struct {
			BOMRef       string `json:"bom-ref"`
			ThirdParty   bool   `json:"thirdParty"`
			Organization *struct {
				Name string `json:"name"`
			} `json:"organization"`
		} `json:"assessors"`
		Attestations []struct {
			Summary  string `json:"summary"`
			Assessor string `json:"assessor"`
			Map      []struct {
				Requirement   string   `json:"requirement"`
				Claims        []string `json:"claims"`
				CounterClaims []string `json:"counterClaims"`
				Conformance   *struct {
					Score     *float64 `json:"score"`
					Rationale string   `json:"rationale"`
				} `json:"conformance"`
				Confidence *struct {
					Score *float64 `json:"score"`
				} `json:"confidence"`
			} `json:"map"`
		} `json:"attestations"`
		Claims []struct {
			BOMRef          string   `json:"bom-ref"`
			Target          string   `json:"target"`
			Predicate       string   `json:"predicate"`
			Evidence        []string `json:"evidence"`
			CounterEvidence []string `json:"counterEvidence"`
		} `json:"claims"`
		Evidence []struct {
			BOMRef       string     `json:"bom-ref"`
			PropertyName string     `json:"propertyName"`
			Description  string     `json:"description"`
			Created      *time.Time `json:"created"`
			Expires      *time.Time `json:"expires"`
		} `json:"evidence"`
		Targets *struct {
			Organizations []struct {
				Name string `json:"name"`
			} `json:"organizations"`
			Components []struct {
				Name string `json:"name"`
			} `json:"components"`
		} `json:"targets"`
		Signature json.RawMessage `json:"signature"`
	} `json:"declarations"`
	Definitions *struct {
		Standards []struct {
			Requirements []struct {
				BOMRef     string `json:"bom-ref"`
				Identifier string `json:"identifier"`
			} `json:"requirements"`
		} `json:"standards"`
	} `json:"definitions"`
}

// ParseCDXA reads the declarations of a CycloneDX document. A score
// outside 0..1, a claim or evidence without a bom-ref, duplicate
// bom-refs or an attestation without requirements is an error.
func ParseCDXA(b []byte) (*CDXA, error) {
	if len(b) > MaxBytes {
		return nil, fmt.Errorf("cdxa: %d bytes: %w", len(b), ErrTooLarge)
	}
	var in cdxaJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("cdxa: not valid JSON: %w", err)
	}
	if in.BOMFormat != "CycloneDX" {
		return nil, fmt.Errorf("cdxa: bomFormat %q, want CycloneDX", in.BOMFormat)
	}
	d := in.Declarations
	if d == nil || len(d.Attestations) == 0 {
		return nil, errors.New("cdxa: no declarations.attestations (attestations need CycloneDX 1.6 or later)")
	}
	if len(d.Claims) > MaxClaims || len(d.Evidence) > MaxEvidence {
		return nil, fmt.Errorf("cdxa: %d claims, %d evidence: %w", len(d.Claims), len(d.Evidence), ErrTooLarge)
	}
	out := &CDXA{Claims: map[string]Claim{}, Evidence: map[string]Evidence{}, Signed: len(d.Signature) > 0 && string(d.Signature) != "null"}
	for _, a := range d.Assessors {
		as := Assessor{Ref: a.BOMRef, ThirdParty: a.ThirdParty}
		if a.Organization != nil {
			as.Name = a.Organization.Name
		}
		out.Assessors = append(out.Assessors, as)
	}
	for _, c := range d.Claims {
		if c.BOMRef == "" {
			return nil, errors.New("cdxa: a claim without bom-ref")
		}
		if _, dup := out.Claims[c.BOMRef]; dup {
			return nil, fmt.Errorf("cdxa: claim bom-ref %q twice", c.BOMRef)
		}
		out.Claims[c.BOMRef] = Claim{Target: c.Target, Predicate: c.Predicate, Evidence: c.Evidence, CounterEvidence: c.CounterEvidence}
	}
	for _, e := range d.Evidence {
		if e.BOMRef == "" {
			return nil, errors.New("cdxa: evidence without bom-ref")
		}
		if _, dup := out.Evidence[e.BOMRef]; dup {
			return nil, fmt.Errorf("cdxa: evidence bom-ref %q twice", e.BOMRef)
		}
		ev := Evidence{PropertyName: e.PropertyName, Description: e.Description}
		if e.Created != nil {
			ev.Created = e.Created.UTC()
		}
		if e.Expires != nil {
			ev.Expires = e.Expires.UTC()
		}
		out.Evidence[e.BOMRef] = ev
	}
	if in.Definitions != nil {
		out.Requirements = map[string]string{}
		for _, s := range in.Definitions.Standards {
			for _, r := range s.Requirements {
				if r.BOMRef != "" && r.Identifier != "" {
					out.Requirements[r.BOMRef] = r.Identifier
				}
			}
		}
	}
	if t := d.Targets; t != nil {
		for _, o := range t.Organizations {
			out.Targets = append(out.Targets, o.Name)
		}
		for _, c := range t.Components {
			out.Targets = append(out.Targets, c.Name)
		}
	}
	for i, a := range d.Attestations {
		if len(a.Map) == 0 {
			return nil, fmt.Errorf("cdxa: attestation %d maps no requirement", i)
		}
		at := CDXAttestation{Summary: a.Summary, Assessor: a.Assessor}
		for _, m := range a.Map {
			if m.Requirement == "" {
				return nil, fmt.Errorf("cdxa: attestation %d: a map entry without requirement", i)
			}
			rc := RequirementClaim{Requirement: m.Requirement, Claims: m.Claims, CounterClaims: m.CounterClaims}
			if id, ok := out.Requirements[m.Requirement]; ok {
				rc.Requirement = id
			}
			if m.Conformance != nil {
				if s := m.Conformance.Score; s != nil && (*s < 0 || *s > 1) {
					return nil, fmt.Errorf("cdxa: requirement %s: conformance score %v out of 0..1", m.Requirement, *s)
				}
				rc.Conformance, rc.Rationale = m.Conformance.Score, m.Conformance.Rationale
			}
			if m.Confidence != nil {
				if s := m.Confidence.Score; s != nil && (*s < 0 || *s > 1) {
					return nil, fmt.Errorf("cdxa: requirement %s: confidence score %v out of 0..1", m.Requirement, *s)
				}
				rc.Confidence = m.Confidence.Score
			}
			for _, c := range append(append([]string{}, m.Claims...), m.CounterClaims...) {
				if _, ok := out.Claims[c]; !ok {
					out.Warnings = append(out.Warnings, fmt.Sprintf("requirement %s names claim %q, which the document lacks", rc.Requirement, c))
				}
			}
			at.Map = append(at.Map, rc)
		}
		out.Attestations = append(out.Attestations, at)
	}
	for ref, c := range out.Claims {
		for _, e := range append(append([]string{}, c.Evidence...), c.CounterEvidence...) {
			if _, ok := out.Evidence[e]; !ok {
				out.Warnings = append(out.Warnings, fmt.Sprintf("claim %s names evidence %q, which the document lacks", ref, e))
			}
		}
	}
	sort.Strings(out.Warnings)
	return out, nil
}

// Expired returns the bom-refs of the evidence that expired before now.
func (c *CDXA) Expired(now time.Time) []string {
	var out []string
	for ref, e := range c.Evidence {
		if !e.Expires.IsZero() && e.Expires.Before(now) {
			out = append(out, ref)
		}
	}
	sort.Strings(out)
	return out
}
