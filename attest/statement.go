package attest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MaxSubjects bounds the subjects of one statement.
const MaxSubjects = 10000

// Statement is an in-toto statement (v0.1 or v1).
type Statement struct {
	Type          string
	Subjects      []Subject
	PredicateType string
	Predicate     json.RawMessage
}

// Subject is an artifact a statement is about, by digest.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// Statement decodes the envelope's payload as an in-toto statement.
func (e *Envelope) Statement() (*Statement, error) {
	if e.PayloadType != InTotoPayloadType {
		return nil, fmt.Errorf("in-toto: payload type %q, want %s", e.PayloadType, InTotoPayloadType)
	}
	return ParseStatement(e.Payload)
}

// ParseStatement reads an in-toto statement.
func ParseStatement(b []byte) (*Statement, error) {
	var in struct {
		Type          string          `json:"_type"`
		Subject       []Subject       `json:"subject"`
		PredicateType string          `json:"predicateType"`
		Predicate     json.RawMessage `json:"predicate"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("in-toto: not valid JSON: %w", err)
	}
	switch in.Type {
	case "https://in-toto.io/Statement/v1", "https://in-toto.io/Statement/v0.1":
	default:
		return nil, fmt.Errorf("in-toto: _type %q is not an in-toto statement", in.Type)
	}
	if in.PredicateType == "" {
		return nil, errors.New("in-toto: no predicateType")
	}
	if len(in.Subject) == 0 {
		return nil, errors.New("in-toto: no subject")
	}
	if len(in.Subject) > MaxSubjects {
		return nil, fmt.Errorf("in-toto: %d subjects: %w", len(in.Subject), ErrTooLarge)
	}
	for i, s := range in.Subject {
		if len(s.Digest) == 0 {
			return nil, fmt.Errorf("in-toto: subject %d (%s) has no digest", i, s.Name)
		}
	}
	return &Statement{Type: in.Type, Subjects: in.Subject, PredicateType: in.PredicateType, Predicate: in.Predicate}, nil
}

// Predicate types read here.
const (
	SLSAProvenanceV1  = "https://slsa.dev/provenance/v1"
	SLSAProvenanceV02 = "https://slsa.dev/provenance/v0.2"
	SLSAVSAV1         = "https://slsa.dev/verification_summary/v1"
)

// Provenance is what a SLSA provenance predicate says about a build.
type Provenance struct {
	SLSAVersion string    `json:"slsa_version"` // "1.0" or "0.2"
	BuilderID   string    `json:"builder_id"`
	BuildType   string    `json:"build_type"`
	Source      string    `json:"source,omitempty"` // the repository built, when the predicate names it
	Started     time.Time `json:"started,omitzero"`
	Finished    time.Time `json:"finished,omitzero"`
}

// Provenance reads the statement's SLSA provenance predicate (v1 or v0.2).
func (s *Statement) Provenance() (*Provenance, error) {
	switch s.PredicateType {
	case SLSAProvenanceV1:
		var p struct {
			BuildDefinition struct {
				BuildType          string `json:"buildType"`
				ExternalParameters struct {
					Workflow struct {
						Repository string `json:"repository"`
					} `json:"workflow"`
					Source struct {
						URI string `json:"uri"`
					} `json:"source"`
				} `json:"externalParameters"`
			} `json:"buildDefinition"`
			RunDetails struct {
				Builder struct {
					ID string `json:"id"`
				} `json:"builder"`
				Metadata struct {
					StartedOn  *time.Time `json:"startedOn"`
					FinishedOn *time.Time `json:"finishedOn"`
				} `json:"metadata"`
			} `json:"runDetails"`
		}
		if err := json.Unmarshal(s.Predicate, &p); err != nil {
			return nil, fmt.Errorf("slsa provenance v1: %w", err)
		}
		out := &Provenance{SLSAVersion: "1.0", BuilderID: p.RunDetails.Builder.ID, BuildType: p.BuildDefinition.BuildType,
			Source: firstNonEmpty(p.BuildDefinition.ExternalParameters.Workflow.Repository, p.BuildDefinition.ExternalParameters.Source.URI)}
		if t := p.RunDetails.Metadata.StartedOn; t != nil {
			out.Started = t.UTC()
		}
		if t := p.RunDetails.Metadata.FinishedOn; t != nil {
			out.Finished = t.UTC()
		}
		return out.check()
	case SLSAProvenanceV02:
		var p struct {
			Builder struct {
				ID string `json:"id"`
			} `json:"builder"`
			BuildType  string `json:"buildType"`
			Invocation struct {
				ConfigSource struct {
					URI string `json:"uri"`
				} `json:"configSource"`
			} `json:"invocation"`
			Metadata struct {
				BuildStartedOn  *time.Time `json:"buildStartedOn"`
				BuildFinishedOn *time.Time `json:"buildFinishedOn"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(s.Predicate, &p); err != nil {
			return nil, fmt.Errorf("slsa provenance v0.2: %w", err)
		}
		out := &Provenance{SLSAVersion: "0.2", BuilderID: p.Builder.ID, BuildType: p.BuildType, Source: p.Invocation.ConfigSource.URI}
		if t := p.Metadata.BuildStartedOn; t != nil {
			out.Started = t.UTC()
		}
		if t := p.Metadata.BuildFinishedOn; t != nil {
			out.Finished = t.UTC()
		}
		return out.check()
	}
	return nil, fmt.Errorf("predicate type %q is not SLSA provenance", s.PredicateType)
}

func (p *Provenance) check() (*Provenance, error) {
	if p.BuilderID == "" {
		return nil, errors.New("slsa provenance: no builder id")
	}
	if p.BuildType == "" {
		return nil, errors.New("slsa provenance: no build type")
	}
	return p, nil
}

// VSA is a SLSA verification summary: a verifier's decision about an
// artifact.
type VSA struct {
	VerifierID     string    `json:"verifier_id"`
	TimeVerified   time.Time `json:"time_verified"`
	ResourceURI    string    `json:"resource_uri"`
	PolicyURI      string    `json:"policy_uri,omitempty"`
	Result         string    `json:"result"` // PASSED or FAILED
	VerifiedLevels []string  `json:"verified_levels,omitempty"`
}

// VSA reads the statement's verification summary predicate.
func (s *Statement) VSA() (*VSA, error) {
	if s.PredicateType != SLSAVSAV1 {
		return nil, fmt.Errorf("predicate type %q is not a SLSA verification summary v1", s.PredicateType)
	}
	var p struct {
		Verifier struct {
			ID string `json:"id"`
		} `json:"verifier"`
		TimeVerified       *time.Time           `json:"timeVerified"`
		ResourceURI        string               `json:"resourceUri"`
		Policy             struct{ URI string } `json:"policy"`
		VerificationResult string               `json:"verificationResult"`
		VerifiedLevels     []string             `json:"verifiedLevels"`
	}
	if err := json.Unmarshal(s.Predicate, &p); err != nil {
		return nil, fmt.Errorf("slsa vsa: %w", err)
	}
	switch {
	case p.Verifier.ID == "":
		return nil, errors.New("slsa vsa: no verifier id")
	case p.VerificationResult != "PASSED" && p.VerificationResult != "FAILED":
		return nil, fmt.Errorf("slsa vsa: verificationResult %q, want PASSED or FAILED", p.VerificationResult)
	case p.TimeVerified == nil:
		return nil, errors.New("slsa vsa: no timeVerified")
	case p.ResourceURI == "":
		return nil, errors.New("slsa vsa: no resourceUri")
	}
	return &VSA{VerifierID: p.Verifier.ID, TimeVerified: p.TimeVerified.UTC(), ResourceURI: p.ResourceURI, PolicyURI: p.Policy.URI,
		Result: p.VerificationResult, VerifiedLevels: p.VerifiedLevels}, nil
}

// BuildLevel is the SLSA build level the summary verified (its highest
// SLSA_BUILD_LEVEL_N), 0 if none or if it failed.
func (v *VSA) BuildLevel() int {
	if v.Result != "PASSED" {
		return 0
	}
	best := 0
	for _, l := range v.VerifiedLevels {
		if n, ok := strings.CutPrefix(l, "SLSA_BUILD_LEVEL_"); ok && len(n) == 1 && n[0] >= '0' && n[0] <= '4' && int(n[0]-'0') > best {
			best = int(n[0] - '0')
		}
	}
	return best
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
