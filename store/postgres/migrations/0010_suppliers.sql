-- Supplier trust: each organisation's supplier records, the links from
-- its product versions to them, and the hub's control catalogs.

CREATE TABLE suppliers (
	id         TEXT PRIMARY KEY,
	org_id     TEXT NOT NULL REFERENCES orgs(id),
	name       TEXT NOT NULL,
	name_key   TEXT NOT NULL,          -- lower-case name, unique per organisation
	url        TEXT NOT NULL DEFAULT '',
	member_org TEXT NOT NULL DEFAULT '',
	purls      TEXT NOT NULL DEFAULT '', -- prefixes, one a line
	cpes       TEXT NOT NULL DEFAULT '',
	keys       TEXT NOT NULL DEFAULT '', -- PEM the organisation trusts for this supplier's signatures
	created    bigint NOT NULL,
	UNIQUE (org_id, name_key)
);

CREATE TABLE product_suppliers (
	product_id  TEXT PRIMARY KEY REFERENCES products(id),
	org_id      TEXT NOT NULL,
	supplier_id TEXT NOT NULL REFERENCES suppliers(id)
);

CREATE TABLE catalogs (
	id           TEXT PRIMARY KEY,
	title        TEXT NOT NULL,
	version      TEXT NOT NULL DEFAULT '',
	format       TEXT NOT NULL,
	requirements bigint NOT NULL,
	doc          bytea NOT NULL,
	imported     bigint NOT NULL
);

-- What the last supplier check saw, to warn of changes only.
CREATE TABLE posture_status (
	org_id      TEXT NOT NULL,
	product_id  TEXT NOT NULL,
	catalog_id  TEXT NOT NULL,
	key         TEXT NOT NULL,
	status      TEXT NOT NULL,
	PRIMARY KEY (org_id, product_id, catalog_id, key)
);
