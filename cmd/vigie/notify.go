package main

import (
	"context"
	"time"
)

// notifier is implemented by stores shared by several processes
// (PostgreSQL): what one process stores wakes the others at once.
type notifier interface {
	Notify(ctx context.Context, channel string) error
	Listen(ctx context.Context, channels []string, fn func(channel string)) error
}

// The channels the hub processes notify each other on.
const (
	channelObjects = "vigie_objects" // objects were stored: the engine wakes
	channelAlerts  = "vigie_alerts"  // alerts were recorded: streams and webhooks wake
)

// coalescer sends notifications without blocking its callers: requests
// made while one is being sent are merged into the next.
type coalescer struct {
	pending map[string]chan struct{}
}

func newCoalescer(ctx context.Context, n notifier, channels ...string) *coalescer {
	c := &coalescer{pending: map[string]chan struct{}{}}
	for _, ch := range channels {
		req := make(chan struct{}, 1)
		c.pending[ch] = req
		go func(ch string) {
			for {
				select {
				case <-ctx.Done():
					return
				case <-req:
					sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
					n.Notify(sctx, ch) // best effort: the others also poll every second
					cancel()
				}
			}
		}(ch)
	}
	return c
}

// send asks for a notification on channel; it never blocks.
func (c *coalescer) send(channel string) {
	if c == nil {
		return
	}
	select {
	case c.pending[channel] <- struct{}{}:
	default:
	}
}
