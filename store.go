package vigie

import (
	"context"
	"time"
)

// Store is everything the hub keeps. Implementations: store/sqlite (the
// embedded default) and store/postgres; store/storetest holds the
// conformance suite both must pass. Methods return *Error values with the
// codes named in their comments; other errors are internal.
type Store interface {
	OrgStore
	KeyStore
	CommunityStore
	CollectionStore
	ObjectStore
	WatchStore
	WebhookStore
	AlertStore
	EngineStore
	ProductStore
	SupplierStore
	CatalogStore
	AuditStore
	FeedStore
	ExportStore
	OpsStore
	SampleStore
	UserStore
	FederationStore
	Close() error
}

// OrgStore keeps organisations.
type OrgStore interface {
	// CreateOrg stores a new organisation. ECONFLICT if the name or id is taken.
	CreateOrg(ctx context.Context, o *Org) error
	// FindOrg returns the organisation with this id or name. ENOTFOUND.
	FindOrg(ctx context.Context, idOrName string) (*Org, error)
	// ListOrgs returns every organisation, by name.
	ListOrgs(ctx context.Context) ([]*Org, error)
}

// KeyStore keeps API keys (hashed).
type KeyStore interface {
	// CreateKey stores a key. ENOTFOUND if its organisation does not exist.
	CreateKey(ctx context.Context, k *Key) error
	// FindKey returns the key with this id. ENOTFOUND.
	FindKey(ctx context.Context, id string) (*Key, error)
	// ListKeys returns the keys of an organisation ("" for all), newest first.
	ListKeys(ctx context.Context, orgID string) ([]*Key, error)
	// RevokeKey marks a key revoked at time at. ENOTFOUND.
	RevokeKey(ctx context.Context, id string, at time.Time) error
}

// CommunityStore keeps communities and their members.
type CommunityStore interface {
	// CreateCommunity stores a community and its members. ECONFLICT if the
	// name is taken, ENOTFOUND if a member does not exist.
	CreateCommunity(ctx context.Context, c *Community) error
	// FindCommunity returns a community by id or name. ENOTFOUND.
	FindCommunity(ctx context.Context, idOrName string) (*Community, error)
	// ListCommunities returns every community, by name.
	ListCommunities(ctx context.Context) ([]*Community, error)
	// SetCommunityMember adds (member true) or removes an organisation.
	// ENOTFOUND if either does not exist.
	SetCommunityMember(ctx context.Context, communityID, orgID string, member bool) error
	// OrgCommunities returns the ids of the communities orgID belongs to.
	OrgCommunities(ctx context.Context, orgID string) ([]string, error)
}

// CollectionStore keeps API roots and collections.
type CollectionStore interface {
	// CreateAPIRoot stores an API root. ECONFLICT if it exists.
	CreateAPIRoot(ctx context.Context, r *APIRoot) error
	// FindAPIRoot returns an API root by name. ENOTFOUND.
	FindAPIRoot(ctx context.Context, name string) (*APIRoot, error)
	// ListAPIRoots returns every API root, by name.
	ListAPIRoots(ctx context.Context) ([]*APIRoot, error)
	// CreateCollection stores a collection under an existing API root.
	// ECONFLICT if the id exists, ENOTFOUND if the root does not.
	CreateCollection(ctx context.Context, c *Collection) error
	// FindCollection returns a collection of an API root. ENOTFOUND.
	FindCollection(ctx context.Context, root, id string) (*Collection, error)
	// ListCollections returns the collections of an API root ("" for all),
	// by creation time.
	ListCollections(ctx context.Context, root string) ([]*Collection, error)
}

// ObjectStore keeps object versions and the status of each POST.
type ObjectStore interface {
	// AddObjects stores objects in a collection and the status st in one
	// transaction: either all of it is durable when AddObjects returns, or
	// none is. Each object gets a DateAdded strictly greater than every
	// earlier one of the collection (also across processes sharing the
	// database) and a success detail appended to st; a version already
	// stored (same id and VersionKey) is a success that stores nothing new.
	// The audit entries, if any, are appended to the audit log
	// (AuditStore.AppendAudit) in the same transaction: a POST is never
	// stored unaudited. In the same transaction it records the Ownership
	// (Owner, Author, Digest) of each id that has none; an object whose id
	// is already owned by another organisation than its Owner field fails
	// the whole call with ECONFLICT (another request claimed the id first:
	// look the owners up again). ENOTFOUND if the collection does not exist.
	AddObjects(ctx context.Context, collection string, objs []*Object, st *Status, audit ...*AuditEntry) error
	// ObjectOwners returns the ownership records of those of ids that have
	// one, hub-wide, by id. Records are kept when objects are deleted.
	ObjectOwners(ctx context.Context, ids []string) (map[string]Ownership, error)
	// Objects returns one page of the object versions q selects.
	Objects(ctx context.Context, q *ObjectQuery) (*ObjectPage, error)
	// DeleteObjects deletes the versions q selects (q.Limit is ignored) and
	// returns how many were deleted.
	DeleteObjects(ctx context.Context, q *ObjectQuery) (int, error)
	// FindStatus returns a status by id. ENOTFOUND.
	FindStatus(ctx context.Context, id string) (*Status, error)
	// PurgeStatuses deletes the statuses requested before a time.
	PurgeStatuses(ctx context.Context, before time.Time) (int, error)
}
