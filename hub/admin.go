package hub

import (
	"context"
	"encoding/json"
	"time"

	"github.com/vigie-cti/vigie"
)

// DefaultMaxContentLength is the request body limit of API roots created
// without one: 64 MiB, room for envelopes of 10,000 large objects.
const DefaultMaxContentLength = 64 << 20

// AddOrg registers an organisation and returns it (its ID is the id of its
// STIX identity).
func (h *Hub) AddOrg(ctx context.Context, name string, sectors []string, country string) (*vigie.Org, error) {
	o := &vigie.Org{ID: "identity--" + vigie.NewUUID(), Name: name, Sectors: sectors, Country: country, Created: h.now().UTC()}
	if err := h.store.CreateOrg(ctx, o); err != nil {
		return nil, err
	}
	return o, nil
}

// AddKey creates an API key for the organisation named org and returns it
// with the token to hand over (shown once, never stored).
func (h *Hub) AddKey(ctx context.Context, org string, role vigie.Role, name string, expires time.Time) (*vigie.Key, string, error) {
	o, err := h.store.FindOrg(ctx, org)
	if err != nil {
		return nil, "", err
	}
	if _, err := vigie.ParseRole(string(role)); err != nil {
		return nil, "", err
	}
	k, token := vigie.NewKey(o.ID, role, name, expires, h.now().UTC())
	if err := h.store.CreateKey(ctx, k); err != nil {
		return nil, "", err
	}
	return k, token, nil
}

// AddCommunity creates a community of the organisations named members.
func (h *Hub) AddCommunity(ctx context.Context, name string, members []string) (*vigie.Community, error) {
	c := &vigie.Community{ID: vigie.NewUUID(), Name: name, Created: h.now().UTC()}
	for _, m := range members {
		o, err := h.store.FindOrg(ctx, m)
		if err != nil {
			return nil, err
		}
		c.Members = append(c.Members, o.ID)
	}
	if err := h.store.CreateCommunity(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// CollectionSpec is what an operator says of a new collection; grants are
// written "public", "community:NAME" or "org:NAME" ("none" or nothing for
// no one).
type CollectionSpec struct {
	Root        string
	ID          string // a UUID, or "" for a new one
	Title       string
	Description string
	Alias       string
	Read, Write []string
}

// AddCollection creates a collection, and its API root if it is new.
func (h *Hub) AddCollection(ctx context.Context, spec CollectionSpec) (*vigie.Collection, error) {
	c := &vigie.Collection{ID: spec.ID, Root: spec.Root, Title: spec.Title, Description: spec.Description, Alias: spec.Alias, Created: h.now().UTC()}
	if c.ID == "" {
		c.ID = vigie.NewUUID()
	}
	var err error
	if c.Read, err = h.grants(ctx, spec.Read); err != nil {
		return nil, err
	}
	if c.Write, err = h.grants(ctx, spec.Write); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if _, err := h.store.FindAPIRoot(ctx, spec.Root); vigie.ErrorCode(err) == vigie.ENOTFOUND {
		r := &vigie.APIRoot{Name: spec.Root, Title: spec.Root, MaxContentLength: DefaultMaxContentLength}
		if err := h.store.CreateAPIRoot(ctx, r); err != nil && vigie.ErrorCode(err) != vigie.ECONFLICT {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	if err := h.store.CreateCollection(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// grants resolves grant strings to grants on existing audiences.
func (h *Hub) grants(ctx context.Context, specs []string) ([]vigie.Grant, error) {
	var out []vigie.Grant
	for _, s := range specs {
		if s == "none" {
			continue
		}
		kind, name, err := vigie.ParseGrant(s)
		if err != nil {
			return nil, err
		}
		g := vigie.Grant{Kind: kind, Name: name}
		switch kind {
		case vigie.GrantCommunity:
			c, err := h.store.FindCommunity(ctx, name)
			if err != nil {
				return nil, err
			}
			g.ID, g.Name = c.ID, c.Name
		case vigie.GrantOrg:
			o, err := h.store.FindOrg(ctx, name)
			if err != nil {
				return nil, err
			}
			g.ID, g.Name = o.ID, o.Name
		}
		out = append(out, g)
	}
	return out, nil
}

// Identity returns the STIX identity object of an organisation (class
// organization, its sectors, and its country in x_vigie_country), as
// members resolve created_by_ref and where_sighted_refs.
func Identity(o *vigie.Org) json.RawMessage {
	ts := o.Created.UTC().Format("2006-01-02T15:04:05.000Z")
	obj := map[string]any{"type": "identity", "spec_version": "2.1", "id": o.ID, "created": ts, "modified": ts,
		"name": o.Name, "identity_class": "organization"}
	if len(o.Sectors) > 0 {
		obj["sectors"] = o.Sectors
	}
	if o.Country != "" {
		obj["x_vigie_country"] = o.Country
	}
	raw, _ := json.Marshal(obj) // strings and lists of strings always encode
	return raw
}
