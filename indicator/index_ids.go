package indicator

import (
	"hash/maphash"
	"math"
)

// idTable maps indicator ids to handles in about 14 bytes per indicator:
// an open-addressing table (linear probing) of handles, each with 32 bits
// of its id's hash, that compares the ids stored in the entries only when
// those bits match, instead of a map holding a second string header per
// id. Only writers use it.
type idTable struct {
	seed    maphash.Seed
	slots   []uint64 // hash<<32 | handle+1; 0 is empty, deletedSlot a removed handle
	used    int      // slots holding a handle
	deleted int      // slots holding deletedSlot
}

const deletedSlot = math.MaxUint64

func newIDTable() idTable {
	return idTable{seed: maphash.MakeSeed(), slots: make([]uint64, 16)}
}

// find returns the handle of id.
func (t *idTable) find(entries []entry, id string) (uint32, bool) {
	h := maphash.String(t.seed, id)
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s := t.slots[i]; {
		case s == 0:
			return 0, false
		case s != deletedSlot && s>>32 == h>>32 && entries[uint32(s)-1].id == id:
			return uint32(s) - 1, true
		}
	}
}

// insert records the handle of an id that is not in the table.
func (t *idTable) insert(entries []entry, id string, h uint32) {
	if (t.used+t.deleted+1)*4 > len(t.slots)*3 {
		t.rehash(entries)
	}
	hash := maphash.String(t.seed, id)
	mask := uint64(len(t.slots) - 1)
	i := hash & mask
	for t.slots[i] != 0 && t.slots[i] != deletedSlot {
		i = (i + 1) & mask
	}
	if t.slots[i] == deletedSlot {
		t.deleted--
	}
	t.slots[i] = hash>>32<<32 | uint64(h+1)
	t.used++
}

// remove forgets id.
func (t *idTable) remove(entries []entry, id string) {
	h := maphash.String(t.seed, id)
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s := t.slots[i]; {
		case s == 0:
			return
		case s != deletedSlot && s>>32 == h>>32 && entries[uint32(s)-1].id == id:
			t.slots[i] = deletedSlot
			t.used--
			t.deleted++
			return
		}
	}
}

// rehash resizes the table for its live handles, dropping removed slots:
// to the smallest power of two at most half full.
func (t *idTable) rehash(entries []entry) {
	n := 16
	for n < (t.used+1)*2 {
		n *= 2
	}
	old := t.slots
	t.slots = make([]uint64, n)
	t.used, t.deleted = 0, 0
	for _, s := range old {
		if s != 0 && s != deletedSlot {
			h := uint32(s) - 1
			t.insert(entries, entries[h].id, h)
		}
	}
}

// rebuild refills the table from the live entries.
func (t *idTable) rebuild(entries []entry) {
	t.slots = make([]uint64, 16)
	t.used, t.deleted = 0, 0
	for h := range entries {
		if entries[h].filed() {
			t.insert(entries, entries[h].id, uint32(h))
		}
	}
}
