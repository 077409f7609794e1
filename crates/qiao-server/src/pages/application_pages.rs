//! 揭榜 in the browser: the apply form on a challenge's page (`POST /challenges/{id}/apply`), the
//! owner's review of a challenge's applications with their totals
//! (`GET /challenges/{id}/applications`, closing it with `POST …/conclude`, reopening it for a
//! new round with `POST …/reopen`), one application
//! with its scores, comments and history (`GET /applications/{id}`) and the review steps on it
//! (`POST /applications/{id}/act`), and the rows of 我的揭榜 on 我的工作台.
//!
//! Every read and step goes through [`qiao_app::applications`], the same functions the API
//! calls, so an application another organisation may not read is the same 404 here as there.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use qiao_app::AppError;
use qiao_app::applications::{self, ApplicationView};
use qiao_domain::application::{ApplicationAction, Criterion, MAX_POINTS};
use qiao_domain::listing::Status;
use qiao_domain::{
    Account, ApplicationStatus, FieldError, Invalid, Listing, Proposal, Rule, Score,
};
use qiao_store::{ApplicationRecord, ListingRecord, Page};
use serde_json::Value;

use super::form::FormData;
use super::messages::said;
use super::{Ctx, Lang, PageError, PageResult, Visitor, html, see_other};
use crate::error::{ApiError, Code};
use crate::state::AppState;

fn not_found(v: &Visitor) -> PageError {
    v.error(ApiError::new(
        Code::NotFound,
        v.ctx.l.t(
            "该揭榜申请不存在，或您无权查看。",
            "No such application, or not one you may see.",
        ),
    ))
}

/// The badge colour of a status.
fn status_class(s: ApplicationStatus) -> &'static str {
    match s {
        ApplicationStatus::Submitted | ApplicationStatus::Shortlisted => "warn",
        ApplicationStatus::Awarded => "ok",
        _ => "bad",
    }
}

fn status_label(l: Lang, s: ApplicationStatus) -> &'static str {
    l.t(s.label_zh(), s.label_en())
}

/// The apply form's values and the problems next to their fields.
#[derive(Debug, Default, Clone)]
pub struct ApplyForm {
    /// Where it posts.
    pub action: String,
    /// What was typed, by field.
    pub values: HashMap<String, String>,
    /// Each field's problem, in the page's language.
    pub errors: HashMap<String, String>,
}

impl ApplyForm {
    /// The value typed in `name`.
    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    /// The problem with `name`, if any.
    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }

    /// The form's fields as shown, in order.
    pub fn rows(&self, l: &Lang) -> Vec<ApplyField> {
        [
            (
                "solution",
                ("解决方案", "Solution"),
                (
                    "技术路线，以及为什么能达到榜单指标",
                    "The approach, and why it reaches the indicators",
                ),
                "area",
            ),
            (
                "team",
                ("团队与条件", "Team and facilities"),
                (
                    "负责人、成员、可用的平台和设备",
                    "Who leads it, who works on it, the facilities",
                ),
                "area",
            ),
            (
                "commitments",
                ("承诺指标", "Indicators you commit to"),
                (
                    "每行一项：名称 目标值 单位，如“离子电导率 12 mS/cm”",
                    "One a line: name value unit, e.g. “离子电导率 12 mS/cm”",
                ),
                "list",
            ),
            (
                "budget_yuan",
                ("预算（元）", "Budget (yuan)"),
                ("如 800000 或 80万", "e.g. 800000 or 80万"),
                "text",
            ),
            (
                "timeline",
                ("进度安排", "Timeline"),
                ("里程碑和时间", "Milestones and dates"),
                "area",
            ),
        ]
        .into_iter()
        .map(|(name, (zh, en), (hzh, hen), widget)| ApplyField {
            name,
            label: l.t(zh, en),
            hint: l.t(hzh, hen),
            widget,
            required: name != "commitments",
            value: self.value(name).to_string(),
            error: self.error(name).map(str::to_string),
        })
        .collect()
    }
}

/// One field of the apply form as shown.
pub struct ApplyField {
    /// Its name.
    pub name: &'static str,
    /// Its label.
    pub label: &'static str,
    /// What to write.
    pub hint: &'static str,
    /// `text`, `area` or `list`.
    pub widget: &'static str,
    /// Whether it must be filled.
    pub required: bool,
    /// What was typed.
    pub value: String,
    /// Its problem.
    pub error: Option<String>,
}

/// The 揭榜 box on a challenge's page.
pub struct ChallengePanel {
    /// The reward and the window, in words.
    pub terms: String,
    /// The window's state (`征集中，剩 N 天`…) and its badge colour.
    pub window: (String, &'static str),
    /// The viewer organisation's own application: page, status, colour.
    pub mine: Option<(String, &'static str, &'static str)>,
    /// For the owner and staff: the review page and how many applied.
    pub review: Option<(String, i64)>,
    /// The apply form, when the viewer may apply now.
    pub form: Option<ApplyForm>,
    /// Why the viewer may not apply (empty when the form shows or nobody is signed in).
    pub why_not: String,
    /// The sign-in page, for anonymous visitors.
    pub login_href: String,
    /// For a signed-in visitor: whether they follow the challenge (told before it closes), and
    /// the form's action.
    pub follow: Option<(bool, String)>,
}

fn window_text(
    l: Lang,
    from: chrono::NaiveDate,
    until: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> (String, &'static str) {
    if today < from {
        (
            format!("{} {from}", l.t("揭榜未开始，开始于", "opens on")),
            "warn",
        )
    } else if today <= until {
        let days = (until - today).num_days();
        (
            match l {
                Lang::Zh => format!("征集中，剩 {days} 天"),
                Lang::En => format!("open, {days} days left"),
            },
            "ok",
        )
    } else {
        (l.t("揭榜已截止", "applications closed").to_string(), "bad")
    }
}

/// The 揭榜 box for `record` as `v` sees it, or `None` for a listing that is no challenge.
pub async fn panel(
    state: &AppState,
    v: &Visitor,
    record: &ListingRecord,
    form: Option<ApplyForm>,
) -> PageResult<Option<ChallengePanel>> {
    let Listing::Challenge(c) = &record.listing else {
        return Ok(None);
    };
    let l = v.ctx.l;
    let today = state.today();
    let user = v.ctx.user.as_ref();
    let mut mine = None;
    let mut review = None;
    let mut why_not = String::new();
    let mut may_apply = false;
    let mut follow = None;
    if let Some(u) = user {
        let following = state
            .store
            .follows_challenge(u.id, record.id)
            .await
            .map_err(|e| v.error(e))?;
        follow = Some((following, format!("/challenges/{}/follow", record.id)));
        let reviewer = applications::may_review(&state.store, u, record.owner_org_id)
            .await
            .map_err(|e| v.error(e))?;
        if reviewer || u.is_staff() {
            let n = state
                .store
                .applications(
                    &qiao_store::ApplicationFilter {
                        listing_id: Some(record.id),
                        ..Default::default()
                    },
                    Page { number: 1, size: 1 },
                )
                .await
                .map_err(|e| v.error(e))?
                .total;
            review = Some((format!("/challenges/{}/applications", record.id), n));
        }
        if let Some(org) = u.org_id {
            let own = state
                .store
                .applications(
                    &qiao_store::ApplicationFilter {
                        listing_id: Some(record.id),
                        applicant_org_id: Some(org),
                        ..Default::default()
                    },
                    Page { number: 1, size: 1 },
                )
                .await
                .map_err(|e| v.error(e))?
                .items
                .into_iter()
                .next();
            // The newest application decides: none can follow one that holds its place.
            let live = own
                .as_ref()
                .is_some_and(|a| a.application.status.holds_place());
            mine = own.map(|a| {
                (
                    format!("/applications/{}", a.id),
                    status_label(l, a.application.status),
                    status_class(a.application.status),
                )
            });
            match qiao_domain::application::may_apply(c, record.owner_org_id, org, today) {
                Ok(()) if !live => may_apply = true,
                Ok(()) => {}
                Err(Invalid(errors)) => {
                    why_not = errors.first().map(|e| said(l, e)).unwrap_or_default();
                }
            }
        } else if !reviewer && !u.is_staff() {
            why_not = l
                .t(
                    "揭榜以机构名义进行，请使用所属机构的账号。",
                    "An organisation applies: use an account of your organisation.",
                )
                .to_string();
        }
    }
    let form = may_apply.then(|| {
        let mut f = form.unwrap_or_default();
        f.action = format!("/challenges/{}/apply", record.id);
        f
    });
    Ok(Some(ChallengePanel {
        terms: format!(
            "{} {} · {} {} – {}",
            l.t("榜单金额", "reward"),
            qiao_domain::money::format_yuan(c.reward_yuan),
            l.t("揭榜期", "applications"),
            c.apply_from,
            c.apply_until
        ),
        window: if c.status == Status::Open {
            window_text(l, c.apply_from, c.apply_until, today)
        } else {
            super::status_badge(l, c.status, None, today)
        },
        mine,
        review,
        form,
        why_not,
        login_href: format!(
            "/login?next={}",
            urlencoding::encode(&format!("/challenges/{}", record.id))
        ),
        follow,
    }))
}

/// The proposal a form describes, or every problem with it (named by field).
fn proposal_of(form: &FormData) -> Result<Proposal, Invalid> {
    let mut errors: Vec<FieldError> = Vec::new();
    let commitments =
        super::form::indicators(&form.text("commitments"), &mut errors, "commitments");
    let budget_raw = form.text("budget_yuan");
    let budget = if budget_raw.trim().is_empty() {
        errors.push(FieldError::new("budget_yuan", Rule::Blank));
        0
    } else {
        match qiao_domain::money::parse_yuan(&budget_raw) {
            Some(b) => b,
            None => {
                errors.push(FieldError::new(
                    "budget_yuan",
                    Rule::BadFormat {
                        found: budget_raw.clone(),
                        format: qiao_domain::Format::Amount,
                    },
                ));
                0
            }
        }
    };
    let commitments: Vec<qiao_domain::listing::Indicator> = commitments
        .into_iter()
        .filter_map(|c: Value| serde_json::from_value(c).ok())
        .collect();
    let mut p = Proposal {
        solution: form.text("solution"),
        team: form.text("team"),
        commitments,
        budget_yuan: budget,
        timeline: form.text("timeline"),
    };
    if let Err(Invalid(more)) = p.validate() {
        errors.extend(more);
    }
    if errors.is_empty() {
        Ok(p)
    } else {
        Err(Invalid(errors))
    }
}

#[derive(Template)]
#[template(path = "application_form.html")]
struct ApplyPage<'a> {
    ctx: &'a Ctx,
    title: String,
    challenge_href: String,
    error: Option<String>,
    form: ApplyForm,
}

/// `POST /challenges/{id}/apply`: applies; on success to the application's page, otherwise the
/// form again with each problem beside its field and what was typed kept.
pub async fn apply(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = v.account()?.clone();
    let l = v.ctx.l;
    let result = match proposal_of(&form) {
        Ok(p) => applications::apply(&state.store, &user, id, p, state.today()).await,
        Err(invalid) => Err(AppError::Invalid(invalid)),
    };
    let (error, fields) = match result {
        Ok(r) => return Ok(see_other(&format!("/applications/{}", r.id))),
        Err(AppError::Invalid(Invalid(errors))) => (None, errors),
        Err(AppError::Conflict(m)) => (Some(m), Vec::new()),
        Err(e) => return Err(v.error(e)),
    };
    let record =
        qiao_app::disclosure::load(&state.store, qiao_domain::Kind::Challenge, id, Some(&user))
            .await
            .map_err(|e| v.error(e))?;
    let mut shown = ApplyForm {
        action: format!("/challenges/{id}/apply"),
        ..Default::default()
    };
    for name in ["solution", "team", "commitments", "budget_yuan", "timeline"] {
        shown.values.insert(name.into(), form.text(name));
    }
    let mut apart = Vec::new();
    for e in &fields {
        let key = e.field.split(['[', '.']).next().unwrap_or_default();
        if shown.values.contains_key(key) {
            shown
                .errors
                .entry(key.to_string())
                .or_insert_with(|| said(l, e));
        } else {
            // The challenge's window or status, the applicant's own challenge: said above.
            apart.push(said(l, e));
        }
    }
    let error = error.or_else(|| (!apart.is_empty()).then(|| apart.join("；")));
    let mut r = html(&ApplyPage {
        ctx: &v.ctx,
        title: record.listing.title().to_string(),
        challenge_href: format!("/challenges/{id}"),
        error,
        form: shown,
    });
    *r.status_mut() = if fields.is_empty() {
        axum::http::StatusCode::CONFLICT
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(r)
}

/// One application as a line of the review or of 我的揭榜.
pub struct AppRow {
    /// Its page.
    pub href: String,
    /// The applicant's name (the review) or the challenge's title (我的揭榜).
    pub name: String,
    /// Where the name links (the organisation or the challenge).
    pub name_href: String,
    /// Its status.
    pub status: &'static str,
    /// The badge colour.
    pub class: &'static str,
    /// The total score, `35/50`, or empty.
    pub total: String,
    /// The budget asked.
    pub budget: String,
    /// When it was submitted (China Standard Time).
    pub at: String,
    /// Why it was declined or not chosen.
    pub reason: String,
}

fn beijing(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn total_of(r: &ApplicationRecord) -> String {
    r.application
        .total()
        .map(|(n, of)| format!("{n}/{of}"))
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "applications.html")]
struct ReviewPage<'a> {
    ctx: &'a Ctx,
    id: i64,
    title: String,
    terms: String,
    criteria: Vec<String>,
    rows: Vec<AppRow>,
    may_conclude: bool,
    /// Whether the viewer may reopen the review for a new round (its reviewers, once the
    /// review is under way or over).
    may_reopen: bool,
    /// The new window's last day the reopen form suggests.
    reopen_until: String,
    error: Option<String>,
}

async fn render_review(
    state: &AppState,
    v: &Visitor,
    user: &Account,
    id: i64,
    error: Option<String>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let review = applications::review(&state.store, user, id)
        .await
        .map_err(|e| v.error(e))?;
    let mut names = HashMap::new();
    for r in &review.applications {
        let o = r.application.applicant_org_id;
        if let std::collections::hash_map::Entry::Vacant(e) = names.entry(o)
            && let Ok(org) = state.store.get_org(o).await
        {
            e.insert(org.org.name);
        }
    }
    let rows = review
        .applications
        .iter()
        .map(|r| {
            let o = r.application.applicant_org_id;
            AppRow {
                href: format!("/applications/{}", r.id),
                name: names.get(&o).cloned().unwrap_or_else(|| format!("#{o}")),
                name_href: format!("/orgs/{o}"),
                status: status_label(l, r.application.status),
                class: status_class(r.application.status),
                total: total_of(r),
                budget: qiao_domain::money::format_yuan(r.application.proposal.budget_yuan),
                at: beijing(r.created_at),
                reason: r.application.reason.clone().unwrap_or_default(),
            }
        })
        .collect();
    let Listing::Challenge(c) = &review.challenge.listing else {
        return Err(not_found(v));
    };
    let reviewer = applications::may_review(&state.store, user, review.challenge.owner_org_id)
        .await
        .map_err(|e| v.error(e))?;
    let may_conclude = reviewer
        && matches!(
            c.status,
            Status::Open | Status::UnderReview | Status::Awarded
        );
    let may_reopen = reviewer
        && matches!(
            c.status,
            Status::UnderReview | Status::Awarded | Status::Closed
        );
    Ok(html(&ReviewPage {
        ctx: &v.ctx,
        id,
        title: c.title.clone(),
        terms: format!(
            "{} {} · {} {} – {}",
            l.t("榜单金额", "reward"),
            qiao_domain::money::format_yuan(c.reward_yuan),
            l.t("揭榜期", "applications"),
            c.apply_from,
            c.apply_until
        ),
        criteria: review
            .criteria
            .iter()
            .map(|k| criterion_label(l, k))
            .collect(),
        rows,
        may_conclude,
        may_reopen,
        // The window it had, or a month from today if that is sooner: never a shorter one.
        reopen_until: c
            .apply_until
            .max(state.today() + chrono::Duration::days(30))
            .to_string(),
        error,
    }))
}

fn criterion_label(l: Lang, k: &Criterion) -> String {
    match l {
        Lang::Zh => k.name.clone(),
        Lang::En => k.name_en.clone(),
    }
}

/// `GET /challenges/{id}/applications`: the review (the owner's members, admins, staff).
pub async fn review(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    let user = v.account()?.clone();
    render_review(&state, &v, &user, id, None).await
}

/// `POST /challenges/{id}/applications/conclude`: closes the review with a reason.
pub async fn conclude(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = v.account()?.clone();
    match applications::conclude(&state.store, &user, id, form.text("reason")).await {
        Ok(_) => Ok(see_other(&format!("/challenges/{id}/applications"))),
        Err(AppError::Invalid(Invalid(errors))) => {
            let msg = errors.first().map(|e| said(v.ctx.l, e));
            render_review(&state, &v, &user, id, msg).await
        }
        Err(AppError::Conflict(m)) => render_review(&state, &v, &user, id, Some(m)).await,
        Err(e) => Err(v.error(e)),
    }
}

/// `POST /challenges/{id}/applications/reopen`: opens the challenge again for a new round
/// until the day given (`apply_until`, with an optional new `deadline`).
pub async fn reopen(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = v.account()?.clone();
    let dates = super::form::date_of("apply_until", &form.text("apply_until")).and_then(|u| {
        let until = u.ok_or_else(|| FieldError::new("apply_until", Rule::Blank))?;
        Ok((
            until,
            super::form::date_of("deadline", &form.text("deadline"))?,
        ))
    });
    // A date that does not parse is refused like a date the rules refuse.
    let result = match dates {
        Ok((until, deadline)) => {
            applications::reopen(&state.store, &user, id, until, deadline, state.today()).await
        }
        Err(e) => Err(AppError::Invalid(Invalid(vec![e]))),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/challenges/{id}"))),
        Err(AppError::Invalid(Invalid(errors))) => {
            let msg = errors.first().map(|e| said(v.ctx.l, e));
            render_review(&state, &v, &user, id, msg).await
        }
        Err(e) => Err(v.error(e)),
    }
}

/// One criterion's line of the score form: its label, name, points and comment as shown.
pub struct ScoreLine {
    /// The criterion in the page's language.
    pub label: String,
    /// Its name (the form's key).
    pub name: String,
    /// Points given (empty if none).
    pub points: String,
    /// The comment.
    pub comment: String,
}

#[derive(Template)]
#[template(path = "application.html")]
struct ApplicationPage<'a> {
    ctx: &'a Ctx,
    id: i64,
    version: i64,
    challenge_title: String,
    challenge_href: String,
    review_href: Option<String>,
    applicant: (String, String),
    status: &'static str,
    status_class: &'static str,
    reason: String,
    solution: String,
    team: String,
    commitments: Vec<String>,
    budget: String,
    timeline: String,
    at: String,
    lines: Vec<ScoreLine>,
    total: String,
    review_comment: String,
    deal_href: Option<String>,
    history: Vec<(String, String, String)>,
    may_review: bool,
    may_withdraw: bool,
    can_shortlist: bool,
    /// The solution's files (its readers see them; the applicant uploads).
    files: Option<super::attachment_pages::FilesBox>,
    max_points: u8,
    error: Option<String>,
}

async fn render_application(
    state: &AppState,
    v: &Visitor,
    user: &Account,
    id: i64,
    error: Option<String>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let ApplicationView {
        record,
        events,
        criteria,
        may_review,
        may_withdraw,
    } = match applications::view(&state.store, user, id).await {
        Ok(view) => view,
        Err(AppError::NotFound(_)) => return Err(not_found(v)),
        Err(e) => return Err(v.error(e)),
    };
    let a = &record.application;
    let challenge = state.store.get_listing(a.listing_id).await.ok();
    let applicant = state
        .store
        .get_org(a.applicant_org_id)
        .await
        .map(|o| o.org.name)
        .unwrap_or_else(|_| format!("#{}", a.applicant_org_id));
    let lines = criteria
        .iter()
        .map(|k| {
            let s = a.scores.iter().find(|s| s.criterion == k.name);
            ScoreLine {
                label: criterion_label(l, k),
                name: k.name.clone(),
                points: s.map(|s| s.points.to_string()).unwrap_or_default(),
                comment: s.and_then(|s| s.comment.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let reviewer_or_staff = user.is_staff()
        || applications::may_review(
            &state.store,
            user,
            challenge.as_ref().and_then(|c| c.owner_org_id),
        )
        .await
        .map_err(|e| v.error(e))?;
    let files = super::attachment_pages::files_box(
        state,
        Some(user),
        qiao_domain::attachment::Owner {
            kind: qiao_domain::attachment::OwnerKind::Application,
            id,
        },
        format!("/applications/{id}/files"),
    )
    .await
    .map_err(|e| v.error(e))?;
    Ok(html(&ApplicationPage {
        files,
        ctx: &v.ctx,
        id,
        version: record.version,
        challenge_title: challenge
            .as_ref()
            .map(|c| c.listing.title().to_string())
            .unwrap_or_else(|| format!("#{}", a.listing_id)),
        challenge_href: format!("/challenges/{}", a.listing_id),
        review_href: reviewer_or_staff
            .then(|| format!("/challenges/{}/applications", a.listing_id)),
        applicant: (format!("/orgs/{}", a.applicant_org_id), applicant),
        status: status_label(l, a.status),
        status_class: status_class(a.status),
        reason: a.reason.clone().unwrap_or_default(),
        solution: a.proposal.solution.clone(),
        team: a.proposal.team.clone(),
        commitments: a
            .proposal
            .commitments
            .iter()
            .map(|c| {
                let mut s = c.name.clone();
                if let Some(t) = c.target {
                    s.push_str(&format!(" {t}"));
                }
                if let Some(u) = &c.unit {
                    s.push_str(&format!(" {u}"));
                }
                if let Some(n) = &c.note {
                    s.push_str(&format!("；{n}"));
                }
                s
            })
            .collect(),
        budget: qiao_domain::money::format_yuan(a.proposal.budget_yuan),
        timeline: a.proposal.timeline.clone(),
        at: beijing(record.created_at),
        lines,
        total: total_of(&record),
        review_comment: a.review_comment.clone().unwrap_or_default(),
        deal_href: a.deal_id.map(|d| format!("/deals/{d}")),
        history: events
            .iter()
            .map(|e| {
                (
                    beijing(e.event.at),
                    l.t(e.event.action.label_zh(), e.event.action.label_en())
                        .to_string(),
                    status_label(l, e.event.to).to_string(),
                )
            })
            .collect(),
        may_review,
        may_withdraw,
        can_shortlist: may_review && a.status == ApplicationStatus::Submitted,
        max_points: MAX_POINTS,
        error,
    }))
}

/// `GET /applications/{id}`
pub async fn show(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let user = v.account()?.clone();
    let id = id.parse::<i64>().map_err(|_| not_found(&v))?;
    render_application(&state, &v, &user, id, None).await
}

/// The action a review form sends.
fn action_of(form: &FormData, criteria: &[Criterion]) -> Result<ApplicationAction, Invalid> {
    Ok(match form.text("action").as_str() {
        "score" => {
            let mut scores = Vec::new();
            let mut errors = Vec::new();
            for (i, k) in criteria.iter().enumerate() {
                let raw = form.text(&format!("points_{i}"));
                let field = format!("scores.{}", k.name);
                match raw.trim().parse::<u8>() {
                    Ok(p) => scores.push(Score {
                        criterion: k.name.clone(),
                        points: p,
                        comment: Some(form.text(&format!("comment_{i}"))),
                    }),
                    Err(_) if raw.trim().is_empty() => {
                        errors.push(FieldError::new(field, Rule::Required))
                    }
                    Err(_) => errors.push(FieldError::new(
                        field,
                        Rule::OutOfRange {
                            min: 0,
                            max: i64::from(MAX_POINTS),
                            found: raw.trim().parse::<f64>().unwrap_or(f64::NAN),
                        },
                    )),
                }
            }
            if !errors.is_empty() {
                return Err(Invalid(errors));
            }
            ApplicationAction::Score {
                scores,
                comment: Some(form.text("comment")),
            }
        }
        "shortlist" => ApplicationAction::Shortlist,
        "decline" => ApplicationAction::Decline {
            reason: form.text("reason"),
        },
        "award" => ApplicationAction::Award,
        "withdraw" => ApplicationAction::Withdraw,
        other => {
            return Err(Invalid::field(
                "action",
                Rule::NotOneOf {
                    found: other.to_string(),
                    allowed: ["score", "shortlist", "decline", "award", "withdraw"]
                        .map(String::from)
                        .to_vec(),
                },
            ));
        }
    })
}

/// `POST /applications/{id}/act`: one review step (or the applicant's withdrawal); the page
/// again with the problem said above the forms when refused.
pub async fn act(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<FormData>,
) -> PageResult<Response> {
    v.check_csrf(form.csrf())?;
    let user = v.account()?.clone();
    let l = v.ctx.l;
    let id = id.parse::<i64>().map_err(|_| not_found(&v))?;
    let view = match applications::view(&state.store, &user, id).await {
        Ok(view) => view,
        Err(AppError::NotFound(_)) => return Err(not_found(&v)),
        Err(e) => return Err(v.error(e)),
    };
    let version = form.text("version").parse::<i64>().unwrap_or(-1);
    let result = match action_of(&form, &view.criteria) {
        Ok(action) => applications::act(&state.store, &user, id, version, action)
            .await
            .map(|_| ()),
        Err(invalid) => Err(AppError::Invalid(invalid)),
    };
    let message = match result {
        Ok(()) => return Ok(see_other(&format!("/applications/{id}"))),
        Err(AppError::Invalid(Invalid(errors))) => errors
            .iter()
            .map(|e| super::messages::labelled(l, e))
            .collect::<Vec<_>>()
            .join("；"),
        Err(AppError::Conflict(m)) => m,
        Err(AppError::Forbidden(m)) => m,
        Err(e) => return Err(v.error(e)),
    };
    let mut r = render_application(&state, &v, &user, id, Some(message)).await?;
    *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}

/// 我的揭榜: the applications of `user`'s organisation, newest first (at most 50).
pub async fn my_rows(
    state: &AppState,
    l: Lang,
    user: &Account,
) -> qiao_app::AppResult<Vec<AppRow>> {
    let page = applications::mine(
        &state.store,
        user,
        Page {
            number: 1,
            size: 50,
        },
    )
    .await?;
    let ids: Vec<i64> = page
        .items
        .iter()
        .map(|r| r.application.listing_id)
        .collect();
    let listings = super::listings_by_id(state, &ids).await?;
    Ok(page
        .items
        .iter()
        .map(|r| {
            let lid = r.application.listing_id;
            AppRow {
                href: format!("/applications/{}", r.id),
                name: listings
                    .get(&lid)
                    .map(|li| li.title().to_string())
                    .unwrap_or_else(|| format!("#{lid}")),
                name_href: format!("/challenges/{lid}"),
                status: status_label(l, r.application.status),
                class: status_class(r.application.status),
                total: String::new(),
                budget: qiao_domain::money::format_yuan(r.application.proposal.budget_yuan),
                at: beijing(r.created_at),
                reason: r.application.reason.clone().unwrap_or_default(),
            }
        })
        .collect())
}
