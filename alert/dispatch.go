package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/netguard"
)

// SignatureHeader carries the signature of a webhook delivery:
// "t=UNIX_SECONDS,v1=HEX" where HEX is HMAC-SHA256, keyed with the webhook
// secret, of the string "UNIX_SECONDS.BODY". See the README for checking it.
const SignatureHeader = "X-Vigie-Signature"

// Sign returns the signature header value of body sent at time t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// DispatcherOptions configure webhook delivery. Zero values take defaults.
type DispatcherOptions struct {
	Guard     *netguard.Guard // which targets may be called (required)
	Timeout   time.Duration   // per request (10 s)
	PerTarget int             // concurrent requests to one host (2)
	Workers   int             // concurrent requests in all (16)
	MaxAge    time.Duration   // retry for this long, then give up (24 h)
	Lease     time.Duration   // how long a claimed delivery is ours (2 min)
	Owner     string          // this process, in leases
	Logger    *slog.Logger
	Now       func() time.Time
	// OnAttempt, if set, is told the outcome of each attempt: "delivered",
	// "retry" or "failed" (metrics). It must not block.
	OnAttempt func(outcome string)
}

// Outbox is what the dispatcher needs of the store: it claims due
// deliveries, records the outcome of each attempt, and reads the secrets
// of the webhooks it signs for. vigie.Store implements it.
type Outbox interface {
	// ClaimDeliveries leases up to n pending deliveries due at now to owner.
	ClaimDeliveries(ctx context.Context, owner string, now time.Time, lease time.Duration, n int) ([]*vigie.Delivery, error)
	// FinishDelivery records the outcome of an attempt and ends the lease.
	FinishDelivery(ctx context.Context, d *vigie.Delivery) error
	// ListWebhooks returns an organisation's webhooks, with their secrets.
	ListWebhooks(ctx context.Context, orgID string) ([]*vigie.Webhook, error)
}

// Dispatcher delivers alert events to webhooks from the outbox: each
// delivery is recorded as done only after the receiver answered 2xx, and
// retried with exponential backoff until MaxAge otherwise. A slow, hanging
// or refusing receiver never holds up the others.
type Dispatcher struct {
	store Outbox
	opts  DispatcherOptions
	http  *http.Client
	wake  chan struct{}

	mu     sync.Mutex
	active int                   // deliveries being worked on
	hosts  map[string]*hostQueue // per target
}

// NewDispatcher returns a dispatcher over the outbox of store.
func NewDispatcher(store Outbox, opts DispatcherOptions) *Dispatcher {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.PerTarget <= 0 {
		opts.PerTarget = 2
	}
	if opts.Workers <= 0 {
		opts.Workers = 16
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = 24 * time.Hour
	}
	if opts.Lease <= 0 {
		opts.Lease = 2 * time.Minute
	}
	if opts.Owner == "" {
		opts.Owner = vigie.NewUUID()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: opts.Guard.Control}
	client := &http.Client{
		Timeout: opts.Timeout,
		Transport: &http.Transport{
			DialContext:           dialer.DialContext,
			Proxy:                 nil, // never through a proxy the environment names
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: opts.Timeout,
			MaxIdleConnsPerHost:   opts.PerTarget,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Dispatcher{store: store, opts: opts, http: client, wake: make(chan struct{}, 1), hosts: map[string]*hostQueue{}}
}

// Wake tells the dispatcher that deliveries were queued; it never blocks.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// maxQueued bounds the deliveries waiting in memory for one busy target;
// beyond it they go back to the outbox for a second.
const maxQueued = 16

// Run delivers until ctx ends: at once when woken, every second otherwise.
// Each target gets at most PerTarget requests at a time; its other
// deliveries wait in a short queue, served by the same workers as soon as
// one of its requests ends, so that a burst of alerts to one receiver goes
// out back to back while a slow receiver holds only its own share.
func (d *Dispatcher) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		d.mu.Lock()
		free := d.opts.Workers - d.active
		d.mu.Unlock()
		if free > 0 {
			ds, err := d.store.ClaimDeliveries(ctx, d.opts.Owner, d.opts.Now(), d.opts.Lease, free)
			if err != nil && ctx.Err() == nil {
				d.opts.Logger.Warn("webhooks: claiming deliveries", slog.Any("err", err))
			}
			started := 0
			for _, del := range ds {
				if d.admit(del) {
					started++
					wg.Add(1)
					go func() {
						defer wg.Done()
						d.work(ctx, del)
					}()
				}
			}
			if len(ds) == free && started > 0 {
				continue // there may be more due at once
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-d.wake:
		case <-tick.C:
		}
	}
}

// admit decides what to do with a claimed delivery: start it (true), queue
// it behind its target's requests, or give it back to the outbox when the
// queue is full.
func (d *Dispatcher) admit(del *vigie.Delivery) bool {
	host := hostOf(del.URL)
	d.mu.Lock()
	defer d.mu.Unlock()
	q := d.hosts[host]
	if q == nil {
		q = &hostQueue{}
		d.hosts[host] = q
	}
	switch {
	case q.busy < d.opts.PerTarget:
		q.busy++
		d.active++
		return true
	case len(q.waiting) < maxQueued:
		q.waiting = append(q.waiting, del)
		return false
	}
	del.NextAttempt = d.opts.Now().Add(time.Second) // not an attempt: no count
	go d.finish(del)
	return false
}

// work delivers del, then the deliveries queued for its target, one after
// the other, and frees its worker when there are none.
func (d *Dispatcher) work(ctx context.Context, del *vigie.Delivery) {
	host := hostOf(del.URL)
	for del != nil {
		d.deliver(ctx, del)
		d.mu.Lock()
		q := d.hosts[host]
		del = nil
		if len(q.waiting) > 0 && ctx.Err() == nil {
			del, q.waiting = q.waiting[0], q.waiting[1:]
		} else {
			q.busy--
			d.active--
			if q.busy == 0 && len(q.waiting) == 0 {
				delete(d.hosts, host)
			}
		}
		d.mu.Unlock()
	}
	d.Wake()
}

// hostQueue is the state of one target: requests in flight, and the
// deliveries waiting for one of them to end.
type hostQueue struct {
	busy    int
	waiting []*vigie.Delivery
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	return raw
}

// deliver makes one attempt and records its outcome: delivered, retried
// later (the notifier said the failure is worth retrying), or failed.
func (d *Dispatcher) deliver(ctx context.Context, del *vigie.Delivery) {
	status, err := d.post(ctx, del)
	now := d.opts.Now()
	del.Attempts++
	del.LastStatus = status
	if err == nil {
		del.State, del.Delivered, del.LastError = vigie.DeliveryDelivered, now, ""
		d.finish(del)
		d.attempted("delivered")
		return
	}
	if ctx.Err() != nil {
		return // shutting down: the lease runs out and another attempt follows
	}
	del.LastError = err.Error()
	if !err.Retryable() {
		del.State = vigie.DeliveryFailed
		d.opts.Logger.Warn("webhooks: delivery failed for good", slog.Int64("delivery", del.ID), slog.String("url", del.URL), slog.String("err", err.Error()))
		d.finish(del)
		d.attempted("failed")
		return
	}
	del.NextAttempt = now.Add(max(backoff(del.Attempts), err.RetryAfter()))
	outcome := "retry"
	if del.NextAttempt.Sub(del.Created) > d.opts.MaxAge {
		del.State, outcome = vigie.DeliveryFailed, "failed"
		d.opts.Logger.Warn("webhooks: giving up a delivery", slog.Int64("delivery", del.ID), slog.String("url", del.URL), slog.String("err", err.Error()))
	}
	d.finish(del)
	d.attempted(outcome)
}

// attempted tells OnAttempt the outcome of an attempt.
func (d *Dispatcher) attempted(outcome string) {
	if d.opts.OnAttempt != nil {
		d.opts.OnAttempt(outcome)
	}
}

func (d *Dispatcher) finish(del *vigie.Delivery) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.store.FinishDelivery(ctx, del); err != nil {
		d.opts.Logger.Warn("webhooks: recording a delivery", slog.Int64("delivery", del.ID), slog.Any("err", err))
	}
}

// post sends the delivery once; a nil error means a 2xx answer. The
// error says whether another attempt is worth making (see notify.go).
func (d *Dispatcher) post(ctx context.Context, del *vigie.Delivery) (int, *deliveryError) {
	secret, err := d.secret(ctx, del)
	if err != nil {
		return 0, err
	}
	req, rerr := http.NewRequestWithContext(ctx, "POST", del.URL, bytes.NewReader(del.Body))
	if rerr != nil {
		return 0, permanent("bad URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "vigie-webhook/1")
	req.Header.Set(SignatureHeader, Sign(secret, d.opts.Now(), del.Body))
	req.Header.Set("X-Vigie-Delivery", strconv.FormatInt(del.ID, 10))
	res, rerr := d.http.Do(req)
	if rerr != nil {
		return 0, transportError(rerr, d.opts.Timeout)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	return res.StatusCode, answerError(res, d.opts.Now())
}

// secret returns the signing secret of the delivery's webhook, read from
// the store at each attempt so that a changed secret takes effect at once.
func (d *Dispatcher) secret(ctx context.Context, del *vigie.Delivery) (string, *deliveryError) {
	hooks, err := d.store.ListWebhooks(ctx, del.OrgID)
	if err != nil {
		d.opts.Logger.Warn("webhooks: reading the webhook's secret", slog.Int64("delivery", del.ID), slog.Any("err", err))
		return "", retryable("the hub could not read the webhook's secret", 0)
	}
	for _, h := range hooks {
		if h.ID == del.WebhookID {
			return h.Secret, nil
		}
	}
	return "", permanent(fmt.Sprintf("webhook %s was deleted", del.WebhookID))
}

// backoff is the wait after the n-th failed attempt: 5 s doubling up to an
// hour, with ±20% jitter so that receivers coming back are not stampeded.
func backoff(n int) time.Duration {
	d := 5 * time.Second << min(n-1, 10)
	if d > time.Hour {
		d = time.Hour
	}
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}
