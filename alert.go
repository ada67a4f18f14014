package vigie

import (
	"encoding/json"
	"strings"
	"time"
)

// Severity ranks alerts; higher is more urgent.
type Severity int

// The severities of alerts.
const (
	SeverityInfo Severity = iota + 1
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = [...]string{"", "info", "low", "medium", "high", "critical"}

// String returns the severity's name.
func (s Severity) String() string {
	if s < SeverityInfo || s > SeverityCritical {
		return "unknown"
	}
	return severityNames[s]
}

// ParseSeverity reads a severity name.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if i > 0 && n == strings.ToLower(s) {
			return Severity(i), nil
		}
	}
	return 0, Errorf(EINVALID, "severity %q: want info, low, medium, high or critical", s)
}

// MarshalText writes the severity's name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// AlertState is where an alert is in its receiver's triage.
type AlertState string

// The states of an alert.
const (
	AlertNew          AlertState = "new"
	AlertAcknowledged AlertState = "acknowledged"
	AlertResolved     AlertState = "resolved"
)

// ParseAlertState reads a state name.
func ParseAlertState(s string) (AlertState, error) {
	switch st := AlertState(s); st {
	case AlertNew, AlertAcknowledged, AlertResolved:
		return st, nil
	}
	return "", Errorf(EINVALID, "state %q: want new, acknowledged or resolved", s)
}

// Triggers: what made the hub raise an alert.
const (
	TriggerWatchlist   = "watchlist"    // an observable inside a watchlist entry
	TriggerSighting    = "sighting"     // an indicator sighted by several organisations
	TriggerTargeting   = "targeting"    // a threat targeting the member's sector or country
	TriggerSupplyChain = "supply-chain" // an advisory affecting one of the member's products
	TriggerCorrelation = "correlation"  // an observable also shared by another organisation
)

// ObjectRef points at a shared object: what an alert is about, or a
// countermeasure to apply.
type ObjectRef struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Name       string `json:"name,omitempty"`
	Collection string `json:"collection,omitempty"`
	Root       string `json:"api_root,omitempty"`
	// For an object relayed from another hub (federation): the hub it
	// was first published on (its id), the organisation that published
	// it there, and the peer it arrived through.
	OriginHub string `json:"origin_hub,omitempty"`
	OriginOrg string `json:"origin_org,omitempty"`
	ViaPeer   string `json:"via_peer,omitempty"`
}

// Alert tells one organisation that something shared touches it. It names
// only objects that organisation may read.
type Alert struct {
	ID              string      `json:"id"`
	OrgID           string      `json:"org_id"`
	Trigger         string      `json:"trigger"`
	Severity        Severity    `json:"severity"`
	State           AlertState  `json:"state"`
	Title           string      `json:"title"`
	Detail          string      `json:"detail,omitempty"`
	DedupKey        string      `json:"dedup_key"`
	Objects         []ObjectRef `json:"objects"`
	Countermeasures []ObjectRef `json:"countermeasures,omitempty"`
	Count           int         `json:"count"`
	FirstSeen       time.Time   `json:"first_seen"`
	LastSeen        time.Time   `json:"last_seen"`
	Updated         time.Time   `json:"updated"`
}

// AlertEvent is one creation or update of an alert, in the order the hub
// recorded them; Seq is the id of live-stream events.
type AlertEvent struct {
	Seq   int64           `json:"seq"`
	OrgID string          `json:"org_id"`
	Kind  string          `json:"kind"` // "created" or "updated"
	Alert json.RawMessage `json:"alert"`
	Time  time.Time       `json:"time"`
}

// Webhook is where an organisation receives its alerts by HTTP POST.
type Webhook struct {
	ID      string    `json:"id"`
	OrgID   string    `json:"org_id"`
	URL     string    `json:"url"`
	Secret  string    `json:"-"` // signs each delivery; never shown again
	Created time.Time `json:"created"`
}

// DeliveryState is where a webhook delivery stands.
type DeliveryState string

// The states of a delivery.
const (
	DeliveryPending   DeliveryState = "pending"
	DeliveryDelivered DeliveryState = "delivered"
	DeliveryFailed    DeliveryState = "failed" // given up after the retry period
)

// Delivery is one alert event to send to one webhook, kept until it is
// delivered or given up: the outbox of at-least-once delivery.
type Delivery struct {
	ID          int64         `json:"id"`
	WebhookID   string        `json:"webhook_id"`
	OrgID       string        `json:"org_id"`
	EventSeq    int64         `json:"event_seq"`
	State       DeliveryState `json:"state"`
	Attempts    int           `json:"attempts"`
	NextAttempt time.Time     `json:"next_attempt"`
	LastError   string        `json:"last_error,omitempty"`
	LastStatus  int           `json:"last_status,omitempty"`
	Created     time.Time     `json:"created"`
	Delivered   time.Time     `json:"delivered,omitzero"`
	URL         string        `json:"url"`
	Body        []byte        `json:"-"` // the JSON posted
}
