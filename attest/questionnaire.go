package attest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// QuestionnaireFormat is the format line of a questionnaire file.
const QuestionnaireFormat = "vigie-questionnaire/1"

// MaxAnswers bounds the answers of one questionnaire.
const MaxAnswers = 10000

// Questionnaire is a supplier's answers to a catalog's requirements, for
// what cannot be observed: once per product line, with evidence links
// and an expiry. It becomes a CycloneDX attestation (CycloneDX).
type Questionnaire struct {
	Format   string    `yaml:"format" json:"format"`
	Catalog  string    `yaml:"catalog" json:"catalog"`
	Supplier string    `yaml:"supplier" json:"supplier"`
	Expires  time.Time `yaml:"expires" json:"expires"`
	Answers  []Answer  `yaml:"answers" json:"answers"`
}

// Answer is the answer to one requirement: yes, no or partial.
type Answer struct {
	Requirement string   `yaml:"requirement" json:"requirement"`
	Answer      string   `yaml:"answer" json:"answer"`
	Rationale   string   `yaml:"rationale" json:"rationale,omitempty"`
	Evidence    []string `yaml:"evidence" json:"evidence,omitempty"` // links
}

// ParseQuestionnaire reads a questionnaire (YAML, or JSON which is YAML).
func ParseQuestionnaire(b []byte) (*Questionnaire, error) {
	if len(b) > MaxBytes {
		return nil, fmt.Errorf("questionnaire: %d bytes: %w", len(b), ErrTooLarge)
	}
	var q Questionnaire
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&q); err != nil {
		return nil, fmt.Errorf("questionnaire: %w", err)
	}
	switch {
	case q.Format != QuestionnaireFormat:
		return nil, fmt.Errorf("questionnaire: format %q, want %s", q.Format, QuestionnaireFormat)
	case q.Catalog == "":
		return nil, errors.New("questionnaire: no catalog")
	case strings.TrimSpace(q.Supplier) == "":
		return nil, errors.New("questionnaire: no supplier")
	case q.Expires.IsZero():
		return nil, errors.New("questionnaire: no expires date: answers must be renewed")
	case len(q.Answers) == 0:
		return nil, errors.New("questionnaire: no answers")
	case len(q.Answers) > MaxAnswers:
		return nil, fmt.Errorf("questionnaire: %d answers: %w", len(q.Answers), ErrTooLarge)
	}
	seen := map[string]bool{}
	for i, a := range q.Answers {
		switch {
		case a.Requirement == "":
			return nil, fmt.Errorf("questionnaire: answer %d has no requirement", i+1)
		case seen[a.Requirement]:
			return nil, fmt.Errorf("questionnaire: requirement %s answered twice", a.Requirement)
		case a.Answer != "yes" && a.Answer != "no" && a.Answer != "partial":
			return nil, fmt.Errorf("questionnaire: requirement %s: answer %q, want yes, no or partial", a.Requirement, a.Answer)
		}
		seen[a.Requirement] = true
		for _, e := range a.Evidence {
			u, err := url.Parse(e)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				return nil, fmt.Errorf("questionnaire: requirement %s: evidence %q is not an http(s) link", a.Requirement, e)
			}
		}
	}
	return &q, nil
}

// CycloneDX returns the answers as a CycloneDX 1.6 attestation by the
// supplier about itself: yes is a claim with conformance 1, partial 0.5,
// no a counter-claim with conformance 0; evidence carries the links and
// the expiry.
func (q *Questionnaire) CycloneDX(now time.Time) ([]byte, error) {
	type ref = map[string]any
	var claims, evidence, maps []ref
	for i, a := range q.Answers {
		n := fmt.Sprint(i + 1)
		ev := ref{"bom-ref": "evidence-" + n, "propertyName": "vigie:questionnaire:" + q.Catalog, "description": a.Rationale,
			"created": now.UTC().Format(time.RFC3339), "expires": q.Expires.UTC().Format(time.RFC3339)}
		if len(a.Evidence) > 0 {
			ev["description"] = strings.TrimSpace(a.Rationale + "\n" + strings.Join(a.Evidence, "\n"))
		}
		evidence = append(evidence, ev)
		claim := ref{"bom-ref": "claim-" + n, "target": "supplier", "predicate": a.Requirement + ": " + a.Answer, "reasoning": a.Rationale}
		score := map[string]float64{"yes": 1, "partial": 0.5, "no": 0}[a.Answer]
		m := ref{"requirement": a.Requirement, "conformance": ref{"score": score, "rationale": a.Rationale}}
		if a.Answer == "no" {
			claim["counterEvidence"] = []string{"evidence-" + n}
			m["counterClaims"] = []string{"claim-" + n}
		} else {
			claim["evidence"] = []string{"evidence-" + n}
			m["claims"] = []string{"claim-" + n}
		}
		claims = append(claims, claim)
		maps = append(maps, m)
	}
	doc := ref{
		"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
		"metadata": ref{"timestamp": now.UTC().Format(time.RFC3339), "supplier": ref{"name": q.Supplier}},
		"declarations": ref{
			"assessors":    []ref{{"bom-ref": "assessor-supplier", "thirdParty": false, "organization": ref{"name": q.Supplier}}},
			"attestations": []ref{{"summary": "Answers of " + q.Supplier + " to " + q.Catalog, "assessor": "assessor-supplier", "map": maps}},
			"claims":       claims,
			"evidence":     evidence,
			"targets":      ref{"organizations": []ref{{"bom-ref": "supplier", "name": q.Supplier}}},
		},
	}
	return json.Marshal(doc)
}
