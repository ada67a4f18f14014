package scan

import (
	"context"
	"sync"
	"time"

	"github.com/vigie-cti/vigie/sensor"
)

// SendFunc posts one period's sightings and returns how many the hub took.
type SendFunc func(ctx context.Context, s *sensor.Sightings) (int, error)

// Reporter gathers the hits of a scan into sightings, per indicator, and
// sends them period by period. A period the hub took none of (it was
// unreachable, say) is put back and goes out with the next one; a period
// it took part of is not sent again, so that no sighting is counted
// twice. It is safe for concurrent use.
type Reporter struct {
	send SendFunc

	mu      sync.Mutex
	pending *sensor.Sightings
	// In live mode (Live), wake is signalled by the first hit of each
	// indicator in a period; sent holds the indicators of this period.
	wake chan struct{}
	sent map[string]bool
}

// NewReporter returns a reporter that sends with send.
func NewReporter(send SendFunc) *Reporter {
	return &Reporter{send: send, pending: sensor.NewSightings()}
}

// Add counts one hit in the current period. In live mode, the first hit
// of an indicator in the period is sent at once.
func (r *Reporter) Add(h sensor.Hit) {
	r.mu.Lock()
	r.pending.Add(h)
	first := r.sent != nil && !r.sent[h.Indicator.ID]
	if first {
		r.sent[h.Indicator.ID] = true
	}
	r.mu.Unlock()
	if first {
		select {
		case r.wake <- struct{}{}:
		default: // a send is already due
		}
	}
}

// Pending returns the number of indicators sighted in the current period.
func (r *Reporter) Pending() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pending.Len()
}

// Indicators returns the number of distinct indicators sighted over all
// periods.
func (r *Reporter) Indicators() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pending.Indicators()
}

// Flush sends the current period, if it sighted anything, and starts a new
// one. It returns how many sightings the hub took; when that is none and
// sending failed, the period's hits are kept for the next Flush.
func (r *Reporter) Flush(ctx context.Context) (int, error) {
	n, _, err := r.flush(ctx)
	return n, err
}

// flush is Flush, saying whether the period was kept for the next.
func (r *Reporter) flush(ctx context.Context) (n int, restored bool, err error) {
	r.mu.Lock()
	batch := r.pending.Take()
	r.mu.Unlock()
	if batch.Len() == 0 {
		return 0, false, nil
	}
	n, err = r.send(ctx, batch)
	if err != nil && n == 0 {
		r.mu.Lock()
		r.pending.Restore(batch)
		r.mu.Unlock()
		return 0, true, err
	}
	return n, false, err
}

// Every flushes once per period until the returned function is called,
// which waits for a flush under way. Each failure goes to failed, with
// retried true when its hits were kept for the next period.
func (r *Reporter) Every(ctx context.Context, period time.Duration, failed func(err error, retried bool)) (stop func()) {
	return r.run(ctx, period, nil, failed)
}

// Live is Every, and also sends the first hit of each indicator in a period
// as soon as it is added (with whatever else is pending), so that the first
// sighting of a fresh indicator reaches the hub within moments; the other
// hits of that indicator in the period go with the period's end. Call it
// before the first Add.
func (r *Reporter) Live(ctx context.Context, period time.Duration, failed func(err error, retried bool)) (stop func()) {
	return r.run(ctx, period, r.goLive(), failed)
}

// goLive turns live mode on and returns the channel Add signals.
func (r *Reporter) goLive() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.wake = make(chan struct{}, 1)
	r.sent = map[string]bool{}
	return r.wake
}

// newPeriod forgets which indicators were sent in live mode.
func (r *Reporter) newPeriod() {
	r.mu.Lock()
	if r.sent != nil {
		clear(r.sent)
	}
	r.mu.Unlock()
}

func (r *Reporter) run(ctx context.Context, period time.Duration, wake <-chan struct{}, failed func(err error, retried bool)) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				r.newPeriod()
			case <-wake: // nil outside live mode: never ready
			}
			if _, restored, err := r.flush(ctx); err != nil {
				failed(err, restored)
			}
		}
	})
	return func() { close(done); wg.Wait() }
}
