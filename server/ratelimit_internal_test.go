package server

import (
	"strconv"
	"testing"
	"time"
)

// TestBucketsBounded checks that a flood of keys never grows the table
// past its bound, and that a drained bucket refills at its rate.
func TestBucketsBounded(t *testing.T) {
	b := newBuckets(1, 2)
	b.max = 100
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 10000; i++ {
		b.take(strconv.Itoa(i), now)
		if b.len() > b.max {
			t.Fatalf("%d buckets after %d keys, bound %d", b.len(), i+1, b.max)
		}
	}
	b.take("k", now)
	b.take("k", now)
	if ok, wait := b.take("k", now); ok || wait != time.Second {
		t.Errorf("third take of a 2-token bucket: %v, wait %v; want refused, 1s", ok, wait)
	}
	if ok, _ := b.check("k", now.Add(time.Second)); !ok {
		t.Error("bucket not refilled after a second")
	}
	if ok, _ := newBuckets(0, 5).take("x", now); !ok {
		t.Error("a disabled limit refused")
	}
}

// TestAddrKey checks the source keys: IPv6 clients count by /64.
func TestAddrKey(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:5000": "127.0.0.1", "[::ffff:10.0.0.1]:1": "10.0.0.1", "[2001:db8:1:2:3:4:5:6]:80": "2001:db8:1:2::/64",
		"[fe80::1%eth0]:80": "fe80::/64", "garbage": "garbage",
	} {
		if got := addrKey(in); got != want {
			t.Errorf("addrKey(%q) = %q, want %q", in, got, want)
		}
	}
}
