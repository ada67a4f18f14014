package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigie-cti/vigie"
)

func testFeeds(t *testing.T, s vigie.Store) {
	a := MustOrg(t, s, "A")
	f := &vigie.Feed{Name: "circl-osint", URL: "https://www.circl.lu/doc/misp/feed-osint/", Format: vigie.FeedMISP,
		Root: "coalition", Collection: vigie.NewUUID(), OrgID: a.ID, Every: time.Hour,
		Headers: []string{"Authorization: secret"}, Created: t0}
	if err := s.CreateFeed(ctx, f); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.CreateFeed(ctx, f), vigie.ECONFLICT, "same name")
	other := *f
	other.Name, other.OrgID = "x", "identity--"+vigie.NewUUID()
	wantCode(t, s.CreateFeed(ctx, &other), vigie.ENOTFOUND, "no organisation")
	bad := *f
	bad.Name, bad.Format = "y", "stix"
	wantCode(t, s.CreateFeed(ctx, &bad), vigie.EINVALID, "unknown format")
	csv := &vigie.Feed{Name: "abuse-ips", URL: "https://example.org/ips.txt", Format: vigie.FeedCSV, Root: "coalition",
		Collection: f.Collection, OrgID: a.ID, Every: 10 * time.Minute, Columns: vigie.FeedColumns{Value: 1, Type: "ip-dst"}, Created: t0}
	if err := s.CreateFeed(ctx, csv); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindFeed(ctx, "circl-osint")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f, got); diff != "" {
		t.Errorf("FindFeed (-want +got):\n%s", diff)
	}
	st := vigie.FeedState{LastRun: t0.Add(time.Hour), LastError: "", Seen: map[string]int64{"5e1b4c1e-1111-4a4a-9c9c-0123456789ab": 1764460800}}
	if err := s.SaveFeedState(ctx, "circl-osint", st); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListFeeds(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "abuse-ips" {
		t.Fatalf("ListFeeds = %v, %v", list, err)
	}
	if diff := cmp.Diff(st, list[1].State); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(csv.Columns, list[0].Columns); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	wantCode(t, s.SaveFeedState(ctx, "nope", st), vigie.ENOTFOUND, "state of no feed")
	if err := s.DeleteFeed(ctx, "abuse-ips"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteFeed(ctx, "abuse-ips"), vigie.ENOTFOUND, "deleted twice")
	_, err = s.FindFeed(ctx, "abuse-ips")
	wantCode(t, err, vigie.ENOTFOUND, "deleted feed")
}
