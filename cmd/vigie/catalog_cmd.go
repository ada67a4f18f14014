package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/vigie-cti/vigie/catalog"
)

const catalogUsage = `Usage: vigie catalog COMMAND --hub URL --key-file FILE [flags]

Commands:
  import  import a control catalog into the hub (operator key)
  list    list the hub's catalogs
  show    list a catalog's requirements and their mappings

Run "vigie catalog COMMAND --help" for the flags and examples of one command.
`

const catalogHelp = `Control catalogs are the requirements suppliers are held to. The hub
keeps them from their machine-readable forms, with their ids and their
mappings to other frameworks.

  vigie catalog import --hub URL --key-file OPERATOR.key security-baseline/baseline/
      The OpenSSF OSPS Baseline: a folder of its YAML files (or the files).
  vigie catalog import --hub URL --key-file OPERATOR.key nist_secure-software-development-framework_1.1.cdx.json
      Any CycloneDX 1.6+ document with definitions.standards (NIST SSDF 1.1).
  vigie catalog import --hub URL --key-file OPERATOR.key --builtin
      The catalogs written in vigie: the CRA's Annex I (cra-annex-i).
  vigie catalog list --hub URL --key-file FILE [--json]
  vigie catalog show --hub URL --key-file FILE [--json] osps-baseline`

// runCatalog runs the catalog commands.
func runCatalog(ctx context.Context, stdio Stdio, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(stdio.Err, catalogUsage)
		return &exitError{Code: 2}
	}
	verb := args[0]
	switch verb {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdio.Out, catalogUsage)
		return nil
	case "import", "list", "show":
	default:
		fmt.Fprintf(stdio.Err, "vigie catalog: unknown command %q\n\n%s", verb, catalogUsage)
		return &exitError{Code: 2}
	}
	var hf hubFlags
	fs := newFlagSet(stdio, "catalog "+verb, "vigie catalog "+verb+" --hub URL --key-file FILE ...", catalogHelp+"\n"+hubFlagsHelp)
	hf.register(fs)
	builtin := fs.Bool("builtin", false, "import the catalogs written in vigie (import)")
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
	case "import":
		if *builtin == (len(pos) > 0) {
			return usageError(fs, "want FILE or FOLDER arguments, or --builtin")
		}
		var sets []map[string][]byte
		if *builtin {
			if sets, err = builtinCatalogFiles(); err != nil {
				return err
			}
		} else {
			files, err := readCatalogFiles(pos)
			if err != nil {
				return err
			}
			sets = append(sets, files)
		}
		for _, files := range sets {
			recs, err := c.ImportCatalog(ctx, files)
			if err != nil {
				return err
			}
			if *asJSON {
				if err := printJSON(stdio, recs); err != nil {
					return err
				}
				continue
			}
			for _, r := range recs {
				fmt.Fprintf(stdio.Out, "imported catalog %s (%s %s): %d requirements\n", r.ID, r.Title, r.Version, r.Requirements)
			}
		}
	case "list":
		list, err := c.Catalogs(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(stdio, list)
		}
		tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CATALOG\tVERSION\tFORMAT\tREQUIREMENTS\tTITLE")
		for _, x := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", x.ID, x.Version, x.Format, x.Requirements, x.Title)
		}
		return tw.Flush()
	case "show":
		if len(pos) != 1 {
			return usageError(fs, "want one catalog id")
		}
		raw, err := c.Catalog(ctx, pos[0])
		if err != nil {
			return err
		}
		if *asJSON {
			_, err := fmt.Fprintf(stdio.Out, "%s\n", raw)
			return err
		}
		var cat catalog.Catalog
		if err := json.Unmarshal(raw, &cat); err != nil {
			return fmt.Errorf("catalog %s: %w", pos[0], err)
		}
		return printCatalog(stdio, &cat)
	}
	return nil
}

func printCatalog(stdio Stdio, c *catalog.Catalog) error {
	fmt.Fprintf(stdio.Out, "%s: %s %s (%d requirements)\n\n", c.ID, c.Title, c.Version, len(c.Requirements))
	tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REQUIREMENT\tLEVELS\tMAPPINGS\tTITLE")
	for _, r := range c.Requirements {
		var maps []string
		for _, m := range r.Mappings {
			maps = append(maps, m.Framework+":"+strings.Join(m.IDs, ","))
		}
		title := r.Title
		if title == "" {
			title = r.Text
		}
		if r := []rune(title); len(r) > 70 {
			title = string(r[:67]) + "..."
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, strings.Join(r.Levels, ","), strings.Join(maps, " "), strings.ReplaceAll(title, "\n", " "))
	}
	return tw.Flush()
}

// readCatalogFiles reads the named files, and the .yaml, .yml and .json
// files of the named folders, by base name.
func readCatalogFiles(paths []string) (map[string][]byte, error) {
	files := map[string][]byte{}
	add := func(p string) error {
		if len(files) >= catalog.MaxFiles {
			return fmt.Errorf("more than %d catalog files", catalog.MaxFiles)
		}
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		if st.Size() > catalog.MaxFileBytes {
			return fmt.Errorf("%s: %d bytes, at most %d", p, st.Size(), catalog.MaxFileBytes)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		name := filepath.Base(p)
		if _, dup := files[name]; dup {
			return fmt.Errorf("two files named %s", name)
		}
		files[name] = b
		return nil
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			if err := add(p); err != nil {
				return nil, err
			}
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			switch strings.ToLower(filepath.Ext(e.Name())) {
			case ".yaml", ".yml", ".json":
				if err := add(filepath.Join(p, e.Name())); err != nil {
					return nil, err
				}
			}
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no .yaml, .yml or .json file in %s", strings.Join(paths, " "))
	}
	return files, nil
}

// builtinCatalogFiles returns the catalog files embedded in vigie, one
// import each.
func builtinCatalogFiles() ([]map[string][]byte, error) {
	named, err := catalog.BuiltinFiles()
	if err != nil {
		return nil, err
	}
	var out []map[string][]byte
	for n, b := range named {
		out = append(out, map[string][]byte{n: b})
	}
	return out, nil
}
