// Package ssdeep computes ssdeep digests (context-triggered piecewise
// hashes, Kornblum 2006, after Tridgell's spamsum) and the 0–100 match
// score between two of them, as the ssdeep 2.14 tool does.
//
// A rolling hash over a 7-byte window cuts the input into pieces wherever
// it hits a value that depends on the block size; each piece contributes
// one base64 character (the low 6 bits of an FNV hash of the piece). The
// digest is "blocksize:pieces:pieces-at-double-blocksize", the block size
// chosen so that the first part has 32 to 64 characters.
package ssdeep

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

const (
	rollingWindow = 7
	minBlockSize  = 3
	// SpamSumLength is the most characters of one part of a digest.
	SpamSumLength  = 64
	numBlockHashes = 31
	hashInit       = 0x27 // low 6 bits of the FNV offset 0x28021967
	hashPrime      = 0x01000193

	// MaxLength is the most bytes a digest covers (the reference's limit).
	MaxLength = uint64(minBlockSize) << (numBlockHashes - 1) * SpamSumLength
)

// ErrTooLong is returned for input longer than MaxLength bytes.
var ErrTooLong = errors.New("ssdeep: input too long")

const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

func blockSize(i int) uint32 { return minBlockSize << i }

type rollState struct {
	win        [rollingWindow]byte
	h1, h2, h3 uint32
	n          int // index in win of the oldest byte
}

func (r *rollState) sum() uint32 { return r.h1 + r.h2 + r.h3 }

// mulTable[h] is the low 6 bits of h times the FNV prime: one step of the
// FNV-1 hash kept to its low 6 bits (all the digest uses) is
// mulTable[h] ^ (c & 0x3f).
var mulTable = func() (t [64]byte) {
	for h := range 64 {
		t[h] = byte(uint32(h)*hashPrime) & 0x3f
	}
	return t
}()

func sumHash(c, h byte) byte { return mulTable[h&0x3f] ^ c&0x3f }

// blockHash is the digest so far at one block size; its running hashes
// are in Hasher.hh, together, for the byte loop.
type blockHash struct {
	digest     [SpamSumLength]byte
	halfdigest byte
	dindex     int
}

// Hasher computes a digest over data written in pieces. The zero value is
// not ready: use New. A Hasher is not safe for concurrent use.
type Hasher struct {
	bhstart, bhend int
	bh             [numBlockHashes]blockHash
	hh             [numBlockHashes][2]byte // running FNV hash of the piece, and of the half-length digest's piece
	total          uint64
	roll           rollState
	lasth          byte
	fixed          uint64 // the announced total length, 0 if unknown
	maxEnd         int    // no block size at or beyond this index is needed
}

// New returns a Hasher.
func New() *Hasher {
	h := &Hasher{bhend: 1, maxEnd: numBlockHashes}
	h.hh[0] = [2]byte{hashInit, hashInit}
	return h
}

// NewSized returns a Hasher for an input of exactly total bytes: knowing
// it, the Hasher skips the block sizes the digest cannot use (about twice
// as fast on large inputs). Digest fails if another length was written.
func NewSized(total uint64) *Hasher {
	h := New()
	h.fixed = total
	guess := 0
	for guess < numBlockHashes-1 && uint64(blockSize(guess))*SpamSumLength < total {
		guess++
	}
	// Digest uses the guessed block size or a smaller one, and the next.
	h.maxEnd = min(guess+2, numBlockHashes)
	return h
}

// Sum returns the digest of data.
func Sum(data []byte) (string, error) {
	h := NewSized(uint64(len(data)))
	h.Write(data)
	return h.Digest()
}

// Write adds p to the digest. It never fails.
func (s *Hasher) Write(p []byte) (int, error) {
	s.total += uint64(len(p))
	r := s.roll // in locals for the loop
	for _, c := range p {
		r.h2 += rollingWindow*uint32(c) - r.h1
		r.h1 += uint32(c) - uint32(r.win[r.n])
		r.win[r.n] = c
		if r.n++; r.n == rollingWindow {
			r.n = 0
		}
		r.h3 = r.h3<<5 ^ uint32(c)
		c6 := c & 0x3f
		hs := s.hh[s.bhstart:s.bhend]
		for k := range hs {
			hs[k][0] = mulTable[hs[k][0]&0x3f] ^ c6
			hs[k][1] = mulTable[hs[k][1]&0x3f] ^ c6
		}
		if s.bhend == numBlockHashes {
			s.lasth = sumHash(c, s.lasth)
		}
		if h := r.h1 + r.h2 + r.h3 + 1; h != 0 && h%minBlockSize == 0 {
			s.cut(h)
		}
	}
	s.roll = r
	return len(p), nil
}

// cut ends a piece at each block size whose trigger the rolling hash
// h (its sum plus one) hits.
func (s *Hasher) cut(h uint32) {
	// A piece ends at block size bs = 3<<i where sum % bs == bs-1, that
	// is where sum+1 is a multiple of 3 and (sum+1)/3 of 1<<i. When sum+1
	// wraps to 0 the reference does not cut.
	q := h / minBlockSize
	if q&(1<<s.bhstart-1) != 0 {
		return
	}
	q >>= s.bhstart
	for i := s.bhstart; i < s.bhend; i++ {
		b := &s.bh[i]
		if b.dindex == 0 {
			s.fork()
		}
		b.digest[b.dindex] = b64[s.hh[i][0]]
		b.halfdigest = b64[s.hh[i][1]]
		if b.dindex < SpamSumLength-1 {
			b.dindex++
			b.digest[b.dindex] = 0
			s.hh[i][0] = hashInit
			if b.dindex < SpamSumLength/2 {
				s.hh[i][1] = hashInit
				b.halfdigest = 0
			}
		} else {
			s.reduce()
		}
		// A cut at block size 2bs is one at bs; none further up
		// once this one is not.
		if q&1 != 0 {
			break
		}
		q >>= 1
	}
}

// fork starts the next block size, continuing from the largest one's state.
func (s *Hasher) fork() {
	if s.bhend >= s.maxEnd {
		return
	}
	next := &s.bh[s.bhend]
	s.hh[s.bhend] = s.hh[s.bhend-1]
	next.digest[0], next.halfdigest, next.dindex = 0, 0, 0
	s.bhend++
	if s.bhend == numBlockHashes {
		s.lasth = s.hh[s.bhend-2][0]
	}
}

// reduce drops the smallest block size once the input is too long for it
// and the next one already has enough characters: it can no longer be
// chosen by Digest (which never picks a smaller block size than it would
// for the length, and steps down only to one whose successor is short).
func (s *Hasher) reduce() {
	if s.bhend-s.bhstart < 2 {
		return
	}
	size := s.total
	if s.fixed != 0 {
		size = s.fixed
	}
	if uint64(blockSize(s.bhstart))*SpamSumLength >= size {
		return
	}
	if s.bh[s.bhstart+1].dindex < SpamSumLength/2 {
		return
	}
	s.bhstart++
}

// Digest returns the digest of what was written so far, as
// "blocksize:part1:part2".
func (s *Hasher) Digest() (string, error) {
	if s.total > MaxLength {
		return "", ErrTooLong
	}
	if s.fixed != 0 && s.fixed != s.total {
		return "", fmt.Errorf("ssdeep: %d bytes written, %d announced", s.total, s.fixed)
	}
	bi := s.bhstart
	h := s.roll.sum()
	for uint64(blockSize(bi))*SpamSumLength < s.total {
		bi++
	}
	if bi >= s.bhend {
		bi = s.bhend - 1
	}
	for bi > s.bhstart && s.bh[bi].dindex < SpamSumLength/2 {
		bi--
	}
	var out strings.Builder
	out.Grow(12 + SpamSumLength + SpamSumLength/2 + 2)
	out.WriteString(strconv.FormatUint(uint64(blockSize(bi)), 10))
	out.WriteByte(':')
	b := &s.bh[bi]
	out.Write(b.digest[:b.dindex])
	if h != 0 {
		out.WriteByte(b64[s.hh[bi][0]])
	} else if b.digest[b.dindex] != 0 {
		out.WriteByte(b.digest[b.dindex])
	}
	out.WriteByte(':')
	if bi < s.bhend-1 {
		b := &s.bh[bi+1]
		n := min(b.dindex, SpamSumLength/2-1)
		out.Write(b.digest[:n])
		if h != 0 {
			out.WriteByte(b64[s.hh[bi+1][1]])
		} else if b.halfdigest != 0 {
			out.WriteByte(b.halfdigest)
		}
	} else if h != 0 {
		if bi == 0 {
			out.WriteByte(b64[s.hh[bi][0]])
		} else {
			out.WriteByte(b64[s.lasth])
		}
	}
	return out.String(), nil
}

// Digest is a parsed ssdeep digest.
type Digest struct {
	BlockSize uint64
	Part1     string // at block size, up to 64 characters
	Part2     string // at twice the block size, up to 64 characters
}

// String writes the digest back in its usual form.
func (d Digest) String() string {
	return strconv.FormatUint(d.BlockSize, 10) + ":" + d.Part1 + ":" + d.Part2
}

// Parse reads "blocksize:part1:part2" (a trailing ",\"filename\"", as the
// tool prints it, is dropped).
func Parse(s string) (Digest, error) {
	bsText, rest, ok := strings.Cut(s, ":")
	if !ok {
		return Digest{}, fmt.Errorf("ssdeep: digest %q: no block size", clip(s))
	}
	bs, err := strconv.ParseUint(bsText, 10, 64)
	if err != nil || bs == 0 {
		return Digest{}, fmt.Errorf("ssdeep: digest %q: bad block size", clip(s))
	}
	p1, p2, ok := strings.Cut(rest, ":")
	if !ok {
		return Digest{}, fmt.Errorf("ssdeep: digest %q: want two parts", clip(s))
	}
	if i := strings.IndexByte(p2, ','); i >= 0 {
		p2 = p2[:i]
	}
	if len(p1) > SpamSumLength || len(p2) > SpamSumLength {
		return Digest{}, fmt.Errorf("ssdeep: digest %q: a part is longer than %d characters", clip(s), SpamSumLength)
	}
	for _, p := range [2]string{p1, p2} {
		for i := 0; i < len(p); i++ {
			if strings.IndexByte(b64, p[i]) < 0 {
				return Digest{}, fmt.Errorf("ssdeep: digest %q: %q is not a base64 character", clip(s), p[i])
			}
		}
	}
	return Digest{BlockSize: bs, Part1: p1, Part2: p2}, nil
}

func clip(s string) string {
	if len(s) > 160 {
		return s[:160] + "..."
	}
	return s
}

// Compare returns the match score of two digests: 0 (no similarity found)
// to 100 (identical or nearly), as ssdeep prints it.
func Compare(a, b string) (int, error) {
	da, err := Parse(a)
	if err != nil {
		return 0, err
	}
	db, err := Parse(b)
	if err != nil {
		return 0, err
	}
	return Score(da, db), nil
}

// Score returns the match score of two parsed digests (see Compare).
func Score(a, b Digest) int {
	bs1, bs2 := a.BlockSize, b.BlockSize
	if bs1 != bs2 && bs1*2 != bs2 && (bs1%2 == 1 || bs1/2 != bs2) {
		return 0
	}
	a1, a2 := elimSeq(a.Part1), elimSeq(a.Part2)
	b1, b2 := elimSeq(b.Part1), elimSeq(b.Part2)
	if bs1 == bs2 && a1 == b1 && a2 == b2 {
		return 100
	}
	switch {
	case bs1 == bs2:
		return max(scoreStrings(a1, b1, bs1), scoreStrings(a2, b2, bs1*2))
	case bs1*2 == bs2:
		return scoreStrings(b1, a2, bs2)
	default:
		return scoreStrings(a1, b2, bs1)
	}
}

// elimSeq keeps at most three of a run of one character: runs carry little
// information and would inflate matches.
func elimSeq(s string) string {
	if len(s) <= 3 {
		return s
	}
	var out []byte
	for i := 0; i < len(s); i++ {
		if i >= 3 && s[i] == s[i-1] && s[i] == s[i-2] && s[i] == s[i-3] {
			if out == nil {
				out = append(make([]byte, 0, len(s)), s[:i]...)
			}
			continue
		}
		if out != nil {
			out = append(out, s[i])
		}
	}
	if out == nil {
		return s
	}
	return string(out)
}

func scoreStrings(s1, s2 string, bs uint64) int {
	if !commonSubstring(s1, s2) {
		return 0
	}
	score := uint64(editDistance(s1, s2))
	score = score * SpamSumLength / uint64(len(s1)+len(s2))
	score = 100 * score / SpamSumLength
	if score >= 100 {
		return 0
	}
	score = 100 - score
	if bs >= (99+rollingWindow)/rollingWindow*minBlockSize {
		return int(score)
	}
	if limit := bs / minBlockSize * uint64(min(len(s1), len(s2))); score > limit {
		score = limit
	}
	return int(score)
}

// commonSubstring reports whether s1 and s2 share a run of rollingWindow
// characters, the precondition for any score.
func commonSubstring(s1, s2 string) bool {
	if len(s1) < rollingWindow || len(s2) < rollingWindow {
		return false
	}
	for i := 0; i+rollingWindow <= len(s1); i++ {
		if strings.Contains(s2, s1[i:i+rollingWindow]) {
			return true
		}
	}
	return false
}

// editDistance is the Levenshtein distance with insertion and deletion
// costing 1 and substitution 2.
func editDistance(s1, s2 string) int {
	var row1, row2 [SpamSumLength + 1]int
	prev, cur := row1[:len(s2)+1], row2[:len(s2)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 0; i < len(s1); i++ {
		cur[0] = i + 1
		for j := 0; j < len(s2); j++ {
			sub := prev[j]
			if s1[i] != s2[j] {
				sub += 2
			}
			cur[j+1] = min(prev[j+1]+1, cur[j]+1, sub)
		}
		prev, cur = cur, prev
	}
	return prev[len(s2)]
}
