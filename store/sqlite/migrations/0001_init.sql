-- The hub's first schema. Times are integer microseconds since the Unix epoch.

CREATE TABLE orgs (
	id      TEXT PRIMARY KEY,              -- identity--UUID
	name    TEXT NOT NULL UNIQUE,
	sectors TEXT NOT NULL DEFAULT '',      -- comma-separated
	country TEXT NOT NULL DEFAULT '',
	created INTEGER NOT NULL
);

CREATE TABLE api_keys (
	id      TEXT PRIMARY KEY,
	org_id  TEXT NOT NULL REFERENCES orgs(id),
	role    TEXT NOT NULL,
	name    TEXT NOT NULL DEFAULT '',
	hash    BLOB NOT NULL,                 -- SHA-256 of the secret
	created INTEGER NOT NULL,
	expires INTEGER NOT NULL DEFAULT 0,    -- 0: never
	revoked INTEGER NOT NULL DEFAULT 0     -- 0: not revoked
);
CREATE INDEX api_keys_org ON api_keys(org_id);

CREATE TABLE communities (
	id      TEXT PRIMARY KEY,
	name    TEXT NOT NULL UNIQUE,
	created INTEGER NOT NULL
);

CREATE TABLE community_members (
	community_id TEXT NOT NULL REFERENCES communities(id),
	org_id       TEXT NOT NULL REFERENCES orgs(id),
	PRIMARY KEY (community_id, org_id)
);
CREATE INDEX community_members_org ON community_members(org_id);

CREATE TABLE api_roots (
	name               TEXT PRIMARY KEY,
	title              TEXT NOT NULL,
	description        TEXT NOT NULL DEFAULT '',
	max_content_length INTEGER NOT NULL
);

CREATE TABLE collections (
	seq         INTEGER PRIMARY KEY,         -- compact key for the objects table
	id          TEXT NOT NULL UNIQUE,        -- the TAXII collection UUID
	api_root    TEXT NOT NULL REFERENCES api_roots(name),
	title       TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	alias       TEXT NOT NULL DEFAULT '',
	read_grants  TEXT NOT NULL DEFAULT '[]', -- JSON list of grants
	write_grants TEXT NOT NULL DEFAULT '[]',
	last_added  INTEGER NOT NULL DEFAULT 0,  -- the greatest date_added handed out
	created     INTEGER NOT NULL
);

-- One row per version of an object in a collection. "coll" is the
-- collection's seq: an integer keeps the three indexes small.
CREATE TABLE objects (
	seq           INTEGER PRIMARY KEY,
	coll          INTEGER NOT NULL,
	id            TEXT NOT NULL,
	type          TEXT NOT NULL,
	spec_version  TEXT NOT NULL,
	version       TEXT NOT NULL,      -- as received
	version_key   TEXT NOT NULL,      -- sortable, see vigie.VersionKey
	date_added    INTEGER NOT NULL,
	publisher     TEXT NOT NULL,      -- organisation id
	tlp           INTEGER NOT NULL,   -- vigie.TLP; 0 unmarked
	recipients    TEXT NOT NULL DEFAULT '', -- '|id|id|' for RED
	raw           BLOB NOT NULL       -- the JSON as received
);
CREATE UNIQUE INDEX objects_version ON objects(coll, id, version_key);
CREATE UNIQUE INDEX objects_added ON objects(coll, date_added);
CREATE INDEX objects_type_added ON objects(coll, type, date_added);

CREATE TABLE statuses (
	id           TEXT PRIMARY KEY,
	api_root     TEXT NOT NULL,
	org_id       TEXT NOT NULL,
	request_time INTEGER NOT NULL,
	doc          BLOB NOT NULL        -- JSON: total, successes, failures
);
CREATE INDEX statuses_time ON statuses(request_time);
