-- Malware triage: the samples members submit, one row per organisation
-- and SHA-256, and their content apart, compressed (never stored as a
-- runnable file).

CREATE TABLE samples (
	id          BIGSERIAL PRIMARY KEY,
	sha256      TEXT NOT NULL,
	org_id      TEXT NOT NULL REFERENCES orgs(id),
	root        TEXT NOT NULL,
	coll        TEXT NOT NULL,
	tlp         bigint NOT NULL,
	recipients  TEXT NOT NULL DEFAULT '', -- '|id|id|' for RED
	name        TEXT NOT NULL DEFAULT '',
	size        bigint NOT NULL,
	file_type   TEXT NOT NULL,
	tlsh        TEXT NOT NULL DEFAULT '',
	ssdeep      TEXT NOT NULL DEFAULT '',
	imphash     TEXT NOT NULL DEFAULT '',
	report      TEXT NOT NULL,
	analysis_id TEXT NOT NULL DEFAULT '',
	file_id     TEXT NOT NULL DEFAULT '',
	created     bigint NOT NULL,
	UNIQUE (org_id, sha256)
);

CREATE INDEX samples_sha256 ON samples (sha256);

CREATE TABLE sample_blobs (
	sample_id bigint PRIMARY KEY REFERENCES samples(id),
	content   bytea NOT NULL
);
