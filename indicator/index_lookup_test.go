package indicator_test

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie/indicator"
)

// The tests below check the shortcuts of Lookup (values already in normal
// form are looked up without being copied, hex digests decoded only when
// a slot's tag matches, dotted quads parsed by hand, IPv4 ISSUBSET blocks
// found through filters) against the long way round, on random values.

// randomText joins up to n random tokens.
func randomText(r *rand.Rand, tokens []string, n int) string {
	var b strings.Builder
	for range r.IntN(n + 1) {
		b.WriteString(pick(r, tokens))
	}
	return b.String()
}

func TestIndexLookupNormalForms(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	urlTokens := []string{"http", "HTTPS", "ftp", "://", "//", ":", "/", "?", "#", "@", "[", "]", "%", "%41", "%2f", "%7e", "80", "443", "a", "B", ".", "-", "~", "_", "+", "é"}
	hostTokens := []string{"a", "B", "example", ".", "-", "%41", "é", "_"}
	pathTokens := []string{"a", "B", "/", "?", "=", "&", "..", "%41", "%2f", "#f", "é", "£"}
	nameTokens := []string{"a", "B", "c", ".", "-", "x1", "Ö", "@", "."}
	for trial := range 50 {
		ix := indicator.NewIndex(indicator.Options{ExactDomains: true})
		filed := map[indicator.ObservableKind][]string{}
		for i := range 100 {
			kind, path := indicator.KindURL, "url:value"
			v := randomText(r, urlTokens, 10)
			if r.IntN(2) == 0 {
				// Mostly in normal form, or one change away from it.
				v = pick(r, []string{"http", "http", "HTTP", "https", "ftp", "x-y.z+1"}) + pick(r, []string{"://", "://", "://", ":", "://u@", "://[::1]"}) +
					randomText(r, hostTokens, 4) + pick(r, []string{"", "", "", ":80", ":8080", ":"}) +
					pick(r, []string{"/", "/", "/", "", "?q"}) + randomText(r, pathTokens, 4)
			}
			switch i % 3 {
			case 1:
				kind, path, v = indicator.KindDomain, "domain-name:value", randomText(r, nameTokens, 8)
			case 2:
				kind, path, v = indicator.KindEmail, "email-addr:value", randomText(r, nameTokens, 8)
			}
			if v == "" {
				continue
			}
			p := MustParse(t, "["+path+" = "+quote(v)+"]")
			id := fmt.Sprint(kind, "/", v)
			if err := ix.Add(indicator.Indicator{ID: id, Name: "name of " + id, Pattern: p}); err != nil {
				t.Fatal(err)
			}
			filed[kind] = append(filed[kind], v)
		}
		for kind, vs := range filed {
			for _, v := range vs {
				for _, q := range vs {
					hits := lookup(ix, kind, q, now)
					got := slices.Contains(hits, fmt.Sprint(kind, "/", v)) || slices.Contains(hits, fmt.Sprint(kind, "/", v)+"?")
					if want := lookupKey(kind, q) == filedKey(kind, v); got != want {
						t.Fatalf("trial %d: Lookup(%d, %q) finds the indicator of %q: %v, want %v", trial, kind, q, v, got, want)
					}
				}
			}
		}
	}
}

// filedKey is the key under which the Index files a value of kind, and
// lookupKey the key under which Lookup searches one (see Lookup).
func filedKey(kind indicator.ObservableKind, v string) string {
	if kind == indicator.KindURL {
		return indicator.NormalizeURL(v)
	}
	return lowerASCII(v)
}

func lookupKey(kind indicator.ObservableKind, v string) string {
	if kind == indicator.KindDomain {
		v = strings.TrimSuffix(v, ".")
	}
	return filedKey(kind, v)
}

func lowerASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

func TestIndexLookupHexDigests(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	algs := []struct {
		kind indicator.ObservableKind
		name string
		n    int
	}{
		{indicator.KindMD5, "MD5", 16}, {indicator.KindSHA1, "'SHA-1'", 20},
		{indicator.KindSHA256, "'SHA-256'", 32}, {indicator.KindSHA512, "'SHA-512'", 64},
	}
	ix := indicator.NewIndex(indicator.Options{})
	var hexes []string
	for i := range 400 {
		a := algs[i%len(algs)]
		b := make([]byte, a.n)
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		h := fmt.Sprintf("%x", b)
		p := MustParse(t, fmt.Sprintf("[file:hashes.%s = '%s']", a.name, h))
		if err := ix.Add(indicator.Indicator{ID: fmt.Sprint(i), Name: fmt.Sprint("name of ", i), Pattern: p}); err != nil {
			t.Fatal(err)
		}
		hexes = append(hexes, h)
	}
	for i, h := range hexes {
		a := algs[i%len(algs)]
		q := []byte(h)
		for j := range q {
			if r.IntN(2) == 0 {
				q[j] = byte(strings.ToUpper(string(q[j]))[0])
			}
		}
		if diff := cmp.Diff([]string{fmt.Sprint(i)}, lookup(ix, a.kind, string(q), now)); diff != "" {
			t.Errorf("Lookup(%d, %s) (-want +got):\n%s", a.kind, q, diff)
		}
		// One character that is not a hex digit (one that hashes as a
		// digit, a control character of the same low bits, then others),
		// or one too few.
		j := strings.IndexAny(string(q), "0123456789")
		q[j] ^= 0x20
		bad := []string{string(q), h[1:]}
		q[j] = pick(r, []byte("g/:@`G \x80\xff"))
		for _, bad := range append(bad, string(q)) {
			if got := lookup(ix, a.kind, bad, now); got != nil {
				t.Errorf("Lookup(%d, %q) = %v, want no hits", a.kind, bad, got)
			}
		}
	}
}

func TestIndexLookupDottedQuads(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	tokens := []string{"0", "1", "2", "5", "9", "25", "255", "256", "00", "01", ".", ".", ".", "a", ":", "/32", " "}
	ix := indicator.NewIndex(indicator.Options{})
	filed := map[string]bool{}
	for i := range 256 {
		id := fmt.Sprintf("%d.%d.%d.%d", i%3, i%5, i%7, i)
		if err := ix.Add(indicator.Indicator{ID: id, Name: "name of " + id, Pattern: MustParse(t, "[ipv4-addr:value = '"+id+"']")}); err != nil {
			t.Fatal(err)
		}
		filed[id] = true
		for _, q := range []string{id, id + "/32"} {
			if diff := cmp.Diff([]string{id}, lookup(ix, indicator.KindIPv4, q, now)); diff != "" {
				t.Errorf("Lookup(IPv4, %s) (-want +got):\n%s", q, diff)
			}
		}
	}
	for range 200000 {
		s := randomText(r, tokens, 9)
		var want []string
		a, err := netip.ParseAddr(s)
		if p, perr := netip.ParsePrefix(s); perr == nil && p.Bits() == 32 {
			a, err = p.Addr(), nil
		}
		if err == nil && a.Is4() && filed[a.String()] {
			want = []string{a.String()}
		}
		if diff := cmp.Diff(want, lookup(ix, indicator.KindIPv4, s, now)); diff != "" {
			t.Fatalf("Lookup(IPv4, %q) (-want +got):\n%s", s, diff)
		}
	}
}

func TestIndexLookupSubsetBlocks(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	addr := func(ip uint32) netip.Addr {
		return netip.AddrFrom4([4]byte{byte(ip >> 24), byte(ip >> 16), byte(ip >> 8), byte(ip)})
	}
	for trial := range 30 {
		ix := indicator.NewIndex(indicator.Options{})
		base := r.Uint32() &^ 0xffff
		blocks := map[string]netip.Prefix{}
		var all []netip.Prefix
		for i := range []int{3, 30, 300}[trial%3] {
			ip := base | r.Uint32()&0xffff
			if r.IntN(4) == 0 {
				ip = r.Uint32()
			}
			pfx := netip.PrefixFrom(addr(ip), r.IntN(33)).Masked()
			id := fmt.Sprint(i)
			if err := ix.Add(indicator.Indicator{ID: id, Name: "name of " + id, Pattern: MustParse(t, fmt.Sprintf("[ipv4-addr:value ISSUBSET '%s']", pfx))}); err != nil {
				t.Fatal(err)
			}
			blocks[id] = pfx
			all = append(all, pfx)
			if r.IntN(5) == 0 {
				id := fmt.Sprint(r.IntN(i + 1))
				ix.Remove(id)
				delete(blocks, id)
			}
		}
		for range 2000 {
			// An address near the others, anywhere, or in a block.
			ip := base | r.Uint32()&0xffff
			switch r.IntN(4) {
			case 0:
				ip = r.Uint32()
			case 1, 2:
				pfx := pick(r, all)
				ip = binary.BigEndian.Uint32(pfx.Addr().AsSlice()) | r.Uint32()&(1<<(32-pfx.Bits())-1)
			}
			q := netip.PrefixFrom(addr(ip), 32)
			if r.IntN(3) == 0 {
				q = netip.PrefixFrom(addr(ip), r.IntN(33)).Masked()
			}
			var want []string
			for id, pfx := range blocks {
				if pfx.Bits() <= q.Bits() && pfx.Contains(q.Addr()) {
					want = append(want, id)
				}
			}
			slices.Sort(want)
			s := q.String()
			if q.IsSingleIP() && r.IntN(2) == 0 {
				s = q.Addr().String()
			}
			if diff := cmp.Diff(want, lookup(ix, indicator.KindIPv4, s, now)); diff != "" {
				t.Fatalf("trial %d: Lookup(IPv4, %s) (-want +got):\n%s", trial, s, diff)
			}
		}
	}
}

func TestIndexLookupDuringWrites(t *testing.T) {
	// Lookups of indicators that stay filed find them, and nothing filed
	// under another key, while other indicators sharing their keys are
	// added and removed, the tables grow and tombstones are compacted.
	// Run with -race to check the lock-free reads.
	key := func(i int) (indicator.ObservableKind, string, string) {
		switch i % 5 {
		case 0:
			v := fmt.Sprintf("s%d.example", i)
			return indicator.KindDomain, v, "[domain-name:value = '" + v + "']"
		case 1:
			v := fmt.Sprintf("10.%d.%d.%d", i%7, i/256%256, i%256)
			return indicator.KindIPv4, v, "[ipv4-addr:value = '" + v + "']"
		case 2:
			v := fmt.Sprintf("%064x", i*7919)
			return indicator.KindSHA256, v, "[file:hashes.'SHA-256' = '" + v + "']"
		case 3:
			v := fmt.Sprintf("http://u%d.example/p", i)
			return indicator.KindURL, v, "[url:value = '" + v + "']"
		}
		v := fmt.Sprintf("172.%d.%d.1", i%16+16, i%256)
		return indicator.KindIPv4, v, fmt.Sprintf("[ipv4-addr:value ISSUBSET '172.%d.%d.0/24']", i%16+16, i%256)
	}
	const stable = 200
	ix := indicator.NewIndex(indicator.Options{})
	for i := range stable {
		_, _, p := key(i)
		if err := ix.Add(indicator.Indicator{ID: fmt.Sprint("stable-", i), Name: "name", Pattern: MustParse(t, p)}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() {
		defer close(done)
		r := rand.New(rand.NewPCG(1, 2))
		for range 8000 { // compacts the tombstones twice or so
			i := r.IntN(4 * stable) // a quarter of the keys are the stable ones'
			id := fmt.Sprint("churn-", i, "-", r.IntN(3))
			if r.IntN(2) == 0 {
				ix.Remove(id)
				continue
			}
			_, _, p := key(i)
			if err := ix.Add(indicator.Indicator{ID: id, Pattern: MustParse(t, p)}); err != nil {
				t.Error(err)
				return
			}
		}
	})
	for g := range 2 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 3))
			for n := 0; ; n++ {
				select {
				case <-done:
					return
				default:
				}
				if n%64 == 0 {
					runtime.Gosched() // leave the writer its share of the processors
				}
				i := r.IntN(stable)
				kind, v, _ := key(i)
				found := false
				ix.Lookup(kind, v, now, func(h indicator.Hit) bool {
					var j, k int
					switch _, err := fmt.Sscanf(h.ID, "churn-%d-%d", &j, &k); {
					case h.ID == fmt.Sprint("stable-", i):
						found = h.Direct && h.Name == "name"
					case err == nil && j == i:
					default:
						t.Errorf("Lookup(%d, %s) found %s", kind, v, h.ID)
					}
					return true
				})
				if !found {
					t.Errorf("Lookup(%d, %s) did not find stable-%d", kind, v, i)
				}
			}
		})
	}
	wg.Wait()
}
