package files

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"

	"github.com/vigie-cti/vigie/sensor"
)

// multiHash computes the selected algorithms over the same bytes.
type multiHash struct {
	hs    []hash.Hash
	kinds []sensor.Kind
	sum   []byte
	hex   []byte
}

func newMultiHash(algs sensor.HashAlgs) *multiHash {
	m := &multiHash{}
	add := func(a sensor.HashAlgs, k sensor.Kind, h hash.Hash) {
		if algs&a != 0 {
			m.hs = append(m.hs, h)
			m.kinds = append(m.kinds, k)
		}
	}
	add(sensor.MD5, sensor.KindMD5, md5.New())
	add(sensor.SHA1, sensor.KindSHA1, sha1.New())
	add(sensor.SHA256, sensor.KindSHA256, sha256.New())
	add(sensor.SHA512, sensor.KindSHA512, sha512.New())
	return m
}

func (m *multiHash) reset() {
	for _, h := range m.hs {
		h.Reset()
	}
}

func (m *multiHash) write(p []byte) {
	for _, h := range m.hs {
		h.Write(p)
	}
}

// each calls fn with each digest in lower-case hex; the slice is reused.
func (m *multiHash) each(fn func(k sensor.Kind, hexDigest []byte)) {
	for i, h := range m.hs {
		m.sum = h.Sum(m.sum[:0])
		m.hex = hex.AppendEncode(m.hex[:0], m.sum)
		fn(m.kinds[i], m.hex)
	}
}

// stixHashName is the STIX hash-algorithm-ov name of a digest kind.
func stixHashName(k sensor.Kind) string {
	switch k {
	case sensor.KindMD5:
		return "MD5"
	case sensor.KindSHA1:
		return "SHA-1"
	case sensor.KindSHA256:
		return "SHA-256"
	}
	return "SHA-512"
}
