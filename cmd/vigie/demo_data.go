package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigie-cti/vigie"
	"github.com/vigie-cti/vigie/hub"
)

// demoRoot is the API root of the demo's collections.
const demoRoot = "coalition"

// demoCoalition is what the demo created, for printing.
type demoCoalition struct {
	orgs        []demoOrg
	communities []demoCommunity
	collections []demoCollection
}

type demoOrg struct {
	name, sector, country string
	role                  vigie.Role
	id, token             string
}

type demoCommunity struct {
	name    string
	members []string
}

type demoCollection struct {
	id, title, read, write string
}

// seedDemo creates the demo coalition through the hub's own use cases, so
// everything it holds went through validation and the sharing rules.
func seedDemo(ctx context.Context, h *hub.Hub) (*demoCoalition, error) {
	c := &demoCoalition{orgs: []demoOrg{
		{name: "CERT-Nord", sector: "government-national", country: "FR", role: vigie.RoleAdmin},
		{name: "Helios Energie", sector: "energy", country: "FR", role: vigie.RolePublisher},
		{name: "Banca Aurora", sector: "financial-services", country: "IT", role: vigie.RolePublisher},
		{name: "Nordlicht Netz", sector: "telecommunications", country: "DE", role: vigie.RolePublisher},
		{name: "Vega Software", sector: "technology", country: "BE", role: vigie.RolePublisher},
	}}
	for i := range c.orgs {
		o := &c.orgs[i]
		org, err := h.AddOrg(ctx, hub.Console(), o.name, []string{o.sector}, o.country)
		if err != nil {
			return nil, err
		}
		o.id = org.ID
		if _, o.token, err = h.AddKey(ctx, hub.Console(), o.name, o.role, "demo", time.Time{}); err != nil {
			return nil, err
		}
	}
	names := func(idx ...int) []string {
		var out []string
		for _, i := range idx {
			out = append(out, c.orgs[i].name)
		}
		return out
	}
	c.communities = []demoCommunity{
		{"coalition", names(0, 1, 2, 3, 4)},
		{"energy-isac", names(0, 1, 3)},
		{"finance-isac", names(0, 2)},
	}
	for _, com := range c.communities {
		if _, err := h.AddCommunity(ctx, hub.Console(), com.name, com.members); err != nil {
			return nil, err
		}
	}
	for _, spec := range []hub.CollectionSpec{
		{Title: "Coalition sharing", Description: "Everything the coalition shares; TLP decides who sees what.", Read: []string{"community:coalition"}, Write: []string{"community:coalition"}},
		{Title: "Energy ISAC", Description: "Operators of energy and telecom networks.", Read: []string{"community:energy-isac"}, Write: []string{"community:energy-isac"}},
		{Title: "Public advisories", Description: "TLP:CLEAR advisories from CERT-Nord, readable without a key.", Read: []string{"public"}, Write: []string{"org:CERT-Nord"}},
	} {
		spec.Root = demoRoot
		col, err := h.AddCollection(ctx, hub.Console(), spec)
		if err != nil {
			return nil, err
		}
		c.collections = append(c.collections, demoCollection{col.ID, col.Title, vigie.GrantsList(col.Read), vigie.GrantsList(col.Write)})
	}
	if err := watchDemo(ctx, h, c); err != nil {
		return nil, err
	}
	if err := publishDemo(ctx, h, c); err != nil {
		return nil, err
	}
	return c, nil
}

// watchDemo gives Helios Energie a watchlist: its address range and its
// domain (its sector, energy, comes from its identity).
func watchDemo(ctx context.Context, h *hub.Hub, c *demoCoalition) error {
	p, err := h.Authenticate(ctx, c.orgs[1].token, hub.ConsoleAddr)
	if err != nil {
		return err
	}
	for _, w := range []struct {
		kind  vigie.WatchKind
		value string
	}{{vigie.WatchCIDR, "198.51.100.0/24"}, {vigie.WatchDomain, "helios-energie.example"}} {
		if _, err := h.AddWatch(ctx, p, w.kind, w.value); err != nil {
			return err
		}
	}
	return nil
}

// publishDemo publishes the Frozen Lantern campaign: a Flame-like espionage
// toolkit against energy operators, at several TLP levels.
func publishDemo(ctx context.Context, h *hub.Hub, c *demoCoalition) error {
	cert, helios := c.orgs[0], c.orgs[1]
	const ts = "2026-11-02T09:00:00.000Z"
	tlp := func(t vigie.TLP) []string { return []string{vigie.MarkingRef(t)} }
	sdo := func(typ, uuid string, marking []string, props map[string]any) map[string]any {
		o := map[string]any{"type": typ, "spec_version": "2.1", "id": typ + "--" + uuid, "created": ts, "modified": ts,
			"created_by_ref": cert.id, "object_marking_refs": marking}
		for k, v := range props {
			o[k] = v
		}
		return o
	}
	rel := func(uuid, kind, src, dst string, marking []string) map[string]any {
		return sdo("relationship", uuid, marking, map[string]any{"relationship_type": kind, "source_ref": src, "target_ref": dst})
	}
	indicator := func(uuid, name, pattern, ptype string, marking []string, extra map[string]any) map[string]any {
		p := map[string]any{"name": name, "pattern": pattern, "pattern_type": ptype, "valid_from": ts, "indicator_types": []string{"malicious-activity"}}
		for k, v := range extra {
			p[k] = v
		}
		return sdo("indicator", uuid, marking, p)
	}

	sector := sdo("identity", "6d1f7c43-7a2e-4a8e-9a86-3f0c2a1b5e01", tlp(vigie.TLPClear), map[string]any{"name": "Energy operators", "identity_class": "class", "sectors": []string{"energy"}})
	campaign := sdo("campaign", "0b5a3c8e-9d41-4f5e-8c2a-51e7d6f9a102", tlp(vigie.TLPGreen), map[string]any{
		"name": "Frozen Lantern", "description": "Espionage against energy operators with a modular toolkit spread over removable media and fake updates.",
		"first_seen": "2026-09-14T00:00:00Z", "objective": "Long-term collection of engineering documents and SCADA credentials."})
	malware := sdo("malware", "9e2f4b1a-3c5d-4e6f-8a7b-c1d2e3f4a503", tlp(vigie.TLPGreen), map[string]any{
		"name": "Lantern", "is_family": true, "malware_types": []string{"spyware", "backdoor", "worm"},
		"description": "Modular espionage toolkit, Flame-like: Lua modules, USB propagation, fake update proxy."})
	coa := sdo("course-of-action", "4a7c9e1b-2d3f-4b5a-9c6d-e7f8a9b0c604", tlp(vigie.TLPGreen), map[string]any{
		"name":        "Block Lantern C2 and hunt for its implants",
		"description": "Sinkhole the C2 domains, block the C2 addresses at the perimeter, scan endpoints with the Lantern YARA rule, disable autorun on removable media."})
	c2domain := indicator("1f3e5d7c-9b2a-4c8e-8d6f-a1b3c5d7e905", "Lantern C2 domain", "[domain-name:value = 'update.lantern-cdn.example']", "stix", tlp(vigie.TLPGreen), nil)
	c2ip := indicator("2a4c6e8f-1b3d-4f5a-9b7c-d2e4f6a8b006", "Lantern C2 address", "[ipv4-addr:value = '203.0.113.66'] OR [network-traffic:dst_ref.value = '203.0.113.66']", "stix", tlp(vigie.TLPAmber), nil)
	dropper := indicator("3b5d7f9a-2c4e-4a6b-8c8d-e3f5a7b9c107", "Lantern dropper", "[file:hashes.'SHA-256' = '8a3f1c9d2b7e4f6a0c5d8e1f3a9b7c2d4e6f8a0b1c3d5e7f9a2b4c6d8e0f1a3b']", "stix", tlp(vigie.TLPGreen), nil)
	yara := indicator("4c6e8a0b-3d5f-4b7c-9d9e-f4a6b8c0d208", "Lantern toolkit (YARA)", `rule Lantern_Toolkit {
  strings:
    $lua = "LanternLuaModule" wide
    $pdb = "C:\\build\\lantern\\Release\\mssecmgr.pdb"
    $usb = "autorun.inf" nocase
  condition:
    2 of them
}`, "yara", tlp(vigie.TLPGreen), nil)
	victim := indicator("5d7f9b1c-4e6a-4c8d-8e0f-a5b7c9d1e309", "Lantern beacon seen at Helios Energie", "[ipv4-addr:value = '198.51.100.23']", "stix", tlp(vigie.TLPRed),
		map[string]any{vigie.RecipientsProperty: []string{helios.id}, "description": "Only for Helios Energie: one of its VPN concentrators beaconed to Lantern infrastructure."})
	report := sdo("report", "6e8a0c2d-5f7b-4d9e-9f1a-b6c8d0e2f40a", tlp(vigie.TLPGreen), map[string]any{
		"name": "Frozen Lantern: espionage toolkit targeting energy operators", "published": ts, "report_types": []string{"campaign", "threat-report"},
		"object_refs": []string{campaign["id"].(string), malware["id"].(string), c2domain["id"].(string), c2ip["id"].(string), dropper["id"].(string), yara["id"].(string), coa["id"].(string)}})
	objs := []map[string]any{
		sector, campaign, malware, coa, c2domain, c2ip, dropper, yara, victim, report,
		rel("7f9b1d3e-6a8c-4eaf-8a2b-c7d9e1f3a50b", "indicates", c2domain["id"].(string), malware["id"].(string), tlp(vigie.TLPGreen)),
		rel("8a0c2e4f-7b9d-4fb0-9b3c-d8e0f2a4b60c", "indicates", dropper["id"].(string), malware["id"].(string), tlp(vigie.TLPGreen)),
		rel("9b1d3f5a-8c0e-4ac1-8c4d-e9f1a3b5c70d", "indicates", yara["id"].(string), malware["id"].(string), tlp(vigie.TLPGreen)),
		rel("0c2e4a6b-9d1f-4bd2-9d5e-f0a2b4c6d80e", "uses", campaign["id"].(string), malware["id"].(string), tlp(vigie.TLPGreen)),
		rel("1d3f5b7c-0e2a-4ce3-8e6f-a1b3c5d7e90f", "mitigates", coa["id"].(string), malware["id"].(string), tlp(vigie.TLPGreen)),
		rel("2e4a6c8d-1f3b-4df4-9f7a-b2c4d6e8fa10", "targets", campaign["id"].(string), sector["id"].(string), tlp(vigie.TLPGreen)),
	}
	if err := demoPublish(ctx, h, cert.token, 0, c, objs); err != nil {
		return err
	}
	// A public, TLP:CLEAR advisory anyone can read.
	advisory := sdo("report", "3f5b7d9e-2a4c-4ea5-8a8b-c3d5e7f9ab11", tlp(vigie.TLPClear), map[string]any{
		"name": "Advisory: block the Frozen Lantern C2 domain", "published": ts, "report_types": []string{"threat-report"},
		"description": "Block update.lantern-cdn.example and report any hit to CERT-Nord.",
		"object_refs": []string{"indicator--7a9c1e3f-4b6d-4f8a-9c0e-d2f4a6b8ca12"}})
	public := indicator("7a9c1e3f-4b6d-4f8a-9c0e-d2f4a6b8ca12", "Lantern C2 domain (public)", "[domain-name:value = 'update.lantern-cdn.example']", "stix", tlp(vigie.TLPClear), nil)
	if err := demoPublish(ctx, h, cert.token, 2, c, []map[string]any{public, advisory}); err != nil {
		return err
	}
	// Helios shares, with the energy ISAC only, the phishing lure it received.
	lure := indicator("8b0d2f4a-5c7e-4a9b-8d1f-e3a5b7c9db13", "Fake firmware update lure", "[url:value = 'https://firmware-update.helios-energie.example/patch.exe']", "stix", tlp(vigie.TLPAmberStrict), nil)
	lure["created_by_ref"] = helios.id
	return demoPublish(ctx, h, helios.token, 1, c, []map[string]any{lure})
}

// demoPublish publishes objects with the key token into the demo's
// collection number col, and fails on any refused object.
func demoPublish(ctx context.Context, h *hub.Hub, token string, col int, c *demoCoalition, objs []map[string]any) error {
	p, err := h.Authenticate(ctx, token, hub.ConsoleAddr)
	if err != nil {
		return err
	}
	coll, access, err := h.Collection(ctx, p, demoRoot, c.collections[col].id)
	if err != nil {
		return err
	}
	raws := make([]json.RawMessage, len(objs))
	for i, o := range objs {
		if raws[i], err = json.Marshal(o); err != nil {
			return err
		}
	}
	st, err := h.Publish(ctx, p, access, coll, raws)
	if err != nil {
		return err
	}
	if len(st.Failures) > 0 {
		return fmt.Errorf("demo object %s refused: %s", st.Failures[0].ID, st.Failures[0].Message)
	}
	return nil
}
