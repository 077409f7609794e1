-- Notifications (issue #26): the inbox, each account's choice of kinds, followed challenges,
-- the e-mail outbox, and the contact details accounts may give.

ALTER TABLE accounts ADD COLUMN email TEXT;
ALTER TABLE accounts ADD COLUMN phone TEXT;

-- One row per event and recipient, with its title in both languages written when it happened,
-- pointing at the record (target_kind, target_id) the inbox links to.
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id   INTEGER NOT NULL,
    title       TEXT NOT NULL,
    title_en    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    read_at     TEXT
);
-- The inbox pages newest first below an id; the header's count of unread ones is answered by
-- the partial index alone, whose size is the unread rows, not the history.
CREATE INDEX notifications_account ON notifications (account_id, id);
CREATE INDEX notifications_unread ON notifications (account_id) WHERE read_at IS NULL;

-- Events found by the periodic check (a certificate expiring, a followed challenge closing)
-- carry a key naming the event, its threshold and the recipient; a key is written once, so a
-- restart or a second check never notifies twice, whatever the recipient's preferences were.
CREATE TABLE notification_keys (
    key        TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);

-- Only the choices that differ from the default (everything on) are stored; 0/1 flags.
CREATE TABLE notification_preferences (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    in_app     INTEGER NOT NULL,
    email      INTEGER NOT NULL,
    PRIMARY KEY (account_id, kind)
);

CREATE TABLE challenge_follows (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    listing_id INTEGER NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (account_id, listing_id)
);
CREATE INDEX challenge_follows_listing ON challenge_follows (listing_id);

-- E-mails waiting to be sent, written with their notification and sent by a background task
-- (never on the request path). A failed send is tried again later, a bounded number of times.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    to_address      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    sent_at         TEXT,
    failed_at       TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
