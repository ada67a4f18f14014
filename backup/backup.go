// Package backup reads and writes the archive of a hub's data directory:
// a gzip-compressed tar of its files (the database as a consistent copy,
// the TLS certificate and key, anything else the directory holds) ending
// with a manifest that names each file with its size and SHA-256, so that
// a restore can tell a complete, intact archive from a truncated or
// altered one before anything is put in place.
package backup

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"time"
)

// ManifestName is the archive's last entry.
const ManifestName = "vigie-backup.json"

// Format is the version of the archive layout.
const Format = 1

// Manifest describes an archive.
type Manifest struct {
	Format  int       `json:"format"`
	Created time.Time `json:"created"`
	Version string    `json:"version,omitempty"` // of the vigie that wrote it
	Files   []File    `json:"files"`
}

// File is one file of an archive. Name is a slash-separated path relative
// to the data directory.
type File struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Source is a file to archive: its name in the archive and where it is.
type Source struct {
	Name string
	Path string
}

// Write writes an archive of srcs to w and returns its manifest. Files
// are read once; a file that changes while it is read gives an archive
// whose manifest matches what was written.
func Write(w io.Writer, srcs []Source, version string, now time.Time) (*Manifest, error) {
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	m := &Manifest{Format: Format, Created: now.UTC(), Version: version}
	for _, s := range srcs {
		if !validName(s.Name) {
			return nil, fmt.Errorf("backup: bad file name %q", s.Name)
		}
		f, err := os.Open(s.Path)
		if err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
		st, err := f.Stat()
		if err != nil || !st.Mode().IsRegular() {
			f.Close()
			return nil, fmt.Errorf("backup: %s: not a regular file (%v)", s.Path, err)
		}
		hdr := &tar.Header{Name: s.Name, Mode: int64(st.Mode().Perm()), Size: st.Size(), ModTime: st.ModTime(), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			f.Close()
			return nil, fmt.Errorf("backup: %s: %w", s.Name, err)
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(tw, h), io.LimitReader(f, st.Size()))
		f.Close()
		if err != nil || n != st.Size() {
			return nil, fmt.Errorf("backup: %s: copied %d of %d bytes: %v", s.Path, n, st.Size(), err)
		}
		m.Files = append(m.Files, File{Name: s.Name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
	}
	body, _ := json.MarshalIndent(m, "", "  ")
	if err := tw.WriteHeader(&tar.Header{Name: ManifestName, Mode: 0o600, Size: int64(len(body)), ModTime: now, Typeflag: tar.TypeReg}); err != nil {
		return nil, fmt.Errorf("backup: manifest: %w", err)
	}
	if _, err := tw.Write(body); err != nil {
		return nil, fmt.Errorf("backup: manifest: %w", err)
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := gz.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	return m, nil
}

// Limits bound what Extract accepts.
type Limits struct {
	MaxFiles int   // files in the archive (default 10,000)
	MaxBytes int64 // their total size (default 1 TiB)
}

// Extract reads an archive from r into dir, which must exist and be
// empty, and returns its manifest. It refuses, with an error saying why,
// an archive with a name that leaves dir, an entry that is not a regular
// file, a file missing from the manifest or missing from the archive, a
// size or hash that differs, a truncated stream, or more than the limits;
// what it wrote before noticing is then left in dir for the caller to
// remove (restore extracts into a temporary directory for that reason).
func Extract(r io.Reader, dir string, lim Limits) (*Manifest, error) {
	if lim.MaxFiles <= 0 {
		lim.MaxFiles = 10000
	}
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = 1 << 40
	}
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("backup: not a vigie backup (gzip): %w", err)
	}
	tr := tar.NewReader(gz)
	got := map[string]File{}
	var total int64
	var m *Manifest
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("backup: reading the archive: %w", err)
		}
		if m != nil {
			return nil, fmt.Errorf("backup: entry %q after the manifest", hdr.Name)
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil, fmt.Errorf("backup: entry %q is not a regular file", hdr.Name)
		}
		if hdr.Size < 0 || total+hdr.Size > lim.MaxBytes {
			return nil, fmt.Errorf("backup: over %d bytes", lim.MaxBytes)
		}
		total += hdr.Size
		if hdr.Name == ManifestName {
			if hdr.Size > 16<<20 {
				return nil, errors.New("backup: manifest over 16 MiB")
			}
			body, err := io.ReadAll(tr)
			if err != nil {
				return nil, fmt.Errorf("backup: manifest: %w", err)
			}
			m = &Manifest{}
			if err := json.Unmarshal(body, m); err != nil {
				return nil, fmt.Errorf("backup: manifest: %w", err)
			}
			continue
		}
		if !validName(hdr.Name) {
			return nil, fmt.Errorf("backup: entry name %q is not a plain relative path", hdr.Name)
		}
		if _, dup := got[hdr.Name]; dup {
			return nil, fmt.Errorf("backup: entry %q appears twice", hdr.Name)
		}
		if len(got) >= lim.MaxFiles {
			return nil, fmt.Errorf("backup: over %d files", lim.MaxFiles)
		}
		f, err := extractFile(tr, dir, hdr)
		if err != nil {
			return nil, err
		}
		got[hdr.Name] = f
	}
	if m == nil {
		return nil, errors.New("backup: no manifest: the archive is truncated or not a vigie backup")
	}
	if m.Format != Format {
		return nil, fmt.Errorf("backup: format %d; this vigie reads format %d", m.Format, Format)
	}
	if len(m.Files) != len(got) {
		return nil, fmt.Errorf("backup: the manifest names %d files, the archive holds %d", len(m.Files), len(got))
	}
	for _, want := range m.Files {
		f, ok := got[want.Name]
		switch {
		case !ok:
			return nil, fmt.Errorf("backup: %s is missing from the archive", want.Name)
		case f.Size != want.Size || f.SHA256 != want.SHA256:
			return nil, fmt.Errorf("backup: %s differs from the manifest (size %d, want %d; or its SHA-256)", want.Name, f.Size, want.Size)
		}
	}
	return m, nil
}

// extractFile writes one entry under dir, owner-only.
func extractFile(tr *tar.Reader, dir string, hdr *tar.Header) (File, error) {
	dst := filepath.Join(dir, filepath.FromSlash(hdr.Name))
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return File{}, fmt.Errorf("backup: %w", err)
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return File{}, fmt.Errorf("backup: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), tr)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return File{}, fmt.Errorf("backup: %s: %w", hdr.Name, err)
	}
	return File{Name: hdr.Name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// validName reports whether name is a clean, local, slash-separated path
// that is not the manifest's.
func validName(name string) bool {
	return name != "" && name != ManifestName && path.Clean(name) == name && fs.ValidPath(name) && filepath.IsLocal(filepath.FromSlash(name)) &&
		!slices.Contains([]byte(name), '\\')
}
