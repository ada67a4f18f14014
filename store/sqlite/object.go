package sqlite

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

// AddObjects stores objects and the status of their POST in one transaction.
func (s *Store) AddObjects(ctx context.Context, collection string, objs []*vigie.Object, st *vigie.Status) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer tx.Rollback()

	// Hand out a block of date_added values above every earlier one. The
	// UPDATE holds the collection's row until commit, so concurrent writers
	// (other processes) are serialised and never commit out of order.
	n := int64(len(objs))
	now := time.Now().UnixMicro()
	var last, coll int64
	err = tx.QueryRowContext(ctx, `UPDATE collections SET last_added = max(last_added + ?, ? + ? - 1) WHERE id = ? RETURNING last_added, seq`,
		n, now, n, collection).Scan(&last, &coll)
	if errors.Is(err, sql.ErrNoRows) {
		return vigie.Errorf(vigie.ENOTFOUND, "no collection %s", collection)
	} else if err != nil {
		return fmt.Errorf("sqlite: allocate date_added: %w", err)
	}
	first := last - n + 1

	stmt, err := tx.PrepareContext(ctx, `INSERT INTO objects
		(coll, id, type, spec_version, version, version_key, date_added, publisher, tlp, recipients, raw)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (coll, id, version_key) DO NOTHING`)
	if err != nil {
		return fmt.Errorf("sqlite: prepare insert: %w", err)
	}
	defer stmt.Close()
	for i, o := range objs {
		o.Collection = collection
		o.DateAdded = fromMicros(first + int64(i))
		res, err := stmt.ExecContext(ctx, coll, o.ID, o.Type, o.SpecVersion, o.Version, o.VersionKey,
			first+int64(i), o.Publisher, int(o.TLP), recipientsColumn(o.Recipients), []byte(o.Raw))
		if err != nil {
			return fmt.Errorf("sqlite: insert %s: %w", o.ID, err)
		}
		msg := ""
		if n, _ := res.RowsAffected(); n == 0 {
			msg = "this version was already stored"
		}
		st.Successes = append(st.Successes, vigie.StatusDetail{ID: o.ID, Version: o.Version, Message: msg})
	}
	if err := insertStatus(ctx, tx, st); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// recipientsColumn encodes RED recipients so that instr() finds '|id|'.
func recipientsColumn(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return "|" + strings.Join(ids, "|") + "|"
}

const objectColumns = `o.id, o.type, o.spec_version, o.version, o.version_key, o.date_added, o.publisher, o.tlp, o.recipients`

// Objects returns one page of the object versions q selects.
func (s *Store) Objects(ctx context.Context, q *vigie.ObjectQuery) (*vigie.ObjectPage, error) {
	cols := objectColumns + `, o.raw`
	if q.WithoutRaw {
		cols = objectColumns + `, NULL`
	}
	where, args := whereObjects(q)
	limit := q.Limit
	if limit <= 0 {
		limit = 1000
	}
	query := `SELECT ` + cols + ` FROM objects o WHERE ` + where + ` ORDER BY o.date_added LIMIT ` + strconv.Itoa(limit+1)
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: query objects: %w", err)
	}
	defer rows.Close()
	page := &vigie.ObjectPage{}
	for rows.Next() {
		if len(page.Objects) == limit {
			page.More = true
			break
		}
		var o vigie.Object
		var added int64
		var tlp int
		var recipients string
		var raw []byte
		if err := rows.Scan(&o.ID, &o.Type, &o.SpecVersion, &o.Version, &o.VersionKey, &added, &o.Publisher, &tlp, &recipients, &raw); err != nil {
			return nil, fmt.Errorf("sqlite: scan object: %w", err)
		}
		o.Collection = q.Collection
		o.DateAdded = fromMicros(added)
		o.TLP = vigie.TLP(tlp)
		if recipients != "" {
			o.Recipients = strings.Split(strings.Trim(recipients, "|"), "|")
		}
		o.Raw = raw
		page.Objects = append(page.Objects, &o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: query objects: %w", err)
	}
	return page, nil
}

// DeleteObjects deletes the versions q selects.
func (s *Store) DeleteObjects(ctx context.Context, q *vigie.ObjectQuery) (int, error) {
	where, args := whereObjects(q)
	res, err := s.w.ExecContext(ctx, `DELETE FROM objects WHERE seq IN (SELECT o.seq FROM objects o WHERE `+where+`)`, args...)
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete objects: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// whereObjects turns a query into a WHERE clause over "objects o".
func whereObjects(q *vigie.ObjectQuery) (string, []any) {
	var w strings.Builder
	args := []any{q.Collection, micros(q.AddedAfter)}
	w.WriteString(`o.coll = (SELECT seq FROM collections WHERE id = ?) AND o.date_added > ?`)
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		w.WriteString(` AND ` + col + ` IN (?` + strings.Repeat(`, ?`, len(vals)-1) + `)`)
		for _, v := range vals {
			args = append(args, v)
		}
	}
	in("o.id", q.IDs)
	in("o.type", q.Types)
	in("o.spec_version", q.SpecVersions)
	if q.Publisher != "" {
		w.WriteString(` AND o.publisher = ?`)
		args = append(args, q.Publisher)
	}
	vis, visArgs := visible("o", q.Scope)
	w.WriteString(` AND ` + vis)
	args = append(args, visArgs...)

	// Versions are chosen among those the reader may read.
	f := q.Versions
	if f.IsZero() {
		f.Last = true
	}
	if !f.All {
		var alts []string
		for _, edge := range []struct {
			on bool
			op string
		}{{f.Last, ">"}, {f.First, "<"}} {
			if !edge.on {
				continue
			}
			v2, v2Args := visible("o2", q.Scope)
			alts = append(alts, `NOT EXISTS (SELECT 1 FROM objects o2 WHERE o2.coll = o.coll AND o2.id = o.id AND o2.version_key `+edge.op+` o.version_key AND `+v2+`)`)
			args = append(args, v2Args...)
		}
		if len(f.Exact) > 0 {
			alts = append(alts, `o.version_key IN (?`+strings.Repeat(`, ?`, len(f.Exact)-1)+`)`)
			for _, v := range f.Exact {
				args = append(args, v)
			}
		}
		w.WriteString(` AND (` + strings.Join(alts, ` OR `) + `)`)
	}
	return w.String(), args
}

// visible is vigie.CanRead as SQL over the table alias a.
func visible(a string, r vigie.ReadScope) (string, []any) {
	level := fmt.Sprintf(`(CASE %s.tlp WHEN 0 THEN %d ELSE %s.tlp END)`, a, int(r.DefaultTLP), a)
	allowed := []string{strconv.Itoa(int(vigie.TLPClear))}
	if r.Member {
		for _, t := range []vigie.TLP{vigie.TLPGreen, vigie.TLPAmber, vigie.TLPAmberStrict} {
			allowed = append(allowed, strconv.Itoa(int(t)))
		}
	}
	cond := level + ` IN (` + strings.Join(allowed, ", ") + `)`
	if r.OrgID == "" {
		return `(` + cond + `)`, nil
	}
	cond = `(` + a + `.publisher = ? OR ` + cond + ` OR (` + level + ` = ` + strconv.Itoa(int(vigie.TLPRed)) + ` AND instr(` + a + `.recipients, ?) > 0))`
	return cond, []any{r.OrgID, "|" + r.OrgID + "|"}
}

// statusDoc is how a status's details are stored.
type statusDoc struct {
	Total     int                  `json:"total"`
	Successes []vigie.StatusDetail `json:"successes"`
	Failures  []vigie.StatusDetail `json:"failures"`
}

func insertStatus(ctx context.Context, tx *sql.Tx, st *vigie.Status) error {
	doc, err := json.Marshal(statusDoc{Total: st.Total, Successes: st.Successes, Failures: st.Failures})
	if err != nil {
		return fmt.Errorf("sqlite: encode status: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO statuses (id, api_root, org_id, request_time, doc) VALUES (?, ?, ?, ?, ?)`,
		st.ID, st.Root, st.OrgID, micros(st.RequestTime), doc)
	if err != nil {
		return fmt.Errorf("sqlite: insert status: %w", err)
	}
	return nil
}

// FindStatus returns a status by id.
func (s *Store) FindStatus(ctx context.Context, id string) (*vigie.Status, error) {
	st := vigie.Status{ID: id}
	var at int64
	var raw []byte
	err := s.r.QueryRowContext(ctx, `SELECT api_root, org_id, request_time, doc FROM statuses WHERE id = ?`, id).Scan(&st.Root, &st.OrgID, &at, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no status %s", id)
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: find status: %w", err)
	}
	var doc statusDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("sqlite: decode status %s: %w", id, err)
	}
	st.RequestTime = fromMicros(at)
	st.Total, st.Successes, st.Failures = doc.Total, doc.Successes, doc.Failures
	return &st, nil
}

// PurgeStatuses deletes the statuses requested before a time.
func (s *Store) PurgeStatuses(ctx context.Context, before time.Time) (int, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM statuses WHERE request_time < ?`, micros(before))
	if err != nil {
		return 0, fmt.Errorf("sqlite: purge statuses: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
