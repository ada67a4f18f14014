package alert_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/alert"
	"github.com/vigie-cti/vigie/hub"
	"github.com/vigie-cti/vigie/store/sqlite"
)

var ctx = context.Background()

// coalition: A (a CERT), B (energy, FR), C (finance, IT) share the
// collection "all"; D (energy, DE) is in no community and reads nothing.
type coalition struct {
	t      *testing.T
	hub    *hub.Hub
	engine *alert.Engine
	store  vigie.Store
	orgs   map[string]*vigie.Org
	all    *vigie.Collection
	n      int
}

func newCoalition(t *testing.T) *coalition {
	t.Helper()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "vigie.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := hub.New(st, hub.Config{}, time.Now)
	c := &coalition{t: t, hub: h, store: st, orgs: map[string]*vigie.Org{}}
	for _, o := range []struct{ name, sector, country string }{{"A", "government-national", "FR"}, {"B", "energy", "FR"}, {"C", "financial-services", "IT"}, {"D", "energy", "DE"}} {
		org, err := h.AddOrg(ctx, hub.Console(), o.name, []string{o.sector}, o.country)
		if err != nil {
			t.Fatal(err)
		}
		c.orgs[o.name] = org
	}
	if _, err := h.AddCommunity(ctx, hub.Console(), "all", []string{"A", "B", "C"}); err != nil {
		t.Fatal(err)
	}
	if c.all, err = h.AddCollection(ctx, hub.Console(), hub.CollectionSpec{Root: "r", Title: "all", Read: []string{"community:all"}, Write: []string{"community:all"}}); err != nil {
		t.Fatal(err)
	}
	c.engine = alert.New(st, alert.Options{})
	return c
}

// watch adds a watchlist entry for org.
func (c *coalition) watch(org string, kind vigie.WatchKind, value string) {
	c.t.Helper()
	w := &vigie.WatchEntry{ID: vigie.NewUUID(), OrgID: c.orgs[org].ID, Kind: kind, Value: value, Created: time.Now()}
	if err := w.Normalize(); err != nil {
		c.t.Fatal(err)
	}
	if err := c.store.CreateWatch(ctx, w); err != nil {
		c.t.Fatal(err)
	}
}

// publish posts objects as org and runs the engine until it is done.
func (c *coalition) publish(org string, objs ...map[string]any) {
	c.t.Helper()
	p := vigie.Principal{OrgID: c.orgs[org].ID, Role: vigie.RolePublisher}
	p.Communities, _ = c.store.OrgCommunities(ctx, p.OrgID)
	var raws []json.RawMessage
	for _, o := range objs {
		b, _ := json.Marshal(o)
		raws = append(raws, b)
	}
	st, err := c.hub.Publish(ctx, p, vigie.CollectionAccess(p, c.all), c.all, raws)
	if err != nil || len(st.Failures) > 0 {
		c.t.Fatalf("publish: %v %+v", err, st)
	}
	for {
		n, err := c.engine.RunOnce(ctx)
		if err != nil {
			c.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// alerts returns the alerts of org by trigger.
func (c *coalition) alerts(org, trigger string) []*vigie.Alert {
	c.t.Helper()
	list, err := c.store.ListAlerts(ctx, &vigie.AlertQuery{OrgID: c.orgs[org].ID, Trigger: trigger})
	if err != nil {
		c.t.Fatal(err)
	}
	return list
}

// receivers returns which of A, B, C, D hold an alert of trigger naming id.
func (c *coalition) receivers(trigger, id string) string {
	var out []string
	for _, org := range []string{"A", "B", "C", "D"} {
		for _, a := range c.alerts(org, trigger) {
			if slices.ContainsFunc(a.Objects, func(r vigie.ObjectRef) bool { return r.ID == id }) {
				out = append(out, org)
				break
			}
		}
	}
	return strings.Join(out, "")
}

func (c *coalition) id(typ string) string {
	c.n++
	return fmt.Sprintf("%s--00000000-0000-4000-8000-%012d", typ, c.n)
}

func (c *coalition) sdo(typ string, tlp vigie.TLP, props map[string]any) map[string]any {
	o := map[string]any{"type": typ, "spec_version": "2.1", "id": c.id(typ), "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z"}
	if tlp != vigie.TLPNone {
		o["object_marking_refs"] = []string{vigie.MarkingRef(tlp)}
	}
	for k, v := range props {
		o[k] = v
	}
	return o
}

func (c *coalition) indicator(pattern string, tlp vigie.TLP, props ...any) map[string]any {
	p := map[string]any{"name": "test indicator", "pattern": pattern, "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z"}
	for i := 0; i+1 < len(props); i += 2 {
		p[props[i].(string)] = props[i+1]
	}
	return c.sdo("indicator", tlp, p)
}

// TestWatchlistMatrix publishes, at each TLP level, indicators that touch
// B's watchlist, and checks who is alerted.
func TestWatchlistMatrix(t *testing.T) {
	c := newCoalition(t)
	c.watch("B", vigie.WatchCIDR, "198.51.100.0/24")
	c.watch("B", vigie.WatchDomain, "helios-energie.fr")
	c.watch("B", vigie.WatchEmailDomain, "helios-energie.fr")
	c.watch("D", vigie.WatchCIDR, "198.51.100.0/24") // D reads nothing: never alerted
	c.watch("C", vigie.WatchKeyword, "Frozen Lantern")
	for _, tc := range []struct {
		name    string
		pattern string
		tlp     vigie.TLP
		extra   []any
		want    string
	}{
		{"address in range, GREEN", "[ipv4-addr:value = '198.51.100.7']", vigie.TLPGreen, nil, "B"},
		{"address in range, CLEAR", "[network-traffic:dst_ref.value = '198.51.100.8']", vigie.TLPClear, nil, "B"},
		{"address in range, AMBER", "[ipv4-addr:value IN ('203.0.113.1', '198.51.100.9')]", vigie.TLPAmber, nil, "B"},
		{"address in range, AMBER+STRICT", "[ipv4-addr:value = '198.51.100.10']", vigie.TLPAmberStrict, nil, "B"},
		{"address in range, RED to nobody", "[ipv4-addr:value = '198.51.100.11']", vigie.TLPRed, nil, ""},
		{"address in range, RED to C", "[ipv4-addr:value = '198.51.100.12']", vigie.TLPRed, []any{vigie.RecipientsProperty, []string{"C"}}, ""},
		{"address in range, RED to B", "[ipv4-addr:value = '198.51.100.13']", vigie.TLPRed, []any{vigie.RecipientsProperty, []string{"B"}}, "B"},
		{"covering range", "[ipv4-addr:value ISSUBSET '198.51.0.0/16']", vigie.TLPGreen, nil, "B"},
		{"address outside", "[ipv4-addr:value = '198.51.101.7']", vigie.TLPGreen, nil, ""},
		{"negated address", "[ipv4-addr:value != '198.51.100.7']", vigie.TLPGreen, nil, ""},
		{"subdomain", "[domain-name:value = 'vpn.helios-energie.fr']", vigie.TLPGreen, nil, "B"},
		{"look-alike domain", "[domain-name:value = 'helios-energie-login.example.com']", vigie.TLPGreen, nil, "B"},
		{"homoglyph domain", "[url:value = 'https://he1ios-energie.fr.example.net/login']", vigie.TLPGreen, nil, "B"},
		{"unrelated domain", "[domain-name:value = 'example.org']", vigie.TLPGreen, nil, ""},
		{"mail address", "[email-message:from_ref.value = 'ceo@helios-energie.fr']", vigie.TLPGreen, nil, "B"},
		{"keyword", "[file:name = 'x.exe']", vigie.TLPGreen, []any{"description", "Tooling of the frozen lantern campaign."}, "C"},
	} {
		extra := tc.extra
		for i := 0; i+1 < len(extra); i += 2 {
			if extra[i] == vigie.RecipientsProperty {
				var ids []string
				for _, n := range extra[i+1].([]string) {
					ids = append(ids, c.orgs[n].ID)
				}
				extra = []any{vigie.RecipientsProperty, ids}
			}
		}
		ind := c.indicator(tc.pattern, tc.tlp, extra...)
		c.publish("A", ind)
		if got := c.receivers(vigie.TriggerWatchlist, ind["id"].(string)); got != tc.want {
			t.Errorf("%s: alerted %q, want %q", tc.name, got, tc.want)
		}
	}
	// The publisher is never alerted by its own objects.
	own := c.indicator("[ipv4-addr:value = '198.51.100.99']", vigie.TLPGreen)
	c.publish("B", own)
	if got := c.receivers(vigie.TriggerWatchlist, own["id"].(string)); got != "" {
		t.Errorf("B's own indicator alerted %q", got)
	}
}

// TestDedupAndCountermeasures republishes an indicator and checks that the
// alert is updated, not repeated, and names the course of action that
// mitigates the malware the indicator indicates.
func TestDedupAndCountermeasures(t *testing.T) {
	c := newCoalition(t)
	c.watch("B", vigie.WatchCIDR, "198.51.100.0/24")
	mal := c.sdo("malware", vigie.TLPGreen, map[string]any{"name": "Lantern", "is_family": true})
	coa := c.sdo("course-of-action", vigie.TLPGreen, map[string]any{"name": "Block the C2"})
	redCoa := c.sdo("course-of-action", vigie.TLPRed, map[string]any{"name": "Secret fix"})
	ind := c.indicator("[ipv4-addr:value = '198.51.100.7']", vigie.TLPGreen)
	rel := func(kind, src, dst string) map[string]any {
		return c.sdo("relationship", vigie.TLPGreen, map[string]any{"relationship_type": kind, "source_ref": src, "target_ref": dst})
	}
	c.publish("A", mal, coa, redCoa, ind,
		rel("indicates", ind["id"].(string), mal["id"].(string)),
		rel("mitigates", coa["id"].(string), mal["id"].(string)),
		rel("mitigates", redCoa["id"].(string), mal["id"].(string)))
	list := c.alerts("B", vigie.TriggerWatchlist)
	if len(list) != 1 {
		t.Fatalf("B has %d alerts, want 1", len(list))
	}
	a := list[0]
	if len(a.Countermeasures) != 1 || a.Countermeasures[0].ID != coa["id"] || a.Countermeasures[0].Name != "Block the C2" {
		t.Errorf("countermeasures = %+v, want only the GREEN course of action", a.Countermeasures)
	}
	if !strings.Contains(a.Detail, "198.51.100.7 is in your range 198.51.100.0/24") {
		t.Errorf("detail %q does not say why", a.Detail)
	}
	v2 := c.indicator("[ipv4-addr:value = '198.51.100.7']", vigie.TLPGreen)
	v2["id"], v2["modified"] = ind["id"], "2026-02-01T00:00:00.000Z"
	c.publish("A", v2)
	list = c.alerts("B", vigie.TriggerWatchlist)
	if len(list) != 1 || list[0].Count != 2 {
		t.Errorf("after a new version: %d alerts, count %d; want one alert counted twice", len(list), list[0].Count)
	}
}

// TestSightings checks that an indicator sighted by two organisations warns
// every organisation that may read it, and only them.
func TestSightings(t *testing.T) {
	c := newCoalition(t)
	ind := c.indicator("[domain-name:value = 'update.lantern-cdn.example']", vigie.TLPGreen)
	c.publish("A", ind)
	sighting := func(org string) map[string]any {
		return c.sdo("sighting", vigie.TLPGreen, map[string]any{"sighting_of_ref": ind["id"], "count": 3,
			"first_seen": time.Now().UTC().Add(-time.Hour).Format(time.RFC3339), "last_seen": time.Now().UTC().Format(time.RFC3339)})
	}
	c.publish("B", sighting("B"))
	if got := c.receivers(vigie.TriggerSighting, ind["id"].(string)); got != "" {
		t.Fatalf("one sighter alerted %q", got)
	}
	c.publish("B", sighting("B")) // the same organisation again: still one
	if got := c.receivers(vigie.TriggerSighting, ind["id"].(string)); got != "" {
		t.Fatalf("one organisation sighting twice alerted %q", got)
	}
	c.publish("C", sighting("C"))
	if got := c.receivers(vigie.TriggerSighting, ind["id"].(string)); got != "ABC" {
		t.Errorf("two sighters: alerted %q, want ABC (D may not read the indicator)", got)
	}
	a := c.alerts("A", vigie.TriggerSighting)[0]
	if !strings.Contains(a.Title, "2 organisations") || strings.Contains(a.Detail, c.orgs["B"].ID) {
		t.Errorf("sighting alert %q / %q: want a count and no names", a.Title, a.Detail)
	}
}

// TestTargeting checks that a campaign targeting a sector warns the
// organisations of that sector that may read it.
func TestTargeting(t *testing.T) {
	c := newCoalition(t)
	camp := c.sdo("campaign", vigie.TLPGreen, map[string]any{"name": "Frozen Lantern"})
	energy := c.sdo("identity", vigie.TLPClear, map[string]any{"name": "Energy operators", "identity_class": "class", "sectors": []string{"energy"}})
	italy := c.sdo("location", vigie.TLPClear, map[string]any{"name": "Italy", "country": "IT"})
	c.publish("A", camp, energy, italy,
		c.sdo("relationship", vigie.TLPGreen, map[string]any{"relationship_type": "targets", "source_ref": camp["id"], "target_ref": energy["id"]}))
	if got := c.receivers(vigie.TriggerTargeting, camp["id"].(string)); got != "B" {
		t.Errorf("campaign targeting energy: alerted %q, want B (D is energy but may not read it)", got)
	}
	rel := c.sdo("relationship", vigie.TLPGreen, map[string]any{"relationship_type": "targets", "source_ref": camp["id"], "target_ref": italy["id"]})
	c.publish("A", rel)
	if got := c.receivers(vigie.TriggerTargeting, rel["id"].(string)); got != "C" {
		t.Errorf("campaign targeting Italy: alerted %q, want C", got)
	}
	redRel := c.sdo("relationship", vigie.TLPRed, map[string]any{"relationship_type": "targets", "source_ref": camp["id"], "target_ref": italy["id"]})
	c.publish("A", redRel)
	if got := c.receivers(vigie.TriggerTargeting, redRel["id"].(string)); got != "" {
		t.Errorf("RED targeting relationship: alerted %q", got)
	}
}

// TestCorrelation checks that an observable shared by two organisations
// tells both, and that a range shared before catches an address in it.
func TestCorrelation(t *testing.T) {
	c := newCoalition(t)
	first := c.indicator("[ipv4-addr:value = '203.0.113.5']", vigie.TLPGreen)
	c.publish("A", first)
	second := c.indicator("[network-traffic:dst_ref.value = '203.0.113.5']", vigie.TLPGreen)
	c.publish("C", second)
	if got := c.receivers(vigie.TriggerCorrelation, first["id"].(string)); got != "AC" {
		t.Errorf("C is told of A's object, A of its own: got %q, want AC", got)
	}
	rng := c.indicator("[ipv4-addr:value ISSUBSET '192.0.2.0/24']", vigie.TLPGreen)
	c.publish("A", rng)
	inside := c.indicator("[ipv4-addr:value = '192.0.2.77']", vigie.TLPGreen)
	c.publish("B", inside)
	if got := c.receivers(vigie.TriggerCorrelation, inside["id"].(string)); !strings.Contains(got, "A") {
		t.Errorf("address inside a shared range: A not told (got %q)", got)
	}
	// A RED object is never revealed to another organisation.
	secret := c.indicator("[domain-name:value = 'secret.example.net']", vigie.TLPRed)
	c.publish("A", secret)
	c.publish("C", c.indicator("[domain-name:value = 'secret.example.net']", vigie.TLPGreen))
	if got := c.receivers(vigie.TriggerCorrelation, secret["id"].(string)); strings.Contains(got, "C") {
		t.Errorf("C was told of A's RED object")
	}
}

// TestAudienceChanges checks that the engine sees membership changes at
// once: an organisation removed from the community is no longer alerted
// about the community's objects.
func TestAudienceChanges(t *testing.T) {
	c := newCoalition(t)
	c.watch("B", vigie.WatchCIDR, "198.51.100.0/24")
	first := c.indicator("[ipv4-addr:value = '198.51.100.1']", vigie.TLPGreen)
	c.publish("A", first)
	if got := c.receivers(vigie.TriggerWatchlist, first["id"].(string)); got != "B" {
		t.Fatalf("before: %q", got)
	}
	com, err := c.store.FindCommunity(ctx, "all")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.store.SetCommunityMember(ctx, com.ID, c.orgs["B"].ID, false); err != nil {
		t.Fatal(err)
	}
	second := c.indicator("[ipv4-addr:value = '198.51.100.2']", vigie.TLPGreen)
	c.publish("A", second)
	if got := c.receivers(vigie.TriggerWatchlist, second["id"].(string)); got != "" {
		t.Errorf("B, out of the community, alerted: %q", got)
	}
}

// TestSightingsFromPeerHubs: members of a peer hub that reported
// sightings back count, unnamed, with the local sighters; the report
// alone (no object arrives) wakes the early warning.
func TestSightingsFromPeerHubs(t *testing.T) {
	c := newCoalition(t)
	ind := c.indicator("[domain-name:value = 'cdn.peer-sighted.example']", vigie.TLPGreen)
	c.publish("A", ind)
	id := ind["id"].(string)
	c.publish("B", c.sdo("sighting", vigie.TLPGreen, map[string]any{"sighting_of_ref": id}))
	now := time.Now().UTC()
	report := func(through int64, observer string) {
		t.Helper()
		r := &vigie.SightingReport{Stream: "s", After: through - 1, Through: through, Sightings: []vigie.RelayedSighting{{IndicatorID: id,
			Observer: observer, Day: vigie.SightingDay(now), Count: 2, FirstSeen: vigie.SightingDay(now), LastSeen: now}}}
		if _, _, err := c.store.AddRelayedSightings(ctx, "identity--peer-hub", r); err != nil {
			t.Fatal(err)
		}
		for {
			if n, err := c.engine.RunOnce(ctx); err != nil {
				t.Fatal(err)
			} else if n == 0 {
				break
			}
		}
	}
	report(1, "0123456789abcdef0123456789abcdef")
	if got := c.receivers(vigie.TriggerSighting, id); got != "ABC" {
		t.Fatalf("a local sighter and a peer hub's member: alerted %q, want ABC", got)
	}
	a := c.alerts("A", vigie.TriggerSighting)[0]
	if !strings.Contains(a.Title, "sighted by 2 organisations") || !strings.Contains(a.Detail, "1 of them members of peer hubs, unnamed") {
		t.Errorf("alert %q / %q: want 2 organisations, one of a peer hub", a.Title, a.Detail)
	}
	report(2, "fedcba9876543210fedcba9876543210")
	a = c.alerts("A", vigie.TriggerSighting)[0]
	if !strings.Contains(a.Detail, "sighted by 3 organisations") {
		t.Errorf("after a second member of the peer hub: %q / %q; want 3 organisations", a.Title, a.Detail)
	}
}
