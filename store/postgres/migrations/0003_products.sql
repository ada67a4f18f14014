-- Supply chain: products (their SBOMs and VEX are STIX objects in
-- collections) and the findings the engine keeps on them.

CREATE TABLE products (
	id         TEXT PRIMARY KEY,
	org_id     TEXT NOT NULL REFERENCES orgs(id),
	name       TEXT NOT NULL,
	version    TEXT NOT NULL,
	supplier   TEXT NOT NULL DEFAULT '',
	sbom_id    TEXT NOT NULL,
	collection TEXT NOT NULL,
	created    bigint NOT NULL,
	UNIQUE (org_id, name, version)
);

CREATE TABLE findings (
	sbom_id    TEXT NOT NULL,
	key        TEXT NOT NULL,
	org_id     TEXT NOT NULL,
	product_id TEXT NOT NULL,
	state      TEXT NOT NULL,
	severity   TEXT NOT NULL DEFAULT '',
	rank       bigint NOT NULL,      -- malicious and severe first
	doc        bytea NOT NULL,
	updated    bigint NOT NULL,
	PRIMARY KEY (sbom_id, key)
);
CREATE INDEX findings_org ON findings(org_id, product_id, rank);
