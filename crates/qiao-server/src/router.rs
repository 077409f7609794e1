//! Every route of the server, in one table. Handler modules mirror the URLs.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, patch, post};
use qiao_domain::Kind;
use qiao_domain::attachment::OwnerKind;
use qiao_domain::thread::SubjectKind;
use qiao_store::DocumentState;

use crate::api::{
    accounts, applications, attachments, bookings, certificates, contacts, contracts, deals,
    documents, imports, listings, meta, notifications, organisations, policies, search, statistics,
    targets, threads, valuations, vouchers,
};
use crate::error::{ApiError, Code};
use crate::pages::valuation_pages::On;
use crate::pages::{
    account, admin, application_pages, attachment_pages, audit, boards, booking_pages,
    certificate_pages, contract_pages, deal_pages, detail, document_pages, home, inbox, orgs,
    policy_pages, search_page, statistics_page, target_pages, thread_pages, valuation_pages,
    voucher_pages, workspace,
};
use crate::state::AppState;
use crate::upload::MAX_MESSAGE_UPLOAD;

/// Builds the application.
pub fn router(state: AppState) -> Router {
    let mut api = Router::new()
        .route("/health", get(meta::health))
        .route("/openapi.json", get(meta::openapi))
        .route(
            "/tokens",
            post(accounts::create_token).get(accounts::list_tokens),
        )
        .route(
            "/tokens/{id}",
            axum::routing::delete(accounts::revoke_token),
        )
        .route("/me", get(accounts::me))
        .route(
            "/me/contact",
            axum::routing::put(notifications::set_contact),
        )
        .route("/notifications", get(notifications::list))
        .route("/notifications/read-all", post(notifications::read_all))
        .route(
            "/notifications/preferences",
            get(notifications::preferences).put(notifications::set_preferences),
        )
        .route("/notifications/{id}/read", post(notifications::read))
        .route(
            "/challenges/{id}/follow",
            get(notifications::following)
                .put(notifications::follow)
                .delete(notifications::unfollow),
        )
        .route("/search", get(search::search))
        .route("/search/status", get(search::status))
        .route("/accounts", get(accounts::list).post(accounts::create))
        .route("/accounts/{id}", patch(accounts::update))
        .route("/audit", get(accounts::audit))
        .route("/contact-requests", get(contacts::list))
        .route("/contact-requests/{id}", get(contacts::get))
        .route("/contact-requests/{id}/decision", post(contacts::decision))
        .route(
            "/contact-requests/{id}/messages",
            get(|s, u, i, q| threads::list(SubjectKind::ContactRequest, s, u, i, q))
                .post(|s, u, i, r| threads::post(SubjectKind::ContactRequest, s, u, i, r))
                .layer(DefaultBodyLimit::max(MAX_MESSAGE_UPLOAD)),
        )
        .route(
            "/contact-requests/{id}/contact-details",
            get(threads::contact_details),
        )
        .route(
            "/deals/{id}/messages",
            get(|s, u, i, q| threads::list(SubjectKind::Deal, s, u, i, q))
                .post(|s, u, i, r| threads::post(SubjectKind::Deal, s, u, i, r))
                .layer(DefaultBodyLimit::max(MAX_MESSAGE_UPLOAD)),
        )
        .route(
            "/applications/{id}/messages",
            get(|s, u, i, q| threads::list(SubjectKind::Application, s, u, i, q))
                .post(|s, u, i, r| threads::post(SubjectKind::Application, s, u, i, r))
                .layer(DefaultBodyLimit::max(MAX_MESSAGE_UPLOAD)),
        )
        .route(
            "/applications/{id}/attachments",
            get(|s, u, i| attachments::list(OwnerKind::Application, s, u, i))
                .post(|s, u, i, q, b| attachments::upload(OwnerKind::Application, s, u, i, q, b))
                .layer(DefaultBodyLimit::max(attachments::MAX_UPLOAD)),
        )
        .route(
            "/listings/{id}/attachments",
            get(|s, u, i| attachments::list(OwnerKind::Listing, s, u, i))
                .post(|s, u, i, q, b| attachments::upload(OwnerKind::Listing, s, u, i, q, b))
                .layer(DefaultBodyLimit::max(attachments::MAX_UPLOAD)),
        )
        .route(
            "/contracts/{id}/attachments",
            get(|s, u, i| attachments::list(OwnerKind::Contract, s, u, i))
                .post(|s, u, i, q, b| attachments::upload(OwnerKind::Contract, s, u, i, q, b))
                .layer(DefaultBodyLimit::max(attachments::MAX_UPLOAD)),
        )
        .route(
            "/organisations/{id}/certificate-files",
            get(|s, u, i| attachments::list(OwnerKind::Certificate, s, u, i))
                .post(|s, u, i, q, b| attachments::upload(OwnerKind::Certificate, s, u, i, q, b))
                .layer(DefaultBodyLimit::max(attachments::MAX_UPLOAD)),
        )
        .route(
            "/attachments/{id}",
            get(attachments::download).delete(attachments::delete),
        )
        .route(
            "/imports",
            post(imports::create).layer(DefaultBodyLimit::max(imports::MAX_IMPORT)),
        )
        .route(
            "/documents",
            get(documents::list)
                .post(documents::create)
                .layer(DefaultBodyLimit::max(documents::MAX_DOCUMENT)),
        )
        .route(
            "/documents/{id}",
            get(documents::get).delete(documents::delete),
        )
        .route("/documents/{id}/targets", post(targets::from_document))
        .route(
            "/documents/{id}/publish",
            post(|s, u, i| documents::set_state(DocumentState::Published, s, u, i)),
        )
        .route(
            "/documents/{id}/unpublish",
            post(|s, u, i| documents::set_state(DocumentState::Draft, s, u, i)),
        )
        .route(
            "/organisations/{id}/certificates/{n}/verification",
            post(certificates::decide),
        )
        .route("/certificates/pending", get(certificates::pending))
        .route(
            "/certificate-lists",
            post(certificates::apply_list)
                .layer(DefaultBodyLimit::max(certificate_pages::MAX_LIST)),
        )
        .route("/policies", get(policies::list).post(policies::create))
        .route(
            "/policies/{id}",
            get(policies::get)
                .put(policies::replace)
                .delete(policies::delete),
        )
        .route("/policies/{id}/enterprises", get(policies::enterprises))
        .route("/targets", get(targets::list).post(targets::create))
        .route(
            "/targets/{id}",
            get(targets::get)
                .put(targets::replace)
                .delete(targets::delete),
        )
        .route("/deals", get(deals::list).post(deals::create))
        .route("/deals/leads", get(deals::leads))
        .route("/deals/unclaimed", get(deals::unclaimed))
        .route("/deals/{id}/claim", post(deals::claim))
        .route(
            "/deals/from-contact/{contact_request_id}",
            post(deals::from_contact),
        )
        .route("/deals/from-match", post(deals::from_match))
        .route("/deals/{id}", get(deals::get))
        .route("/deals/{id}/actions", post(deals::act))
        .route(
            "/settings/stage-probabilities",
            get(deals::probabilities).put(deals::set_probabilities),
        )
        .route("/contracts", get(contracts::list).post(contracts::create))
        .route("/contracts/precheck", post(contracts::precheck))
        .route(
            "/contracts/{id}",
            get(contracts::get).put(contracts::replace),
        )
        .route("/contracts/{id}/registration", post(contracts::register))
        .route("/statistics/contracts", get(statistics::contracts))
        .route(
            "/listings/{id}/valuations",
            get(valuations::list_for_listing).post(valuations::create_for_listing),
        )
        .route(
            "/listings/{id}/valuations/{vid}",
            get(valuations::get_for_listing),
        )
        .route(
            "/deals/{id}/valuations",
            get(valuations::list_for_deal).post(valuations::create_for_deal),
        )
        .route(
            "/deals/{id}/valuations/{vid}",
            get(valuations::get_for_deal),
        )
        .route(
            "/listings/{id}/applications",
            get(applications::for_challenge).post(applications::apply),
        )
        .route(
            "/listings/{id}/applications/conclude",
            post(applications::conclude),
        )
        .route(
            "/listings/{id}/applications/reopen",
            post(applications::reopen),
        )
        .route("/applications", get(applications::mine))
        .route("/applications/{id}", get(applications::get))
        .route("/applications/{id}/score", post(applications::score))
        .route(
            "/applications/{id}/shortlist",
            post(applications::shortlist),
        )
        .route("/applications/{id}/decline", post(applications::decline))
        .route("/applications/{id}/award", post(applications::award))
        .route("/applications/{id}/withdraw", post(applications::withdraw))
        .route(
            "/instruments/{id}/slots",
            get(bookings::list_slots).post(bookings::offer),
        )
        .route("/slots/{id}/withdraw", post(bookings::withdraw))
        .route("/slots/{id}/bookings", post(bookings::book))
        .route("/bookings", get(bookings::mine))
        .route("/bookings/incoming", get(bookings::incoming))
        .route("/bookings/{id}", get(bookings::get))
        .route("/bookings/{id}/confirm", post(bookings::confirm))
        .route("/bookings/{id}/decline", post(bookings::decline))
        .route("/bookings/{id}/cancel", post(bookings::cancel))
        .route("/vouchers", get(vouchers::list).post(vouchers::issue))
        .route("/vouchers/{id}", get(vouchers::get))
        .route(
            "/settings/valuation-reference",
            get(valuations::reference).put(valuations::set_reference),
        )
        .route(
            "/organisations/{id}/policies",
            get(policies::for_organisation),
        )
        .route(
            "/organisations",
            get(organisations::list).post(organisations::create),
        )
        .route(
            "/organisations/{id}",
            get(organisations::get)
                .put(organisations::replace)
                .patch(organisations::patch)
                .delete(organisations::delete),
        );
    // The seven listing kinds share one set of handlers; each route binds its kind.
    for kind in Kind::ALL {
        api = api
            .route(
                &format!("/{}", kind.plural()),
                get(move |s, v, q| listings::list(kind, s, v, q))
                    .post(move |s, u, b| listings::create(kind, s, u, b)),
            )
            .route(
                &format!("/{}/{{id}}", kind.plural()),
                get(move |s, v, i| listings::get(kind, s, v, i))
                    .put(move |s, u, i, b| listings::replace(kind, s, u, i, b))
                    .patch(move |s, u, i, b| listings::patch(kind, s, u, i, b))
                    .delete(move |s, u, i| listings::delete(kind, s, u, i)),
            )
            .route(
                &format!("/{}/{{id}}/matches", kind.plural()),
                get(move |s, v, i, q| search::matches(kind, s, v, i, q)),
            )
            .route(
                &format!("/{}/{{id}}/contact-requests", kind.plural()),
                post(move |s, u, i, b| contacts::create(kind, s, u, i, b)),
            );
    }
    let api = api
        .fallback(|| async {
            ApiError::new(
                Code::NotFound,
                "no such API route; see /api/v1/openapi.json",
            )
        })
        .layer(axum::middleware::from_fn(too_large_in_the_envelope));
    Router::new()
        .merge(pages())
        .nest("/api/v1", api)
        .layer(DefaultBodyLimit::max(crate::json::MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::deadline::enforce,
        ))
        .with_state(state)
}

/// The most bytes a body to the API route `path` (inside `/api/v1`) may have: the limits the
/// route table sets above.
fn body_limit(path: &str) -> usize {
    match path {
        "/imports" => imports::MAX_IMPORT,
        "/documents" => documents::MAX_DOCUMENT,
        p if p.ends_with("/messages") => MAX_MESSAGE_UPLOAD,
        p if p.ends_with("/attachments") || p.ends_with("/certificate-files") => {
            attachments::MAX_UPLOAD
        }
        _ => crate::json::MAX_BODY,
    }
}

/// A body over the limit is refused by the extractor that reads it; axum's own `Bytes`
/// extractor answers with a plain-text 413. API clients get every error in the envelope, so
/// such a reply is rewritten as one, naming the limit.
async fn too_large_in_the_envelope(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let limit = body_limit(req.uri().path());
    let response = next.run(req).await;
    let json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if response.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE && !json {
        ApiError::new(
            Code::PayloadTooLarge,
            format!("the body is larger than {limit} bytes, the most this route accepts"),
        )
        .into_response()
    } else {
        response
    }
}

/// The pages for browsers. They share one middleware: every browser gets a CSRF cookie.
fn pages() -> Router<AppState> {
    let mut pages = Router::new()
        .route("/", get(home::home))
        .route("/search", get(search_page::search))
        .route("/login", get(account::login_form).post(account::login))
        .route("/logout", post(account::logout))
        .route(
            "/register",
            get(account::register_form).post(account::register),
        )
        .route("/lang", get(account::switch_lang))
        .route("/post", get(detail::post_default))
        .route("/post/{kind}", get(detail::new_form).post(detail::create))
        .route("/resources", get(boards::resources))
        .route("/orgs/{id}", get(orgs::show))
        .route("/orgs/{id}/edit", get(orgs::edit_form).post(orgs::update))
        .route(
            "/documents",
            get(document_pages::list)
                .post(document_pages::upload)
                .layer(DefaultBodyLimit::max(document_pages::MAX_UPLOAD)),
        )
        .route("/documents/{id}", get(document_pages::show))
        .route(
            "/documents/{id}/publish",
            post(|s, v, i, f| document_pages::set_state(DocumentState::Published, s, v, i, f)),
        )
        .route(
            "/documents/{id}/unpublish",
            post(|s, v, i, f| document_pages::set_state(DocumentState::Draft, s, v, i, f)),
        )
        .route("/documents/{id}/delete", post(document_pages::delete))
        .route("/certificates", get(certificate_pages::list))
        .route(
            "/certificates/lists",
            post(certificate_pages::import_list)
                .layer(DefaultBodyLimit::max(certificate_pages::MAX_LIST)),
        )
        .route(
            "/certificates/{org}/{n}/verify",
            post(certificate_pages::verify),
        )
        .route(
            "/certificates/{org}/{n}/reject",
            post(certificate_pages::reject),
        )
        .route("/documents/{id}/targets", post(target_pages::from_document))
        .route("/policies", get(policy_pages::list))
        .route(
            "/policies/new",
            get(policy_pages::new_form).post(policy_pages::create),
        )
        .route("/policies/{id}", get(policy_pages::show))
        .route(
            "/policies/{id}/edit",
            get(policy_pages::edit_form).post(policy_pages::update),
        )
        .route("/policies/{id}/delete", post(policy_pages::delete))
        .route("/targets", get(target_pages::list))
        .route("/targets.xlsx", get(target_pages::xlsx))
        .route(
            "/targets/new",
            get(target_pages::new_form).post(target_pages::create),
        )
        .route(
            "/targets/{id}/edit",
            get(target_pages::edit_form).post(target_pages::update),
        )
        .route("/targets/{id}/report", post(target_pages::report))
        .route("/targets/{id}/delete", post(target_pages::delete))
        .route("/deals", get(deal_pages::board))
        .route("/deals/new", post(deal_pages::create))
        .route("/deals/probabilities", post(deal_pages::set_probabilities))
        .route("/deals/from-contact/{id}", post(deal_pages::from_contact))
        .route("/deals/from-match", post(deal_pages::from_match))
        .route("/deals/{id}/claim", post(deal_pages::claim))
        .route("/deals/{id}", get(deal_pages::show))
        .route("/challenges/{id}/apply", post(application_pages::apply))
        .route(
            "/challenges/{id}/applications",
            get(application_pages::review),
        )
        .route(
            "/challenges/{id}/applications/conclude",
            post(application_pages::conclude),
        )
        .route(
            "/challenges/{id}/applications/reopen",
            post(application_pages::reopen),
        )
        .route("/applications/{id}", get(application_pages::show))
        .route("/applications/{id}/act", post(application_pages::act))
        .route(
            "/applications/{id}/messages",
            get(|s, v, p, q| thread_pages::show(SubjectKind::Application, s, v, p, q))
                .post(|s, v, p, m| thread_pages::post(SubjectKind::Application, s, v, p, m))
                .layer(DefaultBodyLimit::max(MAX_MESSAGE_UPLOAD)),
        )
        .route(
            "/applications/{id}/files",
            post(attachment_pages::upload_application)
                .layer(DefaultBodyLimit::max(MAX_MESSAGE_UPLOAD)),
        )
        .route(
            "/achievements/{id}/valuation",
            get(|s, v, p, q| valuation_pages::form(On::Achievement, s, v, p, q))
                .post(|s, v, p, f| valuation_pages::submit(On::Achievement, s, v, p, f)),
        )
        .route(
            "/achievements/{id}/valuations/{vid}",
            get(|s, v, p| valuation_pages::report(On::Achievement, s, v, p)),
        )
        .route(
            "/achievements/{id}/valuations/{vid}/xlsx",
            get(|s, v, p| valuation_pages::xlsx(On::Achievement, s, v, p)),
        )
        .route(
            "/deals/{id}/valuation",
            get(|s, v, p, q| valuation_pages::form(On::Deal, s, v, p, q))
                .post(|s, v, p, f| valuation_pages::submit(On::Deal, s, v, p, f)),
        )
        .route(
            "/deals/{id}/valuations/{vid}",
            get(|s, v, p| valuation_pages::report(On::Deal, s, v, p)),
        )
        .route(
            "/deals/{id}/valuations/{vid}/xlsx",
            get(|s, v, p| valuation_pages::xlsx(On::Deal, s, v, p)),
        )
        .route("/deals/{id}/act", post(deal_pages::act))
        .route("/contracts", get(contract_pages::list))
        .route(
            "/contracts/new",
            get(contract_pages::new_form).post(contract_pages::create),
        )
        .route("/contracts/{id}", get(contract_pages::show))
        .route(
            "/contracts/{id}/edit",
            get(contract_pages::edit_form).post(contract_pages::update),
        )
        .route("/contracts/{id}/act", post(contract_pages::act))
        .route(
            "/contracts/{id}/files",
            post(attachment_pages::upload_contract)
                .layer(DefaultBodyLimit::max(MAX_MESSAGE_UPLOAD)),
        )
        .route(
            "/orgs/{id}/certificate-files",
            post(attachment_pages::upload_certificate)
                .layer(DefaultBodyLimit::max(MAX_MESSAGE_UPLOAD)),
        )
        .route(
            "/instruments/{id}/slots",
            get(booking_pages::slots).post(booking_pages::add),
        )
        .route("/instruments/{id}/book", post(booking_pages::book))
        .route("/slots/{id}/withdraw", post(booking_pages::withdraw))
        .route("/bookings", get(booking_pages::mine))
        .route("/bookings/manage", get(booking_pages::manage))
        .route("/bookings/{id}/act", post(booking_pages::act))
        .route(
            "/vouchers",
            get(voucher_pages::list).post(voucher_pages::issue),
        )
        .route("/vouchers/{id}", get(voucher_pages::show))
        .route("/statistics", get(statistics_page::page))
        .route("/statistics.xlsx", get(statistics_page::xlsx))
        .route("/workspace", get(workspace::show))
        .route("/inbox", get(inbox::show))
        .route("/inbox/read-all", post(inbox::read_all))
        .route("/inbox/{id}/open", post(inbox::open))
        .route("/inbox/{id}/read", post(inbox::read))
        .route("/account", get(inbox::settings))
        .route("/account/contact", post(inbox::save_contact))
        .route("/account/notifications", post(inbox::save_preferences))
        .route("/challenges/{id}/follow", post(inbox::follow))
        .route("/requests/{id}/decide", post(workspace::decide))
        .route(
            "/requests/{id}",
            get(|s, v, p, q| thread_pages::show(SubjectKind::ContactRequest, s, v, p, q)),
        )
        .route(
            "/requests/{id}/messages",
            post(|s, v, p, m| thread_pages::post(SubjectKind::ContactRequest, s, v, p, m))
                .layer(DefaultBodyLimit::max(MAX_MESSAGE_UPLOAD)),
        )
        .route(
            "/deals/{id}/messages",
            get(|s, v, p, q| thread_pages::show(SubjectKind::Deal, s, v, p, q))
                .post(|s, v, p, m| thread_pages::post(SubjectKind::Deal, s, v, p, m))
                .layer(DefaultBodyLimit::max(MAX_MESSAGE_UPLOAD)),
        )
        .route("/files/{id}", get(thread_pages::file))
        .route("/files/{id}/delete", post(attachment_pages::delete))
        .route("/admin", get(admin::accounts))
        .route("/admin/accounts", post(admin::create_account))
        .route("/admin/accounts/{id}", post(admin::update_account))
        .route("/admin/accounts/{id}/disable", post(admin::disable_account))
        .route("/admin/accounts/{id}/enable", post(admin::enable_account))
        .route("/admin/accounts/{id}/password", post(admin::reset_password))
        .route("/admin/audit", get(audit::page))
        .route("/admin/audit.xlsx", get(audit::xlsx))
        .route("/static/qiao.css", get(crate::pages::stylesheet))
        .route("/static/qiao.js", get(crate::pages::script));
    for kind in Kind::ALL {
        let base = format!("/{}", kind.plural());
        pages = pages
            .route(&base, get(move |s, v, q| boards::list(kind, s, v, q)))
            .route(
                &format!("{base}/{{id}}"),
                get(move |s, v, i| detail::show(kind, s, v, i)),
            )
            .route(
                &format!("{base}/{{id}}/contact"),
                post(move |s, v, i, f| detail::request_contact(kind, s, v, i, f)),
            )
            .route(
                &format!("{base}/{{id}}/files"),
                post(move |s, v, i, m| attachment_pages::upload(kind, s, v, i, m))
                    .layer(DefaultBodyLimit::max(MAX_MESSAGE_UPLOAD)),
            )
            .route(
                &format!("{base}/{{id}}/edit"),
                get(move |s, v, i| detail::edit_form(kind, s, v, i))
                    .post(move |s, v, i, f| detail::update(kind, s, v, i, f)),
            );
    }
    pages.layer(axum::middleware::from_fn(
        crate::pages::session::csrf_cookie,
    ))
}
