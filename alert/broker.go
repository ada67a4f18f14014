package alert

import (
	"sync"

	"github.com/vigie-cti/vigie"
)

// Broker wakes the live streams of an organisation when events of its are
// recorded. Streams read the events themselves from the store, so a missed
// wake-up costs latency, never an event. It is safe for concurrent use.
type Broker struct {
	mu   sync.Mutex
	subs map[string]map[chan struct{}]bool
}

// NewBroker returns a broker with no subscribers.
func NewBroker() *Broker { return &Broker{subs: map[string]map[chan struct{}]bool{}} }

// Subscribe returns a channel that receives a value when events of org may
// be waiting, and the function that ends the subscription.
func (b *Broker) Subscribe(org string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	b.mu.Lock()
	if b.subs[org] == nil {
		b.subs[org] = map[chan struct{}]bool{}
	}
	b.subs[org][ch] = true
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		delete(b.subs[org], ch)
		if len(b.subs[org]) == 0 {
			delete(b.subs, org)
		}
		b.mu.Unlock()
	}
}

// Publish wakes the subscribers of the organisations of evs.
func (b *Broker) Publish(evs []vigie.AlertEvent) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, ev := range evs {
		for ch := range b.subs[ev.OrgID] {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
}

// WakeAll wakes every subscriber (events recorded by another process).
func (b *Broker) WakeAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, set := range b.subs {
		for ch := range set {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
}
