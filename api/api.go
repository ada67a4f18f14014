// Package api holds the JSON shapes of the hub's /api/v1 endpoints that
// both the server and its clients (the command line, the sensor) use. It
// depends on nothing but the domain, so a client need not link the server.
package api

import "github.com/vigie-cti/vigie"

// Whoami is the answer of GET /api/v1/whoami: who the API key acts for.
// Sensors use it to name their organisation in the sightings they report.
type Whoami struct {
	OrgID       string   `json:"org_id"` // the organisation's STIX identity id
	OrgName     string   `json:"org_name"`
	Role        string   `json:"role"`
	KeyID       string   `json:"key_id"`
	Communities []string `json:"communities"` // community ids
}

// WatchEntry is a watchlist entry. Entries from the organisation's
// identity (its sectors and country) have no id and cannot be deleted.
type WatchEntry struct {
	ID           string          `json:"id,omitempty"`
	Kind         vigie.WatchKind `json:"kind"`
	Value        string          `json:"value"`
	FromIdentity bool            `json:"from_identity,omitempty"`
}

// Webhook is a webhook; Secret only in the answer to its creation, when
// the hub chose it.
type Webhook struct {
	ID      string `json:"id"`
	URL     string `json:"url"`
	Secret  string `json:"secret,omitempty"`
	Created string `json:"created"`
}

// Product is a product version of the organisation.
type Product struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Version    string `json:"version"`
	Supplier   string `json:"supplier,omitempty"`
	SBOMID     string `json:"sbom_id"`
	Collection string `json:"collection"`
	Created    string `json:"created"`
}
