-- The hub's first schema, as in store/sqlite. Times are bigint microseconds
-- since the Unix epoch; raw JSON is kept as bytes, exactly as received.

CREATE TABLE orgs (
	id      text PRIMARY KEY,
	name    text NOT NULL UNIQUE,
	sectors text NOT NULL DEFAULT '',
	country text NOT NULL DEFAULT '',
	created bigint NOT NULL
);

CREATE TABLE api_keys (
	id      text PRIMARY KEY,
	org_id  text NOT NULL REFERENCES orgs(id),
	role    text NOT NULL,
	name    text NOT NULL DEFAULT '',
	hash    bytea NOT NULL,
	created bigint NOT NULL,
	expires bigint NOT NULL DEFAULT 0,
	revoked bigint NOT NULL DEFAULT 0
);
CREATE INDEX api_keys_org ON api_keys(org_id);

CREATE TABLE communities (
	id      text PRIMARY KEY,
	name    text NOT NULL UNIQUE,
	created bigint NOT NULL
);

CREATE TABLE community_members (
	community_id text NOT NULL REFERENCES communities(id),
	org_id       text NOT NULL REFERENCES orgs(id),
	PRIMARY KEY (community_id, org_id)
);
CREATE INDEX community_members_org ON community_members(org_id);

CREATE TABLE api_roots (
	name               text PRIMARY KEY,
	title              text NOT NULL,
	description        text NOT NULL DEFAULT '',
	max_content_length bigint NOT NULL
);

CREATE TABLE collections (
	seq          bigserial PRIMARY KEY,
	id           text NOT NULL UNIQUE,
	api_root     text NOT NULL REFERENCES api_roots(name),
	title        text NOT NULL,
	description  text NOT NULL DEFAULT '',
	alias        text NOT NULL DEFAULT '',
	read_grants  text NOT NULL DEFAULT '[]',
	write_grants text NOT NULL DEFAULT '[]',
	last_added   bigint NOT NULL DEFAULT 0, -- the greatest date_added handed out; its row lock orders writers
	created      bigint NOT NULL
);

CREATE TABLE objects (
	seq          bigserial PRIMARY KEY,
	coll         bigint NOT NULL,
	id           text NOT NULL,
	type         text NOT NULL,
	spec_version text NOT NULL,
	version      text NOT NULL,
	version_key  text COLLATE "C" NOT NULL,
	date_added   bigint NOT NULL,
	publisher    text NOT NULL,
	tlp          integer NOT NULL,
	recipients   text NOT NULL DEFAULT '',
	raw          bytea NOT NULL
);
CREATE UNIQUE INDEX objects_version ON objects(coll, id, version_key);
CREATE UNIQUE INDEX objects_added ON objects(coll, date_added);
CREATE INDEX objects_type_added ON objects(coll, type, date_added);

CREATE TABLE statuses (
	id           text PRIMARY KEY,
	api_root     text NOT NULL,
	org_id       text NOT NULL,
	request_time bigint NOT NULL,
	doc          bytea NOT NULL
);
CREATE INDEX statuses_time ON statuses(request_time);
