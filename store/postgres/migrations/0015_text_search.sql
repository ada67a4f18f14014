-- Text search (the dashboard): the words people search each object
-- version by (vigie.SearchText) as a tsvector, with a GIN index. The
-- words are letters and digits only (Go splits them), so the 'simple'
-- configuration reads them as they are.
CREATE TABLE object_text (
	seq  bigint PRIMARY KEY REFERENCES objects(seq) ON DELETE CASCADE,
	coll bigint NOT NULL,
	doc  tsvector NOT NULL
);
CREATE INDEX object_text_doc ON object_text USING gin (doc);
CREATE INDEX object_text_coll ON object_text (coll, seq);

-- The versions stored before this migration (seq up to "upto") are
-- indexed when the store opens (SearchText is Go code), in batches;
-- "done" is the last seq indexed. The row goes when all are.
CREATE TABLE text_backfill (upto bigint NOT NULL, done bigint NOT NULL);
INSERT INTO text_backfill (upto, done) SELECT max(seq), 0 FROM objects HAVING count(*) > 0;
