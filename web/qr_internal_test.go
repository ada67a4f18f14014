package web

import (
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
)

// readSVG decodes what qrSVG drew back into modules: the side in modules
// and the dark ones, checking that the SVG is well-formed XML.
func readSVG(t *testing.T, svg string) (int, map[[2]int]bool) {
	t.Helper()
	var doc struct {
		ViewBox string `xml:"viewBox,attr"`
		Path    struct {
			D string `xml:"d,attr"`
		} `xml:"path"`
	}
	if err := xml.Unmarshal([]byte(svg), &doc); err != nil {
		t.Fatalf("the QR SVG is not well-formed: %v", err)
	}
	var n int
	fmt.Sscanf(doc.ViewBox, "0 0 %d", &n)
	dark := map[[2]int]bool{}
	for _, m := range strings.Split(doc.Path.D, "z") {
		var x, y int
		if m == "" {
			continue
		}
		if _, err := fmt.Sscanf(m, "M%d %dh1v1h-1", &x, &y); err != nil {
			t.Fatalf("module %q: %v", m, err)
		}
		dark[[2]int{x, y}] = true
	}
	return n, dark
}

// formatWord is the 15-bit format information of an error correction
// level (M 0, L 1, H 2, Q 3) and mask, as ISO/IEC 18004 §7.9 builds it.
func formatWord(level, mask int) int {
	data := level<<3 | mask
	rem := data
	for range 10 {
		rem = rem<<1 ^ (rem>>9)*0x537
	}
	return (data<<10 | rem&0x3ff) ^ 0x5412
}

func TestQRSVG(t *testing.T) {
	uri := "otpauth://totp/vigie%20test%20hub:ana%2Botp@helios.example?algorithm=SHA1&digits=6&issuer=vigie%20test%20hub&period=30&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	n, dark := readSVG(t, string(qrSVG(uri, `a "label" <b>`)))
	const quiet = 4
	side := n - 2*quiet
	if side < 21 || (side-17)%4 != 0 {
		t.Fatalf("%d modules a side: not a QR code version with its quiet zone", n)
	}
	at := func(x, y int) bool { return dark[[2]int{x + quiet, y + quiet}] }
	for p := range dark {
		if p[0] < quiet || p[1] < quiet || p[0] >= n-quiet || p[1] >= n-quiet {
			t.Fatalf("dark module %v in the quiet zone", p)
		}
	}
	// The three finder patterns: a dark ring, a light ring, a dark 3×3.
	for _, c := range [][2]int{{0, 0}, {side - 7, 0}, {0, side - 7}} {
		for y := range 7 {
			for x := range 7 {
				ring := max(abs(x-3), abs(y-3))
				if want := ring != 2; at(c[0]+x, c[1]+y) != want {
					t.Fatalf("finder at %v: module (%d,%d) dark=%v", c, x, y, !want)
				}
			}
		}
	}
	// The timing patterns alternate.
	for i := 8; i < side-8; i++ {
		if at(i, 6) != (i%2 == 0) || at(6, i) != (i%2 == 0) {
			t.Fatalf("timing pattern broken at %d", i)
		}
	}
	// The format information says error correction M, and both copies agree.
	word, copy2 := 0, 0
	pos := [][2]int{{8, 0}, {8, 1}, {8, 2}, {8, 3}, {8, 4}, {8, 5}, {8, 7}, {8, 8}, {7, 8}, {5, 8}, {4, 8}, {3, 8}, {2, 8}, {1, 8}, {0, 8}}
	for i, p := range pos {
		if at(p[0], p[1]) {
			word |= 1 << i
		}
		// second copy: bits 0–7 along the top-right row, 8–14 down the bottom-left column
		q := [2]int{side - 1 - i, 8}
		if i >= 8 {
			q = [2]int{8, side - 15 + i}
		}
		if at(q[0], q[1]) {
			copy2 |= 1 << i
		}
	}
	if word != copy2 {
		t.Errorf("the format copies differ: %015b, %015b", word, copy2)
	}
	level := -1
	for l := range 4 {
		for m := range 8 {
			if formatWord(l, m) == word {
				level = l
			}
		}
	}
	if level != 0 {
		t.Errorf("format %015b is level %d, want M (0)", word, level)
	}
	if !strings.Contains(string(qrSVG(uri, `a "label" <b>`)), `aria-label="a &#34;label&#34; &lt;b&gt;"`) {
		t.Error("the label is not escaped")
	}
	if got := qrSVG(strings.Repeat("x", 3000), "too long"); got != "" {
		t.Errorf("a text beyond a QR code's capacity drew %.60s", got)
	}
}

func abs(x int) int { return max(x, -x) }

func TestTOTPIssuer(t *testing.T) {
	for title, want := range map[string]string{"": "vigie", "vigie": "vigie", "vigie hub": "vigie hub", "CERT-Nord": "vigie CERT-Nord", "a: b  c": "vigie a b c", "Vigie Nord": "Vigie Nord"} {
		d := &Dashboard{opts: Options{Title: title}}
		if got := d.totpIssuer(); got != want {
			t.Errorf("title %q: issuer %q, want %q", title, got, want)
		}
	}
}
