// Package tlsh computes TLSH, the Trend Micro Locality Sensitive Hash, in
// its standard form (128 buckets, 1-byte checksum: 35 bytes, written as 70
// hexadecimal digits, with the "T1" version prefix current tools exchange),
// and the distance between two digests.
//
// The algorithm follows the TLSH paper (Oliver, Cheng, Chen, 2013) and the
// behaviour of the reference implementation: a 5-byte sliding window feeds
// six Pearson-hashed byte triplets into 256 counting buckets, of which the
// first 128 are quantised by their quartiles into two bits each; a header
// holds a checksum, the logarithm of the length and the quartile ratios.
// Input shorter than MinLength bytes, or too uniform (half of the buckets
// empty), has no digest.
package tlsh

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

const (
	// MinLength is the least number of bytes that has a digest (the
	// reference tools' default, also the "conservative" length of later
	// releases).
	MinLength = 256
	// MaxLength is the most bytes a digest covers: the reference encodes
	// the length of the input in 32 bits.
	MaxLength = 1<<32 - 1

	buckets  = 128 // buckets used by the digest
	codeSize = buckets / 4
	window   = 5
)

// ErrTooShort is returned for input shorter than MinLength bytes.
var ErrTooShort = errors.New("tlsh: input shorter than 256 bytes has no digest")

// ErrTooUniform is returned for input whose byte triplets fill half of the
// buckets or fewer (a run of one byte, a tiny repeated pattern).
var ErrTooUniform = errors.New("tlsh: input too uniform to have a digest")

// ErrTooLong is returned for input longer than MaxLength bytes.
var ErrTooLong = errors.New("tlsh: input longer than 4 GiB")

// Digest is a TLSH digest. Body holds the 32 code bytes in the order they
// are computed (bucket 4i..4i+3 in byte i, two bits each); the hexadecimal
// form writes them reversed, as the reference does.
type Digest struct {
	Checksum byte
	LValue   byte // logarithm of the length, see lvalue
	Q1Ratio  byte // 4 bits: q1*100/q3 mod 16
	Q2Ratio  byte // 4 bits: q2*100/q3 mod 16
	Body     [codeSize]byte
}

// String returns the digest in the current exchange form: "T1" followed by
// 70 uppercase hexadecimal digits.
func (d Digest) String() string { return "T1" + d.Hex() }

// Hex returns the 70 hexadecimal digits without the "T1" prefix, the form
// the 3.x reference tools print.
func (d Digest) Hex() string {
	var raw [3 + codeSize]byte
	raw[0] = swapNibbles(d.Checksum)
	raw[1] = swapNibbles(d.LValue)
	raw[2] = d.Q1Ratio<<4 | d.Q2Ratio&0x0f
	for i := range codeSize {
		raw[3+i] = d.Body[codeSize-1-i]
	}
	return strings.ToUpper(hex.EncodeToString(raw[:]))
}

// MarshalText writes String.
func (d Digest) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads what Parse reads.
func (d *Digest) UnmarshalText(b []byte) error {
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// Parse reads a digest in either form: "T1" and 70 hexadecimal digits, or
// the 70 digits alone (case-insensitive).
func Parse(s string) (Digest, error) {
	h := s
	if len(h) == 72 && (h[0] == 'T' || h[0] == 't') && h[1] == '1' {
		h = h[2:]
	}
	if len(h) != 70 {
		return Digest{}, fmt.Errorf("tlsh: digest %q: want 70 hexadecimal digits, optionally after T1", clip(s))
	}
	var raw [35]byte
	if _, err := hex.Decode(raw[:], []byte(h)); err != nil {
		return Digest{}, fmt.Errorf("tlsh: digest %q: %w", clip(s), err)
	}
	d := Digest{
		Checksum: swapNibbles(raw[0]),
		LValue:   swapNibbles(raw[1]),
		Q1Ratio:  raw[2] >> 4,
		Q2Ratio:  raw[2] & 0x0f,
	}
	for i := range codeSize {
		d.Body[codeSize-1-i] = raw[3+i]
	}
	return d, nil
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

func swapNibbles(b byte) byte { return b<<4 | b>>4 }

// Sum returns the digest of data.
func Sum(data []byte) (Digest, error) {
	var h Hasher
	h.Write(data)
	return h.Digest()
}

// Hasher computes a digest over data written in pieces. The zero value is
// ready to use. A Hasher is not safe for concurrent use.
type Hasher struct {
	bucket   [256]uint32
	win      [window]byte
	n        uint64 // bytes written
	checksum byte
}

// Write adds p to the digest. It never fails.
func (h *Hasher) Write(p []byte) (int, error) {
	w := h.win
	cs := h.checksum
	n := h.n
	b := &h.bucket
	// The window is kept as four named bytes: a is the newest, e the
	// oldest of the five.
	a, b1, c, d := w[0], w[1], w[2], w[3]
	for _, x := range p {
		e := d
		d, c, b1, a = c, b1, a, x
		n++
		if n < window {
			continue
		}
		// x is the newest byte; b1, c, d, e the four before it.
		cs = pearson3(&salt0, x, b1, cs)
		b[pearson3(&salt2, x, b1, c)]++
		b[pearson3(&salt3, x, b1, d)]++
		b[pearson3(&salt5, x, c, d)]++
		b[pearson3(&salt7, x, c, e)]++
		b[pearson3(&salt11, x, b1, e)]++
		b[pearson3(&salt13, x, d, e)]++
	}
	h.win = [window]byte{a, b1, c, d}
	h.checksum = cs
	h.n = n
	return len(p), nil
}

// Len returns how many bytes were written.
func (h *Hasher) Len() uint64 { return h.n }

// Digest returns the digest of what was written so far; more may be
// written after.
func (h *Hasher) Digest() (Digest, error) {
	if h.n < MinLength {
		return Digest{}, ErrTooShort
	}
	if h.n > MaxLength {
		return Digest{}, ErrTooLong
	}
	var sorted [buckets]uint32
	copy(sorted[:], h.bucket[:buckets])
	slices.Sort(sorted[:])
	q1, q2, q3 := sorted[buckets/4-1], sorted[buckets/2-1], sorted[buckets-buckets/4-1]
	nonzero := 0
	for _, v := range h.bucket[:buckets] {
		if v > 0 {
			nonzero++
		}
	}
	if nonzero <= buckets/2 {
		return Digest{}, ErrTooUniform
	}
	var d Digest
	for i := range codeSize {
		var v byte
		for j := range 4 {
			k := h.bucket[4*i+j]
			switch {
			case k > q3:
				v |= 3 << (2 * j)
			case k > q2:
				v |= 2 << (2 * j)
			case k > q1:
				v |= 1 << (2 * j)
			}
		}
		d.Body[i] = v
	}
	d.Checksum = h.checksum
	d.LValue = lvalue(uint32(h.n))
	// The reference divides in single precision; q3 > 0 here since more
	// than half of the buckets are non-zero.
	d.Q1Ratio = byte(uint32(float32(q1*100)/float32(q3)) % 16)
	d.Q2Ratio = byte(uint32(float32(q2*100)/float32(q3)) % 16)
	return d, nil
}

// lvalue is the length's logarithm, with finer steps for larger inputs, as
// the reference computes it (in its 3.x form: the float conversion of the
// length, the natural logarithm in double precision, its constants).
func lvalue(n uint32) byte {
	l := math.Log(float64(float32(n)))
	var i int
	switch {
	case n <= 656:
		i = int(math.Floor(l / 0.4054651))
	case n <= 3199:
		i = int(math.Floor(l/0.26236426 - 8.72777))
	default:
		i = int(math.Floor(l/0.095310180 - 62.5472))
	}
	return byte(i & 0xff)
}

// Distance returns the TLSH distance between two digests, length included:
// 0 for identical digests, larger for less similar inputs (values under
// about 100 suggest related files; there is no upper bound of note).
func Distance(a, b Digest) int { return headerDistance(a, b, true) + bodyDistance(&a.Body, &b.Body) }

// DistanceNoLength is Distance without the length term, for inputs that
// repeat a pattern a different number of times.
func DistanceNoLength(a, b Digest) int {
	return headerDistance(a, b, false) + bodyDistance(&a.Body, &b.Body)
}

func headerDistance(a, b Digest, withLength bool) int {
	diff := 0
	if withLength {
		switch l := modDiff(int(a.LValue), int(b.LValue), 256); l {
		case 0, 1:
			diff += l
		default:
			diff += l * 12
		}
	}
	for _, q := range [2]int{modDiff(int(a.Q1Ratio), int(b.Q1Ratio), 16), modDiff(int(a.Q2Ratio), int(b.Q2Ratio), 16)} {
		if q <= 1 {
			diff += q
		} else {
			diff += (q - 1) * 12
		}
	}
	if a.Checksum != b.Checksum {
		diff++
	}
	return diff
}

// HeaderDistance returns the part of Distance due to the header (length,
// quartile ratios and checksum); indexes use it as a lower bound.
func HeaderDistance(a, b Digest) int { return headerDistance(a, b, true) }

// BodyDistance returns the part of Distance due to the 32 code bytes.
func BodyDistance(a, b Digest) int { return bodyDistance(&a.Body, &b.Body) }

// modDiff is the distance between x and y on a circle of size r.
func modDiff(x, y, r int) int {
	d := x - y
	if d < 0 {
		d = -d
	}
	return min(d, r-d)
}

func bodyDistance(a, b *[codeSize]byte) int {
	diff := 0
	for i := range codeSize {
		diff += int(pairDiff[a[i]][b[i]])
	}
	return diff
}

// pairDiff[x][y] is the distance between two code bytes: per two-bit pair,
// the difference of the quartile numbers, counted 6 when it is 3.
var pairDiff = func() (t [256][256]uint8) {
	for x := range 256 {
		for y := range 256 {
			s := 0
			for k := 0; k < 8; k += 2 {
				d := (x>>k)&3 - (y>>k)&3
				if d < 0 {
					d = -d
				}
				if d == 3 {
					d = 6
				}
				s += d
			}
			t[x][y] = uint8(s)
		}
	}
	return t
}()
