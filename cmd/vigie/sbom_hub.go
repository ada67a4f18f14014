package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/vigie-cti/vigie/client"
	"github.com/vigie-cti/vigie/exposure"
)

const sbomHubHelp = `Work with the SBOMs of your organisation's products on a hub.

  vigie sbom upload --hub URL --key-file FILE --product NAME@VERSION [--supplier S] FILE
      Upload the SBOM (CycloneDX JSON/XML, SPDX JSON/tag-value) of a product
      version; the product is registered if new. The SBOM is private to your
      organisation unless --root/--collection (and --tlp) share it. The hub
      matches it against every advisory you may read at once, and again each
      time an advisory arrives; then it prints the findings (--wait).
  vigie sbom findings --hub URL --key-file FILE [--product NAME@VERSION] [--format table|json|sarif]
  vigie sbom vex --hub URL --key-file FILE --product NAME@VERSION FILE
      Upload a VEX document (CycloneDX, OpenVEX, CSAF) about the product:
      not_affected and fixed suppress findings (kept, with the justification).
  vigie sbom products --hub URL --key-file FILE [--json]`

// runSBOMHub runs the sbom commands that talk to a hub.
func runSBOMHub(ctx context.Context, stdio Stdio, verb string, args []string) error {
	var hf hubFlags
	fs := newFlagSet(stdio, "sbom "+verb, "vigie sbom "+verb+" --hub URL --key-file FILE ...", sbomHubHelp+"\n"+hubFlagsHelp)
	hf.register(fs)
	product := fs.String("product", "", "the product version, NAME@VERSION")
	supplier := fs.String("supplier", "", "the product's supplier (upload)")
	root := fs.String("root", "", "API root of --collection")
	collection := fs.String("collection", "", "share in this collection instead of your private one (upload, vex)")
	tlp := fs.String("tlp", "", "TLP marking: CLEAR, GREEN, AMBER, AMBER+STRICT (upload, vex; not RED: an upload names no recipients)")
	format := fs.String("format", "table", "findings output: table, json or sarif")
	wait := fs.Duration("wait", 3*time.Second, "after an upload, wait this long for the findings (0: do not)")
	asJSON := fs.Bool("json", false, "print JSON (products)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	c, err := hf.apiClient(stdio.In)
	if err != nil {
		return err
	}
	sh := client.Share{Root: *root, Collection: *collection, TLP: *tlp}
	switch verb {
	case "upload":
		if *product == "" || len(pos) != 1 {
			return usageError(fs, "want --product NAME@VERSION and one SBOM FILE")
		}
		data, err := os.ReadFile(pos[0])
		if err != nil {
			return err
		}
		up, err := c.UploadSBOM(ctx, *product, *supplier, data, sh)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdio.Out, "uploaded %s: %s %s, %d components (%d unmatchable), SBOM %s\n", up.Product, up.Format, up.SpecVersion, up.Components, up.Unmatchable, up.SBOMID)
		for _, w := range up.Warnings {
			fmt.Fprintf(stdio.Err, "warning: %s\n", w)
		}
		if *wait <= 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(*wait):
		}
		return printFindings(ctx, stdio, c, *product, *format)
	case "findings":
		return printFindings(ctx, stdio, c, *product, *format)
	case "vex":
		if *product == "" || len(pos) != 1 {
			return usageError(fs, "want --product NAME@VERSION and one VEX FILE")
		}
		data, err := os.ReadFile(pos[0])
		if err != nil {
			return err
		}
		n, err := c.UploadVEX(ctx, *product, data, sh)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdio.Out, "uploaded %d VEX statements for %s\n", n, *product)
	case "products":
		ps, err := c.Products(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(stdio, ps)
		}
		tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PRODUCT\tSUPPLIER\tSBOM\tID")
		for _, p := range ps {
			fmt.Fprintf(tw, "%s@%s\t%s\t%s\t%s\n", p.Name, p.Version, p.Supplier, p.SBOMID, p.ID)
		}
		return tw.Flush()
	}
	return nil
}

// printFindings prints the hub's findings as "vigie sbom check" prints its
// own, and exits 1 when some are open.
func printFindings(ctx context.Context, stdio Stdio, c *client.Client, product, format string) error {
	fs, err := c.Findings(ctx, product)
	if err != nil {
		return err
	}
	r := &exposure.Report{Source: product, ToolName: "vigie", ToolVersion: buildVersion()}
	for _, f := range fs {
		var ef exposure.Finding
		if err := json.Unmarshal(f.Doc, &ef); err != nil {
			return fmt.Errorf("finding %s: %w", f.Key, err)
		}
		r.Findings = append(r.Findings, ef)
	}
	switch format {
	case "json":
		err = exposure.WriteJSON(stdio.Out, r)
	case "sarif":
		err = exposure.WriteSARIF(stdio.Out, r)
	case "table":
		err = exposure.WriteTable(stdio.Out, r)
	default:
		return fmt.Errorf("--format %q: want table, json or sarif", format)
	}
	if err != nil {
		return err
	}
	if exposure.Count(r.Findings).Open() > 0 {
		return &exitError{Code: 1}
	}
	return nil
}
