package indicator

// The decoding of observable values on the lookup path: dotted-quad IPv4
// addresses and hex digests, with byte-parallel (SWAR) arithmetic on
// words of 8 bytes where that saves work.

// parseIPv4 parses a dotted-quad IPv4 address the way netip.ParseAddr
// does (four decimal fields of at most 255, without leading zeros); it
// returns false for anything else, which the caller leaves to parsePrefix.
func parseIPv4(s string) (uint32, bool) {
	var ip uint32
	i := 0
	for f := 0; f < 4; f++ {
		if f > 0 {
			if i >= len(s) || s[i] != '.' {
				return 0, false
			}
			i++
		}
		if i >= len(s) || s[i]-'0' > 9 {
			return 0, false
		}
		v := uint32(s[i] - '0')
		i++
		if i < len(s) && s[i]-'0' <= 9 {
			if v == 0 {
				return 0, false // a leading zero
			}
			v = v*10 + uint32(s[i]-'0')
			i++
			if i < len(s) && s[i]-'0' <= 9 {
				v = v*10 + uint32(s[i]-'0')
				i++
			}
		}
		if v > 255 {
			return 0, false
		}
		ip = ip<<8 | v
	}
	return ip, i == len(s)
}

// hexWords decodes hex digits of either case into the words digestWords
// makes of the bytes they spell: 16 digits a word, and 8 for a last half
// word, as len(s) tells. It reports false if a character is not a hex
// digit.
func hexWords(dst []uint64, s string) bool {
	var bad uint64
	for i := range dst {
		lo := load8(s[16*i:])
		hi := uint64('0' * ones) // for a last half word
		if len(s) >= 16*i+16 {
			hi = load8(s[16*i+8:])
		}
		w0, bad0 := hexSpread(lo)
		w1, bad1 := hexSpread(hi)
		dst[i] = w0 | w1<<8
		bad |= bad0 | bad1
	}
	return bad&highs == 0
}

// hexSpread decodes 8 hex digits, the first in the low byte of x, into
// the 4 bytes they spell, in the even bytes of w, the first lowest. The
// high bit of a byte of bad is set if that byte of x is not a hex digit.
func hexSpread(x uint64) (w, bad uint64) {
	digit := (x + (0x80-'0')*ones) &^ (x + (0x7f-'9')*ones)
	lower := x | 0x20*ones
	letter := (lower + (0x80-'a')*ones) &^ (lower + (0x7f-'f')*ones) & highs
	n := x&(0x0f*ones) + (letter>>7)*9 // each byte its digit's value
	return (n<<4 | n>>8) & 0x00ff00ff00ff00ff, x | ^(digit | letter)
}

// load8 returns the first 8 bytes of s, the first in the low byte.
func load8[S string | []byte](s S) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// The constants of byte-parallel (SWAR) arithmetic on words of 8 bytes:
// a byte b < 0x80 plus 0x80-lo has its high bit set when b >= lo, plus
// 0x7f-hi when b > hi, and no such sum carries into the next byte. (Bytes
// of 0x80 and above are checked apart.)
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)
