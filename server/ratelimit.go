package server

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// buckets is a table of token buckets, one per key (an address, a key id),
// bounded in size: when full, buckets that have refilled (they are the
// same as new ones) are dropped first, then random ones. Safe for
// concurrent use.
type buckets struct {
	rate  float64 // tokens added per second
	burst float64 // capacity
	max   int     // buckets kept

	mu sync.Mutex
	m  map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds each table: about 100 bytes a bucket.
const maxBuckets = 65536

// newBuckets returns a table of buckets holding burst tokens and refilled
// with rate tokens a second; nil (no limit) when rate or burst is not
// positive.
func newBuckets(rate float64, burst int) *buckets {
	if rate <= 0 || burst <= 0 {
		return nil
	}
	return &buckets{rate: rate, burst: float64(burst), max: maxBuckets, m: map[string]*bucket{}}
}

// take removes a token from key's bucket. When there is none it returns
// false and the wait until there is one.
func (b *buckets) take(key string, now time.Time) (bool, time.Duration) {
	if b == nil {
		return true, 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	k := b.refill(key, now)
	if k.tokens < 1 {
		return false, b.wait(k)
	}
	k.tokens--
	return true, 0
}

// check reports whether key's bucket holds a token, without taking it.
func (b *buckets) check(key string, now time.Time) (bool, time.Duration) {
	if b == nil {
		return true, 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	k, ok := b.m[key]
	if !ok {
		return true, 0
	}
	b.fill(k, now)
	if k.tokens < 1 {
		return false, b.wait(k)
	}
	return true, 0
}

func (b *buckets) wait(k *bucket) time.Duration {
	return time.Duration(math.Ceil((1 - k.tokens) / b.rate * float64(time.Second)))
}

func (b *buckets) fill(k *bucket, now time.Time) {
	if el := now.Sub(k.last).Seconds(); el > 0 {
		k.tokens = min(b.burst, k.tokens+el*b.rate)
	}
	k.last = now
}

// refill returns key's bucket, brought up to date, making room for it.
func (b *buckets) refill(key string, now time.Time) *bucket {
	if k, ok := b.m[key]; ok {
		b.fill(k, now)
		return k
	}
	if len(b.m) >= b.max {
		b.evict(now)
	}
	k := &bucket{tokens: b.burst, last: now}
	b.m[key] = k
	return k
}

// evict drops the buckets that have refilled, then random ones until a
// quarter of the table is free, so that a flood of new keys costs one
// sweep per max/4 of them.
func (b *buckets) evict(now time.Time) {
	for key, k := range b.m {
		if b.fill(k, now); k.tokens >= b.burst {
			delete(b.m, key)
		}
	}
	for key := range b.m { // map order is random
		if len(b.m) <= b.max*3/4 {
			break
		}
		delete(b.m, key)
	}
}

// len returns the number of buckets kept.
func (b *buckets) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.m)
}

// clientAddr returns the key of a request's source for limits: its IP
// address, or for IPv6 its /64, the block a single client usually holds.
// Behind a reverse proxy every request comes from the proxy.
func clientAddr(r *http.Request) string {
	return addrKey(r.RemoteAddr)
}

func addrKey(hostport string) string {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	a = a.Unmap().WithZone("")
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
