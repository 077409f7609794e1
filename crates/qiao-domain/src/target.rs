//! A region's yearly targets (年度目标: "高新技术企业达4000家") and how the data measures them.
//!
//! Targets come from the figures extracted from a work plan, or are entered by hand. Where the
//! records Qiao keeps can count what a target counts, a [`Metric`] says how, and the actual is
//! computed, never typed: enterprises of the region holding a certificate in force on the day
//! of measure, or certified for the first time in the target's year. Where they cannot (the
//! turnover of contracts registered elsewhere, say), staff enter the reported actual by hand and
//! the page says which of the two it shows.

use chrono::{Datelike, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::invalid::{Checker, Invalid};
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
    /// The imported document the target was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<i64>,
    /// The sentence of that document that states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentence: Option<String>,
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
            format!("is {}; give a year between 2000 and 2100", self.year)
        });
        c.ensure(self.value.is_finite() && self.value >= 0.0, "value", || {
            "must be a number of at least 0".into()
        });
        if let Some(r) = self.reported {
            c.ensure(r.is_finite() && r >= 0.0, "reported", || {
                "must be a number of at least 0".into()
            });
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
        if self.metric.is_some() {
            c.ensure(self.unit == "家", "metric", || {
                format!("counts enterprises (家) but the unit is `{}`; leave the metric out or fix the unit", self.unit)
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
        self.count_where(orgs, today, |metric, o, year, on| {
            metric.counts(o, year, on)
        })
    }

    /// Counts the enterprises of the region among `orgs` that claim a certificate the metric
    /// would count but that awaits verification (`None` without a metric): what the actual
    /// would gain once staff verify them.
    pub fn count_pending<'a>(
        &self,
        orgs: impl IntoIterator<Item = &'a Organisation>,
        today: NaiveDate,
    ) -> Option<u64> {
        self.count_where(orgs, today, |metric, o, year, on| {
            metric.claims(o, year, on)
        })
    }

    /// The enterprises of the region among `orgs` for which `test` holds on the day of
    /// measure (`None` without a metric).
    fn count_where<'a>(
        &self,
        orgs: impl IntoIterator<Item = &'a Organisation>,
        today: NaiveDate,
        test: impl Fn(Metric, &Organisation, i32, NaiveDate) -> bool,
    ) -> Option<u64> {
        let metric = self.metric?;
        let on = self.as_of(today);
        Some(
            orgs.into_iter()
                .filter(|o| o.kind == OrgKind::Enterprise && self.covers(o.district.as_deref()))
                .filter(|o| test(metric, o, self.year, on))
                .count() as u64,
        )
    }

    /// The target against its actual: `computed` (from [`Target::count`]) when there is a
    /// metric, else the reported value.
    pub fn progress(&self, computed: Option<u64>, today: NaiveDate) -> Progress {
        let (actual, source) = match (computed, self.reported) {
            (Some(n), _) => (Some(n as f64), Some(Source::Computed)),
            (None, Some(r)) => (Some(r), Some(Source::Reported)),
            (None, None) => (None, None),
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
            pending: None,
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
        assert_eq!(t.count_pending(&orgs, d("2023-06-30")), Some(1));
        let new = target("新增高新技术企业", 10.0, "新增");
        let mut y2021 = new.clone();
        y2021.year = 2021;
        assert_eq!(y2021.count(&orgs, d("2022-01-10")), Some(1));
        assert_eq!(y2021.count_pending(&orgs, d("2022-01-10")), Some(1));
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
            document_id: None,
            sentence: None,
        };
        t.validate().unwrap();
        t
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
        assert_eq!(Metric::infer("技术合同成交额", "元", Some("达")), None);
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
        let p = t.progress(t.count(&orgs, d("2026-01-01")), d("2026-01-01"));
        assert_eq!(p.as_of, d("2023-12-31"));
        assert_eq!((p.source, p.reached), (Some(Source::Computed), Some(false)));
        assert_eq!(p.percent, Some(0.1));
        let giants = target("科技小巨人企业", 1.0, "新增");
        assert_eq!(giants.count(&orgs, d("2024-02-01")), Some(1));
        assert_eq!(
            giants.progress(Some(1), d("2024-02-01")).reached,
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
        let p = t.progress(t.count([], d("2023-06-01")), d("2023-06-01"));
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
}
