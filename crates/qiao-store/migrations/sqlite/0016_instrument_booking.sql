-- Instrument booking and 创新券 (issue #26 point 5). Money is in 分 (integers), times are China
-- Standard Time wall-clock text (`2026-12-07T09:00:00`, sortable as text on both backends).

-- Bookable slots of an instrument listing. A slot is offered until its owner withdraws it;
-- whether it is taken is whether an active booking holds it (below).
CREATE TABLE instrument_slots (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    listing_id   INTEGER NOT NULL,
    owner_org_id INTEGER NOT NULL,
    starts_at    TEXT NOT NULL,
    ends_at      TEXT NOT NULL,
    price_fen    INTEGER,
    status       TEXT NOT NULL,
    created_by   INTEGER,
    created_at   TEXT NOT NULL,
    CHECK (ends_at > starts_at)
);
-- The instrument's page lists its coming slots in time order; the overlap check reads the
-- slots of one instrument in a time range.
CREATE INDEX instrument_slots_listing ON instrument_slots (listing_id, starts_at);

-- 创新券: granted, reserved by requested bookings, spent by confirmed ones. The CHECK is the
-- last line against overspending; the store computes the balance in the write transaction.
CREATE TABLE vouchers (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    number       TEXT NOT NULL UNIQUE,
    org_id       INTEGER NOT NULL,
    granted_fen  INTEGER NOT NULL,
    reserved_fen INTEGER NOT NULL DEFAULT 0,
    spent_fen    INTEGER NOT NULL DEFAULT 0,
    valid_from   TEXT NOT NULL,
    valid_until  TEXT NOT NULL,
    created_by   INTEGER,
    body         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    CHECK (reserved_fen >= 0 AND spent_fen >= 0 AND reserved_fen + spent_fen <= granted_fen)
);
CREATE INDEX vouchers_org ON vouchers (org_id, id);

-- Bookings: the domain's Booking in `body`, the columns permissions, lists and the unique
-- index need beside it. `version` rises with every write.
CREATE TABLE bookings (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    slot_id          INTEGER NOT NULL REFERENCES instrument_slots (id),
    listing_id       INTEGER NOT NULL,
    owner_org_id     INTEGER NOT NULL,
    requester_org_id INTEGER NOT NULL,
    status           TEXT NOT NULL,
    voucher_id       INTEGER REFERENCES vouchers (id),
    voucher_fen      INTEGER NOT NULL DEFAULT 0,
    version          INTEGER NOT NULL,
    created_by       INTEGER,
    body             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
-- At most one active (requested or confirmed) booking per slot, whatever the code above does.
CREATE UNIQUE INDEX bookings_one_active_per_slot ON bookings (slot_id)
    WHERE status IN ('requested', 'confirmed');
CREATE INDEX bookings_requester ON bookings (requester_org_id, id);
CREATE INDEX bookings_owner ON bookings (owner_org_id, id);
CREATE INDEX bookings_voucher ON bookings (voucher_id, id);
