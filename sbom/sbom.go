// Package sbom reads software bills of materials (CycloneDX 1.2 to 1.6 in
// JSON and XML, SPDX 2.2 and 2.3 in JSON and tag-value) into one model: the
// described product and its components, each with a normalised package URL,
// the OSV ecosystem and package name that advisories use, CPE, hashes, and
// whether it is a direct or a transitive dependency.
//
// Reading is bounded: a document larger than Options.MaxBytes, with more
// components than Options.MaxComponents, or nested deeper than
// Options.MaxDepth is refused with ErrTooLarge. A component that cannot be
// matched against advisories (no version, no purl nor CPE, a purl that does
// not parse) is kept, marked with the reason, and counted in
// Document.Unmatchable; it never fails the document.
//
// Errors returned by Read wrap one of ErrNotSBOM, ErrMalformed,
// ErrUnsupported or ErrTooLarge, so that callers can map them to the domain
// codes vigie.EINVALID, vigie.EINVALID, vigie.EUNSUPPORTED and
// vigie.ETOOLARGE.
package sbom

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Format is an SBOM format and encoding.
type Format string

// The formats Read recognises.
const (
	CycloneDXJSON Format = "cyclonedx-json"
	CycloneDXXML  Format = "cyclonedx-xml"
	SPDXJSON      Format = "spdx-json"
	SPDXTagValue  Format = "spdx-tag-value"
)

// Dependency says how a component is reached from the described product.
type Dependency string

// The dependency kinds. DependencyUnknown is used when the SBOM has no
// dependency graph that reaches the component.
const (
	DependencyUnknown Dependency = ""
	Direct            Dependency = "direct"
	Transitive        Dependency = "transitive"
)

// Document is an SBOM: the product it describes and its components.
type Document struct {
	Format      Format
	SpecVersion string // "1.4" for CycloneDX, "SPDX-2.3" for SPDX
	// Serial is the CycloneDX serialNumber ("urn:uuid:...") or the SPDX
	// document namespace; VEX documents refer to the SBOM through it.
	Serial  string
	Version int // the CycloneDX BOM version; 0 for SPDX
	Name    string
	// Product is the component the SBOM describes (CycloneDX
	// metadata.component, the package an SPDX document DESCRIBES), or nil.
	Product    *Component
	Components []Component
	// Unmatchable counts the components whose Unmatchable reason is set.
	Unmatchable int
	// Warnings lists problems that did not stop the reading, one sentence
	// each, such as a purl with a bad encoding.
	Warnings []string
}

// Component is one entry of an SBOM.
type Component struct {
	Ref     string // bom-ref or SPDX identifier
	Type    string // library, application, operating-system, ...
	Name    string // as the SBOM writes it
	Group   string // CycloneDX group (the Maven groupId), if any
	Version string
	// PURL is the package URL in canonical form, or "" when the component
	// has none or its purl does not parse.
	PURL string
	// Ecosystem and PackageName identify the package as advisories do
	// (OSV ecosystem, with a release suffix for distribution packages);
	// both are "" when the purl type has no OSV ecosystem.
	Ecosystem   string
	PackageName string
	// MatchVersion is the version compared with advisories: Version, or the
	// purl's version adjusted for the ecosystem when Version is empty, the
	// Go toolchain's "go1.21.3" written "1.21.3".
	MatchVersion string
	CPE          string
	Hashes       map[string]string // algorithm ("SHA-256") to lower-case hex
	Supplier     string
	Dependency   Dependency
	// Unmatchable says why the component cannot be matched against
	// advisories ("no version", "no purl or cpe", ...), or is "".
	Unmatchable string
}

// Package returns the component's package identity, zero if it has none.
func (c *Component) Package() Package {
	return Package{Ecosystem: c.Ecosystem, Name: c.PackageName}
}

// Options bounds what Read accepts. Zero fields take the defaults.
type Options struct {
	MaxBytes      int64 // size of the document; default 128 MiB
	MaxComponents int   // components, nested ones included; default 200,000
	MaxDepth      int   // XML element nesting and component nesting; default 64
}

// The default limits.
const (
	DefaultMaxBytes      = 128 << 20
	DefaultMaxComponents = 200_000
	DefaultMaxDepth      = 64
)

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxComponents <= 0 {
		o.MaxComponents = DefaultMaxComponents
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	return o
}

// The errors Read wraps.
var (
	ErrNotSBOM     = errors.New("not an SBOM")
	ErrMalformed   = errors.New("malformed SBOM")
	ErrUnsupported = errors.New("unsupported SBOM format")
	ErrTooLarge    = errors.New("SBOM over the limits")
)

// Read reads one SBOM, detecting its format: CycloneDX JSON or XML, SPDX
// JSON or tag-value.
func Read(r io.Reader, opts Options) (*Document, error) {
	opts = opts.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, opts.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read sbom: %w", err)
	}
	if int64(len(data)) > opts.MaxBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrTooLarge, opts.MaxBytes)
	}
	return Parse(data, opts)
}

// Parse is Read for a document already in memory.
func Parse(data []byte, opts Options) (doc *Document, err error) {
	opts = opts.withDefaults()
	if int64(len(data)) > opts.MaxBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrTooLarge, opts.MaxBytes)
	}
	defer func() {
		// The format libraries are not all hardened against hostile
		// input; a panic in one of them is a malformed document.
		if p := recover(); p != nil {
			doc, err = nil, fmt.Errorf("%w: the parser failed: %v", ErrMalformed, p)
		}
	}()
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return nil, fmt.Errorf("%w: empty document", ErrNotSBOM)
	case trimmed[0] == '{':
		return parseJSON(data, opts)
	case trimmed[0] == '<':
		return parseCycloneDXXML(data, opts)
	case looksLikeTagValue(trimmed):
		return parseSPDXTagValue(data, opts)
	}
	return nil, fmt.Errorf("%w: neither JSON, XML nor SPDX tag-value", ErrNotSBOM)
}

// looksLikeTagValue reports whether the document starts, after comments, with
// an SPDX tag-value tag.
func looksLikeTagValue(data []byte) bool {
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		line = bytes.TrimSpace(line)
		data = rest
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		return bytes.HasPrefix(line, []byte("SPDXVersion:")) || bytes.HasPrefix(line, []byte("DataLicense:")) ||
			bytes.HasPrefix(line, []byte("SPDXID:")) || bytes.HasPrefix(line, []byte("DocumentName:"))
	}
	return false
}

// finish fills in what every reader computes the same way: the identity of
// each component, the unmatchable count, and the limits on components.
func (d *Document) finish(opts Options) error {
	if len(d.Components) > opts.MaxComponents {
		return fmt.Errorf("%w: %d components, the limit is %d", ErrTooLarge, len(d.Components), opts.MaxComponents)
	}
	if d.Product != nil {
		d.identify(d.Product)
		d.Product.Unmatchable = ""
		if d.Name == "" {
			d.Name = d.Product.Name
		}
	}
	d.Unmatchable = 0
	for i := range d.Components {
		d.identify(&d.Components[i])
		if d.Components[i].Unmatchable != "" {
			d.Unmatchable++
		}
	}
	return nil
}

// identify derives a component's package identity from its purl and CPE and
// decides whether it can be matched.
func (d *Document) identify(c *Component) {
	c.MatchVersion = c.Version
	purlProblem := ""
	if c.PURL != "" {
		norm, pkg, v, err := ParsePURL(c.PURL)
		if err != nil {
			purlProblem = err.Error()
			d.Warnings = append(d.Warnings, fmt.Sprintf("component %q: %v", c.display(), err))
			c.PURL = ""
		} else {
			c.PURL = norm
			c.Ecosystem, c.PackageName = pkg.Ecosystem, pkg.Name
			switch {
			case pkg.Ecosystem == "Go" && pkg.Name == "stdlib" && c.Version != "":
				c.MatchVersion = GoToolchainVersion(c.Version)
			case c.Version == "", v != "" && isDistribution(BaseEcosystem(pkg.Ecosystem)):
				// The purl's version is the one the ecosystem knows: a
				// distribution's epoch, or its source package version.
				c.MatchVersion = v
			}
		}
	}
	var cpe CPE
	if c.CPE != "" {
		var err error
		if cpe, err = ParseCPE(c.CPE); err != nil {
			d.Warnings = append(d.Warnings, fmt.Sprintf("component %q: %v", c.display(), err))
			c.CPE = ""
		} else if c.MatchVersion == "" && !cpe.AnyVersion() {
			c.MatchVersion = cpe.Version
		}
	}
	switch {
	case c.MatchVersion == "":
		c.Unmatchable = "no version"
	case c.PackageName != "", c.CPE != "":
	case purlProblem != "":
		c.Unmatchable = purlProblem
	case c.PURL != "":
		c.Unmatchable = "no advisory ecosystem for this purl type"
	default:
		c.Unmatchable = "no purl or cpe"
	}
}

// isDistribution reports whether a base ecosystem is a Linux distribution's,
// whose package versions carry an epoch or a source version.
func isDistribution(base string) bool {
	switch base {
	case "Debian", "Ubuntu", "Alpine", "Wolfi", "Chainguard", "Red Hat", "SUSE", "openSUSE",
		"AlmaLinux", "Rocky Linux", "openEuler", "Mageia":
		return true
	}
	return false
}

func (c *Component) display() string {
	if c.Version != "" {
		return c.Name + "@" + c.Version
	}
	return c.Name
}
