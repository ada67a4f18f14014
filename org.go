package vigie

import (
	"regexp"
	"strings"
	"time"
)

// Org is a member organisation of the coalition. Its ID is the id of the
// STIX identity (identity_class "organization") that represents it, so the
// objects it publishes name it in created_by_ref.
type Org struct {
	ID      string    // identity--UUID
	Name    string    // unique, used on the command line
	Sectors []string  // STIX industry-sector-ov values, e.g. "energy"
	Country string    // ISO 3166-1 alpha-2, upper case, may be empty
	Created time.Time // also the identity's created/modified timestamp
}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// Validate reports an EINVALID error when the organisation cannot be stored.
func (o *Org) Validate() error {
	switch {
	case strings.TrimSpace(o.Name) == "":
		return Errorf(EINVALID, "organisation name required")
	case len(o.Name) > 200:
		return Errorf(EINVALID, "organisation name longer than 200 characters")
	case o.Country != "" && !countryCode.MatchString(o.Country):
		return Errorf(EINVALID, "country %q is not an ISO 3166-1 alpha-2 code such as FR", o.Country)
	}
	for _, s := range o.Sectors {
		if !sectorName.MatchString(s) {
			return Errorf(EINVALID, "sector %q must be lower-case words joined by hyphens, such as \"financial-services\"", s)
		}
	}
	return nil
}

var sectorName = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Community is a sharing group: a named set of organisations. Collections
// are made readable or writable by communities.
type Community struct {
	ID      string
	Name    string
	Members []string // organisation ids
	Created time.Time
}

// Validate reports an EINVALID error when the community cannot be stored.
func (c *Community) Validate() error {
	if strings.TrimSpace(c.Name) == "" || strings.ContainsAny(c.Name, ":,") {
		return Errorf(EINVALID, "community name required, without ':' or ','")
	}
	return nil
}
