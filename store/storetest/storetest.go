// Package storetest is the conformance suite every vigie.Store must pass:
// each backend's tests call Run with a function that opens an empty store.
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
)

// Opener returns a new, empty store; it registers its own cleanup.
type Opener func(tb testing.TB) vigie.Store

// Run runs the whole suite against stores made by open.
func Run(t *testing.T, open Opener) {
	t.Run("Orgs", func(t *testing.T) { testOrgs(t, open(t)) })
	t.Run("Keys", func(t *testing.T) { testKeys(t, open(t)) })
	t.Run("Communities", func(t *testing.T) { testCommunities(t, open(t)) })
	t.Run("Collections", func(t *testing.T) { testCollections(t, open(t)) })
	t.Run("AddObjects", func(t *testing.T) { testAddObjects(t, open(t)) })
	t.Run("Versions", func(t *testing.T) { testVersions(t, open(t)) })
	t.Run("Filters", func(t *testing.T) { testFilters(t, open(t)) })
	t.Run("Pagination", func(t *testing.T) { testPagination(t, open(t)) })
	t.Run("ConcurrentWriters", func(t *testing.T) { testConcurrentWriters(t, open(t)) })
	t.Run("Visibility", func(t *testing.T) { testVisibility(t, open(t)) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, open(t)) })
	t.Run("Statuses", func(t *testing.T) { testStatuses(t, open(t)) })
	t.Run("Watches", func(t *testing.T) { testWatches(t, open(t)) })
	t.Run("Alerts", func(t *testing.T) { testAlerts(t, open(t)) })
	t.Run("Deliveries", func(t *testing.T) { testDeliveries(t, open(t)) })
	t.Run("QueueDelivery", func(t *testing.T) { testQueueDelivery(t, open(t)) })
	t.Run("EngineTables", func(t *testing.T) { testEngineTables(t, open(t)) })
	t.Run("TryLead", func(t *testing.T) { testTryLead(t, open(t)) })
	t.Run("Products", func(t *testing.T) { testProducts(t, open(t)) })
	t.Run("Suppliers", func(t *testing.T) { testSuppliers(t, open(t)) })
	t.Run("Feeds", func(t *testing.T) { testFeeds(t, open(t)) })
	t.Run("Catalogs", func(t *testing.T) { testCatalogs(t, open(t)) })
	t.Run("PostureStatuses", func(t *testing.T) { testPostureStatuses(t, open(t)) })
	t.Run("LatestOfTypes", func(t *testing.T) { testLatestOfTypes(t, open(t)) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, open(t)) })
	t.Run("Samples", func(t *testing.T) { testSamples(t, open(t)) })
	t.Run("Users", func(t *testing.T) { testUsers(t, open(t)) })
	t.Run("Contains", func(t *testing.T) { testContains(t, open(t)) })
	t.Run("TextSearch", func(t *testing.T) { testTextSearch(t, open(t)) })
	t.Run("TextSearchAccess", func(t *testing.T) { testTextSearchAccess(t, open(t)) })
	t.Run("TextSearchVersions", func(t *testing.T) { testTextSearchVersions(t, open(t)) })
	t.Run("TextSearchPaging", func(t *testing.T) { testTextSearchPaging(t, open(t)) })
	t.Run("ObservableRange", func(t *testing.T) { testObservableRange(t, open(t)) })
	t.Run("AlertPaging", func(t *testing.T) { testAlertPaging(t, open(t)) })
	t.Run("LastAlertEvent", func(t *testing.T) { testLastAlertEvent(t, open(t)) })
	t.Run("CountAlertsByDay", func(t *testing.T) { testCountAlertsByDay(t, open(t)) })
	t.Run("Owners", func(t *testing.T) { testOwners(t, open(t)) })
	t.Run("OwnerFirstVersionDeleted", func(t *testing.T) { testOwnerFirstVersionDeleted(t, open(t)) })
	t.Run("ConcurrentClaims", func(t *testing.T) { testConcurrentClaims(t, open(t)) })
	t.Run("EachObject", func(t *testing.T) { testEachObject(t, open(t)) })
	t.Run("Stats", func(t *testing.T) { testStats(t, open(t)) })
	t.Run("Prune", func(t *testing.T) { testPrune(t, open(t)) })
	t.Run("PruneAudit", func(t *testing.T) { testPruneAudit(t, open(t)) })
	t.Run("HubIdentity", func(t *testing.T) { testHubIdentity(t, open(t)) })
	t.Run("Peers", func(t *testing.T) { testPeers(t, open(t)) })
	t.Run("Origins", func(t *testing.T) { testOrigins(t, open(t)) })
	t.Run("Tombstones", func(t *testing.T) { testTombstones(t, open(t)) })
	t.Run("RelayedSightings", func(t *testing.T) { testRelayedSightings(t, open(t)) })
	t.Run("HubSecret", func(t *testing.T) { testHubSecret(t, open(t)) })
	t.Run("EgressPolicies", func(t *testing.T) { testEgressPolicies(t, open(t)) })
}

var ctx = context.Background()

// t0 is the suite's fixed clock origin.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// MustOrg creates an organisation named name.
func MustOrg(tb testing.TB, s vigie.Store, name string) *vigie.Org {
	tb.Helper()
	o := &vigie.Org{ID: "identity--" + vigie.NewUUID(), Name: name, Sectors: []string{"energy"}, Country: "FR", Created: t0}
	if err := s.CreateOrg(ctx, o); err != nil {
		tb.Fatalf("CreateOrg(%s): %v", name, err)
	}
	return o
}

// MustCollection creates an API root "root" (once) and a collection in it.
func MustCollection(tb testing.TB, s vigie.Store, read, write []vigie.Grant) *vigie.Collection {
	tb.Helper()
	if _, err := s.FindAPIRoot(ctx, "root"); err != nil {
		if err := s.CreateAPIRoot(ctx, &vigie.APIRoot{Name: "root", Title: "Root", MaxContentLength: 1 << 20}); err != nil {
			tb.Fatalf("CreateAPIRoot: %v", err)
		}
	}
	c := &vigie.Collection{ID: vigie.NewUUID(), Root: "root", Title: "Collection", Read: read, Write: write, Created: t0}
	if err := s.CreateCollection(ctx, c); err != nil {
		tb.Fatalf("CreateCollection: %v", err)
	}
	return c
}

// NewIndicator returns an indicator version ready for AddObjects.
func NewIndicator(id string, modified time.Time, publisher string, tlp vigie.TLP, recipients ...string) *vigie.Object {
	version := modified.UTC().Format("2006-01-02T15:04:05.000Z")
	raw, _ := json.Marshal(map[string]any{
		"type": "indicator", "spec_version": "2.1", "id": id,
		"created": "2026-01-01T00:00:00.000Z", "modified": version,
		"pattern": "[ipv4-addr:value = '198.51.100.7']", "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z",
	})
	return &vigie.Object{
		ID: id, Type: "indicator", SpecVersion: "2.1", Version: version, VersionKey: vigie.VersionKey(modified),
		Sharing: vigie.Sharing{Publisher: publisher, TLP: tlp, Recipients: recipients},
		Raw:     raw,
	}
}

// MustAdd stores objects in collection c with a fresh status and returns it.
func MustAdd(tb testing.TB, s vigie.Store, c *vigie.Collection, org string, objs ...*vigie.Object) *vigie.Status {
	tb.Helper()
	st := &vigie.Status{ID: vigie.NewUUID(), Root: c.Root, OrgID: org, RequestTime: time.Now().UTC(), Total: len(objs)}
	if err := s.AddObjects(ctx, c.ID, objs, st); err != nil {
		tb.Fatalf("AddObjects: %v", err)
	}
	return st
}

// ids returns the "id@version" of each object of a page, in order.
func ids(p *vigie.ObjectPage) []string {
	out := make([]string, len(p.Objects))
	for i, o := range p.Objects {
		out[i] = o.ID + "@" + o.Version
	}
	return out
}

func mustQuery(tb testing.TB, s vigie.Store, q *vigie.ObjectQuery) *vigie.ObjectPage {
	tb.Helper()
	p, err := s.Objects(ctx, q)
	if err != nil {
		tb.Fatalf("Objects(%+v): %v", q, err)
	}
	return p
}

func wantCode(tb testing.TB, err error, code string, what string) {
	tb.Helper()
	if got := vigie.ErrorCode(err); got != code {
		tb.Errorf("%s: error code %q (%v), want %q", what, got, err, code)
	}
}

func stixID(typ string, n int) string {
	return fmt.Sprintf("%s--00000000-0000-4000-8000-%012d", typ, n)
}
