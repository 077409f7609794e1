-- Valuations (issue #25): each save of a valuation of an achievement listing or a deal is a new
-- version, numbered from 1 per subject; earlier versions are kept. The inputs and every
-- computed figure are the domain's typed JSON, so a saved version shows what it showed then.
CREATE TABLE valuations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_kind TEXT NOT NULL,
    subject_id   INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    note         TEXT NOT NULL,
    inputs       TEXT NOT NULL,
    result       TEXT NOT NULL,
    created_by   INTEGER,
    created_at   TEXT NOT NULL,
    UNIQUE (subject_kind, subject_id, version)
);
