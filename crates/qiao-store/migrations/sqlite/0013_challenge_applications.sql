-- Applications to challenges (揭榜, issue #26). Each keeps its typed JSON in `body` (the domain's
-- Application: proposal, status, scores, reason, the deal its award opened); the columns beside
-- it are what permissions and lists need. `version` rises by one with every write, so a review
-- computed from a stale read is refused instead of overwriting a colleague's.
CREATE TABLE applications (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    listing_id       INTEGER NOT NULL,
    applicant_org_id INTEGER NOT NULL,
    owner_org_id     INTEGER,
    status           TEXT NOT NULL,
    version          INTEGER NOT NULL,
    created_by       INTEGER,
    body             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX applications_listing ON applications (listing_id, id);
CREATE INDEX applications_applicant ON applications (applicant_org_id, id);

-- Every step of an application's review: who, when, from and to which status.
CREATE TABLE application_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    body           TEXT NOT NULL
);
CREATE INDEX application_events_application ON application_events (application_id, id);

-- The challenge board filters by reward and application window; copies of the challenge's
-- fields as columns (NULL for other kinds), written with the body.
ALTER TABLE listings ADD COLUMN reward_yuan INTEGER;
ALTER TABLE listings ADD COLUMN apply_from TEXT;
ALTER TABLE listings ADD COLUMN apply_until TEXT;
UPDATE listings SET reward_yuan = json_extract(body, '$.reward_yuan'),
                    apply_from = json_extract(body, '$.apply_from'),
                    apply_until = json_extract(body, '$.apply_until')
 WHERE kind = 'challenge';
CREATE INDEX listings_challenge_window ON listings (kind, apply_until);
