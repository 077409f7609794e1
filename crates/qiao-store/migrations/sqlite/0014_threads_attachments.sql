-- Message threads and attachments (issue #26). A thread is the messages of one subject (an
-- accepted contact request, a deal), named by kind and id: who takes part is the subject's own
-- rule, so the rows carry no participant list. The author's name is kept as it was shown.
CREATE TABLE messages (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_kind  TEXT NOT NULL,
    subject_id    INTEGER NOT NULL,
    author_id     INTEGER NOT NULL,
    author_name   TEXT NOT NULL,
    author_org_id INTEGER,
    body          TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
-- A thread is read a page at a time, newest first, by id below the last one shown.
CREATE INDEX messages_subject ON messages (subject_kind, subject_id, id);

-- Files on listings, messages, contracts and certificates. The description sits apart from the
-- bytes so that listing a record's files never reads them; the bytes are one value per file
-- (at most 10 MB, see qiao_domain::attachment::MAX_BYTES), deleted with their description.
CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_kind  TEXT NOT NULL,
    owner_id    INTEGER NOT NULL,
    file_name   TEXT NOT NULL,
    file_type   TEXT NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    uploaded_by INTEGER,
    created_at  TEXT NOT NULL
);
CREATE INDEX attachments_owner ON attachments (owner_kind, owner_id, id);

CREATE TABLE attachment_contents (
    attachment_id INTEGER PRIMARY KEY REFERENCES attachments (id) ON DELETE CASCADE,
    bytes         BLOB NOT NULL
);
