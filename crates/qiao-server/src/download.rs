//! Files sent as downloads: the audit log's workbook, from the admin page and from the API
//! alike.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// A workbook as a download named `audit.xlsx`.
pub fn xlsx_response(bytes: Vec<u8>) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"audit.xlsx\""),
    );
    r
}
