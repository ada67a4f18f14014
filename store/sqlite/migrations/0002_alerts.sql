-- Early warning: watchlists, webhooks, alerts and their events, the
-- delivery outbox, and the tables the trigger engine keeps.

CREATE TABLE watch_entries (
	id      TEXT PRIMARY KEY,
	org_id  TEXT NOT NULL REFERENCES orgs(id),
	kind    TEXT NOT NULL,
	value   TEXT NOT NULL,
	created INTEGER NOT NULL,
	UNIQUE (org_id, kind, value)
);

-- counters: generation numbers (watch_entries changes) and engine cursors.
CREATE TABLE counters (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
);

CREATE TABLE webhooks (
	id      TEXT PRIMARY KEY,
	org_id  TEXT NOT NULL REFERENCES orgs(id),
	url     TEXT NOT NULL,
	secret  TEXT NOT NULL,
	created INTEGER NOT NULL
);
CREATE INDEX webhooks_org ON webhooks(org_id);

CREATE TABLE alerts (
	id         TEXT PRIMARY KEY,
	org_id     TEXT NOT NULL,
	dedup_key  TEXT NOT NULL,
	trigger_kind TEXT NOT NULL,
	severity   INTEGER NOT NULL,
	state      TEXT NOT NULL,
	doc        BLOB NOT NULL,         -- the alert as JSON
	first_seen INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	updated    INTEGER NOT NULL,
	UNIQUE (org_id, dedup_key)
);
CREATE INDEX alerts_org_updated ON alerts(org_id, updated);

CREATE TABLE alert_events (
	seq      INTEGER PRIMARY KEY,
	org_id   TEXT NOT NULL,
	alert_id TEXT NOT NULL,
	kind     TEXT NOT NULL,
	doc      BLOB NOT NULL,
	created  INTEGER NOT NULL
);
CREATE INDEX alert_events_org ON alert_events(org_id, seq);

CREATE TABLE deliveries (
	id           INTEGER PRIMARY KEY,
	webhook_id   TEXT NOT NULL,
	org_id       TEXT NOT NULL,
	event_seq    INTEGER NOT NULL,
	url          TEXT NOT NULL,
	body         BLOB NOT NULL,
	state        TEXT NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	next_attempt INTEGER NOT NULL,
	lease_until  INTEGER NOT NULL DEFAULT 0,
	lease_owner  TEXT NOT NULL DEFAULT '',
	last_error   TEXT NOT NULL DEFAULT '',
	last_status  INTEGER NOT NULL DEFAULT 0,
	created      INTEGER NOT NULL,
	delivered    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX deliveries_due ON deliveries(state, next_attempt);
CREATE INDEX deliveries_org ON deliveries(org_id, id);

-- sightings: who sighted which indicator when (one row per sighting version).
CREATE TABLE sightings (
	indicator_id TEXT NOT NULL,
	org_id       TEXT NOT NULL,
	sighting_id  TEXT NOT NULL,
	seen         INTEGER NOT NULL,
	PRIMARY KEY (indicator_id, sighting_id, org_id)
);
CREATE INDEX sightings_seen ON sightings(indicator_id, seen);

-- relations: relationships, for countermeasures (mitigates, remediates)
-- and targeting.
CREATE TABLE relations (
	coll       INTEGER NOT NULL,
	rel_id     TEXT NOT NULL,
	rel_type   TEXT NOT NULL,
	source_ref TEXT NOT NULL,
	target_ref TEXT NOT NULL,
	PRIMARY KEY (coll, rel_id)
);
CREATE INDEX relations_target ON relations(target_ref, rel_type);
CREATE INDEX relations_source ON relations(source_ref, rel_type);

-- observables: the correlation index, bounded (see sqldb.MaxPerObservable).
CREATE TABLE observables (
	seq       INTEGER PRIMARY KEY,
	key       TEXT NOT NULL,          -- kind ":" normalised value
	coll      INTEGER NOT NULL,
	object_id TEXT NOT NULL,
	org_id    TEXT NOT NULL,
	UNIQUE (key, coll, object_id)
);
