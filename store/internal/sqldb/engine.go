package sqldb

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
)

// ScanObjects returns versions added to a collection after a date, for the
// trigger engine, regardless of readers.
func (s *DB) ScanObjects(ctx context.Context, collection string, after time.Time, limit int) ([]*vigie.Object, error) {
	return s.objectRows(ctx, `SELECT c.id, `+objectColumns+`, o.raw FROM objects o JOIN collections c ON c.seq = o.coll
		WHERE o.coll = (SELECT seq FROM collections WHERE id = ?) AND o.date_added > ? ORDER BY o.date_added LIMIT `+strconv.Itoa(limit),
		collection, micros(after))
}

// LatestVersions returns the latest version of each id in each collection.
// (The collections are named so that the (coll, id) index serves the
// lookup instead of a scan of every object.)
func (s *DB) LatestVersions(ctx context.Context, ids []string) ([]*vigie.Object, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return s.objectRows(ctx, `SELECT c.id, `+objectColumns+`, o.raw FROM objects o JOIN collections c ON c.seq = o.coll
		WHERE o.coll IN (SELECT seq FROM collections) AND o.id IN (?`+strings.Repeat(`, ?`, len(ids)-1)+`)
		AND NOT EXISTS (SELECT 1 FROM objects o2 WHERE o2.coll = o.coll AND o2.id = o.id AND o2.version_key > o.version_key)`, args...)
}

func (s *DB) objectRows(ctx context.Context, stmt string, args ...any) ([]*vigie.Object, error) {
	rows, err := s.r.QueryContext(ctx, s.q(stmt), args...)
	if err != nil {
		return nil, s.wrap("scan objects", err)
	}
	defer rows.Close()
	var out []*vigie.Object
	for rows.Next() {
		var o vigie.Object
		var added int64
		var tlp int
		var recipients string
		if err := rows.Scan(&o.Collection, &o.ID, &o.Type, &o.SpecVersion, &o.Version, &o.VersionKey, &added, &o.Publisher, &tlp, &recipients, &o.Author, &o.Raw); err != nil {
			return nil, s.wrap("scan objects", err)
		}
		o.DateAdded, o.TLP, o.Recipients = fromMicros(added), vigie.TLP(tlp), SplitRecipients(recipients)
		out = append(out, &o)
	}
	return out, s.wrap("scan objects", rows.Err())
}

// Sighters returns the distinct organisations that sighted an indicator at
// or after since: this hub's, and the members of peer hubs that reported
// sightings back, each as "peer:PEER_ORG:OBSERVER" (a pseudonym).
func (s *DB) Sighters(ctx context.Context, indicatorID string, since time.Time) ([]string, error) {
	return s.strings(ctx, `SELECT org_id FROM sightings WHERE indicator_id = ? AND seen >= ?
		UNION SELECT 'peer:' || peer_org || ':' || observer FROM relayed_sightings WHERE indicator_id = ? AND last_seen >= ?
		ORDER BY 1`, indicatorID, micros(since), indicatorID, micros(since))
}

// Relations returns relationships of the given types by target (or source).
func (s *DB) Relations(ctx context.Context, refs []string, bySource bool, types []string) ([]vigie.Relation, error) {
	if len(refs) == 0 || len(types) == 0 {
		return nil, nil
	}
	col := "target_ref"
	if bySource {
		col = "source_ref"
	}
	var args []any
	for _, r := range refs {
		args = append(args, r)
	}
	for _, t := range types {
		args = append(args, t)
	}
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT c.id, r.rel_id, r.rel_type, r.source_ref, r.target_ref FROM relations r JOIN collections c ON c.seq = r.coll
		WHERE r.`+col+` IN (?`+strings.Repeat(`, ?`, len(refs)-1)+`) AND r.rel_type IN (?`+strings.Repeat(`, ?`, len(types)-1)+`) ORDER BY r.rel_id`), args...)
	if err != nil {
		return nil, s.wrap("relations", err)
	}
	defer rows.Close()
	var out []vigie.Relation
	for rows.Next() {
		var r vigie.Relation
		if err := rows.Scan(&r.Collection, &r.ID, &r.Type, &r.Source, &r.Target); err != nil {
			return nil, s.wrap("relations", err)
		}
		out = append(out, r)
	}
	return out, s.wrap("relations", rows.Err())
}

// FindObservables returns the correlation index entries of keys.
func (s *DB) FindObservables(ctx context.Context, keys []string) ([]vigie.ObservableRef, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	return s.observableRefs(ctx, `SELECT x.key, c.id, x.object_id, x.org_id FROM observables x JOIN collections c ON c.seq = x.coll
		WHERE x.key IN (?`+strings.Repeat(`, ?`, len(keys)-1)+`) ORDER BY x.seq`, args...)
}

// FindObservableRange returns up to limit correlation index entries whose
// key is in [from, to), in key order.
func (s *DB) FindObservableRange(ctx context.Context, from, to string, limit int) ([]vigie.ObservableRef, error) {
	return s.observableRefs(ctx, `SELECT x.key, c.id, x.object_id, x.org_id FROM observables x JOIN collections c ON c.seq = x.coll
		WHERE x.key`+s.d.ByteOrder+` >= ? AND x.key`+s.d.ByteOrder+` < ? ORDER BY x.key`+s.d.ByteOrder+` LIMIT `+strconv.Itoa(limit), from, to)
}

func (s *DB) observableRefs(ctx context.Context, stmt string, args ...any) ([]vigie.ObservableRef, error) {
	rows, err := s.r.QueryContext(ctx, s.q(stmt), args...)
	if err != nil {
		return nil, s.wrap("observables", err)
	}
	defer rows.Close()
	var out []vigie.ObservableRef
	for rows.Next() {
		var o vigie.ObservableRef
		if err := rows.Scan(&o.Key, &o.Collection, &o.ObjectID, &o.OrgID); err != nil {
			return nil, s.wrap("observables", err)
		}
		out = append(out, o)
	}
	return out, s.wrap("observables", rows.Err())
}

// ObservableKeys returns the keys of the correlation index after a position.
func (s *DB) ObservableKeys(ctx context.Context, after int64, limit int) ([]string, int64, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT seq, key FROM observables WHERE seq > ? ORDER BY seq LIMIT `+strconv.Itoa(limit)), after)
	if err != nil {
		return nil, after, s.wrap("observable keys", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&after, &k); err != nil {
			return nil, after, s.wrap("observable keys", err)
		}
		out = append(out, k)
	}
	return out, after, s.wrap("observable keys", rows.Err())
}

// TryLead makes this process the runner of the job name, if no other is.
func (s *DB) TryLead(ctx context.Context, name string) (func(), bool, error) {
	if s.d.Lead != nil {
		return s.d.Lead(ctx, s.w, name)
	}
	// One process per database: a lock in memory is enough.
	s.leadMu.Lock()
	defer s.leadMu.Unlock()
	if s.leaders == nil {
		s.leaders = map[string]bool{}
	}
	if s.leaders[name] {
		return nil, false, nil
	}
	s.leaders[name] = true
	return func() {
		s.leadMu.Lock()
		delete(s.leaders, name)
		s.leadMu.Unlock()
	}, true, nil
}
