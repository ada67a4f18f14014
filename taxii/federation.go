package taxii

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/vigie-cti/vigie"
)

// vigie's extensions of TAXII 2.1 for federation between hubs. TAXII has no
// deletion notice and no push: a hub pulling from another reads, besides
// the objects, the collection's tombstones, and waits for news with a long
// poll. Every extension applies the same read rules as the objects
// endpoint: a caller sees the tombstone of a version only if it could read
// the version, and is woken only by what it may read.

// HubInfo is vigie's identity of a hub, shown by discovery as x_vigie_hub.
type HubInfo struct {
	ID           string `json:"id"`                      // a UUID, stable for the hub's life
	Operator     string `json:"operator,omitempty"`      // identity id of the operating organisation
	OperatorName string `json:"operator_name,omitempty"` // its name
}

// Record is the provenance of one object of an envelope read with a key of
// role peer: x_vigie_records holds one per object, in the same order.
type Record struct {
	ID            string `json:"id"`
	DateAdded     string `json:"date_added"`
	OriginHub     string `json:"origin_hub"`                // HubInfo.ID of the hub it was first published on
	OriginOrg     string `json:"origin_org"`                // identity id of the organisation that published it there
	OriginOrgName string `json:"origin_org_name,omitempty"` // its name
}

// Tombstone is one version that left a collection.
type Tombstone struct {
	ID        string `json:"id"`
	Version   string `json:"version,omitempty"` // "" for an SCO
	DateAdded string `json:"date_added"`        // when it left, in the collection's date_added order
	Kind      string `json:"kind"`              // "deleted" or "retracted" (a newer version may not leave the hub)
	OriginHub string `json:"origin_hub,omitempty"`
	OriginOrg string `json:"origin_org,omitempty"`
}

// Tombstones is the tombstones resource (GET .../x-vigie-tombstones/).
type Tombstones struct {
	More       bool        `json:"more,omitempty"`
	Next       string      `json:"next,omitempty"`
	Tombstones []Tombstone `json:"tombstones,omitempty"`
}

// WaitResult is the answer of the wake-up long poll (GET .../x-vigie-wait/).
type WaitResult struct {
	Changed bool `json:"changed"`
}

// The paths and parameters of the extensions, under a collection.
const (
	PathTombstones       = "x-vigie-tombstones/"
	PathWait             = "x-vigie-wait/"
	ParamTombstonesAfter = "tombstones_after"
	ParamTimeout         = "timeout" // seconds
)

// Tombstones returns one page of a collection's tombstones added after
// after (vigie hubs only).
func (c *Client) Tombstones(ctx context.Context, root, collection string, after time.Time, limit int, next string) (*Tombstones, Page, error) {
	var t Tombstones
	q := Filter{AddedAfter: after, Limit: limit}.Values()
	if next != "" {
		q.Set(ParamNext, next)
	}
	h, err := c.do(ctx, "GET", c.rootURL(root)+"collections/"+url.PathEscape(collection)+"/"+PathTombstones+"?"+q.Encode(), nil, &t)
	return &t, pageOf(h), err
}

// Wait holds until the collection has an object added after after or a
// tombstone added after tombAfter that the caller may read, or until
// timeout (at most a minute) passes (vigie hubs only).
func (c *Client) Wait(ctx context.Context, root, collection string, after, tombAfter time.Time, timeout time.Duration) (bool, error) {
	q := url.Values{}
	if !after.IsZero() {
		q.Set(ParamAddedAfter, FormatTimestamp(after))
	}
	if !tombAfter.IsZero() {
		q.Set(ParamTombstonesAfter, FormatTimestamp(tombAfter))
	}
	q.Set(ParamTimeout, strconv.Itoa(int(timeout/time.Second)))
	var w WaitResult
	_, err := c.do(ctx, "GET", c.rootURL(root)+"collections/"+url.PathEscape(collection)+"/"+PathWait+"?"+q.Encode(), nil, &w)
	return w.Changed, err
}

// PathPush is where a peer hub that cannot be reached posts (push mode).
const PathPush = "x-vigie-push/"

// Push is the body of a push (POST .../x-vigie-push/): object versions
// with one provenance record each, in the same order, then tombstones.
type Push struct {
	Objects    []json.RawMessage `json:"objects,omitempty"`
	Records    []Record          `json:"x_vigie_records,omitempty"`
	Tombstones []Tombstone       `json:"tombstones,omitempty"`
}

// PushResult is the answer to a push: what became of the objects.
type PushResult struct {
	Received   int64 `json:"received"`
	Stored     int64 `json:"stored"`
	Duplicates int64 `json:"duplicates"`
	Dropped    int64 `json:"dropped"` // loops, spoofed origins, others' ids, above GREEN, invalid
	Retracted  int64 `json:"retracted"`
}

// Push posts objects and tombstones into a collection of a vigie hub that
// issued the caller a key of role peer with a write grant.
func (c *Client) Push(ctx context.Context, root, collection string, p *Push) (*PushResult, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("taxii: encode push: %w", err)
	}
	var res PushResult
	_, err = c.do(ctx, "POST", c.rootURL(root)+"collections/"+url.PathEscape(collection)+"/"+PathPush, body, &res)
	return &res, err
}

// PathSightings is where a peer hub reports back the sightings of an
// origin hub's indicators by its members (counts, members unnamed).
const PathSightings = "x-vigie-sightings/"

// ReportSightings posts a report of sightings into a collection of the
// vigie hub the indicators come from, with the key of role peer it issued.
func (c *Client) ReportSightings(ctx context.Context, root, collection string, r *vigie.SightingReport) (*vigie.SightingsReceived, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("taxii: encode sightings: %w", err)
	}
	var res vigie.SightingsReceived
	_, err = c.do(ctx, "POST", c.rootURL(root)+"collections/"+url.PathEscape(collection)+"/"+PathSightings, body, &res)
	return &res, err
}

// FetchSightings asks a vigie hub this hub pushes to (with the key of role
// peer it issued) for the sightings of the indicators pushed: with stream
// "", its stream names; else one report of that stream after position
// after.
func (c *Client) FetchSightings(ctx context.Context, root, collection, stream string, after int64) (*vigie.SightingsPage, error) {
	q := url.Values{}
	if stream != "" {
		q.Set("stream", stream)
		q.Set("after", strconv.FormatInt(after, 10))
	}
	var page vigie.SightingsPage
	_, err := c.do(ctx, "GET", c.rootURL(root)+"collections/"+url.PathEscape(collection)+"/"+PathSightings+"?"+q.Encode(), nil, &page)
	return &page, err
}
