package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
)

// HubIdentity returns the hub's identity, creating it the first time.
func (s *DB) HubIdentity(ctx context.Context) (*vigie.HubIdentity, error) {
	get := func() (*vigie.HubIdentity, error) {
		var h vigie.HubIdentity
		var created int64
		err := s.w.QueryRowContext(ctx, `SELECT id, operator, created FROM hub_identity WHERE one = 1`).Scan(&h.ID, &h.Operator, &created)
		if err != nil {
			return nil, err
		}
		h.Created = fromMicros(created)
		return &h, nil
	}
	h, err := get()
	if err == nil {
		return h, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, s.wrap("read hub identity", err)
	}
	ins := `INSERT INTO hub_identity (one, id, operator, created) VALUES (1, ?, '', ?) ON CONFLICT (one) DO NOTHING`
	if _, err := s.w.ExecContext(ctx, s.q(ins), vigie.NewUUID(), time.Now().UnixMicro()); err != nil {
		return nil, s.wrap("create hub identity", err)
	}
	h, err = get()
	return h, s.wrap("read hub identity", err)
}

// SetHubOperator records the organisation that operates the hub.
func (s *DB) SetHubOperator(ctx context.Context, orgID string) error {
	if _, err := s.FindOrg(ctx, orgID); err != nil {
		return err
	}
	if _, err := s.HubIdentity(ctx); err != nil {
		return err
	}
	_, err := s.w.ExecContext(ctx, s.q(`UPDATE hub_identity SET operator = ? WHERE one = 1`), orgID)
	return s.wrap("set hub operator", err)
}

// CreatePeer stores a peer.
func (s *DB) CreatePeer(ctx context.Context, p *vigie.Peer) error {
	state, err := json.Marshal(p.State)
	if err != nil {
		return fmt.Errorf("store: encode peer state: %w", err)
	}
	policy, err := json.Marshal(p.Policy)
	if err != nil {
		return fmt.Errorf("store: encode peer policy: %w", err)
	}
	_, err = s.w.ExecContext(ctx, s.q(`INSERT INTO peers (name, url, key_id, secret, fingerprint, ca_pem, remote_collection, local_collection, paused, push, created, state, policy)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		p.Name, p.URL, p.KeyID, p.Key.Reveal(), p.Fingerprint, p.CAPEM, p.RemoteCollection, p.LocalCollection, boolInt(p.Paused), boolInt(p.Push), micros(p.Created), string(state), string(policy))
	if s.d.IsUnique(err) {
		return vigie.Errorf(vigie.ECONFLICT, "a peer named %q exists", p.Name)
	}
	return s.wrap("create peer", err)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

const peerColumns = `name, url, key_id, secret, fingerprint, ca_pem, remote_collection, local_collection, paused, push, created, state, policy`

func scanPeer(row interface{ Scan(...any) error }) (*vigie.Peer, error) {
	var p vigie.Peer
	var secret, state, policy string
	var paused, push, created int64
	if err := row.Scan(&p.Name, &p.URL, &p.KeyID, &secret, &p.Fingerprint, &p.CAPEM, &p.RemoteCollection, &p.LocalCollection, &paused, &push, &created, &state, &policy); err != nil {
		return nil, err
	}
	p.Key, p.Paused, p.Push, p.Created = vigie.Secret(secret), paused != 0, push != 0, fromMicros(created)
	if err := json.Unmarshal([]byte(state), &p.State); err != nil {
		return nil, fmt.Errorf("decode state of peer %s: %w", p.Name, err)
	}
	if err := json.Unmarshal([]byte(policy), &p.Policy); err != nil {
		return nil, fmt.Errorf("decode policy of peer %s: %w", p.Name, err)
	}
	return &p, nil
}

// FindPeer returns a peer with its key.
func (s *DB) FindPeer(ctx context.Context, name string) (*vigie.Peer, error) {
	p, err := scanPeer(s.w.QueryRowContext(ctx, s.q(`SELECT `+peerColumns+` FROM peers WHERE name = ?`), name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no peer %q", name)
	}
	return p, s.wrap("find peer", err)
}

// ListPeers returns every peer, by name.
func (s *DB) ListPeers(ctx context.Context) ([]*vigie.Peer, error) {
	rows, err := s.w.QueryContext(ctx, `SELECT `+peerColumns+` FROM peers ORDER BY name`)
	if err != nil {
		return nil, s.wrap("list peers", err)
	}
	defer rows.Close()
	var out []*vigie.Peer
	for rows.Next() {
		p, err := scanPeer(rows)
		if err != nil {
			return nil, s.wrap("list peers", err)
		}
		out = append(out, p)
	}
	return out, s.wrap("list peers", rows.Err())
}

// updatePeer runs an UPDATE of one peer row; ENOTFOUND when none matched.
func (s *DB) updatePeer(ctx context.Context, op, stmt string, args ...any) error {
	res, err := s.w.ExecContext(ctx, s.q(stmt), args...)
	if err != nil {
		return s.wrap(op, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return s.wrap(op, err)
	} else if n == 0 {
		return vigie.Errorf(vigie.ENOTFOUND, "no peer %q", args[len(args)-1])
	}
	return nil
}

// DeletePeer removes a peer.
func (s *DB) DeletePeer(ctx context.Context, name string) error {
	return s.updatePeer(ctx, "delete peer", `DELETE FROM peers WHERE name = ?`, name)
}

// SetPeerPaused pauses or resumes a peer.
func (s *DB) SetPeerPaused(ctx context.Context, name string, paused bool) error {
	return s.updatePeer(ctx, "pause peer", `UPDATE peers SET paused = ? WHERE name = ?`, boolInt(paused), name)
}

// SavePeerState records a peer's state.
func (s *DB) SavePeerState(ctx context.Context, name string, st vigie.PeerState) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("store: encode peer state: %w", err)
	}
	return s.updatePeer(ctx, "save peer state", `UPDATE peers SET state = ? WHERE name = ?`, string(b), name)
}

// RecordOrigins records the origin of ids that have none yet.
func (s *DB) RecordOrigins(ctx context.Context, origins []vigie.Origin) error {
	if len(origins) == 0 {
		return nil
	}
	rows := make([][5]string, len(origins))
	for i, o := range origins {
		rows[i] = [5]string{o.ID, o.Hub, o.Org, o.OrgName, o.Peer}
	}
	list, err := json.Marshal(rows)
	if err != nil {
		return s.wrap("record origins", err)
	}
	// One statement whatever the number of origins ("WHERE true" lets
	// SQLite tell the SELECT from the upsert clause).
	_, err = s.w.ExecContext(ctx, s.q(`INSERT INTO relay_origins (id, origin_hub, origin_org, org_name, peer, first_seen)
		SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, CAST(? AS BIGINT) FROM `+s.d.Rows+` WHERE true
		ON CONFLICT (id) DO NOTHING`), time.Now().UnixMicro(), list)
	return s.wrap("record origins", err)
}

// Origins returns the recorded origins of those of ids that have one.
func (s *DB) Origins(ctx context.Context, ids []string) (map[string]vigie.Origin, error) {
	out := make(map[string]vigie.Origin, len(ids))
	for start := 0; start < len(ids); start += ownerChunk {
		chunk := ids[start:min(start+ownerChunk, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := s.w.QueryContext(ctx, s.q(`SELECT id, origin_hub, origin_org, org_name, peer FROM relay_origins WHERE id IN (?`+strings.Repeat(`, ?`, len(chunk)-1)+`)`), args...)
		if err != nil {
			return nil, s.wrap("look up origins", err)
		}
		for rows.Next() {
			var o vigie.Origin
			if err := rows.Scan(&o.ID, &o.Hub, &o.Org, &o.OrgName, &o.Peer); err != nil {
				rows.Close()
				return nil, s.wrap("look up origins", err)
			}
			out[o.ID] = o
		}
		if err := rows.Close(); err != nil {
			return nil, s.wrap("look up origins", err)
		}
	}
	return out, nil
}

// Tombstones returns one page of the tombstones q selects, by date_added.
func (s *DB) Tombstones(ctx context.Context, q *vigie.TombstoneQuery) (*vigie.TombstonePage, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 1000
	}
	vis, visArgs := s.d.Visible("t", q.Scope)
	args := append([]any{q.Collection, micros(q.AddedAfter)}, visArgs...)
	if q.Scope.Egress {
		pol, polArgs := s.d.Admits("t", q.Scope.Policy)
		// A retraction concerns the peers whose ceiling is below the
		// narrowing level (vigie.MaySendTombstone).
		vis += pol + ` AND (t.kind <> '` + vigie.TombstoneRetracted + `' OR t.narrowed_to > ` + strconv.Itoa(int(q.Scope.Ceiling())) + `)`
		args = append(args, polArgs...)
	}
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT t.id, t.version, t.version_key, t.date_added, t.kind, t.narrowed_to, t.owner, t.publisher, t.tlp, t.recipients
		FROM tombstones t WHERE t.coll = (SELECT seq FROM collections WHERE id = ?) AND t.date_added > ? AND `+vis+`
		ORDER BY t.date_added LIMIT `+strconv.Itoa(limit+1)), args...)
	if err != nil {
		return nil, s.wrap("query tombstones", err)
	}
	defer rows.Close()
	page := &vigie.TombstonePage{}
	for rows.Next() {
		if len(page.Tombstones) == limit {
			page.More = true
			break
		}
		t := vigie.Tombstone{Collection: q.Collection}
		var added int64
		var tlp, narrowed int
		var recipients string
		if err := rows.Scan(&t.ID, &t.Version, &t.VersionKey, &added, &t.Kind, &narrowed, &t.Owner, &t.Publisher, &tlp, &recipients); err != nil {
			return nil, s.wrap("scan tombstone", err)
		}
		t.DateAdded, t.TLP, t.Recipients, t.NarrowedTo = fromMicros(added), vigie.TLP(tlp), SplitRecipients(recipients), vigie.TLP(narrowed)
		page.Tombstones = append(page.Tombstones, &t)
	}
	return page, s.wrap("query tombstones", rows.Err())
}

// RetractVersions writes a retracted tombstone for each stored version refs
// names in collection, narrowed to level to.
func (s *DB) RetractVersions(ctx context.Context, collection string, refs []vigie.VersionRef, to vigie.TLP) error {
	if len(refs) == 0 {
		return nil
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("begin", err)
	}
	defer tx.Rollback()
	var conds []string
	args := []any{collection}
	for _, r := range refs {
		conds = append(conds, `(o.id = ? AND o.version_key = ?)`)
		args = append(args, r.ID, r.VersionKey)
	}
	where := `o.coll = (SELECT seq FROM collections WHERE id = ?) AND (` + strings.Join(conds, ` OR `) + `)`
	if err := s.writeTombstones(ctx, tx, collection, vigie.TombstoneRetracted, to, where, args); err != nil {
		return err
	}
	return s.wrap("commit", tx.Commit())
}

// writeTombstones writes, in tx, a tombstone of kind (narrowed to level
// to, for a retraction) for each object version the WHERE clause over
// "objects o" selects, with date_added values
// handed out by the collection like objects' (so that a peer paging with
// added_after never skips one committed late).
func (s *DB) writeTombstones(ctx context.Context, tx *sql.Tx, collection, kind string, to vigie.TLP, where string, args []any) error {
	type row struct {
		id, version, key, owner, publisher, recipients string
		tlp                                            int
	}
	rows, err := tx.QueryContext(ctx, s.q(`SELECT o.id, o.version, o.version_key, o.owner, o.publisher, o.tlp, o.recipients FROM objects o WHERE `+where+` ORDER BY o.date_added`), args...)
	if err != nil {
		return s.wrap("select tombstones", err)
	}
	var list []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.version, &r.key, &r.owner, &r.publisher, &r.tlp, &r.recipients); err != nil {
			rows.Close()
			return s.wrap("select tombstones", err)
		}
		list = append(list, r)
	}
	if err := rows.Close(); err != nil {
		return s.wrap("select tombstones", err)
	}
	if len(list) == 0 {
		return nil
	}
	n := int64(len(list))
	now := time.Now().UnixMicro()
	var last, coll int64
	err = tx.QueryRowContext(ctx, s.q(`UPDATE collections SET last_added = `+s.d.Greatest+`(last_added + ?, ?) WHERE id = ? RETURNING last_added, seq`),
		n, now+n-1, collection).Scan(&last, &coll)
	if err != nil {
		return s.wrap("allocate tombstone date_added", err)
	}
	first := last - n + 1
	for start := 0; start < len(list); start += insertChunk {
		part := list[start:min(start+insertChunk, len(list))]
		var b strings.Builder
		b.WriteString(`INSERT INTO tombstones (coll, id, version, version_key, date_added, kind, narrowed_to, owner, publisher, tlp, recipients) VALUES `)
		vals := make([]any, 0, 11*len(part))
		for i, r := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			vals = append(vals, coll, r.id, r.version, r.key, first+int64(start+i), kind, int(to), r.owner, r.publisher, r.tlp, r.recipients)
		}
		if _, err := tx.ExecContext(ctx, s.q(b.String()), vals...); err != nil {
			return s.wrap("insert tombstones", err)
		}
	}
	return nil
}

// EgressPolicy returns the egress policy of an organisation as a peer.
func (s *DB) EgressPolicy(ctx context.Context, orgID string) (vigie.EgressPolicy, error) {
	var p vigie.EgressPolicy
	var text string
	err := s.r.QueryRowContext(ctx, s.q(`SELECT policy FROM peer_policies WHERE org_id = ?`), orgID).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	} else if err != nil {
		return p, s.wrap("read egress policy", err)
	}
	if err := json.Unmarshal([]byte(text), &p); err != nil {
		return p, fmt.Errorf("store: decode egress policy of %s: %w", orgID, err)
	}
	return p, nil
}

// SetEgressPolicy records (or, for the zero policy, removes) the egress
// policy of an organisation as a peer.
func (s *DB) SetEgressPolicy(ctx context.Context, orgID string, p vigie.EgressPolicy) error {
	if _, err := s.FindOrg(ctx, orgID); err != nil {
		return err
	}
	if p.IsZero() {
		_, err := s.w.ExecContext(ctx, s.q(`DELETE FROM peer_policies WHERE org_id = ?`), orgID)
		return s.wrap("clear egress policy", err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("store: encode egress policy: %w", err)
	}
	_, err = s.w.ExecContext(ctx, s.q(`INSERT INTO peer_policies (org_id, policy, updated) VALUES (?, ?, ?)
		ON CONFLICT (org_id) DO UPDATE SET policy = excluded.policy, updated = excluded.updated`), orgID, string(b), time.Now().UnixMicro())
	return s.wrap("set egress policy", err)
}

// SetPeerPolicy records the egress policy of a push peer.
func (s *DB) SetPeerPolicy(ctx context.Context, name string, p vigie.EgressPolicy) error {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("store: encode peer policy: %w", err)
	}
	return s.updatePeer(ctx, "set peer policy", `UPDATE peers SET policy = ? WHERE name = ?`, string(b), name)
}
