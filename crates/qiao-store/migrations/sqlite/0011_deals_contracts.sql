-- Deals and technology contracts (issue #24). Each record keeps its typed JSON in `body` (the
-- domain's Deal, Contract and Registration); the columns beside it are what lists, filters,
-- permissions and statistics need. `version` rises by one with every write, so that a change
-- computed from a stale read is refused instead of overwriting a colleague's.
CREATE TABLE deals (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    title         TEXT NOT NULL,
    stage         TEXT NOT NULL,
    status        TEXT NOT NULL,
    seller_org_id INTEGER,
    buyer_org_id  INTEGER,
    district      TEXT,
    field         TEXT,
    next_due      TEXT,
    close_year    INTEGER,
    version       INTEGER NOT NULL,
    created_by    INTEGER,
    body          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX deals_district ON deals (district, id);
CREATE INDEX deals_seller ON deals (seller_org_id, id);
CREATE INDEX deals_buyer ON deals (buyer_org_id, id);

-- Who brokers a deal, with their share of the credit in basis points; a copy of the body's
-- managers kept as rows so that "the deals I broker" is an index lookup.
CREATE TABLE deal_managers (
    deal_id    INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL,
    share_bp   INTEGER NOT NULL,
    PRIMARY KEY (deal_id, account_id)
);
CREATE INDEX deal_managers_account ON deal_managers (account_id, deal_id);

-- Every change of a deal: who, when, from and to which stage and status, and the note.
CREATE TABLE deal_events (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    deal_id INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    body    TEXT NOT NULL
);
CREATE INDEX deal_events_deal ON deal_events (deal_id, id);

-- A technology contract and its registration (认定登记). `registered_on` is set while the
-- contract is registered (it then counts toward 技术合同成交额 in that date's year); the
-- registration number is unique among contracts that have one.
CREATE TABLE contracts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL,
    state           TEXT NOT NULL,
    number          TEXT UNIQUE,
    kind            TEXT NOT NULL,
    field           TEXT NOT NULL,
    seller_org_id   INTEGER,
    buyer_org_id    INTEGER,
    seller_district TEXT NOT NULL,
    buyer_district  TEXT NOT NULL,
    amount_fen      INTEGER NOT NULL,
    technical_fen   INTEGER NOT NULL,
    signed_on       TEXT NOT NULL,
    registered_on   TEXT,
    deal_id         INTEGER,
    version         INTEGER NOT NULL,
    created_by      INTEGER,
    body            TEXT NOT NULL,
    registration    TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX contracts_seller_district ON contracts (seller_district, id);
CREATE INDEX contracts_buyer_district ON contracts (buyer_district, id);
CREATE INDEX contracts_seller_org ON contracts (seller_org_id, id);
CREATE INDEX contracts_buyer_org ON contracts (buyer_org_id, id);
-- Credit by technology manager reaches each deal's registered contracts of a year from this
-- index alone (deals are few, contracts many).
CREATE INDEX contracts_deal ON contracts (deal_id, registered_on, seller_district, amount_fen, technical_fen, id);
CREATE INDEX contracts_registered ON contracts (registered_on, id);

CREATE TABLE contract_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id INTEGER NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    body        TEXT NOT NULL
);
CREATE INDEX contract_events_contract ON contract_events (contract_id, id);

-- Running totals of registered contracts, kept in the same transaction as every write that
-- registers, amends or cancels a contract, so that statistics and the 成交额 target read a few
-- hundred rows instead of summing a million contracts. `district` is '' for the whole
-- platform; `side` is 'out' (输出: the seller's district), 'in' (吸纳: the buyer's) or 'all';
-- `dim` names the breakdown ('total', 'month', 'kind', 'field', 'partner', 'district_out',
-- 'district_in') and `key` its value ('' for the total).
CREATE TABLE contract_totals (
    year          INTEGER NOT NULL,
    district      TEXT NOT NULL,
    side          TEXT NOT NULL,
    dim           TEXT NOT NULL,
    key           TEXT NOT NULL,
    contracts     INTEGER NOT NULL,
    amount_fen    INTEGER NOT NULL,
    technical_fen INTEGER NOT NULL,
    PRIMARY KEY (year, district, side, dim, key)
);

-- Settings staff change at run time (the deal stages' probabilities), as typed JSON by key.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
