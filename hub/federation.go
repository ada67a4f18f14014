package hub

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/vigie-cti/vigie"
)

// Federation: this hub's identity among its peers, the peers it pulls
// from, and what a peer hub reads here. What a peer may read is decided by
// vigie.CanRead with the Egress scope of a key of role peer (access.go):
// TLP:CLEAR, and TLP:GREEN when the peer's organisation is granted read as
// a member; never anything else, on every read path.

// HubIdentity returns this hub's identity (made on first use).
func (h *Hub) HubIdentity(ctx context.Context) (*vigie.HubIdentity, error) {
	return h.store.HubIdentity(ctx)
}

// HubOperator returns the organisation that operates the hub, or nil when
// none was set.
func (h *Hub) HubOperator(ctx context.Context) (*vigie.HubIdentity, *vigie.Org, error) {
	id, err := h.store.HubIdentity(ctx)
	if err != nil || id.Operator == "" {
		return id, nil, err
	}
	o, err := h.store.FindOrg(ctx, id.Operator)
	if vigie.ErrorCode(err) == vigie.ENOTFOUND {
		return id, nil, nil
	}
	return id, o, err
}

// SetHubOperator records the organisation (name or id) that operates the
// hub; discovery shows it to peers. Operators only.
func (h *Hub) SetHubOperator(ctx context.Context, p vigie.Principal, org string) (*vigie.HubIdentity, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, err
	}
	o, err := h.store.FindOrg(ctx, org)
	if err != nil {
		return nil, err
	}
	if err := h.store.SetHubOperator(ctx, o.ID); err != nil {
		return nil, err
	}
	e := h.newEntry(p, vigie.AuditHubOperator, "hub", vigie.OutcomeSuccess)
	e.TargetOrg = o.ID
	if err := h.record(ctx, e); err != nil {
		return nil, err
	}
	return h.store.HubIdentity(ctx)
}

// collectionByID returns the collection with this id, in whichever API
// root it is. ENOTFOUND.
func (h *Hub) collectionByID(ctx context.Context, id string) (*vigie.Collection, error) {
	all, err := h.store.ListCollections(ctx, "")
	if err != nil {
		return nil, err
	}
	for _, c := range all {
		if c.ID == id {
			return c, nil
		}
	}
	return nil, vigie.Errorf(vigie.ENOTFOUND, "no collection %s on this hub", id)
}

// AddPeer registers a hub to pull from into one of this hub's collections.
// The running hub starts pulling within seconds. The peer's key is kept to
// be presented to the remote hub, and is never shown again nor audited
// (only its public id). Operators only. EINVALID, ENOTFOUND (the local
// collection), ECONFLICT (the name).
func (h *Hub) AddPeer(ctx context.Context, p vigie.Principal, peer *vigie.Peer) error {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return err
	}
	peer.URL = strings.TrimSuffix(peer.URL, "/") + "/"
	if peer.Push {
		pol, err := h.resolvePolicy(ctx, peer.Policy) // egress.go
		if err != nil {
			return err
		}
		peer.Policy = pol
	}
	if err := peer.Validate(); err != nil {
		return err
	}
	if _, err := h.collectionByID(ctx, peer.LocalCollection); err != nil {
		return err
	}
	if id, _, ok := vigie.SplitToken(peer.Key.Reveal()); ok {
		peer.KeyID = id
	}
	peer.Created, peer.State = h.now().UTC(), vigie.PeerState{}
	if err := h.store.CreatePeer(ctx, peer); err != nil {
		return err
	}
	u, _ := url.Parse(peer.URL)
	e := h.newEntry(p, vigie.AuditPeerAdd, "peer "+peer.Name, vigie.OutcomeSuccess)
	detail := map[string]any{"url": u.Redacted(), "key_id": peer.KeyID,
		"remote_collection": peer.RemoteCollection, "local_collection": peer.LocalCollection, "fingerprint": peer.Fingerprint}
	if !peer.Policy.IsZero() {
		detail["policy"] = policyDetail(peer.Policy)
	}
	return h.record(ctx, withDetail(e, detail))
}

// Peers returns every peer, by name, with their state. Operators only.
// The keys are in the values (for the puller) but never print (vigie.Secret).
func (h *Hub) Peers(ctx context.Context, p vigie.Principal) ([]*vigie.Peer, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, err
	}
	return h.store.ListPeers(ctx)
}

// Peer returns one peer. Operators only. ENOTFOUND.
func (h *Hub) Peer(ctx context.Context, p vigie.Principal, name string) (*vigie.Peer, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, err
	}
	return h.store.FindPeer(ctx, name)
}

// RemovePeer stops pulling from a peer and forgets it (objects already
// relayed stay). Operators only. ENOTFOUND.
func (h *Hub) RemovePeer(ctx context.Context, p vigie.Principal, name string) error {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return err
	}
	if err := h.store.DeletePeer(ctx, name); err != nil {
		return err
	}
	return h.record(ctx, h.newEntry(p, vigie.AuditPeerDelete, "peer "+name, vigie.OutcomeSuccess))
}

// PausePeer pauses (or resumes) pulling from a peer; its cursor is kept.
// Operators only. ENOTFOUND.
func (h *Hub) PausePeer(ctx context.Context, p vigie.Principal, name string, paused bool) error {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return err
	}
	if err := h.store.SetPeerPaused(ctx, name, paused); err != nil {
		return err
	}
	e := h.newEntry(p, vigie.AuditPeerPause, "peer "+name, vigie.OutcomeSuccess)
	return h.record(ctx, withDetail(e, map[string]bool{"paused": paused}))
}

// LeadFederation makes this process the one that pulls from peers, if no
// other process sharing the database does; release gives it up.
// Operators only.
func (h *Hub) LeadFederation(ctx context.Context, p vigie.Principal) (release func(), ok bool, err error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, false, err
	}
	self, err := h.store.HubIdentity(ctx)
	if err != nil {
		return nil, false, err
	}
	// Named after the hub: PostgreSQL's locks are per database, which
	// several hubs (one schema each) may share.
	return h.store.TryLead(ctx, "federation:"+self.ID)
}

// SavePeerState records where a peer's pull stands. Operators only.
func (h *Hub) SavePeerState(ctx context.Context, p vigie.Principal, name string, st vigie.PeerState) error {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return err
	}
	return h.store.SavePeerState(ctx, name, st)
}

// Provenance is where one object version comes from, as a peer hub is told.
type Provenance struct {
	OriginHub     string // the hub it was first published on
	OriginOrg     string // the organisation that published it there
	OriginOrgName string
}

// Provenance returns the provenance of each object of a page p read (in
// order): this hub and the publishing organisation for objects published
// here, the recorded origin for relayed ones.
func (h *Hub) Provenance(ctx context.Context, p vigie.Principal, objs []*vigie.Object) ([]Provenance, error) {
	self, err := h.store.HubIdentity(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(objs))
	for i, o := range objs {
		ids[i] = o.ID
	}
	origins, err := h.store.Origins(ctx, ids)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	out := make([]Provenance, len(objs))
	for i, o := range objs {
		if og, ok := origins[o.ID]; ok {
			out[i] = Provenance{OriginHub: og.Hub, OriginOrg: og.Org, OriginOrgName: og.OrgName}
			continue
		}
		name, ok := names[o.Publisher]
		if !ok {
			if org, err := h.store.FindOrg(ctx, o.Publisher); err == nil {
				name = org.Name
			} else if vigie.ErrorCode(err) != vigie.ENOTFOUND {
				return nil, err
			}
			names[o.Publisher] = name
		}
		out[i] = Provenance{OriginHub: self.ID, OriginOrg: o.Publisher, OriginOrgName: name}
	}
	return out, nil
}

// Tombstones returns a page of the collection's tombstones p may see: those
// of versions p could read (vigie.CanRead), so that the tombstone of an
// object p never saw reveals nothing. The caller has checked a.Read.
func (h *Hub) Tombstones(ctx context.Context, p vigie.Principal, a vigie.Access, q *vigie.TombstoneQuery) (*vigie.TombstonePage, error) {
	if !a.Read {
		return nil, vigie.Errorf(vigie.EFORBIDDEN, "you may not read this collection")
	}
	q.Scope = p.Scope(a, h.cfg.DefaultTLP)
	if q.Limit <= 0 || q.Limit > h.cfg.Limits.MaxPageSize {
		q.Limit = h.cfg.Limits.MaxPageSize
	}
	page, err := h.store.Tombstones(ctx, q)
	if err != nil {
		return nil, err
	}
	kept := page.Tombstones[:0]
	for _, t := range page.Tombstones {
		if vigie.MaySendTombstone(q.Scope, t) { // the SQL applied it; a second lock on the door
			kept = append(kept, t)
		}
	}
	page.Tombstones = kept
	return page, nil
}

// MaxWait bounds how long Wait holds a request.
const MaxWait = 60 * time.Second

// Wait returns true as soon as the collection has an object version added
// after after, or a tombstone added after tombAfter, that p may read; false
// when timeout passes first. Nothing p may not read wakes it, so that it
// reveals no activity p cannot see. The caller has checked a.Read.
func (h *Hub) Wait(ctx context.Context, p vigie.Principal, a vigie.Access, c *vigie.Collection, after, tombAfter time.Time, timeout time.Duration) (bool, error) {
	if !a.Read {
		return false, vigie.Errorf(vigie.EFORBIDDEN, "you may not read this collection")
	}
	timeout = min(max(timeout, 0), MaxWait)
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	// This process's writes wake us, and other processes sharing the
	// database through Changed; nothing polls, so idle peers cost
	// nothing but their long poll (a missed notice waits for timeout).
	for {
		woken := h.changes.wait()
		page, err := h.Objects(ctx, p, a, &vigie.ObjectQuery{Collection: c.ID, AddedAfter: after, Limit: 1,
			Versions: vigie.VersionFilter{All: true}, WithoutRaw: true})
		if err != nil {
			return false, err
		}
		if len(page.Objects) > 0 {
			return true, nil
		}
		tombs, err := h.Tombstones(ctx, p, a, &vigie.TombstoneQuery{Collection: c.ID, AddedAfter: tombAfter, Limit: 1})
		if err != nil {
			return false, err
		}
		if len(tombs.Tombstones) > 0 {
			return true, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-deadline.C:
			return false, nil
		case <-woken:
		}
	}
}

// Changed tells waiting readers (Wait) that objects or tombstones may have
// been added: the hub calls it after its own writes; a process sharing the
// database with others calls it when they say so.
func (h *Hub) Changed() { h.changes.notify() }

// broadcast wakes every waiter at once: wait returns a channel closed by
// the next notify.
type broadcast struct {
	mu sync.Mutex
	ch chan struct{}
}

func (b *broadcast) wait() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch == nil {
		b.ch = make(chan struct{})
	}
	return b.ch
}

func (b *broadcast) notify() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch != nil {
		close(b.ch)
		b.ch = nil
	}
}

// retractNarrowed writes a retraction tombstone for every earlier version
// a peer could still read of the objects just stored (st.Successes[first:]
// are their outcomes, in order) whose new version that peer may not read:
// a version narrowed to GREEN retracts the earlier CLEAR ones from the
// peers that read only CLEAR (not members, or an egress policy's CLEAR
// ceiling); one narrowed above GREEN retracts the earlier ones from every
// peer. A version already stored counts too, so that posting it again
// repairs a retraction an earlier failure left unwritten. Only ids known
// to checkOwnership may have earlier versions: the first version of an
// id costs no query.
func (h *Hub) retractNarrowed(ctx context.Context, c *vigie.Collection, objs []*vigie.Object, st *vigie.Status, first int, known map[string]bool) error {
	toGreen, above := map[string]string{}, map[string]string{} // id -> version key of its narrowing version
	for i, o := range objs {
		if first+i >= len(st.Successes) || o.VersionKey == unversioned || !known[o.ID] {
			continue // an SCO has no versions; a first version no earlier one
		}
		newest := above
		switch o.TLP.Effective(h.cfg.DefaultTLP) {
		case vigie.TLPClear:
			continue
		case vigie.TLPGreen:
			newest = toGreen
		}
		if k, ok := newest[o.ID]; !ok || o.VersionKey > k {
			newest[o.ID] = o.VersionKey
		}
	}
	// The peers each narrowing concerns: those whose ceiling is below it.
	clearOnly := vigie.ReadScope{DefaultTLP: h.cfg.DefaultTLP, Egress: true}
	anyPeer := vigie.ReadScope{Member: true, DefaultTLP: h.cfg.DefaultTLP, Egress: true}
	if err := h.retractBefore(ctx, c, clearOnly, toGreen, vigie.TLPGreen); err != nil {
		return err
	}
	return h.retractBefore(ctx, c, anyPeer, above, vigie.TLPAmber)
}

// retractBefore retracts, narrowed to level to, the versions peers of
// scope view still read that are older than newest[id].
func (h *Hub) retractBefore(ctx context.Context, c *vigie.Collection, view vigie.ReadScope, newest map[string]string, to vigie.TLP) error {
	if len(newest) == 0 {
		return nil
	}
	ids := make([]string, 0, len(newest))
	for id := range newest {
		ids = append(ids, id)
	}
	var refs []vigie.VersionRef
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		page, err := h.store.Objects(ctx, &vigie.ObjectQuery{Collection: c.ID, Scope: view, IDs: ids[start:min(start+chunk, len(ids))],
			Versions: vigie.VersionFilter{All: true}, Limit: 1 << 20, WithoutRaw: true})
		if err != nil {
			return err
		}
		for _, o := range page.Objects {
			if o.VersionKey < newest[o.ID] {
				refs = append(refs, vigie.VersionRef{ID: o.ID, VersionKey: o.VersionKey})
			}
		}
	}
	return h.store.RetractVersions(ctx, c.ID, refs, to)
}
