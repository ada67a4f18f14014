package misp

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// MaxManifestBytes bounds the manifest.json a reader accepts.
const MaxManifestBytes = 64 << 20

// ParseManifest reads a feed's manifest.json: event UUID -> entry. It is an
// error for a key not to be a UUID.
func ParseManifest(r io.Reader) (map[string]ManifestEntry, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxManifestBytes+1))
	if err != nil {
		return nil, fmt.Errorf("misp: manifest: %w", err)
	}
	if len(b) > MaxManifestBytes {
		return nil, fmt.Errorf("misp: manifest: over %d MB", MaxManifestBytes>>20)
	}
	var m map[string]ManifestEntry
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("misp: manifest: %w", err)
	}
	for k := range m {
		if !validUUID(k) {
			return nil, fmt.Errorf("misp: manifest: key %q is not an event UUID", truncate(k))
		}
	}
	return m, nil
}

// FeedFiles returns the event files of a feed directory, the
// <uuid>.json its manifest.json names, sorted. A file the manifest names
// but the directory lacks is an error.
func FeedFiles(dir string) ([]string, error) {
	f, err := os.Open(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("misp: feed %s: %w", dir, err)
	}
	defer f.Close()
	m, err := ParseManifest(f)
	if err != nil {
		return nil, fmt.Errorf("feed %s: %w", dir, err)
	}
	out := make([]string, 0, len(m))
	for id := range m {
		p := filepath.Join(dir, id+".json")
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("misp: feed %s: manifest names event %s: %w", dir, id, err)
		}
		out = append(out, p)
	}
	slices.Sort(out)
	return out, nil
}
