package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/vigie-cti/vigie"
)

// Sightings back in push mode: hub B pushes to hub A, which cannot reach
// B, so B fetches from A the sightings of the indicators it pushed
// (SightingsForPusher on A, AcceptPulledSightings on B). The rules are
// those of the pull direction, with the sides' roles swapped.

// SightingStream names a collection's stream of sightings to peers
// without giving its id.
func SightingStream(coll string) string {
	sum := sha256.Sum256([]byte("vigie sightings stream\x00" + coll))
	return hex.EncodeToString(sum[:12])
}

// SightingsForPusher answers a peer hub that pushes into collection id of
// root (its key of role peer named by a write grant, as for a push): with
// stream "", this hub's stream names (one per collection); else the
// sightings of that stream after position after that go back to it
// (SightingsBack: its indicators, this hub's members unnamed). EINVALID
// for an unknown stream.
func (h *Hub) SightingsForPusher(ctx context.Context, p vigie.Principal, root, id, stream string, after int64) (*vigie.SightingsPage, error) {
	if err := Allow(p, vigie.RolePeer); err != nil {
		return nil, err
	}
	c, err := h.pushCollection(ctx, p, root, id)
	if err != nil {
		return nil, err
	}
	all, err := h.store.ListCollections(ctx, "")
	if err != nil {
		return nil, err
	}
	page := &vigie.SightingsPage{}
	coll := ""
	for _, x := range all {
		name := SightingStream(x.ID)
		page.Streams = append(page.Streams, name)
		if name == stream {
			coll = x.ID
		}
	}
	if stream == "" {
		return page, nil
	}
	if coll == "" || after < 0 {
		return nil, vigie.Errorf(vigie.EINVALID, "no sightings stream %q after %d here", clip(stream, 64), after)
	}
	var from time.Time
	if after > 0 {
		from = time.UnixMicro(after)
	}
	list, through, more, err := h.SightingsBack(ctx, Console(), pushPeer(p, c), coll, from, SightingsScan)
	if err != nil {
		return nil, err
	}
	page.Streams, page.More = nil, more
	page.Report = &vigie.SightingReport{Stream: stream, After: after, Through: max(through.UnixMicro(), after), Sightings: list}
	if through.IsZero() {
		page.Report.Through = after
	}
	return page, nil
}

// SightingsScan bounds the object versions scanned for one report of
// sightings back, so that a report stays well under any request limit.
const SightingsScan = 2000

// AcceptPulledSightings stores a report of sightings fetched from a peer
// this hub pushes to: those of indicators of the peer's local collection
// that may leave this hub (what it pushes), the others dropped. The peer
// is known in the counts as "hub:NAME". Operators only.
func (h *Hub) AcceptPulledSightings(ctx context.Context, p vigie.Principal, peer *vigie.Peer, r *vigie.SightingReport) (*vigie.SightingsReceived, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, err
	}
	c, err := h.collectionByID(ctx, peer.LocalCollection)
	if err != nil {
		return nil, err
	}
	return h.takeSightings(ctx, p, c, h.egressScope(peer.Policy), "hub:"+peer.Name, r)
}
