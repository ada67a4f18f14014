package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// Notify sends a notification on channel to every process listening on
// this database (PostgreSQL NOTIFY), delivered at commit.
func (s *Store) Notify(ctx context.Context, channel string) error {
	_, err := s.db.ExecContext(ctx, `SELECT pg_notify($1, '')`, channel)
	if err != nil {
		return fmt.Errorf("postgres: notify %s: %w", channel, err)
	}
	return nil
}

// Listen calls fn with the channel of each notification on channels, until
// ctx ends. It holds one connection of its own and reconnects (with
// backoff) when the database goes away, calling fn for every channel after
// a reconnection, since notifications sent meanwhile are lost.
func (s *Store) Listen(ctx context.Context, channels []string, fn func(channel string)) error {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := s.listenOnce(ctx, channels, fn, func() { backoff = 100 * time.Millisecond })
		if ctx.Err() != nil {
			return nil
		}
		_ = err // the database went away: wait and listen again
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 10*time.Second)
		for _, c := range channels {
			fn(c)
		}
	}
	return nil
}

func (s *Store) listenOnce(ctx context.Context, channels []string, fn func(string), connected func()) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		for _, c := range channels {
			if _, err := pc.Exec(ctx, `LISTEN "`+c+`"`); err != nil {
				return err
			}
		}
		connected()
		for {
			n, err := pc.WaitForNotification(ctx)
			if err != nil {
				return err
			}
			fn(n.Channel)
		}
	})
}
