//! The audit log for people: who changed what, when, and each field before and after, in
//! Chinese or English. The admin page `/admin/audit`, its workbook `/admin/audit.xlsx` and
//! `GET /api/v1/audit` (JSON, or `format=xlsx`) all read it through here.
//!
//! All three take the filters read by [`AuditQuery`]: `actor` (a username), `entity` (a sort
//! of record), `entity_id`, `from` and `to` (days, China Standard Time, both included). They
//! share [`AuditQuery::filter`] and the workbook ([`workbook`]), so they never disagree about
//! which changes a filter means.
//!
//! What a change's fields are called comes from the listing forms ([`crate::field_specs`], the
//! labels a member typed the value under) and, for the other records, the table
//! [`FIELD_LABELS`]. Values come out whole as text; the page cuts long ones.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use qiao_domain::{Format, Invalid, Kind, Role, Rule, Status};
use qiao_store::{AuditEntry, AuditFilter, FieldChange, Op, Store};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{AppError, AppResult};
use crate::field_specs;
use crate::lang::Lang;

/// The sorts of record the log names, as stored, in Chinese and in English.
pub const ENTITIES: [(&str, &str, &str); 14] = [
    ("listing", "发布信息", "Listing"),
    ("organisation", "机构", "Organisation"),
    ("account", "账号", "Account"),
    ("contact_request", "联系请求", "Contact request"),
    ("document", "文件", "Document"),
    ("policy", "政策", "Policy"),
    ("target", "目标", "Target"),
    ("deal", "交易", "Deal"),
    ("contract", "技术合同", "Technology contract"),
    ("application", "揭榜申请", "Challenge application"),
    ("slot", "仪器时段", "Instrument slot"),
    ("booking", "仪器预约", "Instrument booking"),
    ("voucher", "创新券", "Innovation voucher"),
    ("setting", "设置", "Setting"),
];

/// Labels of the fields that no listing form shows: organisations, accounts, contact
/// requests, documents, policies and targets, and the listing's own bookkeeping. Checked after
/// the listing forms; a field found in neither shows its JSON name.
pub const FIELD_LABELS: &[(&str, &str, &str)] = &[
    ("kind", "类型", "Kind"),
    ("owner_org_id", "所属机构", "Owner organisation"),
    ("stage", "阶段", "Stage"),
    ("managers", "技术经理人", "Technology managers"),
    ("next_step", "下一步", "Next step"),
    (
        "expected_amount_fen",
        "预期成交额（分）",
        "Expected amount (fen)",
    ),
    ("expected_close_on", "预计签约日期", "Expected signing date"),
    ("seller_org_id", "卖方机构", "Seller organisation"),
    ("buyer_org_id", "买方机构", "Buyer organisation"),
    ("seller", "卖方", "Seller"),
    ("buyer", "买方", "Buyer"),
    ("amount_fen", "合同成交额（分）", "Contract amount (fen)"),
    ("non_technical", "非技术性款项", "Non-technical items"),
    ("ip_type", "知识产权类型", "Intellectual property"),
    ("signed_on", "签订日期", "Signed on"),
    ("payment", "支付方式", "Payment terms"),
    ("state", "状态", "State"),
    ("number", "登记号", "Registration number"),
    ("registered_on", "登记日期", "Registered on"),
    ("summary", "简介", "Summary"),
    ("contact", "联系方式", "Contact"),
    ("name", "名称", "Name"),
    (
        "credit_code",
        "统一社会信用代码",
        "Unified social credit code",
    ),
    ("district", "所在区", "District"),
    ("industry_code", "行业代码", "Industry code"),
    ("founded_on", "成立日期", "Founded on"),
    ("employees", "员工人数", "Employees"),
    ("revenue_yuan", "营业收入（元）", "Revenue (yuan)"),
    ("rd_expense_yuan", "研发费用（元）", "R&D expense (yuan)"),
    ("patents", "专利数", "Patents"),
    ("description", "简介", "Description"),
    ("website", "网站", "Website"),
    ("certificates", "资质证书", "Certificates"),
    ("username", "用户名", "Username"),
    ("display_name", "显示名称", "Display name"),
    ("role", "角色", "Role"),
    ("org_id", "所属机构", "Organisation"),
    ("disabled_at", "停用时间", "Disabled at"),
    ("password_hash", "密码", "Password"),
    ("status", "状态", "Status"),
    ("listing_id", "所询信息", "Listing"),
    ("requester_id", "请求人", "Requester"),
    ("requester_org_id", "请求人机构", "Requester's organisation"),
    ("message", "留言", "Message"),
    ("reason", "拒绝原因", "Reason declined"),
    ("note", "备注", "Note"),
    ("sha256", "文件摘要（SHA-256）", "File digest (SHA-256)"),
    ("file_name", "文件名", "File name"),
    ("title", "标题", "Title"),
    ("published", "发布日期", "Published"),
    ("source", "来源", "Source"),
    ("doc_number", "文号", "Document number"),
    ("script", "字形", "Script"),
    ("encoding", "编码", "Encoding"),
    ("imported_by", "导入人", "Imported by"),
    ("issuer", "发布机关", "Issuer"),
    ("benefit", "扶持内容", "Benefit"),
    ("document_id", "来源文件", "Source document"),
    ("apply_from", "申报开始", "Applications from"),
    ("apply_until", "申报截止", "Applications until"),
    (
        "conditions.certificates",
        "条件：资质证书",
        "Condition: certificates",
    ),
    (
        "conditions.certificate_on",
        "条件：证书有效日",
        "Condition: certificate valid on",
    ),
    (
        "conditions.districts",
        "条件：所在区",
        "Condition: districts",
    ),
    (
        "conditions.industries",
        "条件：行业",
        "Condition: industries",
    ),
    (
        "conditions.min_years",
        "条件：最少成立年数",
        "Condition: at least years",
    ),
    (
        "conditions.max_years",
        "条件：最多成立年数",
        "Condition: at most years",
    ),
    (
        "conditions.min_revenue_yuan",
        "条件：营收下限",
        "Condition: revenue from",
    ),
    (
        "conditions.max_revenue_yuan",
        "条件：营收上限",
        "Condition: revenue up to",
    ),
    (
        "conditions.min_rd_ratio_percent",
        "条件：研发占比下限（%）",
        "Condition: R&D share from (%)",
    ),
    (
        "conditions.min_employees",
        "条件：员工下限",
        "Condition: employees from",
    ),
    (
        "conditions.max_employees",
        "条件：员工上限",
        "Condition: employees up to",
    ),
    (
        "conditions.min_patents",
        "条件：专利下限",
        "Condition: patents from",
    ),
    ("region", "地区", "Region"),
    ("year", "年份", "Year"),
    ("indicator", "指标", "Indicator"),
    ("value", "目标值", "Value"),
    ("unit", "单位", "Unit"),
    ("qualifier", "限定", "Qualifier"),
    ("metric", "统计口径", "Metric"),
    ("reported", "上报值", "Reported"),
    ("metric.kind", "统计口径", "Counted as"),
    ("metric.certificate", "统计证书", "Certificate counted"),
    ("sentence", "原文", "Sentence"),
];

/// The most rows one workbook holds; a filter matching more is refused with a request to
/// narrow it, so an export never holds more than this in memory.
pub const MAX_EXPORT_ROWS: usize = 100_000;
/// The most text (bytes, all cells) one workbook holds, for the same reason.
const MAX_EXPORT_BYTES: usize = 64 << 20;
/// Changes read per query while exporting.
const BATCH: u32 = 500;
/// The audit log's query parameters, shared by the page, the workbook and the API. Every one
/// is text so that a form's empty field means "any".
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    /// Username of the account that made the change.
    pub actor: Option<String>,
    /// Sort of record: `listing`, `organisation`, `account`, `contact_request`, `document`,
    /// `policy`, `target`.
    pub entity: Option<String>,
    /// The record's id.
    pub entity_id: Option<String>,
    /// First day (YYYY-MM-DD, China Standard Time), included.
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD, China Standard Time), included.
    pub to: Option<String>,
    /// 1-based page number.
    pub page: Option<u32>,
    /// Items per page (API).
    pub per_page: Option<u32>,
    /// `json` (default) or `xlsx` (API).
    pub format: Option<String>,
}

/// A filter's text, trimmed; `None` when it is absent or empty (a form's "any").
pub fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The start of a day in China Standard Time (UTC+8), as an instant.
fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc() - Duration::hours(8)
}

impl AuditQuery {
    /// The store's filter, or 422 naming the parameter that is wrong.
    pub fn filter(&self) -> Result<AuditFilter, Invalid> {
        let mut f = AuditFilter {
            actor: given(&self.actor).map(str::to_string),
            ..AuditFilter::default()
        };
        if let Some(e) = given(&self.entity) {
            if !ENTITIES.iter().any(|(name, _, _)| *name == e) {
                return Err(Invalid::field(
                    "entity",
                    Rule::NotOneOf {
                        found: e.to_string(),
                        allowed: ENTITIES.iter().map(|(n, _, _)| n.to_string()).collect(),
                    },
                ));
            }
            f.entity = Some(e.to_string());
        }
        if let Some(id) = given(&self.entity_id) {
            f.entity_id = Some(id.parse().map_err(|_| {
                Invalid::field(
                    "entity_id",
                    Rule::BadFormat {
                        found: id.to_string(),
                        format: Format::RecordId,
                    },
                )
            })?);
        }
        let day = |name: &str, raw: &str| {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
                Invalid::field(
                    name,
                    Rule::BadFormat {
                        found: raw.to_string(),
                        format: Format::Date,
                    },
                )
            })
        };
        if let Some(from) = given(&self.from) {
            f.from = Some(day_start(day("from", from)?));
        }
        if let Some(to) = given(&self.to) {
            f.until = day("to", to)?.succ_opt().map(day_start);
        }
        if let (Some(from), Some(until)) = (f.from, f.until)
            && from >= until
        {
            return Err(Invalid::field(
                "to",
                Rule::Before {
                    other: "from".into(),
                    found: given(&self.to).unwrap_or("").to_string(),
                    limit: given(&self.from).unwrap_or("").to_string(),
                },
            ));
        }
        Ok(f)
    }
}

/// A sort of record in words; a listing by its kind when known.
pub fn entity_label(l: Lang, entity: &str, kind: Option<Kind>) -> String {
    if let Some(k) = kind {
        return l.kind(&k).to_string();
    }
    ENTITIES
        .iter()
        .find(|(name, _, _)| *name == entity)
        .map_or(entity, |(_, zh, en)| l.t(zh, en))
        .to_string()
}

/// A field in words: the label of the listing form that shows it, else [`FIELD_LABELS`], else
/// its JSON path.
pub fn field_label(l: Lang, kind: Option<Kind>, field: &str) -> String {
    if let Some(k) = kind
        && let Some(s) = field_specs::specs(k).into_iter().find(|s| s.name == field)
    {
        return l.t(s.zh, s.en).to_string();
    }
    if let Some((_, zh, en)) = FIELD_LABELS.iter().find(|(name, _, _)| *name == field) {
        return l.t(zh, en).to_string();
    }
    field.to_string()
}

/// A value in words: codes of a listing (kind, status, stage, ways of cooperating) and an
/// account's role by their labels, other text as it is, nothing as "（空）", a redacted secret
/// as such, other lists and objects as compact JSON.
pub fn value_text(l: Lang, entity: &str, field: &str, v: &Value) -> String {
    match v {
        Value::Null => l.t("（空）", "(empty)").to_string(),
        Value::String(s) if s == qiao_store::diff::REDACTED => {
            l.t("（已隐去）", "(hidden)").to_string()
        }
        Value::String(s) => code_label(l, entity, field, s).unwrap_or_else(|| s.clone()),
        Value::Bool(b) => l
            .t(if *b { "是" } else { "否" }, if *b { "yes" } else { "no" })
            .into(),
        Value::Array(items) if entity == "listing" && items.iter().all(Value::is_string) => {
            let labels: Vec<String> = items
                .iter()
                .filter_map(Value::as_str)
                .map(|s| code_label(l, entity, field, s).unwrap_or_else(|| s.to_string()))
                .collect();
            labels.join(l.t("；", "; "))
        }
        // Numbers as people write them (230亿 is 23000000000, not 23000000000.0).
        other => field_specs::value_text(other),
    }
}

/// The label of a coded value, if `field` holds codes.
fn code_label(l: Lang, entity: &str, field: &str, code: &str) -> Option<String> {
    match (entity, field) {
        ("listing", "kind") => Kind::parse(code).map(|k| l.kind(&k).to_string()),
        ("listing", "status") => Status::parse(code).map(|s| {
            match s {
                Status::Draft => l.t("草稿", "draft"),
                Status::Open => l.t("开放", "open"),
                Status::UnderReview => l.t("评审中", "under review"),
                Status::Awarded => l.t("已揭榜", "awarded"),
                Status::Closed => l.t("已关闭", "closed"),
            }
            .to_string()
        }),
        ("account", "role") => Role::parse(code).map(|r| l.role(&r).to_string()),
        ("listing", _) => field_specs::COOPERATION
            .iter()
            .chain(field_specs::STAGES)
            .find(|(v, _, _)| !v.is_empty() && *v == code)
            .map(|(_, zh, en)| l.t(zh, en).to_string()),
        _ => None,
    }
}

/// What a change did, in words.
pub fn op_label(l: Lang, op: Op) -> &'static str {
    match op {
        Op::Insert => l.t("新建", "created"),
        Op::Update => l.t("修改", "changed"),
        Op::Delete => l.t("删除", "deleted"),
    }
}

/// Who made a change: the account's username, its id when the account is gone, else the
/// system (the command line, an import).
pub fn actor_label(l: Lang, e: &AuditEntry) -> String {
    e.actor.clone().unwrap_or_else(|| match e.actor_id {
        Some(id) => format!("#{id}"),
        None => l
            .t("系统（命令行/导入）", "system (CLI / import)")
            .to_string(),
    })
}

/// An instant as China Standard Time, to the second.
pub fn beijing(t: DateTime<Utc>) -> String {
    (t + Duration::hours(8))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// The kinds of the listings among `entries`: from the change itself when it carries the
/// kind (creates and deletes), else from the listing as stored now, read in one query.
pub async fn listing_kinds(
    store: &dyn Store,
    entries: &[AuditEntry],
) -> AppResult<HashMap<i64, Kind>> {
    let mut kinds = HashMap::new();
    let mut unknown = Vec::new();
    for e in entries.iter().filter(|e| e.entity == "listing") {
        let carried = e
            .changes
            .iter()
            .flatten()
            .find(|c| c.field == "kind")
            .and_then(|c| c.after.as_str().or(c.before.as_str()).and_then(Kind::parse));
        match carried {
            Some(k) => {
                kinds.insert(e.entity_id, k);
            }
            None => unknown.push(e.entity_id),
        }
    }
    unknown.retain(|id| !kinds.contains_key(id));
    if !unknown.is_empty() {
        for l in store.get_listings(&unknown).await? {
            kinds.insert(l.id, l.listing.kind());
        }
    }
    Ok(kinds)
}

fn row_of(l: Lang, e: &AuditEntry, kind: Option<Kind>, c: Option<&FieldChange>) -> Vec<String> {
    vec![
        e.seq.to_string(),
        beijing(e.at),
        actor_label(l, e),
        op_label(l, e.op).to_string(),
        entity_label(l, &e.entity, kind),
        e.entity_id.to_string(),
        c.map_or_else(String::new, |c| field_label(l, kind, &c.field)),
        c.map_or_else(String::new, |c| {
            value_text(l, &e.entity, &c.field, &c.before)
        }),
        c.map_or_else(String::new, |c| {
            value_text(l, &e.entity, &c.field, &c.after)
        }),
    ]
}

/// The changes `filter` admits as a workbook, newest first, one row per changed field (a
/// change without recorded fields gets one row with them empty), values whole. Read 500
/// changes at a time by `seq`; refused (422) past [`MAX_EXPORT_ROWS`] rows or 64 MB of text,
/// before anything is sent, so memory stays bounded whatever the log holds.
pub async fn workbook(store: &dyn Store, filter: &AuditFilter, l: Lang) -> AppResult<Vec<u8>> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut bytes = 0usize;
    let mut filter = filter.clone();
    loop {
        let batch = store.audit_entries(&filter, BATCH).await?;
        let kinds = listing_kinds(store, &batch).await?;
        for e in &batch {
            let kind = kinds
                .get(&e.entity_id)
                .copied()
                .filter(|_| e.entity == "listing");
            let fields: Vec<Option<&FieldChange>> = match e.changes.as_deref() {
                Some(cs) if !cs.is_empty() => cs.iter().map(Some).collect(),
                _ => vec![None],
            };
            for c in fields {
                let row = row_of(l, e, kind, c);
                bytes += row.iter().map(String::len).sum::<usize>();
                rows.push(row);
                if rows.len() > MAX_EXPORT_ROWS || bytes > MAX_EXPORT_BYTES {
                    return Err(AppError::Refused(format!(
                        "the export holds at most {MAX_EXPORT_ROWS} rows (one per changed field) and 64 MB; these filters match more: narrow them by actor, object or dates"
                    )));
                }
            }
        }
        match batch.last() {
            Some(last) if batch.len() == BATCH as usize => filter.before_seq = Some(last.seq),
            _ => break,
        }
    }
    let header = [
        l.t("序号", "Seq"),
        l.t("时间（北京时间）", "Time (CST)"),
        l.t("操作人", "Actor"),
        l.t("操作", "Action"),
        l.t("对象类型", "Object"),
        l.t("对象编号", "Object id"),
        l.t("字段", "Field"),
        l.t("修改前", "Before"),
        l.t("修改后", "After"),
    ];
    qiao_io::write_text_sheet("audit", &header, &rows).map_err(AppError::internal)
}
