package sbom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/tagvalue"
)

func parseSPDXJSON(data []byte, opts Options) (*Document, error) {
	var head struct {
		SPDXVersion string `json:"spdxVersion"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%w: spdx json: %w", ErrMalformed, err)
	}
	if err := checkSPDXVersion(head.SPDXVersion); err != nil {
		return nil, err
	}
	doc, err := spdxjson.Read(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: spdx json: %w", ErrMalformed, err)
	}
	return fromSPDX(doc, SPDXJSON, head.SPDXVersion, opts)
}

func parseSPDXTagValue(data []byte, opts Options) (*Document, error) {
	version := ""
	for _, line := range bytes.Split(data, []byte("\n")) {
		if v, ok := bytes.CutPrefix(bytes.TrimSpace(line), []byte("SPDXVersion:")); ok {
			version = string(bytes.TrimSpace(v))
			break
		}
	}
	if err := checkSPDXVersion(version); err != nil {
		return nil, err
	}
	doc, err := tagvalue.Read(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: spdx tag-value: %w", ErrMalformed, err)
	}
	return fromSPDX(doc, SPDXTagValue, version, opts)
}

func checkSPDXVersion(v string) error {
	switch v {
	case "SPDX-2.2", "SPDX-2.3":
		return nil
	case "":
		return fmt.Errorf("%w: SPDX document without SPDXVersion", ErrMalformed)
	}
	return fmt.Errorf("%w: %s (SPDX 2.2 and 2.3 are supported)", ErrUnsupported, v)
}

// fromSPDX converts a decoded SPDX document (2.2 documents are converted to
// the 2.3 model by the library).
func fromSPDX(doc *spdx.Document, format Format, version string, opts Options) (*Document, error) {
	d := &Document{
		Format:      format,
		SpecVersion: version,
		Serial:      doc.DocumentNamespace,
		Name:        doc.DocumentName,
	}
	if len(doc.Packages) > opts.MaxComponents {
		return nil, fmt.Errorf("%w: %d packages, the limit is %d", ErrTooLarge, len(doc.Packages), opts.MaxComponents)
	}
	edges := map[string][]string{}
	var described []string
	for _, r := range doc.Relationships {
		if r == nil {
			continue
		}
		a, b := spdxRef(r.RefA), spdxRef(r.RefB)
		if a == "" || b == "" {
			continue
		}
		switch strings.ToUpper(r.Relationship) {
		case "DESCRIBES":
			if a == "SPDXRef-DOCUMENT" {
				described = append(described, b)
			}
		case "DESCRIBED_BY":
			if b == "SPDXRef-DOCUMENT" {
				described = append(described, a)
			}
		case "DEPENDS_ON", "CONTAINS":
			edges[a] = append(edges[a], b)
		case "DEPENDENCY_OF", "CONTAINED_BY", "DEV_DEPENDENCY_OF", "BUILD_DEPENDENCY_OF",
			"RUNTIME_DEPENDENCY_OF", "OPTIONAL_DEPENDENCY_OF", "PROVIDED_DEPENDENCY_OF",
			"TEST_DEPENDENCY_OF":
			edges[b] = append(edges[b], a)
		}
	}
	productRef := ""
	if len(described) > 0 {
		productRef = described[0]
		edges[productRef] = append(edges[productRef], described[1:]...)
	}
	for _, p := range doc.Packages {
		if p == nil {
			continue
		}
		c := spdxComponent(p)
		if c.Ref == productRef && d.Product == nil {
			d.Product = &c
			continue
		}
		d.Components = append(d.Components, c)
	}
	markDependencies(d.Components, productRef, edges)
	if err := d.finish(opts); err != nil {
		return nil, err
	}
	return d, nil
}

func spdxRef(id spdx.DocElementID) string {
	if id.SpecialID != "" || id.ElementRefID == "" {
		return ""
	}
	ref := "SPDXRef-" + string(id.ElementRefID)
	if id.DocumentRefID != "" {
		ref = "DocumentRef-" + string(id.DocumentRefID) + ":" + ref
	}
	return ref
}

func spdxComponent(p *spdx.Package) Component {
	c := Component{
		Ref:     "SPDXRef-" + string(p.PackageSPDXIdentifier),
		Type:    strings.ToLower(strings.ReplaceAll(p.PrimaryPackagePurpose, "_", "-")),
		Name:    strings.TrimSpace(p.PackageName),
		Version: strings.TrimSpace(p.PackageVersion),
	}
	if c.Version == "NOASSERTION" || c.Version == "NONE" {
		c.Version = ""
	}
	if s := p.PackageSupplier; s != nil && s.Supplier != "NOASSERTION" {
		c.Supplier = s.Supplier
	}
	if len(p.PackageChecksums) > 0 {
		c.Hashes = make(map[string]string, len(p.PackageChecksums))
		for _, h := range p.PackageChecksums {
			c.Hashes[hashAlgorithm(string(h.Algorithm))] = strings.ToLower(strings.TrimSpace(h.Value))
		}
	}
	for _, ref := range p.PackageExternalReferences {
		if ref == nil {
			continue
		}
		cat := strings.ReplaceAll(strings.ToUpper(ref.Category), "_", "-")
		switch {
		case cat == "PACKAGE-MANAGER" && ref.RefType == "purl" && c.PURL == "":
			c.PURL = strings.TrimSpace(ref.Locator)
		case cat == "SECURITY" && (ref.RefType == "cpe23Type" || ref.RefType == "cpe22Type") && c.CPE == "":
			c.CPE = strings.TrimSpace(ref.Locator)
		}
	}
	return c
}

// hashAlgorithm writes SPDX algorithm names the CycloneDX way ("SHA256"
// becomes "SHA-256"), so that hashes read the same from both formats.
func hashAlgorithm(alg string) string {
	alg = strings.ToUpper(alg)
	if rest, ok := strings.CutPrefix(alg, "SHA"); ok && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
		return "SHA-" + rest
	}
	switch alg {
	case "BLAKE2B-256", "BLAKE2B-384", "BLAKE2B-512":
		return "BLAKE2b-" + alg[len("BLAKE2B-"):]
	}
	return alg
}
