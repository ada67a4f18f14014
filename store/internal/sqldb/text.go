package sqldb

// The text index: the words of each object version (vigie.SearchText),
// written with the version, searched by Objects when a query has Text.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/vigie-cti/vigie"
)

// TextIndex is how a database keeps and searches the words of object
// versions.
type TextIndex struct {
	// Insert adds rows to the index from one argument: a JSON array of
	// [seq, collection seq, words] (one short statement, whatever the
	// number of rows, is cheaper to prepare than a long VALUES list).
	Insert string
	// From joins the index with "objects o"; Match selects the versions
	// of a collection (by id, the first argument) whose words match a
	// query (as Render writes it, the second); Order sorts newest first.
	From, Match, Order string
	Render             func(vigie.TextQuery) string
}

// textRow is one version's words.
type textRow struct {
	seq, coll int64
	words     string
}

// insertText adds versions' words to the text index, in one statement:
// SQLite's FTS5 writes its pending words to disk at the start of each
// statement of a transaction, so one statement per envelope keeps the
// index from splitting into many small segments (and merging them).
func (s *DB) insertText(ctx context.Context, tx *sql.Tx, rows []textRow) error {
	if len(rows) == 0 {
		return nil
	}
	list := make([][3]any, len(rows))
	for i, r := range rows {
		list[i] = [3]any{r.seq, r.coll, r.words}
	}
	doc, err := json.Marshal(list)
	if err != nil {
		return fmt.Errorf("store: index words: %w", err)
	}
	_, err = tx.ExecContext(ctx, s.q(s.d.Text.Insert), string(doc))
	return s.wrap("index words", err)
}

// textObjects returns the newest versions q selects whose words match
// q.Text, newest first.
func (s *DB) textObjects(ctx context.Context, q *vigie.ObjectQuery, cols string, limit int) (*sql.Rows, error) {
	where, args := s.d.WhereObjects(q)
	t := s.d.Text
	stmt := `SELECT ` + cols + ` FROM ` + t.From + ` WHERE ` + t.Match + ` AND ` + where + ` ORDER BY ` + t.Order + ` LIMIT ` + strconv.Itoa(limit+1)
	return s.r.QueryContext(ctx, s.q(stmt), append([]any{q.Collection, t.Render(*q.Text)}, args...)...)
}

// backfillBatch is how many versions one step of BackfillText indexes.
const backfillBatch = 2000

// BackfillText indexes the words of the versions stored before the text
// index existed (migration 0015), in batches of one transaction each, so
// that an interrupted run goes on where it stopped; progress, if not nil,
// is told the last seq indexed and the last to index after each batch.
func (s *DB) BackfillText(ctx context.Context, progress func(done, upto int64)) error {
	for {
		finished, err := s.backfillStep(ctx, progress)
		if err != nil || finished {
			return err
		}
	}
}

func (s *DB) backfillStep(ctx context.Context, progress func(done, upto int64)) (bool, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return false, s.wrap("begin", err)
	}
	defer tx.Rollback()
	var upto, done int64
	err = tx.QueryRowContext(ctx, `SELECT upto, done FROM text_backfill`+s.d.LockRow).Scan(&upto, &done)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	} else if err != nil {
		return false, s.wrap("text backfill", err)
	}
	rows, err := tx.QueryContext(ctx, s.q(`SELECT seq, coll, raw FROM objects WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT `+strconv.Itoa(backfillBatch)), done, upto)
	if err != nil {
		return false, s.wrap("text backfill", err)
	}
	var batch []textRow
	scanned := 0
	for rows.Next() {
		scanned++
		var r textRow
		var raw []byte
		if err := rows.Scan(&r.seq, &r.coll, &raw); err != nil {
			rows.Close()
			return false, s.wrap("text backfill", err)
		}
		if r.words = vigie.SearchText(raw); r.words != "" {
			batch = append(batch, r)
		}
		done = r.seq
	}
	if err := rows.Close(); err != nil {
		return false, s.wrap("text backfill", err)
	}
	finished := scanned < backfillBatch || done >= upto
	if err := s.insertText(ctx, tx, batch); err != nil {
		return false, err
	}
	if finished {
		_, err = tx.ExecContext(ctx, `DELETE FROM text_backfill`)
	} else {
		_, err = tx.ExecContext(ctx, s.q(`UPDATE text_backfill SET done = ?`), done)
	}
	if err != nil {
		return false, s.wrap("text backfill", err)
	}
	if err := tx.Commit(); err != nil {
		return false, s.wrap("commit", err)
	}
	if progress != nil {
		progress(done, upto)
	}
	return finished, nil
}

// RenderFTS5 writes q as an SQLite FTS5 query over column body: each
// term a quoted phrase (words are letters and digits only, so nothing in
// them is FTS5 syntax), "*" after a prefix, every term required.
func RenderFTS5(q vigie.TextQuery) string {
	parts := make([]string, len(q.Terms))
	for i, t := range q.Terms {
		parts[i] = `"` + strings.Join(t.Words, " ") + `"`
		if t.Prefix {
			parts[i] += " *"
		}
	}
	return strings.Join(parts, " AND ")
}

// RenderTSQuery writes q as a PostgreSQL tsquery: the words of a phrase
// joined by <->, ":*" after a prefix, terms joined by &. Words are letters
// and digits only, so quoting them is enough.
func RenderTSQuery(q vigie.TextQuery) string {
	parts := make([]string, len(q.Terms))
	for i, t := range q.Terms {
		ws := make([]string, len(t.Words))
		for j, w := range t.Words {
			ws[j] = "'" + w + "'"
		}
		if t.Prefix {
			ws[len(ws)-1] += ":*"
		}
		parts[i] = "(" + strings.Join(ws, " <-> ") + ")"
	}
	return strings.Join(parts, " & ")
}
