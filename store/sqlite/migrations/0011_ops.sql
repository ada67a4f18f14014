-- Retention of the audit log: entries before a point may be pruned; the
-- checkpoint keeps the position and hash of the last pruned entry, so
-- that the chain of those kept still verifies from there (seq 0 and an
-- empty hash: nothing pruned).
CREATE TABLE audit_checkpoint (
	id     INTEGER PRIMARY KEY CHECK (id = 1),
	seq    INTEGER NOT NULL,
	hash   TEXT NOT NULL,
	pruned INTEGER NOT NULL -- when, microseconds
);
INSERT INTO audit_checkpoint (id, seq, hash, pruned) VALUES (1, 0, '', 0);
