//! The OpenAPI paths of message threads and attachments (`api/threads.rs`,
//! `api/attachments.rs`, issue #26).

use qiao_app::threads::{ContactDetails, MessageView, ThreadPage};
use qiao_domain::attachment::Attachment;
use qiao_domain::thread::NewMessage;
use serde_json::{Map, Value, json};

use super::{deleted, id_param, ok, op, query, schema};

/// Adds the thread and attachment paths to `paths`.
pub(super) fn paths(g: &mut schemars::SchemaGenerator, paths: &mut Map<String, Value>) {
    let page = schema::<ThreadPage>(g);
    let message = schema::<MessageView>(g);
    let new = schema::<NewMessage>(g);
    let params = json!([
        id_param(),
        query(
            "before",
            "only messages with a smaller id (the `next_before` of the previous page)",
            "integer"
        ),
        query("limit", "messages per page, 1-50 (default 20)", "integer")
    ]);
    for (path, what, who) in [
        (
            "contact-requests",
            "an accepted contact request",
            "its two sides and admins; 404 for anyone else, 409 before the owner accepted",
        ),
        (
            "deals",
            "a deal",
            "its parties' members, its managers, staff and admins; 404 for anyone else",
        ),
        (
            "applications",
            "an application to a challenge (揭榜)",
            "the applicant's members, the challenge owner's members, staff and admins; 404 for anyone else",
        ),
    ] {
        let mut post = op(
            &format!(
                "Post a message to the thread of {what} ({who}). JSON `{{\"body\": …}}`, or multipart/form-data with a `body` field and up to 5 `file` fields (10 MB each; pdf, png, jpeg, gif, webp, docx, xlsx, pptx, doc/xls/ppt, zip, txt/csv/md, the type read from the bytes and the name's extension agreeing with it; HTML, SVG and scripts are refused)"
            ),
            "threads",
            json!([id_param()]),
            Some(new.clone()),
            ok(201, "the message with its files", message.clone()),
            &[400, 401, 404, 409, 413, 422],
            true,
        );
        post["requestBody"]["content"]["multipart/form-data"] = json!({"schema": {"type": "object", "properties": {
            "body": {"type": "string"}, "file": {"type": "array", "items": {"type": "string", "format": "binary"}}}}});
        paths.insert(format!("/api/v1/{path}/{{id}}/messages"), json!({
            "get": op(&format!("A page of the thread of {what}, newest first ({who})"), "threads", params.clone(), None, ok(200, "the page", page.clone()), &[401, 404, 409, 422], true),
            "post": post,
        }));
    }
    paths.insert("/api/v1/contact-requests/{id}/contact-details".into(), json!({
        "get": op("Both sides' contact details once the request is accepted: the listing's contact person, phone and e-mail, and the requester's name and organisation (its two sides and admins; 409 before acceptance)", "threads", json!([id_param()]), None, ok(200, "the details", schema::<ContactDetails>(g)), &[401, 404, 409], true),
    }));
    let attachment = schema::<Attachment>(g);
    let list = json!({"type": "array", "items": attachment.clone(), "description": "oldest first, at most 20"});
    let name = json!({"name": "name", "in": "query", "required": true, "description": "the file's name, with the extension of its type", "schema": {"type": "string"}});
    for (path, what, who) in [
        (
            "listings/{id}/attachments",
            "a listing",
            "read by its owner, those whose contact request it accepted, staff and admins; added by its owner",
        ),
        (
            "contracts/{id}/attachments",
            "a contract",
            "read by its parties, its deal's managers and staff; added by its parties and managers",
        ),
        (
            "organisations/{id}/certificate-files",
            "an organisation's certificates (scans of its certificates)",
            "read by its members, staff and admins; added by its members",
        ),
        (
            "applications/{id}/attachments",
            "an application to a challenge (揭榜: the solution's documents)",
            "read by the applicant, the challenge's owner, staff and admins; added by the applicant's members",
        ),
    ] {
        let mut post = op(
            &format!(
                "Add a file to {what} ({who}): the raw bytes as the body, at most 10 MB; the type is read from the bytes, never from Content-Type"
            ),
            "attachments",
            json!([id_param(), name.clone()]),
            None,
            ok(201, "the file's description", attachment.clone()),
            &[400, 401, 403, 404, 409, 413, 422],
            true,
        );
        post["requestBody"] = json!({"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}});
        paths.insert(format!("/api/v1/{path}"), json!({
            "get": op(&format!("The files of {what} ({who}); 404 for anyone else"), "attachments", json!([id_param()]), None, ok(200, "the files", list.clone()), &[401, 404], true),
            "post": post,
        }));
    }
    let mut file = Map::new();
    file.insert("200".into(), json!({"description": "the bytes, with the type read at upload, `X-Content-Type-Options: nosniff`, a sandboxing Content-Security-Policy and `Content-Disposition` (inline only for raster images and PDF) carrying the original name",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}));
    paths.insert("/api/v1/attachments/{id}".into(), json!({
        "get": op("Download a file (whoever may see the record it belongs to; 404 for anyone else, exactly as for an id that does not exist)", "attachments", json!([id_param()]), None, file, &[401, 404], true),
        "delete": op("Delete a file (those who may change its record; a message's files stay)", "attachments", json!([id_param()]), None, deleted(), &[401, 403, 404], true),
    }));
}
