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

/// A stored attachment as a response that can never run in the browser: the type sniffed from
/// its bytes at upload (never the uploader's), `nosniff` so the browser keeps to it, a
/// download (`attachment`) for anything but raster images and PDF, and a policy that forbids
/// every script, plugin and form even if a browser were to render it as a page (`sandbox`).
pub fn attachment_download(file: &qiao_domain::attachment::Attachment, bytes: Vec<u8>) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.file_type.content_type()),
    );
    let disposition =
        qiao_domain::attachment::content_disposition(&file.file_name, file.file_type.inline());
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; img-src 'self'; sandbox"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    r
}
