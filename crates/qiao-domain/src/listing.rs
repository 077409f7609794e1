//! Marketplace listings: what is offered (achievements, instruments, experts, service
//! institutions) and what is sought (demands, challenges, scenarios).
//!
//! Each kind is its own struct with typed fields; [`Listing`] is the tagged union the store, the
//! importer and the API pass around. The fields every kind shares (title, status, district,
//! expiry, private contact) are reached through [`Listing`]'s accessors, so the store and the
//! search index never need to know a kind's full shape.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::codes::parse_ipc;
use crate::invalid::{Checker, Format, Invalid, Rule};

/// The kinds of listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 科技成果 (including patents)
    Achievement,
    /// 技术需求
    Demand,
    /// 揭榜挂帅
    Challenge,
    /// 应用场景
    Scenario,
    /// 共享大型仪器
    Instrument,
    /// 专家
    Expert,
    /// 服务机构
    Institution,
}

impl Kind {
    /// Every kind, in display order.
    pub const ALL: [Kind; 7] = [
        Kind::Achievement,
        Kind::Demand,
        Kind::Challenge,
        Kind::Scenario,
        Kind::Instrument,
        Kind::Expert,
        Kind::Institution,
    ];

    /// The name used in JSON and the database (`achievement`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Achievement => "achievement",
            Kind::Demand => "demand",
            Kind::Challenge => "challenge",
            Kind::Scenario => "scenario",
            Kind::Instrument => "instrument",
            Kind::Expert => "expert",
            Kind::Institution => "institution",
        }
    }

    /// The collection name used in URLs (`achievements`).
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Achievement => "achievements",
            Kind::Demand => "demands",
            Kind::Challenge => "challenges",
            Kind::Scenario => "scenarios",
            Kind::Instrument => "instruments",
            Kind::Expert => "experts",
            Kind::Institution => "institutions",
        }
    }

    /// The Chinese name shown to users and accepted in imports.
    pub fn label_zh(self) -> &'static str {
        match self {
            Kind::Achievement => "科技成果",
            Kind::Demand => "技术需求",
            Kind::Challenge => "揭榜挂帅",
            Kind::Scenario => "应用场景",
            Kind::Instrument => "共享仪器",
            Kind::Expert => "专家",
            Kind::Institution => "服务机构",
        }
    }

    /// Parses a kind from its JSON name, its plural or its Chinese name.
    pub fn parse(s: &str) -> Option<Kind> {
        let s = s.trim();
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.plural() == s || k.label_zh() == s)
    }
}

/// Where a listing stands. Challenges use all five; other kinds use draft, open and closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 草稿: visible to its owner only.
    Draft,
    /// 开放 / 征集中
    #[default]
    Open,
    /// 评审中 (challenges)
    UnderReview,
    /// 已揭榜 (challenges)
    Awarded,
    /// 已关闭
    Closed,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 5] = [
        Status::Draft,
        Status::Open,
        Status::UnderReview,
        Status::Awarded,
        Status::Closed,
    ];

    /// The name used in JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Open => "open",
            Status::UnderReview => "under_review",
            Status::Awarded => "awarded",
            Status::Closed => "closed",
        }
    }

    /// Parses [`Status::as_str`]'s output or the Chinese name.
    pub fn parse(s: &str) -> Option<Status> {
        let s = s.trim();
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s || st.label_zh() == s)
    }

    /// The Chinese name shown to users.
    pub fn label_zh(self) -> &'static str {
        match self {
            Status::Draft => "草稿",
            Status::Open => "开放",
            Status::UnderReview => "评审中",
            Status::Awarded => "已揭榜",
            Status::Closed => "已关闭",
        }
    }
}

/// Maturity stage of an achievement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 实验室
    Lab,
    /// 小试
    SmallPilot,
    /// 中试
    Pilot,
    /// 产业化
    Industrial,
}

/// How technology changes hands or how parties work together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Cooperation {
    /// 转让
    Transfer,
    /// 许可
    License,
    /// 作价入股
    Equity,
    /// 合作开发
    JointDevelopment,
    /// 委托开发
    CommissionedDevelopment,
    /// 技术咨询
    Consulting,
    /// 技术服务
    Service,
}

/// How to reach the person behind a listing. Private: shown only to the owner, admins and,
/// later, to those whose contact request the owner accepted.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Contact person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Telephone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// E-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl Contact {
    fn check(&self, c: &mut Checker) {
        for (name, v, max) in [
            ("contact.name", &self.name, 50),
            ("contact.phone", &self.phone, 40),
            ("contact.email", &self.email, 120),
        ] {
            if let Some(v) = v {
                c.max_len(name, v, max);
            }
        }
        if let Some(e) = &self.email {
            c.ensure(
                e.contains('@') && !e.contains(char::is_whitespace),
                "contact.email",
                || Rule::BadFormat {
                    found: e.clone(),
                    format: Format::Email,
                },
            );
        }
    }
}

/// A technical indicator: what must be reached, e.g. 能量密度 ≥ 300 Wh/kg.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// What is measured (能量密度).
    pub name: String,
    /// The value to reach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// Its unit (Wh/kg).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Anything else (测试条件, 比较方式).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// 科技成果: a research result or patent offered for transfer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Achievement {
    /// Title.
    pub title: String,
    /// Public summary (abstract).
    pub summary: String,
    /// Keywords.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Field or discipline (学科领域).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discipline: Option<String>,
    /// IPC classes (`H01M 10/613`).
    #[serde(default)]
    pub ipc_codes: Vec<String>,
    /// Patent numbers (`CN202310001234.5`).
    #[serde(default)]
    pub patent_numbers: Vec<String>,
    /// Technology readiness level, 1-9.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trl: Option<u8>,
    /// Maturity stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// Accepted ways of transfer.
    #[serde(default)]
    pub transfer_modes: Vec<Cooperation>,
    /// Lowest asking price, yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_min_yuan: Option<i64>,
    /// Highest asking price, yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_max_yuan: Option<i64>,
    /// District.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// Status.
    #[serde(default)]
    pub status: Status,
    /// Last day the listing is shown as open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<NaiveDate>,
    /// Private contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
}

/// 技术需求: an enterprise's technical problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Demand {
    /// Title.
    pub title: String,
    /// Public description of the problem.
    pub description: String,
    /// Keywords.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Field or discipline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discipline: Option<String>,
    /// Technical indicators to reach.
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    /// Lowest budget, yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_min_yuan: Option<i64>,
    /// Highest budget, yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_max_yuan: Option<i64>,
    /// When a solution is needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<NaiveDate>,
    /// Acceptable ways of working together.
    #[serde(default)]
    pub cooperation_modes: Vec<Cooperation>,
    /// District.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// Status.
    #[serde(default)]
    pub status: Status,
    /// Last day the listing is shown as open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<NaiveDate>,
    /// Confidential details (private).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidential: Option<String>,
    /// Private contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
}

/// 揭榜挂帅: an open challenge with indicators, deliverables, a reward and an application window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    /// Title.
    pub title: String,
    /// Public description of the problem.
    pub description: String,
    /// Keywords.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Field or discipline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discipline: Option<String>,
    /// Indicators; each needs a target value and a unit.
    pub indicators: Vec<Indicator>,
    /// What the winner delivers.
    #[serde(default)]
    pub deliverables: Vec<String>,
    /// Reward, yuan.
    pub reward_yuan: i64,
    /// Applications open on this day.
    pub apply_from: NaiveDate,
    /// Applications close after this day.
    pub apply_until: NaiveDate,
    /// When the deliverables are due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<NaiveDate>,
    /// District.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// Status: open, under_review, awarded or closed (draft while prepared).
    #[serde(default)]
    pub status: Status,
    /// Last day the listing is shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<NaiveDate>,
    /// Confidential details (private).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidential: Option<String>,
    /// Private contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
}

/// 应用场景: a place where new technology can be tried ("为技术找场景，为场景找市场").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Title.
    pub title: String,
    /// What the scenario is and what it offers.
    pub description: String,
    /// Technologies wanted.
    #[serde(default)]
    pub needs: Vec<String>,
    /// Keywords.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Field or industry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discipline: Option<String>,
    /// Budget, yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_yuan: Option<i64>,
    /// Last day to apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<NaiveDate>,
    /// District.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// Status.
    #[serde(default)]
    pub status: Status,
    /// Last day the listing is shown as open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<NaiveDate>,
    /// Private contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
}

/// 共享大型仪器: an instrument others may book.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    /// Name of the instrument.
    pub title: String,
    /// What it does.
    pub description: String,
    /// Model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Manufacturer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    /// Category (分析仪器, 计量仪器 …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discipline: Option<String>,
    /// Keywords.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Where it stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// District.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// How to book and what it costs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_terms: Option<String>,
    /// Status.
    #[serde(default)]
    pub status: Status,
    /// Last day the listing is shown as open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<NaiveDate>,
    /// Private contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
}

/// 专家: a person who can advise or review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expert {
    /// The expert's name.
    pub title: String,
    /// Biography and expertise.
    pub description: String,
    /// Professional title (教授, 研究员, 高级工程师).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    /// Where the expert works.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<String>,
    /// Main field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discipline: Option<String>,
    /// Areas of expertise.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// District.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// Status.
    #[serde(default)]
    pub status: Status,
    /// Last day the listing is shown as open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<NaiveDate>,
    /// Private contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
}

/// 服务机构: technology-transfer agencies, testing labs, incubators, IP services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Institution {
    /// Name.
    pub title: String,
    /// What the institution does.
    pub description: String,
    /// Services offered.
    #[serde(default)]
    pub services: Vec<String>,
    /// Qualifications held (CMA, CNAS …).
    #[serde(default)]
    pub qualifications: Vec<String>,
    /// Main field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discipline: Option<String>,
    /// Keywords.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// District.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// Status.
    #[serde(default)]
    pub status: Status,
    /// Last day the listing is shown as open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<NaiveDate>,
    /// Private contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
}

/// Any listing, tagged by `kind` in JSON: `{"kind": "demand", "title": …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Listing {
    /// 科技成果
    Achievement(Achievement),
    /// 技术需求
    Demand(Demand),
    /// 揭榜挂帅
    Challenge(Challenge),
    /// 应用场景
    Scenario(Scenario),
    /// 共享仪器
    Instrument(Instrument),
    /// 专家
    Expert(Expert),
    /// 服务机构
    Institution(Institution),
}

/// Runs `$body` with `$x` bound to the inner struct of whichever variant `$listing` is.
macro_rules! each {
    ($listing:expr, $x:ident => $body:expr) => {
        match $listing {
            Listing::Achievement($x) => $body,
            Listing::Demand($x) => $body,
            Listing::Challenge($x) => $body,
            Listing::Scenario($x) => $body,
            Listing::Instrument($x) => $body,
            Listing::Expert($x) => $body,
            Listing::Institution($x) => $body,
        }
    };
}

impl Listing {
    /// Parses the fields of one kind (without the `kind` tag), as the API receives them.
    pub fn from_fields(
        kind: Kind,
        fields: serde_json::Value,
    ) -> Result<Listing, serde_json::Error> {
        Ok(match kind {
            Kind::Achievement => Listing::Achievement(serde_json::from_value(fields)?),
            Kind::Demand => Listing::Demand(serde_json::from_value(fields)?),
            Kind::Challenge => Listing::Challenge(serde_json::from_value(fields)?),
            Kind::Scenario => Listing::Scenario(serde_json::from_value(fields)?),
            Kind::Instrument => Listing::Instrument(serde_json::from_value(fields)?),
            Kind::Expert => Listing::Expert(serde_json::from_value(fields)?),
            Kind::Institution => Listing::Institution(serde_json::from_value(fields)?),
        })
    }

    /// The kind of listing.
    pub fn kind(&self) -> Kind {
        match self {
            Listing::Achievement(_) => Kind::Achievement,
            Listing::Demand(_) => Kind::Demand,
            Listing::Challenge(_) => Kind::Challenge,
            Listing::Scenario(_) => Kind::Scenario,
            Listing::Instrument(_) => Kind::Instrument,
            Listing::Expert(_) => Kind::Expert,
            Listing::Institution(_) => Kind::Institution,
        }
    }

    /// Title (or name, for experts, instruments and institutions).
    pub fn title(&self) -> &str {
        each!(self, x => &x.title)
    }

    /// Status.
    pub fn status(&self) -> Status {
        each!(self, x => x.status)
    }

    /// District, if given.
    pub fn district(&self) -> Option<&str> {
        each!(self, x => x.district.as_deref())
    }

    /// Field or discipline, if given.
    pub fn discipline(&self) -> Option<&str> {
        each!(self, x => x.discipline.as_deref())
    }

    /// Last day shown as open, if set.
    pub fn expires_on(&self) -> Option<NaiveDate> {
        each!(self, x => x.expires_on)
    }

    /// Whether the listing is open and not expired on `today`.
    pub fn is_active(&self, today: NaiveDate) -> bool {
        self.status() == Status::Open && self.expires_on().is_none_or(|d| d >= today)
    }

    /// The contact person, phone and e-mail, if given (private: see `strip_private`).
    pub fn contact(&self) -> Option<&Contact> {
        each!(self, x => x.contact.as_ref())
    }

    /// Removes what only the owner may see: the contact and any confidential details.
    pub fn strip_private(&mut self) {
        each!(self, x => x.contact = None);
        match self {
            Listing::Demand(d) => d.confidential = None,
            Listing::Challenge(c) => c.confidential = None,
            _ => {}
        }
    }

    /// The fields as JSON without the `kind` tag, as the API shows them.
    pub fn to_fields(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).expect("listings serialise");
        if let Some(map) = v.as_object_mut() {
            map.remove("kind");
        }
        v
    }

    /// Normalises the fields (trimmed text, canonical codes, dropped empty keywords) and checks
    /// every rule of the listing's kind.
    pub fn validate(&mut self) -> Result<(), Invalid> {
        let mut c = Checker::default();
        each!(self, x => {
            x.title = x.title.trim().to_string();
            c.text("title", &x.title, 200);
            x.keywords.retain(|k| !k.trim().is_empty());
            for k in &mut x.keywords {
                *k = k.trim().to_string();
            }
            c.list("keywords", &x.keywords, 30, 40);
            if let Some(d) = &x.district { c.text("district", d, 40); }
            if let Some(d) = &x.discipline { c.text("discipline", d, 60); }
            if let Some(contact) = &x.contact { contact.check(&mut c); }
        });
        match self {
            Listing::Achievement(a) => {
                c.text("summary", &a.summary, 20_000);
                for (i, code) in a.ipc_codes.iter_mut().enumerate() {
                    match parse_ipc(code) {
                        Some(ok) => *code = ok,
                        None => c.fail(
                            format!("ipc_codes[{i}]"),
                            Rule::BadFormat {
                                found: code.clone(),
                                format: Format::IpcClass,
                            },
                        ),
                    }
                }
                c.list("patent_numbers", &a.patent_numbers, 50, 40);
                if let Some(t) = a.trl {
                    c.ensure((1..=9).contains(&t), "trl", || Rule::OutOfRange {
                        min: 1,
                        max: 9,
                        found: f64::from(t),
                    });
                }
                c.range(
                    "price_min_yuan",
                    "price_max_yuan",
                    a.price_min_yuan,
                    a.price_max_yuan,
                );
                check_listing_status(&mut c, a.status);
            }
            Listing::Demand(d) => {
                c.text("description", &d.description, 20_000);
                check_indicators(&mut c, &d.indicators, false);
                c.range(
                    "budget_min_yuan",
                    "budget_max_yuan",
                    d.budget_min_yuan,
                    d.budget_max_yuan,
                );
                if let Some(s) = &d.confidential {
                    c.max_len("confidential", s, 20_000);
                }
                check_listing_status(&mut c, d.status);
            }
            Listing::Challenge(ch) => {
                c.text("description", &ch.description, 20_000);
                c.ensure(!ch.indicators.is_empty(), "indicators", || Rule::TooFew {
                    min: 1,
                    found: 0,
                });
                check_indicators(&mut c, &ch.indicators, true);
                c.list("deliverables", &ch.deliverables, 30, 500);
                c.ensure(ch.reward_yuan > 0, "reward_yuan", || Rule::AtLeast {
                    min: 1,
                    found: ch.reward_yuan as f64,
                });
                c.ensure(ch.apply_from <= ch.apply_until, "apply_until", || {
                    Rule::Before {
                        other: "apply_from".into(),
                        found: ch.apply_until.to_string(),
                        limit: ch.apply_from.to_string(),
                    }
                });
                if let Some(d) = ch.deadline {
                    c.ensure(d >= ch.apply_until, "deadline", || Rule::Before {
                        other: "apply_until".into(),
                        found: d.to_string(),
                        limit: ch.apply_until.to_string(),
                    });
                }
                if let Some(s) = &ch.confidential {
                    c.max_len("confidential", s, 20_000);
                }
            }
            Listing::Scenario(s) => {
                c.text("description", &s.description, 20_000);
                c.list("needs", &s.needs, 30, 200);
                c.range("budget_yuan", "budget_yuan", s.budget_yuan, None);
                check_listing_status(&mut c, s.status);
            }
            Listing::Instrument(i) => {
                c.text("description", &i.description, 20_000);
                for (name, v) in [
                    ("model", &i.model),
                    ("manufacturer", &i.manufacturer),
                    ("location", &i.location),
                ] {
                    if let Some(v) = v {
                        c.max_len(name, v, 200);
                    }
                }
                if let Some(b) = &i.booking_terms {
                    c.max_len("booking_terms", b, 5000);
                }
                check_listing_status(&mut c, i.status);
            }
            Listing::Expert(e) => {
                c.text("description", &e.description, 20_000);
                for (name, v) in [("position", &e.position), ("affiliation", &e.affiliation)] {
                    if let Some(v) = v {
                        c.max_len(name, v, 200);
                    }
                }
                check_listing_status(&mut c, e.status);
            }
            Listing::Institution(i) => {
                c.text("description", &i.description, 20_000);
                c.list("services", &i.services, 50, 200);
                c.list("qualifications", &i.qualifications, 50, 200);
                check_listing_status(&mut c, i.status);
            }
        }
        c.finish()
    }
}

fn check_listing_status(c: &mut Checker, status: Status) {
    c.ensure(
        matches!(status, Status::Draft | Status::Open | Status::Closed),
        "status",
        || Rule::NotOneOf {
            found: status.as_str().into(),
            allowed: [Status::Draft, Status::Open, Status::Closed]
                .map(|s| s.as_str().to_string())
                .into(),
        },
    );
}

fn check_indicators(c: &mut Checker, indicators: &[Indicator], strict: bool) {
    c.ensure(indicators.len() <= 50, "indicators", || Rule::TooMany {
        max: 50,
        found: indicators.len(),
    });
    for (i, ind) in indicators.iter().enumerate() {
        c.text(&format!("indicators[{i}].name"), &ind.name, 100);
        if let Some(t) = ind.target {
            c.ensure(t.is_finite(), &format!("indicators[{i}].target"), || {
                Rule::NotFinite
            });
        }
        if strict {
            c.ensure(
                ind.target.is_some(),
                &format!("indicators[{i}].target"),
                || Rule::Required,
            );
            c.ensure(
                ind.unit.as_deref().is_some_and(|u| !u.trim().is_empty()),
                &format!("indicators[{i}].unit"),
                || Rule::Required,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tagged_json_round_trips() {
        let v = json!({"kind": "achievement", "title": "相变材料电池热管理", "summary": "一种电池包热管理方法",
                       "ipc_codes": ["h01m10/613"], "trl": 6, "transfer_modes": ["license"],
                       "contact": {"name": "王老师", "email": "w@example.edu.cn"}});
        let mut l: Listing = serde_json::from_value(v).unwrap();
        l.validate().unwrap();
        let Listing::Achievement(a) = &l else {
            panic!()
        };
        assert_eq!(a.ipc_codes, ["H01M 10/613"]);
        let back: Listing = serde_json::from_value(serde_json::to_value(&l).unwrap()).unwrap();
        assert_eq!(back, l);
        assert_eq!(l.kind(), Kind::Achievement);
    }

    #[test]
    fn challenge_rules() {
        let mut l = Listing::from_fields(Kind::Challenge, json!({
            "title": "固态电池电解质", "description": "揭榜", "reward_yuan": 0,
            "indicators": [{"name": "离子电导率"}], "apply_from": "2026-03-01", "apply_until": "2026-02-01"
        })).unwrap();
        let Invalid(errors) = l.validate().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "indicators[0].target",
                "indicators[0].unit",
                "reward_yuan",
                "apply_until"
            ]
        );
    }

    #[test]
    fn private_fields_are_stripped() {
        let mut l = Listing::from_fields(Kind::Demand, json!({
            "title": "电池散热", "description": "夏天电池包发烫", "confidential": "电芯型号 X", "contact": {"phone": "021-1234"}
        })).unwrap();
        l.strip_private();
        let v = l.to_fields();
        assert!(
            v.get("confidential").is_none() && v.get("contact").is_none(),
            "{v}"
        );
    }

    #[test]
    fn status_is_checked_per_kind() {
        let mut l = Listing::from_fields(
            Kind::Demand,
            json!({"title": "t", "description": "d", "status": "awarded"}),
        )
        .unwrap();
        assert_eq!(l.validate().unwrap_err().0[0].field, "status");
    }

    #[test]
    fn kinds_parse_from_every_name() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
            assert_eq!(Kind::parse(k.plural()), Some(k));
            assert_eq!(Kind::parse(k.label_zh()), Some(k));
        }
    }
}
