package hub

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/advisory"
)

// AdvisoryFile is what an import of an advisory document did: the
// advisories it read, the records it could not read, and what was stored.
type AdvisoryFile struct {
	ImportResult
	Read   int
	Errors []string
}

// ImportAdvisoryFile reads OSV records or CSAF documents (one JSON
// document, or a zip of them such as OSV's all.zip) and imports them with
// ImportAdvisories. EINVALID for data that holds no readable advisory
// document.
func (h *Hub) ImportAdvisoryFile(ctx context.Context, p vigie.Principal, root, collection string, data []byte, tlp vigie.TLP) (*AdvisoryFile, error) {
	if err := member(p, vigie.RolePublisher); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "vigie-advisories-")
	if err != nil {
		return nil, fmt.Errorf("hub: advisories: %w", err)
	}
	defer os.RemoveAll(dir)
	name := "advisories.json"
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		name = "advisories.zip"
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return nil, fmt.Errorf("hub: advisories: %w", err)
	}
	batch, err := advisory.Load(ctx, path, advisory.LoadOptions{})
	if err != nil {
		return nil, vigie.Errorf(vigie.EINVALID, "%v", err)
	}
	res, err := h.ImportAdvisories(ctx, p, root, collection, batch.Advisories, tlp)
	if err != nil {
		return nil, err
	}
	out := &AdvisoryFile{ImportResult: *res, Read: len(batch.Advisories)}
	for _, e := range batch.Errors {
		out.Errors = append(out.Errors, strings.TrimPrefix(e.Error(), path))
	}
	return out, nil
}
