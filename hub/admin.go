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
// STIX identity). Operators only.
func (h *Hub) AddOrg(ctx context.Context, p vigie.Principal, name string, sectors []string, country string) (*vigie.Org, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, err
	}
	o := &vigie.Org{ID: "identity--" + vigie.NewUUID(), Name: name, Sectors: sectors, Country: country, Created: h.now().UTC()}
	if err := h.store.CreateOrg(ctx, o); err != nil {
		return nil, err
	}
	e := h.newEntry(p, vigie.AuditOrgAdd, "org "+o.ID, vigie.OutcomeSuccess)
	e.TargetOrg = o.ID
	return o, h.record(ctx, withDetail(e, map[string]any{"name": o.Name, "sectors": o.Sectors, "country": o.Country}))
}

// Orgs returns every organisation, by name. Operators only.
func (h *Hub) Orgs(ctx context.Context, p vigie.Principal) ([]*vigie.Org, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, err
	}
	return h.store.ListOrgs(ctx)
}

// AddKey creates an API key for the organisation named org and returns it
// with the token to hand over (shown once, never stored, never audited:
// the audit log holds the key's id). Operators only.
func (h *Hub) AddKey(ctx context.Context, p vigie.Principal, org string, role vigie.Role, name string, expires time.Time) (*vigie.Key, string, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, "", err
	}
	o, err := h.store.FindOrg(ctx, org)
	if err != nil {
		return nil, "", err
	}
	if _, err := vigie.ParseRole(string(role)); err != nil {
		return nil, "", err
	}
	if !expires.IsZero() && !expires.After(h.now()) {
		return nil, "", vigie.Errorf(vigie.EINVALID, "expiry %s is in the past: the key would never work", expires.UTC().Format(time.RFC3339))
	}
	k, token := vigie.NewKey(o.ID, role, name, expires, h.now().UTC())
	if err := h.store.CreateKey(ctx, k); err != nil {
		return nil, "", err
	}
	e := h.newEntry(p, vigie.AuditKeyAdd, "key "+k.ID, vigie.OutcomeSuccess)
	e.TargetOrg = o.ID
	detail := map[string]string{"role": string(k.Role), "name": k.Name}
	if !k.Expires.IsZero() {
		detail["expires"] = k.Expires.Format(time.RFC3339)
	}
	return k, token, h.record(ctx, withDetail(e, detail))
}

// Keys returns the keys of the organisation named org ("" for all),
// newest first, never their secrets. Operators only.
func (h *Hub) Keys(ctx context.Context, p vigie.Principal, org string) ([]*vigie.Key, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, err
	}
	orgID := ""
	if org != "" {
		o, err := h.store.FindOrg(ctx, org)
		if err != nil {
			return nil, err
		}
		orgID = o.ID
	}
	return h.store.ListKeys(ctx, orgID)
}

// RevokeKey revokes a key at once: requests with it are refused. id is the
// key's id, or the whole token (only its id is used). Operators only.
func (h *Hub) RevokeKey(ctx context.Context, p vigie.Principal, id string) (string, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return "", err
	}
	if kid, _, ok := vigie.SplitToken(id); ok {
		id = kid // a whole token was given
	}
	k, err := h.store.FindKey(ctx, id)
	if err != nil {
		return "", err
	}
	if err := h.store.RevokeKey(ctx, id, h.now().UTC()); err != nil {
		return "", err
	}
	e := h.newEntry(p, vigie.AuditKeyRevoke, "key "+id, vigie.OutcomeSuccess)
	e.TargetOrg = k.OrgID
	return id, h.record(ctx, e)
}

// AddCommunity creates a community of the organisations named members.
// Operators only.
func (h *Hub) AddCommunity(ctx context.Context, p vigie.Principal, name string, members []string) (*vigie.Community, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, err
	}
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
	return c, h.record(ctx, withDetail(h.newEntry(p, vigie.AuditCommunityAdd, "community "+c.ID, vigie.OutcomeSuccess),
		map[string]any{"name": c.Name, "members": c.Members}))
}

// Communities returns every community, by name. Operators only.
func (h *Hub) Communities(ctx context.Context, p vigie.Principal) ([]*vigie.Community, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, err
	}
	return h.store.ListCommunities(ctx)
}

// SetCommunityMember adds (member true) or removes the organisation named
// org to or from the community named community. Operators only.
func (h *Hub) SetCommunityMember(ctx context.Context, p vigie.Principal, community, org string, member bool) error {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return err
	}
	c, err := h.store.FindCommunity(ctx, community)
	if err != nil {
		return err
	}
	o, err := h.store.FindOrg(ctx, org)
	if err != nil {
		return err
	}
	if err := h.store.SetCommunityMember(ctx, c.ID, o.ID, member); err != nil {
		return err
	}
	action := vigie.AuditMemberAdd
	if !member {
		action = vigie.AuditMemberRemove
	}
	e := h.newEntry(p, action, "community "+c.ID, vigie.OutcomeSuccess)
	e.TargetOrg = o.ID
	return h.record(ctx, e)
}

// ActAs returns the principal of the organisation named org with role, for
// the operator at the console publishing in its name (an advisory import
// from the hub's machine). Operators only.
func (h *Hub) ActAs(ctx context.Context, p vigie.Principal, org string, role vigie.Role) (vigie.Principal, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return vigie.Principal{}, err
	}
	o, err := h.store.FindOrg(ctx, org)
	if err != nil {
		return vigie.Principal{}, err
	}
	comms, err := h.store.OrgCommunities(ctx, o.ID)
	if err != nil {
		return vigie.Principal{}, err
	}
	return vigie.Principal{OrgID: o.ID, Role: role, Communities: comms, Addr: p.Addr}, nil
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
// Operators only.
func (h *Hub) AddCollection(ctx context.Context, p vigie.Principal, spec CollectionSpec) (*vigie.Collection, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, err
	}
	return h.addCollection(ctx, p, spec)
}

// AllCollections returns every collection of every API root, by creation
// time. Operators only.
func (h *Hub) AllCollections(ctx context.Context, p vigie.Principal) ([]*vigie.Collection, error) {
	if err := Allow(p, vigie.RoleOperator); err != nil {
		return nil, err
	}
	return h.store.ListCollections(ctx, "")
}

// addCollection creates a collection on p's behalf (an operator, or the
// hub making a member's private collection) and records it.
func (h *Hub) addCollection(ctx context.Context, p vigie.Principal, spec CollectionSpec) (*vigie.Collection, error) {
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
	return c, h.record(ctx, withDetail(h.newEntry(p, vigie.AuditCollectionAdd, "collection "+c.ID, vigie.OutcomeSuccess),
		map[string]string{"root": c.Root, "title": c.Title, "read": vigie.GrantsList(c.Read), "write": vigie.GrantsList(c.Write)}))
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
