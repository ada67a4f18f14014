-- The audit log: append-only, hash-chained (see vigie.AuditEntry). The
-- head row holds the position and hash of the last entry: appends update
-- it first, which serialises them, and a verifier compares the end of the
-- log with it, so that entries removed at the end are detected too.

CREATE TABLE audit (
	seq        bigint PRIMARY KEY,
	time       bigint NOT NULL,
	org_id     text NOT NULL DEFAULT '',
	key_id     text NOT NULL DEFAULT '',
	role       text NOT NULL DEFAULT '',
	addr       text NOT NULL DEFAULT '',
	action     text NOT NULL,
	target     text NOT NULL DEFAULT '',
	target_org text NOT NULL DEFAULT '',
	outcome    text NOT NULL,
	reason     text NOT NULL DEFAULT '',
	detail     text NOT NULL DEFAULT '',
	prev       text NOT NULL,
	hash       text NOT NULL
);
CREATE INDEX audit_time ON audit(time);
CREATE INDEX audit_org ON audit(org_id, seq);
CREATE INDEX audit_target_org ON audit(target_org, seq);

CREATE TABLE audit_head (
	id   integer PRIMARY KEY CHECK (id = 1),
	seq  bigint NOT NULL,
	hash text NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
