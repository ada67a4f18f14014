package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/vigie-cti/vigie/api"
	"github.com/vigie-cti/vigie/client"
)

const supplierUsage = `Usage: vigie supplier COMMAND --hub URL --key-file FILE [flags]

Commands:
  add     record a supplier of your organisation (private to it)
  list    list your supplier records
  link    link one of your product versions to a supplier
  show    show who supplies a product version and its components
  attest  publish an attestation about one of your product versions
  answer  publish your answers to a catalog's requirements (a questionnaire file)
  report  a product version's posture against a catalog: PASS, FAIL, UNKNOWN per requirement
  verify  read an attestation and check its signatures, offline (no hub needed)

Run "vigie supplier COMMAND --help" for the flags and examples of one command.
`

const supplierHelp = `Keep your organisation's suppliers and see who supplies your products.
Supplier records are private to your organisation; a supplier need not be
a member of the hub.

  vigie supplier add --hub URL --key-file FILE --name "Apache Software Foundation" \
      --url https://apache.org --purl pkg:maven/org.apache.logging.log4j/ --cpe cpe:2.3:a:apache:
      Record a supplier; components whose package URL or CPE starts with a
      prefix are its products. --member ORG says it is that organisation of
      the hub; --trust KEY.pem (repeatable) the keys or certificates you
      trust for its signed attestations (reports check them).
  vigie supplier list --hub URL --key-file FILE [--json]
  vigie supplier link --hub URL --key-file FILE --product gateway@2.0 --supplier "Proton"
  vigie supplier show --hub URL --key-file FILE --product gateway@2.0 [--json]
      The product's supplier (linked, given at "sbom upload --supplier", or
      named in the SBOM) and the suppliers of its components (your records'
      prefixes first, then the SBOM's supplier fields).
  vigie supplier attest --hub URL --key-file FILE --product gateway@2.0 --repo https://github.com/acme/gateway \
      [--root R --collection ID --tlp AMBER] results.json
      Publish what you attest about your own product version: an OpenSSF
      Scorecard result (--repo required: it must be about that repository),
      SLSA provenance or a verification summary (a DSSE envelope or Sigstore
      bundle), or a CycloneDX attestation. It is shared as an
      x-vigie-attestation STIX object, private unless --collection and --tlp
      share it. Expired attestations and results for another repository are
      refused.
  vigie supplier answer --hub URL --key-file FILE --product gateway@2.0 answers.yaml
      For what cannot be observed: answer a catalog's requirements once,
      with evidence links and an expiry, in a file such as
        format: vigie-questionnaire/1
        catalog: cra-annex-i
        supplier: Acme Corp
        expires: 2027-06-30T00:00:00Z
        answers:
          - {requirement: CRA-II-5, answer: yes, evidence: [https://acme.example/security]}
          - {requirement: CRA-I-2(m), answer: partial, rationale: "..."}
      The answers are published as a CycloneDX attestation (like attest).
  vigie supplier report --hub URL --key-file FILE --product gateway@2.0 --catalog cra-annex-i [--format table|json|html]
      Each requirement of the catalog as PASS, FAIL or UNKNOWN, with its
      evidence: the claims of the supplier's CycloneDX attestations you may
      read, and the facts the hub observes (SBOM, provenance, open
      vulnerabilities, Scorecard checks), flagged where they disagree. The
      HTML is one self-contained page. Exit 1 when a requirement fails.
      With --supplier NAME instead of --product: the roll-up over your
      products linked to that supplier (table or json).
  vigie supplier verify [--trust KEY.pem] [--json] provenance.intoto.jsonl
      Read an attestation and check its DSSE signatures against the public
      keys or certificates of --trust (repeatable); without one it is
      reported unverified. Exit 1 when a signature fails.`

// runSupplier runs the supplier commands.
func runSupplier(ctx context.Context, stdio Stdio, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(stdio.Err, supplierUsage)
		return &exitError{Code: 2}
	}
	verb := args[0]
	switch verb {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdio.Out, supplierUsage)
		return nil
	case "add", "list", "link", "show", "attest", "answer", "report":
	case "verify":
		return runSupplierVerify(stdio, args[1:])
	default:
		fmt.Fprintf(stdio.Err, "vigie supplier: unknown command %q\n\n%s", verb, supplierUsage)
		return &exitError{Code: 2}
	}
	var hf hubFlags
	fs := newFlagSet(stdio, "supplier "+verb, "vigie supplier "+verb+" --hub URL --key-file FILE ...", supplierHelp+"\n"+hubFlagsHelp)
	hf.register(fs)
	name := fs.String("name", "", "the supplier's name (add)")
	url := fs.String("url", "", "the supplier's web site (add)")
	memberOrg := fs.String("member", "", "the supplier's organisation on the hub, if it is a member (add)")
	var purls, cpes listFlag
	fs.Var(&purls, "purl", "package URL prefix of the supplier's products, repeatable (add)")
	fs.Var(&cpes, "cpe", "CPE 2.3 prefix of the supplier's products, repeatable (add)")
	var trust listFlag
	fs.Var(&trust, "trust", "PEM public key or certificate you trust for the supplier's signed attestations, repeatable (add)")
	product := fs.String("product", "", "the product version, NAME@VERSION (link, show)")
	supplier := fs.String("supplier", "", "the supplier record, name or id (link, report)")
	root := fs.String("root", "", "API root of --collection (show)")
	collection := fs.String("collection", "", "where the product's SBOM was shared, if not your private collection (show)")
	repo := fs.String("repo", "", "the product's source repository (attest)")
	tlp := fs.String("tlp", "", "TLP marking: CLEAR, GREEN, AMBER, AMBER+STRICT, RED (attest)")
	catalogID := fs.String("catalog", "", "the catalog to report against (report)")
	format := fs.String("format", "table", "report output: table, json or html")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	c, err := hf.apiClient(stdio.In)
	if err != nil {
		return err
	}
	switch verb {
	case "add":
		if *name == "" {
			return usageError(fs, "want --name")
		}
		var keys []byte
		for _, path := range trust {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			keys = append(keys, b...)
		}
		sp, err := c.AddSupplier(ctx, api.Supplier{Name: *name, URL: *url, MemberOrg: *memberOrg, PURLPrefixes: purls, CPEPrefixes: cpes, Keys: string(keys)})
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(stdio, sp)
		}
		fmt.Fprintf(stdio.Out, "recorded supplier %s (%s)\n", sp.Name, sp.ID)
	case "list":
		list, err := c.Suppliers(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(stdio, list)
		}
		tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SUPPLIER\tURL\tMEMBER\tPREFIXES\tID")
		for _, s := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Name, s.URL, s.MemberOrg, strings.Join(append(append([]string{}, s.PURLPrefixes...), s.CPEPrefixes...), " "), s.ID)
		}
		return tw.Flush()
	case "link":
		if *product == "" || *supplier == "" {
			return usageError(fs, "want --product NAME@VERSION and --supplier NAME")
		}
		if err := c.LinkSupplier(ctx, *product, *supplier); err != nil {
			return err
		}
		fmt.Fprintf(stdio.Out, "linked %s to supplier %s\n", *product, *supplier)
	case "attest", "answer":
		if *product == "" || len(pos) != 1 {
			return usageError(fs, "want --product NAME@VERSION and one FILE")
		}
		data, err := os.ReadFile(pos[0])
		if err != nil {
			return err
		}
		sh := client.Share{Root: *root, Collection: *collection, TLP: *tlp}
		var up *api.AttestationUpload
		if verb == "attest" {
			up, err = c.PublishAttestation(ctx, *product, *repo, data, sh)
		} else {
			up, err = c.PublishQuestionnaire(ctx, *product, data, sh)
		}
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(stdio, up)
		}
		fmt.Fprintf(stdio.Out, "published %s for %s: %s (%s)\n", up.Kind, up.Product, up.Title, up.ID)
		if up.Verification != "" {
			fmt.Fprintf(stdio.Out, "signatures: %s (%s)\n", up.Verification, up.Reason)
		}
		for _, w := range up.Warnings {
			fmt.Fprintf(stdio.Err, "warning: %s\n", w)
		}
	case "report":
		if *asJSON {
			*format = "json"
		}
		if *product == "" && *supplier != "" && *catalogID != "" {
			raw, err := c.SupplierPosture(ctx, *supplier, *catalogID)
			if err != nil {
				return err
			}
			return printRollUp(stdio, raw, *format)
		}
		if *product == "" || *catalogID == "" {
			return usageError(fs, "want --product NAME@VERSION (or --supplier NAME) and --catalog ID")
		}
		raw, err := c.Posture(ctx, *product, *catalogID, client.Share{Root: *root, Collection: *collection})
		if err != nil {
			return err
		}
		return printPosture(stdio, raw, *format)
	case "show":
		if *product == "" {
			return usageError(fs, "want --product NAME@VERSION")
		}
		ps, err := c.ProductSuppliers(ctx, *product, client.Share{Root: *root, Collection: *collection})
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(stdio, ps)
		}
		return printProductSuppliers(stdio, ps)
	}
	return nil
}

func printProductSuppliers(stdio Stdio, ps *api.ProductSuppliers) error {
	if ps.Supplier != nil {
		fmt.Fprintf(stdio.Out, "%s is supplied by %s (from %s)\n\n", ps.Product, ps.Supplier.Name, ps.Supplier.Source)
	} else {
		fmt.Fprintf(stdio.Out, "%s has no known supplier (vigie supplier link)\n\n", ps.Product)
	}
	tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COMPONENT SUPPLIER\tFROM\tCOMPONENTS\tEXAMPLES")
	for _, cs := range ps.Components {
		ex := cs.Examples
		if len(ex) > 2 {
			ex = append(ex[:2:2], "...")
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", cs.Name, cs.Source, cs.Components, strings.Join(ex, " "))
	}
	if ps.Unattributed > 0 {
		fmt.Fprintf(tw, "(none found)\t\t%d\t\n", ps.Unattributed)
	}
	return tw.Flush()
}
