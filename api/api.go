// Package api holds the JSON shapes of the hub's /api/v1 endpoints that
// both the server and its clients (the command line, the sensor) use. It
// depends on nothing but the domain, so a client need not link the server:
// package client imports api and the standard library only.
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
	ID           string    `json:"id,omitempty"`
	Kind         WatchKind `json:"kind"`
	Value        string    `json:"value"`
	FromIdentity bool      `json:"from_identity,omitempty"`
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

// SBOMUpload is the answer of POST /api/v1/sboms: what an SBOM upload
// stored.
type SBOMUpload struct {
	SBOMID      string   `json:"sbom_id"`
	ProductID   string   `json:"product_id"`
	Product     string   `json:"product"`
	Format      string   `json:"format"`
	SpecVersion string   `json:"spec_version"`
	Components  int      `json:"components"`
	Unmatchable int      `json:"unmatchable"`
	Warnings    []string `json:"warnings,omitempty"`
	Collection  string   `json:"collection"`
}

// ImportResult is what an advisory import did.
type ImportResult struct {
	Stored  int                  `json:"stored"` // objects stored or already present
	Refused []vigie.StatusDetail `json:"refused,omitempty"`
	Skipped []vigie.StatusDetail `json:"skipped,omitempty"` // advisories that could not be converted
}

// AdvisoryImport is the answer of POST /api/v1/advisories.
type AdvisoryImport struct {
	ImportResult
	Read   int      `json:"read"`             // advisories read from the body
	Errors []string `json:"errors,omitempty"` // records that could not be read
}

// The shapes below are the domain's own types, whose JSON is the wire
// shape; they are named here so that a client needs only this package.

// Alert is an alert, as GET /api/v1/alerts lists it and the live stream
// and webhooks carry it.
type Alert = vigie.Alert

// AlertState is the state of an alert: new, acknowledged or resolved.
type AlertState = vigie.AlertState

// Severity is the severity of an alert; its JSON is its name ("high").
type Severity = vigie.Severity

// Delivery is one webhook delivery, as GET /api/v1/webhooks/deliveries
// lists it.
type Delivery = vigie.Delivery

// DeliveryState is the state of a webhook delivery.
type DeliveryState = vigie.DeliveryState

// Finding is a finding on a product, as GET /api/v1/findings lists it.
type Finding = vigie.Finding

// WatchKind is the kind of a watchlist entry (cidr, domain, ...).
type WatchKind = vigie.WatchKind

// StatusDetail names one object of a publication and what became of it.
type StatusDetail = vigie.StatusDetail
