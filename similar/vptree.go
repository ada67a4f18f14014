package similar

import (
	"math/rand/v2"
	"slices"

	"github.com/vigie-cti/vigie/fuzzyhash/tlsh"
)

// vpItem is one TLSH digest in a vantage-point tree, in tree order: an
// item is the vantage point of the subtree [its index, end); mu is the
// median L1 distance from it to the rest of that subtree.
type vpItem struct {
	body [32]byte
	hdr  [3]byte // checksum, lvalue, quartile ratios
	mu   uint16
	slot uint32
}

func newItem(d *tlsh.Digest, slot uint32) vpItem {
	return vpItem{body: d.Body, hdr: [3]byte{d.Checksum, d.LValue, d.Q1Ratio<<4 | d.Q2Ratio}, slot: slot}
}

func (it *vpItem) digest() tlsh.Digest {
	return tlsh.Digest{Checksum: it.hdr[0], LValue: it.hdr[1], Q1Ratio: it.hdr[2] >> 4, Q2Ratio: it.hdr[2] & 0x0f, Body: it.body}
}

// l1 is the L1 distance between the quartile values (two bits each) of
// two bodies. It is a metric, and never more than TLSH's distance (which
// counts a difference of 3 as 6 and adds the header), so a search of
// radius r in l1 finds every digest within TLSH distance r.
func l1(a, b *[32]byte) int {
	d := 0
	for i := range a {
		d += int(l1Table[a[i]][b[i]])
	}
	return d
}

var l1Table = func() (t [256][256]uint8) {
	for x := range 256 {
		for y := range 256 {
			s := 0
			for k := 0; k < 8; k += 2 {
				d := (x>>k)&3 - (y>>k)&3
				s += max(d, -d)
			}
			t[x][y] = uint8(s)
		}
	}
	return t
}()

// vpTree is a static vantage-point tree.
type vpTree struct{ items []vpItem }

// buildTree arranges items into a tree (in place).
func buildTree(items []vpItem, r *rand.Rand) *vpTree {
	dist := make([]int, len(items))
	var build func(lo, hi int)
	build = func(lo, hi int) {
		if hi-lo <= 1 {
			return
		}
		// A random vantage point keeps the tree balanced on clustered data.
		p := lo + r.IntN(hi-lo)
		items[lo], items[p] = items[p], items[lo]
		v := &items[lo].body
		for i := lo + 1; i < hi; i++ {
			dist[i] = l1(v, &items[i].body)
		}
		mid := lo + 1 + (hi-lo-1)/2
		selectNth(items, dist, lo+1, hi, mid)
		items[lo].mu = uint16(dist[mid])
		build(lo+1, mid)
		build(mid, hi)
	}
	build(0, len(items))
	return &vpTree{items: items}
}

// selectNth reorders items[lo:hi] (and dist with them) so that the n-th
// is in its sorted place, smaller distances before it, larger after.
func selectNth(items []vpItem, dist []int, lo, hi, n int) {
	for hi-lo > 1 {
		pivot := dist[lo+(hi-lo)/2]
		i, j := lo, hi-1
		for i <= j {
			for dist[i] < pivot {
				i++
			}
			for dist[j] > pivot {
				j--
			}
			if i <= j {
				dist[i], dist[j] = dist[j], dist[i]
				items[i], items[j] = items[j], items[i]
				i++
				j--
			}
		}
		switch {
		case n <= j:
			hi = j + 1
		case n >= i:
			lo = i
		default:
			return
		}
	}
}

// search visits every item whose l1 distance to q is at most radius();
// radius may shrink as visit finds closer items.
func (t *vpTree) search(q *[32]byte, radius func() int, visit func(it *vpItem, lower int)) {
	var walk func(lo, hi int)
	walk = func(lo, hi int) {
		for lo < hi {
			it := &t.items[lo]
			d := l1(q, &it.body)
			if d <= radius() {
				visit(it, d)
			}
			if hi-lo == 1 {
				return
			}
			mid := lo + 1 + (hi-lo-1)/2
			mu := int(it.mu)
			inner := d <= radius()+mu
			outer := d+radius() >= mu
			switch {
			case inner && outer:
				walk(lo+1, mid)
				lo = mid
			case inner:
				lo, hi = lo+1, mid
			case outer:
				lo = mid
			default:
				return
			}
		}
	}
	walk(0, len(t.items))
}

// mergeTrees returns the items of several trees and a pending list, for a
// rebuild.
func mergeTrees(pending []vpItem, trees ...*vpTree) []vpItem {
	n := len(pending)
	for _, t := range trees {
		n += len(t.items)
	}
	out := make([]vpItem, 0, n)
	out = append(out, pending...)
	for _, t := range trees {
		out = append(out, t.items...)
	}
	return slices.Clip(out)
}
