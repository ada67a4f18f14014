package hub

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
)

// ReadableCollections returns every collection of every API root that p
// may read, with p's access to each, by creation time.
func (h *Hub) ReadableCollections(ctx context.Context, p vigie.Principal) ([]*vigie.Collection, []vigie.Access, error) {
	all, err := h.store.ListCollections(ctx, "")
	if err != nil {
		return nil, nil, err
	}
	var cs []*vigie.Collection
	var as []vigie.Access
	for _, c := range all {
		if a := vigie.CollectionAccess(p, c); a.Read || a.Write {
			cs = append(cs, c)
			as = append(as, a)
		}
	}
	return cs, as, nil
}

// Search limits.
const (
	MinSearchLen   = 3   // characters of a text search
	MaxSearchLen   = 512 // characters of any search
	MaxSearchLimit = 200 // hits of one search
)

// SearchResult is what a search found: the value as classified and, for
// each collection p may read, the last version p may read of each
// matching object, newest first.
type SearchResult struct {
	Value Value
	Hits  []*vigie.Object
	More  bool // more hits than the limit
	// Indexed says the hits come from the correlation index, which keeps
	// the vigie.MaxPerObservable most recent objects of each value (a
	// full search reads every object).
	Indexed bool
	// Text says the value was searched as words in the text index (see
	// vigie.ParseTextQuery).
	Text bool
}

// Search finds the objects, in every collection p may read, that hold
// the value typed (an address, a range, a domain, a URL, a mail address,
// a hash, a CVE id, a package URL, or text), each at the last version p
// may read. Addresses, ranges, domains, URLs, mail addresses and hashes
// are looked up in the correlation index the early-warning engine keeps
// (milliseconds at any size; the most recent objects of each value)
// unless full is set, which reads the JSON of every object p may read.
// Text, CVE ids and package URLs are searched as words in the text index
// (vigie.ParseTextQuery: words, "phrases", prefix*), newest first. The
// TLP rules apply as for TAXII: the store selects among what p's scope
// allows. EINVALID for a text under MinSearchLen characters or over
// MaxSearchLen, or a malformed text query.
func (h *Hub) Search(ctx context.Context, p vigie.Principal, typed string, limit int, full bool) (*SearchResult, error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	typed = strings.TrimSpace(typed)
	if n := len([]rune(typed)); n < MinSearchLen || n > MaxSearchLen {
		return nil, vigie.Errorf(vigie.EINVALID, "search for %d to %d characters", MinSearchLen, MaxSearchLen)
	}
	if limit <= 0 || limit > MaxSearchLimit {
		limit = MaxSearchLimit
	}
	v := ClassifyValue(typed)
	res := &SearchResult{Value: v}
	keys := v.observableKeys()
	var err error
	switch {
	case keys != nil && !full:
		res.Indexed = true
		res.Hits, res.More, err = h.indexed(ctx, p, v, keys, limit)
	case keys == nil: // text, CVE ids, package URLs
		tq, perr := vigie.ParseTextQuery(typed)
		if perr != nil {
			return nil, perr
		}
		res.Text = true
		res.Hits, res.More, err = h.searchText(ctx, p, tq, limit)
	default:
		res.Hits, res.More, err = h.find(ctx, p, v.needles(typed), nil, limit)
	}
	return res, err
}

// searchText returns the newest objects, in the collections p may read,
// whose words match tq, each at the last version p may read: the store
// applies p's scope in the same query as the text index.
func (h *Hub) searchText(ctx context.Context, p vigie.Principal, tq vigie.TextQuery, limit int) ([]*vigie.Object, bool, error) {
	cs, as, err := h.ReadableCollections(ctx, p)
	if err != nil {
		return nil, false, err
	}
	var hits []*vigie.Object
	more := false
	for i, c := range cs {
		if !as[i].Read {
			continue
		}
		page, err := h.store.Objects(ctx, &vigie.ObjectQuery{Collection: c.ID, Text: &tq, Scope: p.Scope(as[i], h.cfg.DefaultTLP), Limit: limit})
		if err != nil {
			return nil, false, err
		}
		hits, more = append(hits, page.Objects...), more || page.More
	}
	hits, more = newest(hits, limit, more)
	return hits, more, nil
}

// indexed returns the objects the correlation index names for keys (and,
// for an IPv4 range, for the addresses and ranges inside it), as p may
// read them: the index only proposes ids, the store reads them with p's
// scope.
func (h *Hub) indexed(ctx context.Context, p vigie.Principal, v Value, keys []string, limit int) ([]*vigie.Object, bool, error) {
	refs, err := h.store.FindObservables(ctx, keys)
	if err != nil {
		return nil, false, err
	}
	for _, span := range v.insideSpans() {
		if len(refs) >= maxRangeRefs {
			break
		}
		more, err := h.store.FindObservableRange(ctx, span[0], span[1], maxRangeRefs-len(refs))
		if err != nil {
			return nil, false, err
		}
		refs = append(refs, more...)
	}
	if len(refs) == 0 {
		return nil, false, nil
	}
	capped := len(refs) >= maxRangeRefs // some entries of the range were left unread
	byColl := map[string][]string{}
	for _, r := range refs {
		byColl[r.Collection] = append(byColl[r.Collection], r.ObjectID)
	}
	cs, as, err := h.ReadableCollections(ctx, p)
	if err != nil {
		return nil, false, err
	}
	var hits []*vigie.Object
	for i, c := range cs {
		ids := byColl[c.ID]
		if !as[i].Read || len(ids) == 0 {
			continue
		}
		page, err := h.store.Objects(ctx, &vigie.ObjectQuery{Collection: c.ID, IDs: ids, Scope: p.Scope(as[i], h.cfg.DefaultTLP), Limit: len(ids)})
		if err != nil {
			return nil, false, err
		}
		hits = append(hits, page.Objects...)
	}
	hits, more := newest(hits, limit, capped)
	return hits, more, nil
}

// find returns up to limit objects of types (nil for any) whose JSON holds
// any of needles, across the collections p may read, newest first.
func (h *Hub) find(ctx context.Context, p vigie.Principal, needles, types []string, limit int) ([]*vigie.Object, bool, error) {
	if len(types) > 1 {
		// One type at a time: each query then reads the (coll, type,
		// date_added) index, where a list of types made SQLite walk the
		// whole collection.
		var all []*vigie.Object
		more := false
		for _, t := range types {
			hits, m, err := h.find(ctx, p, needles, []string{t}, limit)
			if err != nil {
				return nil, false, err
			}
			all, more = append(all, hits...), more || m
		}
		all, more = newest(all, limit, more)
		return all, more, nil
	}
	cs, as, err := h.ReadableCollections(ctx, p)
	if err != nil {
		return nil, false, err
	}
	var hits []*vigie.Object
	more := false
	for i, c := range cs {
		if !as[i].Read {
			continue
		}
		// Each collection's page is in date_added order: to show the
		// newest, a page of limit+1 from each is enough only when a
		// collection holds few hits; the store pages from the oldest, so
		// read every page of hits (bounded by limit per page).
		q := &vigie.ObjectQuery{Collection: c.ID, Contains: needles, Types: types, Scope: p.Scope(as[i], h.cfg.DefaultTLP), Limit: limit + 1}
		for {
			page, err := h.store.Objects(ctx, q)
			if err != nil {
				return nil, false, err
			}
			hits = append(hits, page.Objects...)
			if len(hits) > 4*limit { // keep the newest only
				sortNewest(hits)
				hits, more = hits[:limit], true
			}
			if !page.More || len(page.Objects) == 0 {
				break
			}
			q.AddedAfter = page.Objects[len(page.Objects)-1].DateAdded
		}
	}
	hits, more = newest(hits, limit, more)
	return hits, more, nil
}

// newest sorts os newest first and keeps limit of them; more is also
// set when some were left out.
func newest(os []*vigie.Object, limit int, more bool) ([]*vigie.Object, bool) {
	sortNewest(os)
	if len(os) > limit {
		return os[:limit], true
	}
	return os, more
}

func sortNewest(os []*vigie.Object) {
	sort.SliceStable(os, func(i, j int) bool { return os[i].DateAdded.After(os[j].DateAdded) })
}

// ObjectView is what the dashboard shows of one STIX object: every
// version p may read (in each collection p may read that holds it), the
// relationships and sightings that name it, and how many organisations
// sighted it.
type ObjectView struct {
	Versions  []*vigie.Object // newest first
	Related   []*vigie.Object // relationships and sightings naming the object, newest first
	Sightings int             // sum of the count of the sightings of it p may read, and of those peer hubs reported back
	Sighters  int             // distinct organisations among them (members of peer hubs included, unnamed)
}

// maxRelated bounds the relationships and sightings an object page lists.
const maxRelated = 100

// Object returns the view of the object with this id. ENOTFOUND when p
// may read no version of it (whether it exists or not).
func (h *Hub) Object(ctx context.Context, p vigie.Principal, id string) (*ObjectView, error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	if !stixIDShape(id) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no object %q", id)
	}
	cs, as, err := h.ReadableCollections(ctx, p)
	if err != nil {
		return nil, err
	}
	v := &ObjectView{}
	for i, c := range cs {
		if !as[i].Read {
			continue
		}
		page, err := h.store.Objects(ctx, &vigie.ObjectQuery{Collection: c.ID, IDs: []string{id}, Versions: vigie.VersionFilter{All: true},
			Scope: p.Scope(as[i], h.cfg.DefaultTLP), Limit: 1000})
		if err != nil {
			return nil, err
		}
		v.Versions = append(v.Versions, page.Objects...)
	}
	if len(v.Versions) == 0 {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no object %q", id)
	}
	sort.SliceStable(v.Versions, func(i, j int) bool { return v.Versions[i].VersionKey > v.Versions[j].VersionKey })
	rel, _, err := h.find(ctx, p, []string{`"` + id + `"`}, []string{"relationship", "sighting"}, maxRelated)
	if err != nil {
		return nil, err
	}
	sighters := map[string]bool{}
	for _, o := range rel {
		var s struct {
			Type  string   `json:"type"`
			Of    string   `json:"sighting_of_ref"`
			Count *int     `json:"count"`
			Where []string `json:"where_sighted_refs"`
		}
		if json.Unmarshal(o.Raw, &s) != nil || s.Type != "sighting" || s.Of != id {
			continue
		}
		n := 1
		if s.Count != nil {
			n = *s.Count
		}
		v.Sightings += n
		sighters[o.Publisher] = true
	}
	v.Sighters = len(sighters)
	if strings.HasPrefix(id, "indicator--") { // and what peer hubs reported back, their members unnamed
		rc, err := h.store.RelayedCounts(ctx, id, time.Time{})
		if err != nil {
			return nil, err
		}
		v.Sightings += int(rc.Count)
		v.Sighters += rc.Observers
	}
	v.Related = rel
	return v, nil
}

// stixIDShape reports whether id looks like type--UUID.
func stixIDShape(id string) bool {
	typ, uuid, ok := strings.Cut(id, "--")
	return ok && len(typ) >= 3 && len(typ) <= 250 && len(uuid) == 36
}

// quickObject is the common part of the objects the dashboard builds.
func (h *Hub) quickObject(p vigie.Principal, typ string, now time.Time, tlp vigie.TLP) map[string]any {
	ts := now.UTC().Format("2006-01-02T15:04:05.000Z")
	return map[string]any{
		"type": typ, "spec_version": "2.1", "id": typ + "--" + vigie.NewUUID(),
		"created": ts, "modified": ts, "created_by_ref": p.OrgID,
		"object_marking_refs": []string{vigie.MarkingRef(tlp)},
	}
}

// OrgNames returns the name of every organisation by id, for pages that
// show who shared what (the identities are public to members, see
// Identities).
func (h *Hub) OrgNames(ctx context.Context, p vigie.Principal) (map[string]string, error) {
	if err := Allow(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	orgs, err := h.store.ListOrgs(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(orgs))
	for _, o := range orgs {
		m[o.ID] = o.Name
	}
	return m, nil
}

// Latest returns, by id, the last version p may read of each of ids
// (those p may read none of are absent): the names on an object page's
// graph.
func (h *Hub) Latest(ctx context.Context, p vigie.Principal, ids []string) (map[string]*vigie.Object, error) {
	if err := member(p, vigie.RoleReader); err != nil {
		return nil, err
	}
	out := map[string]*vigie.Object{}
	if len(ids) == 0 {
		return out, nil
	}
	cs, as, err := h.ReadableCollections(ctx, p)
	if err != nil {
		return nil, err
	}
	for i, c := range cs {
		if !as[i].Read {
			continue
		}
		page, err := h.store.Objects(ctx, &vigie.ObjectQuery{Collection: c.ID, IDs: ids, Scope: p.Scope(as[i], h.cfg.DefaultTLP), Limit: len(ids)})
		if err != nil {
			return nil, err
		}
		for _, o := range page.Objects {
			if old, ok := out[o.ID]; !ok || o.VersionKey > old.VersionKey {
				out[o.ID] = o
			}
		}
	}
	return out, nil
}
