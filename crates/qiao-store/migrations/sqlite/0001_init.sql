-- Qiao's first schema (SQLite). Append-only: never edit a migration that has shipped.
-- Records keep their full typed JSON in `body`; the columns beside it are copies of the fields
-- that filters, uniqueness and joins need, written in the same statement as the body.

CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    credit_code TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    district    TEXT,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX organisations_kind ON organisations (kind, id);

CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    org_id        INTEGER REFERENCES organisations (id),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);

CREATE TABLE listings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,
    owner_org_id INTEGER REFERENCES organisations (id),
    title        TEXT NOT NULL,
    status       TEXT NOT NULL,
    district     TEXT,
    discipline   TEXT,
    expires_on   TEXT,
    body         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX listings_kind ON listings (kind, id);
CREATE INDEX listings_owner ON listings (owner_org_id, id);

-- The change feed: one row per insert, update or delete, numbered in commit order.
-- AUTOINCREMENT guarantees numbers are never reused, even after the newest row is deleted.
CREATE TABLE changes (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    entity    TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    op        TEXT NOT NULL,
    at        TEXT NOT NULL
);
