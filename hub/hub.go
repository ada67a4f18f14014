// Package hub holds the hub's use cases on top of a vigie.Store: who is
// calling (keys), what they may see of a collection (TLP), publishing
// (validation, provenance, sharing facts), watchlists, webhooks, alerts,
// supply chain, administration and the audit log. Every method takes the
// caller (a vigie.Principal) and applies the rules; the HTTP server, the
// command line and the demo translate requests into these calls and never
// touch the store, so that the rules live in one place.
package hub

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/vigie-cti/vigie"
)

// Limits bound what one request may ask of the hub. Each is documented in
// the README.
type Limits struct {
	MaxObjects      int           // objects in one POST envelope
	MaxPageSize     int           // objects in one page of a GET
	StatusRetention time.Duration // how long status resources are kept (at least 24 h)
}

// The limits of a hub that sets none.
const (
	DefaultMaxObjects      = 10000
	DefaultMaxPageSize     = 10000
	DefaultStatusRetention = 7 * 24 * time.Hour
	DefaultMaxClockSkew    = time.Hour
)

// Config is the hub's policy.
type Config struct {
	DefaultTLP vigie.TLP // the level of objects without a TLP marking (GREEN unless configured)
	Limits     Limits
	// MaxClockSkew is how far in the future of the hub's clock a created
	// or modified timestamp may be (DefaultMaxClockSkew unless set).
	MaxClockSkew time.Duration
	// OnPublish, if set, is called after objects were stored (the
	// early-warning engine wakes up on it). It must not block.
	OnPublish func()
	// OnIngest, if set, is called after each envelope was stored with the
	// count of objects accepted and of those refused, by error code
	// (metrics). It must not block.
	OnIngest func(stored int, refused map[string]int)
	// Guard checks the target of each new webhook (nil: webhooks are
	// refused, EUNAVAILABLE).
	Guard URLGuard
	// Alerts tells live alert streams that events may be waiting (nil:
	// the streams poll).
	Alerts AlertNotifier
	// Logger receives what the hub cannot return to a caller, such as a
	// failure to record failed authentications (nil: discarded).
	Logger *slog.Logger
	// PublicURL is where clients reach the hub (https://hub.example:8443),
	// for the download URL of samples in STIX artifacts ("": no artifact).
	PublicURL string
	// MaxSampleSize is the largest sample accepted (DefaultMaxSampleSize
	// unless set).
	MaxSampleSize int64
	// Rules compiles the YARA indicators a submitter may read, to run
	// them on its sample (nil: no YARA on samples).
	Rules RuleCompiler
}

// URLGuard decides which addresses the hub may call: webhook targets
// must not be the hub's own machine or networks. alert.Guard implements it.
type URLGuard interface {
	// CheckURL returns an EINVALID error that says why a URL is refused.
	CheckURL(ctx context.Context, raw string) error
}

// AlertNotifier wakes the live alert streams of an organisation.
// alert.Broker implements it.
type AlertNotifier interface {
	// Subscribe returns a channel that receives a value when alert events
	// of org may be waiting, and the function that ends the subscription.
	Subscribe(org string) (<-chan struct{}, func())
}

// Hub runs the use cases. It is safe for concurrent use.
type Hub struct {
	store vigie.Store
	cfg   Config
	now   func() time.Time

	failMu   sync.Mutex
	failures map[authFailureKey]int // failed authentications not yet in the audit log

	samples sampleIndex   // the similarity index of samples (samples.go)
	signins signinLimiter // failed sign-ins of people (users.go)
	changes broadcast     // wakes Wait (federation.go)
}

// New returns a hub over store. now is the clock (time.Now in production).
func New(store vigie.Store, cfg Config, now func() time.Time) *Hub {
	if cfg.DefaultTLP == vigie.TLPNone {
		cfg.DefaultTLP = vigie.TLPGreen
	}
	if cfg.Limits.MaxObjects <= 0 {
		cfg.Limits.MaxObjects = DefaultMaxObjects
	}
	if cfg.Limits.MaxPageSize <= 0 {
		cfg.Limits.MaxPageSize = DefaultMaxPageSize
	}
	if cfg.MaxClockSkew <= 0 {
		cfg.MaxClockSkew = DefaultMaxClockSkew
	}
	if cfg.Limits.StatusRetention < 24*time.Hour {
		cfg.Limits.StatusRetention = DefaultStatusRetention
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Hub{store: store, cfg: cfg, now: now, failures: map[authFailureKey]int{}}
}

// Console returns the caller of the admin commands: the hub's operator at
// the hub's machine, with access to its data directory. It belongs to no
// organisation and has the operator role.
func Console() vigie.Principal {
	return vigie.Principal{Role: vigie.RoleOperator, Addr: ConsoleAddr}
}

// ConsoleAddr is the source address of commands run on the hub's machine.
const ConsoleAddr = "console"

// Allow refuses anonymous callers (EUNAUTHORIZED) and callers whose role
// is below want (EFORBIDDEN). Every use case applies it; adapters may call
// it to refuse a request before reading its body.
func Allow(p vigie.Principal, want vigie.Role) error {
	if p.Role == "" {
		return vigie.Errorf(vigie.EUNAUTHORIZED, "this needs an API key")
	}
	if !p.Role.Allows(want) {
		return vigie.Errorf(vigie.EFORBIDDEN, "this needs a %s key; yours is a %s key", want, p.Role)
	}
	return nil
}

// member is allow for the use cases that act for the caller's
// organisation (its watchlist, webhooks, alerts, products).
func member(p vigie.Principal, want vigie.Role) error {
	if err := Allow(p, want); err != nil {
		return err
	}
	if p.Anonymous() {
		return vigie.Errorf(vigie.EFORBIDDEN, "this acts for an organisation: use one of its API keys")
	}
	return nil
}

// Ready reports whether the store answers (readiness of the process).
func (h *Hub) Ready(ctx context.Context) error {
	if p, ok := h.store.(interface{ Ping(context.Context) error }); ok {
		return p.Ping(ctx)
	}
	return nil
}

// Config returns the hub's policy.
func (h *Hub) Config() Config { return h.cfg }

// Authenticate returns the principal behind an API key token presented
// from address addr. EUNAUTHORIZED for unknown, malformed, expired or
// revoked keys; each failure is counted for the audit log (one entry per
// key id, address and minute, see FlushAudit).
func (h *Hub) Authenticate(ctx context.Context, token, addr string) (vigie.Principal, error) {
	id, secret, ok := vigie.SplitToken(token)
	if !ok {
		h.authFailed("", addr)
		return vigie.Principal{}, vigie.Errorf(vigie.EUNAUTHORIZED, "malformed API key: want the token printed by \"vigie admin key add\" (vigie_...)")
	}
	k, err := h.store.FindKey(ctx, id)
	if vigie.ErrorCode(err) == vigie.ENOTFOUND || (err == nil && !k.Matches(secret)) {
		h.authFailed(id, addr)
		return vigie.Principal{}, vigie.Errorf(vigie.EUNAUTHORIZED, "unknown API key")
	} else if err != nil {
		return vigie.Principal{}, err
	}
	now := h.now()
	switch {
	case !k.Revoked.IsZero():
		h.authFailed(id, addr)
		return vigie.Principal{}, vigie.Errorf(vigie.EUNAUTHORIZED, "API key %s was revoked on %s", k.ID, k.Revoked.Format(time.RFC3339))
	case !k.Active(now):
		h.authFailed(id, addr)
		return vigie.Principal{}, vigie.Errorf(vigie.EUNAUTHORIZED, "API key %s expired on %s", k.ID, k.Expires.Format(time.RFC3339))
	}
	comms, err := h.store.OrgCommunities(ctx, k.OrgID)
	if err != nil {
		return vigie.Principal{}, err
	}
	return h.withPolicy(ctx, vigie.Principal{OrgID: k.OrgID, KeyID: k.ID, Role: k.Role, Communities: comms, Addr: addr})
}

// Collection returns a collection and what p may do with it. A collection
// p may neither read nor write is ENOTFOUND, so its existence is not
// revealed; for an anonymous caller, a collection that is not public and
// one that does not exist are both EUNAUTHORIZED (a key may open it).
func (h *Hub) Collection(ctx context.Context, p vigie.Principal, root, id string) (*vigie.Collection, vigie.Access, error) {
	c, err := h.store.FindCollection(ctx, root, id)
	if vigie.ErrorCode(err) == vigie.ENOTFOUND && p.Anonymous() {
		// The same answer as for a collection that exists but is not public.
		return nil, vigie.Access{}, vigie.Errorf(vigie.EUNAUTHORIZED, "collection %s needs an API key", id)
	} else if err != nil {
		return nil, vigie.Access{}, err
	}
	a := vigie.CollectionAccess(p, c)
	if !a.Read && !a.Write {
		if p.Anonymous() {
			return nil, a, vigie.Errorf(vigie.EUNAUTHORIZED, "collection %s needs an API key", id)
		}
		return nil, a, vigie.Errorf(vigie.ENOTFOUND, "no collection %s in API root %q", id, root)
	}
	return c, a, nil
}

// Collections returns the collections of an API root that p may read or
// write, with p's access to each: for an anonymous caller, the public
// ones, and EUNAUTHORIZED when there are none.
func (h *Hub) Collections(ctx context.Context, p vigie.Principal, root string) ([]*vigie.Collection, []vigie.Access, error) {
	all, err := h.store.ListCollections(ctx, root)
	if err != nil {
		return nil, nil, err
	}
	var cs []*vigie.Collection
	var as []vigie.Access
	for _, c := range all {
		if a := vigie.CollectionAccess(p, c); a.Read || a.Write {
			cs = append(cs, c)
			as = append(as, a)
		}
	}
	if len(cs) == 0 && p.Anonymous() {
		return nil, nil, vigie.Errorf(vigie.EUNAUTHORIZED, "API root %q has no public collection: this needs an API key", root)
	}
	return cs, as, nil
}

// Objects returns a page of the collection's objects that p may read. The
// caller has checked a.Read; q.Scope is set here, and q.Limit capped.
func (h *Hub) Objects(ctx context.Context, p vigie.Principal, a vigie.Access, q *vigie.ObjectQuery) (*vigie.ObjectPage, error) {
	if !a.Read {
		return nil, vigie.Errorf(vigie.EFORBIDDEN, "you may not read this collection")
	}
	q.Scope = p.Scope(a, h.cfg.DefaultTLP)
	if q.Limit <= 0 || q.Limit > h.cfg.Limits.MaxPageSize {
		q.Limit = h.cfg.Limits.MaxPageSize
	}
	page, err := h.store.Objects(ctx, q)
	if err != nil || !q.Scope.Egress {
		return page, err
	}
	// A peer hub: the store applied the rule in SQL; apply it again here.
	page.Objects = egressKept(q.Scope, page.Objects)
	return page, nil
}

// Status returns a status resource of root posted by p's organisation;
// anyone else's is ENOTFOUND.
func (h *Hub) Status(ctx context.Context, p vigie.Principal, root, id string) (*vigie.Status, error) {
	st, err := h.store.FindStatus(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Anonymous() || st.OrgID != p.OrgID || st.Root != root {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no status %s", id)
	}
	return st, nil
}

// PurgeStatuses deletes status resources older than the retention period.
func (h *Hub) PurgeStatuses(ctx context.Context) (int, error) {
	return h.store.PurgeStatuses(ctx, h.now().Add(-h.cfg.Limits.StatusRetention))
}
