-- Feed subscriptions: remote MISP and CSV feeds the hub pulls into a
-- collection. config holds the URL, format, target, schedule, headers and
-- column map as JSON; state what the last runs saw.

CREATE TABLE feeds (
	name    TEXT PRIMARY KEY,
	org_id  TEXT NOT NULL REFERENCES orgs(id),
	config  TEXT NOT NULL,
	state   TEXT NOT NULL DEFAULT '{}',
	created INTEGER NOT NULL
);
