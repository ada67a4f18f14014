package triage

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/vigie-cti/vigie/zipcrypto"
)

// ArchiveInfo lists the members of an archive, opened one level deep.
type ArchiveInfo struct {
	Format  string   `json:"format"` // "zip" or "gzip"
	Members []Member `json:"members"`
	// Refused says why the members were not decompressed, when they were
	// not (a zip or gzip bomb, a member that is itself an archive).
	Refused string `json:"refused,omitempty"`
}

// Member is one file of an archive.
type Member struct {
	Name           string  `json:"name"`
	Size           uint64  `json:"size"`
	CompressedSize uint64  `json:"compressed_size,omitempty"`
	Encrypted      bool    `json:"encrypted,omitempty"`
	Type           Type    `json:"type,omitempty"`
	Hashes         *Hashes `json:"hashes,omitempty"`
	Entropy        float64 `json:"entropy,omitempty"`
	Note           string  `json:"note,omitempty"`
}

// maxRatio is the compression ratio beyond which a large member is taken
// for a bomb.
const (
	maxRatio        = 200
	ratioFloorBytes = 1 << 20
)

var archiveTypes = map[Type]bool{TypeZip: true, TypeGzip: true, TypeRar: true, Type7z: true, TypeXz: true, TypeBzip2: true, TypeTar: true}

// TypeTar is a POSIX tar archive (found inside a gzip).
const TypeTar Type = "tar"

func isTar(b []byte) bool { return len(b) > 262 && bytes.Equal(b[257:262], []byte("ustar")) }

func analyzeZip(b []byte, opt Options, n *notes) *ArchiveInfo {
	info := &ArchiveInfo{Format: "zip"}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		n.add("zip: %v", err)
		return info
	}
	files := zr.File
	if len(files) > opt.MaxArchiveEntries {
		n.add("zip: %d members, the first %d listed", len(files), opt.MaxArchiveEntries)
		files = files[:opt.MaxArchiveEntries]
	}
	// Members whose data overlap are the mark of a "better zip bomb"
	// (one compressed block shared by every member).
	type span struct{ start, end int64 }
	var spans []span
	var declared uint64
	for _, f := range files {
		off, err := f.DataOffset()
		if err == nil {
			spans = append(spans, span{off, off + int64(f.CompressedSize64)})
		}
		declared += f.UncompressedSize64
		info.Members = append(info.Members, Member{
			Name: printable(f.Name), Size: f.UncompressedSize64, CompressedSize: f.CompressedSize64,
			Encrypted: f.Flags&1 != 0,
		})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	for i := 1; i < len(spans); i++ {
		if spans[i].start < spans[i-1].end {
			info.Refused = "members overlap in the file: a zip bomb; not decompressed"
			n.add("zip: %s", info.Refused)
			return info
		}
	}
	if declared > uint64(opt.MaxArchiveTotal) {
		info.Refused = fmt.Sprintf("members declare %d bytes in all, over the limit of %d: a zip bomb?; not decompressed", declared, opt.MaxArchiveTotal)
		n.add("zip: %s", info.Refused)
		return info
	}
	budget := opt.MaxArchiveTotal
	for i, f := range files {
		m := &info.Members[i]
		if f.FileInfo().IsDir() {
			continue
		}
		if m.Encrypted {
			// Samples travel zipped with the password "infected": read
			// such members; others stay closed.
			if f.Method != zip.Store && f.Method != zip.Deflate || m.Size > uint64(budget) {
				m.Note = "encrypted: not read"
				continue
			}
			data, err := zipcrypto.Open(f, SamplePassword, int64(m.Size))
			if err != nil {
				m.Note = "encrypted with another password than \"" + SamplePassword + "\": not read"
				continue
			}
			budget -= int64(len(data))
			m.Note = "encrypted with the password \"" + SamplePassword + "\""
			describeMember(m, data, n)
			continue
		}
		if m.Size > ratioFloorBytes && m.CompressedSize > 0 && m.Size/m.CompressedSize > maxRatio {
			m.Note = fmt.Sprintf("compression ratio %d:1: a zip bomb?; not decompressed", m.Size/m.CompressedSize)
			n.add("zip: member %q: %s", m.Name, m.Note)
			continue
		}
		rc, err := f.Open()
		if err != nil {
			m.Note = err.Error()
			continue
		}
		data, err := readLimited(rc, int64(m.Size), budget)
		rc.Close()
		budget -= int64(len(data))
		if err != nil {
			m.Note = err.Error()
			n.add("zip: member %q: %v", m.Name, err)
			if errors.Is(err, errBomb) {
				info.Refused = "a member decompresses beyond what it declares: a zip bomb; stopped"
				return info
			}
			continue
		}
		describeMember(m, data, n)
	}
	return info
}

// SamplePassword is the password of zipped samples by convention; triage
// opens members encrypted with it.
const SamplePassword = "infected"

var errBomb = errors.New("decompresses beyond its declared size or the limit")

// readLimited reads a member that declares want bytes, refusing more than
// want or than budget.
func readLimited(r io.Reader, want, budget int64) ([]byte, error) {
	limit := min(want, budget)
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil && !errors.Is(err, zip.ErrChecksum) {
		return data, fmt.Errorf("reading: %w", err)
	}
	if int64(len(data)) > limit {
		return data[:limit], errBomb
	}
	if err != nil {
		return data, fmt.Errorf("reading: %w", err)
	}
	return data, nil
}

func describeMember(m *Member, data []byte, n *notes) {
	m.Type = detect(data)
	if isTar(data) {
		m.Type = TypeTar
	}
	h := hashAll(data)
	m.Hashes = &h
	m.Entropy = entropy(data)
	if archiveTypes[m.Type] {
		m.Note = fmt.Sprintf("itself an archive (%s): not opened, archives are opened one level deep", m.Type)
		n.add("archive member %q is itself an archive (%s): not opened (one level only)", m.Name, m.Type)
	}
}

func analyzeGzip(b []byte, opt Options, n *notes) *ArchiveInfo {
	info := &ArchiveInfo{Format: "gzip"}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		n.add("gzip: %v", err)
		return info
	}
	defer zr.Close()
	m := Member{Name: printable(zr.Name)}
	data, err := io.ReadAll(io.LimitReader(zr, opt.MaxArchiveTotal+1))
	switch {
	case int64(len(data)) > opt.MaxArchiveTotal:
		info.Refused = fmt.Sprintf("decompresses to more than %d bytes: a gzip bomb?; stopped", opt.MaxArchiveTotal)
		n.add("gzip: %s", info.Refused)
		m.Size = uint64(opt.MaxArchiveTotal)
		m.Note = "not read to the end"
		info.Members = append(info.Members, m)
		return info
	case err != nil:
		n.add("gzip: %v (what decompressed is described)", err)
		m.Note = err.Error()
	}
	m.Size, m.CompressedSize = uint64(len(data)), uint64(len(b))
	describeMember(&m, data, n)
	info.Members = append(info.Members, m)
	return info
}
