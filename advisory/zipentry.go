package advisory

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sync/atomic"
)

// Reading the entries of an OSV all.zip is most of the cost of checking an
// SBOM against it when no index of the zip exists yet: each entry must be
// inflated to learn which packages it names. Two things make that cheaper
// here than through archive/zip:
//
//   - For a zip held in memory, each worker inflates the entry's compressed
//     bytes straight from the zip's buffer with one reused decompressor,
//     into a reused buffer (archive/zip wraps each entry in a bufio.Reader
//     and io.ReadAll grows a new slice).
//   - The packages of an OSV record are all in its top-level "affected"
//     array. When that array comes early in the record (as in the Go
//     vulnerability database, whose keys are sorted), inflating a part of
//     the compressed bytes yields it; the rest of the record is inflated
//     only when the record names a wanted package. How large a part is
//     learnt per zip: it starts at three eighths of the compressed bytes
//     and grows by an eighth whenever more than one part in eight of the
//     last 256 proved too short, up to the whole entry (then records are
//     read whole, as before: a zip whose records end with "affected" costs
//     a few hundred wasted parts). An entry skipped after its part is not
//     checked against its CRC-32 (as an entry the index skips is not read
//     at all); every entry read whole is.

// rawEntry is a zip entry of a zip held in memory.
type rawEntry struct {
	zip    []byte // the whole zip
	f      *zip.File
	raw    []byte // the compressed bytes, once found (see find)
	method uint16
	size   uint64 // uncompressed size, from the central directory
	crc    uint32
	// part is the zip's share of compressed bytes tried first, shared by
	// its entries.
	part *partShare
}

// partShare is the share, in 64ths, of an entry's compressed bytes that is
// inflated first (64 means the whole entry), with the count of parts tried
// and of those that proved too short since it last changed.
type partShare struct {
	n, tries, short atomic.Int32
}

const (
	partStart = 24
	partStep  = 8
	partWhole = 64
	// partRound is the number of parts after which the share is revised.
	partRound = 256
	// partMin is the smallest entry worth reading in part, compressed.
	partMin = 128
)

func newPartShare() *partShare {
	p := &partShare{}
	p.n.Store(partStart)
	return p
}

// note counts a part tried at share n, and widens the share when too many
// proved too short.
func (p *partShare) note(n int32, short bool) {
	if short {
		p.short.Add(1)
	}
	t := p.tries.Add(1)
	if t < partRound || !p.tries.CompareAndSwap(t, 0) {
		return
	}
	if s := p.short.Swap(0); s*8 > t {
		p.n.CompareAndSwap(n, min(n+partStep, partWhole))
	}
}

// newRawEntry returns the entry f of a zip held in memory (data), or nil
// when it is compressed otherwise than by deflate (then f is read through
// archive/zip).
func newRawEntry(data []byte, f *zip.File, part *partShare) *rawEntry {
	if f.Method != zip.Store && f.Method != zip.Deflate {
		return nil
	}
	return &rawEntry{zip: data, f: f, method: f.Method, size: f.UncompressedSize64, crc: f.CRC32, part: part}
}

// find sets e.raw to the compressed bytes, which follow the entry's local
// header; a worker calls it, just before reading them.
func (e *rawEntry) find() error {
	off, err := e.f.DataOffset()
	if err != nil {
		return fmt.Errorf("%w: zip entry: %w", ErrMalformed, err)
	}
	n := uint64(len(e.zip))
	if off < 0 || uint64(off) > n || e.f.CompressedSize64 > n-uint64(off) {
		return fmt.Errorf("%w: zip entry: data outside the zip", ErrMalformed)
	}
	end := off + int64(e.f.CompressedSize64)
	e.raw = e.zip[off:end:end]
	return nil
}

// inflater inflates raw entries; each worker has its own.
type inflater struct {
	src bytes.Reader
	fr  io.ReadCloser
	buf []byte // reused for parts
}

func (in *inflater) reset(raw []byte) io.Reader {
	in.src.Reset(raw)
	if in.fr == nil {
		in.fr = flate.NewReader(&in.src)
	} else {
		in.fr.(flate.Resetter).Reset(&in.src, nil)
	}
	return in.fr
}

// part inflates the first share of e's compressed bytes into the
// inflater's buffer and returns what it yields (valid until the next call),
// or nil when e is too small or stored, or reading it in part is off.
func (in *inflater) part(e *rawEntry, max int64) (out []byte, share int32) {
	share = e.part.n.Load()
	if e.method != zip.Deflate || share >= partWhole || len(e.raw) < partMin {
		return nil, share
	}
	limit := min(e.size, uint64(max))
	if uint64(cap(in.buf)) < limit+1 {
		in.buf = make([]byte, limit+1)
	}
	r := in.reset(e.raw[:len(e.raw)*int(share)/partWhole])
	buf := in.buf[:limit+1]
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			break // the end of the part, or of a malformed entry
		}
	}
	if uint64(n) > limit {
		return nil, share // larger than it claims: read whole, which reports it
	}
	return buf[:n], share
}

// whole inflates e into a new slice, checking its size and checksum as
// archive/zip does.
func (in *inflater) whole(e *rawEntry, max int64) ([]byte, error) {
	if e.size > uint64(max) {
		return nil, fmt.Errorf("%w: %d bytes uncompressed, the limit for one document is %d", ErrTooLarge, e.size, max)
	}
	var data []byte
	if e.method == zip.Store {
		if uint64(len(e.raw)) != e.size {
			return nil, fmt.Errorf("%w: zip entry: stored size %d, header says %d", ErrMalformed, len(e.raw), e.size)
		}
		data = bytes.Clone(e.raw)
	} else {
		data = make([]byte, e.size+1)
		r := in.reset(e.raw)
		n, err := io.ReadFull(r, data)
		switch {
		case err == nil:
			return nil, fmt.Errorf("%w: zip entry: inflates past the %d bytes its header says", ErrMalformed, e.size)
		case errors.Is(err, io.ErrUnexpectedEOF) && uint64(n) == e.size:
			// The whole entry, and nothing more.
		default:
			return nil, fmt.Errorf("%w: zip entry: %d of %d bytes: %w", ErrMalformed, n, e.size, err)
		}
		data = data[:n:n]
	}
	if e.crc != 0 && crc32.ChecksumIEEE(data) != e.crc {
		return nil, fmt.Errorf("%w: zip entry: %w", ErrMalformed, zip.ErrChecksum)
	}
	return data, nil
}

// affectedEnd finds the top-level "affected" member of the JSON object in
// data, a prefix of a document, and returns the offset just after its
// value. ok is false when data does not start with an object, when the
// value does not end within data, when the object has no such member in
// data, or when a "document" member (a CSAF document) comes first.
func affectedEnd(data []byte) (end int, ok bool) {
	p := skipSpace(data, 0)
	if p >= len(data) || data[p] != '{' {
		return 0, false
	}
	depth := 0
	// At depth 1: expectKey is set where a member name comes next;
	// inAffected while the value of "affected" is read.
	expectKey, inAffected := false, false
	for i := p; i < len(data); i++ {
		switch c := data[i]; c {
		case '"':
			j := stringEnd(data, i)
			if j < 0 {
				return 0, false
			}
			if depth == 1 && expectKey {
				switch string(data[i+1 : j]) {
				case "affected":
					inAffected = true
				case "document":
					return 0, false
				}
				expectKey = false
			}
			i = j
		case '{', '[':
			depth++
			if depth == 1 {
				expectKey = true
			}
		case '}', ']':
			depth--
			switch {
			case depth < 0:
				return 0, false
			case depth == 1 && inAffected:
				return i + 1, true
			case depth == 0:
				if inAffected {
					return i, true // a scalar value, last member
				}
				return 0, false
			}
		case ',':
			if depth == 1 {
				if inAffected {
					return i, true // a scalar value
				}
				expectKey = true
			}
		}
	}
	return 0, false
}

// stringEnd returns the offset of the quote closing the JSON string that
// starts at data[i] == '"', or -1.
func stringEnd(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}
