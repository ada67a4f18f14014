package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/vigie-cti/vigie/advisory"
	"github.com/vigie-cti/vigie/exposure"
	"github.com/vigie-cti/vigie/sbom"
	"github.com/vigie-cti/vigie/vex"
)

const sbomUsage = `Usage: vigie sbom COMMAND [flags] [args]

Commands:
  check     check an SBOM against advisories, offline (no hub needed)
  upload    upload the SBOM of a product version to a hub, which warns you of every advisory affecting it
  findings  list the findings the hub keeps on your products
  vex       upload a VEX document about a product
  products  list your products on a hub

Run "vigie sbom COMMAND --help" for the flags and examples of one command.
`

// runSBOM runs "vigie sbom check" and "vigie sbom upload".
func runSBOM(ctx context.Context, stdio Stdio, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(stdio.Err, sbomUsage)
		return &exitError{Code: 2}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdio.Out, sbomUsage)
		return nil
	case "check":
		return runSBOMCheck(ctx, stdio, args[1:])
	case "upload", "findings", "vex", "products":
		return runSBOMHub(ctx, stdio, args[0], args[1:])
	}
	fmt.Fprintf(stdio.Err, "vigie sbom: unknown command %q\n\n%s", args[0], sbomUsage)
	return &exitError{Code: 2}
}

const sbomCheckHelp = `Check an SBOM against advisories, offline, and list its vulnerable and
malicious components. Malicious packages come first, then the findings by
severity.

SBOM is a CycloneDX file (JSON or XML, 1.2 to 1.6) or an SPDX file (2.2 or
2.3, JSON or tag-value), or "-" for standard input.

--advisories names an OSV record, a CSAF 2.0 document, a zip of them (such as
OSV's per-ecosystem all.zip) or a directory holding any of these; give it
several times to combine sources. Records that cannot be read are reported
and skipped; the others are used.

Advisory zips are indexed on first use (the packages each entry names, kept
in --cache-dir), so that later checks inflate only the entries that matter.

--vex applies a VEX document of the product's vendor (CycloneDX VEX, OpenVEX
or CSAF VEX), and may be given several times: not_affected and fixed
statements suppress findings, which stay listed with the justification;
under_investigation ones are shown as such.

Exit status: 0 when no finding is open, 1 when some are (affected or under
investigation), 2 on error.

Examples:
  vigie sbom check app.cdx.json --advisories osv/Go/all.zip
  vigie sbom check app.spdx.json --advisories osv/ --advisories rhsa.json \
      --vex vendor.openvex.json --format sarif > vigie.sarif`

// pathList is a flag that may be given several times, one path each time
// (paths may hold commas).
type pathList []string

func (p *pathList) String() string     { return strings.Join(*p, ",") }
func (p *pathList) Set(v string) error { *p = append(*p, v); return nil }

func runSBOMCheck(ctx context.Context, stdio Stdio, args []string) error {
	fs := newFlagSet(stdio, "vigie sbom check",
		"vigie sbom check SBOM --advisories PATH [--vex FILE] [--format table|json|sarif]", sbomCheckHelp)
	var advPaths, vexPaths pathList
	fs.Var(&advPaths, "advisories", "OSV or CSAF `PATH`: a file, a zip, or a directory (repeatable)")
	fs.Var(&vexPaths, "vex", "VEX `FILE`: CycloneDX VEX, OpenVEX or CSAF VEX (repeatable)")
	format := fs.String("format", "table", "output `FORMAT`: table, json or sarif")
	cacheDir := fs.String("cache-dir", defaultCacheDir(), "`DIR` for the index of the packages in advisory zips (\"\" for none)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) != 1:
		fs.Usage()
		return fmt.Errorf("want exactly one SBOM, got %d arguments", len(pos))
	case len(advPaths) == 0:
		fs.Usage()
		return errors.New("--advisories is required")
	case *format != "table" && *format != "json" && *format != "sarif":
		return fmt.Errorf("--format %q: want table, json or sarif", *format)
	}
	doc, err := readSBOMArg(stdio, pos[0])
	if err != nil {
		return err
	}
	for i, w := range doc.Warnings {
		if i == 10 {
			fmt.Fprintf(stdio.Err, "warning: %d more SBOM warnings\n", len(doc.Warnings)-i)
			break
		}
		fmt.Fprintf(stdio.Err, "warning: %s\n", w)
	}
	var statements []vex.Statement
	for _, p := range vexPaths {
		d, err := readVEX(p)
		if err != nil {
			return err
		}
		statements = append(statements, d.Statements...)
	}
	advs, readErrs, err := loadAdvisories(ctx, stdio, advPaths, exposure.PackageFilter(doc), *cacheDir)
	if err != nil {
		return err
	}
	ix := exposure.NewIndex()
	ix.AddAdvisories(advs)
	id := pos[0]
	ix.AddSBOM(exposure.SBOMRef{ID: id}, doc)
	ix.SetVEX(id, statements)
	report, _ := ix.Report(id)
	report.Source, report.Format, report.SpecVersion = pos[0], string(doc.Format), doc.SpecVersion
	report.ToolName, report.ToolVersion = "vigie", buildVersion()
	report.AdvisoryErrors = readErrs
	report.Unmatched = exposure.UnmatchedOf(doc)
	switch *format {
	case "json":
		err = exposure.WriteJSON(stdio.Out, report)
	case "sarif":
		err = exposure.WriteSARIF(stdio.Out, report)
	default:
		err = exposure.WriteTable(stdio.Out, report)
	}
	if err != nil {
		return err
	}
	if exposure.Count(report.Findings).Open() > 0 {
		return &exitError{Code: 1}
	}
	return nil
}

func readSBOMArg(stdio Stdio, path string) (*sbom.Document, error) {
	var r io.Reader
	if path == "-" {
		r = stdio.In
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err // "open PATH: ..."
		}
		defer f.Close()
		r = f
	}
	doc, err := sbom.Read(r, sbom.Options{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return doc, nil
}

// loadAdvisories reads every --advisories path, reporting on stderr the
// records that could not be read, and a progress line when stderr is a
// terminal.
func loadAdvisories(ctx context.Context, stdio Stdio, paths []string, wants func(string, string) bool, indexDir string) ([]advisory.Advisory, int, error) {
	progress := isTerminal(stdio.Err)
	var all []advisory.Advisory
	var errs []advisory.RecordError
	docs := 0
	for _, p := range paths {
		opts := advisory.LoadOptions{Wants: wants, IndexDir: indexDir}
		if progress {
			opts.Progress = func(n int) { fmt.Fprintf(stdio.Err, "\rreading advisories: %d documents", docs+n) }
		}
		b, err := advisory.Load(ctx, p, opts)
		if err != nil {
			return nil, 0, err
		}
		docs += b.Documents
		all = append(all, b.Advisories...)
		errs = append(errs, b.Errors...)
		for _, w := range b.Warnings {
			fmt.Fprintf(stdio.Err, "warning: %s\n", w)
		}
	}
	if progress {
		fmt.Fprintf(stdio.Err, "\rreading advisories: %d documents, %d relevant\n", docs, len(all))
	}
	for i, e := range errs {
		if i == 5 {
			fmt.Fprintf(stdio.Err, "advisories: %d more records could not be read\n", len(errs)-i)
			break
		}
		fmt.Fprintf(stdio.Err, "advisories: skipped %v\n", e)
	}
	if docs > 0 && docs == len(errs) {
		return nil, 0, fmt.Errorf("no advisory could be read from %s", strings.Join(paths, ", "))
	}
	if docs == 0 {
		return nil, 0, fmt.Errorf("no advisory found in %s (want OSV or CSAF .json files, or zips of them)", strings.Join(paths, ", "))
	}
	return all, len(errs), nil
}

func readVEX(path string) (*vex.Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("vex: %w", err)
	}
	defer f.Close()
	d, err := vex.Read(f, vex.Options{})
	if err != nil {
		return nil, fmt.Errorf("vex %s: %w", path, err)
	}
	return d, nil
}

// defaultCacheDir is where "sbom check" keeps the index of advisory zips:
// the user's cache directory, or none when there is no such directory.
func defaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "vigie", "advisory-index")
}

// isTerminal reports whether w is a terminal, for progress output.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
