// Package vex reads vulnerability exploitability statements (CycloneDX VEX
// in JSON or XML, OpenVEX, CSAF 2.0 VEX) into one model, and decides which
// statement applies to a finding: a vulnerability in a component of a
// product described by an SBOM.
//
// Errors wrap ErrNotVEX, ErrMalformed or ErrTooLarge.
package vex

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/vigie-cti/vigie/advisory"
)

// Status is the exploitability status a statement gives.
type Status string

// The statuses, as OpenVEX names them. CycloneDX analysis states map to
// them: resolved and resolved_with_pedigree to Fixed, exploitable to
// Affected, in_triage to UnderInvestigation, not_affected and
// false_positive to NotAffected.
const (
	NotAffected        Status = "not_affected"
	Affected           Status = "affected"
	Fixed              Status = "fixed"
	UnderInvestigation Status = "under_investigation"
)

// Format is the format a VEX document was read from.
type Format string

// The formats.
const (
	CycloneDX Format = "cyclonedx"
	OpenVEX   Format = "openvex"
	CSAF      Format = "csaf"
)

// Document is a VEX document.
type Document struct {
	Format     Format
	ID         string // serial number, @id, or CSAF tracking id
	Author     string
	Timestamp  time.Time
	Statements []Statement
}

// Statement says what a vulnerability means for some products.
type Statement struct {
	Vulnerability string
	Aliases       []string
	// Products are what the statement is about. A statement without
	// products applies to every product the document is given for.
	Products        []Product
	Status          Status
	Justification   string // not_affected: component_not_present, code_not_reachable, ...
	ImpactStatement string // why it is not exploitable, or the analysis detail
	ActionStatement string // what to do (affected), or the remediation
	Timestamp       time.Time
	// Source names the document the statement comes from.
	Source string
}

// Product identifies a product or a component in a statement, by any of
// its fields; the version fields, when set, restrict it to those versions.
type Product struct {
	// Ref is a bom-ref, a CycloneDX BOM-link ("urn:cdx:serial/version#ref"),
	// an OpenVEX @id, or a CSAF product id.
	Ref  string
	PURL string
	CPE  string
	Name string
	// Versions lists exact versions; Ranges lists vers ranges
	// ("vers:semver/>=1.5.0|<7.0.0"). Empty both: every version.
	Versions []string
	Ranges   []advisory.VersRange
	// Subcomponents, when set, restrict a product statement to these
	// components of the product (OpenVEX subcomponents, CSAF
	// relationships).
	Subcomponents []Product
}

// Options bounds Read; zero fields take the defaults.
type Options struct {
	MaxBytes int64 // default 64 MiB
}

// DefaultMaxBytes is the default size limit of a VEX document.
const DefaultMaxBytes = 64 << 20

// The errors Read wraps.
var (
	ErrNotVEX    = errors.New("not a VEX document")
	ErrMalformed = errors.New("malformed VEX document")
	ErrTooLarge  = errors.New("VEX document over the limits")
)

// Read reads one VEX document, detecting its format.
func Read(r io.Reader, opts Options) (*Document, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	data, err := io.ReadAll(io.LimitReader(r, opts.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read vex: %w", err)
	}
	if int64(len(data)) > opts.MaxBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrTooLarge, opts.MaxBytes)
	}
	return Parse(data)
}

// Parse reads a VEX document held in memory.
func Parse(data []byte) (doc *Document, err error) {
	defer func() {
		if p := recover(); p != nil {
			doc, err = nil, fmt.Errorf("%w: the parser failed: %v", ErrMalformed, p)
		}
	}()
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return nil, fmt.Errorf("%w: empty document", ErrNotVEX)
	case trimmed[0] == '<':
		return parseCycloneDX(trimmed, true)
	case trimmed[0] != '{':
		return nil, fmt.Errorf("%w: neither JSON nor XML", ErrNotVEX)
	case bytes.Contains(trimmed, []byte(`"bomFormat"`)):
		return parseCycloneDX(trimmed, false)
	case bytes.Contains(trimmed, []byte(`"csaf_version"`)):
		return parseCSAF(trimmed)
	case bytes.Contains(trimmed, []byte(`openvex`)):
		return parseOpenVEX(trimmed)
	}
	return nil, fmt.Errorf("%w: JSON that is neither CycloneDX, OpenVEX nor CSAF", ErrNotVEX)
}
