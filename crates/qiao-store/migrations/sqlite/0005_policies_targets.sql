-- Enterprise-support policies and regional targets (issue #6). Both keep the record as JSON in
-- `body` (conditions, metric, wording); the columns are what lists and filters need. A policy or
-- target read from a document names it; deleting the document keeps them (they are the staff's
-- work, not a copy of the file).
CREATE TABLE policies (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    title       TEXT NOT NULL,
    document_id INTEGER,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE targets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    region      TEXT NOT NULL,
    year        INTEGER NOT NULL,
    document_id INTEGER,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX targets_region_year ON targets (region, year, id);
CREATE INDEX targets_year ON targets (year, id);
