-- The audit log tells what changed: each change row carries the fields the write changed, as
-- a JSON array of {"field", "before", "after"} (a create lists every field as after, a delete
-- every field as before). Written in the same transaction as the change; NULL for changes made
-- before this migration. Secrets (password hashes) are redacted before they reach it.
ALTER TABLE changes ADD COLUMN diff TEXT;

-- The audit log's filters: by actor, by object (type, then id), by time; each read newest
-- first by seq.
CREATE INDEX changes_actor ON changes (actor_id, seq);
CREATE INDEX changes_entity ON changes (entity, entity_id, seq);
CREATE INDEX changes_at ON changes (at);
