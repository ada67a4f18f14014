package sbom

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// parseJSON tells CycloneDX JSON from SPDX JSON and reads it.
func parseJSON(data []byte, opts Options) (*Document, error) {
	isSPDX := bytes.Contains(data, []byte(`"spdxVersion"`))
	if bytes.Contains(data, []byte(`"bomFormat"`)) {
		doc, err := parseCycloneDXJSON(data, opts)
		if err == nil || !isSPDX || !errors.Is(err, ErrNotSBOM) {
			return doc, err
		}
		// "bomFormat" was only text inside an SPDX document.
	}
	if isSPDX {
		return parseSPDXJSON(data, opts)
	}
	var sniff struct {
		Context  string          `json:"@context"`
		Document json.RawMessage `json:"document"`
	}
	if err := json.Unmarshal(data, &sniff); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	switch {
	case strings.Contains(sniff.Context, "openvex"):
		return nil, fmt.Errorf("%w: an OpenVEX document (give it with --vex)", ErrNotSBOM)
	case bytes.Contains(sniff.Document, []byte(`"csaf_version"`)):
		return nil, fmt.Errorf("%w: a CSAF document", ErrNotSBOM)
	}
	return nil, fmt.Errorf("%w: JSON without bomFormat or spdxVersion", ErrNotSBOM)
}

func parseCycloneDXJSON(data []byte, opts Options) (*Document, error) {
	var bom cdx.BOM
	if err := json.Unmarshal(data, &bom); err != nil {
		if errors.Is(err, cdx.ErrInvalidSpecVersion) {
			return nil, fmt.Errorf("%w: cyclonedx: %w", ErrUnsupported, err)
		}
		return nil, fmt.Errorf("%w: cyclonedx json: %w", ErrMalformed, err)
	}
	if bom.BOMFormat != "CycloneDX" {
		return nil, fmt.Errorf("%w: bomFormat is %q, not CycloneDX", ErrNotSBOM, bom.BOMFormat)
	}
	if bom.SpecVersion == 0 {
		return nil, fmt.Errorf("%w: cyclonedx json without specVersion", ErrMalformed)
	}
	return fromCycloneDX(&bom, CycloneDXJSON, opts)
}

func parseCycloneDXXML(data []byte, opts Options) (*Document, error) {
	if err := checkXML(data, opts.MaxDepth); err != nil {
		return nil, err
	}
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatXML).Decode(&bom); err != nil {
		return nil, fmt.Errorf("%w: cyclonedx xml: %w", ErrMalformed, err)
	}
	if bom.SpecVersion == 0 {
		return nil, fmt.Errorf("%w: XML namespace %q is not a CycloneDX namespace", ErrUnsupported, bom.XMLNS)
	}
	return fromCycloneDX(&bom, CycloneDXXML, opts)
}

// checkXML walks the XML tokens once to refuse what is not a CycloneDX BOM,
// documents nested deeper than maxDepth, and truncated documents, before the
// full decoding.
func checkXML(data []byte, maxDepth int) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	depth, root := 0, ""
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: xml: %w", ErrMalformed, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = t.Name.Local
				switch root {
				case "bom":
				case "RDF":
					return fmt.Errorf("%w: SPDX RDF/XML is not supported, use SPDX JSON or tag-value", ErrUnsupported)
				default:
					return fmt.Errorf("%w: XML root element <%s>, not a CycloneDX <bom>", ErrNotSBOM, root)
				}
			}
			depth++
			if depth > maxDepth {
				return fmt.Errorf("%w: XML nested deeper than %d elements", ErrTooLarge, maxDepth)
			}
		case xml.EndElement:
			depth--
		case xml.Directive:
			// A DTD could declare entities; CycloneDX never has one.
			return fmt.Errorf("%w: XML with a DTD or entity declaration", ErrMalformed)
		}
	}
	if root == "" {
		return fmt.Errorf("%w: XML without a root element", ErrNotSBOM)
	}
	if depth != 0 {
		return fmt.Errorf("%w: xml: unexpected end of document (truncated?)", ErrMalformed)
	}
	return nil
}

// fromCycloneDX converts a decoded BOM.
func fromCycloneDX(bom *cdx.BOM, format Format, opts Options) (*Document, error) {
	d := &Document{
		Format:      format,
		SpecVersion: bom.SpecVersion.String(),
		Serial:      bom.SerialNumber,
		Version:     bom.Version,
	}
	rootRef := ""
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		p := cdxComponent(bom.Metadata.Component)
		d.Product = &p
		rootRef = p.Ref
		if p.Supplier == "" {
			if s := bom.Metadata.Supplier; s != nil {
				d.Product.Supplier = s.Name
			} else if m := bom.Metadata.Manufacture; m != nil {
				d.Product.Supplier = m.Name
			}
		}
	}
	if bom.Components != nil {
		if err := d.addCDXComponents(*bom.Components, 1, opts); err != nil {
			return nil, err
		}
	}
	edges := map[string][]string{}
	if bom.Dependencies != nil {
		for _, dep := range *bom.Dependencies {
			if dep.Dependencies != nil {
				edges[dep.Ref] = append(edges[dep.Ref], *dep.Dependencies...)
			} else if _, ok := edges[dep.Ref]; !ok {
				edges[dep.Ref] = nil
			}
		}
	}
	markDependencies(d.Components, rootRef, edges)
	if err := d.finish(opts); err != nil {
		return nil, err
	}
	return d, nil
}

// addCDXComponents flattens nested components into d.Components.
func (d *Document) addCDXComponents(cs []cdx.Component, depth int, opts Options) error {
	if depth > opts.MaxDepth {
		return fmt.Errorf("%w: components nested deeper than %d", ErrTooLarge, opts.MaxDepth)
	}
	for i := range cs {
		if len(d.Components) >= opts.MaxComponents {
			return fmt.Errorf("%w: more than %d components", ErrTooLarge, opts.MaxComponents)
		}
		d.Components = append(d.Components, cdxComponent(&cs[i]))
		if cs[i].Components != nil {
			if err := d.addCDXComponents(*cs[i].Components, depth+1, opts); err != nil {
				return err
			}
		}
	}
	return nil
}

func cdxComponent(c *cdx.Component) Component {
	out := Component{
		Ref:     c.BOMRef,
		Type:    string(c.Type),
		Name:    strings.TrimSpace(c.Name),
		Group:   strings.TrimSpace(c.Group),
		Version: strings.TrimSpace(c.Version),
		PURL:    strings.TrimSpace(c.PackageURL),
		CPE:     strings.TrimSpace(c.CPE),
	}
	switch {
	case c.Supplier != nil && c.Supplier.Name != "":
		out.Supplier = c.Supplier.Name
	case c.Manufacturer != nil && c.Manufacturer.Name != "":
		out.Supplier = c.Manufacturer.Name
	default:
		out.Supplier = c.Publisher
	}
	if c.Hashes != nil && len(*c.Hashes) > 0 {
		out.Hashes = make(map[string]string, len(*c.Hashes))
		for _, h := range *c.Hashes {
			out.Hashes[string(h.Algorithm)] = strings.ToLower(strings.TrimSpace(h.Value))
		}
	}
	return out
}
