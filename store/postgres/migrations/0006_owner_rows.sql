-- Ownership moves onto the object rows: every version records the
-- organisation that owns its id and, for SCOs, the digest of the owner's
-- version. A second table keyed by id cost ingest a random B-tree insert
-- per object; the rows are written anyway. object_owners now keeps only
-- the ownership of ids stored before this migration and of deleted ids
-- (tombstones), so that a deleted id cannot be claimed by someone else.
-- The version index leads with the id, so that the owner of an id is found
-- hub-wide, across collections, with one seek.

ALTER TABLE objects ADD COLUMN owner text NOT NULL DEFAULT '';   -- '' : owned by no one (TLP definitions) or recorded in object_owners
ALTER TABLE objects ADD COLUMN digest text NOT NULL DEFAULT '';  -- SCOs: SHA-256 of the owner's canonical JSON

DROP INDEX objects_version;
CREATE UNIQUE INDEX objects_version ON objects(id, coll, version_key);
