-- People, not keys: user accounts of member organisations, for the web
-- dashboard, and their tokens (browser sessions and one-time sign-in
-- links). Only hashes are kept: argon2id for passwords, SHA-256 for
-- token secrets. Times are microseconds since the Unix epoch, 0 for none.

CREATE TABLE users (
	id       TEXT PRIMARY KEY,
	org_id   TEXT NOT NULL REFERENCES orgs(id),
	email    TEXT NOT NULL UNIQUE,          -- lower case
	role     TEXT NOT NULL,
	password TEXT NOT NULL DEFAULT '',      -- argon2id PHC string; '' until set
	totp     TEXT NOT NULL DEFAULT '',      -- base32 RFC 6238 secret; '' for none
	created  INTEGER NOT NULL,
	disabled INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE user_tokens (
	hash    BLOB PRIMARY KEY,               -- SHA-256 of the secret
	user_id TEXT NOT NULL REFERENCES users(id),
	kind    TEXT NOT NULL,                  -- 'session' or 'link'
	created INTEGER NOT NULL,
	expires INTEGER NOT NULL,
	addr    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX user_tokens_user ON user_tokens(user_id);
CREATE INDEX user_tokens_expires ON user_tokens(expires);
