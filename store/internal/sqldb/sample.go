package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/vigie-cti/vigie"
)

const sampleColumns = `id, sha256, org_id, root, coll, tlp, recipients, name, size, file_type, tlsh, ssdeep, imphash, analysis_id, file_id, created`

// CreateSample stores a sample and its content in one transaction.
func (s *DB) CreateSample(ctx context.Context, sm *vigie.Sample, blob []byte) error {
	if err := sm.Validate(); err != nil {
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("create sample", err)
	}
	defer tx.Rollback()
	var id int64
	err = tx.QueryRowContext(ctx, s.q(`INSERT INTO samples (sha256, org_id, root, coll, tlp, recipients, name, size, file_type, tlsh, ssdeep, imphash, report, analysis_id, file_id, created)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		sm.SHA256, sm.OrgID, sm.Root, sm.Collection, int(sm.TLP), Recipients(sm.Recipients), sm.Name, sm.Size, sm.Type,
		sm.TLSH, sm.SSDEEP, sm.Imphash, string(sm.Report), sm.AnalysisID, sm.FileID, micros(sm.Created)).Scan(&id)
	switch {
	case s.d.IsUnique(err):
		return vigie.Errorf(vigie.ECONFLICT, "your organisation submitted sample %s already", sm.SHA256)
	case s.d.IsForeignKey(err):
		return vigie.Errorf(vigie.ENOTFOUND, "no organisation %q", sm.OrgID)
	case err != nil:
		return s.wrap("create sample", err)
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO sample_blobs (sample_id, content) VALUES (?, ?)`), id, blob); err != nil {
		return s.wrap("create sample", err)
	}
	if err := tx.Commit(); err != nil {
		return s.wrap("create sample", err)
	}
	sm.ID = id
	return nil
}

// FindSamples returns every organisation's submissions of a SHA-256.
func (s *DB) FindSamples(ctx context.Context, sha256 string) ([]*vigie.Sample, error) {
	return s.querySamples(ctx, "find samples", true, `WHERE sha256 = ? ORDER BY id`, sha256)
}

// SamplesByID returns the samples with these ids.
func (s *DB) SamplesByID(ctx context.Context, ids []int64) ([]*vigie.Sample, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return s.querySamples(ctx, "samples by id", false, `WHERE id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+`) ORDER BY id`, args...)
}

// SampleFingerprints returns samples after an id, without reports.
func (s *DB) SampleFingerprints(ctx context.Context, after int64, limit int) ([]*vigie.Sample, error) {
	return s.querySamples(ctx, "sample fingerprints", false, `WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
}

func (s *DB) querySamples(ctx context.Context, op string, report bool, where string, args ...any) ([]*vigie.Sample, error) {
	cols := sampleColumns
	if report {
		cols += ", report"
	}
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+cols+` FROM samples `+where), args...)
	if err != nil {
		return nil, s.wrap(op, err)
	}
	defer rows.Close()
	var out []*vigie.Sample
	for rows.Next() {
		sm := &vigie.Sample{}
		var tlp int
		var recipients, rep string
		var created int64
		dest := []any{&sm.ID, &sm.SHA256, &sm.OrgID, &sm.Root, &sm.Collection, &tlp, &recipients, &sm.Name, &sm.Size, &sm.Type,
			&sm.TLSH, &sm.SSDEEP, &sm.Imphash, &sm.AnalysisID, &sm.FileID, &created}
		if report {
			dest = append(dest, &rep)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, s.wrap(op, err)
		}
		sm.TLP, sm.Recipients, sm.Created = vigie.TLP(tlp), SplitRecipients(recipients), fromMicros(created)
		if report {
			sm.Report = []byte(rep)
		}
		out = append(out, sm)
	}
	return out, s.wrap(op, rows.Err())
}

// SampleBlob returns a sample's encoded content.
func (s *DB) SampleBlob(ctx context.Context, id int64) ([]byte, error) {
	var b []byte
	err := s.r.QueryRowContext(ctx, s.q(`SELECT content FROM sample_blobs WHERE sample_id = ?`), id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no content for sample %d", id)
	}
	return b, s.wrap("sample blob", err)
}
