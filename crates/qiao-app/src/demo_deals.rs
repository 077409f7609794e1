//! The demo's deals and technology contracts: deals at every stage brokered by the demo
//! technology manager, and a year of registered contracts between the demo organisations, so
//! that `/deals`, `/statistics` and the district's 成交额 target show real progress from the
//! first start.
//!
//! The contracts are generated, not hand-written: a fixed-seed generator draws types, fields,
//! amounts and registration days with the shares a district's registry shows (development and
//! service contracts most common, amounts spread from 5万 to a few 千万, log-uniformly), so the
//! set is the same on every start and shaped like real data. Every deal's history is made by
//! the domain's own `Deal::apply`, as a manager's clicks would make it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use qiao_domain::{
    Contract, ContractKind, Deal, DealAction, DealStage, IpType, Kind, LegalPersonType,
    ManagerShare, NextStep, OrgKind, Origin, Party, PaymentTerms, Registered, Registration,
    RegistrationNumber, TechField, TerminationReason,
};
use qiao_store::{ListingFilter, ListingRecord, OrgFilter, OrgRecord, Page, Store};

use crate::error::{AppError, AppResult};

/// How many registered contracts the demo year holds.
pub const CONTRACTS: usize = 330;

/// A small deterministic generator (64-bit LCG, Knuth's constants): the demo (and the contracts
/// benchmark, which draws from it too) must be the same on every run, and needs nothing
/// stronger. The seed is the field.
pub struct Draw(pub u64);

impl Draw {
    /// The next 31 bits.
    pub fn bits(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.bits() % n as u64) as usize
    }

    /// One of `items` by integer weights.
    pub fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut pick = (self.bits() % u64::from(total)) as u32;
        for (item, w) in items {
            if pick < *w {
                return *item;
            }
            pick -= w;
        }
        items[items.len() - 1].0
    }
}

/// Contract types by their share of a district's registrations (development and service
/// contracts dominate registry statistics; licences and consulting are rarer).
const KINDS: [(ContractKind, u32); 11] = [
    (ContractKind::DevelopmentCommissioned, 30),
    (ContractKind::DevelopmentCooperative, 8),
    (ContractKind::Service, 28),
    (ContractKind::Consulting, 7),
    (ContractKind::TransferPatent, 9),
    (ContractKind::TransferPatentApplication, 2),
    (ContractKind::TransferTechnicalSecret, 4),
    (ContractKind::TransferOther, 2),
    (ContractKind::LicenceExclusive, 3),
    (ContractKind::LicenceSole, 2),
    (ContractKind::LicenceOrdinary, 5),
];

const FIELDS: [(TechField, u32); 11] = [
    (TechField::ElectronicInformation, 30),
    (TechField::AdvancedManufacturing, 16),
    (TechField::Biomedicine, 16),
    (TechField::NewMaterials, 9),
    (TechField::NewEnergy, 9),
    (TechField::Environment, 6),
    (TechField::UrbanDevelopment, 6),
    (TechField::ModernTransport, 4),
    (TechField::Aerospace, 2),
    (TechField::Agriculture, 1),
    (TechField::NuclearApplication, 1),
];

/// What the subject of each type is called in a contract's name.
fn subject(kind: ContractKind) -> &'static str {
    match kind.category() {
        qiao_domain::ContractCategory::Development => "技术开发",
        qiao_domain::ContractCategory::Transfer => "技术转让",
        qiao_domain::ContractCategory::Licence => "技术许可",
        qiao_domain::ContractCategory::Consulting => "技术咨询",
        qiao_domain::ContractCategory::Service => "技术服务",
    }
}

fn ip_for(kind: ContractKind, draw: &mut Draw) -> IpType {
    use ContractKind::*;
    match kind {
        TransferPatent | LicenceExclusive | LicenceSole | LicenceOrdinary => {
            draw.weighted(&[(IpType::InventionPatent, 7), (IpType::UtilityModel, 3)])
        }
        TransferPatentApplication => IpType::InventionPatent,
        TransferTechnicalSecret => IpType::TechnicalSecret,
        TransferOther => IpType::Software,
        DevelopmentCommissioned | DevelopmentCooperative => draw.weighted(&[
            (IpType::InventionPatent, 3),
            (IpType::Software, 3),
            (IpType::TechnicalSecret, 2),
            (IpType::NotInvolved, 2),
        ]),
        Consulting | Service => IpType::NotInvolved,
    }
}

fn legal_person(kind: OrgKind) -> LegalPersonType {
    match kind {
        OrgKind::Enterprise => LegalPersonType::Enterprise,
        OrgKind::University => LegalPersonType::University,
        OrgKind::ResearchInstitute => LegalPersonType::ResearchInstitute,
        OrgKind::Government => LegalPersonType::Government,
        OrgKind::ServiceInstitution => LegalPersonType::Other,
    }
}

pub(crate) fn party(o: &OrgRecord) -> Party {
    Party {
        name: o.org.name.clone(),
        credit_code: Some(o.org.credit_code.clone()),
        legal_person: legal_person(o.org.kind),
        district: o.org.district.clone().unwrap_or_else(|| "闵行区".into()),
        org_id: Some(o.id),
    }
}

/// An amount from 5万 to 2000万 元, log-uniform, rounded to 100 元, in 分.
pub fn amount(draw: &mut Draw) -> i64 {
    let (low, high) = (5.0e4_f64.ln(), 2.0e7_f64.ln());
    let u = draw.bits() as f64 / (1u64 << 31) as f64;
    let yuan = (low + (high - low) * u).exp();
    ((yuan / 100.0).round() as i64) * 100 * 100
}

fn contract(
    draw: &mut Draw,
    seller: &OrgRecord,
    buyer: &OrgRecord,
    signed_on: NaiveDate,
    n: usize,
) -> Contract {
    let kind = draw.weighted(&KINDS);
    let field = draw.weighted(&FIELDS);
    let amount_fen = amount(draw);
    // Development contracts often buy equipment or materials with the work.
    let non_technical =
        if kind.category() == qiao_domain::ContractCategory::Development && draw.below(3) == 0 {
            vec![qiao_domain::NonTechnicalItem {
                name: "样机及材料".into(),
                amount_fen: amount_fen / 100 * (5 + draw.below(20) as i64),
            }]
        } else {
            Vec::new()
        };
    Contract {
        name: format!("{}{}合同（演示{n:03}）", field.label_zh(), subject(kind)),
        kind,
        seller: party(seller),
        buyer: party(buyer),
        field,
        ip_type: ip_for(kind, draw),
        amount_fen,
        non_technical,
        signed_on,
        performance_from: signed_on,
        performance_to: signed_on + Duration::days(180 + draw.below(540) as i64),
        payment: PaymentTerms::LumpSum { due_on: None },
        deal_id: None,
        listing_ids: Vec::new(),
    }
}

pub(crate) fn registered(number: usize, date: NaiveDate) -> AppResult<Registration> {
    let number = RegistrationNumber::parse(&format!("{}310112{number:06}", date.format("%Y")))
        .map_err(|e| AppError::Internal(format!("demo registration number: {e:?}").into()))?;
    Ok(Registration::Registered(Registered {
        number,
        point: "闵行区技术合同登记点（演示）".into(),
        date,
        amendments: Vec::new(),
    }))
}

/// Every organisation of the demo, sellers (universities, institutes, enterprises) and buyers
/// (enterprises) apart.
async fn parties(store: &Arc<dyn Store>) -> AppResult<(Vec<OrgRecord>, Vec<OrgRecord>)> {
    let all = store
        .list_orgs(
            &OrgFilter::default(),
            Page {
                number: 1,
                size: Page::MAX_SIZE,
            },
        )
        .await?
        .items;
    let sellers: Vec<OrgRecord> = all
        .iter()
        .filter(|o| {
            matches!(
                o.org.kind,
                OrgKind::University | OrgKind::ResearchInstitute | OrgKind::Enterprise
            )
        })
        .cloned()
        .collect();
    let buyers: Vec<OrgRecord> = all
        .into_iter()
        .filter(|o| o.org.kind == OrgKind::Enterprise)
        .collect();
    if sellers.len() < 2 || buyers.len() < 2 {
        return Err(AppError::Internal(
            "the demo organisations include too few sellers or buyers".into(),
        ));
    }
    Ok((sellers, buyers))
}

/// What [`load`] stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadedDeals {
    /// Deals opened.
    pub deals: usize,
    /// Contracts recorded (registered and not).
    pub contracts: usize,
}

/// The demo's listings fit in so many pages of [`Page::MAX_SIZE`] (600 achievements now).
const DEMO_PAGES: u32 = 10;

/// Each demand (in order) paired with the achievement, of another organisation and not yet
/// paired, that shares the most of its words, each word weighed by how rare it is among the
/// achievements (a shared "方法" says little, a shared "电池包" a lot). The demo's deals then
/// read as matches a manager would broker, and a deal's valuation finds comparables about the
/// same technology. Demands with no shared word get no deal. Work: one analysis per listing and
/// one pass over the achievements per demand (a few thousand set lookups for the demo).
fn pairs<'a>(
    achievements: &'a [ListingRecord],
    demands: &'a [ListingRecord],
) -> Vec<(&'a ListingRecord, &'a ListingRecord)> {
    let words = |l: &ListingRecord| -> HashSet<String> {
        let t = qiao_search::document::texts(&l.listing);
        qiao_search::analysis::analyze(&format!("{}\n{}\n{}", t.title, t.keywords, t.body))
            .words
            .into_iter()
            .map(|w| w.text)
            .filter(|w| w.chars().count() >= 2)
            .collect()
    };
    let achievement_words: Vec<HashSet<String>> = achievements.iter().map(words).collect();
    let mut spread: HashMap<&str, usize> = HashMap::new();
    for set in &achievement_words {
        for w in set {
            *spread.entry(w.as_str()).or_default() += 1;
        }
    }
    let n = achievements.len().max(1) as f64;
    let mut taken = vec![false; achievements.len()];
    let mut out = Vec::new();
    for demand in demands.iter().filter(|d| d.owner_org_id.is_some()) {
        let wanted = words(demand);
        let best = achievements
            .iter()
            .enumerate()
            .filter(|(i, a)| {
                !taken[*i] && a.owner_org_id.is_some() && a.owner_org_id != demand.owner_org_id
            })
            .map(|(i, _)| {
                let score: f64 = wanted
                    .iter()
                    .filter(|w| achievement_words[i].contains(*w))
                    .map(|w| (n / spread.get(w.as_str()).copied().unwrap_or(1) as f64).ln())
                    .sum();
                (i, score)
            })
            .filter(|(_, score)| *score > 0.0)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        if let Some((i, _)) = best {
            taken[i] = true;
            out.push((&achievements[i], demand));
        }
    }
    out
}

/// Loads the demo deals and contracts; `manager` brokers the deals, `staff` registers.
pub async fn load(
    store: &Arc<dyn Store>,
    manager: i64,
    staff: i64,
    today: NaiveDate,
) -> AppResult<LoadedDeals> {
    let mut draw = Draw(0x5149_414f_2026);
    let (sellers, buyers) = parties(store).await?;
    let pick = |draw: &mut Draw, from: &[OrgRecord], not: Option<i64>| -> OrgRecord {
        loop {
            let o = &from[draw.below(from.len())];
            if Some(o.id) != not {
                return o.clone();
            }
        }
    };

    let local: Vec<OrgRecord> = sellers
        .iter()
        .filter(|o| o.org.district.as_deref() == Some("闵行区"))
        .cloned()
        .collect();
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let elapsed = usize::try_from((today - year_start).num_days() + 1).unwrap_or(1);
    // A year of registered contracts, registered 3 to 40 days after signing.
    let mut rows = Vec::with_capacity(CONTRACTS);
    for n in 0..CONTRACTS {
        // Two in three this year up to today (so the year's targets have progress whenever
        // the demo starts), the rest over the year before.
        let registered_on = if n % 3 == 0 {
            year_start - Duration::days(1 + draw.below(365) as i64)
        } else {
            year_start + Duration::days(draw.below(elapsed) as i64)
        };
        let signed_on = registered_on - Duration::days(3 + draw.below(38) as i64);
        // The demo region is 闵行区: two contracts in five are its own sellers' (输出).
        let seller = if !local.is_empty() && draw.below(5) < 2 {
            pick(&mut draw, &local, None)
        } else {
            pick(&mut draw, &sellers, None)
        };
        let buyer = pick(&mut draw, &buyers, Some(seller.id));
        let c = contract(&mut draw, &seller, &buyer, signed_on, n);
        rows.push((c, registered(n + 1, registered_on)?));
    }
    store.acting_as(staff).import_contracts(&rows).await?;
    let mut contracts = rows.len();

    // Deals at every stage, from listings that fit: each demand with the achievement that
    // shares its rarest words (see `pairs`).
    let listings = |kind| ListingFilter {
        kind: Some(kind),
        ..ListingFilter::default()
    };
    let mut achievements = Vec::new();
    for number in 1..=DEMO_PAGES {
        let page = Page {
            number,
            size: Page::MAX_SIZE,
        };
        let items = store
            .list_listings(&listings(Kind::Achievement), page)
            .await?
            .items;
        let last = items.len() < Page::MAX_SIZE as usize;
        achievements.extend(items);
        if last {
            break;
        }
    }
    let demands = store
        .list_listings(
            &listings(Kind::Demand),
            Page {
                number: 1,
                size: 40,
            },
        )
        .await?
        .items;
    let pairs = pairs(&achievements, &demands);
    let plan: [(DealStage, &str); 11] = [
        (DealStage::Lead, "open"),
        (DealStage::Lead, "open"),
        (DealStage::Contact, "open"),
        (DealStage::Contact, "paused"),
        (DealStage::DueDiligence, "open"),
        (DealStage::Negotiation, "open"),
        (DealStage::Negotiation, "terminated"),
        (DealStage::Signing, "open"),
        (DealStage::Registration, "won"),
        (DealStage::Performance, "won"),
        (DealStage::Done, "won"),
    ];
    let store_as = store.acting_as(manager);
    let mut deals = 0;
    let start = Utc
        .from_local_datetime(
            &(today - Duration::days(120))
                .and_hms_opt(9, 0, 0)
                .unwrap_or_default(),
        )
        .single()
        .unwrap_or_else(Utc::now);
    for (i, ((stage, status), &(achievement, demand))) in plan.iter().zip(&pairs).enumerate() {
        let seller = achievement.owner_org_id;
        let buyer = demand.owner_org_id;
        let seller_org = sellers.iter().chain(&buyers).find(|o| Some(o.id) == seller);
        let expected = amount(&mut draw);
        let mut deal = Deal {
            title: format!(
                "{} → {}",
                achievement.listing.title(),
                demand.listing.title()
            )
            .chars()
            .take(80)
            .collect(),
            listing_ids: vec![achievement.id, demand.id],
            seller_org_id: seller,
            buyer_org_id: buyer,
            managers: vec![ManagerShare {
                account_id: manager,
                share_bp: qiao_domain::deal::FULL_BP,
            }],
            origin: Origin::Match {
                listing_id: demand.id,
                matched_listing_id: achievement.id,
            },
            stage: DealStage::Lead,
            status: Default::default(),
            next_step: None,
            expected_amount_fen: Some(expected),
            // Expected to sign within weeks, and in this year, so the year's forecast has them.
            expected_close_on: Some(
                (today + Duration::days(5 + 5 * (i as i64 % 4)))
                    .min(NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap_or(today)),
            ),
            district: seller_org.and_then(|o| o.org.district.clone()),
            field: Some(draw.weighted(&FIELDS)),
        };
        let mut at = start + Duration::days(7 * i as i64);
        let opened = deal.opened(manager, at, Some("由需求页匹配结果发起（演示）".into()));
        let mut record = store_as.create_deal(&deal, &opened).await?;
        let mut actions: Vec<(DealAction, Option<&str>)> = Vec::new();
        for &s in DealStage::ALL {
            if s != DealStage::Lead && s <= DealStage::Signing.min(*stage) {
                actions.push((DealAction::MoveTo { stage: s }, None));
            }
        }
        if *status == "won" {
            actions.push((DealAction::Win, Some("双方已签约（演示）")));
            for &s in DealStage::ALL {
                if s > DealStage::Signing && s <= *stage {
                    actions.push((DealAction::MoveTo { stage: s }, None));
                }
            }
        }
        match *status {
            "paused" => actions.push((DealAction::Pause, Some("买方预算待批（演示）"))),
            "terminated" => actions.push((
                DealAction::Terminate {
                    reason: TerminationReason::PriceDisagreement,
                    note: "报价与预算相差较大（演示）".into(),
                },
                None,
            )),
            _ => {}
        }
        if matches!(*status, "open" | "paused") {
            // Every other open deal has a next step already due, so the board shows overdue ones.
            let due = if i % 2 == 0 {
                today - Duration::days(3)
            } else {
                today + Duration::days(10)
            };
            actions.push((
                DealAction::SetNextStep {
                    next_step: Some(NextStep {
                        text: "安排双方技术负责人线上交流（演示）".into(),
                        due_on: due,
                    }),
                },
                None,
            ));
        }
        for (action, note) in actions {
            at += Duration::days(4);
            let (next, event) = record
                .deal
                .apply(action, manager, at, note.map(str::to_string))
                .map_err(|e| AppError::Internal(format!("demo deal: {e}").into()))?;
            record = store_as
                .update_deal(
                    record.id,
                    record.version,
                    &next,
                    std::slice::from_ref(&event),
                )
                .await?;
        }
        deal = record.deal.clone();
        deals += 1;

        // Won deals have their contract: registered past 签约, with the deal's parties.
        if *status == "won" {
            let (Some(s), Some(b)) = (
                sellers.iter().chain(&buyers).find(|o| Some(o.id) == seller),
                buyers.iter().chain(&sellers).find(|o| Some(o.id) == buyer),
            ) else {
                continue;
            };
            let signed_on = today - Duration::days(60 - 10 * i as i64);
            let mut c = contract(&mut draw, s, b, signed_on, CONTRACTS + i);
            c.amount_fen = expected;
            c.non_technical.clear();
            c.deal_id = Some(record.id);
            c.listing_ids = deal.listing_ids.clone();
            let registration = if *stage == DealStage::Registration {
                Registration::Submitted
            } else {
                registered(CONTRACTS + i + 1, signed_on + Duration::days(10))?
            };
            store_as.create_contract(&c, &registration, None).await?;
            contracts += 1;
        }
    }
    Ok(LoadedDeals { deals, contracts })
}
