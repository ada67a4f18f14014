package hub

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/vigie-cti/vigie"
)

// Sightings back. On the hub that relayed an indicator (A), SightingsBack
// gathers what its members sighted of the indicators that came through one
// peer; on the indicator's hub (B), ReceiveSightings takes the report from
// the peer hub's key and feeds the "sighted by N organisations" early
// warning. Members of A are never named: each is a token keyed with a
// secret that never leaves A (observerToken), different for each indicator.

// ReceiveSightings stores a report of sightings a peer hub sent back about
// indicators of collection id of root. The caller's key must be of role
// peer and read the collection. A sighting of an indicator the caller may
// not read there (unknown, AMBER, RED, not granted) is dropped and counted
// as dropped, the same whatever the reason, so the answer reveals nothing.
// A report whose stream position was passed already is not added again.
// EFORBIDDEN for another role, ENOTFOUND for a collection the caller may
// not read, EINVALID for a malformed report.
func (h *Hub) ReceiveSightings(ctx context.Context, p vigie.Principal, root, id string, r *vigie.SightingReport) (*vigie.SightingsReceived, error) {
	if err := Allow(p, vigie.RolePeer); err != nil {
		return nil, err
	}
	c, a, err := h.Collection(ctx, p, root, id)
	if err != nil {
		return nil, err
	}
	if !a.Read {
		return nil, vigie.Errorf(vigie.ENOTFOUND, "no collection %s in API root %q", id, root)
	}
	return h.takeSightings(ctx, p, c, p.Scope(a, h.cfg.DefaultTLP), p.OrgID, r)
}

// takeSightings stores the sightings of r (as the peer hub known here as
// peerOrg reported them) whose indicator scope reads in c, and records
// the report in the audit log. The others are dropped and counted.
func (h *Hub) takeSightings(ctx context.Context, p vigie.Principal, c *vigie.Collection, scope vigie.ReadScope, peerOrg string, r *vigie.SightingReport) (*vigie.SightingsReceived, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	readable, err := h.readableIndicators(ctx, scope, c, r.Sightings)
	if err != nil {
		return nil, err
	}
	kept := &vigie.SightingReport{Stream: r.Stream, After: r.After, Through: r.Through}
	late := h.now().Add(time.Hour) // a sighting from the future is a clock gone wrong
	for _, s := range r.Sightings {
		if readable[s.IndicatorID] && !s.FirstSeen.After(late) {
			kept.Sightings = append(kept.Sightings, s)
		}
	}
	out := &vigie.SightingsReceived{Accepted: len(kept.Sightings), Dropped: len(r.Sightings) - len(kept.Sightings)}
	if out.Position, out.Added, err = h.store.AddRelayedSightings(ctx, peerOrg, kept); err != nil {
		return nil, err
	}
	if !out.Added {
		out.Accepted = 0
		return out, nil
	}
	if out.Accepted > 0 {
		var total int64
		for _, s := range kept.Sightings {
			total += s.Count
		}
		e := h.newEntry(p, vigie.AuditSightingsIn, "collection "+c.ID, vigie.OutcomeSuccess)
		e.Reason = "sightings a peer hub reported back (its members unnamed)"
		if err := h.record(ctx, withDetail(e, map[string]any{"peer": peerOrg, "stream": r.Stream, "through": r.Through,
			"sightings": out.Accepted, "count": total, "dropped": out.Dropped})); err != nil {
			return nil, err
		}
		if h.cfg.OnPublish != nil {
			h.cfg.OnPublish() // the engine counts them
		}
	}
	return out, nil
}

// readableIndicators returns which indicators of the sightings scope reads
// in c (some version of them), as a TAXII read would.
func (h *Hub) readableIndicators(ctx context.Context, scope vigie.ReadScope, c *vigie.Collection, ss []vigie.RelayedSighting) (map[string]bool, error) {
	var ids []string
	for _, s := range ss {
		if !slices.Contains(ids, s.IndicatorID) {
			ids = append(ids, s.IndicatorID)
		}
	}
	out := map[string]bool{}
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		page, err := h.store.Objects(ctx, &vigie.ObjectQuery{Collection: c.ID, Scope: scope, IDs: ids[start:min(start+chunk, len(ids))],
			Versions: vigie.VersionFilter{All: true}, Limit: 1 << 20, WithoutRaw: true})
		if err != nil {
			return nil, err
		}
		for _, o := range page.Objects {
			if o.Type == "indicator" && vigie.CanRead(scope, o.Sharing) { // the SQL applied it; a second lock
				out[o.ID] = true
			}
		}
	}
	return out, nil
}

// RelayedCounts returns what peer hubs reported of an indicator seen at
// or after since. Operators only (the dashboard's object view adds them
// itself once it has checked the reader may see the indicator).
func (h *Hub) RelayedCounts(ctx context.Context, p vigie.Principal, indicatorID string, since time.Time) (vigie.RelayedCount, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return vigie.RelayedCount{}, err
	}
	return h.store.RelayedCounts(ctx, indicatorID, since)
}

// SightingsBack scans collection coll after after (at most limit object
// versions) for sightings to send back to peer: the first version of each
// sighting a local organisation published, marked to leave the hub (CLEAR
// or GREEN), of an indicator that came through that peer. Relayed
// sightings are never sent (no loops); corrections of a sighting are not
// either. It returns them aggregated per member token and UTC day, the
// date_added of the last version scanned (the next after), and whether
// there may be more. Operators only.
func (h *Hub) SightingsBack(ctx context.Context, p vigie.Principal, peer *vigie.Peer, coll string, after time.Time, limit int) ([]vigie.RelayedSighting, time.Time, bool, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, after, false, err
	}
	objs, err := h.store.ScanObjects(ctx, coll, after, limit)
	if err != nil || len(objs) == 0 {
		return nil, after, false, err
	}
	through, more := objs[len(objs)-1].DateAdded, len(objs) >= limit
	type found struct {
		o *vigie.Object
		s sightingFields
	}
	var list []found
	var ids []string
	for _, o := range objs {
		if o.Type != "sighting" || !vigie.MayLeave(o.TLP.Effective(h.cfg.DefaultTLP), true) {
			continue
		}
		var s sightingFields
		if json.Unmarshal(o.Raw, &s) != nil || !strings.HasPrefix(s.Of, "indicator--") || s.Created != s.Modified {
			continue
		}
		list = append(list, found{o, s})
		ids = append(ids, o.ID, s.Of)
	}
	if len(list) == 0 {
		return nil, through, more, nil
	}
	origins, err := h.store.Origins(ctx, ids)
	if err != nil {
		return nil, after, false, err
	}
	secret, err := h.store.HubSecret(ctx, "sighting-observers")
	if err != nil {
		return nil, after, false, err
	}
	orgs := orgIndex{store: h.store}
	agg := map[string]*vigie.RelayedSighting{}
	now := h.now().UTC()
	for _, f := range list {
		if _, relayed := origins[f.o.ID]; relayed || origins[f.s.Of].Peer != peer.Name {
			continue
		}
		if local, err := orgs.isOrg(ctx, f.o.Publisher); err != nil {
			return nil, after, false, err
		} else if !local {
			continue
		}
		first, last := f.s.window(f.o.DateAdded, now)
		rs := vigie.RelayedSighting{IndicatorID: f.s.Of, Observer: observerToken(secret, peer, f.s.Of, f.o.Publisher), Day: vigie.SightingDay(last),
			Count: min(max(f.s.count(), 1), vigie.MaxSightingCount), FirstSeen: maxTime(first, vigie.SightingDay(last)), LastSeen: last}
		k := rs.IndicatorID + " " + rs.Observer + " " + rs.Day.String()
		if a := agg[k]; a != nil {
			a.Count = min(a.Count+rs.Count, vigie.MaxSightingCount)
			a.FirstSeen, a.LastSeen = minTime(a.FirstSeen, rs.FirstSeen), maxTime(a.LastSeen, rs.LastSeen)
		} else {
			agg[k] = &rs
		}
	}
	out := make([]vigie.RelayedSighting, 0, len(agg))
	for _, k := range sortedKeys(agg) {
		out = append(out, *agg[k])
	}
	return out, through, more, nil
}

// sightingFields are the properties of a STIX sighting sent back.
type sightingFields struct {
	Of        string `json:"sighting_of_ref"`
	Count     *int64 `json:"count"`
	FirstSeen string `json:"first_seen"`
	LastSeen  string `json:"last_seen"`
	Created   string `json:"created"`
	Modified  string `json:"modified"`
}

func (s sightingFields) count() int64 {
	if s.Count == nil {
		return 1
	}
	return *s.Count
}

// window returns when the sighting was first and last seen: its
// first_seen and last_seen, else when it was added; never after now.
func (s sightingFields) window(added, now time.Time) (time.Time, time.Time) {
	parse := func(v string, def time.Time) time.Time {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t.UTC()
		}
		return def
	}
	last := minTime(parse(s.LastSeen, added.UTC()), now)
	first := minTime(parse(s.FirstSeen, last), last)
	return first.Truncate(time.Microsecond), last.Truncate(time.Microsecond)
}

// observerToken names one member to a peer without naming it: an HMAC of
// the peer, the indicator and the member under a secret that never leaves
// this hub, so the peer tells the members that sighted one indicator
// apart, and nothing more (no peer can recompute it, even for members it
// knows).
func observerToken(secret []byte, peer *vigie.Peer, indicator, org string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(peer.Name + "\x00" + indicator + "\x00" + org))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
