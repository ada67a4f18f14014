// Command gen writes the inputs of the "vigie sbom check" benchmark: OSV
// advisories as per-ecosystem all.zip files, laid out as osv-scanner's
// offline mode reads them (DIR/osv/osv-scalibr/<Ecosystem>/all.zip), and a
// CycloneDX SBOM (DIR/bom.cdx.json). See ../README.md.
//
// The Go advisories are the real ones of the Go vulnerability database,
// cloned with renamed modules (clone k names "example.com/clone<k>/<module>"
// and suffixes ids and aliases with "-c<k>"; clone 0 is the original); the
// npm, PyPI and Maven ones, 2% of them malicious-package records, are
// synthetic. The SBOM mixes packages that advisories name, at vulnerable and
// safe versions, with packages no advisory names.
package main

import (
	"archive/zip"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vigie-cti/vigie/bench/sbom/synth"
)

func main() {
	govulndb := flag.String("govulndb", "../../../shared/testdata/osv/golang-vulndb/data/osv", "directory of the real Go OSV records")
	out := flag.String("out", "data", "output directory")
	total := flag.Int("advisories", 100_000, "number of advisories")
	components := flag.Int("components", 1000, "number of SBOM components")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := run(*govulndb, *out, *total, *components, *seed); err != nil {
		log.Fatal(err)
	}
}

type zipSet struct {
	dir     string
	writers map[string]*zip.Writer
	files   map[string]*os.File
	counts  map[string]int
}

func (z *zipSet) add(eco, id string, data []byte) error {
	w, ok := z.writers[eco]
	if !ok {
		dir := filepath.Join(z.dir, "osv-scalibr", eco)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		f, err := os.Create(filepath.Join(dir, "all.zip"))
		if err != nil {
			return err
		}
		w = zip.NewWriter(f)
		z.writers[eco], z.files[eco] = w, f
	}
	e, err := w.Create(id + ".json")
	if err != nil {
		return err
	}
	z.counts[eco]++
	_, err = e.Write(data)
	return err
}

func (z *zipSet) close() error {
	for eco, w := range z.writers {
		if err := w.Close(); err != nil {
			return err
		}
		if err := z.files[eco].Close(); err != nil {
			return err
		}
	}
	return nil
}

func run(govulndb, out string, total, components int, seed uint64) error {
	r := synth.NewRand(seed)
	files, err := filepath.Glob(filepath.Join(govulndb, "*.json"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no Go advisories in %s: %v", govulndb, err)
	}
	sort.Strings(files)
	var goRecords []map[string]any
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var rec map[string]any
		if err := json.Unmarshal(data, &rec); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		goRecords = append(goRecords, rec)
	}
	zs := &zipSet{dir: filepath.Join(out, "osv"), writers: map[string]*zip.Writer{}, files: map[string]*os.File{}, counts: map[string]int{}}

	// Go: about 43% of the advisories, whole clones of the database.
	clones := max(1, (total*43/100+len(goRecords)-1)/len(goRecords))
	goModules := map[string]bool{}
	for k := range clones {
		for _, rec := range goRecords {
			data, id, modules := cloneGo(rec, k)
			if err := zs.add("Go", id, data); err != nil {
				return err
			}
			if k < 2 {
				for _, m := range modules {
					goModules[m] = true
				}
			}
		}
	}
	// npm, PyPI and Maven share the rest.
	ecos := []string{"npm", "PyPI", "Maven"}
	rest := total - zs.counts["Go"]
	universe := max(10, rest/len(ecos)/2)
	named := map[string]map[int]bool{}
	var malicious []synth.Package
	for i := range rest {
		eco := ecos[i%len(ecos)]
		if named[eco] == nil {
			named[eco] = map[int]bool{}
		}
		pkg := r.IntN(universe)
		named[eco][pkg] = true
		name := synth.Name(eco, pkg)
		var data []byte
		id := fmt.Sprintf("BENCH-%s-%06d", strings.ToUpper(eco), i)
		if i%50 == 0 {
			id = fmt.Sprintf("MAL-2026-%06d", i)
			data = synth.Malicious(id, eco, name, []string{"9.9.9", "9.9.10"})
			if len(malicious) < 5 {
				malicious = append(malicious, synth.Package{Ecosystem: eco, Name: name, Version: "9.9.9"})
			}
		} else {
			data = synth.Advisory(id, fmt.Sprintf("CVE-2026-%06d", i), eco, name, r)
		}
		if err := zs.add(eco, id, data); err != nil {
			return err
		}
	}
	if err := zs.close(); err != nil {
		return err
	}

	// The SBOM: five malicious package versions, then 40% Go modules and
	// 20% each of npm, PyPI, Maven; about half of the packages are named by
	// advisories.
	var pkgs []synth.Package
	mods := make([]string, 0, len(goModules))
	for m := range goModules {
		mods = append(mods, m)
	}
	sort.Strings(mods)
	seen := map[string]bool{}
	add := func(p synth.Package) {
		if key := p.Ecosystem + "/" + p.Name; !seen[key] {
			seen[key] = true
			pkgs = append(pkgs, p)
		}
	}
	for _, p := range malicious {
		add(p)
	}
	for len(pkgs) < components*4/10 {
		if r.IntN(2) == 0 && len(mods) > 0 {
			add(synth.Package{Ecosystem: "Go", Name: mods[r.IntN(len(mods))], Version: "v" + synth.SemVer(r)})
		} else {
			add(synth.Package{Ecosystem: "Go", Name: synth.Name("Go", r.IntN(1_000_000)), Version: "v" + synth.SemVer(r)})
		}
	}
	for i := 0; len(pkgs) < components; i++ {
		eco := ecos[i%len(ecos)]
		n := universe + r.IntN(1_000_000) // no advisory
		if r.IntN(2) == 0 {
			n = r.IntN(universe)
		}
		add(synth.Package{Ecosystem: eco, Name: synth.Name(eco, n), Version: synth.SemVer(r)})
	}
	bom := synth.CycloneDX("bench-product", "1.0.0", pkgs, r)
	if err := os.WriteFile(filepath.Join(out, "bom.cdx.json"), bom, 0o644); err != nil {
		return err
	}
	fmt.Printf("advisories: %v (%d in all); SBOM: %d components, %d bytes\n", zs.counts, total, len(pkgs), len(bom))
	return nil
}

// cloneGo renames a Go record for clone k and returns it with its id and
// the modules it names.
func cloneGo(rec map[string]any, k int) ([]byte, string, []string) {
	cp := map[string]any{}
	for key, v := range rec {
		cp[key] = v
	}
	id, _ := rec["id"].(string)
	var modules []string
	if k > 0 {
		suffix := fmt.Sprintf("-c%d", k)
		id += suffix
		cp["id"] = id
		if aliases, ok := rec["aliases"].([]any); ok {
			var out []any
			for _, a := range aliases {
				out = append(out, fmt.Sprint(a)+suffix)
			}
			cp["aliases"] = out
		}
	}
	if affected, ok := rec["affected"].([]any); ok {
		var out []any
		for _, a := range affected {
			am, _ := a.(map[string]any)
			acp := map[string]any{}
			for key, v := range am {
				acp[key] = v
			}
			if p, ok := am["package"].(map[string]any); ok {
				name, _ := p["name"].(string)
				if k > 0 {
					name = fmt.Sprintf("example.com/clone%d/%s", k, name)
				}
				acp["package"] = map[string]any{"ecosystem": "Go", "name": name}
				if name != "stdlib" && name != "toolchain" {
					modules = append(modules, name)
				}
			}
			out = append(out, acp)
		}
		cp["affected"] = out
	}
	data, err := json.Marshal(cp)
	if err != nil {
		panic(err)
	}
	return data, id, modules
}
