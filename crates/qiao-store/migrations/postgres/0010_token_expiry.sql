-- API tokens expire (issue #29): each new token has an expiry, by default 90 days after its
-- creation. Tokens made before this migration keep working until their owner revokes them or
-- an admin disables or resets the account; `expires_at` is NULL for them.
ALTER TABLE tokens ADD COLUMN expires_at TEXT;
