-- Federation: the hub's identity among its peers, the peers it pulls from
-- (with their cursors), the origin of relayed objects, and tombstones of
-- versions that left a collection (deleted, or retracted from peers by a
-- narrowed marking) for peers to follow.

CREATE TABLE hub_identity (
	one      INTEGER PRIMARY KEY CHECK (one = 1), -- a single row
	id       TEXT NOT NULL,                       -- UUID
	operator TEXT NOT NULL DEFAULT '',            -- organisation id
	created  INTEGER NOT NULL
);

CREATE TABLE peers (
	name              TEXT PRIMARY KEY,
	url               TEXT NOT NULL,               -- the remote API root
	key_id            TEXT NOT NULL DEFAULT '',    -- the public part of the key, for display
	secret            TEXT NOT NULL,               -- the key itself: never listed, never logged
	fingerprint       TEXT NOT NULL DEFAULT '',
	ca_pem            TEXT NOT NULL DEFAULT '',
	remote_collection TEXT NOT NULL,
	local_collection  TEXT NOT NULL,
	paused            INTEGER NOT NULL DEFAULT 0,
	push              INTEGER NOT NULL DEFAULT 0,  -- 1: this hub pushes its local collection to the peer's remote one
	created           INTEGER NOT NULL,
	state             TEXT NOT NULL DEFAULT '{}'   -- JSON vigie.PeerState: cursors, counters, last error
);

CREATE TABLE relay_origins (
	id         TEXT PRIMARY KEY,                   -- object id
	origin_hub TEXT NOT NULL,
	origin_org TEXT NOT NULL,
	org_name   TEXT NOT NULL DEFAULT '',
	peer       TEXT NOT NULL,
	first_seen INTEGER NOT NULL
);

CREATE TABLE tombstones (
	seq         INTEGER PRIMARY KEY,
	coll        INTEGER NOT NULL,                  -- collections.seq
	id          TEXT NOT NULL,
	version     TEXT NOT NULL,
	version_key TEXT NOT NULL,
	date_added  INTEGER NOT NULL,                  -- from collections.last_added, like objects
	kind        TEXT NOT NULL,                     -- deleted or retracted
	publisher   TEXT NOT NULL,
	tlp         INTEGER NOT NULL,
	recipients  TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX tombstones_added ON tombstones(coll, date_added);
CREATE INDEX tombstones_version ON tombstones(id, coll, version_key);
