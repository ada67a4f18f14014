-- People, not keys: user accounts of member organisations, for the web
-- dashboard, and their tokens (browser sessions and one-time sign-in
-- links). Only hashes are kept: argon2id for passwords, SHA-256 for
-- token secrets. Times are microseconds since the Unix epoch, 0 for none.

CREATE TABLE users (
	id       text PRIMARY KEY,
	org_id   text NOT NULL REFERENCES orgs(id),
	email    text NOT NULL UNIQUE,          -- lower case
	role     text NOT NULL,
	password text NOT NULL DEFAULT '',      -- argon2id PHC string; '' until set
	totp     text NOT NULL DEFAULT '',      -- base32 RFC 6238 secret; '' for none
	created  bigint NOT NULL,
	disabled bigint NOT NULL DEFAULT 0
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE user_tokens (
	hash    bytea PRIMARY KEY,               -- SHA-256 of the secret
	user_id text NOT NULL REFERENCES users(id),
	kind    text NOT NULL,                  -- 'session' or 'link'
	created bigint NOT NULL,
	expires bigint NOT NULL,
	addr    text NOT NULL DEFAULT ''
);
CREATE INDEX user_tokens_user ON user_tokens(user_id);
CREATE INDEX user_tokens_expires ON user_tokens(expires);
