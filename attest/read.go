package attest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Kinds of attestation documents.
const (
	KindScorecard  = "scorecard"
	KindProvenance = "slsa-provenance"
	KindVSA        = "slsa-vsa"
	KindCDXA       = "cyclonedx-attestation"
)

// Document is one attestation document, read: its kind and what it says.
// Exactly one of the kind's fields is set.
type Document struct {
	Kind         string
	Scorecard    *Scorecard
	Envelope     *Envelope // provenance and VSA
	Statement    *Statement
	Provenance   *Provenance
	VSA          *VSA
	CDXA         *CDXA
	Verification *Verification // of the envelope's signatures; nil for unsigned kinds
}

// Read tells the kind of a document (a Scorecard result, one DSSE
// envelope or Sigstore bundle of SLSA provenance or a VSA, or a CycloneDX
// document with declarations) and reads it. Envelope signatures are
// checked against keys (Unverified with none).
func Read(b []byte, keys []Key) (*Document, error) {
	if len(b) > MaxBytes {
		return nil, fmt.Errorf("attest: %d bytes: %w", len(b), ErrTooLarge)
	}
	var probe map[string]json.RawMessage
	first := bytes.TrimSpace(b)
	if i := bytes.IndexByte(first, '\n'); i > 0 && json.Valid(first[:i]) {
		first = first[:i] // JSON lines: the kind is the first line's
	}
	if err := json.Unmarshal(first, &probe); err != nil {
		return nil, fmt.Errorf("attest: not a JSON document: %w", err)
	}
	switch {
	case probe["bomFormat"] != nil:
		a, err := ParseCDXA(b)
		if err != nil {
			return nil, err
		}
		return &Document{Kind: KindCDXA, CDXA: a}, nil
	case probe["repo"] != nil && probe["checks"] != nil:
		s, err := ParseScorecard(b)
		if err != nil {
			return nil, err
		}
		return &Document{Kind: KindScorecard, Scorecard: s}, nil
	case probe["payloadType"] != nil || probe["dsseEnvelope"] != nil:
		es, err := ParseEnvelopes(b)
		if err != nil {
			return nil, err
		}
		if len(es) != 1 {
			return nil, fmt.Errorf("attest: %d envelopes: give one attestation at a time", len(es))
		}
		st, err := es[0].Statement()
		if err != nil {
			return nil, err
		}
		v := es[0].Verify(keys)
		d := &Document{Envelope: es[0], Statement: st, Verification: &v}
		switch st.PredicateType {
		case SLSAProvenanceV1, SLSAProvenanceV02:
			d.Kind = KindProvenance
			d.Provenance, err = st.Provenance()
		case SLSAVSAV1:
			d.Kind = KindVSA
			d.VSA, err = st.VSA()
		default:
			err = fmt.Errorf("attest: predicate type %q is not one vigie reads (SLSA provenance, SLSA VSA)", st.PredicateType)
		}
		if err != nil {
			return nil, err
		}
		return d, nil
	}
	return nil, errors.New("attest: not a Scorecard result, DSSE envelope, Sigstore bundle or CycloneDX attestation")
}

// Expires is when the document stops counting: the earliest expiry of a
// CycloneDX attestation's evidence; zero when it does not expire.
func (d *Document) Expires() time.Time {
	var min time.Time
	if d.CDXA != nil {
		for _, e := range d.CDXA.Evidence {
			if !e.Expires.IsZero() && (min.IsZero() || e.Expires.Before(min)) {
				min = e.Expires
			}
		}
	}
	return min
}

// Source is the repository the document is about, when it names one
// (a Scorecard result's repo, a provenance's source).
func (d *Document) Source() string {
	switch {
	case d.Scorecard != nil:
		return d.Scorecard.Repo
	case d.Provenance != nil:
		return d.Provenance.Source
	}
	return ""
}

// SameRepo reports whether two repository URLs or names name the same
// repository ("https://github.com/a/b.git" and "github.com/a/b").
func SameRepo(a, b string) bool {
	return normRepo(a) != "" && normRepo(a) == normRepo(b)
}

// Subjects returns the names of the artifacts a statement is about, sorted.
func (d *Document) Subjects() []string {
	if d.Statement == nil {
		return nil
	}
	var out []string
	for _, s := range d.Statement.Subjects {
		out = append(out, s.Name)
	}
	sort.Strings(out)
	return out
}

func (d *Document) summary() any {
	switch d.Kind {
	case KindScorecard:
		return d.Scorecard
	case KindProvenance:
		return d.Provenance
	case KindVSA:
		return d.VSA
	}
	return d.CDXA
}

// Title is a one-line description of the document.
func (d *Document) Title() string {
	switch d.Kind {
	case KindScorecard:
		return fmt.Sprintf("OpenSSF Scorecard %.1f for %s", d.Scorecard.Score, d.Scorecard.Repo)
	case KindProvenance:
		return "SLSA provenance v" + d.Provenance.SLSAVersion + " of " + strings.Join(d.Subjects(), ", ")
	case KindVSA:
		return "SLSA verification summary (" + d.VSA.Result + ") of " + d.VSA.ResourceURI
	}
	return fmt.Sprintf("CycloneDX attestation: %d attestations", len(d.CDXA.Attestations))
}
