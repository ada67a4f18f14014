// Package gen generates realistic STIX 2.1 objects for benchmarks: the mix
// a coalition shares (indicators of every common kind, observed data with
// their observables, relationships, reports), deterministic for a seed.
package gen

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"
)

// Generator makes objects; it is not safe for concurrent use.
type Generator struct {
	rng      *rand.Rand
	creator  string
	n        int
	base     time.Time
	recent   []string // ids of recent SDOs, for relationships and reports
	markings []string
}

// New returns a generator publishing as creator (an identity id, or "").
func New(seed uint64, creator string) *Generator {
	return &Generator{
		rng:     rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		creator: creator,
		base:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		markings: []string{
			"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", // CLEAR
			"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", // GREEN
			"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
			"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", // AMBER
		},
	}
}

func (g *Generator) uuid() string {
	a, b := g.rng.Uint64(), g.rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, a>>16&0xffff, a&0xfff, 0x8000|b>>48&0x3fff, b&0xffffffffffff)
}

func (g *Generator) ts() string {
	return g.base.Add(time.Duration(g.n) * time.Second).Format("2006-01-02T15:04:05.000Z")
}

func (g *Generator) common(typ string) map[string]any {
	g.n++
	o := map[string]any{
		"type": typ, "spec_version": "2.1", "id": typ + "--" + g.uuid(),
		"created": g.ts(), "modified": g.ts(),
		"object_marking_refs": []string{g.markings[g.rng.IntN(len(g.markings))]},
	}
	if g.creator != "" {
		o["created_by_ref"] = g.creator
	}
	return o
}

func (g *Generator) ip() string {
	return fmt.Sprintf("%d.%d.%d.%d", 1+g.rng.IntN(223), g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254))
}

func (g *Generator) domain() string {
	words := []string{"update", "cdn", "secure", "login", "mail", "portal", "sync", "cloud", "files", "api"}
	return fmt.Sprintf("%s-%s%d.example-%d.net", words[g.rng.IntN(len(words))], words[g.rng.IntN(len(words))], g.rng.IntN(1000), g.rng.IntN(100000))
}

func (g *Generator) hex(n int) string {
	b := make([]byte, n/2)
	for i := range b {
		b[i] = byte(g.rng.Uint32())
	}
	return fmt.Sprintf("%x", b)
}

// Indicator returns an indicator with a common kind of pattern.
func (g *Generator) Indicator() map[string]any {
	var pattern, name string
	switch g.rng.IntN(6) {
	case 0:
		pattern, name = fmt.Sprintf("[ipv4-addr:value = '%s']", g.ip()), "C2 address"
	case 1:
		pattern, name = fmt.Sprintf("[domain-name:value = '%s']", g.domain()), "C2 domain"
	case 2:
		pattern, name = fmt.Sprintf("[url:value = 'https://%s/%s/payload.bin']", g.domain(), g.hex(8)), "Payload URL"
	case 3:
		pattern, name = fmt.Sprintf("[file:hashes.'SHA-256' = '%s']", g.hex(64)), "Dropper"
	case 4:
		pattern, name = fmt.Sprintf("[file:hashes.MD5 = '%s' OR file:hashes.'SHA-1' = '%s']", g.hex(32), g.hex(40)), "Implant"
	default:
		pattern, name = fmt.Sprintf("[network-traffic:dst_ref.value = '%s' AND network-traffic:dst_port = %d]", g.ip(), 443+g.rng.IntN(10000)), "Beacon"
	}
	o := g.common("indicator")
	o["name"] = name
	o["description"] = "Observed in a spear-phishing campaign against energy operators; see the related report."
	o["indicator_types"] = []string{"malicious-activity"}
	o["pattern"] = pattern
	o["pattern_type"] = "stix"
	o["valid_from"] = o["created"]
	o["kill_chain_phases"] = []map[string]string{{"kill_chain_name": "mitre-attack", "phase_name": "command-and-control"}}
	o["confidence"] = 50 + g.rng.IntN(50)
	g.remember(o)
	return o
}

func (g *Generator) remember(o map[string]any) {
	g.recent = append(g.recent, o["id"].(string))
	if len(g.recent) > 64 {
		g.recent = g.recent[len(g.recent)-64:]
	}
}

// ObservedData returns an observed-data and the SCOs it references.
func (g *Generator) ObservedData() []map[string]any {
	g.n++
	ip := map[string]any{"type": "ipv4-addr", "spec_version": "2.1", "id": "ipv4-addr--" + g.uuid(), "value": g.ip()}
	dom := map[string]any{"type": "domain-name", "spec_version": "2.1", "id": "domain-name--" + g.uuid(), "value": g.domain(),
		"resolves_to_refs": []string{ip["id"].(string)}}
	od := g.common("observed-data")
	od["first_observed"] = od["created"]
	od["last_observed"] = od["created"]
	od["number_observed"] = 1 + g.rng.IntN(20)
	od["object_refs"] = []string{dom["id"].(string), ip["id"].(string)}
	g.remember(od)
	return []map[string]any{ip, dom, od}
}

// Relationship returns a relationship between two recent objects.
func (g *Generator) Relationship() map[string]any {
	if len(g.recent) < 2 {
		g.Indicator()
		g.Indicator()
	}
	o := g.common("relationship")
	o["relationship_type"] = "related-to"
	o["source_ref"] = g.recent[g.rng.IntN(len(g.recent))]
	o["target_ref"] = g.recent[g.rng.IntN(len(g.recent))]
	return o
}

// Report returns a report referencing recent objects.
func (g *Generator) Report() map[string]any {
	if len(g.recent) == 0 {
		g.Indicator()
	}
	o := g.common("report")
	o["name"] = fmt.Sprintf("Campaign update %d", g.n)
	o["description"] = "Weekly update on the campaign: new infrastructure, new droppers, and the countermeasures that worked."
	o["report_types"] = []string{"campaign"}
	o["published"] = o["created"]
	n := 5 + g.rng.IntN(10)
	if n > len(g.recent) {
		n = len(g.recent)
	}
	o["object_refs"] = append([]string(nil), g.recent[len(g.recent)-n:]...)
	return o
}

// Batch returns n objects of a realistic mix: about 35% indicators, 25%
// observed data with its observables, 30% relationships, 8% reports.
func (g *Generator) Batch(n int) []map[string]any {
	out := make([]map[string]any, 0, n)
	for len(out) < n {
		switch r := g.rng.IntN(100); {
		case r < 45:
			out = append(out, g.Indicator())
		case r < 55:
			out = append(out, g.ObservedData()...)
		case r < 90:
			out = append(out, g.Relationship())
		default:
			out = append(out, g.Report())
		}
	}
	return out[:n]
}

// Envelope returns n objects as a TAXII envelope.
func (g *Generator) Envelope(n int) []byte {
	b, err := json.Marshal(map[string]any{"objects": g.Batch(n)})
	if err != nil {
		panic(err) // maps of strings and numbers always encode
	}
	return b
}
