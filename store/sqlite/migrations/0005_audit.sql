-- The audit log: append-only, hash-chained (see vigie.AuditEntry). The
-- head row holds the position and hash of the last entry: appends update
-- it first, which serialises them, and a verifier compares the end of the
-- log with it, so that entries removed at the end are detected too.

CREATE TABLE audit (
	seq        INTEGER PRIMARY KEY,
	time       INTEGER NOT NULL,
	org_id     TEXT NOT NULL DEFAULT '',
	key_id     TEXT NOT NULL DEFAULT '',
	role       TEXT NOT NULL DEFAULT '',
	addr       TEXT NOT NULL DEFAULT '',
	action     TEXT NOT NULL,
	target     TEXT NOT NULL DEFAULT '',
	target_org TEXT NOT NULL DEFAULT '',
	outcome    TEXT NOT NULL,
	reason     TEXT NOT NULL DEFAULT '',
	detail     TEXT NOT NULL DEFAULT '',
	prev       TEXT NOT NULL,
	hash       TEXT NOT NULL
);
CREATE INDEX audit_time ON audit(time);
CREATE INDEX audit_org ON audit(org_id, seq);
CREATE INDEX audit_target_org ON audit(target_org, seq);

CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  INTEGER NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
