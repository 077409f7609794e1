//! Contract rows to a table of cells for the CSV and XLSX writers, under the Chinese headers
//! the reader accepts, written so that reading them back gives the same rows.
//!
//! The registry's columns are always written (an export of no contracts is a template); the
//! columns only Qiao fills (instalments, royalty terms, amendments, the deal and listings a
//! contract came from, the parties' organisations on Qiao) only when some row needs them.
//! Amounts are written in 元 with two decimals under headers that say so (`合同成交额（元）`).
//! A cell the compact form could not carry back exactly (an item name holding `；`) is written
//! as the domain's JSON, which the reader also takes.

use qiao_domain::contract::{Instalment, NonTechnicalItem};
use qiao_domain::{Contract, PaymentTerms};

use super::choices::PaymentMode;
use super::columns::{COL_COUNT, COLUMNS, Col};
use super::{ContractListRow, ITEM_SEPARATORS, NON_TECHNICAL, amount};
use crate::export::{Out, Table, fen_text};

/// Columns every export has.
const ALWAYS: [Col; 22] = [
    Col::RegistrationNumber,
    Col::Name,
    Col::Kind,
    Col::SellerName,
    Col::SellerCode,
    Col::SellerType,
    Col::SellerDistrict,
    Col::BuyerName,
    Col::BuyerCode,
    Col::BuyerType,
    Col::BuyerDistrict,
    Col::Field,
    Col::IpType,
    Col::Amount,
    Col::Technical,
    Col::NonTechnical,
    Col::SignedOn,
    Col::PerformanceFrom,
    Col::PerformanceTo,
    Col::Payment,
    Col::RegisteredOn,
    Col::RegistrationPoint,
];

/// Whether an item's text can stand in a `a:b；c:d` list and be read back as itself.
fn listable(text: &str) -> bool {
    !text.is_empty()
        && text.trim() == text
        && !text.starts_with('[')
        && !text.contains(ITEM_SEPARATORS)
}

fn json<T: serde::Serialize>(value: &T) -> Out {
    Out::Text(serde_json::to_string(value).unwrap_or_default())
}

fn non_technical(items: &[NonTechnicalItem]) -> Out {
    match items {
        [] => Out::Empty,
        [one] if one.name == NON_TECHNICAL && one.amount_fen > 0 => Out::Fen(one.amount_fen),
        items if items.iter().all(|i| listable(&i.name)) => Out::Text(
            items
                .iter()
                .map(|i| format!("{}:{}", i.name, fen_text(i.amount_fen)))
                .collect::<Vec<_>>()
                .join("；"),
        ),
        items => json(&items),
    }
}

fn instalments(parts: &[Instalment]) -> Out {
    if parts.is_empty() {
        return json(&parts);
    }
    if parts
        .iter()
        .all(|p| p.condition.as_deref().is_none_or(listable))
    {
        let text = parts
            .iter()
            .map(|p| {
                let mut s = format!("{}:{}", p.due_on.format("%Y-%m-%d"), fen_text(p.amount_fen));
                if let Some(c) = &p.condition {
                    s.push(':');
                    s.push_str(c);
                }
                s
            })
            .collect::<Vec<_>>()
            .join("；");
        return Out::Text(text);
    }
    json(&parts)
}

fn text(s: &str) -> Out {
    if s.is_empty() {
        Out::Empty
    } else {
        Out::Text(s.to_string())
    }
}

/// The cells of one row, by column.
fn cells(row: &ContractListRow) -> Vec<(Col, Out)> {
    let c: &Contract = &row.contract;
    let mut out = Vec::with_capacity(28);
    if let Some(r) = &row.registered {
        out.push((Col::RegistrationNumber, Out::Text(r.number.to_string())));
        out.push((Col::RegisteredOn, Out::Date(r.date)));
        out.push((Col::RegistrationPoint, text(&r.point)));
        if !r.amendments.is_empty() {
            out.push((Col::Amendments, json(&r.amendments)));
        }
    }
    out.push((Col::Name, text(&c.name)));
    out.push((Col::Kind, Out::Text(c.kind.label_zh().into())));
    for (party, cols) in [
        (
            &c.seller,
            [
                Col::SellerName,
                Col::SellerCode,
                Col::SellerType,
                Col::SellerDistrict,
                Col::SellerOrgId,
            ],
        ),
        (
            &c.buyer,
            [
                Col::BuyerName,
                Col::BuyerCode,
                Col::BuyerType,
                Col::BuyerDistrict,
                Col::BuyerOrgId,
            ],
        ),
    ] {
        out.push((cols[0], text(&party.name)));
        if let Some(code) = &party.credit_code {
            out.push((cols[1], text(code)));
        }
        out.push((cols[2], Out::Text(party.legal_person.label_zh().into())));
        out.push((cols[3], text(&party.district)));
        if let Some(id) = party.org_id {
            out.push((cols[4], Out::Int(id)));
        }
    }
    out.push((Col::Field, Out::Text(c.field.label_zh().into())));
    out.push((Col::IpType, Out::Text(c.ip_type.label_zh().into())));
    out.push((Col::Amount, Out::Fen(c.amount_fen)));
    out.push((Col::Technical, Out::Fen(c.technical_fen())));
    out.push((Col::NonTechnical, non_technical(&c.non_technical)));
    out.push((Col::SignedOn, Out::Date(c.signed_on)));
    out.push((Col::PerformanceFrom, Out::Date(c.performance_from)));
    out.push((Col::PerformanceTo, Out::Date(c.performance_to)));
    match &c.payment {
        PaymentTerms::LumpSum { due_on } => {
            out.push((
                Col::Payment,
                Out::Text(PaymentMode::LumpSum.label_zh().into()),
            ));
            if let Some(d) = due_on {
                out.push((Col::PaymentDue, Out::Date(*d)));
            }
        }
        PaymentTerms::Instalments { instalments: parts } => {
            out.push((
                Col::Payment,
                Out::Text(PaymentMode::Instalments.label_zh().into()),
            ));
            out.push((Col::Instalments, instalments(parts)));
        }
        PaymentTerms::Royalty {
            rate_bp,
            base,
            entry_fee_fen,
        } => {
            out.push((
                Col::Payment,
                Out::Text(PaymentMode::Royalty.label_zh().into()),
            ));
            out.push((Col::RoyaltyRate, Out::Text(amount::rate_text(*rate_bp))));
            out.push((Col::RoyaltyBase, text(base)));
            out.push((Col::EntryFee, Out::Fen(*entry_fee_fen)));
        }
    }
    if let Some(id) = c.deal_id {
        out.push((Col::DealId, Out::Int(id)));
    }
    if !c.listing_ids.is_empty() {
        let ids: Vec<String> = c.listing_ids.iter().map(i64::to_string).collect();
        out.push((Col::ListingIds, Out::Text(ids.join("；"))));
    }
    out
}

/// The header an export writes for a column: the Chinese name, and the unit of amounts.
fn header(col: Col) -> String {
    let info = col.info();
    if info.amount {
        format!("{}（元）", info.zh)
    } else {
        info.zh.to_string()
    }
}

/// The table for `rows`.
pub(crate) fn table(rows: &[ContractListRow]) -> Table {
    let mut used = [false; COL_COUNT];
    for col in ALWAYS {
        used[col as usize] = true;
    }
    let rows: Vec<Vec<(Col, Out)>> = rows
        .iter()
        .map(|row| {
            let cells = cells(row);
            for (col, _) in &cells {
                used[*col as usize] = true;
            }
            cells
        })
        .collect();
    let mut position = [usize::MAX; COL_COUNT];
    let mut names = Vec::new();
    for info in COLUMNS {
        if used[info.col as usize] {
            position[info.col as usize] = names.len();
            names.push(header(info.col));
        }
    }
    let rows = rows
        .into_iter()
        .map(|cells| {
            let mut row = vec![Out::Empty; names.len()];
            for (col, cell) in cells {
                if let Some(slot) = row.get_mut(position[col as usize]) {
                    *slot = cell;
                }
            }
            row
        })
        .collect();
    Table {
        header: names,
        rows,
    }
}
