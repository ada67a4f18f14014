package pattern

import (
	"hash/maphash"
	"math"
)

// idTable maps indicator ids to handles in about 7 bytes per indicator:
// an open-addressing table of handles (linear probing) that compares the
// ids stored in the entries, instead of a map holding a second string
// header per id.
type idTable struct {
	seed    maphash.Seed
	slots   []uint32 // handle+1; 0 is empty, deletedSlot a removed handle
	used    int      // slots holding a handle
	deleted int      // slots holding deletedSlot
}

const deletedSlot = math.MaxUint32

func newIDTable() idTable {
	return idTable{seed: maphash.MakeSeed(), slots: make([]uint32, 16)}
}

// find returns the handle of id.
func (t *idTable) find(entries []entry, id string) (uint32, bool) {
	mask := uint64(len(t.slots) - 1)
	for i := maphash.String(t.seed, id) & mask; ; i = (i + 1) & mask {
		switch s := t.slots[i]; s {
		case 0:
			return 0, false
		case deletedSlot:
		default:
			if entries[s-1].id == id {
				return s - 1, true
			}
		}
	}
}

// insert records the handle of an id that is not in the table.
func (t *idTable) insert(entries []entry, id string, h uint32) {
	if (t.used+t.deleted+1)*4 > len(t.slots)*3 {
		t.rehash(entries)
	}
	mask := uint64(len(t.slots) - 1)
	i := maphash.String(t.seed, id) & mask
	for t.slots[i] != 0 && t.slots[i] != deletedSlot {
		i = (i + 1) & mask
	}
	if t.slots[i] == deletedSlot {
		t.deleted--
	}
	t.slots[i] = h + 1
	t.used++
}

// remove forgets id.
func (t *idTable) remove(entries []entry, id string) {
	mask := uint64(len(t.slots) - 1)
	for i := maphash.String(t.seed, id) & mask; ; i = (i + 1) & mask {
		switch s := t.slots[i]; s {
		case 0:
			return
		case deletedSlot:
		default:
			if entries[s-1].id == id {
				t.slots[i] = deletedSlot
				t.used--
				t.deleted++
				return
			}
		}
	}
}

// rehash resizes the table for its live handles, dropping removed slots.
func (t *idTable) rehash(entries []entry) {
	n := 16
	for n*3 < (t.used+1)*4*2 {
		n *= 2
	}
	old := t.slots
	t.slots = make([]uint32, n)
	t.used, t.deleted = 0, 0
	for _, s := range old {
		if s != 0 && s != deletedSlot {
			t.insert(entries, entries[s-1].id, s-1)
		}
	}
}

// rebuild refills the table from the live entries.
func (t *idTable) rebuild(entries []entry) {
	t.slots = make([]uint32, 16)
	t.used, t.deleted = 0, 0
	for h := range entries {
		if entries[h].id != "" {
			t.insert(entries, entries[h].id, uint32(h))
		}
	}
}
