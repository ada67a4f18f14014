package hub

import (
	"context"
	"math"

	"github.com/vigie-cti/vigie"
)

// The messages of the ownership rules. A refusal says no more than that the
// id is someone else's: not whose, not whether the version exists.
const (
	msgAlreadyStored = "this version was already stored"
	msgNotYours      = "belongs to another organisation"
)

// checkOwnership applies the rules of ownership and markings to the valid
// objects of one envelope, with one look-up of the owners of every id and
// marking definition the envelope names. It returns the objects to store
// (each with its Owner set) and, among them, the copies of SCOs owned by
// another organisation; refused objects become failures of st, and
// versions of others' objects that p already reads in c become "already
// stored" successes.
//
// The rules: the organisation that published the first version of an id
// owns it, hub-wide; only it publishes new versions. Another organisation
// re-posting a version it may read in c is told it is already stored (a
// relayed third-party bundle posted twice is no forgery); an SCO, a fact
// with a deterministic id, may be copied by anyone when identical to the
// owner's; anything else under an owned id is refused. The TLP marking
// definitions belong to no one.
//
// known records the ids of objs that may have an earlier version: those
// with an ownership record, or claimed earlier in the envelope (the others
// are first versions, which narrow nothing: see retractNarrowed).
func (h *Hub) checkOwnership(ctx context.Context, p vigie.Principal, a vigie.Access, c *vigie.Collection, entries []entry, st *vigie.Status, known map[string]bool) ([]*vigie.Object, map[*vigie.Object]bool, error) {
	defined := map[string]bool{} // marking definitions of the envelope
	for _, e := range entries {
		if e.o.Type == "marking-definition" {
			defined[e.o.ID] = true
		}
	}
	ids := make([]string, 0, len(entries))
	seen := make(map[string]bool, len(entries))
	look := func(id string) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, e := range entries {
		look(e.o.ID)
		for _, m := range e.marks {
			if vigie.MarkingTLP(m) == vigie.TLPNone && !defined[m] {
				look(m)
			}
		}
	}
	owners, err := h.store.ObjectOwners(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	fail := func(o *vigie.Object, msg string) {
		st.Failures = append(st.Failures, vigie.StatusDetail{ID: o.ID, Version: o.Version, Message: msg})
	}
	objs := make([]*vigie.Object, 0, len(entries))
	var foreign []*vigie.Object
	for _, e := range entries {
		if ref := unknownMarking(e.marks, defined, owners); ref != "" {
			fail(e.o, "marking definition "+ref+" is neither a TLP marking definition, nor stored on this hub, nor in this envelope")
			continue
		}
		if e.o.Type == "marking-definition" && vigie.MarkingTLP(e.o.ID) != vigie.TLPNone {
			objs = append(objs, e.o) // Owner "": no one owns the TLP definitions
			continue
		}
		w, ok := owners[e.o.ID]
		if ok {
			known[e.o.ID] = true
		} else {
			// The first version: p claims the id, also for later copies
			// of it in this envelope.
			w = vigie.Ownership{ID: e.o.ID, Owner: p.OrgID, Author: e.o.Author, Digest: e.o.Digest}
			owners[e.o.ID] = w
		}
		if w.Owner == p.OrgID {
			e.o.Owner = p.OrgID
			objs = append(objs, e.o)
			continue
		}
		foreign = append(foreign, e.o)
	}
	if len(foreign) == 0 {
		return objs, nil, nil
	}
	readable, err := h.readableVersions(ctx, p, a, c, foreign)
	if err != nil {
		return nil, nil, err
	}
	copies := map[*vigie.Object]bool{}
	for _, o := range foreign {
		w := owners[o.ID]
		sco := o.VersionKey == unversioned
		switch {
		case sco && (w.Digest == "" || w.Digest != o.Digest):
			fail(o, msgNotYours) // another object under the SCO's id
		case readable[versionOf{o.ID, o.VersionKey}]:
			st.Successes = append(st.Successes, vigie.StatusDetail{ID: o.ID, Version: o.Version, Message: msgAlreadyStored})
		case sco:
			o.Owner = w.Owner
			copies[o] = true
			objs = append(objs, o)
		default:
			fail(o, msgNotYours)
		}
	}
	return objs, copies, nil
}

// versionOf names one version of an object.
type versionOf struct{ id, key string }

// readableVersions returns the versions of objs's ids that p may read in c.
func (h *Hub) readableVersions(ctx context.Context, p vigie.Principal, a vigie.Access, c *vigie.Collection, objs []*vigie.Object) (map[versionOf]bool, error) {
	out := map[versionOf]bool{}
	if !a.Read {
		return out, nil
	}
	const chunk = 500
	for start := 0; start < len(objs); start += chunk {
		part := objs[start:min(start+chunk, len(objs))]
		ids := make([]string, len(part))
		for i, o := range part {
			ids[i] = o.ID
		}
		page, err := h.store.Objects(ctx, &vigie.ObjectQuery{
			Collection: c.ID, Scope: p.Scope(a, h.cfg.DefaultTLP), IDs: ids,
			Versions: vigie.VersionFilter{All: true}, Limit: math.MaxInt32, WithoutRaw: true,
		})
		if err != nil {
			return nil, err
		}
		for _, o := range page.Objects {
			out[versionOf{o.ID, o.VersionKey}] = true
		}
	}
	return out, nil
}

// refuseHiddenCopies turns into failures the SCO copies that AddObjects
// found already stored in the collection: p could not read them (readable
// ones were answered before), so "already stored" would reveal them.
// st.Successes[first:] are the details of objs, in order.
func refuseHiddenCopies(st *vigie.Status, first int, objs []*vigie.Object, copies map[*vigie.Object]bool) {
	kept := st.Successes[:first]
	for i, d := range st.Successes[first:] {
		if copies[objs[i]] && d.Message != "" {
			st.Failures = append(st.Failures, vigie.StatusDetail{ID: d.ID, Version: d.Version, Message: msgNotYours})
			continue
		}
		kept = append(kept, d)
	}
	st.Successes = kept
}
