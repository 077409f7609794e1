//! A region's yearly targets (年度目标: "高新技术企业达4000家") and how the data measures them.
//!
//! Targets come from the figures extracted from a work plan, or are entered by hand. Where the
//! records Qiao keeps can count what a target counts, a [`Metric`] says how, and the actual is
//! computed, never typed: enterprises of the region holding a certificate in force on the day
//! of measure, or certified for the first time in the target's year; 技术合同成交额 and
//! 技术交易额 of the contracts registered in the target's year whose seller is in the region
//! (输出, as the registry counts a district). Where they cannot, staff enter the reported
//! actual by hand and the page says which of the two it shows.

use chrono::{Datelike, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::invalid::{Checker, Invalid, Rule};
use crate::org::{CertKind, OrgKind, Organisation};
use crate::policy::same_district;

/// A quantified target of a region for a year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The region: a district (闵行区) or the city (上海市) for every district.
    pub region: String,
    /// The year the target is for.
    pub year: i32,
    /// What is counted (有效期内高新技术企业).
    pub indicator: String,
    /// The target value in base units (元, 家, 项, %).
    pub value: f64,
    /// The base unit.
    pub unit: String,
    /// How the target is phrased: 达, 力争, 新增, 不超过, 保持在…左右.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<String>,
    /// How Qiao's data measures it; absent when it cannot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<Metric>,
    /// The actual as reported, entered by hand; shown when there is no metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported: Option<f64>,
    /// A reported count on a day, to which the metric adds what Qiao's records show since:
    /// the commission knows 3,812 高新技术企业 on 2025-12-31; Qiao knows the ones certified or
    /// lapsed after that day. Needs a metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
    /// The imported document the target was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<i64>,
    /// The sentence of that document that states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentence: Option<String>,
}

/// A count reported by someone who knows the whole region (the commission's statistics), and
/// the day it holds on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// The reported count.
    pub value: f64,
    /// The day it was true at the end of (截至).
    pub as_of: NaiveDate,
}

/// How the records measure a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Metric {
    /// Enterprises of the region holding this certificate in force on the day of measure.
    Certified {
        /// Which certificate.
        certificate: CertKind,
    },
    /// Enterprises of the region whose certificate of this kind was issued in the target's
    /// year (新增).
    NewlyCertified {
        /// Which certificate.
        certificate: CertKind,
    },
    /// 技术合同成交额 of the contracts registered in the year whose seller is in the region,
    /// in 元.
    ContractTurnover,
    /// 技术交易额 (成交额 less non-technical items) of the same contracts, in 元.
    TechnicalTurnover,
}

/// Words an indicator uses for each rung of the ladder, most specific first.
const CERT_WORDS: [(&str, CertKind); 6] = [
    ("科技型中小企业", CertKind::TechSme),
    ("高新技术企业", CertKind::HighTech),
    ("高企", CertKind::HighTech),
    ("小巨人", CertKind::LittleGiant),
    ("专精特新", CertKind::Specialized),
    ("领军企业", CertKind::Leading),
];

impl Metric {
    /// The metric an extracted figure's indicator names, if the data can count it: a count
    /// of enterprises (家) of one rung of the ladder; "新增/新认定" counts the year's new ones.
    pub fn infer(indicator: &str, unit: &str, qualifier: Option<&str>) -> Option<Metric> {
        if unit == "元" {
            // 技术交易额 first: "技术合同技术交易额" names both.
            return if indicator.contains("技术交易额") {
                Some(Metric::TechnicalTurnover)
            } else if indicator.contains("合同成交额") || indicator.contains("技术合同交易额")
            {
                Some(Metric::ContractTurnover)
            } else {
                None
            };
        }
        if unit != "家" {
            return None;
        }
        let certificate = CERT_WORDS
            .iter()
            .find(|(w, _)| indicator.contains(w))
            .map(|(_, k)| *k)?;
        let new = ["新增", "新认定", "新培育"]
            .iter()
            .any(|w| indicator.contains(w) || qualifier.is_some_and(|q| q.contains(w)));
        Some(if new {
            Metric::NewlyCertified { certificate }
        } else {
            Metric::Certified { certificate }
        })
    }

    /// Whether `org` counts toward this metric for `year`, measured on `on`: only verified
    /// certificates count (a claim awaiting verification is [`Metric::claims`]).
    fn counts(&self, org: &Organisation, year: i32, on: NaiveDate) -> bool {
        self.matching(org, year, on).any(|c| c.is_verified())
    }

    /// Whether `org` would count once its pending claims were verified, and does not yet.
    fn claims(&self, org: &Organisation, year: i32, on: NaiveDate) -> bool {
        !self.counts(org, year, on)
            && self
                .matching(org, year, on)
                .any(|c| c.verification == crate::Verification::Pending)
    }

    /// The certificates of `org` that measure this metric, verified or not.
    fn matching<'a>(
        &self,
        org: &'a Organisation,
        year: i32,
        on: NaiveDate,
    ) -> impl Iterator<Item = &'a crate::Certificate> {
        let m = *self;
        org.certificates.iter().filter(move |c| match m {
            Metric::Certified { certificate } => c.kind == certificate && c.valid_on(on),
            Metric::NewlyCertified { certificate } => {
                c.kind == certificate && c.issued_on.year() == year && c.issued_on <= on
            }
            Metric::ContractTurnover | Metric::TechnicalTurnover => false,
        })
    }

    /// What the metric counts, in both languages.
    pub fn describe(&self) -> (String, String) {
        match self {
            Metric::Certified { certificate } => (
                format!("有效期内{}数（按证书统计）", certificate.label_zh()),
                format!("{}s with a certificate in force", certificate.label_en()),
            ),
            Metric::NewlyCertified { certificate } => (
                format!("当年新认定{}数（按证书统计）", certificate.label_zh()),
                format!("{}s first certified in the year", certificate.label_en()),
            ),
            Metric::ContractTurnover => (
                "当年登记的技术合同成交额（按卖方所在区，输出）".to_string(),
                "Turnover of the contracts registered in the year (by the seller's district)"
                    .to_string(),
            ),
            Metric::TechnicalTurnover => (
                "当年登记的技术合同技术交易额（按卖方所在区，输出）".to_string(),
                "Technical turnover of the contracts registered in the year (by the seller's district)"
                    .to_string(),
            ),
        }
    }

    /// Whether the metric sums registered contracts (else it counts certified enterprises).
    pub fn counts_contracts(&self) -> bool {
        matches!(self, Metric::ContractTurnover | Metric::TechnicalTurnover)
    }

    /// The unit the metric measures in.
    pub fn unit(&self) -> &'static str {
        if self.counts_contracts() {
            "元"
        } else {
            "家"
        }
    }
}

/// Where a target's actual value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Counted from Qiao's records by the target's metric.
    Computed,
    /// Entered by hand as reported.
    Reported,
    /// A reported baseline plus what the records count since its day.
    Baseline,
}

/// A target against what is known of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Progress {
    /// The actual value, when the data computes it or someone reported it.
    pub actual: Option<f64>,
    /// Where it came from.
    pub source: Option<Source>,
    /// The day it was measured on: the year's last day, or today during the year.
    pub as_of: NaiveDate,
    /// actual / target in percent (for targets to reach or keep).
    pub percent: Option<f64>,
    /// Whether the actual meets the target as phrased.
    pub reached: Option<bool>,
    /// For a computed actual: enterprises that claim a certificate it would count but that
    /// await verification (not in `actual`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<u64>,
    /// For a computed actual: what the records show, and so what the actual covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tally: Option<Tally>,
    /// For a contract metric: how many registered contracts the actual sums.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contracts: Option<u64>,
    /// The actual is withheld from this viewer: it sums fewer than
    /// [`MIN_CONTRACTS_DISCLOSED`] contracts, whose amounts it would give away.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withheld: bool,
}

/// A contract metric's actual is shown to everyone only when it sums at least this many
/// contracts: a district total of one or two contracts would disclose their amounts, which are
/// confidential to the parties (staff and technology managers see it always).
pub const MIN_CONTRACTS_DISCLOSED: u64 = 3;

impl Progress {
    /// Withholds the actual when it sums too few contracts to be shown to the public.
    pub fn withhold_if_few(&mut self) {
        if self
            .contracts
            .is_some_and(|n| n > 0 && n < MIN_CONTRACTS_DISCLOSED)
        {
            self.actual = None;
            self.percent = None;
            self.reached = None;
            self.withheld = true;
        }
    }
}

/// What Qiao's records show of a target's metric. Qiao counts only the enterprises registered
/// on it, so the count says how many those are: "平台已核验 12 家（本区平台登记企业 40 家）".
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Tally {
    /// Enterprises of the region registered on Qiao: the coverage of the count.
    pub registered: u64,
    /// Those the metric counts on the day of measure (verified certificates only).
    pub counted: u64,
    /// Those that would count once staff verify the certificates they claim.
    pub pending: u64,
    /// With a baseline: counted on the day of measure and not on the baseline's day (for a
    /// 新增 target, first certified after that day).
    pub added: u64,
    /// With a baseline of certificates in force: counted on its day and no longer.
    pub lapsed: u64,
}

impl Target {
    /// Normalises the fields and checks every rule.
    pub fn validate(&mut self) -> Result<(), Invalid> {
        let mut c = Checker::default();
        for (name, v, max) in [
            ("region", &mut self.region, 40),
            ("indicator", &mut self.indicator, 200),
            ("unit", &mut self.unit, 10),
        ] {
            *v = v.trim().to_string();
            c.text(name, v, max);
        }
        c.ensure((2000..=2100).contains(&self.year), "year", || {
            Rule::OutOfRange {
                min: 2000,
                max: 2100,
                found: f64::from(self.year),
            }
        });
        // A count or an amount: finite, and never below zero.
        for (name, v) in [("value", Some(self.value)), ("reported", self.reported)] {
            match v {
                Some(v) if !v.is_finite() => c.fail(name, Rule::NotFinite),
                Some(v) if v < 0.0 => c.fail(name, Rule::Negative { found: v }),
                _ => {}
            }
        }
        if let Some(q) = &mut self.qualifier {
            *q = q.trim().to_string();
            if q.is_empty() {
                self.qualifier = None;
            } else {
                c.max_len("qualifier", q, 20);
            }
        }
        if let Some(s) = &self.sentence {
            c.max_len("sentence", s, 2000);
        }
        if let Some(b) = &self.baseline {
            if !b.value.is_finite() {
                c.fail("baseline.value", Rule::NotFinite);
            } else if b.value < 0.0 {
                c.fail("baseline.value", Rule::Negative { found: b.value });
            }
            // A baseline adds what the records count since its day: without a metric there is
            // nothing to add, and the actual is reported instead. Contract metrics sum the
            // year's registered contracts whole and take no baseline.
            c.ensure(
                self.metric.is_some_and(|m| !m.counts_contracts()),
                "baseline",
                || Rule::Requires {
                    other: "metric".into(),
                },
            );
            let new = matches!(self.metric, Some(Metric::NewlyCertified { .. }));
            let in_year = b.as_of.year() == self.year;
            let before_end = b.as_of.year() <= self.year;
            // A 新增 target counts its year, so its baseline is a day of that year.
            c.ensure(
                if new { in_year } else { before_end },
                "baseline.as_of",
                || {
                    let (found, year) = (b.as_of.to_string(), self.year);
                    if new {
                        Rule::NotInYear { found, year }
                    } else {
                        Rule::AfterYear { found, year }
                    }
                },
            );
        }
        if let Some(m) = self.metric {
            c.ensure(self.unit == m.unit(), "metric", || Rule::UnitMismatch {
                expected: m.unit().into(),
                found: self.unit.clone(),
            });
        }
        c.finish()
    }

    /// Whether an organisation of `district` is in the target's region: a region naming a
    /// district takes that district; 上海市 (or 全市) takes every one.
    pub fn covers(&self, district: Option<&str>) -> bool {
        let region = self.region.trim();
        if matches!(region, "上海市" | "上海" | "全市" | "本市") {
            return true;
        }
        district.is_some_and(|d| same_district(region, d))
    }

    /// The day the target is measured on, given today: the year's last day, or today while
    /// the year runs (and the year's first day for a year still to come).
    pub fn as_of(&self, today: NaiveDate) -> NaiveDate {
        let end = NaiveDate::from_ymd_opt(self.year, 12, 31).unwrap_or(today);
        let start = NaiveDate::from_ymd_opt(self.year, 1, 1).unwrap_or(today);
        today.clamp(start, end)
    }

    /// Counts the enterprises among `orgs` that the metric counts (`None` without a metric).
    /// `orgs` may hold any organisations; those outside the region are skipped.
    pub fn count<'a>(
        &self,
        orgs: impl IntoIterator<Item = &'a Organisation>,
        today: NaiveDate,
    ) -> Option<u64> {
        self.tally(orgs, today).map(|t| t.counted)
    }

    /// What Qiao's records show of the target's metric on the day of measure (`None` without
    /// a metric): one pass over `orgs`, which may hold any organisations (those outside the
    /// region, and institutions, are skipped).
    pub fn tally<'a>(
        &self,
        orgs: impl IntoIterator<Item = &'a Organisation>,
        today: NaiveDate,
    ) -> Option<Tally> {
        let metric = self.metric.filter(|m| !m.counts_contracts())?;
        let on = self.as_of(today);
        // A baseline stated on or after the day of measure leaves nothing to add yet.
        let since = self.baseline.as_ref().map(|b| b.as_of).filter(|d| *d < on);
        let mut t = Tally::default();
        for o in orgs {
            if o.kind != OrgKind::Enterprise || !self.covers(o.district.as_deref()) {
                continue;
            }
            t.registered += 1;
            let now = metric.counts(o, self.year, on);
            t.counted += u64::from(now);
            t.pending += u64::from(metric.claims(o, self.year, on));
            let Some(since) = since else { continue };
            match metric {
                Metric::Certified { .. } => {
                    let then = metric.counts(o, self.year, since);
                    t.added += u64::from(now && !then);
                    t.lapsed += u64::from(then && !now);
                }
                Metric::ContractTurnover | Metric::TechnicalTurnover => {}
                Metric::NewlyCertified { .. } => {
                    let new_since = metric
                        .matching(o, self.year, on)
                        .any(|c| c.is_verified() && c.issued_on > since);
                    t.added += u64::from(new_since);
                }
            }
        }
        Some(t)
    }

    /// The target against its actual: with a metric, `tally` (from [`Target::tally`]) counts
    /// it, added to the baseline when there is one; else the reported value.
    pub fn progress(&self, tally: Option<&Tally>, today: NaiveDate) -> Progress {
        let (actual, source) = match (tally, &self.baseline, self.reported) {
            (Some(t), Some(b), _) => (
                Some((b.value + t.added as f64 - t.lapsed as f64).max(0.0)),
                Some(Source::Baseline),
            ),
            (Some(t), None, _) => (Some(t.counted as f64), Some(Source::Computed)),
            (None, _, Some(r)) => (Some(r), Some(Source::Reported)),
            (None, _, None) => (None, None),
        };
        let percent = actual
            .filter(|_| self.value > 0.0)
            .map(|a| (a / self.value * 1000.0).round() / 10.0);
        Progress {
            actual,
            source,
            as_of: self.as_of(today),
            percent,
            reached: actual.map(|a| self.reached(a)),
            pending: tally.map(|t| t.pending),
            tally: tally.cloned(),
            contracts: None,
            withheld: false,
        }
    }

    /// The target of a contract metric against the registered contracts' sum: `amount_fen` of
    /// `contracts` contracts (the caller sums the metric's amount for the region and year).
    pub fn progress_from_contracts(
        &self,
        amount_fen: i64,
        contracts: u64,
        today: NaiveDate,
    ) -> Progress {
        // 元 with 分 as decimals: exact for any sum below 2^53 分 (90 万亿元).
        let actual = amount_fen as f64 / 100.0;
        let percent = (self.value > 0.0).then(|| (actual / self.value * 1000.0).round() / 10.0);
        Progress {
            actual: Some(actual),
            source: Some(Source::Computed),
            as_of: self.as_of(today),
            percent,
            reached: Some(self.reached(actual)),
            pending: None,
            tally: None,
            contracts: Some(contracts),
            withheld: false,
        }
    }

    /// The region as a contract statistic names it: `None` for the whole city (every
    /// district), else the district.
    pub fn contract_district(&self) -> Option<&str> {
        let region = self.region.trim();
        (!matches!(region, "上海市" | "上海" | "全市" | "本市")).then_some(region)
    }

    /// The target as people say it: the qualifier around the value (保持在…左右 with 10% reads
    /// 保持在10%左右), or before it (达4000家); `value` is the value already written out.
    pub fn phrase(&self, value: &str) -> String {
        match self.qualifier.as_deref() {
            Some(q) if q.contains('…') => q.replacen('…', value, 1),
            Some(q) => format!("{q}{value}"),
            None => value.to_string(),
        }
    }

    /// Whether `actual` meets the target as phrased: a ceiling (不超过, 以内, 以下) is met at
    /// or below it; "左右" within 5%; anything else at or above it.
    pub fn reached(&self, actual: f64) -> bool {
        let q = self.qualifier.as_deref().unwrap_or("");
        let said = |w: &str| q.contains(w) || self.indicator.contains(w);
        if said("不超过") || said("以内") || said("以下") || said("控制在") {
            actual <= self.value + 1e-9
        } else if said("左右") {
            (actual - self.value).abs() <= self.value.abs() * 0.05 + 1e-9
        } else {
            actual + 1e-9 >= self.value
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// An enterprise of `district` whose certificates staff verified.
    fn org(district: &str, certs: serde_json::Value) -> Organisation {
        let mut o = claimed(district, certs);
        for c in &mut o.certificates {
            c.verification =
                crate::Verification::verified(1, "staff", chrono::Utc::now(), None, None).unwrap();
        }
        o
    }

    /// An enterprise of `district` that claims `certs`, none verified yet.
    fn claimed(district: &str, certs: serde_json::Value) -> Organisation {
        serde_json::from_value(serde_json::json!({
            "kind": "enterprise", "name": "x", "credit_code": "91350100M000100Y43",
            "district": district, "certificates": certs
        }))
        .unwrap()
    }

    #[test]
    fn claims_count_only_once_verified() {
        let ht = serde_json::json!([{"kind": "high_tech", "issued_on": "2021-12-01", "expires_on": "2024-11-30"}]);
        let mut orgs = vec![
            org("闵行区", ht.clone()),
            claimed("闵行区", ht.clone()),
            claimed("闵行区", ht),
        ];
        orgs[2].certificates[0].verification =
            crate::Verification::rejected(1, "staff", chrono::Utc::now(), "无此证书").unwrap();
        let t = target("有效期内高新技术企业", 4000.0, "达");
        assert_eq!(t.count(&orgs, d("2023-06-30")), Some(1));
        assert_eq!(t.tally(&orgs, d("2023-06-30")).unwrap().pending, 1);
        let new = target("新增高新技术企业", 10.0, "新增");
        let mut y2021 = new.clone();
        y2021.year = 2021;
        assert_eq!(y2021.count(&orgs, d("2022-01-10")), Some(1));
        assert_eq!(y2021.tally(&orgs, d("2022-01-10")).unwrap().pending, 1);
    }

    fn target(indicator: &str, value: f64, qualifier: &str) -> Target {
        let mut t = Target {
            region: "闵行区".into(),
            year: 2023,
            indicator: indicator.into(),
            value,
            unit: "家".into(),
            qualifier: Some(qualifier.into()),
            metric: Metric::infer(indicator, "家", Some(qualifier)),
            reported: None,
            baseline: None,
            document_id: None,
            sentence: None,
        };
        t.validate().unwrap();
        t
    }

    #[test]
    fn a_baseline_adds_what_the_records_show_since_its_day() {
        let cert = |issued: &str, expires: &str| serde_json::json!([{"kind": "high_tech", "issued_on": issued, "expires_on": expires}]);
        let orgs = [
            // In force on both days: already in the baseline.
            org("闵行区", cert("2022-12-01", "2025-11-30")),
            // Certified after the baseline's day: added.
            org("闵行区", cert("2023-03-01", "2026-02-28")),
            org("闵行区", cert("2023-04-01", "2026-03-31")),
            // In the baseline, lapsed since: taken off.
            org("闵行区", cert("2020-07-01", "2023-06-30")),
            // Certified since but claimed only: pending, not added.
            claimed("闵行区", cert("2023-05-01", "2026-04-30")),
            // Another district.
            org("徐汇区", cert("2023-03-01", "2026-02-28")),
        ];
        let mut t = target("有效期内高新技术企业", 4000.0, "达");
        t.baseline = Some(Baseline {
            value: 3812.0,
            as_of: d("2022-12-31"),
        });
        t.validate().unwrap();
        let tally = t.tally(&orgs, d("2023-09-01")).unwrap();
        assert_eq!(
            tally,
            Tally {
                registered: 5,
                counted: 3,
                pending: 1,
                added: 2,
                lapsed: 1
            }
        );
        let p = t.progress(Some(&tally), d("2023-09-01"));
        assert_eq!((p.actual, p.source), (Some(3813.0), Some(Source::Baseline)));
        assert_eq!(p.percent, Some(95.3));

        // 新增: the year's new certificates reported up to the baseline's day, plus those
        // issued after it.
        let mut new = target("新增高新技术企业", 300.0, "新增");
        new.baseline = Some(Baseline {
            value: 120.0,
            as_of: d("2023-03-15"),
        });
        new.validate().unwrap();
        let tally = new.tally(&orgs, d("2023-09-01")).unwrap();
        assert_eq!((tally.counted, tally.added, tally.lapsed), (2, 1, 0));
        assert_eq!(
            new.progress(Some(&tally), d("2023-09-01")).actual,
            Some(121.0)
        );

        // A baseline needs a metric, and a 新增 one a day of the target's year.
        new.baseline.as_mut().unwrap().as_of = d("2022-12-31");
        let Invalid(errors) = new.validate().unwrap_err();
        assert_eq!(errors[0].field, "baseline.as_of");
        let mut reported = target("技术合同成交额", 1.0, "达");
        reported.metric = None;
        reported.unit = "元".into();
        reported.baseline = Some(Baseline {
            value: 1.0,
            as_of: d("2023-01-01"),
        });
        let Invalid(errors) = reported.validate().unwrap_err();
        assert_eq!(errors[0].field, "baseline");
    }

    #[test]
    fn targets_read_as_people_say_them() {
        let mut t = target("研发投入强度", 10.0, "保持在…左右");
        assert_eq!(t.phrase("10%"), "保持在10%左右");
        t.qualifier = Some("达".into());
        assert_eq!(t.phrase("4000家"), "达4000家");
        t.qualifier = None;
        assert_eq!(t.phrase("4000家"), "4000家");
    }

    #[test]
    fn metrics_are_read_from_indicators() {
        assert_eq!(
            Metric::infer("有效期内高新技术企业", "家", Some("达")),
            Some(Metric::Certified {
                certificate: CertKind::HighTech
            })
        );
        assert_eq!(
            Metric::infer("科技小巨人企业", "家", Some("新增")),
            Some(Metric::NewlyCertified {
                certificate: CertKind::LittleGiant
            })
        );
        assert_eq!(
            Metric::infer("科技型中小企业", "家", None),
            Some(Metric::Certified {
                certificate: CertKind::TechSme
            })
        );
        // Since contracts are recorded and registered on Qiao, 成交额 is counted too.
        assert_eq!(
            Metric::infer("技术合同成交额", "元", Some("达")),
            Some(Metric::ContractTurnover)
        );
        assert_eq!(Metric::infer("院士专家工作站", "家", Some("新建")), None);
    }

    #[test]
    fn counts_enterprises_of_the_region_on_the_day() {
        let ht = serde_json::json!([{"kind": "high_tech", "issued_on": "2021-12-01", "expires_on": "2024-11-30"}]);
        let lapsed = serde_json::json!([{"kind": "high_tech", "issued_on": "2020-01-01", "expires_on": "2023-06-30"}]);
        let new_giant = serde_json::json!([{"kind": "little_giant", "issued_on": "2023-05-01", "expires_on": "2026-04-30"}]);
        let orgs = [
            org("闵行区", ht.clone()),
            org("上海市闵行区", ht.clone()),
            org("徐汇区", ht),
            org("闵行区", lapsed),
            org("闵行区", new_giant),
        ];
        let t = target("有效期内高新技术企业", 4000.0, "达");
        // During 2023 the lapsed certificate still counts in June, not after.
        assert_eq!(t.count(&orgs, d("2023-06-30")), Some(3));
        assert_eq!(t.count(&orgs, d("2026-01-01")), Some(2));
        let p = t.progress(t.tally(&orgs, d("2026-01-01")).as_ref(), d("2026-01-01"));
        assert_eq!(p.as_of, d("2023-12-31"));
        assert_eq!((p.source, p.reached), (Some(Source::Computed), Some(false)));
        assert_eq!(p.percent, Some(0.1));
        let giants = target("科技小巨人企业", 1.0, "新增");
        assert_eq!(giants.count(&orgs, d("2024-02-01")), Some(1));
        assert_eq!(
            giants
                .progress(
                    giants.tally(&orgs, d("2024-02-01")).as_ref(),
                    d("2024-02-01")
                )
                .reached,
            Some(true)
        );
        let mut city = giants.clone();
        city.region = "上海市".into();
        city.year = 2024;
        assert_eq!(city.count(&orgs, d("2024-02-01")), Some(0));
    }

    #[test]
    fn reported_actuals_and_phrasing() {
        let mut t = target("技术合同成交额", 23_000_000_000.0, "达");
        t.unit = "元".into();
        t.metric = None;
        t.validate().unwrap();
        assert_eq!(t.progress(None, d("2023-06-01")).actual, None);
        t.reported = Some(24_000_000_000.0);
        let p = t.progress(t.tally([], d("2023-06-01")).as_ref(), d("2023-06-01"));
        assert_eq!(
            (p.source, p.reached, p.as_of),
            (Some(Source::Reported), Some(true), d("2023-06-01"))
        );
        t.qualifier = Some("保持在…左右".into());
        assert!(t.reached(22_000_000_000.0));
        assert!(!t.reached(20_000_000_000.0));
        t.qualifier = Some("不超过".into());
        assert!(!t.reached(24_000_000_000.0));
    }

    #[test]
    fn validation_names_every_bad_field() {
        let mut t = target("有效期内高新技术企业", 4000.0, "达");
        t.region = " ".into();
        t.year = 1999;
        t.value = f64::NAN;
        t.unit = "元".into();
        let Invalid(errors) = t.validate().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["region", "year", "value", "metric"]);
    }

    #[test]
    fn contract_turnover_targets_are_counted_from_registered_contracts() {
        assert_eq!(
            Metric::infer("技术合同成交额", "元", Some("达")),
            Some(Metric::ContractTurnover)
        );
        assert_eq!(
            Metric::infer("技术合同技术交易额", "元", None),
            Some(Metric::TechnicalTurnover)
        );
        assert_eq!(Metric::infer("研发投入", "元", None), None);
        assert_eq!(Metric::infer("技术合同成交额", "家", None), None);

        let mut t = target("技术合同成交额", 23_000_000_000.0, "达");
        t.unit = "元".into();
        t.metric = Some(Metric::ContractTurnover);
        t.validate().unwrap();
        let p = t.progress_from_contracts(1_150_000_000_000, 320, d("2026-06-30"));
        assert_eq!(p.actual, Some(11_500_000_000.0));
        assert_eq!(p.percent, Some(50.0));
        assert_eq!(p.reached, Some(false));
        assert_eq!(p.contracts, Some(320));
        assert_eq!(p.source, Some(Source::Computed));
        assert_eq!(t.contract_district(), Some("闵行区"));
        // Two contracts are too few to show the public; three are not.
        let mut few = t.progress_from_contracts(5_000_000, 2, d("2026-06-30"));
        few.withhold_if_few();
        assert!(few.withheld && few.actual.is_none() && few.percent.is_none());
        let mut enough = t.progress_from_contracts(5_000_000, 3, d("2026-06-30"));
        enough.withhold_if_few();
        assert!(!enough.withheld && enough.actual.is_some());
        t.region = "上海市".into();
        assert_eq!(t.contract_district(), None);

        // A contract metric counts 元 and takes no baseline.
        t.baseline = Some(Baseline {
            value: 1.0,
            as_of: d("2023-01-31"),
        });
        t.unit = "家".into();
        let Invalid(errors) = t.validate().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["baseline", "metric"]);
    }
}
