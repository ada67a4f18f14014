-- Authorship and ownership. Every version records its author (its
-- created_by_ref); every object id, hub-wide, the organisation that owns it:
-- the one that published its first version. Ownership records are kept when
-- objects are deleted, so that nobody else can claim a deleted id.

ALTER TABLE objects ADD COLUMN author TEXT NOT NULL DEFAULT '';

CREATE TABLE object_owners (
	id     TEXT PRIMARY KEY,           -- the STIX id
	owner  TEXT NOT NULL,              -- organisation id
	author TEXT NOT NULL DEFAULT '',   -- created_by_ref of the first version
	digest TEXT NOT NULL DEFAULT ''    -- SCOs: SHA-256 of the canonical JSON
) WITHOUT ROWID;

-- Existing data: the earliest stored version decides. Before this migration
-- created_by_ref could only name the publisher, so an object that carries
-- one was authored by its publisher.
UPDATE objects SET author = publisher WHERE instr(raw, '"created_by_ref"') > 0;
INSERT INTO object_owners (id, owner, author)
SELECT id, publisher, author FROM (
	SELECT id, publisher, author, row_number() OVER (PARTITION BY id ORDER BY date_added, seq) AS n
	FROM objects
	WHERE id NOT IN (
		'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487', 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
		'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421', 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
		'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1', 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
		'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da', 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
		'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed')
) earliest WHERE n = 1;
