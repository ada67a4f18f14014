-- Text search (the dashboard): the words people search each object
-- version by (vigie.SearchText) in an FTS5 index whose rowid is the
-- version's seq. Column coll holds the token "c<collection seq>", so that
-- a search in one collection reads only that collection's matches. The
-- index is contentless: the words are not stored a second time; the
-- trigger removes a deleted version's words.
CREATE VIRTUAL TABLE objects_text USING fts5(body, coll, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0');

CREATE TRIGGER objects_text_delete AFTER DELETE ON objects BEGIN
	DELETE FROM objects_text WHERE rowid = old.seq;
END;

-- The versions stored before this migration (seq up to "upto") are
-- indexed when the store opens (SearchText is Go code), in batches;
-- "done" is the last seq indexed. The row goes when all are.
CREATE TABLE text_backfill (upto INTEGER NOT NULL, done INTEGER NOT NULL);
INSERT INTO text_backfill (upto, done) SELECT max(seq), 0 FROM objects HAVING count(*) > 0;
