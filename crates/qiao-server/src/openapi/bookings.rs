//! The OpenAPI paths of instrument booking and 创新券 (`api/bookings.rs`, `api/vouchers.rs`):
//! slots (list, offer, withdraw), bookings (book, read, list, confirm, decline, cancel) and
//! vouchers (issue, list with totals, read with spending).
//!
//! Request bodies and domain records come from the types themselves (`schemars`); the stored
//! records and the views, which have no schema of their own, are written here after their serde
//! shapes.

use qiao_app::bookings::{NewBooking, Offer};
use qiao_domain::booking::{Booking, Fen, SlotSpec, Voucher};
use serde_json::{Map, Value, json};

use super::{id_param, ok, op, paged, query, record, schema};
use crate::api::{DeclineBody, VersionBody};

/// Adds the booking and voucher paths to `paths`.
pub(super) fn paths(
    g: &mut schemars::SchemaGenerator,
    paths: &mut Map<String, Value>,
    paging: &[Value],
) {
    let yuan = schema::<Fen>(g);
    let slot = record(
        schema::<SlotSpec>(g),
        json!({
            "id": {"type": "integer"}, "listing_id": {"type": "integer"}, "owner_org_id": {"type": "integer"},
            "status": {"type": "string", "enum": ["open", "withdrawn"]},
            "booked": {"type": "boolean", "description": "an active (requested or confirmed) booking holds it"},
            "created_by": {"type": "integer", "nullable": true},
            "created_at": {"type": "string", "format": "date-time"}}),
    );
    let stamps = json!({
        "id": {"type": "integer"},
        "version": {"type": "integer", "description": "rises by one with every write; send it back with a step, which is refused (409) if the booking changed since"},
        "created_by": {"type": "integer", "nullable": true},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"}});
    let booking = record(schema::<Booking>(g), stamps);
    let view = json!({"allOf": [booking.clone(), {"type": "object", "properties": {
        "instrument": {"type": "string"}, "requester_name": {"type": "string"}, "owner_name": {"type": "string"},
        "voucher_number": {"type": "string"}, "may_decide": {"type": "boolean"}, "may_cancel": {"type": "boolean"}}}]});
    let voucher = record(
        schema::<Voucher>(g),
        json!({
            "id": {"type": "integer"}, "reserved": yuan.clone(), "spent": yuan.clone(),
            "created_by": {"type": "integer", "nullable": true},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"}}),
    );
    let row = json!({"allOf": [voucher.clone(), {"type": "object", "properties": {
        "org_name": {"type": "string"}, "left": yuan.clone()}}]});
    let list = json!({"type": "object", "required": ["vouchers", "totals", "left"], "properties": {
        "vouchers": paged(row.clone()),
        "totals": {"type": "object", "description": "sums over every voucher that matches", "properties": {
            "count": {"type": "integer"}, "granted": yuan.clone(), "reserved": yuan.clone(), "spent": yuan.clone()}},
        "left": yuan.clone()}});
    let voucher_view = json!({"allOf": [row, {"type": "object", "properties": {
        "bookings": {"type": "array", "items": booking.clone(), "description": "the bookings it paid part of, newest first (at most 200)"}}}]});
    let who = "404 for anyone but the requesting organisation's members, the instrument organisation's, staff and admins";

    paths.insert("/api/v1/instruments/{id}/slots".into(), json!({
        "get": op("The instrument's coming slots, in time order: the open ones (its organisation sees booked ones too, with `booked: true`)", "bookings", json!([id_param()].into_iter().chain(paging.iter().cloned()).collect::<Vec<_>>()), None, ok(200, "a page", paged(slot.clone())), &[400, 404, 422], false),
        "post": op("Offer slots on an instrument (its organisation's members, admins): `{\"one\": {starts_at, ends_at, price}}` or `{\"weekly\": {from, weekdays, start_time, end_time, weeks, price}}`, at most 200 slots a request, none overlapping another slot of the instrument. Times are China Standard Time (`2026-12-07T09:00:00`). 422 naming `starts_at`/`ends_at` (past, reversed, longer than a day), `weeks` (too many slots), `weekdays[i]`, or the overlapping slot (`starts_at`, `slots[i].starts_at`)", "bookings", json!([id_param()]), Some(schema::<Offer>(g)), ok(201, "the slots made, in time order", json!({"type": "array", "items": slot.clone()})), &[400, 401, 403, 404, 422], true),
    }));
    paths.insert("/api/v1/slots/{id}/withdraw".into(), json!({
        "post": op("Withdraw a slot nobody holds (the instrument's organisation, admins); 409 when an active booking holds it", "bookings", json!([id_param()]), None, ok(200, "the slot, withdrawn", slot), &[401, 403, 404, 409], true),
    }));
    paths.insert("/api/v1/slots/{id}/bookings".into(), json!({
        "post": op("Book an open slot for the caller's organisation with a purpose; a 创新券 of the organisation may pay part (`voucher_id`, `voucher_amount` in yuan): at most the slot's price and what is left on the voucher, reserved now, spent on confirmation, released on decline or cancel. The voucher must be valid on the slot's day. 409 when the slot is already booked or withdrawn; 422 naming `purpose`, `slot_id` (begun, or the caller's own instrument), `voucher_id` (not the organisation's, not valid that day) or `voucher_amount` (above the price or what is left)", "bookings", json!([id_param()]), Some(schema::<NewBooking>(g)), ok(201, "the booking, requested", booking.clone()), &[400, 401, 403, 404, 409, 422], true),
    }));
    paths.insert("/api/v1/bookings".into(), json!({
        "get": op("The bookings the caller's organisation made (我的预约), newest first", "bookings", Value::Array(paging.to_vec()), None, ok(200, "a page", paged(booking.clone())), &[400, 401, 422], true),
    }));
    let mut incoming_params = paging.to_vec();
    incoming_params.push(query(
        "status",
        "only this status: requested, confirmed, declined, cancelled",
        "string",
    ));
    paths.insert("/api/v1/bookings/incoming".into(), json!({
        "get": op("The bookings of the caller's organisation's instruments (预约管理), newest first; 422 naming `status` for an unknown one", "bookings", Value::Array(incoming_params), None, ok(200, "a page", paged(booking.clone())), &[400, 401, 422], true),
    }));
    paths.insert("/api/v1/bookings/{id}".into(), json!({
        "get": op(&format!("One booking with the instrument's and organisations' names and what the caller may do; {who}"), "bookings", json!([id_param()]), None, ok(200, "the booking", view), &[401, 404], true),
    }));
    for (step, what, body) in [
        (
            "confirm",
            "Confirm a requested booking (the instrument's organisation, admins); its voucher amount is spent",
            schema::<VersionBody>(g),
        ),
        (
            "decline",
            "Decline a requested booking with a reason the requester sees (the instrument's organisation, admins); its voucher amount is released. 422 naming `reason` when blank",
            schema::<DeclineBody>(g),
        ),
        (
            "cancel",
            "Cancel a booking not yet confirmed (the requesting organisation's members); its voucher amount is released",
            schema::<VersionBody>(g),
        ),
    ] {
        paths.insert(format!("/api/v1/bookings/{{id}}/{step}"), json!({
            "post": op(&format!("{what}. 409 for a stale `version` or a booking no longer requested; 403 for the other side; {who}"), "bookings", json!([id_param()]), Some(body), ok(200, "the booking", booking.clone()), &[400, 401, 403, 404, 409, 422], true),
        }));
    }
    paths.insert("/api/v1/vouchers".into(), json!({
        "post": op("Issue a 创新券 to an enterprise (staff, admins): number, enterprise, amount granted in yuan (exact, two decimals at most), validity. 422 naming `number`, `granted`, `valid_until` or `org_id` (no such organisation, or not an enterprise); 409 for a number already used", "vouchers", json!([]), Some(schema::<Voucher>(g)), ok(201, "the voucher", voucher), &[400, 401, 403, 409, 422], true),
        "get": op("Vouchers with issued, reserved, spent and left, and their totals: staff and admins see every voucher (of one enterprise with `org_id`), an enterprise's members their own", "vouchers", json!(paging.iter().cloned().chain([query("org_id", "only this enterprise's vouchers (staff)", "integer")]).collect::<Vec<_>>()), None, ok(200, "the vouchers", list), &[400, 401, 403, 422], true),
    }));
    paths.insert("/api/v1/vouchers/{id}".into(), json!({
        "get": op("One voucher with its balance and the bookings it paid part of; 404 for anyone but its enterprise's members, staff and admins", "vouchers", json!([id_param()]), None, ok(200, "the voucher", voucher_view), &[401, 404], true),
    }));
}
