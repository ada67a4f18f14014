package vigie

import (
	"crypto/rand"
	"crypto/sha1"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// APIRoot is a TAXII API root, served at /NAME/.
type APIRoot struct {
	Name             string // the path segment
	Title            string
	Description      string
	MaxContentLength int64 // bytes accepted in one request body
}

var rootName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

// Validate reports an EINVALID error when the API root cannot be stored.
func (r *APIRoot) Validate() error {
	if !rootName.MatchString(r.Name) || r.Name == "taxii2" || r.Name == "api" {
		return Errorf(EINVALID, "API root %q: want 1-63 letters, digits, '.', '_' or '-' (not \"taxii2\" or \"api\")", r.Name)
	}
	if r.MaxContentLength <= 0 {
		return Errorf(EINVALID, "API root %q: max content length must be positive", r.Name)
	}
	return nil
}

// GrantKind says who a Grant names.
type GrantKind string

// The kinds of grants on a collection.
const (
	GrantPublic    GrantKind = "public"    // anyone, also anonymous (read only)
	GrantCommunity GrantKind = "community" // the members of a community
	GrantOrg       GrantKind = "org"       // one organisation
)

// Grant gives read or write access on a collection to an audience.
type Grant struct {
	Kind GrantKind `json:"kind"`
	ID   string    `json:"id,omitempty"`   // community or organisation id; empty for public
	Name string    `json:"name,omitempty"` // its name, for display
}

// String returns the grant as written on the command line.
func (g Grant) String() string {
	if g.Kind == GrantPublic {
		return "public"
	}
	return string(g.Kind) + ":" + g.Name
}

// ParseGrant splits "public", "community:NAME" or "org:NAME"; the caller
// resolves the name to an id.
func ParseGrant(s string) (kind GrantKind, name string, err error) {
	if s == "public" {
		return GrantPublic, "", nil
	}
	k, n, ok := strings.Cut(s, ":")
	if ok && n != "" && (k == string(GrantCommunity) || k == string(GrantOrg)) {
		return GrantKind(k), n, nil
	}
	return "", "", Errorf(EINVALID, "grant %q: want public, community:NAME or org:NAME", s)
}

// Collection is a TAXII collection: where objects are published, and the
// audiences that may read and write it.
type Collection struct {
	ID          string // UUID
	Root        string // API root name
	Title       string
	Description string
	Alias       string
	Read        []Grant
	Write       []Grant
	Created     time.Time
}

// Validate reports an EINVALID error when the collection cannot be stored.
func (c *Collection) Validate() error {
	if !isUUID(c.ID) {
		return Errorf(EINVALID, "collection id %q is not a UUID", c.ID)
	}
	if strings.TrimSpace(c.Title) == "" {
		return Errorf(EINVALID, "collection title required")
	}
	for _, g := range c.Write {
		if g.Kind == GrantPublic {
			return Errorf(EINVALID, "collection %s: the public may read, never write", c.ID)
		}
	}
	return nil
}

// GrantsList returns the grants as written on the command line.
func GrantsList(gs []Grant) string {
	if len(gs) == 0 {
		return "none"
	}
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = g.String()
	}
	return strings.Join(parts, ",")
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func isUUID(s string) bool { return uuidRE.MatchString(s) }

// NewUUID returns a random (version 4) UUID.
func NewUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// NameUUID returns a name-based (version 5) UUID of name in vigie's own
// namespace: the same name always gives the same id, so that objects the
// hub makes for a thing (a product's SBOM, an organisation's private
// collection) keep one id across versions.
func NameUUID(name string) string {
	ns := [16]byte{0x5b, 0x1e, 0x7a, 0x3c, 0x91, 0x2d, 0x4f, 0x60, 0x8e, 0x57, 0x13, 0xc4, 0xa9, 0x0b, 0x6d, 0x22}
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	b := h.Sum(nil)[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
