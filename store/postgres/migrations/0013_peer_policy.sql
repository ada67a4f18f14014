-- Egress policy per peer: what may leave this hub to one peer hub, beyond
-- its grants (object types, a TLP ceiling, excluded organisations). A
-- pulling peer's policy belongs to its organisation here (the one whose
-- keys have role peer); a push peer's is on its row. Tombstones record the
-- owner of the id, so that the policy's excluded organisations hide them
-- as they hide the versions, and a retraction the level that narrowed the
-- version (GREEN: it is retracted from peers whose ceiling is CLEAR; above
-- GREEN: from every peer, as every retraction before this migration).

CREATE TABLE peer_policies (
	org_id  text PRIMARY KEY,           -- the peer's organisation on this hub
	policy  text NOT NULL,              -- JSON vigie.EgressPolicy
	updated bigint NOT NULL
);

ALTER TABLE peers ADD COLUMN policy text NOT NULL DEFAULT '{}';     -- JSON vigie.EgressPolicy of a push peer
ALTER TABLE tombstones ADD COLUMN owner text NOT NULL DEFAULT '';  -- '' for tombstones written before
ALTER TABLE tombstones ADD COLUMN narrowed_to bigint NOT NULL DEFAULT 3;  -- vigie.TLP of the narrowing version (3: AMBER)
