-- Policy and news documents read by qiao-docs (issue #6). The cleaned text, the removed lines,
-- the figures and the undecodable spans live in `body` (JSON); the columns are what lists,
-- filters and the duplicate check need. `sha256` is the hash of the raw bytes imported: the same
-- file imported twice is refused rather than stored twice.
CREATE TABLE documents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256      TEXT NOT NULL UNIQUE,
    file_name   TEXT NOT NULL,
    title       TEXT,
    published   TEXT,
    source      TEXT,
    doc_number  TEXT,
    script      TEXT NOT NULL,
    encoding    TEXT NOT NULL,
    body        TEXT NOT NULL,
    imported_by INTEGER,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX documents_script ON documents (script, id);
