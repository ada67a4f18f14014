// Package feed links a sensor to a hub over TAXII 2.1: it pulls the
// indicators of collections into a local cache, refreshed incrementally
// with added_after, chooses where sightings go and posts them. It uses
// the taxii package's client (over client.NewHTTPClient's HTTP client)
// and keeps the matching core (package sensor) free of HTTP.
package feed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/vigie-cti/vigie/sensor"
	"github.com/vigie-cti/vigie/taxii"
)

// Collection names one collection of a hub.
type Collection struct {
	Root string // API root: a name ("coalition"), a path or a URL
	ID   string
}

// Cache keeps, per hub and collection, the indicator objects pulled so far
// (one JSON object per line, newest versions appended) and the
// X-TAXII-Date-Added-Last of the last page, to resume from. A Cache is
// used by one process at a time.
type Cache struct {
	// Dir is the cache directory, such as $XDG_CACHE_HOME/vigie.
	Dir string
	// Now stamps the syncs; nil is time.Now.
	Now func() time.Time
}

// DefaultDir returns $XDG_CACHE_HOME/vigie (or the system's user cache
// directory).
func DefaultDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("cache directory: %w", err)
	}
	return filepath.Join(d, "vigie"), nil
}

// state is what the cache remembers of one collection.
type state struct {
	Hub        string    `json:"hub"`
	Root       string    `json:"root"`
	Collection string    `json:"collection"`
	AddedLast  time.Time `json:"added_last"`
	Objects    int       `json:"objects"` // lines in the objects file
	Synced     time.Time `json:"synced"`
}

// paths returns the files of one collection's cache. They are named by
// the key too: what one key may read must not reach the user of another
// through the cache.
func (c *Cache) paths(hub, key string, col Collection) (objects, stateFile string) {
	sum := sha256.Sum256([]byte(hub + "\x00" + key + "\x00" + col.Root + "\x00" + col.ID))
	base := filepath.Join(c.Dir, "hubs", hex.EncodeToString(sum[:12]))
	return base + ".jsonl", base + ".state.json"
}

// SyncStats says what a Sync did for one collection.
type SyncStats struct {
	Collection Collection
	Fetched    int       // objects received now
	Cached     int       // objects read from the cache
	AddedLast  time.Time // where the next sync resumes
	Full       bool      // no earlier sync: everything was fetched
}

// Sync fetches the indicators added to a collection since the last sync
// (all of them the first time), appends them to the cache of this hub,
// API key and collection, and adds every cached indicator to set. A failed fetch leaves the cache as it was and
// returns the error together with what the cache held.
func (c *Cache) Sync(ctx context.Context, cl *taxii.Client, hub, key string, col Collection, set *sensor.Set) (SyncStats, []error, error) {
	st := SyncStats{Collection: col}
	objPath, statePath := c.paths(hub, key, col)
	if err := os.MkdirAll(filepath.Dir(objPath), 0o700); err != nil {
		return st, nil, fmt.Errorf("cache: %w", err)
	}
	var s state
	if b, err := os.ReadFile(statePath); err == nil {
		if json.Unmarshal(b, &s) != nil {
			s = state{}
		}
	}
	if s.AddedLast.IsZero() {
		st.Full = true
		if err := os.Remove(objPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return st, nil, fmt.Errorf("cache: %w", err)
		}
	}
	// Fetch first into memory: the cache only changes once a whole
	// sync succeeded.
	var fetched bytes.Buffer
	f := taxii.Filter{AddedAfter: s.AddedLast, Types: []string{"indicator"}, Limit: 1000}
	last, ferr := cl.EachObject(ctx, col.Root, col.ID, f, func(o json.RawMessage) error {
		var line bytes.Buffer
		if err := json.Compact(&line, o); err != nil {
			return fmt.Errorf("object is not JSON: %w", err)
		}
		fetched.Write(line.Bytes())
		fetched.WriteByte('\n')
		st.Fetched++
		return nil
	})
	if ferr == nil && st.Fetched > 0 {
		if err := appendFile(objPath, fetched.Bytes()); err != nil {
			return st, nil, fmt.Errorf("cache: %w", err)
		}
		s.Objects += st.Fetched
	}
	if ferr == nil {
		if !last.IsZero() {
			s.AddedLast = last
		}
		now := time.Now
		if c.Now != nil {
			now = c.Now
		}
		s.Hub, s.Root, s.Collection, s.Synced = hub, col.Root, col.ID, now().UTC()
		if err := writeState(statePath, s); err != nil {
			return st, nil, fmt.Errorf("cache: %w", err)
		}
	}
	st.AddedLast = s.AddedLast
	n, errs, err := loadLines(objPath, set)
	st.Cached = n
	if err != nil {
		return st, errs, fmt.Errorf("cache: %w", err)
	}
	if ferr != nil {
		return st, errs, fmt.Errorf("collection %s: %w", col.ID, ferr)
	}
	return st, errs, nil
}

// appendFile appends data (whole lines) in one write and syncs it.
func appendFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeState replaces the state file atomically.
func writeState(path string, s state) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// loadLines adds the objects of a cache file to set and returns how many
// lines it holds. A line that does not parse (a write cut short by a
// crash) is reported and skipped.
func loadLines(path string, set *sensor.Set) (int, []error, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	n := bytes.Count(data, []byte{'\n'})
	if len(data) > 0 && data[len(data)-1] != '\n' {
		n++
	}
	errs := set.AddData(data)
	for i, e := range errs {
		errs[i] = fmt.Errorf("%s: %w", path, e)
	}
	return n, errs, nil
}
