package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vigie-cti/vigie"
)

// feedConfig is the JSON of a feed's config column.
type feedConfig struct {
	URL        string            `json:"url"`
	Format     string            `json:"format"`
	Root       string            `json:"root"`
	Collection string            `json:"collection"`
	Every      int64             `json:"every_seconds"`
	Headers    []string          `json:"headers,omitempty"`
	Columns    vigie.FeedColumns `json:"columns"`
}

// CreateFeed stores a feed subscription.
func (s *DB) CreateFeed(ctx context.Context, f *vigie.Feed) error {
	if err := f.Validate(); err != nil {
		return err
	}
	cfg, err := json.Marshal(feedConfig{URL: f.URL, Format: f.Format, Root: f.Root, Collection: f.Collection,
		Every: int64(f.Every / time.Second), Headers: f.Headers, Columns: f.Columns})
	if err != nil {
		return fmt.Errorf("create feed: %w", err)
	}
	st, err := json.Marshal(f.State)
	if err != nil {
		return fmt.Errorf("create feed: %w", err)
	}
	_, err = s.w.ExecContext(ctx, s.q(`INSERT INTO feeds (name, org_id, config, state, created) VALUES (?, ?, ?, ?, ?)`),
		f.Name, f.OrgID, string(cfg), string(st), micros(f.Created))
	switch {
	case s.d.IsUnique(err):
		return vigie.Errorf(vigie.ECONFLICT, "feed %q exists already", f.Name)
	case s.d.IsForeignKey(err):
		return vigie.Errorf(vigie.ENOTFOUND, "no organisation %q", f.OrgID)
	}
	return s.wrap("create feed", err)
}

// FindFeed returns a feed by name.
func (s *DB) FindFeed(ctx context.Context, name string) (*vigie.Feed, error) {
	f, err := scanFeed(s.r.QueryRowContext(ctx, s.q(`SELECT name, org_id, config, state, created FROM feeds WHERE name = ?`), name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no feed %q", name)
	}
	return f, s.wrap("find feed", err)
}

// ListFeeds returns every feed, by name.
func (s *DB) ListFeeds(ctx context.Context) ([]*vigie.Feed, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT name, org_id, config, state, created FROM feeds ORDER BY name`))
	if err != nil {
		return nil, s.wrap("list feeds", err)
	}
	defer rows.Close()
	var out []*vigie.Feed
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			return nil, s.wrap("list feeds", err)
		}
		out = append(out, f)
	}
	return out, s.wrap("list feeds", rows.Err())
}

// DeleteFeed deletes a feed.
func (s *DB) DeleteFeed(ctx context.Context, name string) error {
	res, err := s.w.ExecContext(ctx, s.q(`DELETE FROM feeds WHERE name = ?`), name)
	if err != nil {
		return s.wrap("delete feed", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return s.wrap("delete feed", err)
	} else if n == 0 {
		return vigie.Errorf(vigie.ENOTFOUND, "no feed %q", name)
	}
	return nil
}

// SaveFeedState records what a run of the feed saw.
func (s *DB) SaveFeedState(ctx context.Context, name string, st vigie.FeedState) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("save feed state: %w", err)
	}
	res, err := s.w.ExecContext(ctx, s.q(`UPDATE feeds SET state = ? WHERE name = ?`), string(b), name)
	if err != nil {
		return s.wrap("save feed state", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return s.wrap("save feed state", err)
	} else if n == 0 {
		return vigie.Errorf(vigie.ENOTFOUND, "no feed %q", name)
	}
	return nil
}

func scanFeed(r interface{ Scan(...any) error }) (*vigie.Feed, error) {
	var f vigie.Feed
	var cfg, st string
	var created int64
	if err := r.Scan(&f.Name, &f.OrgID, &cfg, &st, &created); err != nil {
		return nil, err
	}
	var c feedConfig
	if err := json.Unmarshal([]byte(cfg), &c); err != nil {
		return nil, fmt.Errorf("feed %s: config: %w", f.Name, err)
	}
	if err := json.Unmarshal([]byte(st), &f.State); err != nil {
		return nil, fmt.Errorf("feed %s: state: %w", f.Name, err)
	}
	f.URL, f.Format, f.Root, f.Collection = c.URL, c.Format, c.Root, c.Collection
	f.Every, f.Headers, f.Columns = time.Duration(c.Every)*time.Second, c.Headers, c.Columns
	f.Created = fromMicros(created)
	return &f, nil
}
