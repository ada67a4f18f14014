package server

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// ConnLimiter is a listener that keeps at most max connections open at a
// time and at most perAddr from one source address (an IPv6 client counts
// by its /64). Idle keep-alive connections do not hold a place: when a new
// connection needs one, the oldest idle connection (of that address, or
// of any for the total) is closed. Past the total, Accept waits for a
// connection to close; past an address's limit with none idle, the new
// connection is closed before any byte is read. Zero or less disables a
// limit. It wraps the TCP listener, under TLS; the http.Server must call
// its ConnState.
type ConnLimiter struct {
	net.Listener
	slots   chan struct{} // a token per open connection (nil: no total limit)
	perAddr int
	done    chan struct{}
	close   sync.Once

	mu    sync.Mutex
	conns map[string]map[*limitConn]struct{} // open connections per source
}

// LimitListener returns ln limited to max connections in all and perAddr
// per source address.
func LimitListener(ln net.Listener, max, perAddr int) *ConnLimiter {
	l := &ConnLimiter{Listener: ln, perAddr: perAddr, conns: map[string]map[*limitConn]struct{}{}, done: make(chan struct{})}
	if max > 0 {
		l.slots = make(chan struct{}, max)
	}
	return l
}

// Accept returns the next connection whose source is under its limit,
// once there is room for it.
func (l *ConnLimiter) Accept() (net.Conn, error) {
	for {
		if l.slots != nil {
			select {
			case l.slots <- struct{}{}:
			default:
				if v := l.idle(""); v != nil {
					v.Close()
				}
				select {
				case l.slots <- struct{}{}:
				case <-l.done:
					return nil, net.ErrClosed
				}
			}
		}
		c, err := l.Listener.Accept()
		if err != nil {
			l.freeSlot()
			return nil, err
		}
		lc := &limitConn{Conn: c, l: l, key: addrKey(c.RemoteAddr().String())}
		if !l.admit(lc) {
			c.Close()
			l.freeSlot()
			continue
		}
		return lc, nil
	}
}

// admit registers c, closing an idle connection of its source if that
// makes room; false when the source has its limit of active connections.
func (l *ConnLimiter) admit(c *limitConn) bool {
	if l.perAddr > 0 {
		l.mu.Lock()
		full := len(l.conns[c.key]) >= l.perAddr
		l.mu.Unlock()
		if full {
			v := l.idle(c.key)
			if v == nil {
				return false
			}
			v.Close()
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	set := l.conns[c.key]
	if set == nil {
		set = map[*limitConn]struct{}{}
		l.conns[c.key] = set
	}
	set[c] = struct{}{}
	return true
}

// idle returns the connection of source key ("" for any) that has been
// idle longest, or nil.
func (l *ConnLimiter) idle(key string) *limitConn {
	l.mu.Lock()
	defer l.mu.Unlock()
	var oldest *limitConn
	pick := func(set map[*limitConn]struct{}) {
		for c := range set {
			if c.idle && (oldest == nil || c.idleSince.Before(oldest.idleSince)) {
				oldest = c
			}
		}
	}
	if key != "" {
		pick(l.conns[key])
	} else {
		for _, set := range l.conns {
			pick(set)
		}
	}
	return oldest
}

func (l *ConnLimiter) leave(c *limitConn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if set := l.conns[c.key]; set != nil {
		delete(set, c)
		if len(set) == 0 {
			delete(l.conns, c.key)
		}
	}
}

func (l *ConnLimiter) freeSlot() {
	if l.slots != nil {
		<-l.slots
	}
}

// ConnState is the http.Server hook that tells the limiter which
// connections are idle.
func (l *ConnLimiter) ConnState(c net.Conn, s http.ConnState) {
	for {
		if lc, ok := c.(*limitConn); ok {
			l.mu.Lock()
			lc.idle = s == http.StateIdle
			lc.idleSince = time.Now()
			l.mu.Unlock()
			return
		}
		u, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			return
		}
		c = u.NetConn()
	}
}

// Close closes the listener and wakes an Accept waiting for room.
func (l *ConnLimiter) Close() error {
	l.close.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn gives its place back once, when closed.
type limitConn struct {
	net.Conn
	l    *ConnLimiter
	key  string
	once sync.Once
	// idle and idleSince are guarded by l.mu.
	idle      bool
	idleSince time.Time
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.leave(c); c.l.freeSlot() })
	return err
}
