package advisory

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// zipIndex records which packages each entry of one zip names, so that a
// later Load of the same zip inflates only the entries it wants. It lives
// in LoadOptions.IndexDir, one file per zip, named after the zip's path,
// size and modification time: a changed zip gets a new index.
type zipIndex struct {
	path string // the index file
	mu   sync.Mutex
	// Names and Pkgs are saved: Pkgs[i] lists ecosystem, name, ecosystem,
	// name, ... for entry Names[i]; nil means unknown (decode it).
	Names []string
	Pkgs  [][]string
	// recording is set while the index is being built.
	recording bool
	byName    map[string]int
}

const zipIndexVersion = "vigie-advisory-index-1"

// indexPath returns the index file of a zip.
func indexPath(dir, zipPath string, st os.FileInfo) string {
	abs, err := filepath.Abs(zipPath)
	if err != nil {
		abs = zipPath
	}
	h := sha256.Sum256([]byte(zipIndexVersion + "\x00" + abs + "\x00" + strconv.FormatInt(st.Size(), 10) + "\x00" +
		strconv.FormatInt(st.ModTime().UnixNano(), 10)))
	return filepath.Join(dir, hex.EncodeToString(h[:12])+".idx")
}

// loadZipIndex reads the index of a zip whose entries are names, or starts
// recording a new one when there is none or it does not fit.
func loadZipIndex(path string, names []string) *zipIndex {
	ix := &zipIndex{path: path}
	if data, err := os.ReadFile(path); err == nil {
		var saved struct {
			Version string
			Names   []string
			Pkgs    [][]string
		}
		if gob.NewDecoder(bytes.NewReader(data)).Decode(&saved) == nil && saved.Version == zipIndexVersion &&
			len(saved.Names) == len(names) && len(saved.Pkgs) == len(names) && equalStrings(saved.Names, names) {
			ix.Names, ix.Pkgs = saved.Names, saved.Pkgs
			return ix
		}
	}
	ix.recording = true
	ix.Names = names
	ix.Pkgs = make([][]string, len(names))
	ix.byName = make(map[string]int, len(names))
	for i, n := range names {
		ix.byName[n] = i
	}
	return ix
}

func equalStrings(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// wanted reports whether entry i may name a wanted package.
func (ix *zipIndex) wanted(i int, wants func(string, string) bool) bool {
	return namesWanted(ix.Pkgs[i], wants)
}

// recordAndWant notes the packages entry name names and reports whether it
// may name a wanted one.
func (ix *zipIndex) recordAndWant(name string, data []byte, wants func(string, string) bool) bool {
	pkgs := packagesOf(data)
	ix.record(name, pkgs)
	return namesWanted(pkgs, wants)
}

// record notes the packages entry name names (nil: unknown).
func (ix *zipIndex) record(name string, pkgs []string) {
	ix.mu.Lock()
	if i, ok := ix.byName[name]; ok {
		ix.Pkgs[i] = pkgs
	}
	ix.mu.Unlock()
}

// namesWanted reports whether a list of (ecosystem, name) pairs names a
// wanted package; an unknown list (nil) may.
func namesWanted(pkgs []string, wants func(string, string) bool) bool {
	if pkgs == nil {
		return true
	}
	for k := 0; k+1 < len(pkgs); k += 2 {
		if wants(pkgs[k], pkgs[k+1]) {
			return true
		}
	}
	return false
}

// save writes the index, atomically.
func (ix *zipIndex) save() error {
	var buf bytes.Buffer
	saved := struct {
		Version string
		Names   []string
		Pkgs    [][]string
	}{zipIndexVersion, ix.Names, ix.Pkgs}
	if err := gob.NewEncoder(&buf).Encode(saved); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(ix.path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(ix.path), ".idx-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), ix.path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("advisory index: %w", err)
	}
	return nil
}

// packagesOf lists the packages an OSV record names as ecosystem, name
// pairs, or nil when they cannot be read without decoding it.
func packagesOf(data []byte) []string {
	if isCSAF(data) {
		return nil
	}
	var pkgs []string
	_, ok := scanPackages(data, func(eco, name string) bool {
		pkgs = append(pkgs, eco, name)
		return false
	})
	if !ok {
		return nil
	}
	return pkgs
}
