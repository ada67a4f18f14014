// Package zipcrypto writes zip archives whose members are encrypted with
// the traditional PKWARE scheme ("ZipCrypto", APPNOTE.TXT section 6.1),
// the way analysts exchange malware samples: zipped with the password
// "infected", so that no anti-virus, mail filter or careless double-click
// touches the file on the way. ZipCrypto is weak cryptography; it is a
// safety wrapper, not a protection of secrets. It also reads such members
// back (for tests and for triage of submitted archives).
package zipcrypto

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/rand"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"time"
)

// keys is the cipher state: three 32-bit keys updated with each
// plaintext byte.
type keys [3]uint32

func newKeys(password string) *keys {
	k := &keys{0x12345678, 0x23456789, 0x34567890}
	for i := 0; i < len(password); i++ {
		k.update(password[i])
	}
	return k
}

func crc(k uint32, b byte) uint32 { return (k >> 8) ^ crc32.IEEETable[byte(k)^b] }

func (k *keys) update(b byte) {
	k[0] = crc(k[0], b)
	k[1] = (k[1]+k[0]&0xff)*134775813 + 1
	k[2] = crc(k[2], byte(k[1]>>24))
}

func (k *keys) stream() byte {
	t := k[2] | 2
	return byte((t * (t ^ 1)) >> 8)
}

func (k *keys) encrypt(p []byte) {
	for i, b := range p {
		p[i] = b ^ k.stream()
		k.update(b)
	}
}

func (k *keys) decrypt(p []byte) {
	for i, c := range p {
		b := c ^ k.stream()
		k.update(b)
		p[i] = b
	}
}

// File is one member to write.
type File struct {
	Name     string
	Data     []byte
	Modified time.Time
}

// Write writes a zip archive of files to w, each deflated then encrypted
// with password.
func Write(w io.Writer, password string, files ...File) error {
	zw := zip.NewWriter(w)
	for _, f := range files {
		var comp bytes.Buffer
		fw, err := flate.NewWriter(&comp, flate.BestCompression)
		if err != nil {
			return err
		}
		fw.Write(f.Data)
		if err := fw.Close(); err != nil {
			return fmt.Errorf("zipcrypto: deflate %s: %w", f.Name, err)
		}
		sum := crc32.ChecksumIEEE(f.Data)
		// The 12-byte header: 11 random bytes, then the high byte of the
		// CRC, which readers check to tell a wrong password.
		header := make([]byte, 12)
		if _, err := rand.Read(header[:11]); err != nil {
			return err
		}
		header[11] = byte(sum >> 24)
		k := newKeys(password)
		k.encrypt(header)
		body := comp.Bytes()
		k.encrypt(body)
		fh := &zip.FileHeader{
			Name: f.Name, Method: zip.Deflate, Flags: 0x1, CRC32: sum,
			CompressedSize64: uint64(len(header) + len(body)), UncompressedSize64: uint64(len(f.Data)),
			Modified: f.Modified,
		}
		out, err := zw.CreateRaw(fh)
		if err != nil {
			return fmt.Errorf("zipcrypto: %s: %w", f.Name, err)
		}
		if _, err := out.Write(header); err != nil {
			return err
		}
		if _, err := out.Write(body); err != nil {
			return err
		}
	}
	return zw.Close()
}

// ErrPassword is returned by Open for a wrong password.
var ErrPassword = errors.New("zipcrypto: wrong password")

// Open returns the content of an encrypted member, reading at most max
// bytes of it.
func Open(f *zip.File, password string, max int64) ([]byte, error) {
	if f.Flags&0x1 == 0 {
		return nil, errors.New("zipcrypto: member is not encrypted")
	}
	if f.CompressedSize64 < 12 {
		return nil, errors.New("zipcrypto: member too short")
	}
	raw, err := f.OpenRaw()
	if err != nil {
		return nil, err
	}
	// Compressed data is at most a little larger than its content (stored
	// deflate blocks); more is refused before it is read.
	if f.CompressedSize64 > 2*uint64(max)+1<<20 {
		return nil, fmt.Errorf("zipcrypto: member of %d compressed bytes for at most %d", f.CompressedSize64, max)
	}
	enc, err := io.ReadAll(io.LimitReader(raw, int64(f.CompressedSize64)))
	if err != nil {
		return nil, err
	}
	if uint64(len(enc)) != f.CompressedSize64 {
		return nil, errors.New("zipcrypto: member truncated")
	}
	k := newKeys(password)
	k.decrypt(enc)
	check := byte(f.CRC32 >> 24)
	if f.Flags&0x8 != 0 {
		check = byte(f.ModifiedTime >> 8)
	}
	if enc[11] != check {
		return nil, ErrPassword
	}
	var r io.Reader = bytes.NewReader(enc[12:])
	switch f.Method {
	case zip.Store:
	case zip.Deflate:
		r = flate.NewReader(r)
	default:
		return nil, fmt.Errorf("zipcrypto: compression method %d not supported", f.Method)
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("zipcrypto: %w", err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("zipcrypto: member over %d bytes", max)
	}
	if crc32.ChecksumIEEE(data) != f.CRC32 {
		return nil, ErrPassword
	}
	return data, nil
}
