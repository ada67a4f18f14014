package catalog

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed catalogs/*.yaml
var builtin embed.FS

// Builtin returns the catalogs written in this repository (the CRA's
// Annex I), parsed.
func Builtin() ([]*Catalog, error) {
	names, err := fs.Glob(builtin, "catalogs/*.yaml")
	if err != nil {
		return nil, err
	}
	var out []*Catalog
	for _, n := range names {
		b, err := builtin.ReadFile(n)
		if err != nil {
			return nil, err
		}
		cs, err := Parse(map[string][]byte{n: b})
		if err != nil {
			return nil, fmt.Errorf("builtin %s: %w", n, err)
		}
		out = append(out, cs...)
	}
	return out, nil
}
