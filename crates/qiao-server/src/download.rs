//! Files sent as downloads: workbooks (the audit log's, from the admin page and from the API
//! alike; the targets').

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// A workbook to download as `file` (an ASCII name the server chose).
pub fn xlsx_download(bytes: Vec<u8>, file: &'static str) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}
