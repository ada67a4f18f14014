-- Federation: the hub's identity among its peers, the peers it pulls from
-- (with their cursors), the origin of relayed objects, and tombstones of
-- versions that left a collection (deleted, or retracted from peers by a
-- narrowed marking) for peers to follow.

CREATE TABLE hub_identity (
	one      integer PRIMARY KEY CHECK (one = 1), -- a single row
	id       text NOT NULL,                       -- UUID
	operator text NOT NULL DEFAULT '',            -- organisation id
	created  bigint NOT NULL
);

CREATE TABLE peers (
	name              text PRIMARY KEY,
	url               text NOT NULL,               -- the remote API root
	key_id            text NOT NULL DEFAULT '',    -- the public part of the key, for display
	secret            text NOT NULL,               -- the key itself: never listed, never logged
	fingerprint       text NOT NULL DEFAULT '',
	ca_pem            text NOT NULL DEFAULT '',
	remote_collection text NOT NULL,
	local_collection  text NOT NULL,
	paused            bigint NOT NULL DEFAULT 0,
	push              bigint NOT NULL DEFAULT 0,  -- 1: this hub pushes its local collection to the peer's remote one
	created           bigint NOT NULL,
	state             text NOT NULL DEFAULT '{}'   -- JSON vigie.PeerState: cursors, counters, last error
);

CREATE TABLE relay_origins (
	id         text PRIMARY KEY,                   -- object id
	origin_hub text NOT NULL,
	origin_org text NOT NULL,
	org_name   text NOT NULL DEFAULT '',
	peer       text NOT NULL,
	first_seen bigint NOT NULL
);

CREATE TABLE tombstones (
	seq         bigserial PRIMARY KEY,
	coll        bigint NOT NULL,                  -- collections.seq
	id          text NOT NULL,
	version     text NOT NULL,
	version_key text COLLATE "C" NOT NULL,
	date_added  bigint NOT NULL,                  -- from collections.last_added, like objects
	kind        text NOT NULL,                     -- deleted or retracted
	publisher   text NOT NULL,
	tlp         bigint NOT NULL,
	recipients  text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX tombstones_added ON tombstones(coll, date_added);
CREATE INDEX tombstones_version ON tombstones(id, coll, version_key);
