// Package taxii is the TAXII 2.1 protocol: its resources as Go types, the
// parsing of its URL filters, its media types, and a client. The hub's
// server (package server) and its sensors and peers (the client) share it.
package taxii

import "encoding/json"

// Media types of TAXII 2.1 and STIX 2.1.
const (
	MediaType     = "application/taxii+json;version=2.1"
	STIXMediaType = "application/stix+json;version=2.1"
)

// Discovery is the server discovery resource (GET /taxii2/).
type Discovery struct {
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Contact     string   `json:"contact,omitempty"`
	Default     string   `json:"default,omitempty"`
	APIRoots    []string `json:"api_roots,omitempty"`
	// Hub is vigie's identity of the hub, for its peers (federation.go).
	Hub *HubInfo `json:"x_vigie_hub,omitempty"`
}

// APIRoot is the API root information resource (GET /{root}/).
type APIRoot struct {
	Title            string   `json:"title"`
	Description      string   `json:"description,omitempty"`
	Versions         []string `json:"versions"`
	MaxContentLength int64    `json:"max_content_length"`
}

// Collections is the collections resource (GET /{root}/collections/).
type Collections struct {
	Collections []Collection `json:"collections,omitempty"`
}

// Collection is the collection resource.
type Collection struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Alias       string   `json:"alias,omitempty"`
	CanRead     bool     `json:"can_read"`
	CanWrite    bool     `json:"can_write"`
	MediaTypes  []string `json:"media_types,omitempty"`
}

// Envelope carries objects, in a GET response or a POST request.
type Envelope struct {
	More    bool              `json:"more,omitempty"`
	Next    string            `json:"next,omitempty"`
	Objects []json.RawMessage `json:"objects,omitempty"`
	// Records is vigie's provenance of each object, for peer hubs
	// (federation.go); absent for other callers.
	Records []Record `json:"x_vigie_records,omitempty"`
}

// ManifestRecord describes one object version without its content.
type ManifestRecord struct {
	ID        string `json:"id"`
	DateAdded string `json:"date_added"`
	Version   string `json:"version"`
	MediaType string `json:"media_type,omitempty"`
	// RelayedBy is a custom property of vigie: the member organisation
	// that published this version of a third-party object (one whose
	// created_by_ref names an author that is not a member).
	RelayedBy string `json:"x_vigie_relayed_by,omitempty"`
	// OriginHub and OriginOrg are custom properties of vigie for an
	// object relayed from a peer hub: the hub it was first published on
	// and the organisation that published it there.
	OriginHub     string `json:"x_vigie_origin_hub,omitempty"`
	OriginOrg     string `json:"x_vigie_origin_org,omitempty"`
	OriginOrgName string `json:"x_vigie_origin_org_name,omitempty"`
}

// Manifest is the manifest resource (GET .../manifest/).
type Manifest struct {
	More    bool             `json:"more,omitempty"`
	Next    string           `json:"next,omitempty"`
	Objects []ManifestRecord `json:"objects,omitempty"`
}

// Versions is the versions resource (GET .../objects/{id}/versions/).
type Versions struct {
	More     bool     `json:"more,omitempty"`
	Next     string   `json:"next,omitempty"`
	Versions []string `json:"versions,omitempty"`
}

// Status is the status resource: the outcome of a POST of objects.
type Status struct {
	ID               string         `json:"id"`
	Status           string         `json:"status"` // "complete" or "pending"
	RequestTimestamp string         `json:"request_timestamp,omitempty"`
	TotalCount       int            `json:"total_count"`
	SuccessCount     int            `json:"success_count"`
	Successes        []StatusDetail `json:"successes,omitempty"`
	FailureCount     int            `json:"failure_count"`
	Failures         []StatusDetail `json:"failures,omitempty"`
	PendingCount     int            `json:"pending_count"`
	Pendings         []StatusDetail `json:"pendings,omitempty"`
}

// StatusDetail is the outcome for one object of a POST.
type StatusDetail struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Message string `json:"message,omitempty"`
}

// Error is the TAXII error message resource.
type Error struct {
	Title           string            `json:"title"`
	Description     string            `json:"description,omitempty"`
	ErrorID         string            `json:"error_id,omitempty"`
	ErrorCode       string            `json:"error_code,omitempty"`
	HTTPStatus      string            `json:"http_status,omitempty"`
	ExternalDetails string            `json:"external_details,omitempty"`
	Details         map[string]string `json:"details,omitempty"`
}

// Error returns the title and description.
func (e *Error) Error() string {
	if e.Description == "" {
		return e.Title
	}
	return e.Title + ": " + e.Description
}

// Headers that carry the range of date_added in a page.
const (
	HeaderDateAddedFirst = "X-TAXII-Date-Added-First"
	HeaderDateAddedLast  = "X-TAXII-Date-Added-Last"
)
