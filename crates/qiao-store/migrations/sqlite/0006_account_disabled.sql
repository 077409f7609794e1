-- Admins disable accounts (a staff member who left) instead of deleting them: the account's
-- records and its place in the audit log stay. `disabled_at` is the UTC time it was disabled,
-- ISO-8601 text like every timestamp; NULL while the account is in use. Sign-in, session and
-- token lookups only find accounts where it is NULL.
ALTER TABLE accounts ADD COLUMN disabled_at TEXT;
