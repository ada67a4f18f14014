package federation_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/taxii"
)

// report is a report of one sighting of ind, through position through.
func report(stream, ind string, through int64) *vigie.SightingReport {
	day := vigie.SightingDay(time.Now())
	return &vigie.SightingReport{Stream: stream, After: 0, Through: through, Sightings: []vigie.RelayedSighting{{
		IndicatorID: ind, Observer: "00112233445566778899aabbccddeeff", Day: day, Count: 5, FirstSeen: day, LastSeen: day.Add(time.Second)}}}
}

// TestSightingsDoor: the x-vigie-sightings endpoint takes a report once
// from a peer key; sightings of ids the peer may not read (AMBER, RED,
// unknown) get the very answer of an unknown id; member keys, and peers
// without read on the collection, are refused.
func TestSightingsDoor(t *testing.T) {
	b := newTestHub(t, "B")
	peerKey := b.grant(&testHub{t: t, name: "A"})
	green := b.indicator(1, nil)
	amber := b.indicator(2, map[string]any{"object_marking_refs": []string{vigie.MarkingAmber}})
	red := b.indicator(3, map[string]any{"object_marking_refs": []string{vigie.MarkingRed}, vigie.RecipientsProperty: []string{b.org.ID}})
	b.publish(green, amber, red)
	pc := b.client(peerKey)
	gid := green["id"].(string)

	res, err := pc.ReportSightings(ctx, "api1", b.coll.ID, report("s1", gid, 100))
	if err != nil || *res != (vigie.SightingsReceived{Position: 100, Added: true, Accepted: 1}) {
		t.Fatalf("first report: %v %+v; want added, 1 accepted", err, res)
	}
	// The same report again (a crash before the sender's cursor moved).
	res, err = pc.ReportSightings(ctx, "api1", b.coll.ID, report("s1", gid, 100))
	if err != nil || res.Added || res.Position != 100 {
		t.Errorf("the report again: %v %+v; want not added, position 100", err, res)
	}
	// A later report whose range overlaps the first one's.
	res, err = pc.ReportSightings(ctx, "api1", b.coll.ID, report("s1", gid, 150))
	if err != nil || res.Added || res.Position != 100 {
		t.Errorf("an overlapping report: %v %+v; want not added, position 100", err, res)
	}
	if rc, _ := b.store.RelayedCounts(ctx, gid, time.Time{}); rc != (vigie.RelayedCount{Count: 5, Observers: 1}) {
		t.Errorf("B counts %+v; want 5 by 1 member (each report once)", rc)
	}

	// AMBER, RED and unknown ids: the same answer, nothing stored.
	want := vigie.SightingsReceived{Position: 7, Added: true, Dropped: 1}
	unknown := "indicator--7b0c1a5e-0000-4000-8000-000000000999"
	for i, id := range []string{amber["id"].(string), red["id"].(string), unknown} {
		res, err := pc.ReportSightings(ctx, "api1", b.coll.ID, report(fmt.Sprintf("x%d", i), id, 7))
		if err != nil || *res != want {
			t.Errorf("report of %s: %v %+v; want %+v, as for an unknown id", id, err, res, want)
		}
		if rc, _ := b.store.RelayedCounts(ctx, id, time.Time{}); rc.Count != 0 {
			t.Errorf("B stored sightings of %s", id)
		}
	}

	// A member key may not use the door, even the publisher's.
	_, err = b.client(b.key).ReportSightings(ctx, "api1", b.coll.ID, report("m", gid, 1))
	if status(err) != "403" {
		t.Errorf("a member key: %v; want 403", err)
	}
	// A peer without read on the collection: as if it did not exist.
	o, _ := b.hub.AddOrg(ctx, hub.Console(), "hub Z", nil, "")
	_, zkey, _ := b.hub.AddKey(ctx, hub.Console(), o.ID, vigie.RolePeer, "", time.Time{})
	_, err = b.client(zkey).ReportSightings(ctx, "api1", b.coll.ID, report("z", gid, 1))
	if status(err) != "404" {
		t.Errorf("a peer without read: %v; want 404", err)
	}
	// A malformed report is refused whole.
	bad := report("s2", gid, 1)
	bad.Sightings[0].Count = 0
	if _, err = pc.ReportSightings(ctx, "api1", b.coll.ID, bad); status(err) != "400" {
		t.Errorf("a count of 0: %v; want 400", err)
	}
}

func status(err error) string {
	var te *taxii.Error
	if errors.As(err, &te) {
		return te.HTTPStatus
	}
	return fmt.Sprint(err)
}
