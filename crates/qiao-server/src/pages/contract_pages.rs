//! Technology contract pages: `/contracts` (the contracts the visitor may see, filtered by
//! registration state, year, type and field), the form that records one (`/contracts/new`,
//! prefilled from a deal with `?deal=ID`) and edits a draft or a contract being corrected,
//! and `/contracts/{id}`: the terms, the registration (认定登记) and its history, the
//! registration pre-check (登记预检) with each finding's source, and the steps each side takes:
//! the seller submits and withdraws; staff, as the registration point, ask for corrections,
//! register, refuse, amend and cancel.
//!
//! Access is [`qiao_app::contracts`]'s. Amounts are typed in 元 (`120万`, `1,200,000.50`) and
//! kept in 分; they are shown in 元 with thousands separators. Every form carries the version
//! it was made from, so a change made meanwhile is said, not overwritten.

use std::collections::HashMap;
use std::sync::LazyLock;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use qiao_domain::{
    Account, Contract, ContractKind, FieldError, Format, Instalment, Invalid, IpType,
    LegalPersonType, NonTechnicalItem, OrgKind, Party, PaymentTerms, RefusalGround, Registration,
    RegistrationAction, RegistrationActor, RegistrationNumber, RegistrationState, Rule, Severity,
    TechField, TransitionError,
};
use qiao_store::{ContractFilter, ContractRecord, Page};
use serde::Deserialize;

use super::amounts::{self, parse_fen, yuan};
use super::deal_pages::Names;
use super::form::{FormData, Input, Shown, Spec, shown_specs};
use super::{Ctx, Lang, PageError, PageResult, Visitor, cst_time, html, messages, see_other};
use crate::error::{ApiError, Code};
use crate::state::AppState;
use qiao_app::{AppError, contracts, deals};

/// Rows of non-technical items the form offers (a contract rarely lists more).
pub const NON_TECHNICAL_ROWS: usize = 5;
/// Rows of instalments the form offers.
pub const INSTALMENT_ROWS: usize = 6;
/// Contracts per page of the list.
const PAGE_SIZE: u32 = 50;

/// A select's choices: (code, Chinese, English).
type Choice = (&'static str, &'static str, &'static str);

fn coded<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    zh: fn(T) -> &'static str,
    en: fn(T) -> &'static str,
) -> Vec<Choice> {
    let mut v = vec![("", "（请选择）", "(choose)")];
    v.extend(all.iter().map(|&x| (code(x), zh(x), en(x))));
    v
}

static KINDS: LazyLock<Vec<Choice>> = LazyLock::new(|| {
    coded(
        ContractKind::ALL,
        ContractKind::as_str,
        ContractKind::label_zh,
        ContractKind::label_en,
    )
});
static FIELDS: LazyLock<Vec<Choice>> = LazyLock::new(|| {
    coded(
        TechField::ALL,
        TechField::as_str,
        TechField::label_zh,
        TechField::label_en,
    )
});
static IP_TYPES: LazyLock<Vec<Choice>> = LazyLock::new(|| {
    coded(
        IpType::ALL,
        IpType::as_str,
        IpType::label_zh,
        IpType::label_en,
    )
});
static LEGAL_PERSONS: LazyLock<Vec<Choice>> = LazyLock::new(|| {
    coded(
        LegalPersonType::ALL,
        LegalPersonType::as_str,
        LegalPersonType::label_zh,
        LegalPersonType::label_en,
    )
});
const PAYMENT_KINDS: &[Choice] = &[
    ("lump_sum", "一次总算、一次总付", "Lump sum"),
    ("instalments", "一次总算、分期支付", "Instalments"),
    ("royalty", "提成支付", "Royalty"),
];

/// The form's fields apart from the rows of items and instalments, in groups.
fn terms_specs() -> [Spec; 4] {
    [
        Spec::required("name", "合同名称", "Contract name", Input::Text),
        Spec::required(
            "kind",
            "合同类型",
            "Contract type",
            Input::Select(KINDS.as_slice()),
        ),
        Spec::required(
            "field",
            "技术领域",
            "Technology field",
            Input::Select(FIELDS.as_slice()),
        ),
        Spec::required(
            "ip_type",
            "知识产权类型",
            "Intellectual property",
            Input::Select(IP_TYPES.as_slice()),
        ),
    ]
}

fn party_specs(side: &str) -> [Spec; 4] {
    let legal = Input::Select(LEGAL_PERSONS.as_slice());
    if side == "seller" {
        [
            Spec::required("seller.name", "卖方名称", "Seller's name", Input::Text),
            Spec::optional(
                "seller.credit_code",
                "卖方统一社会信用代码（自然人不填）",
                "Seller's 统一社会信用代码 (none for a natural person)",
                Input::Text,
            ),
            Spec::required(
                "seller.legal_person",
                "卖方法人类型",
                "Seller's type",
                legal,
            ),
            Spec::required(
                "seller.district",
                "卖方所在区",
                "Seller's district",
                Input::Text,
            ),
        ]
    } else {
        [
            Spec::required("buyer.name", "买方名称", "Buyer's name", Input::Text),
            Spec::optional(
                "buyer.credit_code",
                "买方统一社会信用代码（自然人不填）",
                "Buyer's 统一社会信用代码 (none for a natural person)",
                Input::Text,
            ),
            Spec::required("buyer.legal_person", "买方法人类型", "Buyer's type", legal),
            Spec::required(
                "buyer.district",
                "买方所在区",
                "Buyer's district",
                Input::Text,
            ),
        ]
    }
}

fn money_and_dates_specs() -> [Spec; 4] {
    [
        Spec::required(
            "amount_fen",
            "合同成交额（元）",
            "Contract amount (元)",
            Input::Yuan,
        ),
        Spec::required("signed_on", "签订日期", "Signed on", Input::Date),
        Spec::required(
            "performance_from",
            "履行期限起",
            "Performance from",
            Input::Date,
        ),
        Spec::required(
            "performance_to",
            "履行期限止",
            "Performance until",
            Input::Date,
        ),
    ]
}

fn payment_specs() -> [Spec; 5] {
    [
        Spec::required(
            "payment.kind",
            "支付方式",
            "Payment terms",
            Input::Select(PAYMENT_KINDS),
        ),
        Spec::optional(
            "payment.due_on",
            "一次总付：付款日期",
            "Lump sum: due on",
            Input::Date,
        ),
        Spec::optional(
            "payment.rate_bp",
            "提成支付：提成比例（%）",
            "Royalty: rate (%)",
            Input::Number,
        ),
        Spec::optional(
            "payment.base",
            "提成支付：提成基数（如 产品销售额）",
            "Royalty: base (e.g. sales)",
            Input::Text,
        ),
        Spec::optional(
            "payment.entry_fee_fen",
            "提成支付：入门费（元）",
            "Royalty: entry fee (元)",
            Input::Yuan,
        ),
    ]
}

/// Every named field of the form, for placing errors.
fn all_specs() -> Vec<Spec> {
    let mut v = terms_specs().to_vec();
    v.extend(party_specs("seller"));
    v.extend(party_specs("buyer"));
    v.extend(money_and_dates_specs());
    v.extend(payment_specs());
    v
}

/// A row of non-technical items or instalments as the form shows it.
pub struct RowView {
    index: usize,
    /// The row's first, second and third inputs.
    a: String,
    b: String,
    c: String,
    error: Option<String>,
}

fn rows(
    l: Lang,
    prefix: &str,
    n: usize,
    keys: &[&str],
    values: &HashMap<String, String>,
    errors: &[FieldError],
) -> Vec<RowView> {
    (0..n)
        .map(|i| {
            let row = format!("{prefix}[{i}]");
            let value = |n: usize| {
                keys.get(n)
                    .and_then(|k| values.get(&format!("{row}.{k}")))
                    .cloned()
                    .unwrap_or_default()
            };
            RowView {
                index: i,
                a: value(0),
                b: value(1),
                c: value(2),
                error: errors
                    .iter()
                    .filter(|e| e.field == row || e.field.starts_with(&format!("{row}.")))
                    .map(|e| messages::said(l, e))
                    .reduce(|a, b| format!("{a}；{b}")),
            }
        })
        .collect()
}

/// The errors about a group as a whole (`non_technical`, `payment.instalments`).
fn group_error(l: Lang, errors: &[FieldError], name: &str) -> Option<String> {
    errors
        .iter()
        .filter(|e| e.field == name)
        .map(|e| messages::said(l, e))
        .reduce(|a, b| format!("{a}；{b}"))
}

#[derive(Template)]
#[template(path = "contract_form.html")]
struct FormPage<'a> {
    ctx: &'a Ctx,
    heading: String,
    action: String,
    deal_id: String,
    version: String,
    notice: Option<String>,
    general: Vec<String>,
    terms: Vec<Shown>,
    seller: Vec<Shown>,
    buyer: Vec<Shown>,
    money: Vec<Shown>,
    non_technical: Vec<RowView>,
    non_technical_error: Option<String>,
    payment: Vec<Shown>,
    instalments: Vec<RowView>,
    instalments_error: Option<String>,
}

/// What a form page shows besides its fields.
struct Shape {
    heading: String,
    action: String,
    status: StatusCode,
    /// A refusal that names no field (the contract changed meanwhile).
    notice: Option<String>,
}

/// The form page: `values` shown, `errors` beside their fields (or above the form when they
/// name none of them).
fn form_page(
    v: &Visitor,
    shape: Shape,
    values: &HashMap<String, String>,
    errors: &[FieldError],
) -> Response {
    let Shape {
        heading,
        action,
        status,
        notice,
    } = shape;
    let l = v.ctx.l;
    let specs = all_specs();
    let placed = |f: &str| {
        specs.iter().any(|s| s.name == f)
            || f.starts_with("non_technical")
            || f.starts_with("payment.instalments")
            || f == "payment"
    };
    let general = errors
        .iter()
        .filter(|e| !placed(&e.field))
        .map(|e| messages::labelled(l, e))
        .collect();
    let page = FormPage {
        ctx: &v.ctx,
        heading,
        action,
        deal_id: values.get("deal_id").cloned().unwrap_or_default(),
        version: values.get("version").cloned().unwrap_or_default(),
        notice,
        general,
        terms: shown_specs(&terms_specs(), l, values, errors),
        seller: shown_specs(&party_specs("seller"), l, values, errors),
        buyer: shown_specs(&party_specs("buyer"), l, values, errors),
        money: shown_specs(&money_and_dates_specs(), l, values, errors),
        non_technical: rows(
            l,
            "non_technical",
            NON_TECHNICAL_ROWS,
            &["name", "amount_fen"],
            values,
            errors,
        ),
        non_technical_error: group_error(l, errors, "non_technical"),
        payment: shown_specs(&payment_specs(), l, values, errors),
        instalments: rows(
            l,
            "payment.instalments",
            INSTALMENT_ROWS,
            &["amount_fen", "due_on", "condition"],
            values,
            errors,
        ),
        instalments_error: group_error(l, errors, "payment.instalments")
            .or_else(|| group_error(l, errors, "payment")),
    };
    (status, html(&page)).into_response()
}

/// Reads the form's fields, noting every problem.
struct Reader<'a> {
    form: &'a FormData,
    errors: Vec<FieldError>,
}

impl Reader<'_> {
    fn text(&self, name: &str) -> String {
        self.form.text(name)
    }

    fn required(&mut self, name: &str) -> String {
        let t = self.text(name);
        if t.is_empty() {
            self.errors.push(FieldError::new(name, Rule::Blank));
        }
        t
    }

    fn choice<T>(
        &mut self,
        name: &str,
        all: &[T],
        parse: fn(&str) -> Option<T>,
        code: fn(&T) -> &'static str,
    ) -> Option<T> {
        let t = self.text(name);
        if t.is_empty() {
            self.errors.push(FieldError::new(name, Rule::Choose));
            return None;
        }
        let found = parse(&t);
        if found.is_none() {
            self.errors.push(FieldError::new(
                name,
                Rule::NotOneOf {
                    found: t,
                    allowed: all.iter().map(|x| code(x).to_string()).collect(),
                },
            ));
        }
        found
    }

    fn date(&mut self, name: &str, required: bool) -> Option<NaiveDate> {
        let t = self.text(name);
        if t.is_empty() {
            if required {
                self.errors.push(FieldError::new(name, Rule::Blank));
            }
            return None;
        }
        let d = NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok();
        if d.is_none() {
            self.errors.push(FieldError::new(
                name,
                Rule::BadFormat {
                    found: t,
                    format: Format::Date,
                },
            ));
        }
        d
    }

    fn fen(&mut self, name: &str, required: bool) -> Option<i64> {
        let t = self.text(name);
        if t.is_empty() {
            if required {
                self.errors.push(FieldError::new(name, Rule::Blank));
            }
            return None;
        }
        let f = parse_fen(&t);
        if f.is_none() {
            self.errors.push(FieldError::new(
                name,
                Rule::BadFormat {
                    found: t,
                    format: Format::Amount,
                },
            ));
        }
        f
    }

    fn party(&mut self, side: &str) -> Option<Party> {
        let name = self.required(&format!("{side}.name"));
        let code = self.text(&format!("{side}.credit_code"));
        // Checked here too, so that a wrong code is named with the form's other mistakes
        // rather than after they are fixed.
        if !code.is_empty()
            && let Err(e) = qiao_domain::codes::parse_credit_code(&code)
        {
            self.errors.push(FieldError::new(
                format!("{side}.credit_code"),
                e.rule(&code),
            ));
        }
        let legal = self.choice(
            &format!("{side}.legal_person"),
            LegalPersonType::ALL,
            LegalPersonType::parse,
            |x| x.as_str(),
        );
        let district = self.required(&format!("{side}.district"));
        Some(Party {
            name,
            credit_code: (!code.is_empty()).then_some(code),
            legal_person: legal?,
            district,
            org_id: None,
        })
    }
}

/// Where the rows the form sent went in the contract's lists: row `orig[k]` of the form is
/// item `k`, since empty rows are left out. Errors about item `k` go back to row `orig[k]`.
#[derive(Default)]
struct RowMap {
    non_technical: Vec<usize>,
    instalments: Vec<usize>,
}

impl RowMap {
    fn place(&self, mut errors: Vec<FieldError>) -> Vec<FieldError> {
        for e in &mut errors {
            for (prefix, orig) in [
                ("non_technical[", &self.non_technical),
                ("payment.instalments[", &self.instalments),
            ] {
                if let Some(rest) = e.field.strip_prefix(prefix)
                    && let Some((k, tail)) = rest.split_once(']')
                    && let Ok(k) = k.parse::<usize>()
                    && let Some(row) = orig.get(k)
                {
                    e.field = format!("{prefix}{row}]{tail}");
                }
            }
        }
        errors
    }
}

/// The posted form as a validated contract (without its links to Qiao: deal, listings and
/// organisations, which the caller sets), or every problem with its field.
fn parse_contract(form: &FormData) -> Result<Contract, Invalid> {
    let mut r = Reader {
        form,
        errors: Vec::new(),
    };
    let mut map = RowMap::default();
    let name = r.required("name");
    let kind = r.choice("kind", ContractKind::ALL, ContractKind::parse, |x| {
        x.as_str()
    });
    let field = r.choice("field", TechField::ALL, TechField::parse, |x| x.as_str());
    let ip_type = r.choice("ip_type", IpType::ALL, IpType::parse, |x| x.as_str());
    let seller = r.party("seller");
    let buyer = r.party("buyer");
    let amount = r.fen("amount_fen", true);
    let mut non_technical = Vec::new();
    for i in 0..NON_TECHNICAL_ROWS {
        let item_name = r.text(&format!("non_technical[{i}].name"));
        let raw = r.text(&format!("non_technical[{i}].amount_fen"));
        if item_name.is_empty() && raw.is_empty() {
            continue;
        }
        if item_name.is_empty() {
            r.errors.push(FieldError::new(
                format!("non_technical[{i}].name"),
                Rule::Blank,
            ));
        }
        let amount_fen = r.fen(&format!("non_technical[{i}].amount_fen"), true);
        map.non_technical.push(i);
        non_technical.push(NonTechnicalItem {
            name: item_name,
            amount_fen: amount_fen.unwrap_or(0),
        });
    }
    let signed_on = r.date("signed_on", true);
    let from = r.date("performance_from", true);
    let to = r.date("performance_to", true);
    let payment = match r.text("payment.kind").as_str() {
        "lump_sum" => Some(PaymentTerms::LumpSum {
            due_on: r.date("payment.due_on", false),
        }),
        "instalments" => {
            let mut instalments = Vec::new();
            for i in 0..INSTALMENT_ROWS {
                let row = format!("payment.instalments[{i}]");
                let (raw, due, cond) = (
                    r.text(&format!("{row}.amount_fen")),
                    r.text(&format!("{row}.due_on")),
                    r.text(&format!("{row}.condition")),
                );
                if raw.is_empty() && due.is_empty() && cond.is_empty() {
                    continue;
                }
                let amount_fen = r.fen(&format!("{row}.amount_fen"), true);
                let due_on = r.date(&format!("{row}.due_on"), true);
                map.instalments.push(i);
                if let (Some(amount_fen), Some(due_on)) = (amount_fen, due_on) {
                    instalments.push(Instalment {
                        amount_fen,
                        due_on,
                        condition: (!cond.is_empty()).then_some(cond),
                    });
                }
            }
            Some(PaymentTerms::Instalments { instalments })
        }
        "royalty" => {
            let raw = r.required("payment.rate_bp");
            let rate_bp = amounts::parse_bp(&raw);
            if rate_bp.is_none() && !raw.is_empty() {
                r.errors.push(FieldError::new(
                    "payment.rate_bp",
                    Rule::BadFormat {
                        found: raw,
                        format: Format::Number,
                    },
                ));
            }
            let base = r.required("payment.base");
            let entry_fee_fen = r.fen("payment.entry_fee_fen", false).unwrap_or(0);
            rate_bp.map(|rate_bp| PaymentTerms::Royalty {
                rate_bp,
                base,
                entry_fee_fen,
            })
        }
        "" => {
            r.errors.push(FieldError::new("payment.kind", Rule::Choose));
            None
        }
        other => {
            r.errors.push(FieldError::new(
                "payment.kind",
                Rule::NotOneOf {
                    found: other.into(),
                    allowed: PAYMENT_KINDS.iter().map(|c| c.0.to_string()).collect(),
                },
            ));
            None
        }
    };
    let errors = r.errors;
    match (
        kind, field, ip_type, seller, buyer, amount, signed_on, from, to, payment,
    ) {
        (
            Some(kind),
            Some(field),
            Some(ip_type),
            Some(seller),
            Some(buyer),
            Some(amount_fen),
            Some(signed_on),
            Some(performance_from),
            Some(performance_to),
            Some(payment),
        ) if errors.is_empty() => {
            let mut contract = Contract {
                name,
                kind,
                seller,
                buyer,
                field,
                ip_type,
                amount_fen,
                non_technical,
                signed_on,
                performance_from,
                performance_to,
                payment,
                deal_id: None,
                listing_ids: Vec::new(),
            };
            contract
                .validate()
                .map_err(|Invalid(e)| Invalid(map.place(e)))?;
            Ok(contract)
        }
        _ => Err(Invalid(errors)),
    }
}

/// The form's values for a stored contract.
fn values_of(c: &Contract) -> HashMap<String, String> {
    let mut v = HashMap::new();
    let mut put = |k: &str, val: String| {
        v.insert(k.to_string(), val);
    };
    put("name", c.name.clone());
    put("kind", c.kind.as_str().into());
    put("field", c.field.as_str().into());
    put("ip_type", c.ip_type.as_str().into());
    for (side, p) in [("seller", &c.seller), ("buyer", &c.buyer)] {
        put(&format!("{side}.name"), p.name.clone());
        put(
            &format!("{side}.credit_code"),
            p.credit_code.clone().unwrap_or_default(),
        );
        put(
            &format!("{side}.legal_person"),
            p.legal_person.as_str().into(),
        );
        put(&format!("{side}.district"), p.district.clone());
    }
    put("amount_fen", amounts::yuan_number(c.amount_fen));
    for (i, item) in c.non_technical.iter().enumerate() {
        put(&format!("non_technical[{i}].name"), item.name.clone());
        put(
            &format!("non_technical[{i}].amount_fen"),
            amounts::yuan_number(item.amount_fen),
        );
    }
    put("signed_on", c.signed_on.to_string());
    put("performance_from", c.performance_from.to_string());
    put("performance_to", c.performance_to.to_string());
    match &c.payment {
        PaymentTerms::LumpSum { due_on } => {
            put("payment.kind", "lump_sum".into());
            if let Some(d) = due_on {
                put("payment.due_on", d.to_string());
            }
        }
        PaymentTerms::Instalments { instalments } => {
            put("payment.kind", "instalments".into());
            for (i, part) in instalments.iter().enumerate() {
                let row = format!("payment.instalments[{i}]");
                put(
                    &format!("{row}.amount_fen"),
                    amounts::yuan_number(part.amount_fen),
                );
                put(&format!("{row}.due_on"), part.due_on.to_string());
                put(
                    &format!("{row}.condition"),
                    part.condition.clone().unwrap_or_default(),
                );
            }
        }
        PaymentTerms::Royalty {
            rate_bp,
            base,
            entry_fee_fen,
        } => {
            put("payment.kind", "royalty".into());
            put("payment.rate_bp", amounts::percent(*rate_bp));
            put("payment.base", base.clone());
            put(
                "payment.entry_fee_fen",
                amounts::yuan_number(*entry_fee_fen),
            );
        }
    }
    v
}

/// The legal-person type an organisation of `kind` has, where it follows from the kind.
fn legal_person_of(kind: OrgKind) -> &'static str {
    match kind {
        OrgKind::Enterprise => "enterprise",
        OrgKind::University => "university",
        OrgKind::ResearchInstitute => "research_institute",
        OrgKind::Government => "government",
        // A service institution may be an enterprise or a public institution: asked.
        OrgKind::ServiceInstitution => "",
    }
}

/// Links the parties to their organisations on Qiao by their 统一社会信用代码, else to the
/// deal's organisations on their sides.
async fn link_parties(
    state: &AppState,
    c: &mut Contract,
    fallback: (Option<i64>, Option<i64>),
) -> qiao_store::Result<()> {
    for (party, other) in [(&mut c.seller, fallback.0), (&mut c.buyer, fallback.1)] {
        party.org_id = match &party.credit_code {
            Some(code) => state.store.org_by_credit_code(code).await?.map(|o| o.id),
            None => None,
        }
        .or(other);
    }
    Ok(())
}

fn not_found(v: &Visitor) -> PageError {
    v.error(ApiError::new(
        Code::NotFound,
        v.ctx.l.t(
            "该合同不存在，或您无权查看。",
            "No such contract, or not one you may see.",
        ),
    ))
}

/// `?deal=` of the new-contract form.
#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    deal: Option<String>,
}

/// `GET /contracts/new?deal=ID`: the form, prefilled from the deal and its organisations.
pub async fn new_form(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<NewQuery>,
) -> PageResult<Response> {
    let user = v.account()?.clone();
    let today = state.today().to_string();
    let mut values: HashMap<String, String> = HashMap::new();
    for k in ["signed_on", "performance_from"] {
        values.insert(k.into(), today.clone());
    }
    values.insert("payment.kind".into(), "lump_sum".into());
    if let Some(id) = q.deal.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        let id = id.parse::<i64>().map_err(|_| not_found(&v))?;
        let deal = deals::load(&state.store, &user, id)
            .await
            .map_err(|e| v.error(e))?;
        let d = &deal.deal;
        values.insert("deal_id".into(), id.to_string());
        values.insert("name".into(), d.title.clone());
        if let Some(f) = d.field {
            values.insert("field".into(), f.as_str().into());
        }
        if let Some(a) = d.expected_amount_fen {
            values.insert("amount_fen".into(), amounts::yuan_number(a));
        }
        for (side, org) in [("seller", d.seller_org_id), ("buyer", d.buyer_org_id)] {
            let Some(org) = org else { continue };
            if let Ok(o) = state.store.get_org(org).await {
                values.insert(format!("{side}.name"), o.org.name.clone());
                values.insert(format!("{side}.credit_code"), o.org.credit_code.clone());
                values.insert(
                    format!("{side}.legal_person"),
                    legal_person_of(o.org.kind).into(),
                );
                values.insert(
                    format!("{side}.district"),
                    o.org.district.clone().unwrap_or_default(),
                );
            }
        }
    }
    Ok(form_page(
        &v,
        Shape {
            heading: v
                .ctx
                .l
                .t("录入技术合同", "Record a technology contract")
                .into(),
            action: "/contracts/new".into(),
            status: StatusCode::OK,
            notice: None,
        },
        &values,
        &[],
    ))
}

/// `POST /contracts/new`
pub async fn create(
    State(state): State<AppState>,
    v: Visitor,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = v.account()?.clone();
    let heading = v.ctx.l.t("录入技术合同", "Record a technology contract");
    let again = |errors: &[FieldError]| {
        form_page(
            &v,
            Shape {
                heading: heading.into(),
                action: "/contracts/new".into(),
                status: StatusCode::UNPROCESSABLE_ENTITY,
                notice: None,
            },
            &form.typed(),
            errors,
        )
    };
    let mut contract = match parse_contract(&form) {
        Ok(c) => c,
        Err(Invalid(errors)) => return Ok(again(&errors)),
    };
    let mut sides = (None, None);
    let deal_raw = form.text("deal_id");
    if !deal_raw.is_empty() {
        let id = deal_raw.parse::<i64>().map_err(|_| not_found(&v))?;
        let deal = deals::load(&state.store, &user, id)
            .await
            .map_err(|e| v.error(e))?;
        contract.deal_id = Some(id);
        contract.listing_ids = deal.deal.listing_ids.clone();
        sides = (deal.deal.seller_org_id, deal.deal.buyer_org_id);
    }
    link_parties(&state, &mut contract, sides)
        .await
        .map_err(|e| v.error(e))?;
    match contracts::record(&state.store, &user, contract).await {
        Ok(r) => Ok(see_other(&format!("/contracts/{}", r.id))),
        Err(AppError::Invalid(Invalid(errors))) => Ok(again(&errors)),
        Err(e) => Err(v.error(e)),
    }
}

/// The contract `id` names if `user` may edit its terms now, else the page saying why.
async fn editable(
    state: &AppState,
    v: &Visitor,
    user: &Account,
    id: &str,
) -> PageResult<ContractRecord> {
    let id = id.parse::<i64>().map_err(|_| not_found(v))?;
    let (record, access) = match contracts::load(&state.store, user, id).await {
        Ok(x) => x,
        Err(AppError::NotFound(_)) => return Err(not_found(v)),
        Err(e) => return Err(v.error(e)),
    };
    if !access.edit {
        return Err(v.error(ApiError::forbidden(v.ctx.l.t(
            "只有合同当事方及其技术经理人可以修改合同条款。",
            "Only the contract's parties and their technology manager change its terms.",
        ))));
    }
    let s = record.registration.state();
    if !matches!(s, RegistrationState::Draft | RegistrationState::Correcting) {
        return Err(v.error(ApiError::new(
            Code::Conflict,
            match v.ctx.l {
                Lang::Zh => format!(
                    "{}的合同不能修改条款；已登记合同的变更由登记机构办理。",
                    s.label_zh()
                ),
                Lang::En => format!(
                    "A contract that is {} is not edited; the registration point records amendments.",
                    s.label_en()
                ),
            },
        )));
    }
    Ok(record)
}

fn edit_heading(l: Lang, r: &ContractRecord) -> String {
    format!("{} · {}", l.t("修改合同", "Edit contract"), r.contract.name)
}

/// `GET /contracts/{id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let user = v.account()?.clone();
    let r = editable(&state, &v, &user, &id).await?;
    let mut values = values_of(&r.contract);
    values.insert("version".into(), r.version.to_string());
    Ok(form_page(
        &v,
        Shape {
            heading: edit_heading(v.ctx.l, &r),
            action: format!("/contracts/{}/edit", r.id),
            status: StatusCode::OK,
            notice: None,
        },
        &values,
        &[],
    ))
}

/// `POST /contracts/{id}/edit`
pub async fn update(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let l = v.ctx.l;
    let user = v.account()?.clone();
    let r = editable(&state, &v, &user, &id).await?;
    let again = |errors: &[FieldError], status: StatusCode, notice: Option<String>| {
        form_page(
            &v,
            Shape {
                heading: edit_heading(l, &r),
                action: format!("/contracts/{}/edit", r.id),
                status,
                notice,
            },
            &form.typed(),
            errors,
        )
    };
    let seen = form.text("version").parse::<i64>().unwrap_or(-1);
    if seen != r.version {
        // The form again with what is stored now, so that what changed meanwhile is seen
        // before it is typed over.
        let mut values = values_of(&r.contract);
        values.insert("version".into(), r.version.to_string());
        return Ok(form_page(
            &v,
            Shape {
                heading: edit_heading(l, &r),
                action: format!("/contracts/{}/edit", r.id),
                status: StatusCode::CONFLICT,
                notice: Some(stale(l, seen, r.version)),
            },
            &values,
            &[],
        ));
    }
    let mut contract = match parse_contract(&form) {
        Ok(c) => c,
        Err(Invalid(errors)) => {
            return Ok(again(&errors, StatusCode::UNPROCESSABLE_ENTITY, None));
        }
    };
    // What the form does not show stays as stored: the deal and listings it came from.
    contract.deal_id = r.contract.deal_id;
    contract.listing_ids = r.contract.listing_ids.clone();
    let sides = (r.contract.seller.org_id, r.contract.buyer.org_id);
    link_parties(&state, &mut contract, sides)
        .await
        .map_err(|e| v.error(e))?;
    match contracts::edit(&state.store, &user, r.id, seen, contract).await {
        Ok(_) => Ok(see_other(&format!("/contracts/{}", r.id))),
        Err(AppError::Invalid(Invalid(errors))) => {
            Ok(again(&errors, StatusCode::UNPROCESSABLE_ENTITY, None))
        }
        Err(AppError::Conflict(m)) => Ok(again(&[], StatusCode::CONFLICT, Some(m))),
        Err(e) => Err(v.error(e)),
    }
}

/// The sentence for a form posted from an older version of the contract.
fn stale(l: Lang, seen: i64, now: i64) -> String {
    match l {
        Lang::Zh => format!(
            "未保存：您打开页面后，此合同已被他人修改（您看到的是第 {seen} 版，现为第 {now} 版）。请查看最新内容后重试。"
        ),
        Lang::En => format!(
            "Not saved: someone changed this contract after you opened it (you saw version {seen}; it is now version {now}). Review the latest and try again."
        ),
    }
}

/// A registration state in the page's language, with its badge colour.
pub fn state_badge(l: Lang, s: RegistrationState) -> (&'static str, &'static str) {
    let class = match s {
        RegistrationState::Draft => "",
        RegistrationState::Submitted | RegistrationState::Correcting => "warn",
        RegistrationState::Registered => "ok",
        RegistrationState::Refused | RegistrationState::Cancelled => "bad",
    };
    (l.t(s.label_zh(), s.label_en()), class)
}

/// One pre-check finding as the page shows it.
struct FindingView {
    class: &'static str,
    severity: &'static str,
    text: String,
    field: String,
    source: String,
}

/// One step of the registration history.
struct StepRow {
    at: String,
    who: String,
    action: &'static str,
    change: String,
    note: String,
}

/// A party as the page shows it.
struct PartyView {
    name: String,
    href: String,
    code: String,
    legal: &'static str,
    district: String,
}

/// A refused step, said in its form.
struct StepError {
    action: String,
    message: String,
}

#[derive(Template)]
#[template(path = "contract.html")]
struct ContractPage<'a> {
    ctx: &'a Ctx,
    id: i64,
    version: i64,
    name: String,
    state: &'static str,
    state_class: &'static str,
    registration: Vec<(String, String)>,
    kind: &'static str,
    field: &'static str,
    ip_type: &'static str,
    seller: PartyView,
    buyer: PartyView,
    amount: String,
    technical: String,
    non_technical: Vec<(String, String)>,
    signed_on: String,
    performance: String,
    payment: Vec<String>,
    deal_href: String,
    listings: Vec<(String, String)>,
    findings: Vec<FindingView>,
    blocked: bool,
    history: Vec<StepRow>,
    can_edit: bool,
    can_submit: bool,
    can_withdraw: bool,
    can_correct: bool,
    can_register: bool,
    can_refuse: bool,
    can_amend: bool,
    grounds: Vec<(&'static str, &'static str)>,
    point: String,
    today: String,
    typed: HashMap<String, String>,
    error: Option<StepError>,
    /// Its files (for its readers), with the upload form for its editors.
    files: Option<super::attachment_pages::FilesBox>,
}

impl ContractPage<'_> {
    /// What was typed into a refused form's input `name`.
    fn typed_in(&self, action: &str, name: &str) -> &str {
        match &self.error {
            Some(e) if e.action == action => self.typed.get(name).map_or("", String::as_str),
            _ => "",
        }
    }

    /// The message of a refused `action`, shown in its form.
    fn error_for(&self, action: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|e| e.action == action)
            .map(|e| e.message.as_str())
    }
}

fn party_view(l: Lang, p: &qiao_domain::Party) -> PartyView {
    PartyView {
        name: p.name.clone(),
        href: p.org_id.map(|o| format!("/orgs/{o}")).unwrap_or_default(),
        code: p.credit_code.clone().unwrap_or_default(),
        legal: l.t(p.legal_person.label_zh(), p.legal_person.label_en()),
        district: p.district.clone(),
    }
}

/// The payment terms, one line each.
fn payment_lines(l: Lang, p: &PaymentTerms) -> Vec<String> {
    match p {
        PaymentTerms::LumpSum { due_on } => vec![match due_on {
            Some(d) => format!(
                "{} {d}",
                l.t("一次总算、一次总付，付款日期", "Lump sum, due on")
            ),
            None => l.t("一次总算、一次总付", "Lump sum").to_string(),
        }],
        PaymentTerms::Instalments { instalments } => {
            let mut lines = vec![l.t("一次总算、分期支付：", "In instalments:").to_string()];
            lines.extend(instalments.iter().enumerate().map(|(i, part)| {
                let cond = part
                    .condition
                    .as_deref()
                    .map(|c| format!("（{c}）"))
                    .unwrap_or_default();
                match l {
                    Lang::Zh => format!(
                        "第 {} 期 {} {}{cond}",
                        i + 1,
                        part.due_on,
                        yuan(part.amount_fen)
                    ),
                    Lang::En => {
                        format!("#{} {} {}{cond}", i + 1, part.due_on, yuan(part.amount_fen))
                    }
                }
            }));
            lines
        }
        PaymentTerms::Royalty {
            rate_bp,
            base,
            entry_fee_fen,
        } => vec![match l {
            Lang::Zh => format!(
                "提成支付：按{base}的 {}% 提成，入门费 {}",
                amounts::percent(*rate_bp),
                yuan(*entry_fee_fen)
            ),
            Lang::En => format!(
                "Royalty: {}% of {base}, entry fee {}",
                amounts::percent(*rate_bp),
                yuan(*entry_fee_fen)
            ),
        }],
    }
}

/// The registration's particulars as (label, value) rows.
fn registration_rows(l: Lang, r: &Registration) -> Vec<(String, String)> {
    let registered = |out: &mut Vec<(String, String)>, reg: &qiao_domain::Registered| {
        out.push((
            l.t("登记号", "Registration number").into(),
            reg.number.to_string(),
        ));
        out.push((
            l.t("登记日期", "Registered on").into(),
            reg.date.to_string(),
        ));
        out.push((
            l.t("登记机构", "Registration point").into(),
            reg.point.clone(),
        ));
        for a in &reg.amendments {
            out.push((
                l.t("变更", "Amendment").into(),
                format!("{} {}", cst_time(a.at), a.note),
            ));
        }
    };
    let mut out = Vec::new();
    match r {
        Registration::Draft | Registration::Submitted => {}
        Registration::Correcting { request } => {
            out.push((
                l.t("补正要求", "Correction requested").into(),
                request.clone(),
            ));
        }
        Registration::Registered(reg) => registered(&mut out, reg),
        Registration::Refused { ground, note } => {
            out.push((
                l.t("不予登记理由", "Refused because").into(),
                format!(
                    "{}{}",
                    l.t(ground.label_zh(), ground.label_en()),
                    if note.is_empty() {
                        String::new()
                    } else {
                        format!("：{note}")
                    }
                ),
            ));
        }
        Registration::Cancelled {
            registered: reg,
            note,
        } => {
            registered(&mut out, reg);
            out.push((l.t("注销原因", "Cancelled because").into(), note.clone()));
        }
    }
    out
}

/// `GET /contracts/{id}`
pub async fn show(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let user = v.account()?.clone();
    let id = id.parse::<i64>().map_err(|_| not_found(&v))?;
    render_contract(&state, &v, &user, id, None, None).await
}

async fn render_contract(
    state: &AppState,
    v: &Visitor,
    user: &Account,
    id: i64,
    error: Option<(StepError, StatusCode)>,
    typed: Option<&FormData>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let view = match contracts::view(&state.store, user, id).await {
        Ok(view) => view,
        Err(AppError::NotFound(_)) => return Err(not_found(v)),
        Err(e) => return Err(v.error(e)),
    };
    let r = &view.record;
    let c = &r.contract;
    let actors: Vec<i64> = view
        .events
        .iter()
        .map(|e| e.event.actor.account_id())
        .collect();
    let names = Names::of(state, [], actors).await.map_err(|e| v.error(e))?;
    let listings = super::listings_by_id(state, &c.listing_ids)
        .await
        .map_err(|e| v.error(e))?;
    let s = r.registration.state();
    let (state_label, state_class) = state_badge(l, s);
    let a = view.access;
    let blocked = !qiao_domain::precheck::submittable(&view.findings);
    let point = match r.registration.registered() {
        Some(reg) => reg.point.clone(),
        None => contracts::DEFAULT_POINT.to_string(),
    };
    let (error, status) = match error {
        Some((e, code)) => (Some(e), code),
        None => (None, StatusCode::OK),
    };
    let files = super::attachment_pages::files_box(
        state,
        Some(user),
        qiao_domain::attachment::Owner {
            kind: qiao_domain::attachment::OwnerKind::Contract,
            id: r.id,
        },
        format!("/contracts/{}/files", r.id),
    )
    .await
    .map_err(|e| v.error(e))?;
    let page = ContractPage {
        files,
        ctx: &v.ctx,
        id: r.id,
        version: r.version,
        name: c.name.clone(),
        state: state_label,
        state_class,
        registration: registration_rows(l, &r.registration),
        kind: l.t(c.kind.label_zh(), c.kind.label_en()),
        field: l.t(c.field.label_zh(), c.field.label_en()),
        ip_type: l.t(c.ip_type.label_zh(), c.ip_type.label_en()),
        seller: party_view(l, &c.seller),
        buyer: party_view(l, &c.buyer),
        amount: yuan(c.amount_fen),
        technical: yuan(c.technical_fen()),
        non_technical: c
            .non_technical
            .iter()
            .map(|i| (i.name.clone(), yuan(i.amount_fen)))
            .collect(),
        signed_on: c.signed_on.to_string(),
        performance: format!("{} – {}", c.performance_from, c.performance_to),
        payment: payment_lines(l, &c.payment),
        deal_href: c.deal_id.map(|d| format!("/deals/{d}")).unwrap_or_default(),
        listings: c
            .listing_ids
            .iter()
            .map(|id| match listings.get(id) {
                Some(li) => (
                    format!("/{}/{id}", li.kind().plural()),
                    li.title().to_string(),
                ),
                None => ("#".to_string(), format!("#{id}")),
            })
            .collect(),
        findings: view
            .findings
            .iter()
            .map(|f| FindingView {
                class: match f.severity {
                    Severity::Blocks => "bad",
                    Severity::Warns => "warn",
                    Severity::Informs => "ok",
                },
                severity: l.t(f.severity.label_zh(), f.severity.label_en()),
                text: l.t(&f.zh, &f.en).to_string(),
                field: f.field.clone().unwrap_or_default(),
                source: format!("{}（{}）", f.source.document, f.source.year),
            })
            .collect(),
        blocked,
        history: view
            .events
            .iter()
            .map(|e| {
                let e = &e.event;
                let who = names.person(e.actor.account_id());
                StepRow {
                    at: cst_time(e.at),
                    who: match &e.actor {
                        RegistrationActor::RegistrationPoint { point, .. } => {
                            format!("{who}（{point}）")
                        }
                        RegistrationActor::Seller { .. } => {
                            format!("{who}（{}）", l.t("卖方", "seller"))
                        }
                    },
                    action: l.t(e.action.label_zh(), e.action.label_en()),
                    change: format!(
                        "{} → {}",
                        l.t(e.from.label_zh(), e.from.label_en()),
                        l.t(e.to.label_zh(), e.to.label_en())
                    ),
                    note: e.note.clone().unwrap_or_default(),
                }
            })
            .collect(),
        can_edit: a.edit && matches!(s, RegistrationState::Draft | RegistrationState::Correcting),
        can_submit: a.seller
            && matches!(s, RegistrationState::Draft | RegistrationState::Correcting),
        can_withdraw: a.seller
            && matches!(
                s,
                RegistrationState::Submitted | RegistrationState::Correcting
            ),
        can_correct: a.registrar && s == RegistrationState::Submitted,
        can_register: a.registrar && s == RegistrationState::Submitted,
        can_refuse: a.registrar
            && matches!(
                s,
                RegistrationState::Submitted | RegistrationState::Correcting
            ),
        can_amend: a.registrar && s == RegistrationState::Registered,
        grounds: RefusalGround::ALL
            .iter()
            .map(|g| (g.as_str(), l.t(g.label_zh(), g.label_en())))
            .collect(),
        point,
        today: state.today().to_string(),
        typed: typed.map(FormData::typed).unwrap_or_default(),
        error,
    };
    Ok((status, html(&page)).into_response())
}

/// The step a registration form asks for (with the registration point it names), or what is
/// wrong with it in the page's language.
fn parse_step(
    l: Lang,
    form: &FormData,
    action: &str,
) -> Result<(RegistrationAction, Option<String>), String> {
    let note = form.text("note");
    let point = Some(form.text("point")).filter(|p| !p.is_empty());
    match action {
        "submit" => Ok((RegistrationAction::Submit, None)),
        "withdraw" => Ok((RegistrationAction::Withdraw, None)),
        "request_correction" => Ok((
            RegistrationAction::RequestCorrection { request: note },
            point,
        )),
        "register" => {
            let raw = form.text("number");
            let number = RegistrationNumber::parse(&raw).map_err(|_| match l {
                Lang::Zh => format!("登记号须为 16 位数字（如 2026310112000123），当前为“{raw}”。"),
                Lang::En => format!("The registration number must be 16 digits (e.g. 2026310112000123), not “{raw}”."),
            })?;
            let raw_date = form.text("date");
            let date = NaiveDate::parse_from_str(&raw_date, "%Y-%m-%d").map_err(|_| {
                messages::said(
                    l,
                    &FieldError::new(
                        "date",
                        Rule::BadFormat {
                            found: raw_date.clone(),
                            format: Format::Date,
                        },
                    ),
                )
            })?;
            Ok((RegistrationAction::Register { number, date }, point))
        }
        "refuse" => match RefusalGround::parse(&form.text("ground")) {
            Some(ground) => Ok((RegistrationAction::Refuse { ground, note }, point)),
            None => Err(l.t("请选择不予登记的理由。", "Choose a ground.").into()),
        },
        "amend" => Ok((RegistrationAction::Amend { note }, point)),
        "cancel" => Ok((RegistrationAction::Cancel { note }, point)),
        _ => Err(l.t("未知的操作。", "Unknown action.").into()),
    }
}

/// Why the registration refuses a step, in the page's language.
fn transition_refusal(l: Lang, e: &TransitionError) -> String {
    match (l, e) {
        (Lang::Zh, TransitionError::NotAllowed { state, action }) => format!(
            "「{}」状态的合同不能「{}」。",
            state.label_zh(),
            action.label_zh()
        ),
        (Lang::Zh, TransitionError::WrongActor { action, .. }) => format!(
            "您不能对该合同执行「{}」：已登记合同的变更和注销由原登记机构办理。",
            action.label_zh()
        ),
        (_, TransitionError::Invalid(Invalid(errors))) => errors
            .iter()
            .map(|f| messages::said(l, f))
            .collect::<Vec<_>>()
            .join(l.t("；", "; ")),
        (Lang::En, e) => e.to_string(),
    }
}

/// `POST /contracts/{id}/act`: a registration step (`action`) at the `version` the page showed.
pub async fn act(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let l = v.ctx.l;
    let user = v.account()?.clone();
    let id = id.parse::<i64>().map_err(|_| not_found(&v))?;
    let (current, access) = match contracts::load(&state.store, &user, id).await {
        Ok(x) => x,
        Err(AppError::NotFound(_)) => return Err(not_found(&v)),
        Err(e) => return Err(v.error(e)),
    };
    let action = form.text("action");
    // Who may take the step at all comes first: a form from someone who may not is refused
    // whatever it carries.
    let by_seller = matches!(action.as_str(), "submit" | "withdraw");
    if !(if by_seller {
        access.seller
    } else {
        access.registrar
    }) {
        return Err(v.error(ApiError::forbidden(if by_seller {
            l.t(
                "只有卖方（其成员或所属交易的技术经理人）可以提交或撤回。",
                "The seller's side (its members or the deal's technology manager) submits and withdraws.",
            )
        } else {
            l.t(
                "登记、补正、不予登记、变更和注销由技术合同登记机构的工作人员办理。",
                "Registration steps are taken by staff of a registration point.",
            )
        })));
    }
    let refuse = |message: String, code: StatusCode| {
        Some((
            StepError {
                action: action.clone(),
                message,
            },
            code,
        ))
    };
    let seen = form.text("version").parse::<i64>().unwrap_or(-1);
    if seen != current.version {
        let e = refuse(stale(l, seen, current.version), StatusCode::CONFLICT);
        return render_contract(&state, &v, &user, id, e, Some(&form)).await;
    }
    let (step, point) = match parse_step(l, &form, &action) {
        Ok(x) => x,
        Err(message) => {
            let e = refuse(message, StatusCode::UNPROCESSABLE_ENTITY);
            return render_contract(&state, &v, &user, id, e, Some(&form)).await;
        }
    };
    // The registration's own answer first, to say a refusal in the page's language; the
    // application layer applies the same rules again when it stores the step.
    let actor = if step.by_seller() {
        RegistrationActor::Seller {
            account_id: user.id,
        }
    } else {
        RegistrationActor::RegistrationPoint {
            account_id: user.id,
            point: point
                .clone()
                .unwrap_or_else(|| contracts::DEFAULT_POINT.to_string()),
        }
    };
    if let Err(e) = current.registration.apply(step.clone(), &actor, Utc::now()) {
        let code = match e {
            TransitionError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::CONFLICT,
        };
        let e = refuse(transition_refusal(l, &e), code);
        return render_contract(&state, &v, &user, id, e, Some(&form)).await;
    }
    match contracts::act(&state.store, &user, id, seen, step, point).await {
        Ok(_) => Ok(see_other(&format!("/contracts/{id}"))),
        Err(AppError::Refused(m)) => {
            let message = match l {
                Lang::Zh => {
                    "登记预检未通过：请先按下方“登记预检”中标为“将不予登记”的各项修改合同。"
                        .to_string()
                }
                Lang::En => m,
            };
            let e = refuse(message, StatusCode::UNPROCESSABLE_ENTITY);
            render_contract(&state, &v, &user, id, e, Some(&form)).await
        }
        Err(AppError::Conflict(m)) => {
            let now = contracts::load(&state.store, &user, id)
                .await
                .map_or(seen, |(r, _)| r.version);
            let message = if now == seen { m } else { stale(l, seen, now) };
            let e = refuse(message, StatusCode::CONFLICT);
            render_contract(&state, &v, &user, id, e, Some(&form)).await
        }
        Err(AppError::Invalid(Invalid(errors))) => {
            let message = errors
                .iter()
                .map(|f| messages::said(l, f))
                .collect::<Vec<_>>()
                .join(l.t("；", "; "));
            let e = refuse(message, StatusCode::UNPROCESSABLE_ENTITY);
            render_contract(&state, &v, &user, id, e, Some(&form)).await
        }
        Err(e) => Err(v.error(e)),
    }
}

/// `?state=&year=&kind=&field=&page=` of the list.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    state: Option<String>,
    year: Option<String>,
    kind: Option<String>,
    field: Option<String>,
    page: Option<String>,
}

/// A contract as a row of the list.
struct ListRow {
    id: i64,
    name: String,
    kind: &'static str,
    parties: String,
    amount: String,
    state: &'static str,
    state_class: &'static str,
    registered: String,
}

#[derive(Template)]
#[template(path = "contracts.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    rows: Vec<ListRow>,
    total: i64,
    year: String,
    states: Vec<(String, String, bool)>,
    kinds: Vec<(String, String, bool)>,
    fields: Vec<(String, String, bool)>,
    prev_href: Option<String>,
    next_href: Option<String>,
}

/// `GET /contracts`
pub async fn list(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<ListQuery>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let user = v.account()?.clone();
    let text = |x: &Option<String>| x.as_deref().unwrap_or("").trim().to_string();
    let (st, year, kind, field) = (text(&q.state), text(&q.year), text(&q.kind), text(&q.field));
    let filter = ContractFilter {
        state: RegistrationState::parse(&st).map(|s| s.as_str().to_string()),
        registered_year: year.parse().ok(),
        kind: ContractKind::parse(&kind).map(|k| k.as_str().to_string()),
        field: TechField::parse(&field).map(|f| f.as_str().to_string()),
        ..ContractFilter::default()
    };
    let number = text(&q.page).parse::<u32>().unwrap_or(1).max(1);
    let found = contracts::list(
        &state.store,
        &user,
        filter,
        Page {
            number,
            size: PAGE_SIZE,
        },
    )
    .await
    .map_err(|e| v.error(e))?;
    let href = |page: u32| {
        format!(
            "/contracts?state={}&year={}&kind={}&field={}&page={page}",
            urlencoding::encode(&st),
            urlencoding::encode(&year),
            urlencoding::encode(&kind),
            urlencoding::encode(&field)
        )
    };
    let rows = found
        .items
        .iter()
        .map(|r| {
            let c = &r.contract;
            let (state, state_class) = state_badge(l, r.registration.state());
            ListRow {
                id: r.id,
                name: c.name.clone(),
                kind: l.t(c.kind.label_zh(), c.kind.label_en()),
                parties: format!("{} → {}", c.seller.name, c.buyer.name),
                amount: yuan(c.amount_fen),
                state,
                state_class,
                registered: r
                    .registration
                    .registered()
                    .map(|g| format!("{} {}", g.number, g.date))
                    .unwrap_or_default(),
            }
        })
        .collect();
    fn choices<T: Copy>(
        l: Lang,
        all: &[T],
        chosen: &str,
        code: fn(T) -> &'static str,
        zh: fn(T) -> &'static str,
        en: fn(T) -> &'static str,
    ) -> Vec<(String, String, bool)> {
        all.iter()
            .map(|&x| (code(x).into(), l.t(zh(x), en(x)).into(), code(x) == chosen))
            .collect()
    }
    let total = found.total;
    Ok(html(&ListPage {
        ctx: &v.ctx,
        rows,
        total,
        states: choices(
            l,
            RegistrationState::ALL,
            &st,
            RegistrationState::as_str,
            RegistrationState::label_zh,
            RegistrationState::label_en,
        ),
        kinds: choices(
            l,
            ContractKind::ALL,
            &kind,
            ContractKind::as_str,
            ContractKind::label_zh,
            ContractKind::label_en,
        ),
        fields: choices(
            l,
            TechField::ALL,
            &field,
            TechField::as_str,
            TechField::label_zh,
            TechField::label_en,
        ),
        prev_href: (number > 1).then(|| href(number - 1)),
        next_href: (i64::from(number) * i64::from(PAGE_SIZE) < total).then(|| href(number + 1)),
        year,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormData {
        FormData(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    /// A complete form: a patent transfer in two instalments, one non-technical item in the
    /// second row (the first left empty).
    fn full() -> Vec<(&'static str, &'static str)> {
        vec![
            ("name", "一种固态电解质的专利权转让合同"),
            ("kind", "transfer_patent"),
            ("field", "new_energy"),
            ("ip_type", "invention_patent"),
            ("seller.name", "示例大学"),
            ("seller.credit_code", "12100000400000624D"),
            ("seller.legal_person", "university"),
            ("seller.district", "闵行区"),
            ("buyer.name", "示例科技有限公司"),
            ("buyer.credit_code", "91350100M000100Y43"),
            ("buyer.legal_person", "enterprise"),
            ("buyer.district", "浦东新区"),
            ("amount_fen", "1,200,000.50"),
            ("non_technical[1].name", "样机"),
            ("non_technical[1].amount_fen", "20万"),
            ("signed_on", "2026-03-02"),
            ("performance_from", "2026-03-02"),
            ("performance_to", "2027-03-01"),
            ("payment.kind", "instalments"),
            ("payment.instalments[0].amount_fen", "600000.50"),
            ("payment.instalments[0].due_on", "2026-04-01"),
            ("payment.instalments[2].amount_fen", "60万"),
            ("payment.instalments[2].due_on", "2026-10-01"),
            ("payment.instalments[2].condition", "验收合格后"),
        ]
    }

    #[test]
    fn a_complete_form_is_a_contract_in_fen() {
        let c = parse_contract(&form(&full())).unwrap();
        assert_eq!(c.amount_fen, 120_000_050);
        assert_eq!(c.technical_fen(), 100_000_050);
        assert_eq!(c.non_technical.len(), 1);
        let PaymentTerms::Instalments { instalments } = &c.payment else {
            panic!("{:?}", c.payment)
        };
        assert_eq!(instalments.len(), 2);
        assert_eq!(instalments[1].condition.as_deref(), Some("验收合格后"));
        // And the stored contract reads back into the same form values.
        let again = values_of(&c);
        let sent: Vec<(String, String)> = again.into_iter().collect();
        let back = parse_contract(&FormData(sent)).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn errors_name_the_row_the_user_typed_in() {
        let mut f = full();
        // The instalments no longer add up; the item in row 2 (index 1) is above the amount.
        f.retain(|(k, _)| *k != "payment.instalments[2].amount_fen");
        f.push(("payment.instalments[2].amount_fen", "很多"));
        let err = parse_contract(&form(&f)).unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["payment.instalments[2].amount_fen"]);

        let mut f = full();
        f.retain(|(k, _)| *k != "non_technical[1].amount_fen");
        f.push(("non_technical[1].amount_fen", "2000万"));
        let err = parse_contract(&form(&f)).unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["non_technical"]);

        // A domain rule about an item lands on the row it was typed in, not on its index.
        let long = "长".repeat(101);
        let mut f: Vec<(&str, &str)> = full();
        f.push(("non_technical[3].name", &long));
        f.push(("non_technical[3].amount_fen", "1"));
        let err = parse_contract(&form(&f)).unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["non_technical[3].name"]);
    }

    #[test]
    fn missing_choices_and_bad_numbers_are_all_named() {
        let err = parse_contract(&form(&[
            ("name", ""),
            ("amount_fen", "很多"),
            ("signed_on", "2026-02-30"),
            ("payment.kind", "royalty"),
            ("payment.rate_bp", "abc"),
        ]))
        .unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "name",
            "kind",
            "field",
            "ip_type",
            "seller.name",
            "seller.legal_person",
            "buyer.district",
            "amount_fen",
            "signed_on",
            "performance_to",
            "payment.rate_bp",
            "payment.base",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
    }
}
