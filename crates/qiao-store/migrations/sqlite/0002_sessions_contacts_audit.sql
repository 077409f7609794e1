-- Browser sessions, contact requests (tiered disclosure) and who made each change (the audit log).

-- Who made a change: the account acting, NULL for the command line and the demo loader.
ALTER TABLE changes ADD COLUMN actor_id INTEGER;

-- A session cookie is shown once; only its SHA-256 is kept, like API tokens. Each session has
-- its own CSRF token, which every form posted under it must carry.
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

-- The message, decline reason and note live in `body`; the columns are what inboxes filter on.
CREATE TABLE contact_requests (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    listing_id       INTEGER NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    owner_org_id     INTEGER REFERENCES organisations (id),
    requester_id     INTEGER NOT NULL REFERENCES accounts (id),
    requester_org_id INTEGER REFERENCES organisations (id),
    status           TEXT NOT NULL,
    body             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX contact_requests_owner ON contact_requests (owner_org_id, id);
CREATE INDEX contact_requests_requester ON contact_requests (requester_id, id);
CREATE INDEX contact_requests_listing ON contact_requests (listing_id, id);
