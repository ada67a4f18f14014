package advisory

import (
	"slices"
	"sort"
)

// Set holds the latest version of each advisory by id, and knows which
// advisories are the same vulnerability under different ids (aliases, in
// either direction and transitively). A Set is not safe for concurrent use;
// the zero value is not usable, call NewSet.
type Set struct {
	byID     map[string]*Advisory
	mentions map[string][]string // identifier to the ids of the advisories that carry it
}

// NewSet returns an empty set.
func NewSet() *Set {
	return &Set{byID: map[string]*Advisory{}, mentions: map[string][]string{}}
}

// Change says what Set.Add did with an advisory.
type Change int

// The changes.
const (
	// Unchanged: the set already holds this version or a newer one, or
	// the advisory is withdrawn and the set does not hold it.
	Unchanged Change = iota
	Added
	Updated
	// Removed: the advisory is withdrawn and the set held an older
	// version, now dropped.
	Removed
)

// String returns the change's name.
func (c Change) String() string {
	return [...]string{"unchanged", "added", "updated", "removed"}[c]
}

// Add adds an advisory, replacing the version held when a is newer (by
// Modified); a version as old as the one held is ignored, so the first one
// read wins. A withdrawn advisory removes the version held.
func (s *Set) Add(a Advisory) Change {
	old, held := s.byID[a.ID]
	if held && !a.Modified.After(old.Modified) {
		return Unchanged
	}
	if a.IsWithdrawn() {
		if !held {
			return Unchanged
		}
		s.Remove(a.ID)
		return Removed
	}
	if held {
		s.unindex(old)
	}
	cp := a
	s.byID[a.ID] = &cp
	for _, id := range identifiers(&cp) {
		s.mentions[id] = append(s.mentions[id], cp.ID)
	}
	if held {
		return Updated
	}
	return Added
}

// Remove drops an advisory; it reports whether the set held it.
func (s *Set) Remove(id string) bool {
	a, ok := s.byID[id]
	if !ok {
		return false
	}
	s.unindex(a)
	delete(s.byID, id)
	return true
}

func (s *Set) unindex(a *Advisory) {
	for _, ident := range identifiers(a) {
		ids := slices.DeleteFunc(s.mentions[ident], func(x string) bool { return x == a.ID })
		if len(ids) == 0 {
			delete(s.mentions, ident)
		} else {
			s.mentions[ident] = ids
		}
	}
}

func identifiers(a *Advisory) []string {
	out := make([]string, 0, 1+len(a.Aliases))
	out = append(out, a.ID)
	for _, al := range a.Aliases {
		if al != a.ID {
			out = append(out, al)
		}
	}
	return out
}

// Get returns the advisory held under id.
func (s *Set) Get(id string) (*Advisory, bool) {
	a, ok := s.byID[id]
	return a, ok
}

// Len returns the number of advisories held.
func (s *Set) Len() int { return len(s.byID) }

// IDs returns the ids of the advisories held, sorted.
func (s *Set) IDs() []string {
	out := make([]string, 0, len(s.byID))
	for id := range s.byID {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Group returns the ids of the advisories held that are the same
// vulnerability as id: id itself (if held) and every advisory reached
// through aliases, sorted. Upstream and related ids do not join groups.
func (s *Set) Group(id string) []string {
	seen := map[string]bool{}
	var out []string
	queue := []string{id}
	visited := map[string]bool{id: true}
	for len(queue) > 0 {
		ident := queue[0]
		queue = queue[1:]
		for _, advID := range s.mentions[ident] {
			if seen[advID] {
				continue
			}
			seen[advID] = true
			out = append(out, advID)
			for _, next := range identifiers(s.byID[advID]) {
				if !visited[next] {
					visited[next] = true
					queue = append(queue, next)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// Aliases returns every identifier of the vulnerability id belongs to: the
// ids and aliases of its group, sorted, without id itself.
func (s *Set) Aliases(id string) []string {
	var out []string
	for _, advID := range s.Group(id) {
		for _, ident := range identifiers(s.byID[advID]) {
			if ident != id && !slices.Contains(out, ident) {
				out = append(out, ident)
			}
		}
	}
	sort.Strings(out)
	return out
}

// AddBatch adds the advisories of a batch in order and counts the changes.
func (s *Set) AddBatch(b *Batch) map[Change]int {
	counts := map[Change]int{}
	for _, a := range b.Advisories {
		counts[s.Add(a)]++
	}
	return counts
}
