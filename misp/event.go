// Package misp reads and writes the MISP core format: events (one, a list,
// or a feed directory with its manifest.json), converted to STIX 2.1 the
// way MISP's own converter (misp-stix) does, and STIX 2.1 objects written
// back as a MISP feed (manifest.json, one <uuid>.json per event,
// hashes.csv). Events are read as a stream: attributes and objects are
// handed over one at a time, so that an event of a million attributes
// takes bounded memory. It imports the domain (for the TLP marking ids)
// and the pattern package only.
package misp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Event is a MISP event without its attributes and objects, which the
// reader streams (see Reader).
type Event struct {
	UUID             string    `json:"uuid"`
	Info             string    `json:"info"`
	Date             string    `json:"date,omitempty"`
	Published        Bool      `json:"published"`
	Timestamp        Timestamp `json:"timestamp"`
	PublishTimestamp Timestamp `json:"publish_timestamp,omitempty"`
	ThreatLevelID    Int       `json:"threat_level_id,omitempty"`
	Analysis         Int       `json:"analysis,omitempty"`
	Distribution     Int       `json:"distribution,omitempty"`
	Orgc             Org       `json:"Orgc"`
	Tags             []Tag     `json:"Tag,omitempty"`
	Galaxies         []Galaxy  `json:"Galaxy,omitempty"`
}

// Org is a MISP organisation (Orgc: the creator of an event).
type Org struct {
	UUID string `json:"uuid"`
	Name string `json:"name"`
}

// Tag is a MISP tag ("tlp:amber", "misp-galaxy:threat-actor=\"APT28\"").
type Tag struct {
	Name string `json:"name"`
}

// Galaxy is a MISP galaxy with the clusters attached to an event or an
// attribute.
type Galaxy struct {
	UUID     string    `json:"uuid,omitempty"`
	Name     string    `json:"name,omitempty"`
	Type     string    `json:"type"`
	Clusters []Cluster `json:"GalaxyCluster"`
}

// Cluster is one value of a galaxy (a threat actor, a malware family, an
// ATT&CK technique).
type Cluster struct {
	UUID        string          `json:"uuid,omitempty"`
	Type        string          `json:"type,omitempty"`
	Value       string          `json:"value"`
	TagName     string          `json:"tag_name,omitempty"`
	Description string          `json:"description,omitempty"`
	Meta        json.RawMessage `json:"meta,omitempty"`
}

// Attribute is one MISP attribute, at the top of an event or inside an
// object.
type Attribute struct {
	UUID           string     `json:"uuid"`
	Type           string     `json:"type"`
	Category       string     `json:"category"`
	Value          string     `json:"value"`
	ToIDs          Bool       `json:"to_ids"`
	Comment        string     `json:"comment,omitempty"`
	Timestamp      Timestamp  `json:"timestamp"`
	Deleted        Bool       `json:"deleted,omitempty"`
	ObjectRelation string     `json:"object_relation,omitempty"`
	FirstSeen      string     `json:"first_seen,omitempty"`
	LastSeen       string     `json:"last_seen,omitempty"`
	Tags           []Tag      `json:"Tag,omitempty"`
	Galaxies       []Galaxy   `json:"Galaxy,omitempty"`
	Sightings      []Sighting `json:"Sighting,omitempty"`
}

// Object is a MISP object: attributes that describe one thing together
// (a file with its name and hashes, a network connection).
type Object struct {
	UUID         string      `json:"uuid"`
	Name         string      `json:"name"`
	MetaCategory string      `json:"meta-category,omitempty"`
	Comment      string      `json:"comment,omitempty"`
	Timestamp    Timestamp   `json:"timestamp"`
	Deleted      Bool        `json:"deleted,omitempty"`
	Attributes   []Attribute `json:"Attribute"`
}

// Sighting is a MISP sighting of an attribute: type 0 a sighting, 1 a
// false positive, 2 an expiration.
type Sighting struct {
	UUID         string    `json:"uuid,omitempty"`
	DateSighting Timestamp `json:"date_sighting"`
	Type         Int       `json:"type"`
	Source       string    `json:"source,omitempty"`
	Organisation *Org      `json:"Organisation,omitempty"`
}

// Bool is a MISP boolean: true, false, "1", "0", 1, 0, "true", "false".
type Bool bool

// UnmarshalJSON accepts the spellings MISP and its tools write.
func (b *Bool) UnmarshalJSON(data []byte) error {
	s := strings.Trim(string(data), `"`)
	switch strings.ToLower(s) {
	case "true", "1":
		*b = true
	case "false", "0", "", "null":
		*b = false
	default:
		return fmt.Errorf("%s is not a boolean", truncate(string(data)))
	}
	return nil
}

// Int is a MISP number, written as a number or a string of digits.
type Int int64

// UnmarshalJSON accepts 3 and "3" (and null or "" as 0).
func (n *Int) UnmarshalJSON(data []byte) error {
	s := strings.Trim(string(data), `"`)
	if s == "" || s == "null" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("%s is not an integer", truncate(string(data)))
	}
	*n = Int(v)
	return nil
}

// Timestamp is a MISP timestamp: seconds since the epoch, as a number or
// a string; 0 when absent.
type Timestamp int64

// UnmarshalJSON accepts 1603642920 and "1603642920".
func (t *Timestamp) UnmarshalJSON(data []byte) error {
	var n Int
	if err := n.UnmarshalJSON(data); err != nil {
		return fmt.Errorf("timestamp %s: want seconds since 1970", truncate(string(data)))
	}
	if n < 0 || n > 253402300799 { // 9999-12-31
		return fmt.Errorf("timestamp %d is out of range", n)
	}
	*t = Timestamp(n)
	return nil
}

// MarshalJSON writes the timestamp as MISP does, a string of digits.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strconv.FormatInt(int64(t), 10) + `"`), nil
}

// Time returns the timestamp as a UTC time (the zero time for 0).
func (t Timestamp) Time() time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.Unix(int64(t), 0).UTC()
}

// MarshalJSON writes the number as MISP does, a string of digits.
func (n Int) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strconv.FormatInt(int64(n), 10) + `"`), nil
}

// truncate shortens a value quoted in an error message.
func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// validUUID reports whether s is an RFC 4122 UUID (version 1 to 5,
// variant 10xx, in lower or upper case), as STIX ids need.
func validUUID(s string) bool {
	if len(s) != 36 || s[14] < '1' || s[14] > '5' || !strings.ContainsRune("89abAB", rune(s[19])) {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// isNull reports whether a raw JSON value is null.
func isNull(raw []byte) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }
