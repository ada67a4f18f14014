package catalog

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

//go:embed catalogs/*.yaml
var builtin embed.FS

// BuiltinFiles returns the catalog files written in this repository (the
// CRA's Annex I), by base name.
func BuiltinFiles() (map[string][]byte, error) {
	names, err := fs.Glob(builtin, "catalogs/*.yaml")
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, n := range names {
		b, err := builtin.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out[path.Base(n)] = b
	}
	return out, nil
}

// Builtin returns the catalogs written in this repository, parsed, by id.
func Builtin() ([]*Catalog, error) {
	files, err := BuiltinFiles()
	if err != nil {
		return nil, err
	}
	var out []*Catalog
	for n, b := range files {
		cs, err := Parse(map[string][]byte{n: b})
		if err != nil {
			return nil, fmt.Errorf("builtin %s: %w", n, err)
		}
		out = append(out, cs...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
