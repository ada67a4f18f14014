-- Sightings back: what members of peer hubs sighted of this hub's
-- indicators, as the peer hubs report it (counts per pseudonymous member
-- and UTC day; never a member's name). The position reached in each
-- sender's stream is the counter 'sightings-in:PEER_ORG:STREAM', so that a
-- report sent twice is added once.

CREATE TABLE relayed_sightings (
	peer_org     TEXT NOT NULL,     -- the organisation of the peer hub that reported (hub:NAME for a peer this hub pushes to)
	indicator_id TEXT NOT NULL,
	observer     TEXT NOT NULL,     -- the peer hub's opaque token for one member, per indicator
	day          INTEGER NOT NULL,  -- midnight UTC
	count        INTEGER NOT NULL,
	first_seen   INTEGER NOT NULL,
	last_seen    INTEGER NOT NULL,
	seq          INTEGER NOT NULL,  -- counter 'relayed_sightings_seq' when last changed (the engine's cursor)
	PRIMARY KEY (peer_org, indicator_id, observer, day)
);
CREATE INDEX relayed_sightings_seen ON relayed_sightings(indicator_id, last_seen);
CREATE INDEX relayed_sightings_seq ON relayed_sightings(seq);

-- Secrets this hub keeps for itself, made once (such as the key of the
-- tokens that stand for its members in sightings sent back).
CREATE TABLE hub_secrets (
	name   TEXT PRIMARY KEY,
	secret TEXT NOT NULL  -- hex
);
